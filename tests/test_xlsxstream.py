"""The summary's byte layer, exact output in the XlsxWriter manner: a row's XML as a string, deflate
segments that concatenate, CRC-32 combination equal to zlib's over the joined bytes, a zip that opens."""

from __future__ import annotations

import random
import zipfile
import zlib
from decimal import Decimal

import pytest

from perfeval_xl.xlsxstream import Part, RowXml, assemble, crc32_combine, inline, pack, unpack_rows


def test_row_xml_exact():
    # columns: text, money (style 2), int (style 4); text cells get style 5
    rows = [("企业服务专项", Decimal("758.11"), 2), ("", None, 0), ("a&b<c>", 1.5, None)]
    xml = RowXml([None, 2, 4], 5)(rows).decode("utf-8")
    assert xml == (
        '<row><c s="5" t="inlineStr"><is><t>企业服务专项</t></is></c><c s="2"><v>758.11</v></c>'
        '<c s="4"><v>2</v></c></row>'
        '<row><c/><c/><c s="4"><v>0</v></c></row>'
        '<row><c s="5" t="inlineStr"><is><t xml:space="preserve">a&amp;b&lt;c&gt;</t></is></c>'
        '<c s="2"><v>1.5</v></c><c/></row>'
    )


def test_row_xml_gives_wrapped_rows_their_height():
    # width 10: five Chinese characters (two widths each) fit one line, eleven need three
    writer = RowXml([None], 5, wrapped=[(0, 10)])
    assert writer.row_starts([("一二三四五",), ("一二三四五六七八九十一",), ("x" * 25,)]) == [
        "<row>",
        '<row ht="45" customHeight="1">',
        '<row ht="45" customHeight="1">',
    ]


def test_row_xml_numbers_that_are_not_finite_stay_blank():
    xml = RowXml([2, 2], 5)([(Decimal("NaN"), float("inf"))]).decode()
    assert xml == "<row><c/><c/></row>"


def test_row_xml_number_columns_write_each_value_as_it_is():
    # Decimals keep their own digits (equal values written differently stay different), ints as such,
    # None and every non-finite Decimal blank; a bool is 1 or 0, a text stays text
    col = [Decimal("2"), Decimal("2.00"), Decimal("-0.50"), Decimal("1E+3"), Decimal("-Infinity"),
           Decimal("sNaN"), Decimal("NaN5"), None, 7]  # fmt: skip
    xml = RowXml([2], 5)([(v,) for v in col]).decode()
    cells = ["2", "2.00", "-0.50", "1E+3", None, None, None, None, "7"]
    assert xml == "".join(f'<row><c s="2"><v>{v}</v></c></row>' if v else "<row><c/></row>" for v in cells)
    xml = RowXml([2], 5)([(True,), (1,), ("1",), (Decimal("1.0"),)]).decode()
    assert xml == (
        '<row><c s="2"><v>1</v></c></row><row><c s="2"><v>1</v></c></row>'
        '<row><c s="5" t="inlineStr"><is><t>1</t></is></c></row><row><c s="2"><v>1.0</v></c></row>'
    )


@pytest.mark.parametrize(
    "text, xml",
    [
        ("普通文字", "<is><t>普通文字</t></is>"),
        (" 前导空格", '<is><t xml:space="preserve"> 前导空格</t></is>'),
        ("_x000D_", '<is><t xml:space="preserve">_x005F_x000D_</t></is>'),  # a literal escape stays literal
        ("行\x0b二\uffff", '<is><t xml:space="preserve">行\n二</t></is>'),  # XML-forbidden characters
        ("=HYPERLINK(1)", "<is><t>=HYPERLINK(1)</t></is>"),  # text, never a formula
        ("a_b_x12_", "<is><t>a_b_x12_</t></is>"),  # underscores that are no escape
        ("尾随全角空格\u3000", '<is><t xml:space="preserve">尾随全角空格\u3000</t></is>'),
        ("\x1c分隔", '<is><t xml:space="preserve">分隔</t></is>'),  # whitespace to Python, forbidden in XML
        ("", "<is><t></t></is>"),
    ],
)
def test_inline_strings(text, xml):
    assert inline(text) == xml


def test_inline_cuts_at_excels_cell_limit():
    assert inline("长" * 40_000) == f"<is><t>{'长' * 32_767}</t></is>"


@pytest.mark.parametrize("seed", range(5))
def test_crc32_combine_equals_crc_of_the_joined_bytes(seed):
    rnd = random.Random(seed)
    a = rnd.randbytes(rnd.randrange(0, 5000))
    b = rnd.randbytes(rnd.randrange(0, 70_000))
    assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def test_packed_segments_concatenate_into_one_stream():
    one = b"<row><c/></row>" * 100
    two = '<row><c s="5" t="inlineStr"><is><t>指标</t></is></c></row>'.encode() * 50
    p1, p2 = pack(one, 100), pack(two, 50)
    assert (p1.rows, p1.size, p1.crc) == (100, len(one), zlib.crc32(one))
    tail = zlib.compressobj(1, zlib.DEFLATED, -15)
    stream = p1.data + p2.data + tail.flush()  # a final empty block ends the stream
    assert zlib.decompress(stream, -15) == one + two
    assert unpack_rows(p2) == [two[: len(two) // 50]] * 50


def test_assemble_writes_a_zip_whose_members_check_out(tmp_path):
    sheet = (
        '<worksheet><dimension ref="A1"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>表头</t></is>'
        "</c></row></sheetData></worksheet>"
    )
    skeleton = [("[Content_Types].xml", b"<Types/>"), ("xl/worksheets/sheet1.xml", sheet.encode())]
    part = Part(str(tmp_path), "forms", 1)
    rows = RowXml([None], 5)([("第一行",), ("第二行",)])
    part.write(pack(rows, 2))
    part.finish()
    out = tmp_path / "out.xlsx"
    assemble(skeleton, str(out), {"xl/worksheets/sheet1.xml": (part, "A3")})
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None  # every member's CRC and length check out
        xml = zf.read("xl/worksheets/sheet1.xml").decode()
        assert zf.read("[Content_Types].xml") == b"<Types/>"
    assert xml == sheet.replace('ref="A1"', 'ref="A1:A3"').replace(
        "</sheetData>", rows.decode() + "</sheetData>"
    )

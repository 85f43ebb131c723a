"""Grid loaders: formats detected by content, real cell references, text decoding, HTML spans, safety."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from perfeval_xl import grid as grid_mod
from perfeval_xl import limits
from perfeval_xl.grid import Grid, column_letter, load_grids
from perfeval_xl.model import ReadError
from perfeval_xl.text import html_to_text


def test_column_letters():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


def test_xlsx_refs_follow_the_used_range_origin(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评 表"
    ws["C5"] = "项目名称"
    ws["D5"] = "企业服务专项"
    ws["E7"] = 754.31
    ws["F8"] = dt.datetime(2023, 1, 2)
    wb.create_sheet("空白")
    path = tmp_path / "offset.xlsx"
    wb.save(path)

    grids = list(load_grids(path))
    assert [g.sheet for g in grids] == ["自评 表", "空白"]
    g = grids[0]
    assert g.kind == "xlsx" and g.source == str(path)
    assert g.origin == (4, 2)
    assert g.cell(0, 0) == "项目名称" and g.ref(0, 0) == "C5"
    assert g.cell(2, 2) == 754.31 and g.ref(2, 2) == "E7"
    assert g.row_ref(2, 0, 2) == "C7:E7"
    assert g.cell(1, 1) is None  # blank cells are None, never ""
    assert g.cell(3, 3) == dt.date(2023, 1, 2)
    assert grids[1].rows == []


def test_formula_cells_give_their_cached_values(tmp_path):
    path = tmp_path / "cached.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("表")
    ws.write_number("A1", 754.31)
    ws.write_number("B1", 758.11)
    ws.write_formula("C1", "=TRUNC(A1/B1*100,2)", None, 99.49)
    ws.write_formula("D1", '=IF(C1>=90,"优","良")', None, "优")
    wb.close()
    (g,) = load_grids(path)
    assert g.rows[0] == [754.31, 758.11, 99.49, "优"]


def test_text_export_refs_are_lines_and_columns_even_with_multiline_cells(tmp_path):
    path = tmp_path / "forms.txt"
    path.write_text('\n标题\n项目名称\t"两行\n的名称"\t\n主管部门\t委员会\n', encoding="utf-8")
    (g,) = load_grids(path)
    assert g.kind == "text" and g.sheet is None
    assert g.rows[2] == ["项目名称", "两行\n的名称", None]
    assert g.ref(2, 1) == "第3行第2列"
    assert g.rows[3][0] == "主管部门"
    assert g.ref(3, 0) == "第5行第1列"  # the quoted cell spans lines 3-4


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_text_encodings(tmp_path, encoding):
    path = tmp_path / "forms.txt"
    path.write_bytes("项目名称\t企业服务专项\r\n全年预算数\t１２０,７２２\r\n".encode(encoding))
    (g,) = load_grids(path)
    assert g.rows == [["项目名称", "企业服务专项"], ["全年预算数", "１２０,７２２"]]


def test_quotes_inside_unquoted_cells_stay_literal(tmp_path):
    path = tmp_path / "forms.txt"
    path.write_text('a\t<p style="text-align: center;">目标</p>\tb\n', encoding="utf-8")
    (g,) = load_grids(path)
    assert g.rows[0] == ["a", '<p style="text-align: center;">目标</p>', "b"]


def test_html_tables_with_colspan_and_rowspan_line_up(tmp_path):
    page = """<!DOCTYPE html><html><head><meta charset="gb2312"></head><body>
    <table><tr><td colspan="3">财政项目支出绩效自我评价</td></tr>
    <tr><td>项目名称</td><td colspan=2>企业&amp;服务</td></tr></table>
    <table>
    <tr><th>一级指标</th><th>二级指标</th><th>三级指标</th></tr>
    <tr><td rowspan="2">产出指标</td><td>数量指标</td><td>订单量<br>（次）</td></tr>
    <tr><td>质量指标</td><td>稳定性</td></tr>
    <tr><td></td><td colspan="2" rowspan="2">x</td></tr>
    <tr><td>y</td><td>z</td></tr>
    </table></body></html>"""
    path = tmp_path / "forms.xls"  # HTML saved with an Excel extension, as some systems do
    path.write_bytes(page.encode("gb2312"))
    g1, g2 = load_grids(path)
    assert (g1.kind, g1.sheet, g2.sheet) == ("html", "第1个表格", "第2个表格")
    assert g1.rows == [["财政项目支出绩效自我评价", None, None], ["项目名称", "企业&服务", None]]
    assert g2.rows == [
        ["一级指标", "二级指标", "三级指标"],
        ["产出指标", "数量指标", "订单量\n（次）"],
        [None, "质量指标", "稳定性"],
        [None, "x", None],
        ["y", None, None, "z"],
    ]
    assert g2.ref(2, 1) == "第3行第2列"


def test_hostile_spans_are_capped(tmp_path):
    path = tmp_path / "t.html"
    path.write_text('<table><tr><td colspan="99999999">a</td></tr></table>', encoding="utf-8")
    (g,) = load_grids(path)
    assert len(g.rows[0]) == grid_mod.MAX_SPAN


def test_html_to_text_keeps_paragraphs():
    html = '<p style="a">一是&nbsp;完成；</p>\n<p></p><ol><li>二是</li><li>三是<br/>四</li></ol>  尾 &lt;5%'
    assert html_to_text(html) == "一是 完成；\n二是\n三是\n四\n尾 <5%"
    assert html_to_text("  纯文本  ") == "纯文本"
    assert html_to_text("目标 <5% 且 >1") == "目标 <5% 且 >1"


def _raises(path, *fragments):
    with pytest.raises(ReadError) as info:
        list(load_grids(path))
    err = info.value
    assert err.source == str(path)
    text = str(err)
    assert str(path) in text
    for fragment in fragments:
        assert fragment in text
    return err


def test_empty_missing_and_directory(tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    _raises(empty, "文件为空")
    _raises(tmp_path / "nope.txt", "文件不存在")
    _raises(tmp_path, "文件夹")


def test_binary_junk_is_refused(tmp_path):
    import random

    path = tmp_path / "junk.xlsx"
    path.write_bytes(random.Random(7).randbytes(5000))
    _raises(path, "不是有效的 Excel 文件")  # named like a workbook, but not one
    path = tmp_path / "junk.txt"
    path.write_bytes(random.Random(7).randbytes(5000))
    _raises(path, "不是可识别的表格文件")


def test_corrupt_zip_and_foreign_zip(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    _raises(bad, "已损坏")
    other = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("readme.txt", "hello")
    _raises(other, "不是 Excel 工作簿")


def test_oversized_file_is_refused_unread(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_text("项目名称\t" + "x" * 5000, encoding="utf-8")
    monkeypatch.setattr(limits, "_current", limits.Limits(max_file_mb=0.001))
    _raises(path, "文件过大")


def test_fractional_size_limit_reads_a_large_file(tmp_path, monkeypatch):
    # the command line gives the limits as floats (--max-file-mb 2): a file over the 1 MiB read in one
    # go is then read up to the limit in bytes, which must be a whole number (it raised TypeError)
    form = (Path(__file__).parent / "data" / "seed_forms.txt").read_text(encoding="utf-8")
    path = tmp_path / "big.txt"
    path.write_text(form + ("\n" + " " * 1000) * 1200, encoding="utf-8")
    assert path.stat().st_size > 1 << 20
    monkeypatch.setattr(limits, "_current", limits.Limits(max_file_mb=2.0, max_cells=10_000_000))
    grids = list(load_grids(path))
    assert any("项目名称" in row for g in grids for row in g.rows)


def test_zip_bomb_by_ratio_is_refused_without_decompressing(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 1024 * 1024))
    assert path.stat().st_size < 200_000
    err = _raises(path, "压缩炸弹", "压缩比")
    assert "sheet1.xml" in str(err)


def test_zip_bomb_by_total_size_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "many.xlsx"
    rnd = __import__("random").Random(3)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(4):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", rnd.randbytes(100_000))
    monkeypatch.setattr(limits, "_current", limits.Limits(max_unzipped_mb=0.29))
    _raises(path, "压缩炸弹", "解压后")


def test_encrypted_workbook_is_refused(tmp_path):
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "项目名称"
    wb.save(plain)
    secret = tmp_path / "secret.xlsx"
    with open(plain, "rb") as src, open(secret, "wb") as dst:
        OOXMLFile(src).encrypt("密码123", dst)
    assert msoffcrypto.OfficeFile(open(secret, "rb")).is_encrypted()
    _raises(secret, "已加密", "密码")


def test_xlsx_falls_back_to_openpyxl_when_calamine_fails(tmp_path, monkeypatch):
    import python_calamine

    path = tmp_path / "ok.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "表"
    wb.active["B2"] = "项目名称"
    wb.save(path)

    def broken(*args, **kwargs):
        raise python_calamine.CalamineError("simulated")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", broken)
    (g,) = load_grids(path)
    assert g.sheet == "表" and g.cell(1, 1) == "项目名称" and g.ref(1, 1) == "B2"


def test_sheet_errors_can_be_collected(tmp_path, monkeypatch):
    path = tmp_path / "two.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.create_sheet("第二")["A1"] = "y"
    wb.save(path)
    monkeypatch.setattr(limits, "_current", limits.Limits(max_cells=0))
    errors: list[ReadError] = []
    assert list(load_grids(path, on_sheet_error=errors.append)) == []
    assert [e.sheet for e in errors] == ["Sheet", "第二"]
    assert all("工作表过大" in str(e) for e in errors)


def test_grid_ref_for_text_without_line_table():
    g = Grid("a.txt", None, [["x"]], origin=(0, 0))
    assert g.ref(0, 0) == "第1行第1列" and g.cell(5, 5) is None and g.cell(-1, 0) is None


def test_excel_2003_xml_gets_a_clear_message(tmp_path):
    path = tmp_path / "old.xls"
    path.write_text(
        '<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
        encoding="utf-8",
    )
    _raises(path, "Excel 2003 XML")


def test_utf16_text_with_bom_from_excel_unicode_export(tmp_path):
    data = io.StringIO()
    data.write("项目名称\t企业服务专项\n")
    path = tmp_path / "unicode.txt"
    path.write_bytes(b"\xff\xfe" + data.getvalue().encode("utf-16-le"))
    (g,) = load_grids(path)
    assert g.rows[0] == ["项目名称", "企业服务专项"]


def test_fast_zip_directory_matches_zipfile_and_falls_back(tmp_path):
    import zipfile

    from perfeval_xl.zipparts import zip_directory as _zip_directory

    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>" * 100)
        zf.writestr("目录/名字.xml", b"x" * 5000)
    expected = [
        (i.filename, i.compress_size, i.file_size, i.compress_type, i.header_offset)
        for i in zipfile.ZipFile(plain).infolist()
    ]
    assert _zip_directory(str(plain)) == expected
    commented = tmp_path / "commented.zip"
    with zipfile.ZipFile(commented, "w") as zf:
        zf.writestr("a.xml", "a")
        zf.comment = b"a comment moves the end record"
    assert _zip_directory(str(commented)) is None  # zipfile reads it instead
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(plain.read_bytes()[:-30])
    assert _zip_directory(str(truncated)) is None


@pytest.mark.parametrize("name", ["bad.xlsx", "bad.xlsm", "bad.ods", "bad.xls"])
def test_a_junk_file_named_like_a_workbook_is_not_an_excel_file(tmp_path, name):
    """Not "no form found": the file is not a workbook at all, and the message says so."""
    path = tmp_path / name
    path.write_bytes(b"junk junk junk")
    with pytest.raises(ReadError, match="不是有效的 Excel 文件") as exc:
        list(load_grids(path))
    assert exc.value.source == str(path)


def test_an_html_or_text_export_named_xls_is_still_read(tmp_path):
    html = tmp_path / "export.xls"
    html.write_text("<html><table><tr><td>项目名称</td><td>甲</td></tr></table></html>", encoding="utf-8")
    tsv = tmp_path / "export2.xls"
    tsv.write_text("项目名称\t乙\n", encoding="utf-8")
    assert [g.rows[0][:2] for g in load_grids(html)] == [["项目名称", "甲"]]
    assert [g.rows[0][:2] for g in load_grids(tsv)] == [["项目名称", "乙"]]

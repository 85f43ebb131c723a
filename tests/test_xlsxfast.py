"""The fast path for ordinary xlsx cells (:mod:`perfeval_xl.xlsxfast`) against python-calamine itself.

Every workbook here is read both ways: the fast path either declines (None) or gives exactly calamine's
grids (sheet names and order, ``sheet.start``, ``to_python()`` compared by ``repr``, so types, -0.0 and
float digits count) and the same percent-formatted cells as the cell-by-cell look-up of
:mod:`perfeval_xl.xlsxcells`. Workbooks: the benchmarks' realistic generator (clerk and text style),
openpyxl and xlsxwriter, LibreOffice re-saves, the filled template, the clerk-typed corpus, hand-written
parts at calamine's edges, and random cells (hypothesis)."""

from __future__ import annotations

import re
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import python_calamine as pc
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from libreoffice import convert_many, needs_libreoffice
from realcorpus import clerk_xlsx, forms

from perfeval_xl import limits, workbooks, xlsxcells, xlsxfast, xlsxtext
from perfeval_xl.grid import load_grids
from perfeval_xl.reader import read_forms
from perfeval_xl.template import build_workbook, save_workbook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import realistic  # noqa: E402


def calamine_sheets(path: Path) -> list[tuple[str, list[list[object]], tuple[int, int] | None]]:
    wb = pc.CalamineWorkbook.from_path(str(path))
    try:
        out = []
        for meta in wb.sheets_metadata:
            if meta.typ == pc.SheetTypeEnum.WorkSheet:
                sheet = wb.get_sheet_by_name(meta.name)
                out.append((meta.name, sheet.to_python() if sheet.start is not None else [], sheet.start))
        return out
    finally:
        wb.close()


def same_as_calamine(path: Path) -> bool:
    """Assert the fast path declines ``path`` or reads it exactly as calamine and the cell-by-cell
    percent look-up do; True when it read it."""
    source = str(path)
    _kind, refused = workbooks.check_zip(source, limits.current())
    book = xlsxcells.facts(source)
    fast = xlsxfast.read_sheets(source, book, refused)
    if fast is None:
        return False
    want = calamine_sheets(path)
    assert [n for n, _, _ in fast] == [n for n, _, _ in want]
    for (name, rows, start), (_, wanted, wanted_start) in zip(fast, want, strict=True):
        if rows is None:  # refused by the pre-check: neither way reads it
            assert name in refused
            continue
        assert repr(rows) == repr(wanted) and start == wanted_start, name
        old = xlsxcells.WorkbookFacts(source)  # a fresh one: scans the sheet's XML cell by cell
        part = old._sheet(name)
        assert part is not None
        refs = [(int(d), sum(26**i * (ord(ch) - 64) for i, ch in enumerate(reversed(letters))))
                for letters, d in re.findall(r'<c r="([A-Z]+)([0-9]+)"', part.xml)]  # fmt: skip
        height = max((r for r, _ in refs), default=0) + 2
        width = max((c for _, c in refs), default=0) + 2
        cells = [(r, c) for r in range(height) for c in range(width)]
        assert book.percent_cells(name, cells) == old.percent_cells(name, cells), name
    return True


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("realistic")
    return realistic.generate(folder / "clerk", 8, "clerk") + realistic.generate(folder / "text", 8, "text")


def test_realistic_workbooks_are_read_by_the_fast_path_exactly(generated):
    assert all(same_as_calamine(p) for p in generated)


def test_the_batch_reads_such_workbooks_without_calamine(generated, monkeypatch):
    monkeypatch.setitem(sys.modules, "python_calamine", None)  # importing it now fails
    grids = list(load_grids(generated[0]))
    assert grids and all(g.kind == "xlsx" for g in grids)
    assert read_forms(generated[0])  # and the reader finds its forms


def _both_ways(path: Path, monkeypatch) -> tuple[list, list]:
    """``load_grids`` as (sheet, origin, rows, percent cells, errors), with the fast path and without."""
    out = []
    for fast in (True, False):
        if not fast:
            monkeypatch.setattr(xlsxfast, "read_sheets", lambda *args, **kwargs: None)
        xlsxcells._CACHE.clear()  # no facts left from the other way
        errors: list[str] = []
        seen = []
        for g in load_grids(path, on_sheet_error=lambda e, errors=errors: errors.append(str(e))):
            cells = [(r, c) for r in range(len(g.rows)) for c in range(max(map(len, g.rows), default=0))]
            seen.append((g.sheet, g.origin, repr(g.rows), sorted(g.percent_formatted(cells))))
        out.append((seen, errors))
        monkeypatch.undo()
    return out[0], out[1]


def test_grids_percent_look_ups_and_sheet_limits_are_the_same_either_way(generated, monkeypatch):
    for i, path in enumerate(generated[:3] + generated[-2:]):
        fast, slow = _both_ways(path, monkeypatch)
        assert fast == slow
        assert i > 2 or any(cells for *_, cells in fast[0])  # the clerk style has percent cells
    previous = limits.configure(max_cells=40)  # every form sheet is too large now: the same message
    try:
        fast, slow = _both_ways(generated[0], monkeypatch)
    finally:
        limits.configure(previous)
    assert fast == slow and fast[1] and "工作表过大" in fast[1][0]


def test_a_sheet_the_pre_check_refuses_is_reported_the_same_either_way(tmp_path, monkeypatch):
    path = tmp_path / "far.xlsx"
    wb = openpyxl.Workbook()
    wb.active["B2"] = "项目名称"
    far = wb.create_sheet("远")
    far["A1"], far["C1500"] = 1, 2  # beyond row 999: the pre-check's full scan finds 1,500 × 3 cells
    wb.save(path)
    previous = limits.configure(max_cells=1000)
    try:
        fast, slow = _both_ways(path, monkeypatch)
        assert same_as_calamine(path)
    finally:
        limits.configure(previous)
    assert fast == slow and len(fast[0]) == 1 and "1500×3" in fast[1][0]


VALUES = [
    "财政项目支出绩效自我评价", " leading and trailing ", "line\nbreak", "tab\there", "a & b < c > d \"q\" 'a'",
    "emoji 😀", "", 0.5499000000000001, 0.1 + 0.2, 1e-07, 1e20, -0.0, 3, -12345678901234567, True, False,
]  # fmt: skip


def _openpyxl(
    path: Path, percent: bool = True, dates: bool = False, formulas: bool = False, values: list = VALUES
) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, value in enumerate(values, start=2):
        ws.cell(i, 2, value)
        ws.cell(i, 4, i / 7).number_format = "0.00%" if percent else "0.00"
    ws.cell(30, 6).number_format = "0%"  # a styled blank cell
    if dates:
        ws.cell(3, 7, datetime(2023, 5, 1))
    if formulas:
        ws.cell(4, 7, "=B5+1")
    wb.create_sheet("第二张")["C3"] = "x"
    wb.create_chartsheet("图表")
    wb.save(path)
    return path


def _xlsxwriter(path: Path, dates: bool = False, formulas: bool = False) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("表一")
    pct = wb.add_format({"num_format": "0.00%"})
    for i, value in enumerate(VALUES, start=1):
        ws.write(i, 1, value)
        ws.write_number(i, 3, i / 7, pct)
    ws.write_blank(40, 8, None, pct)
    ws.merge_range("F2:H2", "合并", pct)
    if dates:
        ws.write_datetime(2, 6, datetime(2023, 5, 1), wb.add_format({"num_format": "yyyy-mm-dd"}))
    if formulas:
        ws.write_formula(3, 6, "=B5+1", None, 2)
    wb.add_worksheet("空表")
    wb.close()
    return path


def test_openpyxl_and_xlsxwriter_workbooks(tmp_path):
    assert same_as_calamine(_openpyxl(tmp_path / "o1.xlsx"))
    assert same_as_calamine(_openpyxl(tmp_path / "o2.xlsx", percent=False))
    assert not same_as_calamine(_openpyxl(tmp_path / "o3.xlsx", dates=True))  # a date: calamine's own
    assert not same_as_calamine(_openpyxl(tmp_path / "o4.xlsx", formulas=True))  # a formula: today's path
    assert same_as_calamine(_xlsxwriter(tmp_path / "x1.xlsx"))
    assert not same_as_calamine(_xlsxwriter(tmp_path / "x2.xlsx", dates=True))
    assert not same_as_calamine(_xlsxwriter(tmp_path / "x3.xlsx", formulas=True))


@needs_libreoffice
def test_workbooks_resaved_by_libreoffice(tmp_path, generated):
    sources = [generated[0], generated[-1], _openpyxl(tmp_path / "o.xlsx", values=VALUES[:-2]),
               _xlsxwriter(tmp_path / "x.xlsx")]  # fmt: skip
    copies = []
    for i, src in enumerate(sources):
        copies.append(tmp_path / f"in{i}.xlsx")
        copies[-1].write_bytes(src.read_bytes())
    (tmp_path / "out").mkdir()
    resaved = convert_many(copies, "xlsx", tmp_path / "out")
    # LibreOffice writes booleans as formulas (TRUE()): the last goes to calamine
    assert [same_as_calamine(p) for p in resaved] == [True, True, True, False]


def test_the_filled_template_and_the_clerk_typed_corpus(tmp_path):
    found = read_forms(ROOT / "examples" / "forms" / "2023_中小企业发展服务中心_一.xlsx")
    template = save_workbook(build_workbook(found), tmp_path / "filled.xlsx")
    same_as_calamine(template)  # its formulas send it to calamine, or it is read exactly
    handled = 0
    for tsv in forms()[:12]:
        xlsx = tmp_path / f"{tsv.stem}.xlsx"
        clerk_xlsx(tsv, xlsx)
        handled += same_as_calamine(xlsx)
    assert handled == 12


# ------------------------------------------------------------------------------ hand-written parts

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STYLES = (  # 0 general, 1 percent, 2 a date, 3 a custom date, 4 [Red] (not a date), 5 [h]:mm
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;"/>'
    '<numFmt numFmtId="165" formatCode="[Red]0.00"/><numFmt numFmtId="166" formatCode="[h]:mm"/></numFmts>'
    '<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="10"/><xf numFmtId="14"/><xf numFmtId="164"/>'
    '<xf numFmtId="165"/><xf numFmtId="166"/></cellXfs>'
)


def _book(path: Path, sheet: str, shared: str | None = None, dimension: str = "") -> Path:
    rels = f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("_rels/.rels", f'<Relationships><Relationship Id="rId1" Type="{_REL}/officeDocument" '
                   'Target="xl/workbook.xml"/></Relationships>')  # fmt: skip
        z.writestr("xl/workbook.xml", f'<workbook {_NS} xmlns:r="{_REL}"><sheets>'
                   '<sheet name="S&amp;1" sheetId="1" r:id="rId1"/></sheets></workbook>')  # fmt: skip
        z.writestr("xl/_rels/workbook.xml.rels", f"<Relationships>{rels}</Relationships>")
        z.writestr("xl/styles.xml", f"<styleSheet {_NS}>{_STYLES}</styleSheet>")
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f"<worksheet {_NS}>{dimension}<sheetData>{sheet}</sheetData></worksheet>",
        )
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", f"<sst {_NS}>{shared}</sst>")
    return path


SHARED = (
    "<si><t> trimmed </t></si>"
    '<si><t xml:space="preserve"> kept </t></si>'
    "<si><t>&#10;x&#32;&lt;&amp;&gt;&quot;&apos;</t></si>"
    "<si><t>a\r\nb\rc&#13;d</t></si>"
    '<si><r><t>rich </t></r><r><rPr><b/></rPr><t xml:space="preserve"> text</t></r><rPh sb="0" eb="1"><t>PH</t></rPh>'
    '<phoneticPr fontId="1"/></si>'
    "<si/><si><t/></si><si><t>\u00a0nbsp\u00a0</t></si><si><t>\tt\t</t></si>"
)  # fmt: skip
_HANDLED = [
    "".join(f'<row r="{i + 1}"><c r="B{i + 1}" t="s"><v>{i}</v></c></row>' for i in range(9)),
    '<row r="2"><c r="B2" t="str"><v> s \r\n</v></c><c r="C2" t="str"><v></v></c><c r="D2" t="str"><v/></c></row>'
    '<row r="3"><c r="B3" t="inlineStr"><is><t> i </t></is></c><c r="C3" t="inlineStr"><is></is></c></row>'
    '<row r="4"><c r="B4" t="b"><v>1</v></c><c r="C4" t="b"><v>0</v></c><c r="D4" s="1"><v>0.96</v></c></row>'
    '<row r="6"><c r="E6" s="4"><v>-0</v></c><c r="F6" t="s"><v></v></c><c r="G6"><v></v></c></row>',
    '<row r="5"><c r="C5"><v>1</v></c></row><row r="2"><c r="E2"><v>2</v></c><c r="D2"><v>3</v></c>'
    '<c r="E2"><v>4</v></c></row>',  # rows and cells out of order, a cell written twice
    '<row r="3" spans="2:4"><c r="B3" s="1"/><c r="C3" s="1" t="n"/><c r="D3" s="1"></c></row>',  # no values
    '<row r="2">\n  <c r="B2"><v>1E+20</v></c>\n  <c r="C2"><v>.5</v></c><c r="D2"><v>5.</v></c>\n</row>',
]  # fmt: skip
_DECLINED = [
    '<row r="1"><c r="A1"><f>1+1</f></c></row>',  # a formula without a value
    '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row>',
    '<row r="1"><c r="A1" t="e"><v>#REF!</v></c></row>',
    '<row r="1"><c r="A1" s="2"><v>45000</v></c></row>',  # dates
    '<row r="1"><c r="A1" s="3"><v>45000</v></c></row>',
    '<row r="1"><c r="A1" s="5"><v>1.5</v></c></row>',  # a duration
    '<row r="1"><c r="A1" t="d"><v>2023-01-01</v></c></row>',
    '<row r="1"><c r="A1"><v> 5</v></c></row>',  # calamine: the text " 5"
    '<row r="1"><c r="A1"><v>+5</v></c></row>',
    '<row r="1"><c r="A1" t="b"><v>2</v></c></row>',  # calamine: an error
    '<row r="1"><c><v>1</v></c></row>',  # no reference
    '<row r="1"><c r="A1" cm="1"><v>1</v></c></row>',
    '<row r="1"><c r="a1"><v>1</v></c></row>',
    '<row r="1"><c r="A1" t="str"><v>_x000D_</v></c></row>',
    '<row r="1"><c r="A1" t="str"><v><![CDATA[x]]></v></c></row>',
    '<row r="1"><c r="A1" t="s"><v>99</v></c></row>',  # no such shared string
    '<row r="1"><c r="A1" t="str"><v>&bogus;</v></c></row>',
    '<row r="1"><c r="A1"><v>1</v><extLst/></c></row>',
    '<row r="1"><c r="A1"><v>1</v></c><x/></row>',
    '<row r="1"><c r="A1" s=\'1\'><v>1</v></c></row>',
    '<row r="1"><c r="IW1"><v>1</v></c></row>',  # beyond column IV
    '<row r="x"><c r="A1"><v>1</v></c></row>',  # calamine: an error
    '<row><c r="A1"><v>1</v></c></row>',
]


@pytest.mark.parametrize("sheet", _HANDLED)
def test_hand_written_cells_calamine_reads_are_read_alike(tmp_path, sheet):
    assert same_as_calamine(_book(tmp_path / "h.xlsx", sheet, SHARED, '<dimension ref="A1:Z999"/>'))


@pytest.mark.parametrize("sheet", _DECLINED)
def test_cells_outside_the_subset_are_left_to_calamine(tmp_path, sheet):
    assert not same_as_calamine(_book(tmp_path / "d.xlsx", sheet, SHARED))


def test_other_declined_workbooks(tmp_path):
    plain = '<row r="1"><c r="A1"><v>1</v></c></row>'
    assert not same_as_calamine(_book(tmp_path / "a.xlsx", plain, "<si><t>_x0041_</t></si>"))
    assert not same_as_calamine(_book(tmp_path / "b.xlsx", plain, dimension='<dimension ref="A0"/>'))
    prefixed = _book(tmp_path / "c.xlsx", plain)
    with zipfile.ZipFile(prefixed, "a") as z:  # a second sheet part no sheet names: still the same file
        z.writestr("xl/worksheets/sheet2.xml", "<x:worksheet/>")
    assert same_as_calamine(prefixed)
    named_xls = tmp_path / "e.xls"
    named_xls.write_bytes(_book(tmp_path / "e.xlsx", plain).read_bytes())
    _kind, refused = workbooks.check_zip(str(named_xls), limits.current())
    assert xlsxfast.read_sheets(str(named_xls), xlsxcells.facts(str(named_xls)), refused) is None


def test_namespace_prefixes_are_left_to_calamine(tmp_path):
    path = _book(tmp_path / "p.xlsx", "")
    sheet = (f'<x:worksheet {_NS.replace("xmlns", "xmlns:x")}><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v>'
             "</x:c></x:row></x:sheetData></x:worksheet>")  # fmt: skip
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    assert calamine_sheets(path)[0][1] == [[1.0]]  # calamine reads it …
    assert not same_as_calamine(path)  # … and so it does the reading


def test_an_empty_sheet(tmp_path):
    assert same_as_calamine(_book(tmp_path / "e.xlsx", ""))
    grids = list(load_grids(_book(tmp_path / "f.xlsx", '<row r="3"><c r="B3" s="1"/></row>')))
    assert [(g.rows, g.origin) for g in grids] == [([], (0, 0))]


# ------------------------------------------------------------------------------ random cells

_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t &<>\"' "), max_size=12
)
_NUMBER = (
    st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(-(10**17), 10**17)
    | st.sampled_from([1e-7, 1e20, 0.1 + 0.2, 0.5499000000000001, -0.0, 1e308, 5e-324])
)
_FORMAT = st.sampled_from(["General", "0.00%", "0%", "0.00", "#,##0.00", "yyyy-mm-dd", "[Red]0.00"])
_CELL = st.tuples(st.integers(0, 12), st.integers(0, 6), _TEXT | _NUMBER | st.booleans(), _FORMAT)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(_CELL, min_size=1, max_size=25), writer=st.sampled_from(["openpyxl", "xlsxwriter"]))
def test_random_cells_are_read_as_calamine_reads_them(tmp_path, cells, writer):
    path = tmp_path / f"r_{writer}.xlsx"
    if writer == "openpyxl":
        wb = openpyxl.Workbook()
        for r, c, value, fmt in cells:
            cell = wb.active.cell(r + 1, c + 1, value)
            cell.number_format = fmt
        wb.save(path)
    else:
        book = xlsxwriter.Workbook(str(path))
        ws = book.add_worksheet()
        formats = {}
        for r, c, value, fmt in cells:
            formats.setdefault(fmt, book.add_format({"num_format": fmt}))
            if isinstance(value, str):
                ws.write_string(r, c, value, formats[fmt])
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value, formats[fmt])
            else:
                ws.write_number(r, c, value, formats[fmt])
        book.close()
    read = same_as_calamine(path)
    # only a number with a date format, or a text with an _x00HH_ escape, may send a sheet to calamine
    dated = any(fmt == "yyyy-mm-dd" and not isinstance(v, str) for *_, v, fmt in cells)
    if not dated and not any(isinstance(v, str) and "_x" in v for *_, v, _ in cells):
        assert read


# ------------------------------------------------------------------------------ date formats

_CODE = st.text(st.sampled_from('0#.,%"\\_*[]hmsdyaAPM/;:- Red'), max_size=10)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=_CODE)
def test_date_formats_are_told_apart_as_calamine_does(tmp_path, code):
    wb = xlsxwriter.Workbook(str(tmp_path / "f.xlsx"))
    wb.add_worksheet().write_number(0, 0, 40000.5, wb.add_format({"num_format": code or "General"}))
    wb.close()
    value = calamine_sheets(tmp_path / "f.xlsx")[0][1][0][0]
    assert xlsxtext.is_date_format(code) == (not isinstance(value, float)), (code, value)

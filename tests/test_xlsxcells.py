"""Cell facts calamine does not report: number formats, Excel error values, formulas without a result.

``tests/data/xlsxcells/lo_cells.xlsx`` was saved by LibreOffice (see ``make_fixtures.py`` beside it):
real error values and LibreOffice's own percent formats. Workbooks with formulas but no cached values
are written here with openpyxl, as a script would write them.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import perfeval_xl
from perfeval_xl import formulas, xlsxcells
from perfeval_xl.model import ReadError
from perfeval_xl.reader import read_forms

DATA = Path(__file__).parent / "data" / "xlsxcells"
LO = DATA / "lo_cells.xlsx"

ROWS = [
    ["财政项目支出绩效自我评价"],
    ["项目名称", "公式项目"],
    ["主管部门", "示例主管部门", "实施单位", "示例单位"],
    ["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分数", "执行率", "得分"],
    [None, "年度资金总额", "=SUM(C6:C7)", "=SUM(D6:D7)", "=SUM(E6:E7)", 10, None, None],
    [None, "其中：当年财政拨款", 470, 470, 420.35, "-", None, "-"],
    [None, "上年结转资金", 50, 50, 48, "-", None, "-"],
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析"],
    ["产出指标", "质量指标", "验收合格率", "=99%", "98%", 30, None, "个别批次返工"],
    [None, None, "培训人次", "≥500", "=400+30", "=(F11+F9)/2", None, "场地受限"],
    ["效益指标", "社会效益指标", "服务人次", "≥1000", 1200, 30, None, None],
]


def _book(tmp_path: Path, changes: dict[str, object] | None = None, name: str = "formulas.xlsx") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表"
    for r, row in enumerate(ROWS, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)
    for ref, value in (changes or {}).items():
        ws[ref] = value
    path = tmp_path / name
    wb.save(path)
    return path


def _read_error(path: Path) -> ReadError:
    with pytest.raises(ReadError) as info:
        read_forms(path)
    return info.value


# ------------------------------------------------------------------ LibreOffice-saved workbook


def _lo_forms():
    errors: list[ReadError] = []
    forms = {f.sheet: f for f in read_forms(LO, on_sheet_error=errors.append)}
    return forms, {e.sheet: e for e in errors}


def test_libreoffice_percent_formats_are_read_from_the_styles_part():
    forms, _ = _lo_forms()
    form = forms["正常"]
    assert [i.actual for i in form.indicators] == ["96%", "2.5%", "1200"]
    # 执行率 typed as percentages (0.9006 in a 0.00% cell) read in percent, as the form shows them
    assert [row.stated_rate for row in form.funds] == [Decimal("90.06"), Decimal("89.43"), Decimal("96")]
    result = perfeval_xl.evaluate(form)
    # 差错率 ≤2 % against 2.5 %: 2 ÷ 2.5 × 30 = 24 (not full marks, as 0.025 against 2 would give)
    assert [r.score for r in result.indicators] == [Decimal("30.00"), Decimal("24.00"), Decimal("30.00")]
    assert result.total_score == Decimal("93.00")
    assert not [f for f in result.findings if f.severity == "error"]


@pytest.mark.parametrize(
    ("sheet", "cell", "words"),
    [
        ("执行数错误", "E5", "“年度资金总额”的全年执行数单元格为错误值 #REF!"),
        ("分值错误", "F10", "指标“差错率”的分值单元格为错误值 #DIV/0!"),
        ("指标值错误", "D11", "指标“服务人次”的年度指标值单元格为错误值 #N/A"),
        ("分数错误", "F5", "“年度资金总额”的分数单元格为错误值 #VALUE!"),  # the budget's points
    ],
)
def test_error_values_in_input_cells_stop_the_form_naming_the_cell(sheet, cell, words):
    forms, errors = _lo_forms()
    assert sheet not in forms
    err = errors[sheet]
    assert err.cell == cell
    assert words in err.reason
    assert f"工作表“{sheet}”，{cell}" in str(err)


def test_error_values_shown_as_text_in_an_export_stop_the_form_too(tmp_path):
    rows = [list(row) for row in ROWS]
    rows[4][2:5] = [520, 520, 468.35]
    rows[8][3] = "≥95%"
    rows[9][4] = "#N/A"
    path = tmp_path / "export.txt"
    path.write_text("\n".join("\t".join("" if v is None else str(v) for v in row) for row in rows), "utf-8")
    err = _read_error(path)
    assert "指标“培训人次”的实际完成值单元格为错误值 #N/A" in err.reason
    assert err.cell == "第10行第5列"
    rows[9][4] = 430
    rows[9][5] = "#DIV/0!"
    path.write_text("\n".join("\t".join("" if v is None else str(v) for v in row) for row in rows), "utf-8")
    assert "指标“培训人次”的分值单元格为错误值 #DIV/0!" in _read_error(path).reason
    rows[9][5] = 30
    rows[4][5] = "#REF!"  # the budget's points, which the score uses
    path.write_text("\n".join("\t".join("" if v is None else str(v) for v in row) for row in rows), "utf-8")
    assert "“年度资金总额”的分数单元格为错误值 #REF!" in _read_error(path).reason


def test_an_error_value_in_a_stated_cell_reads_as_not_stated():
    forms, _ = _lo_forms()
    form = forms["执行率错误"]  # G7 (上年结转资金 执行率) is =E7/0: #DIV/0!
    assert [row.stated_rate for row in form.funds] == [Decimal("90.06"), Decimal("89.43"), None]
    assert form.funds[1].executed == Decimal("420.35")  # a formula with its cached value (=E5-E7)
    assert form.indicators[1].stated_score == Decimal("24")  # =F10*0.8, cached
    assert perfeval_xl.evaluate(form).total_score == Decimal("93.00")


def test_cell_facts_of_the_libreoffice_file():
    facts = xlsxcells.facts(str(LO))
    assert facts.cell_facts("执行数错误").errors == {(4, 4): "#REF!", (4, 6): "#REF!"}
    assert facts.cell_facts("正常").errors == {}
    assert facts.cell_facts("正常").formulas == {}  # LibreOffice saved every result
    assert facts.percent_cells("正常", [(8, 4), (9, 4), (10, 4), (4, 6), (4, 2)]) == {(8, 4), (9, 4), (4, 6)}
    assert facts.cell_facts("没有这张表").errors == {}


def test_percent_formats_no_longer_reopen_the_workbook_with_openpyxl(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl must not be asked")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    forms, _ = _lo_forms()
    assert forms["正常"].indicators[1].actual == "2.5%"


# ------------------------------------------------------------------ formulas without a cached value


def test_simple_formulas_without_cached_values_are_evaluated(tmp_path):
    form = read_forms(_book(tmp_path))[0]
    total = form.funds[0]
    assert (total.initial, total.annual, total.executed) == (
        Decimal("520"),
        Decimal("520"),
        Decimal("468.35"),
    )
    assert [i.target for i in form.indicators] == ["99%", "≥500", "≥1000"]  # =99% is a percentage
    assert form.indicators[1].actual == "430"
    assert form.indicators[1].points == Decimal("30")  # =(F11+F9)/2
    result = perfeval_xl.evaluate(form)
    assert result.budget_score == Decimal("9.00")  # 468.35 ÷ 520 = 90.07 %, truncated
    scores = [r.score for r in result.indicators]
    assert scores == [Decimal("29.69"), Decimal("25.80"), Decimal("30.00")]  # 98/99×30, 430/500×30
    assert result.total_score == Decimal("94.49")


def test_evaluation_is_exact(tmp_path):
    path = _book(tmp_path, {"E6": "=0.1+0.2+420.05", "E7": "=SUM(C7,-2,0)*0.96", "D6": "=1/3*1410"})
    total = read_forms(path)[0].funds
    assert total[1].executed == Decimal("420.35")  # not 420.34999999999997
    assert total[2].executed == Decimal("46.08")
    assert total[1].annual == Decimal("470")  # 1/3 × 1410, exactly
    assert total[0].executed == Decimal("466.43")


def test_a_sum_over_cells_outside_calamines_range_and_blank_cells(tmp_path):
    # Z99 is blank; Z100 lies beyond the range calamine reports (it has no value at all)
    path = _book(tmp_path, {"C5": "=SUM(C6:C7,Z99)", "Z100": "=C5*2", "G11": "=Z100"})
    form = read_forms(path)[0]
    assert form.funds[0].initial == Decimal("520")
    assert form.indicators[2].stated_score == Decimal("1040")  # G11 → Z100 → C5, beyond the grid


@pytest.mark.parametrize(
    ("formula", "reason"),
    [
        ("=VLOOKUP(B6,A1:H11,4,FALSE)", "函数 VLOOKUP 暂不支持"),
        ("=Sheet2!E6+E7", "暂不支持的内容"),
        ("=E5+1", "循环引用"),
        ("=E6/(E7-48)", "除以零"),
        ('=E6&"万元"', "暂不支持的内容"),
        ("=B6+1", "引用的单元格 B6 不是数字"),
    ],
)
def test_formulas_that_cannot_be_evaluated_stop_the_form_naming_the_cell(tmp_path, formula, reason):
    err = _read_error(_book(tmp_path, {"E5": formula}))
    assert err.cell == "E5"
    assert "“年度资金总额”的全年执行数单元格的公式没有计算结果" in err.reason
    assert reason in err.reason
    assert "请在 Excel/WPS 中打开并保存后再读取" in err.reason


def test_a_target_formula_that_divides_by_zero(tmp_path):
    path = _book(tmp_path, {"D9": "=F9/0"})  # the target itself: an unevaluable formula
    err = _read_error(path)
    assert err.cell == "D9"
    assert "指标“验收合格率”的年度指标值单元格的公式没有计算结果" in err.reason


def test_unevaluable_formulas_in_stated_cells_read_as_not_stated(tmp_path):
    form = read_forms(_book(tmp_path, {"G5": "=IFERROR(E5/D5,0)", "G9": "=VLOOKUP(1,A1:B2,2)"}))[0]
    assert form.funds[0].stated_rate is None
    assert form.indicators[0].stated_score is None


def test_shared_formulas_without_cached_values_are_translated(tmp_path):
    path = _book(tmp_path, {"C5": "=SUM(C6:C7)", "D5": 0, "E5": 0})
    # rewrite C5 as the master of a shared formula and D5:E5 as its dependants, without values
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    start = xml.index('<c r="C5"')
    end = xml.index('<c r="F5"')
    shared = (
        '<c r="C5"><f t="shared" ref="C5:E5" si="0">SUM(C6:C7)</f></c>'
        '<c r="D5"><f t="shared" si="0"/></c><c r="E5"><f t="shared" si="0"/></c>'
    )
    parts["xl/worksheets/sheet1.xml"] = (xml[:start] + shared + xml[end:]).encode()
    out = tmp_path / "shared.xlsx"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    total = read_forms(out)[0].funds[0]
    assert (total.initial, total.annual, total.executed) == (
        Decimal("520"),
        Decimal("520"),
        Decimal("468.35"),
    )


def test_a_dtd_in_a_sheet_part_is_not_looked_at(tmp_path):
    path = _book(tmp_path)
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = b'<!DOCTYPE x [<!ENTITY a "1">]>' + xml
    out = tmp_path / "dtd.xlsx"
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    assert xlsxcells.facts(str(out)).cell_facts("表").formulas == {}


def test_clean_workbooks_never_read_the_sheet_xml(monkeypatch):
    asked = []
    original = xlsxcells.WorkbookFacts._sheet

    def spy(self, sheet):
        asked.append(sheet)
        return original(self, sheet)

    monkeypatch.setattr(xlsxcells.WorkbookFacts, "_sheet", spy)
    forms = read_forms(
        Path(__file__).parent.parent / "examples" / "forms" / "2023_中小企业发展服务中心_一.xlsx"
    )
    assert [f.project for f in forms] == ["企业服务专项", "信息化建设项目"]
    assert asked == []  # every needed cell is there, and no target is a number


def test_the_cache_sees_a_rewritten_file(tmp_path):
    path = _book(tmp_path)
    assert read_forms(path)[0].funds[0].executed == Decimal("468.35")
    shutil.copy(_book(tmp_path, {"E5": "=E6"}, name="other.xlsx"), path)
    assert read_forms(path)[0].funds[0].executed == Decimal("420.35")


# ------------------------------------------------------------------ the pieces


@pytest.mark.parametrize(
    ("code", "percent"),
    [
        ("0%", True),
        ("0.00%", True),
        ("#,##0.0%;[Red]-#,##0.0%", True),
        ('0"%"', False),
        ("0\\%", False),
        ("0.00", False),
        ("General", False),
        ('"增长"0.0%', True),
    ],
)
def test_percent_format_codes(code, percent):
    assert xlsxcells.is_percent_format(code) is percent


def _sheet(values: dict[str, object], uncached: dict[str, str]) -> formulas.SheetValues:
    cells = {formulas.parse_ref(k): v for k, v in values.items()}
    texts = {formulas.parse_ref(k): v for k, v in uncached.items()}
    return formulas.SheetValues(cells.get, {}, texts, (0, 0, 20, 20))


@pytest.mark.parametrize(
    ("formula", "value"),
    [
        ("1+2*3", "7"),
        ("(1+2)*3", "9"),
        ("-A1+10%", "-0.9"),
        ("SUM(A1:A3)/4", "2"),  # A2 is text: skipped in the range
        ("SUM(A1,A3,(2-1)*2)", "10"),
        ("A1*B1", "0"),  # B1 blank: 0
        ("754.31/758.11*100", "99.49875347904657635435490892"),
        ("1e3%", "10"),
    ],
)
def test_evaluator(formula, value):
    sheet = _sheet({"A1": 1.0, "A2": "合计", "A3": 7.0}, {"C1": formula})
    assert formulas.evaluate_cell(sheet, (0, 2)) == Decimal(value)


def test_evaluator_guards_depth_and_size():
    chain = {f"A{i}": f"A{i + 1}+1" for i in range(1, 60)}
    with pytest.raises(formulas.FormulaError, match="嵌套过深"):
        formulas.evaluate_cell(_sheet({}, chain), (0, 0))
    huge = formulas.SheetValues(lambda pos: 1.0, {}, {(0, 0): "SUM(B1:Z100000)"}, (0, 0, 1048575, 16383))
    with pytest.raises(formulas.FormulaError, match="过多"):
        formulas.evaluate_cell(huge, (0, 0))
    # many formulas, each summing ranges: the scan for formula cells in each range is counted too
    many = {(r, 0): ",".join(["SUM(B1:B2)"] * 50).join(["SUM(", ")"]) for r in range(5000)}
    with pytest.raises(formulas.FormulaError, match="过多"):
        formulas.evaluate_cell(formulas.SheetValues(lambda pos: None, {}, many, (0, 0, 10, 10)), (0, 0))


def test_parts_unpacked_by_the_precheck_are_not_unpacked_again(tmp_path, monkeypatch):
    path = tmp_path / "lo.xlsx"
    shutil.copy(LO, path)
    from perfeval_xl.grid import load_grids

    grids = list(load_grids(path))  # the pre-check unpacks workbook.xml, its rels and every sheet
    facts = xlsxcells.facts(str(path))
    assert "xl/workbook.xml" in facts._offered
    opened = []
    original = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    from perfeval_xl import zipparts

    read_member = zipparts.read_member

    def spy_member(source, member, limit, data=None):
        opened.append(member[0])
        assert data is not None  # taken from the file's bytes the pre-check read in one go
        return read_member(source, member, limit, data)

    monkeypatch.setattr(zipparts, "read_member", spy_member)
    g = next(g for g in grids if g.sheet == "正常")
    assert g.percent_formatted([(8, 4), (9, 4), (10, 4)]) == {(8, 4), (9, 4)}
    # only the part the pre-check had no use for, read through the directory the pre-check read
    # (no ZipFile parsing the central directory again)
    assert opened == ["xl/styles.xml"]


def test_sheets_the_precheck_cannot_name_are_still_found_by_the_cell_facts(tmp_path):
    """workbook.xml with single-quoted attributes: the pre-check's map of sheets to parts is incomplete,
    so it is not handed over; the cell facts find the sheet themselves and the percent cell reads as such."""
    src = tmp_path / "percent.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表"
    ws["B2"] = 0.96
    ws["B2"].number_format = "0.00%"
    ws["B3"] = 0.5
    wb.save(src)
    quoted = tmp_path / "quoted.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(quoted, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                tag = re.search(rb"<sheet [^>]*>", data).group(0)
                data = data.replace(tag, re.sub(rb'="([^"]*)"', rb"='\1'", tag))
                assert b"name='" in data
            zout.writestr(info, data)
    from perfeval_xl.grid import load_grids

    (g,) = list(load_grids(quoted))
    r0, c0 = g.origin
    assert g.percent_formatted([(1 - r0, 1 - c0), (2 - r0, 1 - c0)]) == {(1 - r0, 1 - c0)}

"""The native template (built-in functions only): structure, import, read-back by the engine.

What LibreOffice computes from these formulas is checked in ``test_native_libreoffice.py``."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from perfeval_xl import labels
from perfeval_xl import layout as L
from perfeval_xl import sheetformulas as F
from perfeval_xl.cli import main
from perfeval_xl.model import Form, FundRow, Indicator
from perfeval_xl.native import compose_actual, compose_target
from perfeval_xl.reader import read_forms
from perfeval_xl.rules import evaluate
from perfeval_xl.template import TEMPLATE_SHEET, build_workbook, save_workbook

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
EXPECTED = list(json.loads((DATA / "seed_expected.json").read_text(encoding="utf-8")).values())[0]["forms"]
COMMITTED = ROOT / "workbook_template_native.xlsx"

#: functions Excel 2007+, WPS and LibreOffice 7.4 all have (no dynamic arrays, LET, LAMBDA, TEXTJOIN…)
PORTABLE = {
    "ABS", "AND", "ASC", "CHOOSE", "CLEAN", "COUNT", "COUNTIF", "EXACT", "FIND", "IF", "IFERROR", "INT",
    "ISNA", "ISNUMBER", "ISTEXT", "LEFT", "LEN", "LOG10", "MATCH", "MAX", "MID", "N", "NOT", "OR",
    "ROUND", "ROUNDDOWN", "SIGN", "SUBSTITUTE", "SUM", "SUMIF", "SUMPRODUCT", "TRIM", "TRUNC",
}  # fmt: skip


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("native") / "native.xlsx"
    assert main(["template", "--native", "-o", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("native_import") / "seed_native.xlsx"
    assert main(["import", "--native", str(DATA / "seed_forms.txt"), "-o", str(path)]) == 0
    return path


def test_committed_native_template_equals_fresh_build(fresh):
    from test_template import signature

    assert COMMITTED.exists(), "run: perfeval-xl template --native -o workbook_template_native.xlsx"
    assert signature(COMMITTED) == signature(fresh)


def test_official_labels_and_native_inputs(fresh):
    ws = openpyxl.load_workbook(fresh)[TEMPLATE_SHEET]
    lay = L.layout_of_sheet(ws)
    assert lay == L.Layout(flavor="native")
    header = tuple(ws[f"{c}{L.INDICATOR_HEADER_ROW}"].value for c in L.COLUMNS)
    assert header == (*labels.INDICATOR_HEADER, labels.JUDGEMENT, labels.REMARKS)
    assert (
        tuple(ws[f"{c}{L.INDICATOR_HEADER_ROW}"].value for c in L.NATIVE_INPUT_COLS) == L.NATIVE_INPUT_HEADER
    )
    assert ws.print_area == f"'{TEMPLATE_SHEET}'!$A$1:$J${lay.last_row}"  # the official form only
    for col in L.NATIVE_HELPER_COLS:
        assert ws.column_dimensions[col].hidden, col
    for ref in lay.input_cells():
        assert ws[ref].protection.locked is False, ref
    for ref in F.computed_cells(lay):
        assert ws[ref].protection.locked, ref
    assert "D13" in F.computed_cells(lay) and "K13" in lay.input_cells()
    assert L.CONF_SHEET not in openpyxl.load_workbook(fresh).sheetnames  # no xlwings


def test_formulas_use_only_portable_functions(fresh):
    ws = openpyxl.load_workbook(fresh)[TEMPLATE_SHEET]
    used: set[str] = set()
    for ref, formula in F.computed_cells(L.Layout(flavor="native")).items():
        assert ws[ref].value == formula and ws[ref].data_type == "f", ref
        assert len(formula) < 8192, ref  # Excel's limit on a formula's length
        without_strings = re.sub(r'"[^"]*"', '""', formula)
        depth = deepest = 0
        for ch in without_strings:
            depth += (ch == "(") - (ch == ")")
            deepest = max(deepest, depth)
        assert depth == 0 and deepest <= 64, ref  # Excel nests functions 64 deep at most
        used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", without_strings))
    assert used <= PORTABLE, used - PORTABLE
    assert "PE_" not in "".join(F.computed_cells(L.Layout(flavor="native")).values())


def test_classic_template_explains_name_errors_outside_the_print_area():
    ws = openpyxl.load_workbook(ROOT / "workbook_template.xlsx")[TEMPLATE_SHEET]
    note = ws[L.NOTE_CELL].value
    assert "#NAME?" in note and "workbook_template_native.xlsx" in note and "--native" in note
    assert L.NOTE_CELL[0] > L.LAST_COLUMN  # right of the printed form


def test_import_native_reads_back_with_the_published_numbers(imported):
    forms = read_forms(imported)
    assert len(forms) == 4
    for form, expected in zip(forms, EXPECTED, strict=True):
        result = evaluate(form)
        assert form.project == expected["project"]
        assert float(result.execution_rate) == expected["execution_rate"]
        assert float(result.budget_score) == expected["budget_score"]
        assert [float(i.score) for i in result.indicators] == expected["scores"]
        assert float(result.total_score) == expected["total_score"]
        assert result.grade == expected["grade"]
        assert not [f for f in result.findings if f.severity == "error"]


def test_import_native_splits_targets_and_caches_the_composed_text(imported):
    ws = openpyxl.load_workbook(imported)["企业服务专项"]
    assert ws["D13"].value.startswith("=")  # a formula …
    assert (ws["K13"].value, ws["L13"].value, ws["M13"].value) == ("≥", 120000, "次")
    assert (ws["N13"].value, ws["O13"].value) == (120722, "次")
    cached = openpyxl.load_workbook(imported, data_only=True)["企业服务专项"]
    assert (cached["D13"].value, cached["E13"].value) == ("≥120000(次)", "120722(次)")  # … with its value
    row = next(r for r in range(13, 43) if cached[f"E{r}"].value == "达成指标")
    assert cached[f"D{row}"].value == "2(亿元)" and ws[f"K{row}"].value is None


def test_compose_like_the_formulas():
    assert compose_target("≥", Decimal("120000.00"), "次") == "≥120000(次)"
    assert compose_target("", Decimal("5"), "%") == "5(%)"
    assert compose_target("", "健全", None) == "健全"
    assert compose_target("≤", Decimal("-0.50"), None) == "≤-0.5"
    assert compose_actual(Decimal("95.0"), "百分比") == "95(百分比)"
    assert compose_actual(Decimal("0.96"), None) == "0.96"
    assert compose_actual("达成", "次") == "达成"
    assert compose_actual(None, None) == ""


def test_stated_numbers_that_disagree_are_mismatches_and_check_cells_state_nothing(imported, tmp_path):
    """A native workbook as a spreadsheet saved it: cached numbers (one wrong) and a 核对 cell."""
    wb = openpyxl.load_workbook(imported)
    for other in wb.sheetnames[1:]:  # openpyxl drops cached values: keep the sheet frozen here only
        del wb[other]
    ws = wb["企业服务专项"]
    lay = L.layout_of_sheet(ws)
    for ref in F.computed_cells(lay):  # freeze like a saved file: values where formulas were
        ws[ref].value = None
    ws["G6"].value, ws["H6"].value, ws["F6"].value = 99.49, 9.95, 10  # 9.95 is wrong (9.94)
    ws["D13"].value, ws["E13"].value, ws["G13"].value = "≥120000(次)", "120722(次)", 5
    ws["G14"].value = labels.CHECK  # a row the formulas left to perfeval-xl
    ws[lay.total_score_cell].value = labels.CHECK
    ws[lay.grade_cell].value = labels.CHECK
    path = tmp_path / "saved.xlsx"
    wb.save(path)
    form = read_forms(path)[0]
    assert form.indicators[1].stated_score is None and form.stated_total_score is None
    assert form.stated_grade is None
    codes = [(f.code, f.where) for f in evaluate(form).findings if f.code == "stated-mismatch"]
    assert codes == [("stated-mismatch", "预算执行得分")]


def test_recalc_of_a_native_workbook_freezes_texts_and_numbers(imported, tmp_path):
    out = tmp_path / "values.xlsx"
    assert main(["recalc", str(imported), "-o", str(out)]) == 0
    ws = openpyxl.load_workbook(out)["企业服务专项"]
    assert (ws["D13"].value, ws["E13"].value) == ("≥120000(次)", "120722(次)")
    assert float(ws["G6"].value) == 99.49 and ws["B44"].value == "优"
    forms = read_forms(out)
    assert float(evaluate(forms[0]).total_score) == 99.94
    assert not [f for f in evaluate(forms[0]).findings if f.code == "stated-mismatch"]


def test_more_rows_and_profiles_in_the_formulas(tmp_path):
    inds = [Indicator("产出指标", "数量指标", f"指标{i}", "≥1", "1", Decimal(2)) for i in range(45)]
    form = Form(
        "x", project="大项目", funds=[FundRow("年度资金总额", annual=Decimal(1), executed=Decimal(1))]
    )
    form.indicators = inds
    path = save_workbook(build_workbook([form], flavor="native", profile="mof-2020"), tmp_path / "big.xlsx")
    ws = openpyxl.load_workbook(path)["大项目"]
    lay = L.layout_of_sheet(ws)
    assert lay.indicator_rows == 45 and lay.native
    assert ws[L.PROFILE_CELL].value == "财政部2020（四舍五入）"
    assert "G13:G57" in ws[lay.total_score_cell].value
    assert "财政部2020（四舍五入）" in ws[L.PROFILE_INDEX_CELL].value


def test_a_bigger_template_instead_of_inserting_rows(tmp_path):
    for flavor in ("classic", "native"):
        path = tmp_path / f"{flavor}60.xlsx"
        assert main(["template", "--flavor", flavor, "--rows", "60", "-o", str(path)]) == 0
        ws = openpyxl.load_workbook(path)[TEMPLATE_SHEET]
        lay = L.layout_of_sheet(ws)
        assert lay == L.Layout(60, flavor)
        assert ws[lay.total_score_cell].value == F.computed_cells(lay)[lay.total_score_cell]
        assert "G13:G72" in ws[lay.total_score_cell].value
    assert main(["template", "--rows", "0", "-o", str(tmp_path / "x.xlsx")]) == 2


def test_recalc_copy_rows_fit_their_wrapped_remarks(tmp_path):
    """Issue 10 item 7: the 审核提示 text wraps and its row is tall enough for every line."""
    imported, values = tmp_path / "in.xlsx", tmp_path / "values.xlsx"
    assert main(["import", str(DATA / "seed_forms.txt"), "-o", str(imported)]) == 0
    assert main(["recalc", str(imported), "-o", str(values)]) == 0
    ws = openpyxl.load_workbook(values)["企业服务专项"]
    lay = L.layout_of_sheet(ws)
    rows = [lay.indicator_row(i) for i in range(lay.indicator_rows)]
    remark_rows = [r for r in rows if ws[f"{L.REMARKS_COL}{r}"].value]
    assert remark_rows
    for r in remark_rows:
        text = ws[f"{L.REMARKS_COL}{r}"].value
        assert ws[f"{L.REMARKS_COL}{r}"].alignment.wrap_text
        # 9-point characters are ~2 width units each in a 26-unit column: at least this many lines
        lines = -(-len(text) * 2 // (L.WIDTHS[L.REMARKS_COL] - 2))
        assert ws.row_dimensions[r].height >= lines * 11, (r, text, ws.row_dimensions[r].height)
    assert "#NAME?" not in ws[L.NOTE_CELL].value and "数值版" in ws[L.NOTE_CELL].value


def test_consolidate_reads_native_workbooks_like_any_other(imported, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "native.xlsx").write_bytes(imported.read_bytes())
    out = tmp_path / "summary.xlsx"
    assert main(["consolidate", str(folder), "-o", str(out), "-q", "--jobs", "1"]) == 0
    rows = list(openpyxl.load_workbook(out)["汇总"].iter_rows(min_row=2, values_only=True))
    got = [(r[0], r[6], r[7], r[9], r[10]) for r in rows if r[0]]
    want = [
        (e["project"], e["execution_rate"], e["budget_score"], e["total_score"], e["grade"]) for e in EXPECTED
    ]
    assert got == want


def test_committed_templates_carry_the_budget_points_as_a_value():
    """A reader that does not calculate (score, consolidate) takes 分数 from the cell's cached value."""
    for name in ("workbook_template.xlsx", "workbook_template_native.xlsx"):
        ws = openpyxl.load_workbook(ROOT / name, data_only=True)[TEMPLATE_SHEET]
        assert ws[L.BUDGET_POINTS_CELL].value == 10, name

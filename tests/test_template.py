"""The Excel form: committed file equals a fresh build; labels, formulas, protection, validations, print."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from perfeval_xl import labels
from perfeval_xl import layout as L
from perfeval_xl import sheetformulas as F
from perfeval_xl.cli import main
from perfeval_xl.profiles import PROFILES
from perfeval_xl.template import TEMPLATE_SHEET, build_workbook, save_workbook, sheet_names

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "workbook_template.xlsx"


def _style(cell) -> tuple:
    f, a, b, p = cell.font, cell.alignment, cell.border, cell.protection
    return (
        (f.name, f.sz, f.b, f.i, f.color.rgb if f.color is not None else None),
        (cell.fill.fill_type, cell.fill.fgColor.rgb),
        (a.horizontal, a.vertical, a.wrap_text),
        tuple((s.style if s is not None else None) for s in (b.left, b.right, b.top, b.bottom)),
        (p.locked, p.hidden),
        cell.number_format,
    )


def signature(path: Path) -> dict:
    """Everything a user sees or Excel enforces in a workbook, for comparing two builds."""
    wb = openpyxl.load_workbook(path)
    out: dict = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or c.has_style:
                    value = c.value
                    if isinstance(value, ArrayFormula):  # compared by what it says, not identity
                        value = ("array", value.ref, value.text)
                    cells[c.coordinate] = (value, c.data_type, _style(c))
        dvs = sorted(
            (
                str(dv.sqref),
                dv.type,
                dv.operator,
                dv.formula1,
                dv.formula2,
                dv.errorStyle,
                dv.showErrorMessage,
                dv.error,
                dv.prompt,
            )
            for dv in ws.data_validations.dataValidation
        )
        out[ws.title] = {
            "cells": cells,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "widths": {k: v.width for k, v in ws.column_dimensions.items()},
            "heights": {k: v.height for k, v in ws.row_dimensions.items() if v.height},
            "validations": dvs,
            "protection": (ws.protection.sheet, ws.protection.password, ws.protection.formatRows),
            "page": (
                ws.page_setup.orientation,
                ws.page_setup.paperSize,
                ws.page_setup.fitToWidth,
                ws.page_setup.fitToHeight,
                ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr else None,
                ws.print_area,
                ws.print_title_rows,
            ),
        }
    return out


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "fresh.xlsx"
    assert main(["template", "-o", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def ws(fresh):
    return openpyxl.load_workbook(fresh)[TEMPLATE_SHEET]


def test_committed_template_equals_fresh_build(fresh):
    assert COMMITTED.exists(), "run: perfeval-xl template -o workbook_template.xlsx"
    assert signature(COMMITTED) == signature(fresh)


def test_signature_sees_a_change(fresh, tmp_path):
    wb = openpyxl.load_workbook(fresh)
    wb[TEMPLATE_SHEET]["F13"].protection = openpyxl.styles.Protection(locked=True)
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    assert signature(changed) != signature(fresh)


def test_labels_where_the_layout_puts_them(ws):
    assert ws["A1"].value == labels.TITLE
    assert ws[f"A{L.PROJECT_ROW}"].value == labels.PROJECT
    assert ws[f"A{L.DEPARTMENT_ROW}"].value == labels.DEPARTMENT
    assert ws[L.UNIT_LABEL_CELL].value == labels.UNIT
    assert ws[L.YEAR_LABEL_CELL].value == labels.YEAR
    assert ws[f"A{L.PROFILE_ROW}"].value == labels.PROFILE
    assert ws[L.FUNDS_LABEL_CELL].value == "项目资金（万元）"
    assert tuple(ws[f"{c}{L.FUNDS_HEADER_ROW}"].value for c in "CDEFGH") == labels.FUNDS_HEADER
    assert tuple(ws[f"B{L.fund_row(i)}"].value for i in range(4)) == labels.FUND_ROWS
    assert ws[f"A{L.GOALS_ROW}"].value == labels.GOALS
    assert ws[f"B{L.GOALS_ROW}"].value == labels.GOAL_EXPECTED
    assert ws[f"E{L.GOALS_ROW}"].value == labels.GOAL_ACTUAL
    header = tuple(ws[f"{c}{L.INDICATOR_HEADER_ROW}"].value for c in L.COLUMNS)
    assert header == (*labels.INDICATOR_HEADER, labels.JUDGEMENT, labels.REMARKS)
    lay = L.Layout()
    assert lay.indicator_rows >= 30
    assert ws[f"A{lay.total_row}"].value == labels.TOTAL
    assert ws[f"A{lay.grade_row}"].value == labels.GRADE
    assert ws[L.PROFILE_CELL].value == PROFILES["shanghai-municipal"].title
    assert L.layout_of_sheet(ws) == lay


def test_computed_cells_hold_udf_formulas_using_the_profile_cell(ws):
    lay = L.Layout()
    computed = F.computed_cells(lay)
    assert len(computed) == 2 + 4 + 2 * lay.indicator_rows + 4
    arrays = F.array_formulas(lay)
    held = F.sheet_formulas(lay)
    for ref in computed:
        assert ws[ref].protection.locked, ref
    for ref, formula in held.items():
        cell = ws[ref]
        assert cell.data_type == "f", ref
        if isinstance(cell.value, ArrayFormula):  # one legacy array formula per column range
            assert arrays[cell.value.ref] == formula == cell.value.text, ref
            assert L.cells_of(cell.value.ref)[0] == ref
        else:
            assert cell.value == formula == computed[ref], ref
        name = re.match(r"=(\w+)\(", formula).group(1)
        if name != "PE_TOTAL":  # a plain exact sum: no rule involved
            assert formula.endswith(",$B$4)") or formula.endswith("($B$4)"), ref
    # every computed cell is covered exactly once: by its own formula or by one array range
    covered = [c for ref in arrays for c in L.cells_of(ref)] + [
        r for r in held if r not in arrays and not any(r == L.cells_of(a)[0] for a in arrays)
    ]
    assert sorted(covered) == sorted(computed)
    assert {a.ref: a.text for a in (ws[L.cells_of(r)[0]].value for r in arrays)} == {
        "G6:G9": "=PE_EXEC_RATES(D6:D9,E6:E9,$B$4)",
        "G13:G42": "=PE_INDICATOR_SCORES(D13:D42,E13:E42,F13:F42,C13:C42,I13:I42,$B$4)",
        "J13:J42": "=PE_ROWS_FINDINGS(D13:D42,E13:E42,F13:F42,C13:C42,I13:I42,H13:H42,$B$4)",
    }
    assert computed["G13"] == "=PE_INDICATOR_SCORE(D13,E13,F13,C13,I13,$B$4)"  # the per-cell form (Lite)
    assert ws["H6"].value == "=PE_BUDGET_SCORE(D6,E6,F6,$B$4)"
    assert ws[lay.total_score_cell].value == "=PE_TOTAL(H6,G13:G42)"
    assert ws[lay.grade_cell].value == "=PE_GRADE(G43,$B$4)"
    assert F.udf_calls(lay) == 9  # was 70 with one formula per cell


def test_inputs_unlocked_and_marked(ws):
    lay = L.Layout()
    inputs = lay.input_cells()
    assert set(inputs).isdisjoint(F.computed_cells(lay))
    for ref in inputs:
        cell = ws[ref]
        assert cell.protection.locked is False, ref
        assert cell.fill.fgColor.rgb.endswith(L.INPUT_FILL), ref
    # labels and computed cells stay locked
    for ref in ("A2", "C5", "G6", "A12", "G13", "B44"):
        assert ws[ref].protection.locked, ref
        assert not ws[ref].fill.fgColor.rgb.endswith(L.INPUT_FILL), ref


def test_sheet_protected_without_password(ws):
    assert ws.protection.sheet is True
    assert not ws.protection.password


def _dv_for(ws, ref):
    found = [dv for dv in ws.data_validations.dataValidation if ref in dv.sqref]
    assert len(found) == 1, ref
    return found[0]


def test_validations(ws):
    money = _dv_for(ws, "D6")
    assert (money.type, money.operator, money.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert _dv_for(ws, "C9") is money and _dv_for(ws, "E7") is money
    lvl1 = _dv_for(ws, "A42")
    assert lvl1.type == "list" and all(x in lvl1.formula1 for x in labels.LEVEL1_CHOICES)
    lvl2 = _dv_for(ws, "B13")
    assert lvl2.type == "list" and all(x in lvl2.formula1 for x in labels.LEVEL2_CHOICES)
    actual = _dv_for(ws, "E20")
    assert actual.type == "list" and actual.formula1 == '"达成,部分达成,未达成"'
    assert actual.showErrorMessage is False  # free text (figures with units) stays allowed
    prof = _dv_for(ws, "B4")
    assert prof.type == "list" and all(p.title in prof.formula1 for p in PROFILES.values())
    assert prof.showErrorMessage is True
    points = _dv_for(ws, "F30")
    assert (points.type, points.formula1, points.formula2) == ("decimal", "0", "100")
    assert _dv_for(ws, "I13").type == "decimal"


def test_print_setup(ws):
    lay = L.Layout()
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0)
    assert ws.print_area == f"'{TEMPLATE_SHEET}'!$A$1:$J${lay.last_row}"
    assert ws.print_title_rows == "$12:$12"
    assert all(ws.column_dimensions[c].width == w for c, w in L.WIDTHS.items())
    assert ws["C13"].alignment.wrap_text and ws["B11"].alignment.wrap_text
    assert ws["A1"].border.left.style == "thin" and ws["J44"].border.bottom.style == "thin"


def test_xlwings_conf_sheet(fresh):
    conf = openpyxl.load_workbook(fresh)[L.CONF_SHEET]
    assert (conf["A1"].value, conf["B1"].value) == ("UDF Modules", "udfs")
    assert conf.sheet_state == "hidden"  # neither seen nor printed by staff


def test_lite_flavor(tmp_path):
    path = tmp_path / "lite.xlsx"
    assert main(["template", "--flavor", "lite", "-o", str(path)]) == 0
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [TEMPLATE_SHEET]  # xlwings Lite needs no xlwings.conf
    ws = wb[TEMPLATE_SHEET]
    # xlwings Lite registers the functions under their own names: no namespace prefix
    assert ws["G6"].value == "=PE_EXEC_RATE(D6,E6,$B$4)"
    assert not any("XLWINGS." in f for f in F.computed_cells(L.Layout(flavor="lite")).values())
    assert not F.array_formulas(
        L.Layout(flavor="lite")
    )  # one formula per cell, as the Lite script enters them
    assert L.layout_of_sheet(ws).flavor == "lite"


def test_more_rows_when_a_form_needs_them(tmp_path):
    from decimal import Decimal

    from perfeval_xl.model import Form, Indicator

    inds = [Indicator("产出指标", "数量指标", f"指标{i}", "≥1", "1", Decimal(2)) for i in range(45)]
    wb = build_workbook([Form("x", project="大项目", indicators=inds)])
    path = save_workbook(wb, tmp_path / "big.xlsx")
    ws = openpyxl.load_workbook(path)["大项目"]
    lay = L.layout_of_sheet(ws)
    assert lay.indicator_rows == 45
    assert ws[f"C{lay.last_indicator_row}"].value == "指标44"
    assert ws[lay.total_score_cell].value == f"=PE_TOTAL(H6,G13:G{lay.last_indicator_row})"


def test_sheet_names():
    names = sheet_names(["a/b:c*?", "x" * 40, "x" * 40, "", "A/B:C*?", "xlwings.conf", "'q'"])
    assert names[0] == "a_b_c__"
    assert names[1] == "x" * 31 and names[2] == "x" * 28 + "(2)"
    assert names[3] == "表4"
    assert names[4] == "A_B_C__(2)"  # Excel sheet names are case-insensitive
    assert names[5] == "xlwings.conf(2)"
    assert names[6] == "q"
    assert all(len(n) <= 31 for n in names)

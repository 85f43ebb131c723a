"""The formula wiring: pycel evaluates every formula of an imported workbook with the UDFs registered."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import openpyxl
import pytest

pycel = pytest.importorskip("pycel")
from pycel import ExcelCompiler  # noqa: E402

import udfs  # noqa: E402
from perfeval_xl import layout as L  # noqa: E402
from perfeval_xl import sheetformulas as F  # noqa: E402
from perfeval_xl.cli import main  # noqa: E402
from perfeval_xl.reader import read_forms  # noqa: E402

DATA = Path(__file__).parent / "data"
SEED = DATA / "seed_forms.txt"
EXPECTED = list(json.loads((DATA / "seed_expected.json").read_text(encoding="utf-8")).values())[0]["forms"]
PLUGIN = "perfeval_udfs_for_pycel"


@pytest.fixture(scope="module", autouse=True)
def plugin():
    """pycel looks functions up by lower-case name in plugin modules: expose the UDFs that way.

    pycel also takes every cell whose text starts with "=" for a formula, while Excel (and the file)
    say it is a string cell; the seed has such a target (``=100.00(百分数)``). Teach pycel the cell's
    type, as Excel reads it."""
    from pycel import excelwrapper

    mod = types.ModuleType(PLUGIN)
    for name in udfs.__all__:
        setattr(mod, name.lower(), getattr(udfs, name))
    sys.modules[PLUGIN] = mod
    original = excelwrapper._OpxRange.cell_to_formula.__func__

    def cell_to_formula(cls, cell):
        if getattr(cell, "data_type", None) == "s":
            return ""
        return original(cls, cell)

    excelwrapper._OpxRange.cell_to_formula = classmethod(cell_to_formula)
    yield
    excelwrapper._OpxRange.cell_to_formula = classmethod(original)
    sys.modules.pop(PLUGIN, None)


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pycel") / "seed.xlsx"
    assert main(["import", str(SEED), "-o", str(out)]) == 0
    return out


def _evaluate_all(path: Path) -> dict[str, dict[str, object]]:
    """Every formula cell of every form sheet, evaluated by pycel."""
    xl = ExcelCompiler(filename=str(path), plugins=[PLUGIN])
    wb = openpyxl.load_workbook(path)
    out: dict[str, dict[str, object]] = {}
    for ws in wb.worksheets:
        values = {}
        cells = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
        # every cell of a legacy array formula's range (only its first cell holds the formula)
        cells += [c for ref in ws.array_formulae.values() for c in L.cells_of(ref.replace("$", ""))]
        for coordinate in dict.fromkeys(cells):
            # pycel (1.0b30 with openpyxl 3.1) trips on quoted sheet names: the seed's are plain
            values[coordinate] = xl.evaluate(f"{ws.title}!{coordinate}")
        out[ws.title] = values
    return out


def test_every_formula_gives_the_published_numbers(imported):
    values = _evaluate_all(imported)
    lay = L.Layout()
    forms = [ws for ws in values if ws != L.CONF_SHEET]
    assert len(forms) == 4
    for title, expected in zip(forms, EXPECTED, strict=True):
        v = values[title]
        assert title == expected["project"]
        assert set(v) == set(F.computed_cells(lay)), "every computed cell is a formula, nothing else is"
        assert all(isinstance(x, (float, int, str)) for x in v.values())
        assert not any(isinstance(x, str) and x.startswith("错误") for x in v.values()), v
        assert v["G6"] == expected["execution_rate"]
        assert v["H6"] == expected["budget_score"]
        assert v["F6"] == 10
        n = len(expected["scores"])
        scores = [v[f"G{lay.indicator_row(i)}"] for i in range(n)]
        assert scores == [float(s) for s in expected["scores"]]
        assert all(v[f"G{lay.indicator_row(i)}"] == "" for i in range(n, lay.indicator_rows))
        assert v[lay.total_points_cell] == expected["total_points"]
        assert v[lay.total_score_cell] == expected["total_score"]
        assert v[lay.grade_cell] == expected["grade"]
        assert v[lay.form_remarks_cell] == ""


def test_fund_sub_rows(imported):
    v = _evaluate_all(imported)["企业服务专项"]
    assert (v["G7"], v["G8"], v["G9"]) == (99.49, 0.0, 0.0)


def test_live_findings_and_profile_switch(imported, tmp_path):
    """Edit a form as staff would; the formulas follow: findings appear, the profile cell rules."""
    wb = openpyxl.load_workbook(imported)
    ws = wb["信息化建设项目"]
    lay = L.layout_of_sheet(ws)
    ws["E13"] = "2(人)"  # 运维人员配备数: target 3.00, now missed
    ws["B4"] = "财政部2020（四舍五入）"
    ws["D7"] = 100  # 当年财政拨款 no longer adds up
    path = tmp_path / "edited.xlsx"
    wb.save(path)
    v = _evaluate_all(path)["信息化建设项目"]
    assert v["H6"] == 8.92  # 122.75 / 137.65 half up under mof-2020
    assert v["G13"] == 6.67  # 2 / 3 × 10, half up
    assert v["J13"].split("；")[-1] == "偏差原因未填写"
    assert "未写比较符号" in v["J13"]  # 3.00 has no operator: read as ≥, and said so
    assert v["J14"] == "" or "偏差" not in v["J14"]
    assert "资金合计不符" in v[lay.form_remarks_cell]
    assert v[lay.total_score_cell] == round(8.92 + 6.67 + 80, 2)  # the other indicators: 80 points, met
    assert v[lay.grade_cell] == "优"

    # the engine, reading the same edited workbook, agrees with the formulas
    from perfeval_xl.rules import evaluate

    [form] = [f for f in read_forms(path) if f.sheet == "信息化建设项目"]
    r = evaluate(form)
    assert float(r.budget_score) == v["H6"] and float(r.total_score) == v[lay.total_score_cell]


def test_recalc_values_equal_formula_values(imported, tmp_path):
    """recalc writes exactly what the live formulas compute."""
    from perfeval_xl.recalc import recalc

    out = tmp_path / "values.xlsx"
    recalc(imported, out)
    live = _evaluate_all(imported)
    wb = openpyxl.load_workbook(out)
    for title, cells in live.items():
        if title == L.CONF_SHEET:
            continue
        ws = wb[title]
        for ref, value in cells.items():
            got = ws[ref].value
            assert ws[ref].data_type != "f", (title, ref)
            if value == "":
                assert got is None, (title, ref, got)
            elif isinstance(value, str):
                assert got == value, (title, ref)
            else:
                assert float(got) == value, (title, ref)

"""The xlwings UDFs as plain functions: published numbers, blank rows, findings, never raising."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import udfs
from perfeval_xl.reader import read_forms

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]
EXPECTED = json.loads((DATA / "seed_expected.json").read_text(encoding="utf-8"))
SEED = list(EXPECTED.values())[0]["forms"]


@pytest.fixture(scope="module")
def seed_forms():
    return read_forms(DATA / "seed_forms.txt")


def _f(d):
    """What Excel hands a UDF for a number cell: a float."""
    return None if d is None else float(d)


def test_issue_example():
    assert udfs.PE_INDICATOR_SCORE("≥500(家次)", "430(家次)", 10) == 8.6
    assert udfs.PE_INDICATOR_SCORE("≥500(家次)", "430(家次)", 10.0, "培训企业家次", None, "") == 8.6


def test_seed_budget_numbers_from_excel_floats(seed_forms):
    for form, expected in zip(seed_forms, SEED, strict=True):
        total = form.total_fund
        annual, executed = _f(total.annual), _f(total.executed)
        assert udfs.PE_EXEC_RATE(annual, executed) == expected["execution_rate"]
        assert udfs.PE_BUDGET_SCORE(annual, executed, 10.0) == expected["budget_score"]
        assert udfs.PE_BUDGET_SCORE(annual, executed) == expected["budget_score"]


def test_seed_indicator_scores(seed_forms):
    for form, expected in zip(seed_forms, SEED, strict=True):
        got = [
            udfs.PE_INDICATOR_SCORE(i.target, i.actual, _f(i.points), i.name, None, "上海市级（截位）")
            for i in form.indicators
        ]
        assert got == [float(x) for x in expected["scores"]], form.project


def test_seed_totals_and_grade(seed_forms):
    for form, expected in zip(seed_forms, SEED, strict=True):
        total = form.total_fund
        budget = udfs.PE_BUDGET_SCORE(_f(total.annual), _f(total.executed), 10.0)
        scores = [
            [udfs.PE_INDICATOR_SCORE(i.target, i.actual, _f(i.points), i.name)] for i in form.indicators
        ]
        points = [[_f(i.points)] for i in form.indicators]
        assert udfs.PE_TOTAL(udfs.PE_BUDGET_POINTS(None), points) == expected["total_points"]
        total_score = udfs.PE_TOTAL(budget, scores + [[None], [""]])
        assert total_score == expected["total_score"]
        assert udfs.PE_GRADE(total_score) == expected["grade"]


def test_profiles_by_title_and_name():
    # 122.75 / 137.65 = 89.1754…%: truncated 8.91 (Shanghai), half up 8.92 (MoF 2020)
    assert udfs.PE_BUDGET_SCORE(137.65, 122.75, 10, "上海市级（截位）") == 8.91
    assert udfs.PE_BUDGET_SCORE(137.65, 122.75, 10, "财政部2020（四舍五入）") == 8.92
    assert udfs.PE_BUDGET_SCORE(137.65, 122.75, 10, "mof-2020") == 8.92
    assert udfs.PE_INDICATOR_SCORE("≥4000", "3999", 5, "", None, "mof-2020") == 5.0
    assert udfs.PE_INDICATOR_SCORE("≥4000", "3999", 5) == 4.99
    assert udfs.PE_EXEC_RATE(100, 57) == 57.0
    assert udfs.PE_BUDGET_SCORE(100, 57, 10) == 5.7
    assert udfs.PE_INDICATOR_SCORE("≥30", "10", 30) == 10.0


def test_total_is_exact_decimal_not_float_sum():
    # 0.1 + 0.2 in floats is 0.30000000000000004: the UDF must say 0.3
    assert udfs.PE_TOTAL(0.1, [[0.2]]) == 0.3
    # a total that must be exactly 90 stays 优 even when Excel's floats would drift below it
    parts = [[29.97], [30.01], [20.01]]
    assert udfs.PE_GRADE(udfs.PE_TOTAL(10.01, parts)) == "优"


def test_grade_bands():
    assert udfs.PE_GRADE(90) == "优"
    assert udfs.PE_GRADE(89.99) == "良"
    assert udfs.PE_GRADE(80.0) == "良"
    assert udfs.PE_GRADE(60) == "中"
    assert udfs.PE_GRADE(59.99) == "差"


def test_blank_row_is_blank():
    assert udfs.PE_INDICATOR_SCORE(None, None, None, None, None, "上海市级（截位）") == ""
    assert udfs.PE_INDICATOR_SCORE("", "", "", "") == ""
    assert udfs.PE_ROW_FINDINGS(None, None, None, None, None, None, None) == ""
    assert udfs.PE_EXEC_RATE(None, None) == ""
    assert udfs.PE_BUDGET_SCORE(None, None, 10) == ""
    assert udfs.PE_GRADE(None) == ""
    assert udfs.PE_TOTAL(None, [[None], [""]]) == ""
    assert udfs.PE_FORM_FINDINGS([[None] * 4] * 4, [[None] * 9] * 30) == ""


def test_zero_budget_row_shows_zero():
    assert udfs.PE_EXEC_RATE(0.0, 0.0) == 0.0


def test_row_findings():
    assert udfs.PE_ROW_FINDINGS("≥500(家次)", "430(家次)", 10, "培训企业家次", None, None) == "偏差原因未填写"
    assert udfs.PE_ROW_FINDINGS("≥500(家次)", "430(家次)", 10, "培训企业家次", None, "疫情影响") == ""
    assert udfs.PE_ROW_FINDINGS("≥500(家次)", "600(家次)", 10, "培训企业家次", None, None) == ""
    text = udfs.PE_ROW_FINDINGS("5%", "3%", 10, "系统故障率", None, None)
    assert "≤" in text and "系统故障率" in text  # operator-less, lower is better
    assert udfs.PE_INDICATOR_SCORE("5%", "3%", 10, "系统故障率") == 10.0
    assert udfs.PE_INDICATOR_SCORE("≥100", "50", None) == "缺少分值"


def test_qualitative_judgement():
    assert udfs.PE_INDICATOR_SCORE("健全", "达成", 10) == 10.0
    assert udfs.PE_INDICATOR_SCORE("健全", "部分达成", 10, "制度建设", 7.0) == 7.0
    assert udfs.PE_INDICATOR_SCORE("健全", "部分达成", 10, "制度建设") == 6.0
    text = udfs.PE_ROW_FINDINGS("健全", "部分达成", 10, "制度建设", 9.0, "原因")
    assert "部分达成" in text


def test_form_findings():
    funds = [
        ["年度资金总额", 100.0, 100.0, 90.0],
        ["其中：当年财政拨款", 50.0, 50.0, 40.0],
        ["上年结转资金", 0.0, 0.0, 0.0],
        ["其他资金", 0.0, 0.0, 0.0],
    ]
    rows = [["产出指标", "数量指标", "a", "≥10", "10", 50.0, None, None, None]] + [[None] * 9] * 29
    text = udfs.PE_FORM_FINDINGS(funds, rows, "上海市级（截位）")
    assert "资金合计不符" in text and "分值合计不为100" in text
    funds[1] = ["其中：当年财政拨款", 100.0, 100.0, 90.0]
    rows[1] = [None, None, "b", "≥10", "10", 40.0, None, None, None]  # continues 产出指标
    assert udfs.PE_FORM_FINDINGS(funds, rows) == ""
    # xlwings hands a single-row range as a flat list
    assert udfs.PE_FORM_FINDINGS(funds[0], rows[0]) != ""


def test_errors_become_short_text():
    out = udfs.PE_EXEC_RATE("一百", 5)
    assert isinstance(out, str) and out.startswith("错误") and "一百" in out
    assert udfs.PE_GRADE(80, "no-such-profile").startswith("错误")
    assert udfs.PE_TOTAL(1, [["错误：x"]]) == "有无法计算的得分"


cells = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**12), 10**12),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(cells, cells, cells, cells, cells, cells, cells)
def test_never_raises(a, b, c, d, e, f, g):
    for out in (
        udfs.PE_EXEC_RATE(a, b, c),
        udfs.PE_BUDGET_SCORE(a, b, c, d),
        udfs.PE_INDICATOR_SCORE(a, b, c, d, e, f),
        udfs.PE_ROW_FINDINGS(a, b, c, d, e, f, g),
        udfs.PE_TOTAL(a, [[b], [c]]),
        udfs.PE_GRADE(a, b),
        udfs.PE_BUDGET_POINTS(a),
        udfs.PE_FORM_FINDINGS([[a, b, c, d]], [[a, b, c, d, e, f, g, a, b]], None),
    ):
        assert isinstance(out, (str, float))
        assert isinstance(out, str) or math.isfinite(out)
        assert not isinstance(out, str) or len(out) <= udfs.EXCEL_TEXT_LIMIT


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_works_without_xlwings_and_without_pandas():
    proc = _run(
        """
        import sys
        sys.modules["xlwings"] = None  # import xlwings -> ImportError
        import udfs
        assert "pandas" not in sys.modules, "udfs imported pandas"
        print(udfs.PE_INDICATOR_SCORE("≥500(家次)", "430(家次)", 10))
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "8.6"


def test_registers_with_xlwings_decorators():
    """With xlwings' real (Windows) decorators the argument names and docs line up."""
    proc = _run(
        """
        import sys, types
        for m in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
            sys.modules[m] = types.ModuleType(m)
        sys.modules["win32com.client"].Dispatch = None
        sys.modules["pythoncom"].CoInitialize = lambda: None
        import xlwings
        from xlwings import udfs as xu
        xlwings.func, xlwings.arg = xu.xlfunc, xu.xlarg
        import udfs
        for name in udfs.__all__:
            meta = getattr(udfs, name).__xlfunc__
            assert meta["name"] == name, meta["name"]
            assert all(not a["doc"].startswith("Positional") for a in meta["args"]), name
        meta = udfs.PE_INDICATOR_SCORE.__xlfunc__
        print([a["name"] for a in meta["args"]])
        print(udfs.PE_FORM_FINDINGS.__xlfunc__["args"][0]["options"])
        print(udfs.PE_INDICATOR_SCORE("≥500(家次)", "430(家次)", 10))
        """
    )
    if proc.returncode != 0 and "xlwings" in proc.stderr and "ModuleNotFoundError" in proc.stderr:
        pytest.skip("xlwings not installed")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == str(["target", "actual", "points", "name", "judgement", "profile"])
    assert lines[1] == str({"ndim": 2})
    assert lines[2] == "8.6"


# -- floats as Excel hands them over, fractions for percentages (issue 8 item 1) ------------------


def test_excel_sum_is_taken_at_15_digits():
    budget = 100 + 0.1 + 21.05  # =100+0.1+21.05 arrives as 121.14999999999999
    assert budget != 121.15
    # 121.15 / 121.15: 100 % and full marks (truncation of the float's tail gave 99.99 / 9.99)
    assert udfs.PE_EXEC_RATE(121.15, budget) == 100.0
    assert udfs.PE_BUDGET_SCORE(121.15, budget) == 10.0
    assert udfs.PE_EXEC_RATE(budget, 121.15) == 100.0
    budget = 754.21 + 0.1  # 754.3100000000001: spending 754.31 would truncate to 99.99 / 9.99
    assert budget != 754.31 and udfs.PE_EXEC_RATE(budget, 754.31) == 100.0
    assert udfs.PE_BUDGET_SCORE(budget, 754.31) == 10.0
    spent = 758.11 - 3.8  # a difference: 754.3100000000001
    assert spent != 754.31 and udfs.PE_EXEC_RATE(754.31, spent) == 100.0


def test_percent_typed_as_fraction():
    # 0.96 in a number cell against ≥95%: read as 96 %, met, with the finding in the row's remarks
    assert udfs.PE_INDICATOR_SCORE("≥95%", 0.96, 10) == 10.0
    assert udfs.PE_ROW_FINDINGS("≥95%", 0.96, 10) == "小数按百分数计"
    # ≤2% against 0.025 → 2.5 %: 2 / 2.5 × 10 = 8
    assert udfs.PE_INDICATOR_SCORE("≤2%", 0.025, 10) == 8.0
    # a product of typed values, as Excel computes it: 0.1 * 3 is 0.30000000000000004, shown as 0.3
    assert udfs.PE_INDICATOR_SCORE("=30%", 0.1 * 3, 10) == 10.0


def test_returns_are_finite_and_fit_a_cell():
    assert udfs.PE_TOTAL(1e308, [[1e308]]).startswith("错误")  # the sum overflows a float
    text = udfs.PE_ROW_FINDINGS("健全", "好", 10, "很长的指标" * 10000)
    assert isinstance(text, str) and len(text) == udfs.EXCEL_TEXT_LIMIT and text.endswith("…")


def test_form_findings_say_a_blank_total_is_derived():
    # issue 10 item 1 in the live sheet: 年度资金总额 left blank, sub-rows 470 / 420.35 and 50 / 48
    funds = [
        ["年度资金总额", None, None, None],
        ["其中：当年财政拨款", 470.0, 470.0, 420.35],
        ["上年结转资金", 50.0, 50.0, 48.0],
        ["其他资金", None, None, None],
    ]
    rows = [["产出指标", "数量指标", "a", "≥10", "10", 90.0, None, None, None]] + [[None] * 9] * 29
    assert udfs.PE_FORM_FINDINGS(funds, rows) == "资金总额按各项之和计算"
    blank_funds = [[label, None, None, None] for label, *_ in funds]
    assert udfs.PE_FORM_FINDINGS(blank_funds, [[None] * 9] * 30) == ""  # a blank form stays blank


def test_deadlines_and_ranges_live():
    import datetime

    # a date cell arrives as a datetime: 2023-10-15 against "9月30日前" is late, 273 / 288 × 10 = 9.479… → 9.47
    assert udfs.PE_INDICATOR_SCORE("9月30日前", datetime.datetime(2023, 10, 15), 10) == 9.47
    assert (
        udfs.PE_ROW_FINDINGS("9月30日前", datetime.datetime(2023, 10, 15), 10, "完成时间", None, "延误")
        == "逾期完成"
    )
    assert udfs.PE_INDICATOR_SCORE("9月前", "7月", 10) == 10.0
    assert udfs.PE_INDICATOR_SCORE("500-600(家)", 620.0, 10) == 9.67  # 600 / 620 × 10, truncated
    assert udfs.PE_INDICATOR_SCORE("═100%", "100%", 5) == 5.0
    assert udfs.PE_INDICATOR_SCORE("≥10", 1e30, 10) == 10.0  # a huge float is read, not an error

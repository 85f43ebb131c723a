"""Array UDFs: one call per column, each cell exactly the single-cell UDF's value, only over outputs."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

import udfs
from perfeval_xl import layout as L
from perfeval_xl import sheetformulas as F
from perfeval_xl.reader import read_forms

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
EXPECTED = list(json.loads((DATA / "seed_expected.json").read_text(encoding="utf-8")).values())[0]["forms"]
PROFILE = "上海市级（截位）"


def _f(d):
    return None if d is None else float(d)


def _col(values, height=30):
    """A column range as xlwings hands it with ndim=2: rows of one cell, blank rows as None."""
    return [[v] for v in values] + [[None]] * (height - len(values))


@pytest.fixture(scope="module")
def seed_forms():
    return read_forms(DATA / "seed_forms.txt")


def test_indicator_scores_column_gives_the_published_scores_and_blank_rows(seed_forms):
    for form, expected in zip(seed_forms, EXPECTED, strict=True):
        inds = form.indicators
        got = udfs.PE_INDICATOR_SCORES(
            _col([i.target for i in inds]),
            _col([i.actual for i in inds]),
            _col([_f(i.points) for i in inds]),
            _col([i.name for i in inds]),
            _col([None for _ in inds]),
            PROFILE,
        )
        assert len(got) == 30 and all(len(row) == 1 for row in got)
        n = len(expected["scores"])
        assert [row[0] for row in got[:n]] == [float(s) for s in expected["scores"]], form.project
        assert all(row == [""] for row in got[n:])


def test_every_cell_equals_the_single_cell_udf(seed_forms):
    form = seed_forms[1]
    inds = form.indicators
    cols = [
        [i.target for i in inds] + ["≥500(家次)", "健全"],
        [i.actual for i in inds] + ["430(家次)", "部分达成"],
        [_f(i.points) for i in inds] + [10.0, 10.0],
        [i.name for i in inds] + ["培训企业家次", "制度健全性"],
        [None for _ in inds] + [None, 7.5],
        [i.deviation_reason for i in inds] + [None, "已说明"],
    ]
    scores = udfs.PE_INDICATOR_SCORES(*(_col(c) for c in cols[:5]), PROFILE)
    remarks = udfs.PE_ROWS_FINDINGS(*(_col(c) for c in cols), PROFILE)
    for r in range(30):
        row = [c[r] if r < len(c) else None for c in cols]
        assert scores[r] == [udfs.PE_INDICATOR_SCORE(*row[:5], PROFILE)], r
        assert remarks[r] == [udfs.PE_ROW_FINDINGS(*row, PROFILE)], r
    assert remarks[len(inds)] == ["偏差原因未填写"] and scores[len(inds)] == [8.6]


def test_exec_rates_column(seed_forms):
    form = seed_forms[0]
    rows = [form.fund(label) for label in ("年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金")]
    annual = [[_f(r.annual) if r else None] for r in rows]
    executed = [[_f(r.executed) if r else None] for r in rows]
    got = udfs.PE_EXEC_RATES(annual, executed, PROFILE)
    assert got == [[udfs.PE_EXEC_RATE(a[0], e[0], PROFILE)] for a, e in zip(annual, executed, strict=True)]
    assert got[0] == [EXPECTED[0]["execution_rate"]]


def test_arguments_in_every_shape_excel_hands_over():
    one = udfs.PE_INDICATOR_SCORES("≥500(家次)", "430(家次)", 10.0, "培训企业家次")  # a one-cell range
    assert one == [[8.6]]
    flat = udfs.PE_INDICATOR_SCORES(["≥500(家次)", None], ["430(家次)", None], [10.0, None])  # a flat list
    tuples = udfs.PE_INDICATOR_SCORES(
        (("≥500(家次)",), (None,)), (("430(家次)",), (None,)), ((10.0,), (None,))
    )
    assert flat == tuples == [[8.6], [""]]
    assert udfs.PE_ROWS_FINDINGS([[None]] * 3, [[None]] * 3, [[None]] * 3) == [[""]] * 3
    # a broken cell shows its own text in its own row, the others are unaffected
    bad = udfs.PE_INDICATOR_SCORES([["≥5"], ["≥5"]], [["6"], ["6"]], [[10.0], ["十分"]])
    assert bad[0] == [10.0] and bad[1] == [udfs.PE_INDICATOR_SCORE("≥5", "6", "十分")]
    assert bad[1][0].startswith("错误")


@pytest.mark.parametrize("rows", [30, 57])
def test_array_ranges_cover_outputs_only(rows):
    """A legacy array range cannot be edited in part: it must never cover an input cell."""
    lay = L.Layout.for_count(rows)
    computed = F.computed_cells(lay)
    inputs = set(lay.input_cells())
    covered = [c for ref in F.array_formulas(lay) for c in L.cells_of(ref)]
    assert len(covered) == len(set(covered))
    assert set(covered) <= set(computed) and not set(covered) & inputs
    assert F.udf_calls(lay) == 9 <= len(computed) // 4
    assert F.array_formulas(L.Layout.for_count(rows, "lite")) == {}


def test_benchmark_reports_the_calls_and_identical_values(capsys):
    pytest.importorskip("pycel")
    spec = importlib.util.spec_from_file_location("udf_calls", ROOT / "benchmarks" / "udf_calls.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main([str(DATA / "seed_forms.txt")]) == 0
    out = capsys.readouterr().out
    assert "| 每格一个公式（原模板） | 280 | 280 | 280 |" in out
    assert "| 整列数组公式（现模板） | 280 | 36 | 36 |" in out
    assert "完全相同" in out

"""The native template in LibreOffice (headless): its formulas give the engine's numbers.

* the seed forms imported into the native template show the published numbers, and after an input
  changes (written with openpyxl, which drops every cached value) the dependent cells follow;
* a property test: ≥ 1,000 random indicator rows (operators, magnitudes, units, percentages,
  qualitative words and judgements, every built-in profile) written into native workbooks (three parts
  of the same random sheets, one LibreOffice run and one test each, so no test runs for long),
  recalculated by LibreOffice, every computed cell compared with :mod:`perfeval_xl.rules`: scores,
  rates, budget score, totals and grade equal the engine or say 核对 (never a different number); the
  composed 年度指标值/实际完成值 equal what the inputs say; the 审核提示 cells name the engine's
  findings (per row and for the form).

LibreOffice keeps the cached values of an xlsx it did not write; ``make_pictures.convert`` uses a
private profile that recalculates on load, and the tests check that it did (planted wrong values).
"""

from __future__ import annotations

import os
import random
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from libreoffice import DATA, EXPECTED, ROOT, convert, convert_many, needs_libreoffice

from perfeval_xl import labels
from perfeval_xl import layout as L
from perfeval_xl import sheetformulas as F
from perfeval_xl.cli import main
from perfeval_xl.native import compose_actual, compose_target
from perfeval_xl.profiles import PROFILES
from perfeval_xl.reader import read_forms
from perfeval_xl.remarks import SHORT_REMARKS
from perfeval_xl.rules import evaluate
from perfeval_xl.template import save_workbook
from perfeval_xl.template_sheet import build_sheet
from perfeval_xl.template_style import put_number, put_text

pytestmark = needs_libreoffice


def _values(path: Path):
    return openpyxl.load_workbook(path, data_only=True)


# ---- the seed forms ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_native(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("native_lo")
    path = work / "seed_native.xlsx"
    assert main(["import", "--native", str(DATA / "seed_forms.txt"), "-o", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def seed_and_blank(seed_native, tmp_path_factory) -> tuple[Path, Path]:
    """The imported seed and the committed blank native template as LibreOffice saves them (one run)."""
    outdir = tmp_path_factory.mktemp("native_lo_out")
    seed, blank = convert_many([seed_native, ROOT / "workbook_template_native.xlsx"], "xlsx", outdir)
    return seed, blank


def _changed(seed_native: Path, path: Path) -> Path:
    """全年执行数 and one indicator's actual changed with openpyxl (which writes no cached values)."""
    wb = openpyxl.load_workbook(seed_native)
    ws = wb["企业服务专项"]
    ws["E6"].value = Decimal("600.5")
    ws["E7"].value = Decimal("600.5")
    row = next(r for r in range(13, 43) if ws[f"L{r}"].value == 120000)
    ws[f"N{row}"].value = Decimal("100000")
    ws[f"H{row}"].value = "受疫情影响"
    wb.save(path)
    return path


def _planted(seed_native: Path, path: Path) -> Path:
    """The seed with a wrong cached value in the composed 年度指标值 D13 of the first sheet."""
    with zipfile.ZipFile(seed_native) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                assert "<v>≥120000(次)</v>" in text
                data = text.replace("<v>≥120000(次)</v>", "<v>PLANTED</v>").encode("utf-8")
            dst.writestr(info, data)
    return path


@pytest.fixture(scope="module")
def edited(seed_native, tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Edited copies of the seed, each as written and as LibreOffice saves it (one run)."""
    work = tmp_path_factory.mktemp("native_lo_edited")
    sources = {"changed": _changed(seed_native, work / "changed.xlsx")}
    sources["planted"] = _planted(seed_native, work / "planted.xlsx")
    outs = convert_many(list(sources.values()), "xlsx", work / "lo")
    return {name: (src, out) for (name, src), out in zip(sources.items(), outs, strict=True)}


def test_seed_forms_show_the_published_numbers_in_libreoffice(seed_and_blank):
    wb = _values(seed_and_blank[0])
    sheets = [ws for ws in wb.worksheets if L.layout_of_sheet(ws) is not None]
    assert len(sheets) == 4
    for ws, expected in zip(sheets, EXPECTED, strict=True):
        lay = L.layout_of_sheet(ws)
        assert ws[L.PROJECT_CELL].value == expected["project"]
        assert ws["G6"].value == expected["execution_rate"]
        assert ws["H6"].value == expected["budget_score"]
        n = len(expected["scores"])
        assert [ws[f"G{lay.indicator_row(i)}"].value for i in range(n)] == expected["scores"]
        assert ws[f"G{lay.indicator_row(n)}"].value is None  # unused rows stay blank
        assert ws[lay.total_points_cell].value == expected["total_points"]
        assert ws[lay.total_score_cell].value == expected["total_score"]
        assert ws[lay.grade_cell].value == expected["grade"]
        for row in ws.iter_rows(max_col=len(L.COLUMNS)):
            for c in row:
                assert not (isinstance(c.value, str) and (c.value.startswith(("#", "Err:")))), c.coordinate


def test_changing_an_input_recalculates_the_dependent_cells(edited):
    """全年执行数 and one indicator's actual changed with openpyxl: LibreOffice shows the engine's new
    numbers (not the old ones: openpyxl writes no cached values, and the conversion recalculates)."""
    _, out = edited["changed"]
    got = _values(out)["企业服务专项"]
    row = next(r for r in range(13, 43) if got[f"L{r}"].value == 120000)
    result = evaluate(read_forms(out)[0])  # the engine, on what LibreOffice saved
    assert (got["G6"].value, got["H6"].value) == (float(result.execution_rate), float(result.budget_score))
    assert got["G6"].value == 79.21 and got["H6"].value == 7.92  # 600.5 / 758.11, truncated
    assert got[f"E{row}"].value == "100000(次)" and got[f"G{row}"].value == 4.16  # 5 × 100000 / 120000
    lay = L.layout_of_sheet(got)
    assert got[lay.total_score_cell].value == float(result.total_score) == 97.08
    assert got[lay.grade_cell].value == result.grade == "优"
    assert not [f for f in result.findings if f.code == "stated-mismatch"]


def test_libreoffice_recalculates_instead_of_keeping_cached_values(edited):
    """import --native caches the composed texts; a wrong cache must not survive the conversion."""
    bad, out = edited["planted"]
    assert openpyxl.load_workbook(bad, data_only=True).worksheets[0]["D13"].value == "PLANTED"
    got = _values(out).worksheets[0]
    assert got["D13"].value == "≥120000(次)"


# ---- the property test ---------------------------------------------------------------------------

ROWS_PER_SHEET = 110
SHEETS = 10  # 1,100 rows
#: the sheets of each part: one workbook, one LibreOffice run and one test per part; each part has clean
#: and unclean sheets, the sheets with a blank 年度资金总额 are in the first
PARTS = (range(0, 4), range(4, 7), range(7, 10))
NAMES = (
    "培训企业家次",
    "平台访问量",
    "系统故障率",
    "投诉率",
    "运行成本",
    "服务满意度",
    "完成及时性",
    "覆盖率",
)
LEVEL2 = ("数量指标", "质量指标", "成本指标", "时效指标", "社会效益指标")
UNIT_FAMILIES = (
    ("元", "万元", "亿元"),
    ("%", "百分比", "百分数", "％"),
    ("次", "万次"),
    ("家",),
    ("人次",),
    ("天",),
    ("km",),
)
#: units a clean row never meets: a family the formulas compare case-sensitively, like the engine
ODD_UNITS = ("KM", "㎡", "m2")
QUALITATIVE_TARGETS = ("健全", "规范", "有效", "明显提升", "良好")
ODD_TARGETS = ("按时", "年底前", "500-600", "9月前", "约5成")
ACTUAL_WORDS = (
    "达成",
    "部分达成",
    "未达成",
    "达成指标",
    "达成年度指标",
    "基本完成",
    "已完成",
    "未完成",
    "较好",
    "无",
    "",
)


#: finding code -> what a native 审核提示 cell says for it (rows the formulas score)
ROW_REMARKS = {
    "missing-deviation-reason": SHORT_REMARKS["missing-deviation-reason"],
    "no-operator": "未写比较符",
    "missing-actual": "未填写实际完成值",
    "unparsed-actual": "实际完成值无法识别",
    "actual-without-figure": SHORT_REMARKS["actual-without-figure"],
    "percent-as-fraction": SHORT_REMARKS["percent-as-fraction"],
    "qualitative-band": "定性评分缺失",
}


def _decimal(rng: random.Random, magnitude: int, places: int) -> Decimal:
    return Decimal(rng.randint(0, 10 ** (magnitude + places))).scaleb(-places)


def _quantitative_row(rng: random.Random, clean: bool = False) -> dict:
    """A quantitative row; ``clean`` keeps it inside what the formulas compute (no 核对)."""
    family = rng.choice(UNIT_FAMILIES)
    t_unit = rng.choice((*family, ""))
    kind = rng.random()
    if kind < 0.45:
        t = Decimal(rng.randint(1, 10 ** rng.randint(1, 7)))
    elif kind < 0.8:
        t = _decimal(rng, rng.randint(0, 4), rng.randint(1, 3))
    elif kind < 0.9:
        t = Decimal(rng.choice((90, 95, 98, 100, 5, 2, 1)))
    elif kind < 0.95:
        t = Decimal(
            rng.choice(
                (0, "-5", "0.5") if clean else (0, "-5", "0.0001", "123456789.012", "1E+13", "0.00001")
            )
        )
    else:
        t = _decimal(rng, 2, 2)
    op = rng.choice(("≥", "≥", "≤", "=", ">", "<", "", "", ">=", "<="))
    row = {"op": op, "t": t, "t_unit": t_unit}
    r = rng.random()
    if r < 0.12:  # words for a numeric target
        row["a"] = rng.choice(ACTUAL_WORDS)
        return row
    if r < 0.2 and t_unit in ("%", "百分比", "百分数", "％"):  # 0.96 for 96 %
        row["a"] = _decimal(rng, 0, 2) or Decimal("0.5")
        return row
    factor = rng.choice((1, 1, Decimal("0.5"), Decimal("0.9"), Decimal("1.1"), 2, 0, None))
    if factor is None:
        base = _decimal(rng, rng.randint(0, 6), rng.randint(0, 3))
    else:
        base = t * Decimal(factor)
    a_unit = rng.choice(
        (t_unit, t_unit, "", *family, *(() if clean else (*rng.choice(UNIT_FAMILIES), *ODD_UNITS)))
    )
    if t_unit and a_unit and a_unit != t_unit and a_unit in family:
        scale = {"万": Decimal(10**4), "亿": Decimal(10**8)}
        f_t = scale.get(t_unit[:1], Decimal(1)) if len(t_unit) > 1 else Decimal(1)
        f_a = scale.get(a_unit[:1], Decimal(1)) if len(a_unit) > 1 else Decimal(1)
        base = base * f_t / f_a
    places = rng.choice((0, 1, 2, 3) if clean else (0, 1, 2, 3, 6))
    a = base.quantize(Decimal(1).scaleb(-places)) if abs(base) < 10**12 else base
    row.update(a=a, a_unit=a_unit)
    return row


def _qualitative_row(rng: random.Random, clean: bool = False) -> dict:
    target = rng.choice(QUALITATIVE_TARGETS if clean or rng.random() < 0.9 else ODD_TARGETS)
    actual = rng.choice((*ACTUAL_WORDS, target, Decimal(rng.randint(0, 100))))
    return {"op": "", "t": target, "t_unit": "", "a": actual, "a_unit": ""}


def _judgement(rng: random.Random, points: Decimal) -> Decimal | None:
    r = rng.random()
    if r < 0.5:
        return None
    if r < 0.95:
        return (points * Decimal(rng.randint(0, 1000)) / 1000).quantize(Decimal("0.001"))
    return points * Decimal(rng.choice(("0.8", "0.6", "1", "0")))


def _random_sheet(
    rng: random.Random, ws, lay: L.Layout, profile, clean: bool = False, total_blank: bool = False
) -> None:
    put_text(ws, L.PROJECT_CELL, f"随机项目{ws.title}")
    put_text(ws, L.PROFILE_CELL, profile.title if rng.random() < 0.8 else profile.name)
    for i in range(L.FUND_ROWS):
        r = L.fund_row(i)
        if i == 0 and total_blank:
            continue
        if rng.random() < 0.15 and i > 0:
            continue
        annual = _decimal(rng, rng.randint(1, 5), 2)
        executed = (
            annual * Decimal(rng.choice(("1", "0.9949", "0.5", "1.2", "0"))) if rng.random() < 0.5 else None
        )
        executed = executed.quantize(Decimal("0.01")) if executed is not None else _decimal(rng, 3, 2)
        put_number(ws, f"{L.FUND_ANNUAL_COL}{r}", annual)
        put_number(ws, f"{L.FUND_EXECUTED_COL}{r}", executed)
    for i in range(lay.indicator_rows):
        r = lay.indicator_row(i)
        if i == 0 or rng.random() < 0.1:
            put_text(ws, f"{L.LEVEL1_COL}{r}", rng.choice(labels.LEVEL1_CHOICES))
        if i == 0 or rng.random() < 0.2:
            put_text(ws, f"{L.LEVEL2_COL}{r}", rng.choice(LEVEL2))
        put_text(ws, f"{L.NAME_COL}{r}", rng.choice(NAMES) + str(i))
        row = _quantitative_row(rng, clean) if rng.random() < 0.75 else _qualitative_row(rng, clean)
        points = Decimal(rng.choice(("5", "10", "2.5", "3.33", "7", "0", "12.345", "20")))
        put_number(ws, f"{L.POINTS_COL}{r}", points if rng.random() > 0.01 else None)
        if not isinstance(row["t"], Decimal) and rng.random() < 0.9 or rng.random() < 0.1:
            put_number(ws, f"{L.JUDGEMENT_COL}{r}", _judgement(rng, points))
        if rng.random() < 0.5:
            put_text(ws, f"{L.DEVIATION_COL}{r}", "原因")
        put_text(ws, f"{L.OP_COL}{r}", row["op"])
        for col, key in ((L.TARGET_NUMBER_COL, "t"), (L.ACTUAL_NUMBER_COL, "a")):
            value = row.get(key)
            if isinstance(value, Decimal):
                put_number(ws, f"{col}{r}", value)
            else:
                put_text(ws, f"{col}{r}", value)
        put_text(ws, f"{L.TARGET_UNIT_COL}{r}", row["t_unit"])
        put_text(ws, f"{L.ACTUAL_UNIT_COL}{r}", row.get("a_unit"))


def _inputs(ws, r: int) -> tuple[str, str]:
    """What the composing formulas should show, from the row's inputs (as openpyxl reads them)."""

    def dec(v):
        return Decimal(repr(v)) if isinstance(v, float) else (Decimal(v) if isinstance(v, int) else v)

    op, t, tu = ws[f"K{r}"].value, dec(ws[f"L{r}"].value), ws[f"M{r}"].value
    a, au = dec(ws[f"N{r}"].value), ws[f"O{r}"].value
    return compose_target(op, t, tu), compose_actual(a, au)


def _property_workbook(seed: int, sheets: range, path: Path) -> Path:
    """The random sheets ``sheets`` of the run with ``seed``: the random numbers are drawn for every
    sheet in order, so each sheet holds the same rows whichever part it is built in."""
    rng = random.Random(seed)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    scratch = openpyxl.Workbook().active  # rows drawn for the other parts' sheets land here, unbuilt
    assert scratch is not None
    profiles = list(PROFILES.values())
    lay = L.Layout(ROWS_PER_SHEET, "native")
    for k in range(SHEETS):
        if k in sheets:
            ws = wb.create_sheet(f"随机{k + 1}")
            build_sheet(ws, lay)
        else:
            ws = scratch
        # every other sheet stays inside the formulas' domain, so its totals and grade are compared too
        # and two sheets leave 年度资金总额 blank (the engine sums the sub-rows)
        _random_sheet(rng, ws, lay, profiles[k % len(profiles)], clean=k % 2 == 1, total_blank=k in (2, 3))
    return save_workbook(wb, path)


@pytest.fixture(scope="module", params=PARTS, ids=lambda sheets: f"sheets{sheets[0] + 1}-{sheets[-1] + 1}")
def property_run(request, tmp_path_factory):
    seed = int(os.environ.get("PERFEVAL_NATIVE_SEED", "20231"))
    work = tmp_path_factory.mktemp("native_property")
    source = _property_workbook(seed, request.param, work / "random_native.xlsx")
    converted = convert(source, "xlsx", work / "lo", timeout=600)
    return seed, source, converted, len(request.param) * ROWS_PER_SHEET


def test_native_formulas_equal_the_engine_on_random_rows(property_run):
    """Part of the random sheets per run: every computed cell equals the engine or says 核对."""
    seed, source, converted, n_rows = property_run
    inputs = openpyxl.load_workbook(source)
    shown = _values(converted)
    forms = {f.sheet: f for f in read_forms(converted)}  # the engine reads what LibreOffice saved
    compared = checked = totals = 0
    problems: list[str] = []
    reasons: dict[str, int] = {}
    for ws in shown.worksheets:
        lay = L.layout_of_sheet(ws)
        src = inputs[ws.title]
        result = evaluate(forms[ws.title])
        where = f"seed {seed} {ws.title}"
        rows = [lay.indicator_row(i) for i in range(lay.indicator_rows)]
        assert len(result.indicators) == len(rows), where
        any_check = False
        for r, ir in zip(rows, result.indicators, strict=True):
            target, actual = _inputs(src, r)
            if (ws[f"D{r}"].value or "", ws[f"E{r}"].value or "") != (target, actual):
                problems.append(
                    f"{where} D{r}/E{r}: {ws[f'D{r}'].value!r} {ws[f'E{r}'].value!r} ≠ {target!r} {actual!r}"
                )
            got = ws[f"G{r}"].value
            if got == labels.CHECK:
                checked += 1
                any_check = True
                reason = ws[f"S{r}"].value
                reasons[reason] = reasons.get(reason, 0) + 1
                assert "请用 perfeval-xl 核对" in (ws[f"J{r}"].value or ""), (where, r)
                continue
            if got in (None, ""):
                if ir.kind != "unscored":
                    problems.append(f"{where} G{r}: blank, engine {ir.score}")
                continue
            remarks = ws[f"J{r}"].value or ""
            codes = {f.code for f in ir.findings}
            codes |= {f.code for f in result.findings if f.where == ir.indicator.name}
            for code, text in ROW_REMARKS.items():
                if (code in codes) != (text in remarks):
                    problems.append(f"{where} J{r}: {remarks!r}, engine {sorted(codes)}")
            compared += 1
            if not isinstance(got, (int, float)) or Decimal(repr(float(got))) != ir.score:
                problems.append(
                    f"{where} G{r}: native {got!r}, engine {ir.score} "
                    f"(K..O {[src[f'{c}{r}'].value for c in 'KLMNO']}, F {src[f'F{r}'].value}, "
                    f"I {src[f'I{r}'].value}, S {ws[f'S{r}'].value}, U {ws[f'U{r}'].value})"
                )
        for fr in result.funds:
            row = next(
                L.fund_row(i) for i in range(L.FUND_ROWS) if ws[f"B{L.fund_row(i)}"].value == fr.row.label
            )
            got = ws[f"G{row}"].value
            if got not in (None, "") and Decimal(repr(float(got))) != fr.execution_rate:
                problems.append(f"{where} G{row}: native {got}, engine {fr.execution_rate}")
        stated_budget = result.form.total_fund is not None and (
            result.form.total_fund.annual is not None or result.form.total_fund.executed is not None
        )
        if ws["H6"].value in (None, "") and stated_budget:
            problems.append(f"{where} H6: blank, engine {result.budget_score}")
        elif ws["H6"].value not in (None, "") and Decimal(repr(float(ws["H6"].value))) != result.budget_score:
            problems.append(f"{where} H6: native {ws['H6'].value}, engine {result.budget_score}")
        total, grade = ws[lay.total_score_cell].value, ws[lay.grade_cell].value
        if not any_check:
            totals += 1
        if any_check:
            if (total, grade) != (labels.CHECK, labels.CHECK):
                problems.append(f"{where}: a 核对 row, but total {total} grade {grade}")
        elif Decimal(repr(float(total))) != result.total_score or grade != result.grade:
            problems.append(f"{where}: total {total} {grade}, engine {result.total_score} {result.grade}")
        form_remarks = ws[lay.form_remarks_cell].value or ""
        form_codes = {f.code for f in result.findings}
        for code in ("funds-sum", "funds-total-derived", "points-not-100", "over-execution"):
            if (code in form_codes) != (SHORT_REMARKS[code] in form_remarks):
                problems.append(
                    f"{where} {lay.form_remarks_cell}: {form_remarks!r}, engine {sorted(form_codes)}"
                )
        if ("weights" in form_codes) != ("分值合计不是" in form_remarks):
            problems.append(f"{where} weights: {form_remarks!r}, engine {sorted(form_codes)}")
        points = ws[lay.total_points_cell].value
        if points != labels.CHECK and Decimal(repr(float(points))) != result.total_points:
            problems.append(f"{where}: 分值合计 {points}, engine {result.total_points}")
    summary = (
        f"seed {seed}: {compared} rows compared, {checked} marked 核对 {sorted(reasons.items())}, "
        f"{totals} sheets' totals compared"
    )
    print(summary)
    assert not problems, summary + "\n" + "\n".join(problems[:40])
    # per part, as for all 1,100 rows at once (>= 1,000 compared or 核对, >= 800 compared)
    assert compared + checked >= n_rows * 10 // 11
    assert compared >= n_rows * 8 // 11, summary  # most rows are in the native formulas' domain
    assert checked > 0  # the generator reaches what the formulas leave to perfeval-xl
    assert any(ws[L.FUND_RATE_COL + "6"].value for ws in shown.worksheets)
    assert totals >= 1, summary  # the clean sheets' totals and grades were compared


def test_printed_native_form_has_numbers_and_no_name_errors(seed_native, tmp_path):
    """The guide's pictures: LibreOffice prints the native form computed, one A4 page wide."""
    import subprocess

    pdf = convert(seed_native, "pdf", tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    first = text.stdout.split("\f")[0]
    assert "#NAME" not in text.stdout and "Err:" not in text.stdout and "#VALUE" not in text.stdout
    for shown in ("99.49", "9.94", "≥120000(次)", "120722(次)", "99.94", "优"):
        assert shown in text.stdout, shown
    assert (
        "企业服务专项" in first and "实际单位" not in text.stdout
    )  # the inputs right of the form are not printed


def test_blank_native_template_computes_nothing_but_the_budget_points(seed_and_blank):
    ws = _values(seed_and_blank[1]).worksheets[0]
    lay = L.layout_of_sheet(ws)
    assert ws[L.BUDGET_POINTS_CELL].value == 10
    computed = set(F.computed_cells(lay)) - {
        L.BUDGET_POINTS_CELL,
        lay.total_points_cell,
        L.PROFILE_INDEX_CELL,
    }
    shown = {ref: ws[ref].value for ref in computed if ws[ref].value not in (None, "")}
    assert shown == {}  # no score, no 核对, no 审核提示 on an empty form

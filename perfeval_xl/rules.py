"""The scoring rules: the only place a number is computed. Standard library only.

Arithmetic is exact: inputs are ``Decimal`` as written, every score is one multiplication and one
division (so 10 ÷ 30 × 30 is exactly 10, never 9.99), and rounding happens once, at two decimals, where
the rule rounds, the way the profile says (truncate for ``shanghai-municipal``, half up for
``mof-2020``). The division is carried to 80 digits rounding toward zero, which provably gives the same
two-decimal result as the exact quotient under both rounding modes (a Fraction fallback covers inputs
too long for that).

>>> execution_rate(Decimal("758.11"), Decimal("754.31"))
Decimal('99.49')
>>> budget_score(Decimal("758.11"), Decimal("754.31"))
Decimal('9.94')
>>> grade(Decimal("89.99"))
'良'
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)
from fractions import Fraction

from . import checks, grouppoints, labels
from .model import Finding, Form, FundResult, Indicator, IndicatorResult, Result
from .profiles import DEFAULT, PROFILES, TRANSFER, Profile, get_profile, is_auto
from .values import (
    LATE_WORDS,
    PERCENT_UNITS,
    TIMELY_WORDS,
    Value,
    When,
    attainment,
    convert,
    day_number,
    is_lower_better,
    month_number,
    normalize,
    parse_value,
    parse_when,
    says_none,
    to_decimal,
)

Number = Decimal | int | float | str | None

_ZERO = Decimal("0.00")
_HUNDRED = Decimal(100)
_ONE = Decimal(1)


def _fmt(x: Decimal) -> str:
    """Two-decimal text of a number, for messages."""
    return f"{x:.2f}"


_DECIMAL_ROUNDING = {"truncate": ROUND_DOWN, "half-up": ROUND_HALF_UP}
#: profile decimals -> the exponent a rounded number gets, and its zero
_EXPONENT = {0: Decimal(1), 1: Decimal("0.1"), 2: Decimal("0.01")}
_ZEROS = {0: Decimal(0), 1: Decimal("0.0"), 2: Decimal("0.00")}
_QUANTIZE = Context(prec=1000, traps=[InvalidOperation])
#: profile rounding -> ``quantize(x, exp)`` of a context that rounds that way (no keyword arguments per call)
_ROUND_TO = {
    name: Context(prec=1000, rounding=mode, traps=[InvalidOperation]).quantize
    for name, mode in _DECIMAL_ROUNDING.items()
}
# Products must be exact; quotients are cut toward zero at 80 digits (see the module docstring).
_MUL = Context(prec=80, traps=[InvalidOperation, Inexact, Overflow])
_DIV = Context(prec=80, rounding=ROUND_DOWN, traps=[InvalidOperation, Overflow, DivisionByZero])


def round2(x: Decimal | Fraction | int, profile: Profile | str | None = None) -> Decimal:
    """Round the way ``profile`` does: truncate toward zero or half away from zero, to the profile's
    decimals (two unless the profile says 0 or 1)."""
    prof = get_profile(profile)
    rounding = prof.rounding
    if not isinstance(x, Decimal):
        scale = 10**prof.decimals
        q = Fraction(x) * scale
        units = abs(q) + Fraction(1, 2) if rounding == "half-up" else abs(q)
        x = _QUANTIZE.divide(Decimal(int(units) * (-1 if q < 0 else 1)), scale)  # int() truncates toward 0
    return _ROUND_TO[rounding](x, _EXPONENT[prof.decimals])


def _round(x: Decimal, prof: Profile) -> Decimal:
    """:func:`round2` of a Decimal under a resolved profile (the scoring loop's hot path)."""
    return _ROUND_TO[prof.rounding](x, _EXPONENT[prof.decimals])


def scaled_ratio(scale: Decimal, num: Decimal, den: Decimal, prof: Profile, cap: bool = True) -> Decimal:
    """``scale × num ÷ den`` at two decimals, exactly; within [0, ``scale``] when ``cap``.

    The one formula behind every partial score: 执行率 (scale 100), 预算执行得分 (scale 分数) and a
    quantitative indicator's 分值 × 实际 ÷ 目标.
    """
    if den <= 0 or num <= 0:
        return _ZEROS[prof.decimals]
    if cap and num >= den:
        return _round(scale, prof)
    try:
        value = _DIV.divide(_MUL.multiply(scale, num), den)
    except (Inexact, Overflow):  # absurdly long numbers: exact rational arithmetic instead
        return round2(Fraction(scale) * Fraction(num) / Fraction(den), prof)
    return _round(value, prof)


def execution_rate(annual: Number, executed: Number, profile: Profile | str | None = None) -> Decimal:
    """执行率 in percent: 全年执行数 ÷ 全年预算数 × 100 at two decimals; 0.00 when nothing was budgeted."""
    prof = get_profile(profile)
    budget, spent = to_decimal(annual), to_decimal(executed)
    if budget is None or spent is None:
        return round2(Decimal(0), prof)
    return scaled_ratio(_HUNDRED, spent, budget, prof, cap=False)


def budget_score(
    annual: Number, executed: Number, points: Number = None, profile: Profile | str | None = None
) -> Decimal:
    """预算执行得分: 执行率 ÷ 100 × 分数 at two decimals, never above 分数 nor below 0.

    ``points`` defaults to the profile's budget points (10). Computed from the exact rate, not the
    rounded one.
    """
    prof = get_profile(profile)
    full = to_decimal(points)
    if full is None:
        full = prof.budget_points
    budget, spent = to_decimal(annual), to_decimal(executed)
    if budget is None or spent is None or full <= 0:
        return round2(Decimal(0), prof)
    return scaled_ratio(full, spent, budget, prof)


def grade(total: Number, profile: Profile | str | None = None) -> str:
    """评分等级 of a 总分: ≥90 优, ≥80 良, ≥60 中, else 差 (bands from the profile, lower bounds inclusive)."""
    prof = get_profile(profile)
    value = to_decimal(total)
    if value is None:
        return ""
    for lower, name in prof.grade_bands:
        if value >= lower:
            return name
    return prof.grade_bands[-1][1]


def _name(ind: Indicator) -> str:
    return ind.name or "（未命名指标）"


def _as_percent(target: Value, actual: Value) -> bool:
    """Is a bare number answering a percent target a fraction of 100 (0.96 for 96 %)?

    Only when the actual has no unit at all, the target's unit is a percentage (%, 百分比, 百分数,
    百分率 — not 百分点), the actual is in (0, 1] and the target (its lower bound for a range) is above
    1: a clerk typed 96 % into a number cell, or wrote the ratio. ``≤0.5%`` against 0.3 stays 0.3 %.
    """
    a, t = actual.number, target.number
    return (
        actual.unit is None
        and a is not None
        and t is not None
        and target.unit in PERCENT_UNITS
        and target.unit != "百分点"
        and 0 < a <= 1
        and t > 1
    )


def _none_meets(target: Value, op: str | None) -> bool:
    """Whether a count of 0 meets the target: an upper bound (<5, ≤1) or exactly 0."""
    t = target.number
    if t is None or target.is_range:
        return False
    return (op == "<" and t > 0) or (op == "<=" and t >= 0) or (op == "=" and t == 0)


def _quantitative(ind: Indicator, prof: Profile, points: Decimal, target: Value) -> IndicatorResult:
    name = _name(ind)
    actual = parse_value(ind.actual)
    findings: list[Finding] = []
    op = target.op
    if op is None and not target.is_range:
        op = "<=" if is_lower_better(ind.name, ind.level2) else ">="
        reading = "越低越好，按“≤”理解" if op == "<=" else "按“≥”理解"
        findings.append(
            checks.finding("no-operator", name, f"“{name}”的年度指标值“{target.text}”未写比较符号，{reading}")
        )
    direction = "range" if target.is_range else op

    def done(num: Decimal = _ONE, den: Decimal = _ONE) -> IndicatorResult:
        """Score = 分值 × num ÷ den within [0, 分值] (full points by default)."""
        value = scaled_ratio(points, num, den, prof)
        return IndicatorResult(ind, value, "quantitative", direction, findings)

    if actual.number is None:
        verdict = attainment(ind.actual)
        if verdict == "met":
            findings.append(
                checks.finding(
                    "actual-without-figure",
                    name,
                    f"“{name}”的实际完成值“{actual.text}”未给出数值，按达成计分",
                )
            )
            return done()
        if verdict in ("partial", "unmet"):
            return _qualitative(ind, prof, points, verdict, findings, direction)
        if _none_meets(target, op) and says_none(actual.text):  # 无上访 against 小于5次: a count of 0
            findings.append(
                checks.finding(
                    "actual-without-figure",
                    name,
                    f"“{name}”的实际完成值“{actual.text}”表示没有发生，按 0 与“{target.text}”比较，达成",
                )
            )
            return done()
        if actual.is_blank:
            findings.append(checks.finding("missing-actual", name, f"“{name}”未填写实际完成值，得分按 0 计"))
        else:
            findings.append(
                checks.finding(
                    "unparsed-actual",
                    name,
                    f"“{name}”的实际完成值“{actual.text}”无法与年度指标值“{target.text}”比较，得分按 0 计",
                )
            )
        return done(_ZERO)

    assert target.number is not None
    t = target.number
    if _as_percent(target, actual):
        a = actual.number * _HUNDRED
        findings.append(
            checks.finding(
                "percent-as-fraction",
                name,
                f"“{name}”的实际完成值“{actual.text}”未写单位，年度指标值为百分数，按 {a.normalize():f}% 计分",
            )
        )
    else:
        converted = convert(actual.number, actual.unit, target.unit)
        if converted is None:
            findings.append(
                checks.finding(
                    "unit-mismatch",
                    name,
                    f"“{name}”的年度指标值单位“{target.unit}”与实际完成值单位“{actual.unit}”无法换算，按数字直接比较",
                )
            )
            converted = actual.number
        a = converted

    # Comparisons are exact on Decimals; a partial score is 分值 × num ÷ den in one division.
    if target.high is not None:  # a range: met inside it, else the ratio to the nearer bound
        hi = target.high
        if t <= a <= hi:
            return done()
        if a < t:
            return done(a, t)  # 实际 ÷ 下限
        if prof.negative == "linear":
            return done(2 * hi - a, hi)
        return done(hi, a)  # 上限 ÷ 实际
    if op in (">=", ">"):
        if a >= t if op == ">=" else a > t:
            return done()
        return done(a, t)  # 实际 ÷ 目标
    if op in ("<=", "<"):
        if a <= t if op == "<=" else a < t:
            return done()
        if t <= 0:
            return done(_ZERO)
        if prof.negative == "linear":
            return done(2 * t - a, t)  # 1 − (实际 − 目标) ÷ 目标, 0 from twice the target
        return done(t, a)  # 目标 ÷ 实际
    # "="
    if a == t:
        return done()
    return done(a, t) if a < t else done(t, a)  # min(实际/目标, 目标/实际)


#: words in an indicator's name that make a bare month target (``9月``) a deadline
_TIMELINESS_NAMES = ("时间", "时限", "期限", "日期", "时效", "及时", "进度", "完成时")


def _bare_month_deadline(ind: Indicator, target: Value) -> When | None:
    """``9月`` / ``9月份`` under a 时效指标 (or an indicator named …时间, …时限): a deadline too."""
    if target.op not in (None, "<=", "<") or target.unit not in ("月", "月份") or target.is_range:
        return None
    timely = "时效" in ind.level2 or any(w in ind.name for w in _TIMELINESS_NAMES)
    return parse_when(ind.target) if timely else None


def _deadline(
    ind: Indicator, prof: Profile, points: Decimal, when: When, year: int | None
) -> IndicatorResult:
    """A deadline target (``9月前``, ``12月31日前``, ``按时``): a ≤ target on the date.

    On time → full points. Late → 分值 × 目标 ÷ 实际 on the calendar, counted in months from January
    of the target's year when either side has month precision (``9月前`` against ``10月``: 9 ÷ 10),
    in days of the year when both name a day; a ``deadline-late`` finding says so. An actual in words:
    按时/及时/提前 → met; 延期/逾期/滞后/未按时 → late (未达成 band); 已完成/达成 → met, but without
    a date (``actual-without-figure``); 部分达成/未达成 → their bands.
    """
    name = _name(ind)
    findings: list[Finding] = []

    def done(num: Decimal = _ONE, den: Decimal = _ONE) -> IndicatorResult:
        return IndicatorResult(ind, scaled_ratio(points, num, den, prof), "quantitative", "<=", findings)

    s = normalize(ind.actual)
    if not s:
        findings.append(checks.finding("missing-actual", name, f"“{name}”未填写实际完成值，得分按 0 计"))
        return done(_ZERO)
    late_words = [w for w in LATE_WORDS if w in s]
    if late_words:
        findings.append(
            checks.finding(
                "deadline-late",
                name,
                f"“{name}”要求“{ind.target}”完成，实际完成值“{ind.actual}”表明未按时完成，按未达成区间计分",
            )
        )
        return _qualitative(ind, prof, points, "unmet", findings, "<=")
    got = parse_when(ind.actual) if when.month is not None else None
    if got is not None:
        # a date without a year is in the target's year, else the form's year, else the actual's
        base = next((y for y in (when.year, year, got.year) if y is not None), None)
        if when.day is None or got.day is None:
            t, a = month_number(when, base), month_number(got, base)
        else:
            t, a = day_number(when, base), day_number(got, base)
        if a <= t:
            return done()
        unit = "日" if when.day is not None and got.day is not None else "月"
        findings.append(
            checks.finding(
                "deadline-late",
                name,
                f"“{name}”要求“{ind.target}”完成，实际为“{ind.actual}”，逾期，按 {t} ÷ {a}（按{unit}计）计分",
            )
        )
        return done(Decimal(t), Decimal(a)) if t > 0 else done(_ZERO)
    timely = any(w in s for w in TIMELY_WORDS) or s == normalize(ind.target)
    verdict = "met" if timely else attainment(ind.actual)
    if when.month is None:  # 按时/及时: a qualitative target, judged in the bands (and the form's score)
        return _qualitative(ind, prof, points, verdict, findings, "<=")
    if verdict == "met":
        if not timely:
            findings.append(
                checks.finding(
                    "actual-without-figure",
                    name,
                    f"“{name}”的实际完成值“{ind.actual}”未写完成时间，按按时完成计分",
                )
            )
        return done()
    if verdict is not None:
        return _qualitative(ind, prof, points, verdict, findings, "<=")
    findings.append(
        checks.finding(
            "unparsed-actual",
            name,
            f"“{name}”的实际完成值“{ind.actual}”不是日期，无法与“{ind.target}”比较，得分按 0 计",
        )
    )
    return done(_ZERO)


def _qualitative(
    ind: Indicator,
    prof: Profile,
    full: Decimal,
    verdict: str | None,
    findings: list[Finding],
    op: str | None = None,
) -> IndicatorResult:
    name = _name(ind)
    met_lo = full * prof.qualitative_met
    partial_lo = full * prof.qualitative_partial
    bands = {
        "met": (met_lo, full, True, "达成"),
        "partial": (partial_lo, met_lo, False, "部分达成"),
        "unmet": (_ZERO, partial_lo, False, "未达成"),
    }
    judgement = ind.judgement

    def done(score: Decimal) -> IndicatorResult:
        value = _round(max(_ZERO, min(full, score)), prof)
        return IndicatorResult(ind, value, "qualitative", op, findings)

    if verdict is None:
        if judgement is not None and 0 <= judgement <= full:
            findings.append(
                checks.finding(
                    "qualitative-band",
                    name,
                    f"“{name}”的实际完成值“{ind.actual}”无法判断是否达成，采用所填评分 {_fmt(judgement)}",
                    severity="info",
                )
            )
            return done(judgement)
        findings.append(
            checks.finding(
                "qualitative-band",
                name,
                f"“{name}”的实际完成值“{ind.actual}”无法判断是否达成（请写达成、部分达成或未达成，或填写评分），得分按 0 计",
            )
        )
        return done(_ZERO)

    low, high, closed, word = bands[verdict]
    span = f"[{_fmt(low)}, {_fmt(high)}{']' if closed else ')'}"
    if judgement is None:
        if verdict == "met":
            return done(full)
        findings.append(
            checks.finding(
                "qualitative-band",
                name,
                f"“{name}”为{word}，未填写评分，按区间 {span} 下限 {_fmt(low)} 计分",
            )
        )
        return done(low)
    inside = low <= judgement <= high if closed else low <= judgement < high
    if not inside:
        findings.append(
            checks.finding(
                "qualitative-band",
                name,
                f"“{name}”为{word}，所填评分 {_fmt(judgement)} 不在区间 {span} 内，按下限 {_fmt(low)} 计分",
            )
        )
        return done(low)
    return done(judgement)


def score_indicator(
    ind: Indicator, profile: Profile | str | None = None, year: int | None = None
) -> IndicatorResult:
    """Score one indicator row: quantitative when its target has a number, qualitative otherwise.

    ``year``: the form's year, for deadlines that name none (``12月31日前`` against ``2024年1月15日`` on a
    2023 form is late).

    The result carries the row's own findings (no-operator, unit-mismatch, qualitative-band …).
    """
    prof = get_profile(profile)
    name = ind.name or "（未命名指标）"
    if ind.points is None:
        finding = checks.finding("missing-points", name, f"“{name}”未填写分值，不计分")
        return IndicatorResult(ind, round2(0, prof), "unscored", None, [finding])
    if ind.points < 0:
        finding = checks.finding("missing-points", name, f"“{name}”的分值 {_fmt(ind.points)} 为负数，不计分")
        return IndicatorResult(ind, round2(0, prof), "unscored", None, [finding])
    target = parse_value(ind.target)
    when = target.when or _bare_month_deadline(ind, target)
    if when is not None:
        return _deadline(ind, prof, ind.points, when, year)
    if target.is_numeric:
        return _quantitative(ind, prof, ind.points, target)
    full = ind.points
    if normalize(ind.actual) and normalize(ind.actual) == normalize(ind.target):
        verdict: str | None = "met"
    else:
        verdict = attainment(ind.actual)
    return _qualitative(ind, prof, full, verdict, [])


def resolve_profile(form: Form, profile: Profile | str | None = None) -> tuple[Profile, list[Finding]]:
    """The profile a form is scored under: the argument, else the one the workbook names, else default.

    (``"auto"`` is resolved by :func:`evaluate` through :func:`infer_profile`.)"""
    if profile is not None and profile != "":
        return get_profile(profile), []
    if form.profile:
        try:
            return get_profile(form.profile), []
        except ValueError as exc:
            note = checks.finding("unknown-profile", "评分规则", f"{exc}；按默认规则 {DEFAULT} 计分")
            return get_profile(None), [note]
    return get_profile(None), []


def _with_total_derived(form: Form) -> tuple[Form, list[Finding]]:
    """A form whose 年度资金总额 row has no figures at all while its sub-rows have some: a copy whose
    total row holds the sub-rows' sums, and a ``funds-total-derived`` finding. (A total typed as 0 is a
    figure: it stays, and ``funds-sum`` reports the difference.)"""
    total = form.fund(labels.FUND_TOTAL)
    if total is None or any(v is not None for v in (total.initial, total.annual, total.executed)):
        return form, []
    parts = [row for row in form.funds if row is not total]
    sums: dict[str, Decimal | None] = {}
    for attr in ("initial", "annual", "executed"):
        values = [v for row in parts if (v := getattr(row, attr)) is not None]
        sums[attr] = sum(values, Decimal(0)) if values else None
    if sums["annual"] is None and sums["executed"] is None:
        return form, []
    derived = replace(total, initial=sums["initial"], annual=sums["annual"], executed=sums["executed"])
    funds = [derived if row is total else row for row in form.funds]
    shown = "、".join(
        f"{what} {sums[attr]}"
        for attr, what in (("initial", "年初预算数"), ("annual", "全年预算数"), ("executed", "全年执行数"))
        if sums[attr] is not None
    )
    note = checks.finding(
        "funds-total-derived",
        labels.FUND_TOTAL,
        f"年度资金总额未填写，按各项资金之和计算（{shown}）{checks.at(total.ref)}",
    )
    return replace(form, funds=funds), [note]


def evaluate(form: Form, profile: Profile | str | None = None) -> Result:
    """Compute every number of a form and the findings a reviewer would raise.

    ``profile``: a :class:`Profile`, a built-in name or title, a JSON file, ``None`` (the workbook's own
    评分规则, else the default) or ``"auto"`` (:func:`infer_profile`; the result says
    ``profile_inferred``).

    >>> from perfeval_xl.model import Form, FundRow, Indicator
    >>> form = Form("demo", funds=[FundRow("年度资金总额", annual=Decimal(100), executed=Decimal(57))],
    ...             indicators=[Indicator("产出指标", "数量指标", "培训人次", "≥4000(人次)", "3999(人次)",
    ...                                   Decimal(90), deviation_reason="延期")])
    >>> r = evaluate(form)
    >>> r.execution_rate, r.budget_score, r.indicators[0].score, r.total_score, r.grade
    (Decimal('57.00'), Decimal('5.70'), Decimal('89.97'), Decimal('95.67'), '优')
    """
    if is_auto(profile):
        return _infer(form)[3]
    prof, notes = resolve_profile(form, profile)
    return _evaluate(form, prof, notes)


_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")


def form_year(form: Form) -> int | None:
    """The year a form reports on (its 年度 field, else its title: ``（2022年度）``), or None."""
    for text in (form.year, form.title):
        m = _YEAR.search(normalize(text)) if text else None
        if m is not None:
            return int(m.group(1))
    return None


def _evaluate(form: Form, prof: Profile, notes: list[Finding]) -> Result:
    form, derived = _with_total_derived(form)
    funds = [FundResult(row, execution_rate(row.annual, row.executed, prof)) for row in form.funds]
    total = form.total_fund
    budget_points = prof.budget_points
    if total is not None and total.stated_points is not None:
        budget_points = total.stated_points
    if total is not None:
        rate = next(fr.execution_rate for fr in funds if fr.row is total)
        b_score = budget_score(total.annual, total.executed, budget_points, prof)
    else:
        rate = b_score = round2(0, prof)
    year = form_year(form)
    units: list[list[int]] = []
    if grouppoints.applies(form):  # points only per 一级指标 (产出指标(60分)): derive them exactly
        inds, units, group_notes = grouppoints.derive(form, lambda ind: _met(ind, prof, year))
        form = replace(form, indicators=inds)
        notes = notes + group_notes
    indicators = [score_indicator(ind, prof, year) for ind in form.indicators]
    if form.indicators and all(ind.points is None for ind in form.indicators) and not units:
        # a form without any 分值 (some transfer-payment forms): one no-points finding says it
        indicators = [
            replace(r, findings=[f for f in r.findings if f.code != "missing-points"]) for r in indicators
        ]
    for unit in units:
        if len(unit) > 1 and form.indicators[unit[0]].points is not None:
            head = indicators[unit[0]] = _shared_unit(form.indicators, unit, indicators[unit[0]], prof, year)
            if head.findings or form.indicators[unit[0]].points == 0:
                for i in unit[1:]:  # the unit's finding speaks for the rows that share its score
                    indicators[i] = replace(indicators[i], findings=[])
    ind_points = sum((i.points for i in form.indicators if i.points is not None), Decimal(0))
    ind_score = sum((r.score for r in indicators), _ZEROS[prof.decimals])
    total_score = b_score + ind_score
    result = Result(
        form=form,
        profile=prof.name,
        funds=funds,
        execution_rate=rate,
        budget_points=budget_points,
        budget_score=b_score,
        indicators=indicators,
        indicator_points=ind_points,
        indicator_score=ind_score,
        total_points=budget_points + ind_points,
        total_score=total_score,
        grade=grade(total_score, prof),
    )
    result.findings = notes + derived + checks.check(result, prof)
    return result


def _met(ind: Indicator, prof: Profile, year: int | None) -> bool:
    """Whether the indicator meets its target: given full points, it scores them all."""
    probe = replace(ind, points=_HUNDRED, judgement=None, stated_score=None)
    return score_indicator(probe, prof, year).score == _HUNDRED


def _shared_unit(
    rows: list[Indicator], unit: list[int], first: IndicatorResult, prof: Profile, year: int | None
) -> IndicatorResult:
    """The score of rows sharing one merged 得分 cell: full points when every row meets its target,
    else the stated score (the rules cannot split it), with a ``shared-score`` finding."""
    head = rows[unit[0]]
    points = head.points if head.points is not None else _ZERO
    if points == 0 or all(_met(rows[i], prof, year) for i in unit):
        return IndicatorResult(head, _round(points, prof), first.kind, first.direction, [])
    stated = head.stated_score
    score = _ZERO if stated is None else max(_ZERO, min(points, stated))
    name = _name(head)
    where = "、".join(f"“{_name(rows[i])}”" for i in unit)
    message = (
        f"{where}共用一个得分（{_fmt(stated) if stated is not None else '未填写'}），其中有未完成目标的指标，"
        f"无法逐项复核，按表上得分计{checks.at(head.ref)}"
    )
    return IndicatorResult(
        head, _round(score, prof), "qualitative", None, [checks.finding("shared-score", name, message)]
    )


def stated_matches(result: Result) -> tuple[int, int]:
    """``(matched, total)``: how many of the numbers the form states its result reproduces.

    Counted: each stated 执行率 (as a number or a percent-formatted fraction), the stated 预算执行得分,
    each indicator's stated 得分, the stated 分值合计 (or, when the form states none, that the 分值 add
    up to 100, which every form claims by its layout), the stated 总分 and the stated 评分等级.
    """
    form = result.form
    matched = total = 0
    for fr in result.funds:
        if fr.row.stated_rate is not None:
            total += 1
            matched += checks.same_rate(fr.row.stated_rate, fr.execution_rate) or checks.rate_undefined(
                fr.row
            )
    pairs: list[tuple[object, object]] = []
    row = form.total_fund
    if row is not None and row.stated_score is not None:
        pairs.append((row.stated_score, result.budget_score))
    pairs += [
        (r.indicator.stated_score, r.score) for r in result.indicators if r.indicator.stated_score is not None
    ]
    pairs.append(
        (form.stated_total_points if form.stated_total_points is not None else _HUNDRED, result.total_points)
    )
    if form.stated_total_score is not None:
        pairs.append((form.stated_total_score, result.total_score))
    if form.stated_grade and form.stated_grade.strip():
        pairs.append((form.stated_grade.strip(), result.grade))
    total += len(pairs)
    matched += sum(1 for stated, computed in pairs if stated == computed)
    return matched, total


def _infer(form: Form) -> tuple[Profile, int, int, Result]:
    """:func:`infer_profile`, with the chosen profile's result."""
    order = [PROFILES[DEFAULT]] + [p for name, p in PROFILES.items() if name != DEFAULT]
    # a transfer-payment form: no budget score unless its numbers show one
    if getattr(form, "kind", "") == "transfer":
        transfer = PROFILES[TRANSFER]
        order = [transfer] + [p for p in order if p is not transfer]
    named = PROFILES.get(form.profile or "")
    if named is not None:  # a workbook naming its rule wins ties
        order = [named] + [p for p in order if p is not named]
    best: tuple[Profile, int, int, Result] | None = None
    for prof in order:
        result = _evaluate(form, prof, [])
        matched, total = stated_matches(result)
        if best is None or matched > best[1]:
            best = (prof, matched, total, result)
    assert best is not None
    best[3].profile_inferred = True
    return best


def infer_profile(form: Form) -> tuple[Profile, int, int]:
    """The built-in profile that reproduces most of the numbers ``form`` states (see
    :func:`stated_matches`), with how many it reproduces out of how many: ``(profile, matched, total)``.

    Ties go to the profile the workbook names (its 评分规则 cell), else — for a transfer-payment form
    (``form.kind == "transfer"``) — to ``transfer-payment``, else to the default (``shanghai-municipal``),
    else to the first built-in in :data:`~perfeval_xl.profiles.PROFILES` order.
    """
    prof, matched, total, _ = _infer(form)
    return prof, matched, total

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

from . import checks
from .model import Finding, Form, FundResult, Indicator, IndicatorResult, Result
from .profiles import DEFAULT, Profile, get_profile
from .values import Value, attainment, convert, is_lower_better, normalize, parse_value, to_decimal

Number = Decimal | int | float | str | None

_ZERO = Decimal("0.00")
_HUNDRED = Decimal(100)
_ONE = Decimal(1)


def _fmt(x: Decimal) -> str:
    """Two-decimal text of a number, for messages."""
    return f"{x:.2f}"


_DECIMAL_ROUNDING = {"truncate": ROUND_DOWN, "half-up": ROUND_HALF_UP}
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
    """Round to two decimals the way ``profile`` does (truncate toward zero, or half away from zero)."""
    rounding = get_profile(profile).rounding
    if not isinstance(x, Decimal):
        q = Fraction(x) * 100
        cents = abs(q) + Fraction(1, 2) if rounding == "half-up" else abs(q)
        x = _QUANTIZE.divide(Decimal(int(cents) * (-1 if q < 0 else 1)), 100)  # int() truncates toward 0
    return _ROUND_TO[rounding](x, _ZERO)


def _round(x: Decimal, prof: Profile) -> Decimal:
    """:func:`round2` of a Decimal under a resolved profile (the scoring loop's hot path)."""
    return _ROUND_TO[prof.rounding](x, _ZERO)


def scaled_ratio(scale: Decimal, num: Decimal, den: Decimal, prof: Profile, cap: bool = True) -> Decimal:
    """``scale × num ÷ den`` at two decimals, exactly; within [0, ``scale``] when ``cap``.

    The one formula behind every partial score: 执行率 (scale 100), 预算执行得分 (scale 分数) and a
    quantitative indicator's 分值 × 实际 ÷ 目标.
    """
    if den <= 0 or num <= 0:
        return _ZERO
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


def _quantitative(ind: Indicator, prof: Profile, points: Decimal, target: Value) -> IndicatorResult:
    name = ind.name or "（未命名指标）"
    actual = parse_value(ind.actual)
    findings: list[Finding] = []
    op = target.op
    if op is None:
        op = "<=" if is_lower_better(ind.name, ind.level2) else ">="
        reading = "越低越好，按“≤”理解" if op == "<=" else "按“≥”理解"
        findings.append(
            checks.finding("no-operator", name, f"“{name}”的年度指标值“{target.text}”未写比较符号，{reading}")
        )

    def done(num: Decimal = _ONE, den: Decimal = _ONE) -> IndicatorResult:
        """Score = 分值 × num ÷ den within [0, 分值] (full points by default)."""
        value = scaled_ratio(points, num, den, prof)
        return IndicatorResult(ind, value, "quantitative", op, findings)  # type: ignore[arg-type]

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
            return _qualitative(ind, prof, points, verdict, findings, op)
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
    a = convert(actual.number, actual.unit, target.unit)
    if a is None:
        findings.append(
            checks.finding(
                "unit-mismatch",
                name,
                f"“{name}”的年度指标值单位“{target.unit}”与实际完成值单位“{actual.unit}”无法换算，按数字直接比较",
            )
        )
        a = actual.number

    # Comparisons are exact on Decimals; a partial score is 分值 × num ÷ den in one division.
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


def _qualitative(
    ind: Indicator,
    prof: Profile,
    full: Decimal,
    verdict: str | None,
    findings: list[Finding],
    op: str | None = None,
) -> IndicatorResult:
    name = ind.name or "（未命名指标）"
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
        return IndicatorResult(ind, value, "qualitative", op, findings)  # type: ignore[arg-type]

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


def score_indicator(ind: Indicator, profile: Profile | str | None = None) -> IndicatorResult:
    """Score one indicator row: quantitative when its target has a number, qualitative otherwise.

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
    if target.is_numeric:
        return _quantitative(ind, prof, ind.points, target)
    full = ind.points
    if normalize(ind.actual) and normalize(ind.actual) == normalize(ind.target):
        verdict: str | None = "met"
    else:
        verdict = attainment(ind.actual)
    return _qualitative(ind, prof, full, verdict, [])


def resolve_profile(form: Form, profile: Profile | str | None = None) -> tuple[Profile, list[Finding]]:
    """The profile a form is scored under: the argument, else the one the workbook names, else default."""
    if profile is not None and profile != "":
        return get_profile(profile), []
    if form.profile:
        try:
            return get_profile(form.profile), []
        except ValueError as exc:
            note = checks.finding("unknown-profile", "评分规则", f"{exc}；按默认规则 {DEFAULT} 计分")
            return get_profile(None), [note]
    return get_profile(None), []


def evaluate(form: Form, profile: Profile | str | None = None) -> Result:
    """Compute every number of a form and the findings a reviewer would raise.

    >>> from perfeval_xl.model import Form, FundRow, Indicator
    >>> form = Form("demo", funds=[FundRow("年度资金总额", annual=Decimal(100), executed=Decimal(57))],
    ...             indicators=[Indicator("产出指标", "数量指标", "培训人次", "≥4000(人次)", "3999(人次)",
    ...                                   Decimal(90), deviation_reason="延期")])
    >>> r = evaluate(form)
    >>> r.execution_rate, r.budget_score, r.indicators[0].score, r.total_score, r.grade
    (Decimal('57.00'), Decimal('5.70'), Decimal('89.97'), Decimal('95.67'), '优')
    """
    prof, notes = resolve_profile(form, profile)
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
    indicators = [score_indicator(ind, prof) for ind in form.indicators]
    ind_points = sum((i.points for i in form.indicators if i.points is not None), Decimal(0))
    ind_score = sum((r.score for r in indicators), _ZERO)
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
    result.findings = notes + checks.check(result, prof)
    return result

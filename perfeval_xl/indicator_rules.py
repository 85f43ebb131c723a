"""The rules of one indicator row: quantitative (a number against a target, units converted, ranges,
lower-is-better names), deadlines (dates against a date, 按时) and qualitative (达成, 部分达成, 未达成
with the profile's bands and the form's 定性评分), with the row's own findings. Standard library only.
"""

from __future__ import annotations

from decimal import Decimal

from . import checks, labels
from .arithmetic import HUNDRED, ONE, ZERO, ZEROS, fmt, rounded, scaled_ratio
from .deadlines import LATE_WORDS, TIMELY_WORDS, When, day_number, month_number, parse_when
from .figures import normalize
from .model import Finding, Indicator, IndicatorResult
from .profiles import Profile, get_profile
from .textmemo import short_texts
from .values import PERCENT_UNITS, Op, Value, convert, parse_value
from .words import attainment, is_lower_better, says_none


def indicator_name(ind: Indicator) -> str:
    """The name a finding gives an indicator: its 三级指标, else （未命名指标）."""
    return ind.name or labels.UNNAMED_INDICATOR


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
    name = indicator_name(ind)
    actual = parse_value(ind.actual)
    findings: list[Finding] = []
    op = target.op
    if op is None and target.high is None:
        op, note = _no_operator(ind.name, ind.level2, target.text)
        findings.append(note)
    direction = "range" if target.high is not None else op

    def done(num: Decimal | None = None, den: Decimal = ONE) -> IndicatorResult:
        """Score = 分值 × num ÷ den within [0, 分值] (full points without ``num``)."""
        value = rounded(points, prof) if num is None else scaled_ratio(points, num, den, prof)
        return IndicatorResult(ind, value, "quantitative", direction, findings)

    if actual.number is None:
        verdict = attainment(ind.actual)
        if verdict == "met":
            findings.append(_met_without_figure(name, actual.text))
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
        return done(ZERO)

    assert target.number is not None
    t = target.number
    if _as_percent(target, actual):
        a = actual.number * HUNDRED
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
            return done(ZERO)
        if prof.negative == "linear":
            return done(2 * t - a, t)  # 1 − (实际 − 目标) ÷ 目标, 0 from twice the target
        return done(t, a)  # 目标 ÷ 实际
    # "="
    if a == t:
        return done()
    return done(a, t) if a < t else done(t, a)  # min(实际/目标, 目标/实际)


# Findings that depend on an indicator's texts only (frozen, so shared): forms of one template repeat
# their indicators, so each is made once per distinct (short) text.


@short_texts(maxsize=1024)
def _no_operator(name: str, level2: str, text: str) -> tuple[Op, Finding]:
    """The operator a target without one is read with (≤ for a lower-is-better name), and its finding."""
    op: Op = "<=" if is_lower_better(name, level2) else ">="
    reading = "越低越好，按“≤”理解" if op == "<=" else "按“≥”理解"
    name = name or labels.UNNAMED_INDICATOR
    return op, checks.finding("no-operator", name, f"“{name}”的年度指标值“{text}”未写比较符号，{reading}")


@short_texts(maxsize=1024)
def _met_without_figure(name: str, text: str) -> Finding:
    """The finding of a 实际完成值 that says 达成 without a figure."""
    return checks.finding(
        "actual-without-figure", name, f"“{name}”的实际完成值“{text}”未给出数值，按达成计分"
    )


_MONTHS = ("月", "月份")

#: words in an indicator's name that make a bare month target (``9月``) a deadline
_TIMELINESS_NAMES = ("时间", "时限", "期限", "日期", "时效", "及时", "进度", "完成时")


def _bare_month_deadline(ind: Indicator, target: Value) -> When | None:
    """``9月`` / ``9月份`` under a 时效指标 (or an indicator named …时间, …时限): a deadline too."""
    if target.op not in (None, "<=", "<") or target.unit not in _MONTHS or target.is_range:
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
    name = indicator_name(ind)
    findings: list[Finding] = []

    def done(num: Decimal = ONE, den: Decimal = ONE) -> IndicatorResult:
        return IndicatorResult(ind, scaled_ratio(points, num, den, prof), "quantitative", "<=", findings)

    s = normalize(ind.actual)
    if not s:
        findings.append(checks.finding("missing-actual", name, f"“{name}”未填写实际完成值，得分按 0 计"))
        return done(ZERO)
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
        return done(Decimal(t), Decimal(a)) if t > 0 else done(ZERO)
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
    return done(ZERO)


def _qualitative(
    ind: Indicator,
    prof: Profile,
    full: Decimal,
    verdict: str | None,
    findings: list[Finding],
    op: str | None = None,
) -> IndicatorResult:
    name = indicator_name(ind)
    met_lo = full * prof.qualitative_met
    partial_lo = full * prof.qualitative_partial
    bands = {
        "met": (met_lo, full, True, "达成"),
        "partial": (partial_lo, met_lo, False, "部分达成"),
        "unmet": (ZERO, partial_lo, False, "未达成"),
    }
    judgement = ind.judgement

    def done(score: Decimal) -> IndicatorResult:
        value = rounded(max(ZERO, min(full, score)), prof)
        return IndicatorResult(ind, value, "qualitative", op, findings)

    if verdict is None:
        if judgement is not None and 0 <= judgement <= full:
            findings.append(
                checks.finding(
                    "qualitative-band",
                    name,
                    f"“{name}”的实际完成值“{ind.actual}”无法判断是否达成，采用所填评分 {fmt(judgement)}",
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
        return done(ZERO)

    low, high, closed, word = bands[verdict]
    if judgement is None:
        if verdict == "met":
            return done(full)
        findings.append(
            checks.finding(
                "qualitative-band",
                name,
                f"“{name}”为{word}，未填写评分，按区间 {_span(low, high, closed)} 下限 {fmt(low)} 计分",
            )
        )
        return done(low)
    inside = low <= judgement <= high if closed else low <= judgement < high
    if not inside:
        findings.append(
            checks.finding(
                "qualitative-band",
                name,
                f"“{name}”为{word}，所填评分 {fmt(judgement)} 不在区间 {_span(low, high, closed)} 内，按下限 {fmt(low)} 计分",
            )
        )
        return done(low)
    return done(judgement)


def _span(low: Decimal, high: Decimal, closed: bool) -> str:
    """A band as a message writes it: ``[80.00, 100.00]``, ``[60.00, 80.00)``."""
    return f"[{fmt(low)}, {fmt(high)}{']' if closed else ')'}"


def score_indicator(
    ind: Indicator, profile: Profile | str | None = None, year: int | None = None
) -> IndicatorResult:
    """Score one indicator row: quantitative when its target has a number, qualitative otherwise.

    ``year``: the form's year, for deadlines that name none (``12月31日前`` against ``2024年1月15日`` on a
    2023 form is late).

    The result carries the row's own findings (no-operator, unit-mismatch, qualitative-band …).
    """
    prof = get_profile(profile)
    name = indicator_name(ind)
    if ind.points is None:
        finding = checks.finding("missing-points", name, f"“{name}”未填写分值，不计分")
        return IndicatorResult(ind, ZEROS[prof.decimals], "unscored", None, [finding])
    if ind.points < 0:
        finding = checks.finding("missing-points", name, f"“{name}”的分值 {fmt(ind.points)} 为负数，不计分")
        return IndicatorResult(ind, ZEROS[prof.decimals], "unscored", None, [finding])
    target = parse_value(ind.target)
    when = target.when
    if when is None and target.unit in _MONTHS:
        when = _bare_month_deadline(ind, target)
    if when is not None:
        return _deadline(ind, prof, ind.points, when, year)
    if target.is_numeric:
        return _quantitative(ind, prof, ind.points, target)
    full = ind.points
    actual = normalize(ind.actual)
    if actual and actual == normalize(ind.target):
        verdict: str | None = "met"
    else:
        verdict = attainment(ind.actual)
    return _qualitative(ind, prof, full, verdict, [])

"""The scoring rules of a whole form: every number computed and the reviewer's findings raised
(:func:`evaluate`), 总分 and 评分等级, and the rule profile a form is scored under or inferred from the
numbers it states. Standard library only.

The rules are the only place a number is computed. Their parts: :mod:`perfeval_xl.arithmetic` (exact
arithmetic, the profile's rounding), :mod:`perfeval_xl.budget` (执行率, 预算执行得分, a derived
年度资金总额) and :mod:`perfeval_xl.indicator_rules` (one indicator row); every rule function can be
imported from here.

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
from decimal import Decimal

from . import checks, grouppoints
from .arithmetic import HUNDRED, ZERO, ZEROS, Number, fmt, round2, rounded, scaled_ratio
from .budget import budget_score, execution_rate, with_total_derived
from .figures import normalize, to_decimal
from .indicator_rules import indicator_name, score_indicator
from .model import Finding, Form, FundResult, Indicator, IndicatorResult, Result
from .profiles import DEFAULT, PROFILES, TRANSFER, Profile, get_profile, is_auto
from .textmemo import short_texts

#: the rules' API, wherever each function is defined: ``from perfeval_xl.rules import …``
__all__ = [
    "Number",
    "budget_score",
    "evaluate",
    "execution_rate",
    "form_year",
    "grade",
    "infer_profile",
    "resolve_profile",
    "round2",
    "scaled_ratio",
    "score_indicator",
    "stated_matches",
]


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
        year = _year_in(text) if text else None
        if year is not None:
            return year
    return None


@short_texts(maxsize=1024)
def _year_in(text: object) -> int | None:
    """The year a 年度 field or title names (memoised: a batch's forms repeat them)."""
    m = _YEAR.search(normalize(text))
    return int(m.group(1)) if m is not None else None


def _evaluate(form: Form, prof: Profile, notes: list[Finding]) -> Result:
    form, derived = with_total_derived(form)
    funds = [FundResult(row, execution_rate(row.annual, row.executed, prof)) for row in form.funds]
    total = form.total_fund
    budget_points = prof.budget_points
    if total is not None and total.stated_points is not None:
        budget_points = total.stated_points
    if total is not None:
        rate = next(fr.execution_rate for fr in funds if fr.row is total)
        b_score = budget_score(total.annual, total.executed, budget_points, prof)
    else:
        rate = b_score = ZEROS[prof.decimals]
    year = form_year(form)
    units: list[list[int]] = []
    if grouppoints.applies(form):  # points only per 一级指标 (产出指标(60分)): derive them exactly
        inds, units, group_notes = grouppoints.derive(form, lambda ind: _met(ind, prof, year))
        form = replace(form, indicators=inds)
        notes = notes + group_notes
    indicators = [score_indicator(ind, prof, year) for ind in form.indicators]
    if checks.states_no_points(form, budget_points):  # one no-points finding speaks for the rows
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
    ind_score = sum((r.score for r in indicators), ZEROS[prof.decimals])
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
    result.findings = [*form.notes, *notes, *derived, *checks.check(result, prof)]
    return result


def _met(ind: Indicator, prof: Profile, year: int | None) -> bool:
    """Whether the indicator meets its target: given full points, it scores them all."""
    probe = replace(ind, points=HUNDRED, judgement=None, stated_score=None)
    return score_indicator(probe, prof, year).score == HUNDRED


def _shared_unit(
    rows: list[Indicator], unit: list[int], first: IndicatorResult, prof: Profile, year: int | None
) -> IndicatorResult:
    """The score of rows sharing one merged 得分 cell: full points when every row meets its target,
    else the stated score (the rules cannot split it), with a ``shared-score`` finding."""
    head = rows[unit[0]]
    points = head.points if head.points is not None else ZERO
    if points == 0 or all(_met(rows[i], prof, year) for i in unit):
        return IndicatorResult(head, rounded(points, prof), first.kind, first.direction, [])
    stated = head.stated_score
    score = ZERO if stated is None else max(ZERO, min(points, stated))
    name = indicator_name(head)
    where = "、".join(f"“{indicator_name(rows[i])}”" for i in unit)
    message = (
        f"{where}共用一个得分（{fmt(stated) if stated is not None else '未填写'}），其中有未完成目标的指标，"
        f"无法逐项复核，按表上得分计{checks.at(head.ref)}"
    )
    return IndicatorResult(
        head, rounded(score, prof), "qualitative", None, [checks.finding("shared-score", name, message)]
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
            matched += checks.rate_agrees(fr)
    pairs: list[tuple[object, object]] = []
    row = form.total_fund
    if row is not None and row.stated_score is not None:
        pairs.append((row.stated_score, result.budget_score))
    pairs += [
        (r.indicator.stated_score, r.score) for r in result.indicators if r.indicator.stated_score is not None
    ]
    pairs.append(
        (form.stated_total_points if form.stated_total_points is not None else HUNDRED, result.total_points)
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

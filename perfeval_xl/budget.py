"""The rules of the funds block: 执行率, 预算执行得分, and a 年度资金总额 row left blank while its
sub-rows have figures (their sums, with a finding). Standard library only.

>>> execution_rate(Decimal("758.11"), Decimal("754.31")), budget_score(Decimal("758.11"), Decimal("754.31"))
(Decimal('99.49'), Decimal('9.94'))
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from . import checks, labels
from .arithmetic import HUNDRED, ZEROS, Number, scaled_ratio
from .figures import to_decimal
from .model import Finding, Form
from .profiles import Profile, get_profile


def execution_rate(annual: Number, executed: Number, profile: Profile | str | None = None) -> Decimal:
    """执行率 in percent: 全年执行数 ÷ 全年预算数 × 100 at two decimals; 0.00 when nothing was budgeted."""
    prof = get_profile(profile)
    budget, spent = to_decimal(annual), to_decimal(executed)
    if budget is None or spent is None:
        return ZEROS[prof.decimals]
    return scaled_ratio(HUNDRED, spent, budget, prof, cap=False)


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
        return ZEROS[prof.decimals]
    return scaled_ratio(full, spent, budget, prof)


def with_total_derived(form: Form) -> tuple[Form, list[Finding]]:
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

"""Results as JSON-ready dicts and as readable text tables (Chinese labels). Standard library only."""

from __future__ import annotations

import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal

from . import checks
from .checks import SEVERITY_NAMES
from .labels import KIND_NAMES
from .model import Finding, FundResult, Result
from .profiles import find_profile

_CENT = Decimal("0.01")
#: a float holds every cent exactly only below this; larger numbers are given as integers
_FLOAT_CENTS = Decimal(10) ** 13


def cents(x: Decimal) -> Decimal:
    """``x`` at two decimals, half up, whatever its magnitude (the default context stops at 28 digits)."""
    return x.quantize(_CENT, rounding=ROUND_HALF_UP, context=Context(prec=max(28, x.adjusted() + 4)))


def number(x: Decimal | None) -> int | float | None:
    """A JSON number with at most two decimals (integers stay integers; any magnitude prints: a
    number too large for a float's cents is given as the nearest integer, exactly)."""
    if x is None or not x.is_finite():
        return None
    q = cents(x)
    if q == q.to_integral_value() or abs(q) >= _FLOAT_CENTS:
        return int(q.to_integral_value(rounding=ROUND_HALF_UP))
    return float(q)


def profile_label(result: Result, inferred_mark: bool = True) -> str:
    """The rule a result was scored under, in Chinese (``上海市级（截位）``), marked ``（推断）`` when
    ``--profile auto`` chose it; a profile file keeps its name."""
    profile = find_profile(result.profile)
    label = profile.title if profile is not None else result.profile
    return label + ("（推断）" if inferred_mark and result.profile_inferred else "")


def finding_to_dict(f: Finding) -> dict:
    return {"severity": f.severity, "code": f.code, "where": f.where, "message": f.message}


def result_to_dict(result: Result) -> dict:
    """The JSON shape of ``perfeval-xl score --json`` for one form."""
    form = result.form
    return {
        "source": form.source,
        "sheet": form.sheet,
        "index": form.index,
        "project": form.project,
        "department": form.department,
        "unit": form.unit,
        "year": form.year or None,
        "kind": form.kind,  # project (项目支出), department (部门整体支出) or transfer (转移支付)
        "profile": result.profile,
        "profile_title": profile_label(result, inferred_mark=False),
        "profile_inferred": result.profile_inferred,
        "money_unit": form.money_unit,
        "funds": [
            {
                "label": fr.row.label,
                "initial": number(fr.row.initial),
                "annual": number(fr.row.annual),
                "executed": number(fr.row.executed),
                "execution_rate": number(fr.execution_rate),
                "stated_execution_rate": number(fr.row.stated_rate),
            }
            for fr in result.funds
        ],
        # the department form's 按收入性质分 / 按支出性质分 (empty for other forms)
        "budget_breakdown": [
            {
                "side": side.side,
                "stated": number(side.stated),
                "parts": [{"label": label, "amount": number(amount)} for label, amount, _ in side.parts],
            }
            for side in form.breakdowns
        ],
        "execution_rate": number(result.execution_rate),
        "budget_points": number(result.budget_points),
        "budget_score": number(result.budget_score),
        "stated_budget_score": number(form.total_fund.stated_score) if form.total_fund else None,
        "indicators": [
            {
                "level1": r.indicator.level1,
                "level2": r.indicator.level2,
                "name": r.indicator.name,
                "target": r.indicator.target,
                "actual": r.indicator.actual,
                "points": number(r.indicator.points),
                "score": number(r.score),
                "stated_score": number(r.indicator.stated_score),
                "deviation_reason": r.indicator.deviation_reason,
                "kind": r.kind,
                "direction": r.direction,
            }
            for r in result.indicators
        ],
        "indicator_points": number(result.indicator_points),
        "indicator_score": number(result.indicator_score),
        "total_points": number(result.total_points),
        "total_score": number(result.total_score),
        "stated_total_score": number(form.stated_total_score),
        "grade": result.grade,
        "stated_grade": form.stated_grade,
        "findings": [finding_to_dict(f) for f in result.findings],
    }


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(text: str, width: int) -> str:
    """``text`` in a column of ``width`` terminal columns (CJK characters count double), cut with … so
    that at least two spaces separate it from the next column."""
    text = text.replace("\n", " ")
    room = width - 2
    if _width(text) > room:
        out, used = "", 0
        for ch in text:
            if used + _width(ch) > room - 1:
                break
            out += ch
            used += _width(ch)
        text = out + "…"
    return text + " " * (width - _width(text))


def _num(x: Decimal | None, places: int = 2) -> str:
    if x is None:
        return ""
    if places == 2:
        return f"{cents(x):f}"
    return f"{x.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=Context(prec=max(28, x.adjusted() + 4))):f}"


def _disagreeing_rate(fr: FundResult) -> Decimal | None:
    """The rate the form states for a fund row when it disagrees with the computed one (as the checks see it)."""
    stated = fr.row.stated_rate
    if stated is None or checks.rate_agrees(fr):
        return None
    return stated


def _vs(computed: Decimal, stated: Decimal | None, places: int = 2) -> str:
    """A computed number (at the profile's decimals), and the form's own when it differs."""
    if stated is None:
        return _num(computed, places)
    mark = "" if stated == computed else " ≠ 表上 " + _num(stated)
    return _num(computed, places) + mark


def format_result(result: Result) -> str:
    """A readable block for one form: header, funds, indicators (computed vs stated), total, findings.

    Computed rates and scores are shown at the decimals of the profile (86 under ``whole-number``)."""
    form = result.form
    profile = find_profile(result.profile)
    places = profile.decimals if profile is not None else 2
    lines = [
        f"■ {form.project or '（未填项目名称）'}    {form.location}",
        f"  表类型：{KIND_NAMES.get(form.kind, form.kind)}    主管部门：{form.department}    "
        f"实施单位：{form.unit}    评分规则：{profile_label(result)}",
        "",
        "  "
        + _cell("资金（" + form.money_unit + "）", 22)
        + _cell("全年预算数", 14)
        + _cell("全年执行数", 14)
        + "执行率",
    ]
    for fr in result.funds:
        lines.append(
            "  "
            + _cell(fr.row.label, 22)
            + _cell(_num(fr.row.annual), 14)
            + _cell(_num(fr.row.executed), 14)
            + _vs(fr.execution_rate, _disagreeing_rate(fr), places)
        )
    total_row = form.total_fund
    stated_budget = total_row.stated_score if total_row else None
    lines += [
        f"  预算执行得分：{_vs(result.budget_score, stated_budget, places)} / {_num(result.budget_points)}",
        "",
        "  "
        + _cell("三级指标", 30)
        + _cell("年度指标值", 18)
        + _cell("实际完成值", 18)
        + _cell("分值", 8)
        + "得分",
    ]
    for r in result.indicators:
        ind = r.indicator
        lines.append(
            "  "
            + _cell(ind.name, 30)
            + _cell(ind.target, 18)
            + _cell(ind.actual, 18)
            + _cell(_num(ind.points), 8)
            + _vs(r.score, ind.stated_score, places)
        )
    grade = result.grade
    if form.stated_grade and form.stated_grade.strip() != grade:
        grade += f" ≠ 表上 {form.stated_grade.strip()}"
    lines += [
        "",
        f"  分值合计：{_vs(result.total_points, form.stated_total_points)}    "
        f"总分：{_vs(result.total_score, form.stated_total_score, places)}    评分等级：{grade}",
    ]
    if result.findings:
        lines.append(f"  问题（{len(result.findings)}）：")
        for f in result.findings:
            lines.append(f"    [{SEVERITY_NAMES.get(f.severity, f.severity)}] {f.message}（{f.code}）")
    else:
        lines.append("  问题：无")
    return "\n".join(lines)

"""The findings a reviewer raises about a scored form. Standard library only.

Each finding has a severity, a stable code (see ``CODES``) and a Chinese message that says where.
Row-level findings of the rules (no-operator, unit-mismatch, qualitative-band …) come with each
:class:`~perfeval_xl.model.IndicatorResult`; this module adds the form-level ones.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from . import labels
from .arithmetic import fmt
from .model import Breakdown, Finding, Form, FundResult, Result
from .profiles import Profile


#: code -> (severity, what it means). Stable: other tools rely on these codes.
class Code(NamedTuple):
    """What a finding code means, everything the tools show about it in one record."""

    severity: str  # error, warning or info
    meaning: str  # what it means, in Chinese (the summary's 问题类型 column)
    #: where the template's 审核提示 shows it: "row" beside its indicator, "form" once beside 评分等级,
    #: "none" never (it needs stated numbers, the header fields or the whole batch)
    scope: str
    short: str = ""  # the template's short text for it; the full message when empty


#: code -> :class:`Code`. Stable: other tools rely on these codes.
CODES: dict[str, Code] = {
    "missing-deviation-reason": Code("warning", "得分低于分值但未填写偏差原因分析", "row", "偏差原因未填写"),
    "stated-mismatch": Code("error", "表上填写的执行率、得分、总分或评分等级与计算结果不符", "none"),
    "over-execution": Code("warning", "全年执行数大于全年预算数", "form", "超预算执行"),
    "points-not-100": Code("error", "分值合计不等于 100", "form", "分值合计不为100"),
    "qualitative-band": Code("warning", "定性指标的评分缺失或不在达成情况对应的区间内", "row"),
    "funds-sum": Code("error", "年度资金总额不等于各项资金之和", "form", "资金合计不符"),
    "no-operator": Code("info", "年度指标值未写比较符号，按规则推定", "row"),
    "unit-mismatch": Code("warning", "年度指标值与实际完成值的单位无法换算", "row", "单位不一致"),
    "weights": Code("warning", "一级指标分值与评分规则的预期权重不符", "form"),
    "actual-without-figure": Code(
        "info", "定量指标的实际完成值只写了“达成”，未给出数值", "row", "未给出实际数值"
    ),
    "missing-actual": Code("warning", "未填写实际完成值", "row"),
    "unparsed-actual": Code("warning", "实际完成值无法与年度指标值比较", "row"),
    "missing-points": Code("warning", "未填写分值", "row"),
    "missing-field": Code("warning", "项目名称、主管部门或实施单位未填写", "none"),
    "unknown-profile": Code("warning", "工作簿指定的评分规则无法识别，按默认规则计分", "none"),
    "deadline-late": Code("warning", "时效指标未在年度指标值规定的时间前完成", "row", "逾期完成"),
    "percent-as-fraction": Code(
        "info", "百分数指标的实际完成值写成了小数（如 0.96），按百分数（96%）计分", "row", "小数按百分数计"
    ),
    "funds-total-derived": Code(
        "warning", "年度资金总额未填写，按各项资金之和计算", "form", "资金总额按各项之和计算"
    ),
    "amount-unit": Code(
        "warning", "资金金额与金额单位不相称（可能按元填在万元表中，或相反）", "form", "核对金额单位"
    ),
    "no-indicators": Code("error", "没有读到任何绩效指标（表单不完整）", "form", "无绩效指标"),
    "no-points": Code("warning", "表上没有任何分值，总分和评分等级不适用", "form", "表上无分值"),
    "points-derived": Code(
        "info", "分值只写在一级指标上，各指标分值按表上得分推定", "form", "分值由得分推定"
    ),
    "shared-score": Code(
        "warning", "几项指标共用一个得分，且有未完成目标的指标，无法逐项复核", "row", "共用得分"
    ),
    "score-merge-assumed": Code(
        "warning",
        "得分单元格为空，按与上一行合并的同一个得分计（文件不记录合并单元格，无法确认是否漏填）",
        "row",
        "按合并得分计",
    ),
    "budget-breakdown": Code(
        "warning", "按收入性质分或按支出性质分的金额与其各项之和或全年预算数不符", "none"
    ),
    "money-unit-assumed": Code("info", "表上没有写金额单位，按万元计", "none"),
    "rows-outside-form": Code(
        "warning", "表格上方有不属于任何一张表的内容（可能是上一张表的下半部分），未读取", "none"
    ),
    "duplicate-form": Code("warning", "同一项目的自评表在本批中出现不止一次（汇总时只计一次）", "none"),
}

SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}


def at(ref: str | None) -> str:
    """`` （第6行）`` after a message, when the place is known."""
    return f"（{ref}）" if ref else ""


def finding(code: str, where: str, message: str, severity: str | None = None) -> Finding:
    """A finding with the severity its code has in :data:`CODES` (or ``severity`` when a rule says so)."""
    return Finding(severity or CODES[code][0], code, where, message)  # type: ignore[arg-type]


def deviation_findings(result: Result) -> list[Finding]:
    out = []
    for r in result.indicators:
        ind = r.indicator
        if ind.points is not None and r.score < ind.points and not ind.deviation_reason.strip():
            name = ind.name or labels.UNNAMED_INDICATOR
            out.append(
                finding(
                    "missing-deviation-reason",
                    name,
                    f"“{name}”得分 {fmt(r.score)} 低于分值 {fmt(ind.points)}，未填写偏差原因分析{at(ind.ref)}",
                )
            )
    return out


_CENT = Decimal("0.01")


def same_rate(stated: Decimal, computed: Decimal) -> bool:
    """Does a stated 执行率 say the computed one? Either as the number (99.49) or as the fraction a
    percent-formatted cell holds (0.9949 shown as 99.49%); workbook readers do not see cell formats."""
    if stated == computed:
        return True
    return abs(stated) <= 2 and (stated * 100).quantize(_CENT, rounding=ROUND_HALF_UP) == computed


def rate_agrees(fr: FundResult) -> bool:
    """Does the rate a fund row states say the computed one (:func:`same_rate`)? Also true when nothing
    was budgeted and nothing spent (0 of 0): no rate is defined, so whatever the form states there (100%
    or 0%) is no mismatch. The row must state a rate."""
    row = fr.row
    assert row.stated_rate is not None
    return same_rate(row.stated_rate, fr.execution_rate) or (row.annual == 0 and not row.executed)


def stated_findings(result: Result) -> list[Finding]:
    """Every number or grade the form states that differs from the computed one."""
    form, out = result.form, []

    def compare(where: str, stated: Decimal | None, computed: Decimal, what: str, ref: str = "") -> None:
        if stated is not None and stated != computed:
            out.append(
                finding(
                    "stated-mismatch", where, f"{what}表上为 {fmt(stated)}，计算应为 {fmt(computed)}{at(ref)}"
                )
            )

    total_row = form.total_fund
    for fr in result.funds:
        row = fr.row
        if row.stated_rate is not None and not rate_agrees(fr):
            compare("执行率", row.stated_rate, fr.execution_rate, f"{row.label}执行率", row.ref)
    if total_row is not None:
        compare("预算执行得分", total_row.stated_score, result.budget_score, "预算执行得分", total_row.ref)
    for r in result.indicators:
        ind = r.indicator
        if ind.stated_score is not None and ind.stated_score != r.score:  # format only then
            name = ind.name or labels.UNNAMED_INDICATOR
            compare(name, ind.stated_score, r.score, f"“{name}”得分", ind.ref)
    compare(
        "分值合计",
        form.stated_total_points,
        result.total_points,
        "分值合计",
        form.refs.get("total_points", ""),
    )
    compare("总分", form.stated_total_score, result.total_score, "总分", form.refs.get("total_score", ""))
    if form.stated_grade and form.stated_grade.strip() != result.grade:
        out.append(
            finding(
                "stated-mismatch",
                "评分等级",
                f"评分等级表上为“{form.stated_grade.strip()}”，按总分 {fmt(result.total_score)} 应为“{result.grade}”"
                f"{at(form.refs.get('grade'))}",
            )
        )
    return out


#: Amounts no single form's 年度资金总额 reaches in its money unit: in 万元 more than 1,000亿元 (10,000,000
#: 万元, beyond any department's yearly budget), in 元 less than 100 元 with some money spent. Beyond them the
#: figures were most likely typed in the other unit (九亭镇 2020: 145000000.00 under 项目资金(万元)).
IMPLAUSIBLE_AMOUNT = {"万元": (None, Decimal(10_000_000)), "元": (Decimal(100), None)}


def amount_findings(result: Result) -> list[Finding]:
    """A 年度资金总额 implausible in the form's money unit: probably typed in 元 under 万元, or the reverse."""
    form = result.form
    total = form.total_fund
    low, high = IMPLAUSIBLE_AMOUNT.get(form.money_unit, (None, None))
    if total is None:
        return []
    for attr, what in (("annual", "全年预算数"), ("executed", "全年执行数")):
        value = getattr(total, attr)
        if value is None or value <= 0:
            continue
        if (high is not None and value > high) or (low is not None and value < low):
            other = "元" if form.money_unit == "万元" else "万元"
            return [
                finding(
                    "amount-unit",
                    what,
                    f"{total.label}{what} {fmt(value)} {form.money_unit}，与金额单位“{form.money_unit}”不相称："
                    f"请核对是否按{other}填写{at(total.ref)}",
                )
            ]
    return []


def funds_findings(result: Result) -> list[Finding]:
    form, out = result.form, []
    for row in form.funds:
        if row.annual is not None and row.executed is not None and row.executed > row.annual:
            out.append(
                finding(
                    "over-execution",
                    "执行率",
                    f"{row.label}全年执行数 {row.executed} 大于全年预算数 {row.annual}，预算执行得分按满分封顶{at(row.ref)}",
                )
            )
    total = form.fund(labels.FUND_TOTAL)
    parts = [row for row in form.funds if row is not total]
    if total is not None and parts:
        for attr, what in (("initial", "年初预算数"), ("annual", "全年预算数"), ("executed", "全年执行数")):
            whole = getattr(total, attr)
            if whole is None:
                continue
            values = [v for row in parts if (v := getattr(row, attr)) is not None]
            if not values:
                continue
            summed = sum(values, Decimal(0))
            if summed != whole:
                out.append(
                    finding(
                        "funds-sum",
                        labels.FUND_TOTAL,
                        f"年度资金总额{what} {whole} 不等于各项资金之和 {summed}{at(total.ref)}",
                    )
                )
    budget = total.annual if total is not None else None
    for side in form.breakdowns:
        out.extend(_breakdown_findings(side, budget))
    return out


def _breakdown_findings(side: Breakdown, budget: Decimal | None) -> list[Finding]:
    """A department form's 按收入性质分 / 按支出性质分: its parts add up to its total, which is the
    全年预算数 (the breakdown is of the year's budget)."""
    amounts = [a for _, a, _ in side.parts if a is not None]
    if not side.readable:
        message = f"{side.side}的金额不全是按表头金额单位填写的数字，未核对{at(side.ref)}"
        return [finding("budget-breakdown", side.side, message, severity="info")]
    out = []
    summed = sum(amounts, Decimal(0)) if amounts else None
    if side.stated is not None and summed is not None and summed != side.stated:
        names = "、".join(label for label, a, _ in side.parts if a is not None)
        out.append(
            finding(
                "budget-breakdown",
                side.side,
                f"{side.side}表上为 {side.stated}，其下各项（{names}）之和为 {summed}{at(side.ref)}",
            )
        )
    whole = side.stated if side.stated is not None else summed
    if whole is not None and budget is not None and whole != budget:
        what = "表上" if side.stated is not None else "各项之和"
        out.append(
            finding(
                "budget-breakdown",
                side.side,
                f"{side.side}{what}为 {whole}，不等于年度资金总额的全年预算数 {budget}{at(side.ref)}",
            )
        )
    return out


def states_no_points(form: Form, budget_points: Decimal) -> bool:
    """The form states no 分值 at all: none per indicator, none per 一级指标 or goal block, none for the
    budget (some transfer-payment forms). One ``no-points`` finding then speaks for every row, which
    the rules leave without a ``missing-points`` of its own."""
    return (
        bool(form.indicators)
        and budget_points == 0
        and not form.level1_points
        and all(ind.points is None for ind in form.indicators)
    )


def points_findings(result: Result, profile: Profile) -> list[Finding]:
    out = []
    form = result.form
    if not form.indicators:  # cut after the header, or no indicator block at all
        where = (
            f"（绩效指标表头在 {form.refs['indicators']}）"
            if "indicators" in form.refs
            else "（未找到绩效指标表头）"
        )
        out.append(finding("no-indicators", "绩效指标", f"没有读到任何绩效指标，表单不完整{where}"))
    elif states_no_points(form, result.budget_points):
        out.append(
            finding(
                "no-points",
                "分值合计",
                "表上没有任何分值（不打分的表式）：只核对资金和指标完成情况，总分和评分等级不适用",
            )
        )
    elif result.total_points != 100:
        out.append(
            finding(
                "points-not-100",
                "分值合计",
                f"分值合计为 {fmt(result.total_points)}（预算执行 {fmt(result.budget_points)} + 指标 "
                f"{fmt(result.indicator_points)}），应为 100",
            )
        )
    if profile.expected_weights:
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for ind in result.form.indicators:
            if ind.points is not None:
                sums[ind.level1.strip()] += ind.points
        for level1, expected in profile.expected_weights.items():
            got = sums.get(level1, Decimal(0))
            if got != expected:
                out.append(
                    finding(
                        "weights",
                        level1,
                        f"{level1}分值合计 {fmt(got)}，{profile.title}预期为 {fmt(expected)}",
                    )
                )
    return out


def header_findings(result: Result) -> list[Finding]:
    form, out = result.form, []
    for attr, label in (
        ("project", labels.PROJECT),
        ("department", labels.DEPARTMENT),
        ("unit", labels.UNIT),
    ):
        if not getattr(form, attr).strip():
            if attr == "project" and "start" in form.refs:  # read from its funds block on, no name label
                message = (
                    "表上没有找到名称标签（项目名称、部门名称、专项名称等），名称未读取；"
                    f"本表从资金部分读起{at(form.refs.get('start'))}"
                )
            elif form.refs and f"label.{attr}" not in form.refs and attr != "project":
                message = f"表上没有“{label}”一栏（该表式不含此项，或标签写法未能识别）"  # read, but no label
            else:
                message = f"{label}未填写{at(form.refs.get(attr))}"
            out.append(finding("missing-field", label, message))
    return out


def check(result: Result, profile: Profile) -> list[Finding]:
    """All findings of a scored form: header, funds, each indicator row, points, stated numbers."""
    findings = header_findings(result) + amount_findings(result) + funds_findings(result)
    for r in result.indicators:
        findings.extend(r.findings)
    findings += deviation_findings(result)
    findings += points_findings(result, profile)
    findings += stated_findings(result)
    return findings

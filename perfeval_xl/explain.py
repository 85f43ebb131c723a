"""``perfeval-xl score --explain``: where each field of a form was read from, in Chinese, so that IT can
see why a workbook was read as it was. Built from ``Form.refs`` (field -> cell) and ``Form.headers``
(field -> the label or column header text it was read by), as the reader fills them with
``explain=True``. Standard library only.
"""

from __future__ import annotations

from decimal import Decimal

from . import labels as L
from .model import Form

#: Header fields, in the order a form shows them.
HEADER_FIELDS = (
    ("project", "名称"),
    ("department", L.DEPARTMENT),
    ("unit", L.UNIT),
    ("year", L.YEAR),
    ("profile", L.PROFILE),
)
#: FundRow fields and the official header each stands for.
FUND_FIELDS = dict(zip(("initial", "annual", "executed", "stated_points", "stated_rate", "stated_score"),
                       L.FUNDS_HEADER, strict=True))  # fmt: skip
#: Indicator fields and the official header each stands for.
INDICATOR_FIELDS = {
    "level1": L.LEVEL1,
    "level2": L.LEVEL2,
    "name": L.LEVEL3,
    "target": L.TARGET,
    "target.op": f"{L.TARGET}（指标性质）",
    "target.number": f"{L.TARGET}（指标值）",
    "target.unit": f"{L.TARGET}（度量单位）",
    "actual": L.ACTUAL,
    "points": L.POINTS,
    "stated_score": L.SCORE,
    "deviation": L.DEVIATION,
    "judgement": L.JUDGEMENT,
}
_INDICATOR_VALUE = {
    "level1": "level1",
    "level2": "level2",
    "name": "name",
    "target": "target",
    "target.number": "target",
    "actual": "actual",
    "points": "points",
    "stated_score": "stated_score",
    "deviation": "deviation_reason",
    "judgement": "judgement",
}


def _show(value: object, limit: int = 30) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value).replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


def _columns(form: Form, block: str, names: dict[str, str]) -> list[str]:
    """``官方表头 ← 单元格“表上表头”`` for each column of a block, in the order of ``names``."""
    out = []
    for field, official in names.items():
        ref = form.refs.get(f"{block}.col.{field}")
        if ref is None:
            continue
        written = form.headers.get(f"{block}.{field}", "")
        same = written.replace(" ", "") == official
        out.append(f"{official} ← {ref}" + ("" if same else f"“{written}”"))
    return out


def explain_form(form: Form) -> str:
    """Where each field of ``form`` was read from, one block of readable Chinese lines."""
    refs, headers = form.refs, form.headers
    kind = L.KIND_NAMES.get(form.kind, form.kind)
    lines = [f"■ {form.project or '（未填名称）'}    {form.location}"]
    lines.append(f"  表类型：{kind}（依据 {refs.get('kind', '?')}“{_show(headers.get('kind'), 40)}”）")
    if form.title:
        lines.append(f"  标题 ← {refs.get('title', '?')}：{_show(form.title, 40)}")
    lines.append("  表头")
    for field, name in HEADER_FIELDS:
        value = getattr(form, field, None)
        ref = refs.get(field)
        if ref is None:
            lines.append(f"    {name}：未找到")
            continue
        label_ref = refs.get(f"label.{field}")
        via = (
            f"标签“{headers.get(field, name)}”在 {label_ref}"
            if label_ref
            else f"取自“{_show(headers.get(field), 40)}”"
        )
        shown = headers.get(field, name) if field == "project" else name
        lines.append(f"    {shown} ← {ref}（{via}）：{_show(value)}")
    unit_note = f"，金额单位“{form.money_unit}”"
    if "money_unit" in refs:
        unit_note += f"（取自 {refs['money_unit']}“{headers.get('money_unit', '')}”）"
    lines.append(f"  资金部分 ← {refs.get('funds', '?')}“{headers.get('funds', '')}”{unit_note}")
    lines.append("    列：" + "；".join(_columns(form, "funds", FUND_FIELDS)))
    for row in form.funds:
        written = headers.get(f"funds.{row.label}", row.label)
        parts = []
        for field, official in FUND_FIELDS.items():
            ref = refs.get(f"funds.{row.label}.{field}")
            if ref is not None:
                parts.append(f"{official} {ref} = {_show(getattr(row, field))}")
        name = row.label if written.replace(" ", "") == row.label else f"{row.label}（表上“{written}”）"
        lines.append(f"    {name}［{row.ref}］：" + "；".join(parts))
    for side in form.breakdowns:  # the department form's 按收入性质分 / 按支出性质分
        shown = "；".join(f"{label} {ref} = {_show(amount)}" for label, amount, ref in side.parts)
        lines.append(f"    {side.side} ← {side.ref} = {_show(side.stated)}：{shown or '（无分项）'}")
    if "budget_points" in refs:
        total = form.total_fund
        points = total.stated_points if total is not None else None
        lines.append(
            f"    预算执行分值 = {_show(points)}（依据 {refs['budget_points']}“{headers.get('budget_points', '')}”）"
        )
    if "indicators" in refs:
        lines.append(f"  绩效指标 表头 ← {refs['indicators']}")
        lines.append("    列：" + "；".join(_columns(form, "indicators", INDICATOR_FIELDS)))
        for i, ind in enumerate(form.indicators):
            cells = []
            for field, official in INDICATOR_FIELDS.items():
                ref = refs.get(f"indicators.{i}.{field}")
                if ref is None:
                    continue
                attr = _INDICATOR_VALUE.get(field)
                value = getattr(ind, attr) if attr else None
                cells.append(f"{official} {ref}" + (f" = {_show(value)}" if attr else ""))
            lines.append(f"    {ind.ref} {ind.name or '（未命名）'}：" + "；".join(cells))
            if f"indicators.{i}.breakdown" in refs:  # 其中… rows: its breakdown, not indicators
                lines.append(f"      细分行（不作为指标）：{refs[f'indicators.{i}.breakdown']}")
    else:
        lines.append("  绩效指标：未找到表头（三级指标）")
    if "total_points" in refs or "total_score" in refs:
        label = f"“{headers['total']}”行 {refs['total']}" if "total" in refs else "合计行"
        parts = []
        if "total_points" in refs:
            parts.append(f"分值 ← {refs['total_points']} = {_show(form.stated_total_points)}")
        if "total_score" in refs:
            parts.append(f"得分 ← {refs['total_score']} = {_show(form.stated_total_score)}")
        lines.append(f"  合计（{label}）：" + "；".join(parts))
    else:
        lines.append("  合计：未找到")
    if "grade" in refs:
        lines.append(
            f"  评分等级 ← {refs['grade']}（“{headers.get('grade', L.GRADE)}”）：{_show(form.stated_grade)}"
        )
    else:
        lines.append("  评分等级：未找到")
    return "\n".join(lines)


def explain_dict(form: Form) -> dict:
    """The same as JSON: every field key with its cell and the text it was read by."""
    return {
        "kind": form.kind,
        "cells": dict(form.refs),
        "read_by": dict(form.headers),
    }

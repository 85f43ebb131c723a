"""Points a form states only per 一级指标: each indicator's points derived exactly, or not at all.

Some provincial forms (the older Hubei and Yunnan project forms) have no 分值 column: the points stand in
the 一级指标 labels (``产出指标(60分)``) and each indicator (or each 二级指标, through one merged 得分 cell
over its rows) states only its 得分. The points of a single indicator are then not written anywhere, but
the form still determines them in three exact ways, and only these are used (never an even split):

* no 得分 exceeds its points, so when the stated 得分 of a group add up to the group's points, every unit
  scored full marks and its points *are* its 得分;
* a scoring unit (an indicator, or the rows under one merged 得分 cell) whose every target is met scores
  its full points under any rule, so its points are its stated 得分 too;
* when all units of a group but one are known that way, the last one has the group's points less theirs.

A group where two or more units cannot be derived leaves those indicators without points: they are not
scored and a ``missing-points`` finding says why (the total is then short of 100, which ``points-not-100``
reports). Every derivation is reported as a ``points-derived`` info finding naming the group.

Standard library only (this module is part of the core that runs inside Excel's Python).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from decimal import Decimal

from . import checks
from .labels import UNNAMED_INDICATOR, WHOLE_TABLE
from .model import Finding, Form, Indicator

#: Whether an indicator, given full points, scores them all (its target is met).
MetTest = Callable[[Indicator], bool]

_ZERO = Decimal(0)


def _fmt(d: Decimal) -> str:
    return format(d.normalize(), "f")


def block_key(n: int) -> str:
    """The ``Form.level1_points`` key of goal block ``n``'s points stated in its title: ``*``, ``*2`` …"""
    return WHOLE_TABLE if n == 1 else f"{WHOLE_TABLE}{n}"


def units_of(indicators: Sequence[Indicator]) -> list[list[int]]:
    """The scoring units: each indicator with its own 得分, plus the rows that share it (merged cell)."""
    units: list[list[int]] = []
    for i, ind in enumerate(indicators):
        if ind.shares_score and units and indicators[units[-1][0]].level1 == ind.level1:
            units[-1].append(i)
        else:
            units.append([i])
    return units


def applies(form: Form) -> bool:
    """Whether the form states its points only per 一级指标 (and no indicator has points of its own)."""
    return bool(form.level1_points) and all(ind.points is None for ind in form.indicators)


def derive(form: Form, met: MetTest) -> tuple[list[Indicator], list[list[int]], list[Finding]]:
    """The form's indicators with their derived points (a unit's shared rows get 0: the unit's points
    stand on its first row), the scoring units, and the findings about the derivation."""
    indicators = list(form.indicators)
    units = units_of(indicators)
    findings: list[Finding] = []
    for unit in units:
        assumed = [i for i in unit[1:] if indicators[i].shares_assumed]
        if assumed:  # a blank 得分 read as a merged cell's remainder: the file cannot say which it is
            head = indicators[unit[0]].name or UNNAMED_INDICATOR
            names = "、".join(f"“{indicators[i].name or UNNAMED_INDICATOR}”" for i in assumed)
            findings.append(
                checks.finding(
                    "score-merge-assumed",
                    head,
                    f"{names}的得分为空，按与“{head}”合并的同一个得分计；"
                    f"文件不记录合并单元格，若是漏填了得分，请补上{checks.at(indicators[assumed[0]].ref or None)}",
                )
            )
    groups: dict[str, list[list[int]]] = {}
    whole = _by_block(form)  # points only in the goal blocks' titles: a group per block
    for unit in units:
        first = indicators[unit[0]]
        groups.setdefault(block_key(first.block) if whole else first.level1, []).append(unit)
    for level1, group in groups.items():
        weight = form.level1_points.get(level1)
        name = "绩效指标" if whole else level1 or "（未写一级指标）"
        what = (
            f"第{indicators[group[0][0]].block}个绩效目标区块（区块标题）" if whole else f"一级指标“{name}”"
        )
        only = "区块标题" if whole else "一级指标"
        place = checks.at(form.refs.get(f"level1_points.{level1}") or indicators[group[0][0]].ref or None)
        if weight is None:
            findings.append(
                checks.finding(
                    "missing-points",
                    name,
                    f"{what}没有写分值，其下各指标无法计分{place}",
                )
            )
            continue
        known: dict[int, Decimal] = {}
        unknown: list[list[int]] = []
        scores = [indicators[unit[0]].stated_score for unit in group]
        stated = [x for x in scores if x is not None]
        if len(stated) == len(group) and sum(stated, _ZERO) == weight:
            # no score exceeds its points and they add up to the points: every unit scored full marks
            known = {unit[0]: x for unit, x in zip(group, stated, strict=True)}
        else:
            for unit, score in zip(group, scores, strict=True):
                if score is not None and all(met(indicators[i]) for i in unit):
                    known[unit[0]] = score
                else:
                    unknown.append(unit)
        points: dict[int, Decimal] = dict(known)
        rest = weight - sum(known.values(), _ZERO)
        if len(unknown) == 1 and rest >= 0:
            points[unknown[0][0]] = rest
        elif unknown:
            names = "、".join(f"“{indicators[u[0]].name or UNNAMED_INDICATOR}”" for u in unknown)
            findings.append(
                checks.finding(
                    "missing-points",
                    name,
                    f"{what}的分值 {_fmt(weight)} 只写在{only}上，{names}的分值无法由表上数字推定，"
                    f"不计分{place}",
                )
            )
        for unit in group:
            p = points.get(unit[0])
            if p is None:
                continue
            indicators[unit[0]] = dataclasses.replace(indicators[unit[0]], points=p)
            for i in unit[1:]:
                indicators[i] = dataclasses.replace(indicators[i], points=_ZERO)
        derived = [_fmt(points[u[0]]) for u in group if u[0] in points]
        if derived:
            note = ""
            if not unknown and rest != 0:
                note = f"；各项得分合计 {_fmt(weight - rest)} 与{only}分值 {_fmt(weight)} 不符"
            blank = [u[0] for u in group if u[0] in points and indicators[u[0]].stated_score is None]
            if blank:  # the residue went to a row whose 得分 is blank: left blank, or cut off?
                names = "、".join(f"“{indicators[i].name or UNNAMED_INDICATOR}”" for i in blank)
                note += f"；{names}未填写得分，其分值按余下的分值推定"
            findings.append(
                checks.finding(
                    "points-derived",
                    name,
                    f"{what}的分值 {_fmt(weight)} 未分到各指标，按表上得分推定为 "
                    f"{'、'.join(derived)}{note}{place}",
                    severity="warning" if note else None,
                )
            )
    return indicators, units, findings


def _by_block(form: Form) -> bool:
    return any(key.startswith(WHOLE_TABLE) for key in form.level1_points)

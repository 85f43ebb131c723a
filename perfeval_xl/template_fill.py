"""A Form's inputs written into a sheet built by :func:`perfeval_xl.template_sheet.build_sheet` with the
same layout (``perfeval-xl import``): header fields, funds, goals, indicators (the native flavour's
structured inputs split from the target and actual), 定性评分 where the form states one, row heights.

User text is always written as a string cell (never a formula), whatever it starts with.
"""

from __future__ import annotations

from decimal import Decimal

from openpyxl.worksheet.worksheet import Worksheet

from . import labels, rules
from . import layout as L
from .model import Form, Indicator
from .native import compose_actual, compose_target
from .native_row import OP_SYMBOL
from .profiles import Profile, get_profile, is_auto
from .remarks import row_remarks
from .rowheights import fit_rows
from .template_style import put_number, put_text
from .values import parse_value


def _stated_judgement(ind: Indicator, profile: Profile) -> Decimal | None:
    """The 定性评分 to write, for qualitative indicators only: the form's judgement, else its stated 得分."""
    judgement = ind.judgement if ind.judgement is not None else ind.stated_score
    if judgement is None or ind.points is None:
        return None
    try:
        kind = rules.score_indicator(ind, profile).kind
    except Exception:  # noqa: BLE001 - an unscorable row keeps no judgement
        return None
    return judgement if kind == "qualitative" else None


def _fill_native(ws: Worksheet, r: int, ind: Indicator, cached: dict[str, str]) -> None:
    """A target and an actual as the native flavour's structured inputs; what the composing formulas
    will show goes into ``cached`` (the cells' cached values)."""
    target, actual = parse_value(ind.target), parse_value(ind.actual)
    t_number: Decimal | str | None
    a_number: Decimal | str | None
    if target.number is not None and not target.is_range and not target.is_deadline:
        op, t_number, t_unit = OP_SYMBOL[target.op] if target.op else "", target.number, target.unit
    else:
        op, t_number, t_unit = "", target.text or None, None
    if actual.number is not None:
        a_number, a_unit = actual.number, actual.unit
    else:
        a_number, a_unit = actual.text or None, None
    put_text(ws, f"{L.OP_COL}{r}", op)
    for col, value in ((L.TARGET_NUMBER_COL, t_number), (L.ACTUAL_NUMBER_COL, a_number)):
        if isinstance(value, Decimal):
            put_number(ws, f"{col}{r}", value)
        else:
            put_text(ws, f"{col}{r}", value)
    put_text(ws, f"{L.TARGET_UNIT_COL}{r}", t_unit)
    put_text(ws, f"{L.ACTUAL_UNIT_COL}{r}", a_unit)
    cached[f"{L.TARGET_COL}{r}"] = compose_target(op, t_number, t_unit)
    cached[f"{L.ACTUAL_COL}{r}"] = compose_actual(a_number, a_unit)


def fill_sheet(ws: Worksheet, lay: L.Layout, form: Form, profile=None) -> dict[str, str]:
    """Write ``form``'s inputs into a sheet built by :func:`build_sheet` with the same layout.

    Returns the cached values the native flavour's composed cells (年度指标值, 实际完成值) should
    carry, by cell reference (empty for the other flavours); :func:`save_workbook` writes them."""
    cached: dict[str, str] = {}
    if is_auto(profile):
        prof = rules.infer_profile(form)[0]
    else:
        prof = get_profile(profile if profile is not None else form.profile)
    put_text(ws, "A1", form.title or labels.TITLE)
    put_text(ws, L.PROJECT_CELL, form.project)
    put_text(ws, L.YEAR_CELL, form.year)
    put_text(ws, L.DEPARTMENT_CELL, form.department)
    put_text(ws, L.UNIT_CELL, form.unit)
    put_text(ws, L.PROFILE_CELL, prof.title)
    put_text(ws, L.FUNDS_LABEL_CELL, L.money_label(form.money_unit or "万元"))
    for i, default_label in enumerate(labels.FUND_ROWS):
        row = form.fund(default_label) or (form.funds[i] if i < len(form.funds) else None)
        r = L.fund_row(i)
        put_text(ws, f"{L.FUND_LABEL_COL}{r}", row.label if row is not None and row.label else default_label)
        if row is None:
            continue
        put_number(ws, f"{L.FUND_INITIAL_COL}{r}", row.initial)
        put_number(ws, f"{L.FUND_ANNUAL_COL}{r}", row.annual)
        put_number(ws, f"{L.FUND_EXECUTED_COL}{r}", row.executed)
    put_text(ws, L.GOAL_EXPECTED_CELL, form.goal_expected)
    put_text(ws, L.GOAL_ACTUAL_CELL, form.goal_actual)
    prev1 = prev2 = None
    for i, ind in enumerate(form.indicators):
        r = lay.indicator_row(i)
        new_group = ind.level1 != prev1
        put_text(ws, f"{L.LEVEL1_COL}{r}", ind.level1 if new_group else "")
        put_text(ws, f"{L.LEVEL2_COL}{r}", ind.level2 if new_group or ind.level2 != prev2 else "")
        prev1, prev2 = ind.level1, ind.level2
        put_text(ws, f"{L.NAME_COL}{r}", ind.name)
        if lay.native:
            _fill_native(ws, r, ind, cached)
        else:
            put_text(ws, f"{L.TARGET_COL}{r}", ind.target)
            put_text(ws, f"{L.ACTUAL_COL}{r}", ind.actual)
        put_number(ws, f"{L.POINTS_COL}{r}", ind.points)
        put_text(ws, f"{L.DEVIATION_COL}{r}", ind.deviation_reason)
        put_number(ws, f"{L.JUDGEMENT_COL}{r}", _stated_judgement(ind, prof))
    fit_rows(ws, lay, {**cached, **_remark_estimates(lay, form, prof)})
    return cached


def _remark_estimates(lay: L.Layout, form: Form, prof: Profile) -> dict[str, str]:
    """What each row's 审核提示 formula will roughly say (the engine's findings), to size the rows."""
    try:
        result = rules.evaluate(form, prof)
    except Exception:  # noqa: BLE001 - sizing is cosmetic: never stop an import for it
        return {}
    out = {}
    for i, ir in enumerate(result.indicators[: lay.indicator_rows]):
        text = row_remarks(ir.findings)
        if text:
            out[f"{L.REMARKS_COL}{lay.indicator_row(i)}"] = text
    return out

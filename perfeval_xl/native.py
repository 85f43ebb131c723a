"""Formulas of the native template: built-in functions only, for WPS, LibreOffice and plain Excel.

The native flavour of the form (``perfeval-xl template --native``) computes every number with
functions Excel 2007+, WPS and LibreOffice all have (IF, CHOOSE, MATCH, SUMPRODUCT, ROUND, TRUNC,
FIND, EXACT …; no dynamic arrays, LET, LAMBDA or TEXTJOIN). The rules are mirrored from
:mod:`perfeval_xl.rules`, which stays the judge: ``score`` recomputes a native form like any other.

How the native formulas keep the engine's numbers:

* every rounded number is first rounded at 13 significant digits (binary float noise away,
  56.99999999999999 back to 57), then truncated or rounded half up at the profile's decimals;
* comparisons of actual and target allow a relative 1e-13 (the unit conversion's float noise),
  which cannot merge two different numbers of at most 12 significant digits, and the formulas only
  accept such numbers (between 1e-4 and 1e12 in size);
* the rule profile is chosen in the 评分规则 cell; its switches (rounding, decimals, budget points,
  grade bands, qualitative bands, the negative-indicator formula) are written into the formulas from
  :data:`perfeval_xl.profiles.PROFILES`, so a new profile reaches the template when it is rebuilt.

Where the engine reads something a formula cannot (units of different families, words with figures,
an operator the drop-down does not offer, an unknown profile), the cell shows ``核对`` and the row's
审核提示 says why, instead of a number that might differ.

The 年度指标值 and 实际完成值 cells are composed from the structured inputs (比较符, 指标数值,
指标单位, 实际数值, 实际单位) for printing, and :func:`compose_target` / :func:`compose_actual` say in
Python what those formulas write (``import --native`` stores it as the cells' cached value, so a
workbook never opened in a spreadsheet still reads back).
"""

from __future__ import annotations

from decimal import Decimal

from . import layout as L
from .native_exprs import (
    CHECK,
    PROFILE_INDEX,
    all_profiles,
    budget_points,
    grade,
    num,
    profile_index_formula,
    quote,
    rnd,
)
from .native_row import IndicatorRow
from .remarks import SHORT_REMARKS

# ---- the whole sheet -----------------------------------------------------------------------------


def _derived_total() -> str:
    """budget.with_total_derived: the 年度资金总额 row has no figure while its sub-rows have some."""
    t, first, last = L.FUND_TOTAL_ROW, L.fund_row(1), L.fund_row(L.FUND_ROWS - 1)
    cols = (L.FUND_INITIAL_COL, L.FUND_ANNUAL_COL, L.FUND_EXECUTED_COL)
    blank = ",".join(f'{c}{t}=""' for c in cols)
    return f"AND({blank},COUNT({L.FUND_ANNUAL_COL}{first}:{L.FUND_EXECUTED_COL}{last})>0)"


def _fund_value(col: str, r: int) -> str:
    """A fund row's figure; for the total row the sub-rows' sum where the engine derives it."""
    if r != L.FUND_TOTAL_ROW:
        return f"{col}{r}"
    rng = f"{col}{L.fund_row(1)}:{col}{L.fund_row(L.FUND_ROWS - 1)}"
    return f'IF({_derived_total()},IF(COUNT({rng})>0,SUM({rng}),""),{col}{r})'


def _fund_rate(r: int) -> str:
    d, e = _fund_value(L.FUND_ANNUAL_COL, r), _fund_value(L.FUND_EXECUTED_COL, r)
    raw_d, raw_e = f"{L.FUND_ANNUAL_COL}{r}", f"{L.FUND_EXECUTED_COL}{r}"
    return (
        f'=IF(AND({d}="",{e}=""),"",IF(OR({PROFILE_INDEX}=0,ISTEXT({raw_d}),ISTEXT({raw_e})),"{CHECK}",'
        f"IF(OR(N({d})<=0,N({e})<=0),0,{rnd(f'100*{e}/{d}')})))"
    )


def _budget_score() -> str:
    r = L.FUND_TOTAL_ROW
    d, e = _fund_value(L.FUND_ANNUAL_COL, r), _fund_value(L.FUND_EXECUTED_COL, r)
    raw_d, raw_e = f"{L.FUND_ANNUAL_COL}{r}", f"{L.FUND_EXECUTED_COL}{r}"
    p = L.BUDGET_POINTS_CELL
    return (
        f'=IF(AND({d}="",{e}=""),"",IF(OR({PROFILE_INDEX}=0,ISTEXT({raw_d}),ISTEXT({raw_e})),"{CHECK}",'
        f"IF(OR(N({d})<=0,N({e})<=0,N({p})<=0),0,IF({e}>={d},{rnd(p)},{rnd(f'{p}*{e}/{d}')}))))"
    )


def computed_cells(lay: L.Layout) -> dict[str, str]:
    """Every computed cell of a native sheet -> its formula (hidden helpers included)."""
    first, last = L.INDICATOR_FIRST_ROW, lay.last_indicator_row
    cells = {
        L.PROFILE_INDEX_CELL: profile_index_formula(),
        L.BUDGET_POINTS_CELL: f'=IF({PROFILE_INDEX}=0,"{CHECK}",{budget_points()})',
        L.BUDGET_SCORE_CELL: _budget_score(),
    }
    for i in range(L.FUND_ROWS):
        r = L.fund_row(i)
        cells[f"{L.FUND_RATE_COL}{r}"] = _fund_rate(r)
    for i in range(lay.indicator_rows):
        row = IndicatorRow(lay, lay.indicator_row(i))
        cells[row.target] = row.target_text()
        cells[row.actual] = row.actual_text()
        cells[row.lvl1] = row.level1_run()
        cells[row.lvl2] = row.level2_run()
        cells[row.status] = row.status_formula()
        cells[row.eop] = row.effective_op()
        cells[row.aval] = row.actual_value()
        cells[row.cmp] = row.compare()
        cells[row.score_cell] = row.score()
        cells[row.remarks_cell] = row.remarks()
    scores = f"{L.SCORE_COL}{first}:{L.SCORE_COL}{last}"
    points = f"{L.POINTS_COL}{first}:{L.POINTS_COL}{last}"
    budget = L.BUDGET_SCORE_CELL
    cells[lay.total_points_cell] = (
        f'=IF(ISTEXT({L.BUDGET_POINTS_CELL}),"{CHECK}",ROUND(SUM({L.BUDGET_POINTS_CELL},{points}),9))'
    )
    total = lay.total_score_cell
    cells[total] = (
        f'=IF(OR({budget}="{CHECK}",COUNTIF({scores},"{CHECK}")>0),"{CHECK}",'
        f'IF(AND({budget}="",COUNT({scores})=0),"",ROUND(SUM({budget},{scores}),9)))'
    )
    cells[lay.grade_cell] = f'=IF({total}="","",IF({total}="{CHECK}","{CHECK}",{grade(total)}))'
    cells[lay.form_remarks_cell] = _form_remarks(lay)
    return cells


def _form_remarks(lay: L.Layout) -> str:
    """The form's 审核提示 (only once some 分值 is entered: the blank template says nothing)."""
    first, last = L.INDICATOR_FIRST_ROW, lay.last_indicator_row
    points = f"{L.POINTS_COL}{first}:{L.POINTS_COL}{last}"
    parts = []
    total, subs = L.fund_row(0), [L.fund_row(i) for i in range(1, L.FUND_ROWS)]
    sums = []
    for col in (L.FUND_INITIAL_COL, L.FUND_ANNUAL_COL, L.FUND_EXECUTED_COL):
        whole = f"{col}{total}"
        rng = f"{col}{subs[0]}:{col}{subs[-1]}"
        sums.append(f'AND({whole}<>"",COUNT({rng})>0,ROUND({whole}-SUM({rng}),9)<>0)')
    parts.append((f"OR({','.join(sums)})", SHORT_REMARKS["funds-sum"]))
    parts.append((_derived_total(), SHORT_REMARKS["funds-total-derived"]))
    parts.append(
        (
            f"AND(COUNT({points})>0,ISNUMBER({lay.total_points_cell}),{lay.total_points_cell}<>100)",
            SHORT_REMARKS["points-not-100"],
        )
    )
    over = [
        f"AND(ISNUMBER({L.FUND_ANNUAL_COL}{r}),ISNUMBER({L.FUND_EXECUTED_COL}{r}),"
        f"{L.FUND_EXECUTED_COL}{r}>{L.FUND_ANNUAL_COL}{r})"
        for r in (total, *subs)
    ]
    parts.append((f"OR({','.join(over)})", SHORT_REMARKS["over-execution"]))
    level1 = f"{L.LEVEL1_RUN_COL}{first}:{L.LEVEL1_RUN_COL}{last}"
    for p_index, p in enumerate(all_profiles(), 1):
        for name, expected in (p.expected_weights or {}).items():
            cond = f"AND({PROFILE_INDEX}={p_index},COUNT({points})>0,ROUND(SUMIF({level1},{quote(name)},{points})-{num(expected)},9)<>0)"
            parts.append((cond, f"{name}分值合计不是{num(expected)}"))
    body = "&".join(f'IF({cond},{quote("；" + text)},"")' for cond, text in parts)
    return f"=MID({body},2,999)"


# ---- what the composing formulas write, in Python -------------------------------------------------


def number_text(x: Decimal | int | float) -> str:
    """A number as ``x&""`` writes it (plain digits, no exponent, no trailing zeros)."""
    d = Decimal(str(x))
    if d == 0:
        return "0"
    return format(d.normalize(), "f")


def compose_target(op: str | None, number: Decimal | int | float | str | None, unit: str | None) -> str:
    op = op or ""
    if number is None or number == "":
        return op
    if isinstance(number, str):
        return op + number
    return op + number_text(number) + (f"({unit})" if unit else "")


def compose_actual(number: Decimal | int | float | str | None, unit: str | None) -> str:
    if number is None or number == "":
        return ""
    if isinstance(number, str):
        return number
    return number_text(number) + (f"({unit})" if unit else "")

"""The classic and Lite flavours' formulas: every computed cell calls a UDF of ``udfs.py`` (``PE_…``),
with the 评分规则 cell as its last argument, so the numbers come from :mod:`perfeval_xl.rules` itself.

A UDF is written under its own name (``PE_GRADE``) in both flavours: xlwings Lite registers its
functions without a namespace (the ``XLWINGS.`` prefix belongs to xlwings Server; templates an earlier
version wrote with it are still recognised, :func:`perfeval_xl.layout.layout_of_sheet`).

The classic flavour fills three ranges (execution rates, indicator scores, row findings) with one legacy
array formula each (:func:`array_formulas`): one Python call per column instead of one per cell. Every
cell of such a range shows what its own single-cell formula (:func:`computed_cells`) would.
"""

from __future__ import annotations

from . import layout as L

PROFILE = L.PROFILE_REF


def budget_points() -> str:
    return f"=PE_BUDGET_POINTS({PROFILE})"


def rate(row: int) -> str:
    return f"=PE_EXEC_RATE({L.FUND_ANNUAL_COL}{row},{L.FUND_EXECUTED_COL}{row},{PROFILE})"


def budget_score() -> str:
    r = L.FUND_TOTAL_ROW
    return (
        f"=PE_BUDGET_SCORE({L.FUND_ANNUAL_COL}{r},{L.FUND_EXECUTED_COL}{r},{L.BUDGET_POINTS_CELL},{PROFILE})"
    )


def score(row: int) -> str:
    return (
        f"=PE_INDICATOR_SCORE({L.TARGET_COL}{row},{L.ACTUAL_COL}{row},{L.POINTS_COL}{row},"
        f"{L.NAME_COL}{row},{L.JUDGEMENT_COL}{row},{PROFILE})"
    )


def row_findings(row: int) -> str:
    return (
        f"=PE_ROW_FINDINGS({L.TARGET_COL}{row},{L.ACTUAL_COL}{row},{L.POINTS_COL}{row},"
        f"{L.NAME_COL}{row},{L.JUDGEMENT_COL}{row},{L.DEVIATION_COL}{row},{PROFILE})"
    )


def total_points(lay: L.Layout) -> str:
    return f"=PE_TOTAL({L.BUDGET_POINTS_CELL},{lay.col_range(L.POINTS_COL)})"


def total_score(lay: L.Layout) -> str:
    return f"=PE_TOTAL({L.BUDGET_SCORE_CELL},{lay.col_range(L.SCORE_COL)})"


def grade(lay: L.Layout) -> str:
    return f"=PE_GRADE({lay.total_score_cell},{PROFILE})"


def form_findings(lay: L.Layout) -> str:
    funds = f"{L.FUND_LABEL_COL}{L.FUND_FIRST_ROW}:{L.FUND_EXECUTED_COL}{L.fund_row(L.FUND_ROWS - 1)}"
    indicators = f"{L.LEVEL1_COL}{L.INDICATOR_FIRST_ROW}:{L.JUDGEMENT_COL}{lay.last_indicator_row}"
    return f"=PE_FORM_FINDINGS({funds},{indicators},{PROFILE})"


def computed_cells(lay: L.Layout) -> dict[str, str]:
    """Every computed cell of a classic or Lite sheet -> its single-cell formula."""
    cells = {L.BUDGET_POINTS_CELL: budget_points(), L.BUDGET_SCORE_CELL: budget_score()}
    for i in range(L.FUND_ROWS):
        r = L.fund_row(i)
        cells[f"{L.FUND_RATE_COL}{r}"] = rate(r)
    for i in range(lay.indicator_rows):
        r = lay.indicator_row(i)
        cells[f"{L.SCORE_COL}{r}"] = score(r)
        cells[f"{L.REMARKS_COL}{r}"] = row_findings(r)
    cells[lay.total_points_cell] = total_points(lay)
    cells[lay.total_score_cell] = total_score(lay)
    cells[lay.grade_cell] = grade(lay)
    cells[lay.form_remarks_cell] = form_findings(lay)
    return cells


# ---- array formulas (classic flavour): one UDF call per column instead of one per cell -----------


def rates_array(lay: L.Layout) -> str:
    first, last = L.FUND_FIRST_ROW, L.fund_row(L.FUND_ROWS - 1)
    return (
        f"=PE_EXEC_RATES({L.FUND_ANNUAL_COL}{first}:{L.FUND_ANNUAL_COL}{last},"
        f"{L.FUND_EXECUTED_COL}{first}:{L.FUND_EXECUTED_COL}{last},{PROFILE})"
    )


def scores_array(lay: L.Layout) -> str:
    cols = (L.TARGET_COL, L.ACTUAL_COL, L.POINTS_COL, L.NAME_COL, L.JUDGEMENT_COL)
    return f"=PE_INDICATOR_SCORES({','.join(map(lay.col_range, cols))},{PROFILE})"


def row_findings_array(lay: L.Layout) -> str:
    cols = (L.TARGET_COL, L.ACTUAL_COL, L.POINTS_COL, L.NAME_COL, L.JUDGEMENT_COL, L.DEVIATION_COL)
    return f"=PE_ROWS_FINDINGS({','.join(map(lay.col_range, cols))},{PROFILE})"


def array_formulas(lay: L.Layout) -> dict[str, str]:
    """Ranges the classic template fills with one legacy (Ctrl+Shift+Enter) array formula each.

    Each covers cells of :func:`computed_cells` only (never an input), and each of its cells shows what
    that cell's single-cell formula would. Other flavours use single-cell formulas only."""
    if lay.flavor != "classic":
        return {}
    rates = f"{L.FUND_RATE_COL}{L.FUND_FIRST_ROW}:{L.FUND_RATE_COL}{L.fund_row(L.FUND_ROWS - 1)}"
    return {
        rates: rates_array(lay),
        lay.col_range(L.SCORE_COL): scores_array(lay),
        lay.col_range(L.REMARKS_COL): row_findings_array(lay),
    }

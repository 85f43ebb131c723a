"""``recalc``: a copy of a filled template where every computed cell holds the engine's value.

For colleagues without the xlwings add-in (WPS, LibreOffice, Excel without Python): the UDF
formulas would show ``#NAME?`` there. The forms are read with :func:`perfeval_xl.reader.read_forms`,
scored with :func:`perfeval_xl.rules.evaluate`, and the values are written into the cells that
:mod:`perfeval_xl.layout` names as computed. Inputs, styles, validations and protection stay.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

from . import labels
from . import layout as L
from .indicator_rules import indicator_name
from .model import Form, Result
from .profiles import PROFILES, Profile, get_profile, is_auto
from .remarks import form_remarks, row_remarks
from .report import cents
from .rowheights import fit_rows
from .rules import evaluate
from .sheetformulas import computed_cells
from .template_sheet import NOTES
from .template_style import put_text


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _indicator_rows(ws, lay: L.Layout) -> list[int]:
    """Rows of the indicator block that hold an indicator (any of 三级指标..分值 filled)."""
    rows = []
    for i in range(lay.indicator_rows):
        r = lay.indicator_row(i)
        cols = (L.NAME_COL, L.TARGET_COL, L.ACTUAL_COL, L.POINTS_COL)
        if any(_text(ws[f"{c}{r}"].value) for c in cols):
            rows.append(r)
    return rows


def _match_rows(ws, lay: L.Layout, result: Result) -> list[int | None]:
    """The sheet row of each indicator result: the row it was read from, else by order."""
    filled = _indicator_rows(ws, lay)
    out: list[int | None] = []
    for k, ir in enumerate(result.indicators):
        row = ir.indicator.row
        if row is None or not (L.INDICATOR_FIRST_ROW <= row <= lay.last_indicator_row):
            row = filled[k] if k < len(filled) else None
        out.append(row)
    return out


#: beyond this a number is no longer one Excel can hold: it is written as text
_EXCEL_MAX = Decimal("1e300")


def _number(value: Decimal) -> Decimal | str:
    """A computed number at two decimals, whatever its magnitude; text when Excel cannot hold it."""
    q = cents(value)
    return q if abs(q) < _EXCEL_MAX else format(q, "f")


def _is_empty(form: Form) -> bool:
    """A form with nothing filled in (the blank template): its computed cells stay blank."""
    money = any(v is not None for f in form.funds for v in (f.initial, f.annual, f.executed))
    return not money and not form.indicators


def write_values(ws, lay: L.Layout, result: Result | None, profile=None) -> None:
    """Replace every computed cell of ``ws`` by the value ``result`` holds (blank when None)."""
    for ref in computed_cells(lay):
        ws[ref].value = None
    if ws[L.NOTE_CELL].value:  # the template's note says what its formulas need: no longer true
        put_text(ws, L.NOTE_CELL, NOTES["values"])
    if result is None:
        ws[L.BUDGET_POINTS_CELL].value = _number(get_profile(profile).budget_points)
        return
    ws[L.BUDGET_POINTS_CELL].value = _number(result.budget_points)
    fund_rows = {
        _text(ws[f"{L.FUND_LABEL_COL}{L.fund_row(i)}"].value): L.fund_row(i) for i in range(L.FUND_ROWS)
    }
    for k, fr in enumerate(result.funds):
        row = fund_rows.get(fr.row.label) or (L.fund_row(k) if k < L.FUND_ROWS else None)
        if row is None or (fr.row.annual is None and fr.row.executed is None):
            continue
        ws[f"{L.FUND_RATE_COL}{row}"].value = _number(fr.execution_rate)
    total = result.form.total_fund
    if total is not None and not (total.annual is None and total.executed is None):
        ws[L.BUDGET_SCORE_CELL].value = _number(result.budget_score)
    for ir, row in zip(result.indicators, _match_rows(ws, lay, result), strict=True):
        if row is None:
            continue
        if lay.native:  # the composed 年度指标值 and 实际完成值 become text like every computed cell
            put_text(ws, f"{L.TARGET_COL}{row}", ir.indicator.target)
            put_text(ws, f"{L.ACTUAL_COL}{row}", ir.indicator.actual)
        if ir.indicator.points is None:
            put_text(ws, f"{L.SCORE_COL}{row}", "缺少分值")
        else:
            ws[f"{L.SCORE_COL}{row}"].value = _number(ir.score)
        name = indicator_name(ir.indicator)
        own = list(ir.findings) + [f for f in result.findings if f.where == name and f not in ir.findings]
        put_text(ws, f"{L.REMARKS_COL}{row}", row_remarks(own))
    ws[lay.total_points_cell].value = _number(result.total_points)
    ws[lay.total_score_cell].value = _number(result.total_score)
    put_text(ws, lay.grade_cell, result.grade)
    put_text(ws, lay.form_remarks_cell, form_remarks(result.findings))
    fit_rows(ws, lay)  # wrapped 审核提示 and long texts shown in full, never printed over each other


def _write_profile(ws, result: Result | None, profile: Profile | str | None) -> None:
    """Name the rule the copy was computed under in its 评分规则 cell, so that the copy's numbers and
    its named rule agree (and reading the copy again scores it the same way). Only when a rule was
    asked for (``--profile``), and only a built-in one: the cell never names a file."""
    if profile is None:
        return
    if is_auto(profile):
        chosen = PROFILES.get(result.profile) if result is not None else None
    else:
        chosen = profile if PROFILES.get(getattr(profile, "name", "")) is profile else None
    if chosen is not None:
        put_text(ws, L.PROFILE_CELL, chosen.title)


def recalc(source: str | os.PathLike[str], output: str | os.PathLike[str], profile=None) -> list[str]:
    """Write ``output``: ``source`` with computed values instead of UDF formulas.

    ``profile`` (a built-in name, a Profile, ``"auto"`` or None for each sheet's own 评分规则) is the
    rule the values are computed under; a built-in one is also written into each sheet's 评分规则 cell.

    Returns the names of the sheets recalculated. Raises :class:`~perfeval_xl.model.ReadError` when
    the source cannot be read and ``ValueError`` when it holds no template sheet.
    """
    import openpyxl

    from .model import ReadError
    from .reader import read_forms
    from .template import save_workbook

    source = str(source)
    if profile is not None and not is_auto(profile):
        profile = get_profile(profile)
    if Path(source).resolve() == Path(output).resolve():
        raise ValueError("输出文件不能覆盖来源文件")
    forms: list[Form] = read_forms(source)
    by_sheet: dict[str | None, Form] = {}
    for form in forms:
        by_sheet.setdefault(form.sheet, form)
    try:
        wb = openpyxl.load_workbook(source)
    except Exception as exc:  # noqa: BLE001 - reported as a read error with the file name
        raise ReadError(source, f"无法作为 Excel 工作簿打开（{exc.__class__.__name__}）") from exc
    done = []
    for ws in wb.worksheets:
        lay = L.layout_of_sheet(ws)
        if lay is None:
            continue
        sheet_form = by_sheet.get(ws.title)
        result = (
            evaluate(sheet_form, profile) if sheet_form is not None and not _is_empty(sheet_form) else None
        )
        write_values(ws, lay, result, None if is_auto(profile) else profile)
        _write_profile(ws, result, profile)
        done.append(ws.title)
    if not done:
        raise ValueError(
            f"{source}：没有找到本模板的自评表工作表（{labels.LEVEL1} 表头应在第 {L.INDICATOR_HEADER_ROW} 行）"
        )
    save_workbook(wb, output)
    return done

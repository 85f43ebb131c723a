"""Build the Excel form (``workbook_template.xlsx``) and fill Forms into copies of its sheet.

Every coordinate comes from :mod:`perfeval_xl.layout`; every label from :mod:`perfeval_xl.labels`.
User text is always written as a string cell (never a formula), whatever it starts with.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from . import labels
from . import layout as L
from .model import Form, Indicator
from .profiles import PROFILES, get_profile, is_auto
from .safeout import atomic_write, xml_text

TEMPLATE_SHEET = "自评表"
FONT_NAME = "宋体"
HINT = "浅黄色单元格为填写区；其余单元格由公式自动计算（需 xlwings 加载项，或用 perfeval-xl recalc 生成数值版）。"
HINT_NATIVE = (
    "浅黄色单元格为填写区（指标的比较符、数值和单位在表格右侧填写）；其余单元格由 Excel、WPS、"
    "LibreOffice 自带的公式计算，不需要加载项。"
)
#: the note beside the form (outside the print area: seen on screen, never printed)
NOTES = {
    "classic": (
        "【说明】计算单元格显示 #NAME? 表示这台电脑没有 xlwings 加载项（WPS、LibreOffice、未装加载项的 "
        "Excel 都会这样），已填写的内容不受影响。没有加载项时请改用“本地公式版”模板 "
        "workbook_template_native.xlsx（perfeval-xl template --native 生成），它只用表格软件自带的函数；"
        "或请同事运行 perfeval-xl recalc 生成数值版。本说明在打印区域之外，不会打印。"
    ),
    "lite": (
        "【说明】本模板的公式需要 xlwings Lite 加载项（运行其中的“写入公式”脚本）。没有加载项时计算单元格"
        "显示 #NAME?；请改用“本地公式版”模板（perfeval-xl template --native）。本说明不会打印。"
    ),
    "native": (
        "【本地公式版】不需要加载项：WPS、LibreOffice、Excel 打开即可计算。定量指标在下方右侧填写"
        "比较符（下拉 ≥ ≤ = > <）、指标数值、指标单位、实际数值、实际单位，左侧“年度指标值”“实际完成值”"
        "自动生成；定性指标在“指标数值”填文字（如 健全），“实际数值”填 达成/部分达成/未达成，需要时在"
        "“定性评分”填分数。得分显示“核对”时，公式无法按规则判断，请用 perfeval-xl score 核对。"
        "本说明和右侧填写列在打印区域之外，不会打印。"
    ),
    "values": (
        "【数值版】执行率、得分、合计、评分等级和审核提示是 perfeval-xl recalc 写入的计算结果，"
        "不是公式：修改输入后不会重新计算。需要继续修改时，请改原表（或本地公式版模板），再重新生成数值版。"
        "本说明在打印区域之外，不会打印。"
    ),
}
_FIXED_DATE = _dt.datetime(2024, 1, 1)

_thin = Side(style="thin", color="000000")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
INPUT = PatternFill("solid", start_color=L.INPUT_FILL, end_color=L.INPUT_FILL)
COMPUTED = PatternFill("solid", start_color=L.COMPUTED_FILL, end_color=L.COMPUTED_FILL)
HEADER = PatternFill("solid", start_color=L.HEADER_FILL, end_color=L.HEADER_FILL)
WRAP_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
WRAP_TOP = Alignment(horizontal="left", vertical="top", wrap_text=True)
NUMBER = "0.00"


def profile_titles() -> list[str]:
    return [p.title for p in PROFILES.values()]


def put_text(ws: Worksheet, ref: str, value: object) -> None:
    """Write user text as a string cell; an empty value leaves the cell empty."""
    cell = ws[ref]
    if value is None or value == "":
        cell.value = None
        return
    cell.value = xml_text(str(value))
    cell.data_type = "s"  # never a formula, even for "=HYPERLINK(...)"


def put_number(ws: Worksheet, ref: str, value: Decimal | None) -> None:
    ws[ref].value = value


def _label(ws: Worksheet, ref: str, text: str, fill: PatternFill | None = HEADER, bold: bool = True) -> None:
    put_text(ws, ref, text)
    cell = ws[ref]
    cell.font = Font(name=FONT_NAME, size=10, bold=bold)
    cell.alignment = WRAP_CENTER
    if fill is not None:
        cell.fill = fill


def _style_input(ws: Worksheet, ref: str, align: Alignment = WRAP_LEFT, fmt: str | None = None) -> None:
    cell = ws[ref]
    cell.fill = INPUT
    cell.protection = Protection(locked=False)
    cell.alignment = align
    cell.font = Font(name=FONT_NAME, size=10)
    if fmt:
        cell.number_format = fmt


def _style_computed(
    ws: Worksheet, ref: str, align: Alignment = WRAP_CENTER, fmt: str | None = NUMBER
) -> None:
    cell = ws[ref]
    cell.fill = COMPUTED
    cell.protection = Protection(locked=True)
    cell.alignment = align
    cell.font = Font(name=FONT_NAME, size=10)
    if fmt:
        cell.number_format = fmt


def _validations(ws: Worksheet, lay: L.Layout) -> None:
    first, last = L.INDICATOR_FIRST_ROW, lay.last_indicator_row

    def add(dv: DataValidation, sqref: str) -> None:
        dv.add(sqref)
        ws.add_data_validation(dv)

    money = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="金额有误",
        error="请填写不小于 0 的数字（单位见“项目资金”标题）。",
        promptTitle="金额",
        prompt="填写数字，不小于 0。",
        showInputMessage=True,
    )
    add(money, f"{L.FUND_INITIAL_COL}{L.FUND_FIRST_ROW}:{L.FUND_EXECUTED_COL}{L.fund_row(L.FUND_ROWS - 1)}")
    points = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="分值有误",
        error="分值应是 0 到 100 之间的数字。",
    )
    add(points, f"{L.POINTS_COL}{first}:{L.POINTS_COL}{last}")
    judgement = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="定性评分有误",
        error="定性评分应是不小于 0、不超过分值的数字。",
        promptTitle="定性评分",
        prompt="仅定性指标填写：达成 80%–100%，部分达成 60%–80%，未达成 60% 以下（占分值）。",
        showInputMessage=True,
    )
    add(judgement, f"{L.JUDGEMENT_COL}{first}:{L.JUDGEMENT_COL}{last}")
    level1 = DataValidation(
        type="list",
        formula1='"' + ",".join(labels.LEVEL1_CHOICES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle="一级指标",
        error="不在常用一级指标中，确定要使用吗？",
    )
    add(level1, f"{L.LEVEL1_COL}{first}:{L.LEVEL1_COL}{last}")
    level2 = DataValidation(
        type="list",
        formula1='"' + ",".join(labels.LEVEL2_CHOICES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle="二级指标",
        error="不在常用二级指标中，确定要使用吗？",
    )
    add(level2, f"{L.LEVEL2_COL}{first}:{L.LEVEL2_COL}{last}")
    if lay.native:
        _native_validations(ws, lay, add)
        add(_profile_validation(), L.PROFILE_CELL)
        return
    # 实际完成值: offer the qualitative results, but free text (figures with units) stays allowed
    actual = DataValidation(
        type="list",
        formula1='"' + ",".join(labels.QUALITATIVE_CHOICES) + '"',
        allow_blank=True,
        showErrorMessage=False,
        promptTitle="实际完成值",
        prompt="定量指标填写数值和单位，如 430(家次)；定性指标可从下拉中选 达成/部分达成/未达成。",
        showInputMessage=True,
    )
    add(actual, f"{L.ACTUAL_COL}{first}:{L.ACTUAL_COL}{last}")
    add(_profile_validation(), L.PROFILE_CELL)


def _profile_validation() -> DataValidation:
    return DataValidation(
        type="list",
        formula1='"' + ",".join(profile_titles()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="评分规则",
        error="请从下拉列表中选择评分规则。",
    )


def _native_validations(ws: Worksheet, lay: L.Layout, add) -> None:
    from .native import OPERATORS

    first, last = L.INDICATOR_FIRST_ROW, lay.last_indicator_row
    op = DataValidation(
        type="list",
        formula1='"' + ",".join(OPERATORS) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="比较符",
        error="请从下拉列表中选择 ≥ ≤ = > <（也可以输入 >= 或 <=）；定性指标留空。",
        promptTitle="比较符",
        prompt="定量指标选 ≥ ≤ = > <；留空时按“≥”理解（故障率、投诉率、成本等越低越好的指标按“≤”）。",
        showInputMessage=True,
    )
    add(op, f"{L.OP_COL}{first}:{L.OP_COL}{last}")
    target = DataValidation(
        allow_blank=True,
        promptTitle="指标数值",
        prompt="定量指标填数字（单位填在右侧“指标单位”，百分比填 95 和 %）；定性指标填文字，如 健全。",
        showInputMessage=True,
    )
    add(target, f"{L.TARGET_NUMBER_COL}{first}:{L.TARGET_NUMBER_COL}{last}")
    actual = DataValidation(
        type="list",
        formula1='"' + ",".join(labels.QUALITATIVE_CHOICES) + '"',
        allow_blank=True,
        showErrorMessage=False,
        promptTitle="实际数值",
        prompt="定量指标填数字；定性指标可从下拉中选 达成/部分达成/未达成。",
        showInputMessage=True,
    )
    add(actual, f"{L.ACTUAL_NUMBER_COL}{first}:{L.ACTUAL_NUMBER_COL}{last}")
    unit = DataValidation(
        type="textLength",
        operator="lessThanOrEqual",
        formula1="12",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="单位",
        error="单位最多 12 个字，不含数字和括号，如 次、家次、万元、%。",
        promptTitle="单位",
        prompt="如 次、家次、万元、%；实际单位留空时与指标单位相同。",
        showInputMessage=True,
    )
    unit.add(f"{L.TARGET_UNIT_COL}{first}:{L.TARGET_UNIT_COL}{last}")
    add(unit, f"{L.ACTUAL_UNIT_COL}{first}:{L.ACTUAL_UNIT_COL}{last}")


def _note(ws: Worksheet, lay: L.Layout) -> None:
    """The note beside the form, outside the print area: what this flavour needs to compute."""
    put_text(ws, L.NOTE_CELL, NOTES[lay.flavor])
    ws[L.NOTE_CELL].font = Font(name=FONT_NAME, size=10, color="C00000" if not lay.native else "1F4E79")
    ws[L.NOTE_CELL].alignment = WRAP_TOP
    ws[L.NOTE_CELL].border = BORDER
    ws.merge_cells(L.NOTE_RANGE)


def _native_inputs(ws: Worksheet, lay: L.Layout) -> None:
    """The native flavour's structured inputs (K..O) and hidden intermediate columns (Q..V)."""
    h = L.INDICATOR_HEADER_ROW
    for col, text in zip(L.NATIVE_INPUT_COLS, L.NATIVE_INPUT_HEADER, strict=True):
        ws[f"{col}{h}"].border = BORDER
        _label(ws, f"{col}{h}", text)
    for col, text in zip(L.NATIVE_HELPER_COLS, L.NATIVE_HELPER_HEADER, strict=True):
        put_text(ws, f"{col}{h}", text)
        ws.column_dimensions[col].hidden = True
    put_text(ws, f"{L.PROFILE_INDEX_CELL[0]}{L.PROFILE_ROW - 1}", "（计算）评分规则序号")
    for i in range(lay.indicator_rows):
        r = lay.indicator_row(i)
        for col in L.NATIVE_INPUT_COLS:
            ref = f"{col}{r}"
            ws[ref].border = BORDER
            if col in (L.TARGET_NUMBER_COL, L.ACTUAL_NUMBER_COL):
                _style_input(ws, ref, align=WRAP_CENTER, fmt="General")
            else:
                _style_input(ws, ref, align=WRAP_CENTER, fmt="@")


def build_sheet(ws: Worksheet, lay: L.Layout, money_unit: str = "万元") -> None:
    """Lay out an empty form on ``ws``: labels, styles, formulas, validations, protection, print setup."""
    last = lay.last_row
    # borders and default font on the whole form
    for row in ws.iter_rows(min_row=1, max_row=last, min_col=1, max_col=len(L.COLUMNS)):
        for cell in row:
            cell.border = BORDER
            cell.font = Font(name=FONT_NAME, size=10)
            cell.alignment = WRAP_CENTER
    for col, width in L.WIDTHS.items():
        ws.column_dimensions[col].width = width

    put_text(ws, "A1", labels.TITLE)
    ws["A1"].font = Font(name=FONT_NAME, size=16, bold=True)
    ws.row_dimensions[L.TITLE_ROW].height = 32

    _label(ws, f"A{L.PROJECT_ROW}", labels.PROJECT)
    _label(ws, L.YEAR_LABEL_CELL, labels.YEAR)
    _label(ws, f"A{L.DEPARTMENT_ROW}", labels.DEPARTMENT)
    _label(ws, L.UNIT_LABEL_CELL, labels.UNIT)
    _label(ws, f"A{L.PROFILE_ROW}", labels.PROFILE)
    for ref in (L.PROJECT_CELL, L.YEAR_CELL, L.DEPARTMENT_CELL, L.UNIT_CELL, L.PROFILE_CELL):
        _style_input(ws, ref, fmt="@")
    put_text(ws, L.PROFILE_CELL, get_profile(None).title)
    put_text(ws, L.HINT_CELL, HINT_NATIVE if lay.native else HINT)
    ws[L.HINT_CELL].font = Font(name=FONT_NAME, size=9, italic=True, color="666666")
    ws[L.HINT_CELL].alignment = WRAP_LEFT
    for r in (L.PROJECT_ROW, L.DEPARTMENT_ROW, L.PROFILE_ROW):
        ws.row_dimensions[r].height = 22

    # funds block
    _label(ws, L.FUNDS_LABEL_CELL, L.money_label(money_unit))
    ws[f"{L.FUND_LABEL_COL}{L.FUNDS_HEADER_ROW}"].fill = HEADER
    for col, text in zip("CDEFGH", labels.FUNDS_HEADER, strict=True):
        _label(ws, f"{col}{L.FUNDS_HEADER_ROW}", text)
    for i, text in enumerate(labels.FUND_ROWS):
        r = L.fund_row(i)
        _label(ws, f"{L.FUND_LABEL_COL}{r}", text, fill=None, bold=False)
        for col in (L.FUND_INITIAL_COL, L.FUND_ANNUAL_COL, L.FUND_EXECUTED_COL):
            _style_input(ws, f"{col}{r}", align=Alignment(horizontal="right", vertical="center"), fmt=NUMBER)
        if i > 0:
            put_text(ws, f"{L.FUND_POINTS_COL}{r}", "-")
            put_text(ws, f"{L.FUND_SCORE_COL}{r}", "-")
    for r in range(L.FUNDS_HEADER_ROW, L.fund_row(L.FUND_ROWS - 1) + 1):
        for col in "IJ":
            ws[f"{col}{r}"].fill = HEADER

    # goals
    _label(ws, f"A{L.GOALS_ROW}", labels.GOALS)
    _label(ws, f"B{L.GOALS_ROW}", labels.GOAL_EXPECTED)
    _label(ws, f"E{L.GOALS_ROW}", labels.GOAL_ACTUAL)
    _style_input(ws, L.GOAL_EXPECTED_CELL, align=WRAP_TOP, fmt="@")
    _style_input(ws, L.GOAL_ACTUAL_CELL, align=WRAP_TOP, fmt="@")
    ws.row_dimensions[L.GOALS_TEXT_ROW].height = 120

    # indicators
    for col, text in zip(L.COLUMNS, L.INDICATOR_HEADER, strict=True):
        _label(ws, f"{col}{L.INDICATOR_HEADER_ROW}", text)
    ws.row_dimensions[L.INDICATOR_HEADER_ROW].height = 28
    text_inputs: tuple[str, ...] = (L.LEVEL1_COL, L.LEVEL2_COL, L.NAME_COL, L.DEVIATION_COL)
    if not lay.native:
        text_inputs += (L.TARGET_COL, L.ACTUAL_COL)
    for i in range(lay.indicator_rows):
        r = lay.indicator_row(i)
        for col in text_inputs:
            _style_input(ws, f"{col}{r}", fmt="@")
        _style_input(ws, f"{L.POINTS_COL}{r}", align=WRAP_CENTER, fmt=NUMBER)
        _style_input(ws, f"{L.JUDGEMENT_COL}{r}", align=WRAP_CENTER, fmt=NUMBER)
    if lay.native:
        _native_inputs(ws, lay)

    # totals and grade
    _label(ws, f"A{lay.total_row}", labels.TOTAL)
    for col in "HIJ":
        ws[f"{col}{lay.total_row}"].fill = HEADER
    _label(ws, f"A{lay.grade_row}", labels.GRADE)
    _label(ws, lay.form_remarks_label_cell, labels.REMARKS)

    # computed cells
    text_cells = {lay.grade_cell, lay.form_remarks_cell}
    text_cols = (L.REMARKS_COL, L.TARGET_COL, L.ACTUAL_COL) if lay.native else (L.REMARKS_COL,)
    text_cells |= {f"{c}{lay.indicator_row(i)}" for i in range(lay.indicator_rows) for c in text_cols}
    for ref, formula in lay.computed_cells().items():
        ws[ref].value = formula
        if ref in text_cells:
            align = WRAP_CENTER if ref == lay.grade_cell else WRAP_LEFT
            _style_computed(ws, ref, align=align, fmt=None)
        elif ref[0] in L.NATIVE_HELPER_COLS:  # hidden intermediate results
            ws[ref].protection = Protection(locked=True)
        else:
            _style_computed(ws, ref)
    for ref, formula in lay.array_formulas().items():  # one UDF call per column (Ctrl+Shift+Enter)
        for cell_ref in L.cells_of(ref):
            ws[cell_ref].value = None
        ws[L.cells_of(ref)[0]].value = ArrayFormula(ref, formula)
    ws[lay.grade_cell].font = Font(name=FONT_NAME, size=12, bold=True)
    for col in "FH":
        for r in range(L.fund_row(1), L.fund_row(L.FUND_ROWS - 1) + 1):
            ws[f"{col}{r}"].fill = COMPUTED
    ws[lay.form_remarks_cell].font = Font(name=FONT_NAME, size=10, color="C00000")
    for i in range(lay.indicator_rows):
        ws[f"{L.REMARKS_COL}{lay.indicator_row(i)}"].font = Font(name=FONT_NAME, size=9, color="C00000")

    for ref in lay.merges():
        ws.merge_cells(ref)
    _note(ws, lay)

    _validations(ws, lay)

    # protection: no password; staff may still resize rows and columns
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False
    ws.protection.formatCells = False

    # print: A4 landscape, one page wide, header row repeated
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_title_rows = f"{L.INDICATOR_HEADER_ROW}:{L.INDICATOR_HEADER_ROW}"
    ws.print_area = lay.print_area
    ws.sheet_view.zoomScale = 100


def _stated_judgement(ind: Indicator, profile) -> Decimal | None:
    """The 定性评分 to write, for qualitative indicators only: the form's judgement, else its stated 得分."""
    judgement = ind.judgement if ind.judgement is not None else ind.stated_score
    if judgement is None or ind.points is None:
        return None
    from . import rules

    try:
        kind = rules.score_indicator(ind, profile).kind
    except Exception:  # noqa: BLE001 - an unscorable row keeps no judgement
        return None
    return judgement if kind == "qualitative" else None


def _fill_native(ws: Worksheet, r: int, ind: Indicator, cached: dict[str, str]) -> None:
    """A target and an actual as the native flavour's structured inputs; what the composing formulas
    will show goes into ``cached`` (the cells' cached values)."""
    from .native import OP_SYMBOL, compose_actual, compose_target
    from .values import parse_value

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
        from .rules import infer_profile

        prof = infer_profile(form)[0]
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


def _remark_estimates(lay: L.Layout, form: Form, prof) -> dict[str, str]:
    """What each row's 审核提示 formula will roughly say (the engine's findings), to size the rows."""
    from .rules import evaluate

    try:
        result = evaluate(form, prof)
    except Exception:  # noqa: BLE001 - sizing is cosmetic: never stop an import for it
        return {}
    out = {}
    for i, ir in enumerate(result.indicators[: lay.indicator_rows]):
        text = L.remarks(f for f in ir.findings if f.code not in L.ROW_EXCLUDE)
        if text:
            out[f"{L.REMARKS_COL}{lay.indicator_row(i)}"] = text
    return out


_LINE_HEIGHT = {9: 12.0, 10: 13.5}  # points per wrapped line at the form's font sizes
_MIN_ROW_HEIGHT = 18.0


def _text_width(text: str) -> float:
    """Width of ``text`` in Excel character units (a CJK character is about two)."""
    return sum(2.0 if ord(ch) > 0x2E7F else 1.1 for ch in text)


def _lines(text: str, width: float) -> int:
    usable = max(width - 1.5, 1.0)
    return sum(max(1, -(-int(_text_width(part) * 10) // int(usable * 10))) for part in text.split("\n"))


def fit_rows(ws: Worksheet, lay: L.Layout, cached: dict[str, str] | None = None) -> None:
    """Row heights that show every wrapped text of the indicator rows and the form's 审核提示 in full.

    Formulas count by their ``cached`` value where one is known (else they are skipped: a live cell's
    text is not known before a spreadsheet computes it)."""
    cached = cached or {}

    def text_of(ref: str) -> str:
        value = ws[ref].value
        if isinstance(value, str) and value.startswith("=") and ws[ref].data_type == "f":
            return cached.get(ref, "")
        return "" if value is None else str(value)

    cols = (L.NAME_COL, L.TARGET_COL, L.ACTUAL_COL, L.DEVIATION_COL, L.REMARKS_COL)
    for i in range(lay.indicator_rows):
        r = lay.indicator_row(i)
        height = 0.0
        for col in cols:
            text = text_of(f"{col}{r}")
            if text:
                size = 9 if col == L.REMARKS_COL else 10
                lines = _lines(text, L.WIDTHS[col])
                height = max(height, _MIN_ROW_HEIGHT, lines * _LINE_HEIGHT[size] + 4)
        if height:  # rows without text keep the sheet's default height
            ws.row_dimensions[r].height = min(height, 409)
    remark = text_of(lay.form_remarks_cell)
    if remark:
        width = sum(L.WIDTHS[c] for c in L.COLUMNS[L.COLUMNS.index(lay.form_remarks_cell[0]) :])
        ws.row_dimensions[lay.grade_row].height = max(_MIN_ROW_HEIGHT, _lines(remark, width) * 13.5 + 4)


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def sheet_names(projects: list[str]) -> list[str]:
    """Valid, unique (case-insensitive) sheet names of at most 31 characters, from project names."""
    used = {L.CONF_SHEET.lower()}
    out = []
    for i, project in enumerate(projects, 1):
        base = (
            _BAD_SHEET_CHARS.sub("_", xml_text(project or "").replace("\n", " ")).strip().strip("'").strip()
            or f"表{i}"
        )
        base = base[:31]
        name, n = base, 1
        while name.lower() in used:
            n += 1
            suffix = f"({n})"
            name = base[: 31 - len(suffix)] + suffix
        used.add(name.lower())
        out.append(name)
    return out


def _conf_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet(L.CONF_SHEET)
    put_text(ws, "A1", "UDF Modules")
    put_text(ws, "B1", "udfs")
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 16
    ws.sheet_state = "hidden"  # xlwings reads it hidden too; staff neither see nor print it


def build_workbook(
    forms: list[Form] | None = None, flavor: str = "classic", profile=None, rows: int | None = None
) -> Workbook:
    """The template workbook: one empty form sheet (``rows`` indicator rows, at least 30), or one
    filled sheet per form; plus xlwings.conf for the classic flavour."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])  # the new workbook's one default sheet
    wb.properties.creator = "perfeval-xl"
    wb.properties.title = labels.TITLE
    wb.properties.created = _FIXED_DATE
    wb.properties.modified = _FIXED_DATE
    cached: dict[str, dict[str, str | Decimal]] = {}
    if not forms:
        ws = wb.create_sheet(TEMPLATE_SHEET)
        build_sheet(ws, L.Layout.for_count(rows or 0, flavor))
    else:
        for form, name in zip(forms, sheet_names([f.project for f in forms]), strict=True):
            lay = L.Layout.for_count(len(form.indicators), flavor)
            ws = wb.create_sheet(name)
            build_sheet(ws, lay, form.money_unit or "万元")
            values = fill_sheet(ws, lay, form, profile)
            if values:
                cached.setdefault(name, {}).update(values)
    for ws in wb.worksheets:  # the budget points (分数) a reader takes from the sheet: known here
        points = get_profile(_profile_key(ws[L.PROFILE_CELL].value)).budget_points
        cached.setdefault(ws.title, {})[L.BUDGET_POINTS_CELL] = points
    wb.perfeval_cached = cached  # type: ignore[attr-defined]  # written by save_workbook
    if flavor == "classic":
        _conf_sheet(wb)
    wb.active = 0
    return wb


def save_workbook(wb: Workbook, path: str | os.PathLike[str]) -> Path:
    """Save atomically with the user's umask (:func:`perfeval_xl.safeout.atomic_write`), every text
    cell XML-safe first; formula cells the native flavour composes get their cached values."""
    _xml_safe_cells(wb)
    cached = getattr(wb, "perfeval_cached", None)
    titles = [ws.title for ws in wb.worksheets]

    def write(tmp: str) -> None:
        wb.save(tmp)
        if cached:
            _write_cached_values(tmp, titles, cached)

    return atomic_write(path, write)


def _xml_safe_cells(wb: Workbook) -> None:
    """Text cells of a workbook opened from a file (recalc) may hold characters XML forbids."""
    for ws in wb.worksheets:
        for cell in ws._cells.values():  # only the cells that exist (iter_rows would create blanks)
            v = cell.value
            if type(v) is str and not (v.isascii() and v.isprintable()):
                # openpyxl's own slot, undeclared in its stubs: the value setter would read "=…" as a formula
                cell._value = xml_text(v)  # type: ignore[union-attr]


_FORMULA_CELL = re.compile(r'<c r="([A-Z]{1,3}[0-9]+)"([^>]*)><f>(.*?)</f>(?:<v\s*/>|<v></v>)</c>', re.S)


def _profile_key(value: object) -> str | None:
    from .profiles import find_profile

    found = find_profile(str(value)) if value else None
    return found.name if found is not None else None


def _write_cached_values(path: str, titles: list[str], cached: dict[str, dict[str, str | Decimal]]) -> None:
    """Give formula cells of the saved workbook a cached value, text or number (openpyxl writes none).

    Spreadsheets recalculate and replace it; readers that do not calculate (calamine, pandas,
    ``perfeval-xl score``) see what the formula shows. Only the cells named in ``cached`` change."""
    import zipfile
    from xml.sax.saxutils import escape

    parts = {f"xl/worksheets/sheet{i}.xml": cached[t] for i, t in enumerate(titles, 1) if t in cached}
    tmp = path + ".cache"
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info.filename)
                values = parts.get(info.filename)
                if values:

                    def put(m: re.Match[str], values: dict[str, str | Decimal] = values) -> str:
                        known = values.get(m.group(1))
                        if known is None:
                            return m.group(0)
                        attrs = re.sub(r'\st="[^"]*"', "", m.group(2))
                        if isinstance(known, Decimal):
                            kind, value = "", format(known, "f")
                        else:
                            kind, value = ' t="str"', escape(xml_text(known))
                        return f'<c r="{m.group(1)}"{attrs}{kind}><f>{m.group(3)}</f><v>{value}</v></c>'

                    data = _FORMULA_CELL.sub(put, data.decode("utf-8")).encode("utf-8")
                dst.writestr(info, data)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)

"""The empty form on a sheet: labels, styles, computed cells' formulas, merges, the note beside the form,
validations, protection and print set-up.

Every coordinate comes from :mod:`perfeval_xl.layout`, every label from :mod:`perfeval_xl.labels`, every
formula from :mod:`perfeval_xl.sheetformulas` (the flavour's UDF calls or built-in functions).
"""

from __future__ import annotations

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Font
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from . import labels, sheetformulas
from . import layout as L
from .profiles import get_profile
from .template_style import (
    BORDER,
    COMPUTED,
    FONT,
    FONT_NAME,
    HEADER,
    LOCKED,
    NUMBER,
    RIGHT,
    WRAP_CENTER,
    WRAP_LEFT,
    WRAP_TOP,
    label,
    put_text,
    restyle,
    style_computed,
    style_input,
)
from .template_validation import add_validations

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
        label(ws, f"{col}{h}", text)
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
                style_input(ws, ref, align=WRAP_CENTER, fmt="General")
            else:
                style_input(ws, ref, align=WRAP_CENTER, fmt="@")


REMARK_FONT = Font(name=FONT_NAME, size=9, color="C00000")


def _lock(cell: Cell | MergedCell) -> None:
    cell.protection = LOCKED


def _remark_font(cell: Cell | MergedCell) -> None:
    cell.font = REMARK_FONT


def build_sheet(ws: Worksheet, lay: L.Layout, money_unit: str = "万元") -> None:
    """Lay out an empty form on ``ws``: labels, styles, formulas, validations, protection, print setup."""
    last = lay.last_row

    # borders and default font on the whole form
    def base(cell: Cell | MergedCell) -> None:
        cell.border = BORDER
        cell.font = FONT
        cell.alignment = WRAP_CENTER

    for row in ws.iter_rows(min_row=1, max_row=last, min_col=1, max_col=len(L.COLUMNS)):
        for cell in row:
            restyle(cell, "base", base)
    for col, width in L.WIDTHS.items():
        ws.column_dimensions[col].width = width

    put_text(ws, "A1", labels.TITLE)
    ws["A1"].font = Font(name=FONT_NAME, size=16, bold=True)
    ws.row_dimensions[L.TITLE_ROW].height = 32

    label(ws, f"A{L.PROJECT_ROW}", labels.PROJECT)
    label(ws, L.YEAR_LABEL_CELL, labels.YEAR)
    label(ws, f"A{L.DEPARTMENT_ROW}", labels.DEPARTMENT)
    label(ws, L.UNIT_LABEL_CELL, labels.UNIT)
    label(ws, f"A{L.PROFILE_ROW}", labels.PROFILE)
    for ref in (L.PROJECT_CELL, L.YEAR_CELL, L.DEPARTMENT_CELL, L.UNIT_CELL, L.PROFILE_CELL):
        style_input(ws, ref, fmt="@")
    put_text(ws, L.PROFILE_CELL, get_profile(None).title)
    put_text(ws, L.HINT_CELL, HINT_NATIVE if lay.native else HINT)
    ws[L.HINT_CELL].font = Font(name=FONT_NAME, size=9, italic=True, color="666666")
    ws[L.HINT_CELL].alignment = WRAP_LEFT
    for r in (L.PROJECT_ROW, L.DEPARTMENT_ROW, L.PROFILE_ROW):
        ws.row_dimensions[r].height = 22

    # funds block
    label(ws, L.FUNDS_LABEL_CELL, L.money_label(money_unit))
    ws[f"{L.FUND_LABEL_COL}{L.FUNDS_HEADER_ROW}"].fill = HEADER
    for col, text in zip("CDEFGH", labels.FUNDS_HEADER, strict=True):
        label(ws, f"{col}{L.FUNDS_HEADER_ROW}", text)
    for i, text in enumerate(labels.FUND_ROWS):
        r = L.fund_row(i)
        label(ws, f"{L.FUND_LABEL_COL}{r}", text, fill=None, bold=False)
        for col in (L.FUND_INITIAL_COL, L.FUND_ANNUAL_COL, L.FUND_EXECUTED_COL):
            style_input(ws, f"{col}{r}", align=RIGHT, fmt=NUMBER)
        if i > 0:
            put_text(ws, f"{L.FUND_POINTS_COL}{r}", "-")
            put_text(ws, f"{L.FUND_SCORE_COL}{r}", "-")
    for r in range(L.FUNDS_HEADER_ROW, L.fund_row(L.FUND_ROWS - 1) + 1):
        for col in "IJ":
            ws[f"{col}{r}"].fill = HEADER

    # goals
    label(ws, f"A{L.GOALS_ROW}", labels.GOALS)
    label(ws, f"B{L.GOALS_ROW}", labels.GOAL_EXPECTED)
    label(ws, f"E{L.GOALS_ROW}", labels.GOAL_ACTUAL)
    style_input(ws, L.GOAL_EXPECTED_CELL, align=WRAP_TOP, fmt="@")
    style_input(ws, L.GOAL_ACTUAL_CELL, align=WRAP_TOP, fmt="@")
    ws.row_dimensions[L.GOALS_TEXT_ROW].height = 120

    # indicators
    for col, text in zip(L.COLUMNS, L.INDICATOR_HEADER, strict=True):
        label(ws, f"{col}{L.INDICATOR_HEADER_ROW}", text)
    ws.row_dimensions[L.INDICATOR_HEADER_ROW].height = 28
    text_inputs: tuple[str, ...] = (L.LEVEL1_COL, L.LEVEL2_COL, L.NAME_COL, L.DEVIATION_COL)
    if not lay.native:
        text_inputs += (L.TARGET_COL, L.ACTUAL_COL)
    for i in range(lay.indicator_rows):
        r = lay.indicator_row(i)
        for col in text_inputs:
            style_input(ws, f"{col}{r}", fmt="@")
        style_input(ws, f"{L.POINTS_COL}{r}", align=WRAP_CENTER, fmt=NUMBER)
        style_input(ws, f"{L.JUDGEMENT_COL}{r}", align=WRAP_CENTER, fmt=NUMBER)
    if lay.native:
        _native_inputs(ws, lay)

    # totals and grade
    label(ws, f"A{lay.total_row}", labels.TOTAL)
    for col in "HIJ":
        ws[f"{col}{lay.total_row}"].fill = HEADER
    label(ws, f"A{lay.grade_row}", labels.GRADE)
    label(ws, lay.form_remarks_label_cell, labels.REMARKS)

    # computed cells
    text_cells = {lay.grade_cell, lay.form_remarks_cell}
    text_cols = (L.REMARKS_COL, L.TARGET_COL, L.ACTUAL_COL) if lay.native else (L.REMARKS_COL,)
    text_cells |= {f"{c}{lay.indicator_row(i)}" for i in range(lay.indicator_rows) for c in text_cols}
    for ref, formula in sheetformulas.computed_cells(lay).items():
        ws[ref].value = formula
        if ref in text_cells:
            align = WRAP_CENTER if ref == lay.grade_cell else WRAP_LEFT
            style_computed(ws, ref, align=align, fmt=None)
        elif ref[0] in L.NATIVE_HELPER_COLS:  # hidden intermediate results
            restyle(ws[ref], LOCKED, _lock)
        else:
            style_computed(ws, ref)
    for ref, formula in sheetformulas.array_formulas(
        lay
    ).items():  # one UDF call per column (Ctrl+Shift+Enter)
        for cell_ref in L.cells_of(ref):
            ws[cell_ref].value = None
        ws[L.cells_of(ref)[0]].value = ArrayFormula(ref, formula)
    ws[lay.grade_cell].font = Font(name=FONT_NAME, size=12, bold=True)
    for col in "FH":
        for r in range(L.fund_row(1), L.fund_row(L.FUND_ROWS - 1) + 1):
            ws[f"{col}{r}"].fill = COMPUTED
    ws[lay.form_remarks_cell].font = Font(name=FONT_NAME, size=10, color="C00000")
    for i in range(lay.indicator_rows):
        restyle(ws[f"{L.REMARKS_COL}{lay.indicator_row(i)}"], REMARK_FONT, _remark_font)

    for ref in lay.merges():
        ws.merge_cells(ref)
    _note(ws, lay)

    add_validations(ws, lay)

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

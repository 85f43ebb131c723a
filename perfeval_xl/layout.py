"""The one definition of the template's layout: where every label, input and computed cell is.

Building (:mod:`perfeval_xl.template`), filling (``perfeval-xl import``), recalculating
(``perfeval-xl recalc``) and the tests all take their coordinates from here. The formulas of the
computed cells are written from these coordinates by :mod:`perfeval_xl.udf_formulas` (classic and Lite:
UDF calls) and :mod:`perfeval_xl.native` (built-in functions only); :mod:`perfeval_xl.sheetformulas`
gives each sheet its flavour's. This module imports neither. Standard library only.

The sheet, columns A..J::

    1   title (A1:J1 merged)
    2   项目名称 | value B2:F2            | 年度 G2 | value H2:J2
    3   主管部门 | value B3:D3            | 实施单位 E3 | value F3:J3
    4   评分规则 | profile B4:D4 (list)   | hint E4:J4
    5   项目资金（万元） A5:A9 | B5 blank | 年初预算数 全年预算数 全年执行数 分数 执行率 得分 (C..H)
    6-9 fund rows: label B, inputs C D E, 分数 F, 执行率 G, 得分 H
    10  年度总体目标 A10:A11 | 预期目标 B10:D10 | 实际完成情况 E10:J10
    11  expected text B11:D11 | actual text E11:J11
    12  indicator header: 一级指标 .. 偏差原因分析 (A..H), 定性评分 I, 审核提示 J
    13..  indicator rows (``indicator_rows`` of them, at least 30)
    T   合计 | 分值 sum F, 得分 sum G
    T+1 评分等级 | grade B | 审核提示 C | form-level findings D:J

A header field's value is always the first cell to the right of its label, as the reader expects.

Columns K..O, outside the print area, hold a note (rows 1..9). The ``native`` flavour (formulas with
built-in functions only, for WPS, LibreOffice and Excel without add-ins) also uses them from row 12
down for its structured inputs (比较符, 指标数值, 指标单位, 实际数值, 实际单位): there 年度指标值 and
实际完成值 are composed by formulas, and hidden columns Q..V hold intermediate results
(:mod:`perfeval_xl.native` writes those formulas).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import labels

COLUMNS = "ABCDEFGHIJ"
LAST_COLUMN = COLUMNS[-1]

#: column widths in Excel character units (K..O: the note, and the native flavour's inputs)
WIDTHS = {
    "A": 12,
    "B": 16,
    "C": 30,
    "D": 20,
    "E": 20,
    "F": 9,
    "G": 9,
    "H": 28,
    "I": 10,
    "J": 26,
    "K": 8,
    "L": 12,
    "M": 10,
    "N": 12,
    "O": 10,
}

TITLE_ROW = 1
PROJECT_ROW = 2
DEPARTMENT_ROW = 3
PROFILE_ROW = 4
FUNDS_HEADER_ROW = 5
FUND_FIRST_ROW = 6
FUND_ROWS = len(labels.FUND_ROWS)  # 4
GOALS_ROW = FUND_FIRST_ROW + FUND_ROWS  # 10
GOALS_TEXT_ROW = GOALS_ROW + 1  # 11
INDICATOR_HEADER_ROW = GOALS_TEXT_ROW + 1  # 12
INDICATOR_FIRST_ROW = INDICATOR_HEADER_ROW + 1  # 13
MIN_INDICATOR_ROWS = 30

# header block
PROJECT_CELL = f"B{PROJECT_ROW}"
YEAR_LABEL_CELL = f"G{PROJECT_ROW}"
YEAR_CELL = f"H{PROJECT_ROW}"
DEPARTMENT_CELL = f"B{DEPARTMENT_ROW}"
UNIT_LABEL_CELL = f"E{DEPARTMENT_ROW}"
UNIT_CELL = f"F{DEPARTMENT_ROW}"
PROFILE_CELL = f"B{PROFILE_ROW}"
PROFILE_REF = f"$B${PROFILE_ROW}"  # as formulas reference it
HINT_CELL = f"E{PROFILE_ROW}"

# funds block: columns
FUND_LABEL_COL = "B"
FUND_INITIAL_COL = "C"
FUND_ANNUAL_COL = "D"
FUND_EXECUTED_COL = "E"
FUND_POINTS_COL = "F"
FUND_RATE_COL = "G"
FUND_SCORE_COL = "H"
FUNDS_LABEL_CELL = f"A{FUNDS_HEADER_ROW}"
FUND_TOTAL_ROW = FUND_FIRST_ROW
BUDGET_POINTS_CELL = f"{FUND_POINTS_COL}{FUND_TOTAL_ROW}"
BUDGET_SCORE_CELL = f"{FUND_SCORE_COL}{FUND_TOTAL_ROW}"

# goals
GOAL_EXPECTED_CELL = f"B{GOALS_TEXT_ROW}"
GOAL_ACTUAL_CELL = f"E{GOALS_TEXT_ROW}"

# indicator block: columns
LEVEL1_COL = "A"
LEVEL2_COL = "B"
NAME_COL = "C"
TARGET_COL = "D"
ACTUAL_COL = "E"
POINTS_COL = "F"
SCORE_COL = "G"
DEVIATION_COL = "H"
JUDGEMENT_COL = "I"
REMARKS_COL = "J"
INDICATOR_HEADER = (*labels.INDICATOR_HEADER, labels.JUDGEMENT, labels.REMARKS)

#: fill colours (ARGB without alpha): inputs light yellow, computed light blue-grey, headers grey
INPUT_FILL = "FFF2CC"
COMPUTED_FILL = "E7EEF7"
HEADER_FILL = "D9D9D9"

#: xlwings configuration sheet
CONF_SHEET = "xlwings.conf"
FLAVORS = ("classic", "lite", "native")
LITE_NAMESPACE = "XLWINGS"  # only recognised, in templates an earlier version wrote for Lite

#: the note beside the form, outside the print area (both flavours say what they need)
NOTE_RANGE = f"K{TITLE_ROW}:O{FUND_FIRST_ROW + FUND_ROWS - 1}"
NOTE_CELL = NOTE_RANGE.split(":")[0]

# native flavour: structured inputs right of the form (outside the print area) ...
OP_COL = "K"  # 比较符
TARGET_NUMBER_COL = "L"  # 指标数值 (or the words of a qualitative target)
TARGET_UNIT_COL = "M"  # 指标单位
ACTUAL_NUMBER_COL = "N"  # 实际数值 (or 达成/部分达成/未达成)
ACTUAL_UNIT_COL = "O"  # 实际单位
NATIVE_INPUT_HEADER = ("比较符", "指标数值", "指标单位", "实际数值", "实际单位")
NATIVE_INPUT_COLS = (OP_COL, TARGET_NUMBER_COL, TARGET_UNIT_COL, ACTUAL_NUMBER_COL, ACTUAL_UNIT_COL)
# ... and hidden columns of intermediate results (row 4: the rule profile's number; 0 = unknown)
PROFILE_INDEX_CELL = "Q4"
LEVEL1_RUN_COL = "Q"  # 一级指标, continued down a group
LEVEL2_RUN_COL = "R"  # 二级指标, continued down a group
STATUS_COL = "S"  # "" | 定量 | 定性 | 缺分值 | 负分值 | 核对：reason
EFFECTIVE_OP_COL = "T"  # ≥ ≤ = > < of a quantitative row
ACTUAL_VALUE_COL = "U"  # the actual in the target's unit, or 达成/部分达成/未达成/无法识别/缺
COMPARE_COL = "V"  # -1 / 0 / 1: actual against target
NATIVE_HELPER_HEADER = (
    "（计算）一级",
    "（计算）二级",
    "（计算）状态",
    "（计算）比较符",
    "（计算）实际值",
    "（计算）比较",
)
NATIVE_HELPER_COLS = ("Q", "R", "S", "T", "U", "V")
#: what a native cell shows where it cannot follow the engine
CHECK_TEXT = labels.CHECK


def money_label(unit: str = "万元") -> str:
    """The funds block's label, e.g. ``项目资金（万元）``."""
    return f"{labels.FUNDS}（{unit}）"


def fund_row(index: int) -> int:
    """Sheet row of fund row ``index`` (0 = 年度资金总额 .. 3 = 其他资金)."""
    return FUND_FIRST_ROW + index


@dataclass(frozen=True)
class Layout:
    """Row positions that depend on the number of indicator rows (at least 30)."""

    indicator_rows: int = MIN_INDICATOR_ROWS
    flavor: str = "classic"

    def __post_init__(self) -> None:
        if self.indicator_rows < 1:
            raise ValueError("indicator_rows must be positive")
        if self.flavor not in FLAVORS:
            raise ValueError(f"未知的模板类型“{self.flavor}”，可用：{'、'.join(FLAVORS)}")

    @classmethod
    def for_count(cls, count: int, flavor: str = "classic") -> Layout:
        """A layout with room for ``count`` indicators (never fewer than 30 rows)."""
        return cls(max(MIN_INDICATOR_ROWS, count), flavor)

    @property
    def last_indicator_row(self) -> int:
        return INDICATOR_FIRST_ROW + self.indicator_rows - 1

    def indicator_row(self, index: int) -> int:
        """Sheet row of indicator ``index`` (0-based)."""
        if not 0 <= index < self.indicator_rows:
            raise IndexError(index)
        return INDICATOR_FIRST_ROW + index

    @property
    def total_row(self) -> int:
        return self.last_indicator_row + 1

    @property
    def grade_row(self) -> int:
        return self.total_row + 1

    @property
    def last_row(self) -> int:
        return self.grade_row

    @property
    def total_points_cell(self) -> str:
        return f"{POINTS_COL}{self.total_row}"

    @property
    def total_score_cell(self) -> str:
        return f"{SCORE_COL}{self.total_row}"

    @property
    def grade_cell(self) -> str:
        return f"B{self.grade_row}"

    @property
    def form_remarks_label_cell(self) -> str:
        return f"C{self.grade_row}"

    @property
    def form_remarks_cell(self) -> str:
        return f"D{self.grade_row}"

    @property
    def print_area(self) -> str:
        return f"A1:{LAST_COLUMN}{self.last_row}"

    def col_range(self, col: str) -> str:
        """The indicator rows of one column, e.g. ``F13:F42``."""
        return f"{col}{INDICATOR_FIRST_ROW}:{col}{self.last_indicator_row}"

    @property
    def native(self) -> bool:
        return self.flavor == "native"

    def input_cells(self) -> list[str]:
        """Every cell staff fill in (unlocked, marked with the input fill)."""
        cells = [PROJECT_CELL, YEAR_CELL, DEPARTMENT_CELL, UNIT_CELL, PROFILE_CELL]
        for i in range(FUND_ROWS):
            r = fund_row(i)
            cells += [f"{FUND_INITIAL_COL}{r}", f"{FUND_ANNUAL_COL}{r}", f"{FUND_EXECUTED_COL}{r}"]
        cells += [GOAL_EXPECTED_CELL, GOAL_ACTUAL_CELL]
        if self.native:  # 年度指标值 and 实际完成值 are composed from the structured inputs
            inputs: tuple[str, ...] = (LEVEL1_COL, LEVEL2_COL, NAME_COL, POINTS_COL, DEVIATION_COL)
            inputs += (JUDGEMENT_COL, *NATIVE_INPUT_COLS)
        else:
            inputs = (LEVEL1_COL, LEVEL2_COL, NAME_COL, TARGET_COL, ACTUAL_COL, POINTS_COL, DEVIATION_COL)
            inputs += (JUDGEMENT_COL,)
        for i in range(self.indicator_rows):
            r = self.indicator_row(i)
            cells += [f"{c}{r}" for c in inputs]
        return cells

    def merges(self) -> list[str]:
        """Merged ranges of the sheet."""
        g = self.grade_row
        return [
            f"A{TITLE_ROW}:{LAST_COLUMN}{TITLE_ROW}",
            f"B{PROJECT_ROW}:F{PROJECT_ROW}",
            f"H{PROJECT_ROW}:J{PROJECT_ROW}",
            f"B{DEPARTMENT_ROW}:D{DEPARTMENT_ROW}",
            f"F{DEPARTMENT_ROW}:J{DEPARTMENT_ROW}",
            f"B{PROFILE_ROW}:D{PROFILE_ROW}",
            f"E{PROFILE_ROW}:J{PROFILE_ROW}",
            f"A{FUNDS_HEADER_ROW}:A{FUND_FIRST_ROW + FUND_ROWS - 1}",
            f"A{GOALS_ROW}:A{GOALS_TEXT_ROW}",
            f"B{GOALS_ROW}:D{GOALS_ROW}",
            f"E{GOALS_ROW}:{LAST_COLUMN}{GOALS_ROW}",
            f"B{GOALS_TEXT_ROW}:D{GOALS_TEXT_ROW}",
            f"E{GOALS_TEXT_ROW}:{LAST_COLUMN}{GOALS_TEXT_ROW}",
            f"A{self.total_row}:E{self.total_row}",
            f"D{g}:{LAST_COLUMN}{g}",
        ]


def cells_of(ref: str) -> list[str]:
    """The cells of a one-column range such as ``G13:G42``."""
    first, _, last = ref.partition(":")
    col = first.rstrip("0123456789")
    start, end = int(first[len(col) :]), int((last or first)[len(col) :])
    return [f"{col}{row}" for row in range(start, end + 1)]


def layout_of_sheet(ws, flavor: str | None = None) -> Layout | None:
    """The layout of an existing template sheet (openpyxl worksheet), found from its 合计 row.

    Returns None when the sheet is not a form sheet of this template (its indicator header is not
    where the layout puts it)."""
    header = [ws[f"{c}{INDICATOR_HEADER_ROW}"].value for c in COLUMNS[: len(labels.INDICATOR_HEADER)]]
    if tuple(header) != labels.INDICATOR_HEADER:
        return None
    for row in range(INDICATOR_FIRST_ROW, ws.max_row + 1):
        if ws[f"A{row}"].value == labels.TOTAL:
            count = row - INDICATOR_FIRST_ROW
            if count < 1:
                return None
            if flavor is None:
                formula = ws[BUDGET_SCORE_CELL].value
                if ws[f"{OP_COL}{INDICATOR_HEADER_ROW}"].value == NATIVE_INPUT_HEADER[0]:
                    flavor = "native"
                elif isinstance(formula, str) and f"{LITE_NAMESPACE}." in formula:
                    flavor = "lite"  # written by an earlier version with the Server namespace
                elif CONF_SHEET not in ws.parent.sheetnames:
                    flavor = "lite"  # per-cell formulas and no xlwings.conf sheet (Lite has no use for it)
                else:
                    flavor = "classic"
            return Layout(count, flavor)
    return None

"""The template's data validations: drop-downs (一级/二级指标, 实际完成值, 评分规则, the native
flavour's 比较符), allowed ranges (金额, 分值, 定性评分) and the prompts staff see while typing."""

from __future__ import annotations

from collections.abc import Callable

from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from . import labels
from . import layout as L
from .native_row import OPERATORS
from .profiles import PROFILES


def profile_titles() -> list[str]:
    return [p.title for p in PROFILES.values()]


def add_validations(ws: Worksheet, lay: L.Layout) -> None:
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


def _native_validations(ws: Worksheet, lay: L.Layout, add: Callable[[DataValidation, str], None]) -> None:
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

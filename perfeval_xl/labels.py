"""The form's own words: the labels that anchor the reader and that the template prints.

Every Chinese label the tool looks for or writes is defined here once, so the reader, the template
layout and the summary workbook cannot drift apart. Standard library only.
"""

from __future__ import annotations

#: Title variants seen on published forms.
TITLES = ("财政项目支出绩效自我评价", "财政项目支出绩效自评价", "财政项目支出绩效自评表")
TITLE = TITLES[0]

PROJECT = "项目名称"
DEPARTMENT = "主管部门"
UNIT = "实施单位"
YEAR = "年度"
PROFILE = "评分规则"  # template only: which rule profile the form is scored under

FUNDS = "项目资金"  # followed by （万元） or （元）
FUNDS_HEADER = ("年初预算数", "全年预算数", "全年执行数", "分数", "执行率", "得分")
FUND_TOTAL = "年度资金总额"
FUND_CURRENT = "其中：当年财政拨款"
FUND_CARRIED = "上年结转资金"
FUND_OTHER = "其他资金"
FUND_ROWS = (FUND_TOTAL, FUND_CURRENT, FUND_CARRIED, FUND_OTHER)

GOALS = "年度总体目标"
GOAL_EXPECTED = "预期目标"
GOAL_ACTUAL = "实际完成情况"

LEVEL1 = "一级指标"
LEVEL2 = "二级指标"
LEVEL3 = "三级指标"
TARGET = "年度指标值"
ACTUAL = "实际完成值"
POINTS = "分值"
SCORE = "得分"
DEVIATION = "偏差原因分析"
JUDGEMENT = "定性评分"  # template only: the reviewer's score for a qualitative indicator
REMARKS = "审核提示"  # template only: live findings of the row (computed, never read back)
INDICATOR_HEADER = (LEVEL1, LEVEL2, LEVEL3, TARGET, ACTUAL, POINTS, SCORE, DEVIATION)

TOTAL = "合计"
GRADE = "评分等级"

MONEY_UNITS = ("万元", "元")  # 万元 first: "元" is inside "万元"

LEVEL1_CHOICES = ("产出指标", "效益指标", "满意度指标", "成本指标")
LEVEL2_CHOICES = (
    "数量指标",
    "质量指标",
    "时效指标",
    "成本指标",
    "经济效益指标",
    "社会效益指标",
    "生态效益指标",
    "可持续影响指标",
    "服务对象满意度指标",
)
QUALITATIVE_CHOICES = ("达成", "部分达成", "未达成")
GRADES = ("优", "良", "中", "差")

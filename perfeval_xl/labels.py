"""The form's own words: the labels that anchor the reader and that the template prints.

Every Chinese label the tool looks for or writes is defined here once, so the reader, the template
layout and the summary workbook cannot drift apart. Standard library only.

The first part holds the official wording the template prints (``TITLE``, ``FUNDS_HEADER`` …). The
second part, the *vocabulary*, holds every synonym real published forms use for the same things
(the MoF 2020 national template and the provinces' variants of it): supporting a new province is
adding words here, never code. The reader normalizes a cell before looking it up (whitespace removed,
half-width ``: ( )`` as full-width ``：（ ）``, a trailing colon dropped; column headers also lose a
trailing bracketed note such as ``(A)`` or ``（万元）``), so the words below are written normalized.
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
CHECK = "核对"  # native template only: a computed cell whose formula defers to perfeval-xl (no number stated)
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


# ============================================================================ the vocabulary
# Words as they are looked up: normalized (no whitespace, full-width ：（）, no trailing colon).

#: Form kinds: a project form (项目支出), the department-wide form (部门整体支出) and the
#: transfer-payment form (转移支付). Same rules; they differ in their header words and funds block.
KIND_PROJECT, KIND_DEPARTMENT, KIND_TRANSFER = "project", "department", "transfer"
KIND_NAMES = {KIND_PROJECT: "项目支出", KIND_DEPARTMENT: "部门整体支出", KIND_TRANSFER: "转移支付"}
#: words of a title that name the kind (checked in this order); otherwise the name label decides
KIND_TITLE_WORDS = (("转移支付", KIND_TRANSFER), ("部门整体", KIND_DEPARTMENT), ("整体支出", KIND_DEPARTMENT))

#: The label naming the form (its anchor: every form has one), and the kind each one implies.
NAME_LABELS = {
    PROJECT: KIND_PROJECT,
    "项目名称（专项名称）": KIND_PROJECT,
    "部门名称": KIND_DEPARTMENT,
    "部门": KIND_DEPARTMENT,
    "部门（单位）名称": KIND_DEPARTMENT,
    "单位（部门）名称": KIND_DEPARTMENT,
    "专项名称": KIND_TRANSFER,
    "转移支付名称": KIND_TRANSFER,
    "专项资金名称": KIND_TRANSFER,
    "转移支付（项目）名称": KIND_TRANSFER,
    "一级预算单位名称": KIND_DEPARTMENT,
    "预算单位名称": KIND_DEPARTMENT,
}
#: The other header fields: Form attribute -> labels (the first one found in the form is read).
HEADER_FIELD_LABELS = {
    "department": (
        DEPARTMENT,
        "主管部门及代码",
        "中央主管部门",
        "地方主管部门",
        "省级主管部门",
        "主管单位",
        "项目主管部门",
        "县级主管部门",
        "市级主管部门",
    ),
    "unit": (UNIT, "项目实施单位", "资金使用单位", "实施单位（盖章）", "预算单位", "项目单位"),
    "year": (YEAR, "评价年度", "自评年度", "项目年度", "年份"),
    "profile": (PROFILE,),
}
#: The form's own 总分 stated among the header fields (Ningxia: 实施单位 … 自评得分 | 98; Chongqing:
#: 自评总分(分) | 97.6); a 总分 row below, when there is one, is read instead.
HEADER_TOTAL_LABELS = ("自评得分", "自评总分", "自评总分（分）", "自评分数")
#: The key of ``Form.level1_points`` for points stated only for the whole indicator table, in its block
#: title (年度绩效目标 (80分)): all its indicators form one group.
WHOLE_TABLE = "*"
#: Header labels the reader does not use but must know, so that a blank field before them never takes
#: them as its value (Chongqing: 主管部门 | (blank) | 财政处室 | (blank)).
OTHER_HEADER_LABELS = (
    "财政处室",
    "部门联系人",
    "联系人",
    "联系电话",
    "项目负责人",
    "填报人",
    "填报日期",
    "财政审核评分",
)
#: The sign-off line under a form (填报人： | 张三 | 联系电话： | …): below the indicator header such a row
#: ends the table, as the 总分 row does (a form cut before its 总分 row took it for an indicator).
SIGNATURE_LABELS = (
    "填报人",
    "填表人",
    "联系人",
    "联系电话",
    "单位负责人",
    "财务负责人",
    "部门负责人",
    "项目负责人",
    "审核人",
    "制表人",
    "经办人",
    "填报日期",
    "填表日期",
)
#: How a message names an indicator whose 三级指标 is blank.
UNNAMED_INDICATOR = "（未命名指标）"
#: A 三级指标 that breaks the indicator above it down (其中桃树种植面积 under 种植面积), with no 分值 or
#: 得分 of its own: not an indicator (``score --explain`` lists it).
BREAKDOWN_PREFIX = "其中"
#: a year stated in the title or beside it: （2022年度）, 2022年
YEAR_IN_TITLE = r"((?:19|20)\d\d)\s*年"

#: 年度总体目标 sub-labels.
GOAL_EXPECTED_LABELS = (GOAL_EXPECTED, "年度目标", "预期目标（年初设定）", "年初设定目标", "项目年度目标")
GOAL_ACTUAL_LABELS = (
    GOAL_ACTUAL,
    "目标实际完成情况",
    "全年实际完成情况",
    "实际完成目标",
    "年度总体目标完成情况综述",
    "年度目标完成情况",
)
#: A money unit stated once for the whole form, beside the header: 单位：万元.
MONEY_UNIT_LABELS = ("单位", "金额单位")

#: Titles of the funds block (a cell starting with one of these; the rest may say the money unit
#: and the budget points: 预算执行情况(万元)(20分)).
FUNDS_TITLES = (
    FUNDS,
    "资金情况",
    "预算资金",
    "年度预算申请",
    "预算执行情况",
    "项目预算执行情况",
    "部门预算执行情况",  # Chongqing department-wide form
    "年度部门整体支出预算",
    "部门整体支出预算",
    "年度预算执行情况",
    "资金投入情况",
)
#: Funds column headers: FundRow field -> headers. A header is looked up without a trailing
#: bracketed note: 全年预算数(A) is 全年预算数, 得分(20分*执行率) is 得分 (its points are read too).
FUND_FIELD_LABELS = {
    "initial": ("年初预算数", "年初预算", "年初预算金额", "年初预算数额"),
    "annual": (
        "全年预算数",
        "全年预算",
        "调整后预算数",
        "调整后预算",
        "调整预算数",  # Ningxia: 调整预算数(A)
        "全年（调整）预算数",  # Chongqing
        "调整预算",
        "预算数",
        "年度金额",
        "全年预算金额",
        "全年预算数额",
    ),
    "executed": (
        "全年执行数",
        "全年执行",
        "预算执行数",
        "执行数",
        "全年执行金额",
        "实际执行数",
        "资金使用情况合计",  # two-row header: 资金使用情况 over 合计
        "实际支出数",
    ),
    "stated_points": (FUNDS_HEADER[3], POINTS, "权重", "分值权重", "执行率权重"),
    "stated_rate": ("执行率", "预算执行率", "资金执行率"),
    "stated_score": (SCORE, "执行率得分", "自评得分"),  # 自评得分: Hunan department form (衡山 2022)
}
#: Funds headers known to carry nothing the rules use.
FUND_IGNORED_HEADERS = ("原因", "偏差原因", "备注", "资金使用情况", "说明", "得分计算方法", "年度预算数")
#: A budget column marked (A) is the rate's denominator (执行率(B/A)) even when it is named 年初预算数.
BUDGET_MARK = "（A）"
#: Fund row labels: the row's canonical label -> what forms write ("其中：" is dropped before lookup).
FUND_ROW_LABELS = {
    FUND_TOTAL: (FUND_TOTAL, "资金总额", "总额", "年度资金总额合计", "资金总计", "年度财政资金总额"),
    FUND_CURRENT: (
        "当年财政拨款",
        "本年财政拨款",
        "财政拨款",
        "财政资金",
        "当年财政资金",
        "本年财政资金",
        "本年一般公共预算拨款",
        "一般公共预算拨款",
    ),
    FUND_CARRIED: (FUND_CARRIED, "上年结转", "结转资金", "上年结转结余资金"),
    FUND_OTHER: (FUND_OTHER,),
}
#: Further sub-rows some forms have, read under their own label (and summed into 年度资金总额's check).
FUND_EXTRA_ROWS = (
    "财政专户管理资金",
    "单位资金",
    "中央财政",
    "省级财政",
    "市级财政",
    "县级财政",
    "中央补助",
    "中央财政资金",
    "省级财政资金",
    "市级财政资金",
    "县级财政资金",
    "地方资金",
    "地方财政资金",
    "基本支出",
    "项目支出",
)
#: What a form writes where no number belongs.
EMPTY_MARKS = ("", "-", "--", "—", "——", "/", "／", "－", "无")

#: Indicator column headers: Indicator field -> headers.
INDICATOR_FIELD_LABELS = {
    "level1": (LEVEL1, "一级指标名称"),
    "level2": (LEVEL2, "二级指标名称"),
    "name": (LEVEL3, "三级指标名称", "指标名称"),  # Chongqing: 指标名称, no 一级/二级 columns
    "target": (
        TARGET,
        "指标值",
        "年度目标值",
        "全年指标值",
        "预期指标值",
        "年度指标值（目标值）",
        "年初目标值",
        "年初指标值",  # Chongqing (beside 调整指标值)
        "目标值",
        "计划值",
    ),
    "actual": (
        ACTUAL,
        "全年实际值",
        "完成值",
        "全年实际完成值",
        "实际值",
        "实际完成指标值",
        "全年完成值",
        "指标实际完成值",  # Xinjiang 2023
        "实际完成情况",
    ),
    "points": (
        POINTS,
        "权重",
        "分值权重",
        "指标分值权重",
        "参考分值",
        "指标权重",
        "指标分值",
        "标准分值",
        "分数",
    ),
    "stated_score": (SCORE, "指标得分", "自评得分", "评分", "实际得分", "自评分"),
    #: a target revised during the year (Chongqing: 年初指标值 | 调整指标值): when filled it is the target
    "target_adjusted": ("调整指标值", "调整后指标值", "全年（调整）指标值"),
    "deviation": (
        DEVIATION,
        "偏差原因分析及改进措施",
        "未完成原因分析",
        "未完成原因分析及改进措施",  # Ningxia (银川 2021)
        "未完成原因及拟采取的改进措施",
        "未完成原因和改进措施",
        "偏差原因",
        "原因分析",
        "偏差原因分析及整改措施",
        "未完成原因",
    ),
    "judgement": (JUDGEMENT,),
}
#: A two-row 年度指标值 header: the cells under it hold the operator, the number and the unit,
#: composed into one target text the rules parse (≧ | 735 | 人次 -> ≧735人次).
TARGET_PARTS = {"指标性质": "op", "指标值": "number", "度量单位": "unit", "计量单位": "unit", "单位": "unit"}
#: Words in the 指标性质 cell of a two-row target header: the operator they stand for ('' for none).
TARGET_OP_WORDS = {"定性": "", "定量": "", "正向": "≥", "反向": "≤", "正向指标": "≥", "反向指标": "≤"}
#: Indicator headers known to carry nothing the rules use.
INDICATOR_IGNORED_HEADERS = (
    REMARKS,
    "绩效指标",
    "备注",
    "指标方向",
    "得分计算方法",
    # Xinjiang 2023: how the target was set, last year's value, the scoring rule, the evidence, a stated
    # completion rate (the rules compare target and actual themselves)
    "指标值设置依据",
    "上年完成值",
    "指标赋分规则",
    "佐证资料",
    "完成率",
    # Chongqing: the score as a share of the weight, whether a core indicator (the rules score themselves)
    "得分系数",
    "是否核心指标",
)
#: Section titles around the indicator table (never a value).
SECTION_TITLES = ("绩效指标", "年度绩效指标完成情况", "绩效目标完成情况", "年度绩效指标", "绩效指标完成情况")
#: Rows stating the totals (never an indicator).
TOTAL_LABELS = (TOTAL, "总分", "得分合计", "总计", "合计得分", "总得分", "分值合计")
#: Labels of the stated grade; the grade may also sit in the total row itself (总分 … 100 96 优).
GRADE_LABELS = (GRADE, "评价等级", "自评等级", "自评结论", "绩效等级", "评价结论", "自评得分等级")
#: Grade words as written -> the grade.
GRADE_WORDS = {
    **{g: g for g in GRADES},
    "优秀": "优",
    "良好": "良",
    "中等": "中",
    "较差": "差",
}
#: A weight written into a 一级指标 cell, or on the row below it: 产出指标(50分), (50分).
LEVEL1_WEIGHT = r"[（(]\s*\d+(?:\.\d+)?\s*分?\s*[）)]"
#: A numbered indicator name: 指标1:工程质量合格, 指标1工程资金金额 (the number is dropped).
NUMBERED_NAME = r"^指标\s*[0-9０-９一二三四五六七八九十]+\s*[:：.、]?\s*"
#: Cells that mark a row as a placeholder, not an indicator.
PLACEHOLDER_CELLS = ("……", "…", "...", "。。。", "......")

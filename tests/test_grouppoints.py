"""Forms that state points only per 一级指标 (产出指标(60分)) and a 得分 per indicator or per merged
二级指标 cell: the older Hubei/Yunnan project form. Each indicator's points are derived exactly from the
form's own numbers or not at all; expected numbers below are worked out by hand in the comments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfeval_xl.grid import Grid, load_grids
from perfeval_xl.model import ReadError
from perfeval_xl.reader import read_grid
from perfeval_xl.rules import evaluate

HEAD = [
    ["2022年度项目支出绩效自评表"],
    ["项目名称", "示例项目"],
    ["主管部门", "某局", "", "", "项目实施单位", "某中心"],
    ["预算执行情况(万元) (20分)", "", "预算数(A)", "执行数(B)", "执行率(B/A)", "得分 (20分*执行率)"],
    ["年度财政资金总额", "", "50", "40", "80%", "16"],
    ["年度绩效目标 (80分)", "一级指标", "二级指标", "三级指标", "年初目标值(A)", "实际完成值(B)", "得分"],
]


def form_of(rows):
    grid = Grid("form.txt", None, [[v if v != "" else None for v in row] for row in HEAD + rows])
    (form,) = read_grid(grid)
    return form


def points(result):
    return [r.indicator.points for r in result.indicators]


def codes(result):
    return [f.code for f in result.findings]


def test_met_indicators_have_their_stated_score_as_points_and_one_residual_is_derived():
    form = form_of(
        [
            ["", "产出指标(60分)", "数量指标", "培训人数", "≥100人", "120人", "20"],
            ["", "", "质量指标", "合格率", "≥95%", "96%", "20"],
            ["", "", "时效指标", "完成率", "≥100%", "90%", "18"],  # not met: its points are 60-40
            ["", "效益指标(20分)", "社会效益指标", "受益人数", "≥500人", "500人", "20"],
            ["", "满意度指标", "服务对象满意度指标", "满意度", "≥90%", "95%", "10"],
            ["", "(10分)", "", "", "", "", ""],  # the weight on the row below its label
            ["总分(100分)", "94"],
        ]
    )
    assert form.level1_points == {"产出指标": 60, "效益指标": 20, "满意度指标": 10}
    result = evaluate(form, "mof-2020")
    # 完成率: 20 points × 90/100 = 18.00, as stated
    assert points(result) == [20, 20, 20, 20, 10]
    assert [r.score for r in result.indicators] == [20, 20, 18, 20, 10]
    # budget 20 × 40/50 = 16.00; the weights the form states add up to 20 + 60 + 20 + 10 = 110
    assert result.budget_points == 20 and result.budget_score == 16
    assert result.total_points == 110  # the publisher's weights: 20 + 60 + 20 + 10
    assert "points-not-100" in codes(result) and codes(result).count("points-derived") == 3
    assert form.stated_total_points == 100 and form.stated_total_score == 94


def test_scores_that_add_up_to_the_group_are_its_points_even_when_unjudged():
    form = form_of(
        [
            ["", "产出指标(40分)", "质量指标", "服务质量", "优良", "较好", "25"],  # qualitative, unjudged
            ["", "", "数量指标", "服务次数", "≥10次", "8次", "15"],  # not met, yet 25 + 15 = 40
            ["", "效益指标(40分)", "社会效益指标", "社会影响", "显著", "显著", "40"],
        ]
    )
    result = evaluate(form, "mof-2020")
    # 25 + 15 = 40: no score exceeds its points, so both scored full marks: points 25 and 15.
    assert points(result) == [25, 15, 40]
    # the rules then score 服务次数 8/10 × 15 = 12.00 and flag the stated 15
    assert [r.score for r in result.indicators] == [25, 12, 40]
    assert "stated-mismatch" in codes(result)


def test_two_underivable_indicators_are_not_scored_and_say_why():
    form = form_of(
        [
            ["", "产出指标(60分)", "数量指标", "A", "≥10次", "8次", "12"],
            ["", "", "质量指标", "B", "≥100%", "90%", "15"],
            ["", "", "时效指标", "C", "≥1次", "1次", "20"],
        ]
    )
    result = evaluate(form, "mof-2020")
    # C is met: 20 points; A and B share the other 40 in a way the form does not say
    assert points(result) == [None, None, 20]
    missing = [f for f in result.findings if f.code == "missing-points" and "无法由表上数字推定" in f.message]
    assert len(missing) == 1 and "“A”、“B”" in missing[0].message


def test_rows_under_one_merged_score_are_one_unit():
    form = form_of(
        [
            ["", "产出指标(40分)", "数量指标", "存储容量", "25TB", "25TB", "10"],
            ["", "", "", "覆盖率", "100%", "100%", ""],  # under the merged 得分 cell above
            ["", "", "时效指标", "可用天数", "≥360天", "300天", "10"],
            ["", "", "", "响应时间", "≤2小时", "1小时", ""],
            ["", "", "质量指标", "合格率", "≥95%", "99%", "20"],
        ]
    )
    assert [i.shares_score for i in form.indicators] == [False, True, False, True, False]
    result = evaluate(form, "mof-2020")
    # units: 数量 (met, 10), 时效 (300 < 360: not met), 质量 (met, 20): 时效 gets 40 - 30 = 10
    assert points(result) == [10, 0, 10, 0, 20]
    # 数量: full 10; 时效: one row unmet, the rules cannot split one score: the stated 10, flagged
    assert [r.score for r in result.indicators] == [10, 0, 10, 0, 20]
    (shared,) = [f for f in result.findings if f.code == "shared-score"]
    assert "“可用天数”、“响应时间”" in shared.message


# The held-out 昌宁 form (yncn.gov.cn/info/5102/8340150.htm, 2022) ends on a row whose 得分 is blank,
# under the same 二级指标 as the row above: a merged cell's remainder or a score left out? A text export
# cannot say; a workbook can (its merged cells), and an HTML table too (rowspan).
BLANK_LAST_SCORE = [
    ["", "产出指标(80分)", "数量指标", "公猪舍(平方米)", "22.8", "22.8", "40"],
    ["", "", "", "母猪舍(平方米)", "180", "180", "40"],
    ["", "", "", "种母猪(头)", "20", "20", ""],
]


def workbook_form(rows, merges):
    cells = [[v if v != "" else None for v in row] for row in HEAD + rows]
    (form,) = read_grid(Grid("form.xlsx", "表", cells, kind="xlsx", merges=merges))
    return form


def test_a_blank_score_in_a_text_export_is_read_as_merged_and_said():
    form = form_of(BLANK_LAST_SCORE)
    assert [(i.shares_score, i.shares_assumed) for i in form.indicators] == [
        (False, False),
        (False, False),
        (True, True),
    ]
    result = evaluate(form, "mof-2020")
    (said,) = [f for f in result.findings if f.code == "score-merge-assumed"]
    assert said.severity == "warning"
    assert "“种母猪(头)”的得分为空" in said.message and "“母猪舍(平方米)”" in said.message
    assert "（第9行）" in said.message


def test_a_blank_score_a_workbook_does_not_merge_is_its_own_row_and_said():
    form = workbook_form(BLANK_LAST_SCORE, merges=[])
    assert [i.shares_score for i in form.indicators] == [False, False, False]
    result = evaluate(form, "mof-2020")
    assert "score-merge-assumed" not in codes(result)
    assert points(result) == [40, 40, 0]  # the residue 80 - 80 goes to the row without a score
    (derived,) = [f for f in result.findings if f.code == "points-derived"]
    assert derived.severity == "warning" and "“种母猪(头)”未填写得分" in derived.message


def test_a_score_cell_a_workbook_merges_is_shared_without_a_warning():
    form = workbook_form(BLANK_LAST_SCORE, merges=[(7, 6, 8, 6)])  # G8:G9
    assert [(i.shares_score, i.shares_assumed) for i in form.indicators] == [
        (False, False),
        (False, False),
        (True, False),
    ]
    result = evaluate(form, "mof-2020")
    assert "score-merge-assumed" not in codes(result)
    assert points(result) == [40, 40, 0]  # the unit 母猪舍 + 种母猪 has the points on its first row
    assert "未填写得分" not in " ".join(f.message for f in result.findings)


def test_an_html_rowspan_score_is_a_known_merge(tmp_path):
    rows = HEAD + BLANK_LAST_SCORE[:2] + [BLANK_LAST_SCORE[2][:-1]]
    html = ["<table>"]
    for i, row in enumerate(rows):
        cells = "".join(
            f'<td rowspan="2">{v}</td>' if i == len(HEAD) + 1 and j == 6 else f"<td>{v}</td>"
            for j, v in enumerate(row)
        )
        html.append(f"<tr>{cells}</tr>")
    path = tmp_path / "form.html"
    path.write_text("".join(html) + "</table>", encoding="utf-8")
    (grid,) = load_grids(path)
    assert grid.merges == [(len(HEAD) + 1, 6, len(HEAD) + 2, 6)]
    (form,) = read_grid(grid)
    assert [(i.shares_score, i.shares_assumed) for i in form.indicators][-1] == (True, False)
    assert "score-merge-assumed" not in codes(evaluate(form, "mof-2020"))


def test_a_table_without_points_anywhere_stops():
    rows = [
        ["", "产出指标", "数量指标", "A", "≥10次", "10次", "50"],
        ["", "效益指标", "社会效益指标", "B", "显著", "显著", "30"],
    ]
    head = [*HEAD[:-1], ["年度绩效目标", *HEAD[-1][1:]]]  # no (80分) in the block title either
    grid = Grid("form.txt", None, [[v if v != "" else None for v in row] for row in head + rows])
    with pytest.raises(ReadError) as info:
        read_grid(grid)
    assert "区块标题中也没有写分值" in info.value.reason and info.value.cell == "第6行"


def test_a_nil_actual_meets_an_upper_bound():
    form = form_of(
        [
            ["", "效益指标(80分)", "社会效益指标", "群体性事件", "小于5次", "无上访", "80"],
        ]
    )
    result = evaluate(form, "mof-2020")
    assert [r.score for r in result.indicators] == [Decimal(80)]
    assert "actual-without-figure" in codes(result) and "stated-mismatch" not in codes(result)


def test_points_only_in_the_block_title_make_one_group():
    # 年度绩效目标 (80分) and no weight in any 一级指标: the whole table is the group.
    form = form_of(
        [
            ["", "产出指标", "数量指标", "补贴渔船数", "6", "6", "20"],
            ["", "", "质量指标", "补贴发放率", "100%", "100%", "10"],
            ["", "效益指标", "社会效益指标", "群众满意度", "≥90%", "95%", "50"],
        ]
    )
    assert form.level1_points == {"*": 80} and form.refs["level1_points.*"] == "第6行第1列"
    result = evaluate(form, "mof-2020")
    # 20 + 10 + 50 = 80: every 得分 is its indicator's points
    assert points(result) == [20, 10, 50] and result.total_points == 100
    (derived,) = [f for f in result.findings if f.code == "points-derived"]
    assert "区块标题" in derived.message and "20、10、50" in derived.message


def test_two_goal_blocks_each_with_its_points_in_its_title():
    # the Hubei form's 年度绩效目标1(40分) / 年度绩效目标2(40分): the header again, a group per block
    head = [*HEAD[:-1], ["年度绩效目标1(40分)", *HEAD[-1][1:]]]
    rows = [
        ["", "产出指标", "质量指标", "监测数据合格率", "100%", "100%", "10"],
        ["", "", "时效指标", "资料按时上报", "100%", "100%", "10"],
        ["", "满意度指标", "服务对象满意度指标", "资料审核满意度", "98%", "98%", "19.6"],
        ["年度绩效目标2(40分)", *HEAD[-1][1:]],
        ["", "产出指标", "质量指标", "资料整编合格率", "100%", "100%", "20"],
        ["", "", "时效指标", "年度资料上报", "100%", "100%", "20"],
        ["总分", "", "", "", "", "", "99.6"],
    ]
    grid = Grid("form.txt", None, [[v if v != "" else None for v in row] for row in head + rows])
    (form,) = read_grid(grid)
    assert [i.block for i in form.indicators] == [1, 1, 1, 2, 2]
    assert form.level1_points == {"*": 40, "*2": 40} and form.refs["level1_points.*2"] == "第10行第1列"
    result = evaluate(form, "mof-2020")
    # every target met: each 得分 is its points; block 1 adds up to 39.6, not 40 -- said, as a warning
    assert points(result) == [10, 10, Decimal("19.6"), 20, 20]
    # the budget: 20 × 40/50 = 16.00; total 16 + 79.6 = 95.60 (the stated 99.6 is flagged)
    assert result.total_points == Decimal("99.6") and result.total_score == Decimal("95.6")
    (odd,) = [f for f in result.findings if f.code == "points-derived" and f.severity == "warning"]
    assert "第1个绩效目标区块" in odd.message and "39.6" in odd.message
    assert "points-not-100" in codes(result)

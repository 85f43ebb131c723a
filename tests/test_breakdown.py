"""The department-wide form's budget breakdown (按收入性质分 / 按支出性质分, amounts written in the label
cells), read and checked. The forms: the real corpus' hunan_01 (零陵区林业局 2021) and hunan_61 (衡山县
贯塘乡 2023, its expenditure side 1925.67 against a budget of 2030.12 as published)."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from perfeval_xl.grid import Grid
from perfeval_xl.reader import read_forms, read_grid
from perfeval_xl.rules import evaluate

REAL = Path(__file__).parent / "data" / "real"

HEAD = [
    ["部门整体支出绩效自评表"],
    ["部门", "", "测试单位"],
    ["年度预算申请(万元)", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    ["", "年度资金总额", "100", "200", "200", "10", "100%", "10"],
]
TAIL = [
    ["年度总体目标", "预期目标", "", "", "实际完成情况"],
    ["", "目标1:完成任务", "", "", "已完成"],
    [
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ],
    ["产出指标", "数量指标", "完成数量", "≥10", "10", "90", "90", ""],
    ["总分", "", "", "", "", "100", "100"],
]


def form_of(breakdown_rows):
    rows = HEAD + breakdown_rows + TAIL
    (form,) = read_grid(Grid("部门.txt", None, [[v if v != "" else None for v in row] for row in rows]))
    return form


def findings(form):
    return [f for f in evaluate(form, "mof-2020").findings if f.code == "budget-breakdown"]


def test_both_sides_are_read_with_their_cells():
    form = form_of(
        [
            ["", "按收入性质分:200", "", "", "按支出性质分:200"],
            ["", "其中: 一般公共预算:150", "", "", "其中:基本支出:120"],
            ["", "政府性基金拨款:", "", "", "项目支出:80"],
            ["", "其他资金:50", "", "", ""],
        ]
    )
    income, spending = form.breakdowns
    assert (income.side, income.stated, income.ref) == ("按收入性质分", D(200), "第5行第2列")
    assert income.parts == [
        ("一般公共预算", D(150), "第6行第2列"),
        ("政府性基金拨款", None, "第7行第2列"),
        ("其他资金", D(50), "第8行第2列"),
    ]
    assert [(label, amount) for label, amount, _ in spending.parts] == [
        ("基本支出", D(120)),
        ("项目支出", D(80)),
    ]
    assert findings(form) == []  # the goal's "目标1:…" below is another block, not a part


def test_a_side_that_does_not_add_up_or_is_not_the_budget_is_flagged():
    form = form_of(
        [
            ["", "按收入性质分:200", "", "", "按支出性质分:190"],
            ["", "其中: 一般公共预算:150", "", "", "其中:基本支出:120"],
            ["", "其他资金:40", "", "", "项目支出:70"],
        ]
    )
    messages = [f.message for f in findings(form)]
    assert messages == [
        "按收入性质分表上为 200，其下各项（一般公共预算、其他资金）之和为 190（第5行第2列）",
        "按支出性质分表上为 190，不等于年度资金总额的全年预算数 200（第5行第5列）",
    ]
    assert {f.severity for f in findings(form)} == {"warning"}


def test_an_amount_in_another_unit_is_not_checked_and_said():
    form = form_of([["", "按收入性质分:", "", "", ""], ["", "其中: 一般公共预算:2000000元", "", "", ""]])
    (said,) = findings(form)
    assert said.severity == "info" and "未核对" in said.message


@pytest.mark.parametrize(
    ("stem", "flagged"),
    [
        ("hunan_01_bumen_linye", []),  # 1873.66 + 2880 and 1768.16 + 2985.5 are both the 4753.66 budget
        (
            "hunan_61_hengshan_guantang_bumen",
            ["按支出性质分表上为 1925.67，不等于年度资金总额的全年预算数 2030.12"],
        ),
    ],
)
def test_published_department_forms(stem, flagged):
    (form,) = read_forms(REAL / f"{stem}.tsv")
    assert len(form.breakdowns) == 2
    assert [f.message.split("（")[0] for f in findings(form)] == flagged


def test_json_and_explain_show_the_breakdown():
    from perfeval_xl.explain import explain_form
    from perfeval_xl.report import result_to_dict

    (form,) = read_forms(REAL / "hunan_61_hengshan_guantang_bumen.tsv", explain=True)
    payload = result_to_dict(evaluate(form, "mof-2020"))
    assert payload["budget_breakdown"][1] == {
        "side": "按支出性质分",
        "stated": 1925.67,
        "parts": [{"label": "基本支出", "amount": 900.47}, {"label": "项目支出", "amount": 1025.2}],
    }
    text = explain_form(form)
    assert (
        "按支出性质分 ← 第6行第5列 = 1925.67：基本支出 第7行第5列 = 900.47；项目支出 第8行第5列 = 1025.20"
        in text
    )

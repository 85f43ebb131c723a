"""A percentage typed into a cell ("96%" becomes 0.96 with a percent format) is read back as "96%"."""

from decimal import Decimal

import openpyxl

import perfeval_xl
from perfeval_xl.reader import read_forms

ROWS = [
    ["财政项目支出绩效自我评价"],
    ["项目名称", "示例项目"],
    ["主管部门", "示例主管部门", "实施单位", "示例单位"],
    ["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分数", "执行率", "得分"],
    [None, "年度资金总额", 100, 100, 100, 10, 100, 10],
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析"],
    ["产出指标", "质量指标", "验收合格率", "≥95%", 0.96, 30, 30, None],
    [None, None, "系统故障率", "≤5%", 0.08, 30, None, "硬件老化"],
    ["效益指标", "社会效益指标", "服务人次", "≥1000", 0.96, 30, None, "统计口径"],
]


def _workbook(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表"
    for r, row in enumerate(ROWS, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)
    ws["E7"].number_format = "0%"  # typed as 96%
    ws["E8"].number_format = "0.0%"  # typed as 8.0%
    # E9 stays a plain number: 0.96 people (a typo, but not a percentage)
    path = tmp_path / "percent.xlsx"
    wb.save(path)
    return path


def test_percent_cells_are_read_as_percentages(tmp_path):
    form = read_forms(_workbook(tmp_path))[0]
    assert [i.actual for i in form.indicators] == ["96%", "8%", "0.96"]
    scores = [r.score for r in perfeval_xl.evaluate(form).indicators]
    assert scores[0] == Decimal("30.00")  # 96 % ≥ 95 %, not 0.96 against 95
    assert scores[1] == Decimal("18.75")  # ≤5 %: 5 ÷ 8 × 30
    assert scores[2] == Decimal("0.02")  # 0.96 ÷ 1000 × 30, truncated


def test_text_exports_and_unformatted_numbers_are_left_alone(tmp_path):
    path = _workbook(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["表"]["E7"].number_format = "General"
    wb.save(path)
    form = read_forms(path)[0]
    assert form.indicators[0].actual == "0.96"

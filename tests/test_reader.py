"""The label-anchored reader: the seed's four forms from text, xlsx (several layouts), HTML and a filled
template; bad inputs as ReadError naming file, sheet and cell; never a crash on arbitrary input."""

from __future__ import annotations

import dataclasses
import html
import json
import random
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfeval_xl import labels as L
from perfeval_xl.grid import Grid, load_grids
from perfeval_xl.model import ReadError
from perfeval_xl.reader import read_forms, read_grid

DATA = Path(__file__).parent / "data"
SEED = DATA / "seed_forms.txt"
EXPECTED = json.loads((DATA / "seed_expected.json").read_text(encoding="utf-8"))["000_6bbe80b524893a26.txt"]
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


# ------------------------------------------------------------------------------------------ helpers


def seed_rows() -> list[list[str]]:
    return [line.split("\t") for line in SEED.read_text(encoding="utf-8-sig").split("\n")]


def seed_blocks() -> list[list[list[str]]]:
    """The seed file cut into one block of rows per form (title row to the row before the next title)."""
    rows = seed_rows()
    starts = [i for i, row in enumerate(rows) if any(cell in L.TITLES for cell in row)]
    return [rows[a:b] for a, b in zip(starts, [*starts[1:], len(rows)], strict=True)]


def as_workbook_values(block: list[list[str]]) -> list[list[object]]:
    """Rows as a person would have typed them into Excel: numbers as numbers, except the indicator
    value columns (年度指标值, 实际完成值), which stay text."""
    text_cols: set[int] = set()
    out = []
    for row in block:
        if L.LEVEL1 in row:
            text_cols = {row.index(L.TARGET), row.index(L.ACTUAL)}
        cells: list[object] = []
        for c, cell in enumerate(row):
            if cell == "":
                cells.append(None)
            elif c not in text_cols and NUMBER.fullmatch(cell):
                cells.append(float(cell))
            else:
                cells.append(cell)
        out.append(cells)
    return out


def put(ws, rows: list[list[object]], row0: int, col0: int) -> None:
    """Write rows into an openpyxl sheet with the top-left cell at (row0, col0), 1-based; text as text."""
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is None:
                continue
            cell = ws.cell(row=row0 + i, column=col0 + j, value=value)
            if isinstance(value, str):
                cell.data_type = "s"


def essence(form, *, stated: bool = True) -> dict:
    """What a form says, without where it was found."""
    data = dataclasses.asdict(form)
    for key in ("source", "sheet", "index", "refs", "headers"):
        data.pop(key)
    for row in data["funds"] + data["indicators"]:
        row.pop("ref")
        row.pop("row", None)  # an indicator's sheet row: where, not what
    if not stated:
        for key in ("stated_total_points", "stated_total_score", "stated_grade"):
            data.pop(key)
        for row in data["funds"]:
            for key in ("stated_points", "stated_rate", "stated_score"):
                row.pop(key)
        for row in data["indicators"]:
            row.pop("stated_score")
    return data


@pytest.fixture(scope="module")
def seed_forms():
    return read_forms(SEED)


def caught_by_the_catch_all(err: ReadError) -> bool:
    """read_grid turns any unforeseen exception into a ReadError ("无法识别表格结构"): a bug, never a
    message a user should see."""
    return "无法识别表格结构" in err.reason


def read_error(call, *args, **kwargs) -> ReadError:
    with pytest.raises(ReadError) as info:
        call(*args, **kwargs)
    return info.value


# ------------------------------------------------------------------------------------------ the seed


def test_seed_text_gives_the_four_published_forms(seed_forms):
    forms = seed_forms
    assert [f.project for f in forms] == [x["project"] for x in EXPECTED["forms"]]
    assert [len(f.indicators) for f in forms] == [13, 8, 8, 5]
    assert [f.index for f in forms] == [1, 2, 3, 4]
    assert [f.title for f in forms] == [L.TITLES[0]] * 3 + [L.TITLES[1]]
    for form, expected in zip(forms, EXPECTED["forms"], strict=True):
        assert form.source == str(SEED) and form.sheet is None
        assert form.department == "上海市经济和信息化委员会"
        assert form.unit == "上海市中小企业发展服务中心"
        assert form.money_unit == "万元" and form.profile is None
        assert [r.label for r in form.funds] == list(L.FUND_ROWS)
        total = form.total_fund
        assert total.stated_rate == Decimal(str(expected["execution_rate"]))
        assert total.stated_score == Decimal(str(expected["budget_score"]))
        assert total.stated_points == 10
        assert form.funds[1].stated_points is None and form.funds[1].stated_score is None  # "-"
        assert [i.stated_score for i in form.indicators] == [Decimal(str(s)) for s in expected["scores"]]
        assert [i.judgement for i in form.indicators] == [i.stated_score for i in form.indicators]
        assert form.stated_total_points == Decimal(str(expected["total_points"]))
        assert form.stated_total_score == Decimal(str(expected["total_score"]))
        assert form.stated_grade == expected["grade"]
        assert sum(i.points for i in form.indicators) + total.stated_points == form.stated_total_points
        for text in (form.goal_expected, form.goal_actual):
            assert text and "<" not in text and ">" not in text and "\n\n" not in text


def test_seed_fund_numbers_are_exact_including_the_shifted_rows(seed_forms):
    published = [("758.11", "754.31"), ("137.65", "122.75"), ("37.76", "37.76"), ("69.26", "65.93")]
    for form, (annual, executed) in zip(seed_forms, published, strict=True):
        total, current, carried, other = form.funds
        assert (total.initial, total.annual, total.executed) == (
            Decimal(annual),
            Decimal(annual),
            Decimal(executed),
        )
        assert str(total.executed) == executed  # exactly as written, no float round trip
        assert (current.annual, current.executed) == (total.annual, total.executed)
        assert carried.annual == other.executed == 0
    # form 1 is aligned with its header, forms 2-4 sit two columns right of it: refs name the real cells
    assert seed_forms[0].refs["funds.年度资金总额.executed"] == "第7行第5列"
    assert seed_forms[1].refs["funds.年度资金总额.executed"] == "第35行第8列"
    assert seed_forms[1].funds[0].ref == "第35行"


def test_seed_indicator_groups_and_texts(seed_forms):
    first = seed_forms[0].indicators
    assert (first[0].level1, first[0].level2, first[0].name) == (
        "产出指标",
        "数量指标",
        "上海市企业服务云完成服务订单量",
    )
    assert (first[0].target, first[0].actual, first[0].points) == (
        "≥120000.00(次)",
        "120722.00(次)",
        Decimal("5.00"),
    )
    assert (first[6].level1, first[6].level2) == ("产出指标", "数量指标")  # blank cells continue the group
    assert (first[7].level1, first[7].level2) == ("产出指标", "质量指标")
    assert (first[10].level1, first[10].level2, first[10].target) == ("效益指标", "经济效益指标", "2亿元")
    assert (first[12].level1, first[12].level2) == ("满意度指标", "服务对象满意度指标")
    assert seed_forms[2].indicators[0].target == "3"
    # <p> paragraphs become lines; attributes and tags disappear
    assert seed_forms[1].goal_actual.split("\n")[0] == "相关工作均符合预期目标："
    assert len(seed_forms[1].goal_actual.split("\n")) == 4
    refs = seed_forms[0].refs
    assert refs["project"] == "第4行第2列" and refs["total_score"] == "第27行第7列"
    assert refs["grade"] == "第28行第3列" and seed_forms[0].indicators[12].ref == "第26行"


# ------------------------------------------------------------------------------------------ xlsx


def test_xlsx_one_form_per_sheet_reads_the_same(tmp_path, seed_forms):
    names = ["Sheet 甲", "2023-信息化建设", "运维（3）", "表4"]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    notes = wb.create_sheet("填表说明")
    notes["A1"] = "本工作簿含四张自评表"
    for name, block in zip(names, seed_blocks(), strict=True):
        put(wb.create_sheet(name), as_workbook_values(block), row0=3, col0=3)
    path = tmp_path / "forms.xlsx"
    wb.save(path)

    forms = read_forms(path)
    assert [f.sheet for f in forms] == names
    assert [f.index for f in forms] == [1, 1, 1, 1]
    assert [essence(f) for f in forms] == [essence(f) for f in seed_forms]
    # real Excel references: the block starts at C3, its title row first
    assert forms[0].refs["funds.年度资金总额.executed"] == "G7"
    assert forms[0].funds[0].ref == "D7:J7"
    assert forms[1].refs["funds.年度资金总额.executed"] == "J8"
    assert forms[0].indicators[0].ref.startswith("C") and forms[0].indicators[0].ref.endswith("14")


def test_xlsx_several_forms_in_one_sheet_each_with_its_own_offset(tmp_path, seed_forms):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "全部"
    row = 2
    for k, block in enumerate(seed_blocks()):
        put(ws, as_workbook_values(block), row0=row, col0=1 + k)
        row += len(block) + 2
    path = tmp_path / "one-sheet.xlsx"
    wb.save(path)
    forms = read_forms(path)
    assert [f.index for f in forms] == [1, 2, 3, 4]
    assert [essence(f) for f in forms] == [essence(f) for f in seed_forms]


def test_yuan_header_and_two_column_shift_variants(tmp_path, seed_forms):
    block = [list(r) for r in seed_blocks()[0]]
    for row in block:
        if row and row[0] == "项目资金（万元）":
            row[0] = "项目资金(元)"
        if len(row) > 1 and row[1] in L.FUND_ROWS:  # data two columns right of the header, as in forms 2-4
            row[2:2] = ["", ""]
    wb = openpyxl.Workbook()
    put(wb.active, as_workbook_values(block), row0=1, col0=1)
    path = tmp_path / "yuan.xlsx"
    wb.save(path)
    (form,) = read_forms(path)
    assert form.money_unit == "元"
    want = essence(seed_forms[0])
    want["money_unit"] = "元"
    assert essence(form) == want
    assert form.refs["funds.年度资金总额.executed"] == "G5"  # where the number really is


def test_html_table_variant(tmp_path, seed_forms):
    def table(rows):
        out = ["<table border=1>"]
        for row in rows:
            cells, i = [], 0
            while i < len(row):
                span = 1
                while i + span < len(row) and row[i + span] == "":
                    span += 1
                attr = f' colspan="{span}"' if span > 1 else ""
                cells.append(f"<td{attr}>{html.escape(row[i])}</td>")
                i += span
            out.append("<tr>" + "".join(cells) + "</tr>")
        return "\n".join(out + ["</table>"])

    page = "<html><head><meta charset='utf-8'></head><body>" + table(seed_rows()) + "</body></html>"
    path = tmp_path / "export.html"
    path.write_text(page, encoding="utf-8")
    forms = read_forms(path)
    assert [essence(f) for f in forms] == [essence(f) for f in seed_forms]


def test_filled_template_layout_is_read_back(tmp_path):
    """A filled template: 评分规则 cell, 定性评分 and 审核提示 columns, cached formula values, 30 rows."""
    path = tmp_path / "filled.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("企业服务专项")
    s = ws.write_string
    s("A1", L.TITLE)
    s("A2", L.PROJECT), s("B2", '=HYPERLINK("http://x")'), s("G2", L.YEAR), ws.write_number("H2", 2023)
    (
        s("A3", L.DEPARTMENT),
        s("B3", "上海市经济和信息化委员会"),
        s("E3", L.UNIT),
        s("F3", "上海市中小企业发展服务中心"),
    )
    s("A4", L.PROFILE), s("B4", "财政部2020（四舍五入）"), s("E4", "请选择评分规则")
    s("A5", "项目资金（万元）")
    for j, h in enumerate(L.FUNDS_HEADER):
        s(5 - 1, 2 + j, h)
    funds = [(L.FUND_TOTAL, 100, 100, 57), (L.FUND_CURRENT, 100, 100, 57), (L.FUND_CARRIED, 0, 0, 0)]
    for i, (label, a, b, c) in enumerate(funds):
        r = 5 + i
        s(r, 1, label)
        ws.write_number(r, 2, a), ws.write_number(r, 3, b), ws.write_number(r, 4, c)
        ws.write_formula(r, 6, "=PE_EXEC_RATE(D6,E6)", None, 57 if b else 0)
    ws.write_number(5, 5, 10)
    ws.write_formula(5, 7, "=PE_BUDGET_SCORE(D6,E6,F6)", None, 5.7)
    s(8, 1, L.FUND_OTHER)  # 其他资金 left blank
    s("A10", L.GOALS), s("B10", L.GOAL_EXPECTED), s("E10", L.GOAL_ACTUAL)
    s("B11", "<p>目标一</p><p>目标二</p>"), s("E11", "完成&amp;超额")
    for j, h in enumerate((*L.INDICATOR_HEADER, L.JUDGEMENT, L.REMARKS)):
        s(11, j, h)
    rows = [
        ("产出指标", "数量指标", "订单量", "≥4000(次)", "3999(次)", 45, 44.98, "", None, "偏差原因未填写"),
        ("", "", "培训次数", "≥30", "10", 30, 10, "疫情", None, ""),
        ("", "质量指标", "服务规范", "健全", "部分达成", 15, "#NAME?", "整改中", 11, ""),
    ]
    for i, values in enumerate(rows):
        r = 12 + i
        for j, v in enumerate(values):
            if v is None or v == "":
                continue
            if j == 6:
                ws.write_formula(r, j, "=PE_INDICATOR_SCORE(D13,E13,F13)", None, v)
            elif j == 9:
                ws.write_formula(r, j, "=PE_ROW_FINDINGS(D13,E13)", None, v)
            elif isinstance(v, str):
                s(r, j, v)
            else:
                ws.write_number(r, j, v)
    for r in range(12 + len(rows), 42):  # unused template rows: formulas whose cached value is 0 or ""
        ws.write_formula(r, 6, "=PE_INDICATOR_SCORE(D1,E1,F1)", None, 0)
        ws.write_formula(r, 9, '=""', None, "")
    s(42, 0, L.TOTAL)
    ws.write_formula(42, 5, "=SUM(F13:F42)", None, 100)
    ws.write_formula(42, 6, "=SUM(G13:G42)", None, 72.68)
    s(43, 0, L.GRADE)
    ws.write_formula(43, 1, "=PE_GRADE(G43)", None, "中")
    s(43, 2, L.REMARKS)
    s(43, 3, "总分与各项之和不符")
    wb.close()

    (form,) = read_forms(path)
    assert form.project == '=HYPERLINK("http://x")' and form.year == "2023"
    assert form.profile == "mof-2020"
    assert [r.label for r in form.funds] == list(L.FUND_ROWS)
    assert form.funds[0].stated_rate == 57 and form.funds[0].stated_score == Decimal("5.7")
    assert form.funds[3].annual is None and form.funds[3].executed is None
    assert (form.goal_expected, form.goal_actual) == ("目标一\n目标二", "完成&超额")
    assert [i.name for i in form.indicators] == ["订单量", "培训次数", "服务规范"]
    assert [i.level2 for i in form.indicators] == ["数量指标", "数量指标", "质量指标"]
    assert [i.level1 for i in form.indicators] == ["产出指标"] * 3
    assert [i.stated_score for i in form.indicators] == [Decimal("44.98"), 10, None]  # #NAME? -> blank
    assert [i.judgement for i in form.indicators] == [None, None, 11]  # only from 定性评分
    assert form.indicators[1].deviation_reason == "疫情"
    assert (form.stated_total_points, form.stated_total_score, form.stated_grade) == (
        100,
        Decimal("72.68"),
        "中",
    )
    assert form.refs["profile"] == "B4" and form.indicators[2].ref == "A15:I15"
    assert form.refs["total_score"] == "G43" and form.refs["grade"] == "B44"


def test_import_command_round_trip(tmp_path, seed_forms):
    from perfeval_xl.cli import main

    out = tmp_path / "imported.xlsx"
    assert main(["import", str(SEED), "-o", str(out)]) == 0
    forms = read_forms(out)
    assert [f.project for f in forms] == [f.project for f in seed_forms]
    for got, want in zip(forms, seed_forms, strict=True):
        g, w = essence(got, stated=False), essence(want, stated=False)
        g.pop("profile"), w.pop("profile")
        # the template's 定性评分 column holds a judgement only where the import put one
        for gi, wi in zip(g["indicators"], w["indicators"], strict=True):
            assert gi.pop("judgement") in (None, wi.pop("judgement"))
        assert g == w


# ------------------------------------------------------------------------------------------ bad input


def test_empty_file_and_file_without_form(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert "文件为空" in str(read_error(read_forms, empty))
    nothing = tmp_path / "nothing.txt"
    nothing.write_text("姓名\t年龄\n张三\t30\n", encoding="utf-8")
    err = read_error(read_forms, nothing)
    assert err.source == str(nothing) and "没有找到绩效自评表" in str(err) and str(nothing) in str(err)
    wb = openpyxl.Workbook()
    wb.active["A1"] = "无关内容"
    path = tmp_path / "nothing.xlsx"
    wb.save(path)
    assert "没有找到绩效自评表" in str(read_error(read_forms, path))


def test_missing_funds_block_names_the_form(tmp_path):
    rows = [
        r
        for r in seed_blocks()[0]
        if not (len(r) > 1 and (r[0].startswith("项目资金") or r[1] in L.FUND_ROWS))
    ]
    path = tmp_path / "nofunds.txt"
    path.write_text("\n".join("\t".join(r) for r in rows), encoding="utf-8")
    err = read_error(read_forms, path)
    assert "项目资金" in err.reason and err.cell == "第2行第1列" and str(path) in str(err)


def test_text_in_a_money_cell_names_the_cell(tmp_path):
    text = SEED.read_text(encoding="utf-8").replace("758.11\t754.31\t10.00", "758.11\t七百五十四\t10.00", 1)
    path = tmp_path / "text-money.txt"
    path.write_text(text, encoding="utf-8")
    err = read_error(read_forms, path)
    assert err.cell == "第7行第5列" and "七百五十四" in err.reason and "全年执行数" in err.reason

    block = as_workbook_values(seed_blocks()[1])
    for row in block:
        if L.FUND_TOTAL in row:
            row[row.index(L.FUND_TOTAL) + 2] = "约一百万"  # 全年预算数 of a shifted row
    wb = openpyxl.Workbook()
    wb.active.title = "信息化"
    put(wb.active, block, row0=1, col0=1)
    path = tmp_path / "text-money.xlsx"
    wb.save(path)
    err = read_error(read_forms, path)
    assert (err.sheet, err.cell) == ("信息化", "G6")
    assert "信息化建设项目" in str(err) and "工作表“信息化”" in str(err) and "G6" in str(err)


def test_unknown_profile_names_its_cell(tmp_path):
    path = tmp_path / "profile.txt"
    path.write_text(
        SEED.read_text(encoding="utf-8").replace(
            "项目名称\t企业服务专项", "项目名称\t企业服务专项\t评分规则\t火星", 1
        )
    )
    err = read_error(read_forms, path)
    assert err.cell == "第4行第4列" and "火星" in err.reason


def test_binary_encrypted_and_bomb_are_read_errors(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(random.Random(11).randbytes(20000))
    assert "不是可识别的表格文件" in str(read_error(read_forms, junk))
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (32 * 1024 * 1024))
    assert "压缩炸弹" in str(read_error(read_forms, bomb))
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    put(wb.active, as_workbook_values(seed_blocks()[0]), 1, 1)
    wb.save(plain)
    secret = tmp_path / "secret.xlsx"
    with open(plain, "rb") as src, open(secret, "wb") as dst:
        OOXMLFile(src).encrypt("pw", dst)
    err = read_error(read_forms, secret)
    assert "已加密" in err.reason and err.source == str(secret)


def test_one_broken_sheet_does_not_hide_the_others(tmp_path, seed_forms):
    wb = openpyxl.Workbook()
    good = wb.active
    good.title = "好"
    put(good, as_workbook_values(seed_blocks()[0]), 1, 1)
    bad_block = as_workbook_values(seed_blocks()[3])
    for row in bad_block:
        if L.FUND_TOTAL in row:
            row[row.index(L.FUND_TOTAL) + 3] = "不详"
    put(wb.create_sheet("坏"), bad_block, 1, 1)
    path = tmp_path / "mixed.xlsx"
    wb.save(path)

    assert read_error(read_forms, path).sheet == "坏"
    errors: list[ReadError] = []
    forms = read_forms(path, on_sheet_error=errors.append)
    assert [f.project for f in forms] == ["企业服务专项"]
    assert [(e.sheet, e.cell) for e in errors] == [("坏", "H6")]


# ------------------------------------------------------------------------------------------ robustness

_LABELS = [
    L.PROJECT,
    L.DEPARTMENT,
    L.UNIT,
    L.YEAR,
    L.PROFILE,
    "项目资金（万元）",
    "项目资金",
    *L.FUNDS_HEADER,
    *L.FUND_ROWS,
    L.GOALS,
    L.GOAL_EXPECTED,
    L.GOAL_ACTUAL,
    *L.INDICATOR_HEADER,
    L.JUDGEMENT,
    L.REMARKS,
    L.TOTAL,
    L.GRADE,
    *L.TITLES,
    "-",
    "达成指标",
    "≥95(百分数)",
    "#NAME?",
    "财政部2020（四舍五入）",
    # the national and provincial vocabulary (labels.py), and values in the forms they take
    "部门名称",
    "专项名称",
    "主管部门及代码",
    "（2022年度）",
    "资金情况（万元）",
    "预算执行情况(万元)(20分)",
    "全年预算数(A)",
    "调整后预算数",
    "执行率(B/A)",
    "得分(20分*执行率)",
    "分值",
    "权重",
    "资金使用情况",
    "合计",
    "总额",
    "其中:财政资金",
    "其中：中央、省、市补助县级资金",
    "年度指标值",
    "指标性质",
    "指标值",
    "度量单位",
    "完成值",
    "偏差原因分析及改进措施",
    "产出指标(50分)",
    "(30分)",
    "指标1:工程质量合格",
    "指标2:",
    "……",
    "/",
    "总分",
    "总分:83",
    "自评等级：优",
    "评价等级",
    "86.19%",
    "4753.66万元",
    "20%",
    "≧",
]
_CELL = st.one_of(
    st.none(),
    st.sampled_from(_LABELS),
    st.text(max_size=12),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.decimals(allow_nan=True),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_CELL, max_size=12), max_size=30), st.sampled_from(["text", "xlsx", "html"]))
def test_read_grid_never_raises_anything_but_read_error(rows, kind):
    grid = Grid("random.xlsx", "表", rows, origin=(2, 1), kind=kind)
    try:
        forms = read_grid(grid)
    except ReadError as err:
        assert err.source == "random.xlsx" and err.reason
        assert not caught_by_the_catch_all(err), err
        return
    for form in forms:
        assert form.funds  # a form is only returned with its funds block


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(_LABELS + ["", "1", "x"]), max_size=9), max_size=40))
def test_read_grid_on_label_soup(rows):
    try:
        forms = read_grid(Grid("soup.txt", None, rows))
    except ReadError as err:
        assert err.source == "soup.txt" and err.reason and not caught_by_the_catch_all(err), err
        return
    for form in forms:
        assert form.funds and all(
            ind.name or ind.target or ind.actual or ind.points for ind in form.indicators
        )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(
        [b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xff\xfe", b"<table>", b"\xef\xbb\xbf"]
    ),
    st.binary(max_size=2000),
)
def test_arbitrary_bytes_never_crash(tmp_path_factory, prefix, body):
    path = tmp_path_factory.mktemp("bytes") / "input.xlsx"
    path.write_bytes(prefix + body)
    try:
        for grid in load_grids(path):
            read_grid(grid)
        read_forms(path)
    except ReadError as err:
        assert err.source == str(path) and not caught_by_the_catch_all(err), err


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 10_000), st.binary(min_size=1, max_size=8))
def test_corrupted_seed_text_never_crashes(tmp_path_factory, where, noise):
    data = bytearray(SEED.read_bytes())
    where %= len(data)
    data[where : where + len(noise)] = noise
    path = tmp_path_factory.mktemp("seed") / "seed.txt"
    path.write_bytes(bytes(data))
    try:
        forms = read_forms(path)
    except ReadError as err:
        assert err.source == str(path) and not caught_by_the_catch_all(err), err
        return
    assert forms and all(form.funds for form in forms)


def test_legacy_xls_reads_the_same(tmp_path, seed_forms):
    """An .xls (BIFF) copy made by LibreOffice reads like the xlsx it came from."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for i, block in enumerate(seed_blocks(), 1):
        put(wb.create_sheet(f"表{i}"), as_workbook_values(block), 2, 2)
    src = tmp_path / "forms.xlsx"
    wb.save(src)
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "xls",
         "--outdir", str(tmp_path / "out"), str(src)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    forms = read_forms(tmp_path / "out" / "forms.xls")
    assert [f.sheet for f in forms] == ["表1", "表2", "表3", "表4"]
    assert [essence(f) for f in forms] == [essence(f) for f in seed_forms]
    assert forms[1].refs["funds.年度资金总额.executed"] == "I7"


def test_lean_reading_skips_goals_and_field_refs_and_nothing_else():
    from perfeval_xl.grid import load_grids

    grid = next(load_grids(DATA / "seed_forms.txt"))
    full, lean = read_grid(grid), read_grid(grid, lean=True)
    assert full[0].goal_expected and not lean[0].goal_expected and not lean[0].goal_actual
    assert "funds.年度资金总额.executed" in full[0].refs and "funds.年度资金总额.executed" not in lean[0].refs
    assert lean[0].refs["funds.年度资金总额"] == full[0].refs["funds.年度资金总额"]
    for a, b in zip(full, lean, strict=True):
        a.goal_expected = a.goal_actual = ""
        a.refs = {k: v for k, v in a.refs.items() if k in b.refs}
        assert a == b

"""import -> read back: the seed's forms, a hand-filled template, formula injection, bad sources."""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from perfeval_xl import labels, udf_formulas
from perfeval_xl import layout as L
from perfeval_xl import sheetformulas as F
from perfeval_xl.cli import main
from perfeval_xl.model import Form
from perfeval_xl.profiles import get_profile
from perfeval_xl.reader import read_forms
from perfeval_xl.rules import evaluate

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
SEED = DATA / "seed_forms.txt"
EXPECTED = list(json.loads((DATA / "seed_expected.json").read_text(encoding="utf-8")).values())[0]["forms"]
TEMPLATE = ROOT / "workbook_template.xlsx"


def inputs(form: Form, profile=None) -> Form:
    """The part of a Form that import must carry over: everything staff type in.

    Where the form came from (source, sheet, index, refs), what it stated (stated_*: the template's
    computed cells carry formulas, not copies of the published numbers) and the profile's spelling
    (title or key) are not inputs. 定性评分 is carried for qualitative indicators only."""
    prof = get_profile(profile if profile is not None else form.profile).name
    inds = []
    for ind in form.indicators:
        worded = not re.search(r"[0-9０-９]", ind.target)  # a target in words: qualitative
        judgement = (ind.judgement if ind.judgement is not None else ind.stated_score) if worded else None
        inds.append(replace(ind, stated_score=None, judgement=judgement, ref=""))
    funds = [replace(f, stated_points=None, stated_rate=None, stated_score=None, ref="") for f in form.funds]
    return replace(
        form,
        source="",
        sheet=None,
        index=0,
        refs={},
        funds=funds,
        indicators=inds,
        stated_total_points=None,
        stated_total_score=None,
        stated_grade=None,
        profile=prof,
    )


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("imp") / "forms.xlsx"
    assert main(["import", str(SEED), "-o", str(out)]) == 0
    return out


def test_seed_round_trip(imported):
    original = read_forms(SEED)
    back = read_forms(imported)
    assert len(original) == len(back) == 4
    assert [f.sheet for f in back] == [f.project for f in original]
    for a, b in zip(original, back, strict=True):
        assert inputs(a) == inputs(b), a.project
        assert len(b.indicators) == len(a.indicators) >= 5


def _published_cells() -> list[dict]:
    """The seed's forms as published, straight from the tab-separated text (no reader involved): each
    form's project, fund rows (label -> 年初预算数, 全年预算数, 全年执行数 as written) and indicator rows
    (三级指标, 年度指标值, 实际完成值, 分值 as written)."""
    forms: list[dict] = []
    rows = [line.split("\t") for line in SEED.read_text(encoding="utf-8").splitlines()]
    header = None
    for row in rows:
        cells = [c.strip() for c in row]
        filled = [c for c in cells if c]
        if filled[:1] == ["项目名称"]:
            forms.append({"project": filled[1], "funds": {}, "indicators": []})
            header = None
        elif "年度资金总额" in cells or any(c.startswith(("其中", "上年结转", "其他资金")) for c in cells):
            i = next(i for i, c in enumerate(cells) if c)
            forms[-1]["funds"][cells[i]] = tuple(cells[i + 1 : i + 4])
        elif "三级指标" in cells:
            header = cells.index("三级指标")
        elif header is not None and len(cells) > header + 3 and cells[header] and cells[header + 3]:
            forms[-1]["indicators"].append(tuple(cells[header : header + 4]))
    return forms


def test_import_carries_what_the_published_forms_say(imported):
    """Every figure and text staff typed, compared with the published text itself, cell by cell."""
    wb = openpyxl.load_workbook(imported)
    published = _published_cells()
    assert [f["project"] for f in published] == wb.sheetnames[:-1]
    for form in published:
        ws = wb[form["project"]]
        lay = L.layout_of_sheet(ws)
        for k, (label, figures) in enumerate(form["funds"].items()):
            r = L.fund_row(k)
            cols = (L.FUND_INITIAL_COL, L.FUND_ANNUAL_COL, L.FUND_EXECUTED_COL)
            assert [Decimal(str(ws[f"{c}{r}"].value)) for c in cols] == [Decimal(x) for x in figures], label
        assert len(form["indicators"]) >= 5
        for i, (name, target, actual, points) in enumerate(form["indicators"]):
            r = lay.indicator_row(i)
            assert (ws[f"C{r}"].value, ws[f"D{r}"].value, ws[f"E{r}"].value) == (name, target, actual)
            assert Decimal(str(ws[f"F{r}"].value)) == Decimal(points)
        assert ws[f"C{lay.indicator_row(len(form['indicators']))}"].value is None  # nothing invented


def test_seed_round_trip_scores_the_same(imported):
    for form, expected in zip(read_forms(imported), EXPECTED, strict=True):
        r = evaluate(form)
        assert float(r.execution_rate) == expected["execution_rate"]
        assert float(r.budget_score) == expected["budget_score"]
        assert [float(i.score) for i in r.indicators] == [float(x) for x in expected["scores"]]
        assert float(r.total_score) == expected["total_score"]
        assert r.grade == expected["grade"]


def test_imported_sheets_are_template_copies(imported):
    wb = openpyxl.load_workbook(imported)
    assert wb.sheetnames[-1] == L.CONF_SHEET
    for ws in wb.worksheets[:-1]:
        lay = L.layout_of_sheet(ws)
        assert lay is not None and lay.indicator_rows == 30
        assert ws.protection.sheet
        assert ws[L.BUDGET_SCORE_CELL].value == udf_formulas.budget_score()
        assert ws[L.PROFILE_CELL].value == get_profile(None).title
        assert len(ws.data_validations.dataValidation) == 7
    ws = wb["企业服务专项"]
    assert ws["A13"].value == "产出指标" and ws["A14"].value is None  # continuation left blank
    assert ws["D13"].value == "≥120000.00(次)" and ws["F13"].value == 5
    assert ws["D6"].value == Decimal("758.11") or ws["D6"].value == 758.11


def test_import_several_sources_including_xlsx(tmp_path):
    xlsx = sorted((ROOT / "examples" / "forms").glob("*.xlsx"))
    assert xlsx
    out = tmp_path / "all.xlsx"
    assert main(["import", str(SEED), *map(str, xlsx), "-o", str(out)]) == 0
    back = read_forms(out)
    from_xlsx = [f for p in xlsx for f in read_forms(p)]
    assert len(back) == 4 + len(from_xlsx)
    names = openpyxl.load_workbook(out, read_only=True).sheetnames
    assert len(set(n.lower() for n in names)) == len(names)  # duplicates got (2), (3) …
    assert "企业服务专项(2)" in names
    for a, b in zip(from_xlsx, back[4:], strict=True):
        assert inputs(a) == inputs(b)


def _hostile_seed(tmp_path: Path) -> Path:
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("企业服务专项", '=HYPERLINK("http://x","y")', 1)
    for name, hostile in (
        ("处理各类企业诉求量", "=1+1"),
        ("各类推动企业发展主题培训企业家次", "+SUM(A1:A2)"),
        ("上海市企业服务云用户访问量", "-2+3"),
        ("企业运行监测样本数", "@SUM(A1)"),
    ):
        assert f"\t{name}\t" in text
        text = text.replace(f"\t{name}\t", f"\t{hostile}\t", 1)
    text = text.replace("上海市经济和信息化委员会", "=cmd|' /C calc'!A0", 1)
    path = tmp_path / "hostile.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_user_text_never_becomes_a_formula(tmp_path):
    out = tmp_path / "hostile.xlsx"
    assert main(["import", str(_hostile_seed(tmp_path)), "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    assert ws.title == '=HYPERLINK("http___x","y")'  # : and / are not allowed in sheet names
    assert ws[L.PROJECT_CELL].value == '=HYPERLINK("http://x","y")' and ws[L.PROJECT_CELL].data_type == "s"
    assert ws[L.DEPARTMENT_CELL].value == "=cmd|' /C calc'!A0" and ws[L.DEPARTMENT_CELL].data_type == "s"
    hostile = {"=1+1", "+SUM(A1:A2)", "-2+3", "@SUM(A1)"}
    found = {ws[f"C{r}"].value: ws[f"C{r}"].data_type for r in range(13, 26) if ws[f"C{r}"].value in hostile}
    assert found == {t: "s" for t in hostile}
    # only the template's own UDF formulas are formulas
    computed = set(F.computed_cells(L.Layout()))
    for w in wb.worksheets[:-1]:
        for row in w.iter_rows():
            for c in row:
                if c.data_type == "f":
                    text = c.value.text if isinstance(c.value, ArrayFormula) else str(c.value)
                    assert c.coordinate in computed and text.startswith("=PE_"), (
                        w.title,
                        c.coordinate,
                    )
    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>HYPERLINK" not in xml and "<f>1+1" not in xml
    back = read_forms(out)[0]
    assert back.project == '=HYPERLINK("http://x","y")'
    assert back.department == "=cmd|' /C calc'!A0"
    assert {i.name for i in back.indicators} >= hostile


def test_hand_filled_template(tmp_path):
    """Staff fill the template by hand: blank continuation cells, every one of the 30 rows used, 元."""
    wb = openpyxl.load_workbook(TEMPLATE)
    ws = wb.worksheets[0]
    ws[L.PROJECT_CELL] = "手工填写项目"
    ws[L.YEAR_CELL] = "2024"
    ws[L.DEPARTMENT_CELL] = "某主管部门"
    ws[L.UNIT_CELL] = "某实施单位"
    ws[L.PROFILE_CELL] = get_profile("mof-2020").title
    ws[L.FUNDS_LABEL_CELL] = L.money_label("元")
    money = {6: (250000, 250000, 215457.6), 7: (250000, 250000, 215457.6), 8: (0, 0, 0), 9: (0, 0, 0)}
    for r, (a, b, c) in money.items():
        ws[f"C{r}"], ws[f"D{r}"], ws[f"E{r}"] = a, b, c
    ws[L.GOAL_EXPECTED_CELL] = "目标一\n目标二"
    ws[L.GOAL_ACTUAL_CELL] = "完成情况"
    lay = L.Layout()
    groups = [
        ("产出指标", "数量指标", 10),
        ("产出指标", "质量指标", 8),
        ("效益指标", "社会效益指标", 6),
        ("满意度指标", "服务对象满意度指标", 6),
    ]
    rows = []
    for level1, level2, n in groups:
        for k in range(n):
            rows.append((level1, level2, k == 0))
    assert len(rows) == lay.indicator_rows == 30
    prev1 = None
    for i, (level1, level2, first_of_l2) in enumerate(rows):
        r = lay.indicator_row(i)
        if level1 != prev1:
            ws[f"A{r}"] = level1
        if first_of_l2:
            ws[f"B{r}"] = level2
        prev1 = level1
        ws[f"C{r}"] = f"指标{i + 1}"
        ws[f"D{r}"] = "≥100(次)" if i % 3 else "健全"
        ws[f"E{r}"] = "90(次)" if i % 3 else "部分达成"
        ws[f"F{r}"] = 3
        if i % 3 == 0:
            ws[f"I{r}"] = 2.1
        else:
            ws[f"H{r}"] = "原因"
    path = tmp_path / "hand.xlsx"
    wb.save(path)

    [form] = read_forms(path)
    assert (form.project, form.year, form.department, form.unit) == (
        "手工填写项目",
        "2024",
        "某主管部门",
        "某实施单位",
    )
    assert form.money_unit == "元"
    assert get_profile(form.profile).name == "mof-2020"
    assert form.goal_expected.split() == ["目标一", "目标二"]
    assert [f.label for f in form.funds] == list(labels.FUND_ROWS)
    assert form.total_fund.executed == Decimal("215457.6")
    assert len(form.indicators) == 30
    expected_levels = [(l1, l2) for l1, l2, n in groups for _ in range(n)]
    assert [(i.level1, i.level2) for i in form.indicators] == expected_levels
    assert form.indicators[0].judgement == Decimal("2.1") and form.indicators[1].judgement is None
    r = evaluate(form)
    assert r.profile == "mof-2020"
    assert r.budget_score == Decimal("8.62")  # 215457.6 / 250000 half up
    assert r.indicators[0].kind == "qualitative" and r.indicators[0].score == Decimal("2.10")
    assert r.indicators[1].score == Decimal("2.70")
    # and the import of it gives the same inputs again
    out = tmp_path / "again.xlsx"
    assert main(["import", str(path), "-o", str(out)]) == 0
    assert inputs(read_forms(out)[0]) == inputs(form)


def test_bad_sources(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"\x00\x01 not a zip")
    out = tmp_path / "out.xlsx"
    code = main(["import", str(empty), str(tmp_path / "missing.txt"), str(junk), str(SEED), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 3
    for name in ("empty.txt", "missing.txt", "junk.xlsx"):
        assert name in err
    assert len(read_forms(out)) == 4

    out2 = tmp_path / "none.xlsx"
    assert main(["import", str(empty), str(junk), "-o", str(out2)]) == 2
    assert not out2.exists()
    assert "没有可导入的自评表" in capsys.readouterr().err


def test_import_never_overwrites_its_source(tmp_path, capsys):
    src = tmp_path / "forms.xlsx"
    assert main(["import", str(SEED), "-o", str(src)]) == 0
    before = src.read_bytes()
    assert main(["import", str(src), "-o", str(src)]) == 2
    assert src.read_bytes() == before


# ---- recalc: the values copy ----------------------------------------------------------------------


def test_recalc_writes_values_and_keeps_the_form(imported, tmp_path):
    out = tmp_path / "values.xlsx"
    assert main(["recalc", str(imported), "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    lay = L.Layout()
    for ws, expected in zip(wb.worksheets[:4], EXPECTED, strict=True):
        assert all(c.data_type != "f" for row in ws.iter_rows() for c in row), ws.title
        assert float(ws["G6"].value) == expected["execution_rate"]
        assert float(ws[lay.total_score_cell].value) == expected["total_score"]
        assert ws[lay.grade_cell].value == expected["grade"]
        assert ws.protection.sheet and len(ws.data_validations.dataValidation) == 7
        assert ws["D6"].protection.locked is False and ws["G6"].protection.locked
        assert ws[f"G{lay.indicator_row(len(expected['scores']))}"].value is None  # blank rows stay blank
    # the values copy reads back to the same forms, now with the computed numbers as stated ones
    for form, expected in zip(read_forms(out), EXPECTED, strict=True):
        assert float(form.stated_total_score) == expected["total_score"]
        assert form.stated_grade == expected["grade"]
        assert not [f for f in evaluate(form).findings if f.code == "stated-mismatch"]


def test_recalc_profile_override(imported, tmp_path):
    out = tmp_path / "mof.xlsx"
    assert main(["recalc", str(imported), "-o", str(out), "--profile", "mof-2020"]) == 0
    ws = openpyxl.load_workbook(out)["信息化建设项目"]
    assert float(ws["H6"].value) == 8.92  # 122.75 / 137.65 half up; the seed (truncated) says 8.91


def test_recalc_shows_findings(tmp_path):
    wb = openpyxl.load_workbook(TEMPLATE)
    ws = wb.worksheets[0]
    ws[L.PROJECT_CELL] = "检查项目"
    for r, vals in {6: (100, 100, 120), 7: (50, 50, 50), 8: (0, 0, 0), 9: (0, 0, 0)}.items():
        ws[f"C{r}"], ws[f"D{r}"], ws[f"E{r}"] = vals
    ws["A13"], ws["B13"], ws["C13"], ws["D13"], ws["E13"], ws["F13"] = (
        "产出指标",
        "数量指标",
        "培训",
        "≥500",
        "430",
        90,
    )
    src = tmp_path / "filled.xlsx"
    wb.save(src)
    out = tmp_path / "values.xlsx"
    assert main(["recalc", str(src), "-o", str(out)]) == 0
    ws = openpyxl.load_workbook(out).worksheets[0]
    lay = L.Layout()
    assert float(ws["G6"].value) == 120.0 and float(ws["H6"].value) == 10.0
    assert float(ws["G13"].value) == 77.4
    assert ws["J13"].value == "偏差原因未填写"
    assert ws["G14"].value is None and ws["J14"].value is None
    remarks = ws[lay.form_remarks_cell].value
    assert "资金合计不符" in remarks and "超预算执行" in remarks
    assert float(ws[lay.total_score_cell].value) == 87.4 and ws[lay.grade_cell].value == "良"


def test_recalc_bad_input(tmp_path, capsys):
    assert main(["recalc", str(tmp_path / "missing.xlsx"), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert "missing.xlsx" in capsys.readouterr().err
    foreign = sorted((ROOT / "examples" / "forms").glob("*.xlsx"))[0]
    assert main(["recalc", str(foreign), "-o", str(tmp_path / "o.xlsx")]) == 2  # not a template sheet
    assert "模板" in capsys.readouterr().err
    assert not (tmp_path / "o.xlsx").exists()
    copy = tmp_path / "t.xlsx"
    copy.write_bytes(TEMPLATE.read_bytes())
    assert main(["recalc", str(copy), "-o", str(copy)]) == 2
    assert copy.read_bytes() == TEMPLATE.read_bytes()

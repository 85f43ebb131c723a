"""The published forms come out exactly as they state: from the text export and from an xlsx."""

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import perfeval_xl
from perfeval_xl.reader import read_forms

DATA = Path(__file__).parent / "data"
SEED = DATA / "seed_forms.txt"
EXPECTED = json.loads((DATA / "seed_expected.json").read_text(encoding="utf-8"))["000_6bbe80b524893a26.txt"]


def _grid_of_text(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]


def _seed_as_xlsx(tmp_path: Path) -> Path:
    """The seed export typed cell by cell into a workbook, numbers as numbers, one form per sheet."""
    rows = _grid_of_text(SEED)
    starts = [i for i, row in enumerate(rows) if row and row[0].startswith("财政项目支出绩效")] + [len(rows)]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for k, (a, b) in enumerate(zip(starts, starts[1:], strict=False)):
        ws = wb.create_sheet(f"自评表{k + 1}")
        for r, row in enumerate(rows[a:b], start=1):
            for c, value in enumerate(row, start=1):
                if value == "":
                    continue
                try:
                    ws.cell(r, c, float(value))
                except ValueError:
                    cell = ws.cell(r, c, value)
                    cell.data_type = "s"  # "=100.00(百分数)" is text as typed, not a formula
    path = tmp_path / "seed.xlsx"
    wb.save(path)
    return path


def _check_against_published(results):
    assert len(results) == len(EXPECTED["forms"])
    for result, exp in zip(results, EXPECTED["forms"], strict=True):
        assert result.form.project == exp["project"]
        assert result.profile == EXPECTED["profile"]
        assert result.execution_rate == Decimal(str(exp["execution_rate"]))
        assert result.budget_score == Decimal(str(exp["budget_score"]))
        assert [r.score for r in result.indicators] == [Decimal(str(s)) for s in exp["scores"]]
        assert result.total_points == Decimal(str(exp["total_points"]))
        assert result.total_score == Decimal(str(exp["total_score"]))
        assert result.grade == exp["grade"]
        codes = {f.code for f in result.findings}
        assert not codes & set(exp["must_not_find"]), result.findings
        assert set(exp["must_find"]) <= codes
        # every fund row's 执行率 as the form prints it
        for fr in result.funds:
            assert fr.execution_rate == fr.row.stated_rate, fr.row.label
        assert not result.has_errors


def test_seed_text_export_reproduces_every_published_number():
    forms = read_forms(SEED)
    _check_against_published([perfeval_xl.evaluate(f) for f in forms])


def test_seed_as_xlsx_reproduces_every_published_number(tmp_path):
    forms = read_forms(_seed_as_xlsx(tmp_path))
    assert [f.sheet for f in forms] == ["自评表1", "自评表2", "自评表3", "自评表4"]
    _check_against_published([perfeval_xl.evaluate(f) for f in forms])


def test_seed_expected_findings():
    results = [perfeval_xl.evaluate(f) for f in read_forms(SEED)]
    first = {(f.code, f.where) for f in results[0].findings}
    # 2亿元 has no operator and its actual is only "达成指标"
    assert ("no-operator", "企业通过千家百亿授信计划获得融资担保金额") in first
    assert ("actual-without-figure", "企业通过千家百亿授信计划获得融资担保金额") in first
    second = {f.where: f.message for f in results[1].findings if f.code == "no-operator"}
    assert "按“≤”理解" in second["系统故障率"]
    assert "按“≤”理解" in second["故障重复发生率"]
    assert "按“≥”理解" in second["运维人员胜任率"]


def _run(*args):
    return subprocess.run(
        [sys.executable, "-m", "perfeval_xl", *args], capture_output=True, text=True, encoding="utf-8"
    )


def test_score_cli_json_shape():
    proc = _run("score", str(SEED), "--json")
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["errors"] == []
    first = payload["forms"][0]
    assert first["source"] == str(SEED) and first["sheet"] is None and first["index"] == 1
    assert first["project"] == "企业服务专项"
    assert first["department"] == "上海市经济和信息化委员会"
    assert first["unit"] == "上海市中小企业发展服务中心"
    assert first["money_unit"] == "万元" and first["profile"] == "shanghai-municipal"
    assert first["funds"][0] == {
        "label": "年度资金总额",
        "initial": 758.11,
        "annual": 758.11,
        "executed": 754.31,
        "execution_rate": 99.49,
        "stated_execution_rate": 99.49,
    }
    assert (first["execution_rate"], first["budget_points"], first["budget_score"]) == (99.49, 10, 9.94)
    ind = first["indicators"][0]
    assert ind["name"] == "上海市企业服务云完成服务订单量"
    assert (ind["target"], ind["actual"], ind["points"], ind["score"], ind["stated_score"]) == (
        "≥120000.00(次)",
        "120722.00(次)",
        5,
        5,
        5,
    )
    assert (first["total_points"], first["total_score"], first["grade"]) == (100, 99.94, "优")
    for form, exp in zip(payload["forms"], EXPECTED["forms"], strict=True):
        assert [i["score"] for i in form["indicators"]] == exp["scores"]
        assert form["total_score"] == exp["total_score"]
    for f in first["findings"]:
        assert set(f) == {"severity", "code", "where", "message"}


def test_score_cli_profile_switch_and_text_output():
    proc = _run("score", str(SEED), "--json", "--profile", "mof-2020")
    forms = json.loads(proc.stdout)["forms"]
    assert forms[0]["budget_score"] == 9.95  # 99.4988 % rounded half up
    # the form states 9.94: under mof-2020 that is a mismatch, an error → exit 1
    assert proc.returncode == 1
    text = _run("score", str(SEED))
    assert text.returncode == 0
    assert "企业服务专项" in text.stdout and "99.94" in text.stdout and "评分等级：优" in text.stdout


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "空"),
        ("这只是一段文字\n没有表单".encode(), "不是有效的 Excel 文件"),  # text named .xlsx
        (b"\x00\x01\x02\xff\xfe" * 100, ""),
    ],
)
def test_score_cli_bad_input_exit_2_without_traceback(tmp_path, content, needle):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    proc = _run("score", str(path))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "bad.xlsx" in proc.stderr and needle in proc.stderr


def test_score_cli_unknown_profile_and_missing_file(tmp_path):
    proc = _run("score", str(SEED), "--profile", "nope")
    assert proc.returncode == 2 and "未知的评分规则" in proc.stderr
    proc = _run("score", str(tmp_path / "missing.xlsx"))
    assert proc.returncode == 2 and "missing.xlsx" in proc.stderr and "Traceback" not in proc.stderr

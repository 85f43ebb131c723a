"""``--profile auto`` in score / consolidate / import, the rule written by ``recalc --profile``,
malformed profile files and numbers of any magnitude on the command line.

The two forms in tests/data/rules are written in the Shanghai layout with the numbers of the rule they
follow: ``whole_number_form.txt`` (whole numbers: 37.24 / 43.2 → 86 %, budget score 9, 8.65 → 9,
11 ÷ 12 × 5 = 4.58 → 5, 40 × 88 / 90 = 39.11 → 39; total 9 + 9 + 35 + 5 + 39 = 97) and
``transfer_payment_form.txt`` (no budget score; 50 + 30 × 85 / 90 = 28.33 + 20 = 98.33 of 100 points).
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from perfeval_xl import layout as L
from perfeval_xl.batch import consolidate
from perfeval_xl.cli import main
from perfeval_xl.reader import read_forms
from perfeval_xl.rules import evaluate

DATA = Path(__file__).parent / "data"
WHOLE = DATA / "rules" / "whole_number_form.txt"
TRANSFER = DATA / "rules" / "transfer_payment_form.txt"
SEED = DATA / "seed_forms.txt"


def score_json(capsys, *args) -> tuple[int, dict]:
    rc = main(["score", *map(str, args), "--json"])
    return rc, json.loads(capsys.readouterr().out)


def test_score_auto_picks_the_rule_each_form_follows(capsys):
    rc, out = score_json(capsys, WHOLE, TRANSFER, SEED, "--profile", "auto")
    assert rc == 0  # no stated-mismatch left once each form is scored under its own rule
    forms = out["forms"]
    assert [f["profile"] for f in forms] == ["whole-number", "transfer-payment"] + ["shanghai-municipal"] * 4
    assert all(f["profile_inferred"] for f in forms)
    whole, transfer = forms[0], forms[1]
    assert (whole["execution_rate"], whole["budget_score"], whole["total_score"]) == (86, 9, 97)
    assert whole["profile_title"] == "整数（四舍五入取整）"
    assert (transfer["budget_points"], transfer["total_points"], transfer["total_score"]) == (0, 100, 98.33)
    # the seed's numbers stay exactly as published
    assert [f["total_score"] for f in forms[2:]] == [99.94, 98.91, 100, 99.51]


def test_score_without_auto_flags_the_other_rules(capsys):
    rc, out = score_json(capsys, WHOLE, TRANSFER)
    assert rc == 1
    assert [f["profile"] for f in out["forms"]] == ["shanghai-municipal"] * 2
    assert not any(f["profile_inferred"] for f in out["forms"])
    assert out["forms"][1]["total_score"] == 107.93  # 9.60 budget score on top of 98.33


def test_score_auto_text_names_the_inferred_rule(capsys):
    assert main(["score", str(WHOLE), "--profile", "auto"]) == 0
    assert "评分规则：整数（四舍五入取整）（推断）" in capsys.readouterr().out


def test_consolidate_auto_marks_the_rule_as_inferred(tmp_path):
    c = consolidate([WHOLE, TRANSFER], profile="auto", jobs=1)
    assert list(c.forms["评分规则"]) == ["整数（四舍五入取整）（推断）", "转移支付（无预算执行分）（推断）"]
    assert list(c.forms["总分"]) == [97, 98.33]
    assert (
        main(
            [
                "consolidate",
                str(WHOLE),
                str(TRANSFER),
                "-o",
                str(tmp_path / "s.xlsx"),
                "-q",
                "--profile",
                "auto",
            ]
        )
        == 0
    )
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx")["汇总"]
    header = [c.value for c in ws[1]]
    column = header.index("评分规则") + 1
    assert {ws.cell(r, column).value for r in (2, 3)} == {
        "整数（四舍五入取整）（推断）",
        "转移支付（无预算执行分）（推断）",
    }


def test_import_auto_writes_each_forms_rule(tmp_path):
    out = tmp_path / "imp.xlsx"
    assert main(["import", str(WHOLE), str(TRANSFER), "-o", str(out), "--profile", "auto"]) == 0
    wb = openpyxl.load_workbook(out)
    assert [ws[L.PROFILE_CELL].value for ws in wb.worksheets if L.layout_of_sheet(ws)] == [
        "整数（四舍五入取整）",
        "转移支付（无预算执行分）",
    ]


def test_issue10_item3_recalc_writes_the_rule_it_used(tmp_path):
    imported = tmp_path / "forms.xlsx"
    assert main(["import", str(SEED), "-o", str(imported)]) == 0
    out = tmp_path / "mof.xlsx"
    assert main(["recalc", str(imported), "-o", str(out), "--profile", "mof-2020"]) == 0
    wb = openpyxl.load_workbook(out)
    for ws in wb.worksheets:
        if L.layout_of_sheet(ws):
            assert ws[L.PROFILE_CELL].value == "财政部2020（四舍五入）", ws.title
    # scoring the copy reads its rule from the cell: no false stated-mismatch (there were 5 before)
    results = [evaluate(f) for f in read_forms(out)]
    assert [r.profile for r in results] == ["mof-2020"] * 4
    assert not [f for r in results for f in r.findings if f.code == "stated-mismatch"]
    # without --profile the copy keeps the sheet's own rule
    same = tmp_path / "same.xlsx"
    assert main(["recalc", str(imported), "-o", str(same)]) == 0
    assert openpyxl.load_workbook(same).worksheets[0][L.PROFILE_CELL].value == "上海市级（截位）"


@pytest.mark.parametrize(
    "text", ["{", '{"decimals": 5}', '{"budget_points": "十"}', '{"grade_bands": 3}', "[]"]
)
@pytest.mark.parametrize("command", ["score", "consolidate", "import", "recalc"])
def test_malformed_profile_file_exits_2_with_a_chinese_message(tmp_path, capsys, text, command):
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    out = tmp_path / "out.xlsx"
    source = tmp_path / "t.xlsx" if command == "recalc" else SEED
    if command == "recalc":
        assert main(["import", str(SEED), "-o", str(source)]) == 0
        capsys.readouterr()
    args = {
        "score": ["score", str(SEED)],
        "consolidate": ["consolidate", str(SEED), "-o", str(out), "-q"],
        "import": ["import", str(SEED), "-o", str(out)],
        "recalc": ["recalc", str(source), "-o", str(out)],
    }[command]
    assert main([*args, "--profile", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "评分规则" in err and "Traceback" not in err
    assert not out.exists()


def _huge_seed(tmp_path) -> Path:
    text = SEED.read_text(encoding="utf-8")
    old = "\t年度资金总额\t758.11\t758.11\t754.31"
    assert old in text
    text = text.replace(old, "\t年度资金总额\t758.11\t123456789012345678901234567890.5\t754.31", 1)
    path = tmp_path / "huge.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_any_magnitude_prints_in_json(tmp_path, capsys):
    rc, out = score_json(capsys, _huge_seed(tmp_path))
    assert rc == 1  # the form states 99.49 for a rate that is now ~0: a mismatch, not a crash
    total = out["forms"][0]["funds"][0]
    assert total["annual"] == 123456789012345678901234567891  # to the cent, half up, as an exact integer
    assert total["execution_rate"] == 0


def test_any_magnitude_survives_recalc(tmp_path):
    imported = tmp_path / "forms.xlsx"
    assert main(["import", str(SEED), "-o", str(imported)]) == 0
    wb = openpyxl.load_workbook(imported)
    wb.worksheets[0]["D6"], wb.worksheets[0]["E6"] = 0.01, 1e26  # a rate of 1e26 / 0.01 × 100 = 1e30 %
    wb.save(imported)
    out = tmp_path / "values.xlsx"
    assert main(["recalc", str(imported), "-o", str(out)]) == 0
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert float(ws["G6"].value) == 1e30 and float(ws["H6"].value) == 10.0  # score capped at 分数


def test_text_output_shows_the_profiles_decimals(capsys):
    assert main(["score", str(WHOLE), "--profile", "whole-number"]) == 0
    out = capsys.readouterr().out
    assert "预算执行得分：9 / 10.00" in out and "总分：97    评分等级：优" in out
    main(["score", str(SEED)])  # the seed (default rule) keeps two decimals
    assert "总分：99.94" in capsys.readouterr().out

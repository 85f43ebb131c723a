"""Outputs stay valid and safe whatever the inputs hold: XML-forbidden characters, an output path that
is an input, the umask, formula prefixes in CSV, a missing optional dependency."""

from __future__ import annotations

import csv
import os
import stat
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from perfeval_xl.cli import main
from perfeval_xl.safeout import display_path, xml_text

DATA = Path(__file__).parent / "data"
SEED = (DATA / "seed_forms.txt").read_text(encoding="utf-8")
BAD_CHARS = "\x0b\uffff\ufffe\x01"


def _hostile_text(path: Path) -> Path:
    """The seed export with forbidden characters in a project name and an indicator name."""
    text = SEED.replace("企业服务专项", f"企业{BAD_CHARS}服务专项", 1).replace(
        "主题培训企业家次", "主题培\x0b训企业家次", 1
    )
    path.write_text(text, encoding="utf-8")
    return path


def test_xml_text_removes_what_xml_forbids():
    assert xml_text("a\x0bb\x0cc") == "a\nb\nc"
    assert xml_text("x\uffff\ufffe\x00\x1fy") == "xy"
    assert xml_text("\ud800路径") == "\ufffd路径"
    assert xml_text("正常\t文本\n") == "正常\t文本\n"
    assert display_path("a/\udcff.xlsx") == "a/\ufffd.xlsx"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_summary_stays_well_formed_with_forbidden_characters(tmp_path, jobs):
    src = tmp_path / "in"
    src.mkdir()
    _hostile_text(src / "坏字符.txt")
    (src / "好.txt").write_text(SEED, encoding="utf-8")
    out = tmp_path / "汇总.xlsx"
    assert (
        main(["consolidate", str(src), "-o", str(out), "--csv", str(tmp_path / "csv"), "-j", jobs, "-q"]) == 0
    )
    with zipfile.ZipFile(out) as zf:  # every part parses as XML
        import xml.dom.minidom

        for name in zf.namelist():
            if name.endswith(".xml"):
                xml.dom.minidom.parseString(zf.read(name))
    wb = openpyxl.load_workbook(out, read_only=True)
    projects = [r[0] for r in wb["汇总"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert len(projects) == 8  # both files, four forms each: no row lost after the bad one
    assert "企业\n服务专项" in projects
    with open(tmp_path / "csv" / "汇总.csv", encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.reader(fh))) == 9


def test_import_keeps_going_past_a_control_character(tmp_path, capsys):
    bad = _hostile_text(tmp_path / "坏字符.txt")
    out = tmp_path / "导入.xlsx"
    assert main(["import", str(bad), str(DATA / "seed_forms.txt"), "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    forms = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert len(forms) == 8
    texts = {c.value for ws in forms for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert "企业\n服务专项" in texts
    assert any("主题培\n训" in t for t in texts)


def _summary_args(inputs: list[str], out: Path) -> list[str]:
    return ["consolidate", *inputs, "-o", str(out), "-q", "-j", "1"]


@pytest.mark.parametrize("how", ["folder", "glob", "symlink", "hardlink"])
def test_output_that_is_an_input_is_refused(tmp_path, capsys, how):
    forms = tmp_path / "forms"
    forms.mkdir()
    a = forms / "a.txt"
    a.write_text(SEED, encoding="utf-8")
    form_xlsx = forms / "a.xlsx"
    openpyxl.Workbook().save(form_xlsx)
    before = form_xlsx.read_bytes()
    if how == "folder":
        args = _summary_args([str(forms)], form_xlsx)
    elif how == "glob":
        args = _summary_args([str(forms / "*.xlsx"), str(a)], form_xlsx)
    elif how == "symlink":
        link = tmp_path / "link.xlsx"
        link.symlink_to(form_xlsx)
        args = _summary_args([str(forms)], link)
    else:
        link = tmp_path / "hard.xlsx"
        os.link(form_xlsx, link)
        args = _summary_args([str(forms)], link)
    assert main(args) == 2
    assert "不能覆盖输入文件" in capsys.readouterr().err
    assert form_xlsx.read_bytes() == before


def test_an_earlier_summary_among_the_inputs_is_replaced(tmp_path):
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "a.txt").write_text(SEED, encoding="utf-8")
    out = forms / "汇总.xlsx"
    assert main(_summary_args([str(forms)], out)) == 0
    assert main(_summary_args([str(forms)], out)) == 0  # the rerun skips its own earlier summary


def test_outputs_honour_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "汇总.xlsx"
        assert main(["consolidate", str(DATA / "seed_forms.txt"), "-o", str(out), "-q", "-j", "1",
                     "--csv", str(tmp_path / "csv"), "--parquet", str(tmp_path / "pq")]) == 0  # fmt: skip
        assert main(["template", "-o", str(tmp_path / "模板.xlsx")]) == 0
        assert main(["import", str(DATA / "seed_forms.txt"), "-o", str(tmp_path / "导入.xlsx")]) == 0
        assert main(["recalc", str(tmp_path / "导入.xlsx"), "-o", str(tmp_path / "计算.xlsx")]) in (0, 1)
    finally:
        os.umask(old)
    made = [out, tmp_path / "模板.xlsx", tmp_path / "导入.xlsx", tmp_path / "计算.xlsx"]
    made += list((tmp_path / "csv").iterdir()) + list((tmp_path / "pq").iterdir())
    assert len(made) == 16
    for path in made:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_full_width_formula_prefixes_are_neutralised_in_csv(tmp_path):
    text = SEED.replace("企业服务专项", "＝HYPERLINK(1)", 1).replace("信息化建设项目", "＠SUM(1)", 1)
    src = tmp_path / "in.txt"
    src.write_text(text, encoding="utf-8")
    assert (
        main(["consolidate", str(src), "-o", str(tmp_path / "s.xlsx"), "--csv", str(tmp_path / "c"), "-q"])
        == 0
    )
    with open(tmp_path / "c" / "汇总.csv", encoding="utf-8-sig", newline="") as fh:
        names = [row[0] for row in csv.reader(fh)][1:]
    assert "'＝HYPERLINK(1)" in names and "'＠SUM(1)" in names


def test_parquet_without_pyarrow_is_refused_before_any_work(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    out = tmp_path / "汇总.xlsx"
    code = main(
        ["consolidate", str(DATA / "seed_forms.txt"), "-o", str(out), "--parquet", str(tmp_path / "pq")]
    )
    assert code == 2
    assert 'pip install "perfeval-xl[parquet]"' in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "pq").exists()

"""Batch consolidation: a folder of real, nested and broken inputs into a summary workbook, read back."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import stat
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from perfeval_xl import labels
from perfeval_xl.batch import consolidate
from perfeval_xl.cli import main

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))

import make_examples  # noqa: E402

EXPECTED = json.loads((DATA / "seed_expected.json").read_text(encoding="utf-8"))["000_6bbe80b524893a26.txt"]
EXPECTED_FORMS = {f["project"]: f for f in EXPECTED["forms"]}
HYPERLINK = '=HYPERLINK("http://x","y")'
BAD_FILES = ("corrupt.xlsx", "empty.xlsx", "encrypted.xlsx", "noform.xlsx", "zipbomb.xlsx")


def _rename(block, old: str, new: str):
    return [[new if cell == old else cell for cell in row] for row in block]


def _encrypted(src: Path, dst: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(src, "rb") as fh:
        office = OOXMLFile(fh)
        out = io.BytesIO()
        office.encrypt("secret", out)
    dst.write_bytes(out.getvalue())


def _zip_bomb(dst: Path) -> None:
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (8 * 1024 * 1024))


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """A folder like a department's inbox: good forms in several formats, copies, and broken files."""
    root = tmp_path_factory.mktemp("inbox")
    blocks = make_examples.seed_blocks(DATA / "seed_forms.txt")
    assert len(blocks) == 4
    make_examples.write_workbook(
        root / "一号.xlsx", [("企业服务专项", [blocks[0]]), ("信息化建设项目", [blocks[1]])]
    )
    make_examples.write_workbook(root / "二号.xlsx", [("自评表", [blocks[2], blocks[3]])])
    shutil.copy(DATA / "seed_forms.txt", root / "导出.txt")
    nested = root / "下级单位" / "二〇二三"
    nested.mkdir(parents=True)
    shutil.copy(root / "一号.xlsx", nested / "一号副本.xlsx")
    hostile = _rename(blocks[3], "事业发展专项", HYPERLINK)
    make_examples.write_workbook(root / "公式名.xlsx", [("表", [hostile])])

    bad = root / "坏文件"
    bad.mkdir()
    (bad / "corrupt.xlsx").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 20)
    (bad / "empty.xlsx").write_bytes(b"")
    _encrypted(root / "一号.xlsx", bad / "encrypted.xlsx")
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "本工作簿只有说明文字，没有自评表"
    wb.save(bad / "noform.xlsx")
    _zip_bomb(bad / "zipbomb.xlsx")
    (bad / "~$一号.xlsx").write_bytes(b"lock file of an open workbook")  # Office lock file: skipped
    return root


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _sheet_rows(ws) -> tuple[list[str], list[dict]]:
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    return header, [dict(zip(header, r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]


@pytest.fixture(scope="module")
def summary(batch, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    before = _hashes(batch)
    code = main(
        [
            "consolidate",
            str(batch),
            "-o",
            str(out / "汇总.xlsx"),
            "--csv",
            str(out / "csv"),
            "--parquet",
            str(out / "parquet"),
            "--jobs",
            "2",
            "--quiet",
        ]
    )
    return {"code": code, "out": out, "before": before, "after": _hashes(batch)}


def test_exit_status_3_and_inputs_untouched(summary):
    assert summary["code"] == 3
    assert summary["before"] == summary["after"]
    assert summary["before"]  # the hashes did cover the inputs
    leftovers = [p.name for p in summary["out"].iterdir() if p.name.startswith(".~perfeval")]
    assert leftovers == []


def test_summary_rows_match_the_published_numbers(summary):
    wb = openpyxl.load_workbook(summary["out"] / "汇总.xlsx")
    assert wb.sheetnames[:5] == ["汇总", "按主管部门", "指标明细", "问题清单", "错误"]
    header, rows = _sheet_rows(wb["汇总"])
    for col in ("项目名称", "主管部门", "实施单位", "年度", "全年预算数（万元）", "全年执行数（万元）", "执行率（%）", "预算执行得分",
                "指标得分", "总分", "评分等级", "问题数", "来源文件", "工作表"):  # fmt: skip
        assert col in header
    # 4 forms in two workbooks, 4 in the text export, 2 in the nested copy, 1 renamed copy
    assert len(rows) == 11
    by_project: dict[str, list[dict]] = {}
    for row in rows:
        by_project.setdefault(row["项目名称"], []).append(row)
    assert len(by_project["企业服务专项"]) == 3
    assert len(by_project["事业发展专项"]) == 2
    for project, expected in EXPECTED_FORMS.items():
        for row in by_project[project]:
            assert Decimal(str(row["执行率（%）"])) == Decimal(str(expected["execution_rate"]))
            assert Decimal(str(row["预算执行得分"])) == Decimal(str(expected["budget_score"]))
            assert Decimal(str(row["总分"])) == Decimal(str(expected["total_score"]))
            assert row["评分等级"] == expected["grade"]
            assert row["主管部门"] == "上海市经济和信息化委员会"
    sources = {r["来源文件"] for r in rows}
    assert any(s.endswith("导出.txt") for s in sources)
    assert any("下级单位" in s for s in sources)
    txt = [r for r in rows if r["来源文件"].endswith("导出.txt")]
    assert [r["项目名称"] for r in txt] == [f["project"] for f in EXPECTED["forms"]]
    assert all(r["工作表"] is None for r in txt)


def test_indicator_details_match_the_published_scores(summary):
    wb = openpyxl.load_workbook(summary["out"] / "汇总.xlsx")
    _, rows = _sheet_rows(wb["指标明细"])
    txt = [r for r in rows if r["来源文件"].endswith("导出.txt")]
    for project, expected in EXPECTED_FORMS.items():
        scores = [Decimal(str(r["得分"])) for r in txt if r["项目名称"] == project]
        assert scores == [Decimal(str(s)) for s in expected["scores"]], project
        stated = [Decimal(str(r["填报得分"])) for r in txt if r["项目名称"] == project]
        assert stated == scores


def test_every_bad_file_is_on_the_error_sheet(summary):
    wb = openpyxl.load_workbook(summary["out"] / "汇总.xlsx")
    _, rows = _sheet_rows(wb["错误"])
    by_name = {Path(r["来源文件"]).name: r["原因"] for r in rows}
    assert set(by_name) == set(BAD_FILES)
    assert "加密" in by_name["encrypted.xlsx"] or "密码" in by_name["encrypted.xlsx"]
    assert "空" in by_name["empty.xlsx"]
    assert "压缩炸弹" in by_name["zipbomb.xlsx"]
    assert "自评表" in by_name["noform.xlsx"]
    assert all(reason for reason in by_name.values())


def test_department_sheet_sums_with_decimals(summary):
    wb = openpyxl.load_workbook(summary["out"] / "汇总.xlsx")
    ws = wb["按主管部门"]
    header = [c.value for c in ws[1]]
    rows = {
        r[0]: dict(zip(header, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]
    }
    total = rows[labels.TOTAL]
    # 11 forms, but the copies (the nested 一号副本, the text export) are the same 4 projects: each
    # project counts once (5 with the renamed form); the repeats are duplicate-form findings
    assert total["项目数"] == 5
    assert total["优"] == 5 and total["差"] == 0
    annual = {
        "企业服务专项": "758.11",
        "信息化建设项目": "137.65",
        "信息化运维项目": "37.76",
        "事业发展专项": "69.26",
    }
    executed = {
        "企业服务专项": "754.31",
        "信息化建设项目": "122.75",
        "信息化运维项目": "37.76",
        "事业发展专项": "65.93",
    }
    counts = {"企业服务专项": 1, "信息化建设项目": 1, "信息化运维项目": 1, "事业发展专项": 1}
    a = sum(Decimal(annual[p]) * n for p, n in counts.items()) + Decimal(annual["事业发展专项"])
    e = sum(Decimal(executed[p]) * n for p, n in counts.items()) + Decimal(executed["事业发展专项"])
    assert Decimal(str(total["全年预算数（万元）"])) == a
    assert Decimal(str(total["全年执行数（万元）"])) == e
    rate = (e / a * 100).quantize(Decimal("0.01"), rounding="ROUND_DOWN")  # Shanghai truncation
    assert Decimal(str(total["执行率（%）"])) == rate
    # the execution-rate buckets below the table count every form once
    buckets = {r[0]: r[1] for r in ws.iter_rows(min_row=2, values_only=True) if r[0] and "%" in str(r[0])}
    assert sum(buckets.values()) == 5
    assert buckets["100%"] == 1 and buckets["80%–90%"] == 1


def test_duplicate_projects_are_flagged_naming_both_files(summary):
    wb = openpyxl.load_workbook(summary["out"] / "汇总.xlsx")
    ws = wb["问题清单"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]
    dups = [r for r in rows if r["代码"] == "duplicate-form"]
    assert len(dups) == 11 - 5
    assert sorted(r["项目名称"] for r in dups) == sorted(
        ["企业服务专项", "信息化建设项目"] * 2 + ["信息化运维项目", "事业发展专项"]
    )
    for r in dups:
        assert r["严重程度"] == "警告" and "是同一项目" in r["说明"]
        first = r["说明"].split("与 ", 1)[1].split("［", 1)[0].split("第", 1)[0]
        assert Path(first).name in ("一号.xlsx", "二号.xlsx")  # the first file met is named
        assert Path(r["来源文件"]).name in ("一号副本.xlsx", "导出.txt")


def test_summary_layout_charts_filters_frozen_panes(summary):
    path = summary["out"] / "汇总.xlsx"
    wb = openpyxl.load_workbook(path)
    for name in ("汇总", "指标明细", "问题清单", "错误"):
        assert wb[name].freeze_panes == "A2"
        assert wb[name].auto_filter.ref
        setup = wb[name].page_setup
        assert (setup.orientation, setup.paperSize, setup.fitToHeight) == ("landscape", 9, 0)
        assert wb[name].sheet_properties.pageSetUpPr.fitToPage  # one page wide (fitToWidth defaults to 1)
        assert wb[name].print_title_rows == "$1:$1"
    ws = wb["汇总"]
    header = [c.value for c in ws[1]]
    rate_col = header.index("执行率（%）") + 1
    assert ws.cell(2, rate_col).number_format == "0.00"
    rules = [r for rng in ws.conditional_formatting for r in rng.rules]
    assert len(rules) >= 2
    with zipfile.ZipFile(path) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2


def test_formula_like_text_stays_text_everywhere(summary):
    wb = openpyxl.load_workbook(summary["out"] / "汇总.xlsx")
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == HYPERLINK:
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    seen += 1
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    assert seen >= 3  # 汇总, 指标明细 (one per indicator), 问题清单 when it has findings
    csv = pd.read_csv(summary["out"] / "csv" / "汇总.csv", encoding="utf-8-sig")
    assert "'" + HYPERLINK in set(csv["项目名称"])  # neutralised for Excel
    parquet = pd.read_parquet(summary["out"] / "parquet" / "汇总.parquet")
    assert HYPERLINK in set(parquet["项目名称"])  # kept as written


def test_csv_and_parquet_hold_the_same_rows(summary):
    wb = openpyxl.load_workbook(summary["out"] / "汇总.xlsx")
    n_ind = wb["指标明细"].max_row - 1
    for name, n in (("汇总", 11), ("指标明细", n_ind), ("错误", len(BAD_FILES))):
        assert len(pd.read_csv(summary["out"] / "csv" / f"{name}.csv", encoding="utf-8-sig")) == n
        assert len(pd.read_parquet(summary["out"] / "parquet" / f"{name}.parquet")) == n


def test_api_parallel_equals_serial_and_profile_override(batch):
    serial = consolidate([batch], jobs=1)
    parallel = consolidate([str(batch / "**" / "*.xlsx"), str(batch / "导出.txt")], jobs=2)
    cols = ["项目名称", "执行率（%）", "总分", "评分等级", "工作表", "序号"]
    pd.testing.assert_frame_equal(serial.forms[cols], parallel.forms[cols])
    # the same files, shown as found in the folder given (serial) or through the pattern and name given
    assert [Path(s).name for s in serial.forms["来源文件"]] == [
        Path(s).name for s in parallel.forms["来源文件"]
    ]
    assert len(serial.errors) == len(BAD_FILES) and not serial.ok
    mof = consolidate([batch / "导出.txt"], profile="mof-2020", jobs=1)
    assert mof.ok
    first = mof.forms.iloc[0]
    assert first["项目名称"] == "企业服务专项"
    # 754.31 / 758.11 = 99.4988 %: truncated 99.49 (Shanghai) but 99.50 half-up (MoF), scoring 9.95
    assert (first["执行率（%）"], first["预算执行得分"]) == (99.50, 9.95)
    assert first["评分规则"] == "财政部2020（四舍五入）"  # the rule by its Chinese name


def test_unusable_arguments_exit_2(batch, tmp_path, capsys):
    assert main(["consolidate", str(tmp_path / "nothing-here"), "-o", str(tmp_path / "a.xlsx"), "-q"]) == 2
    target = batch / "一号.xlsx"
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    assert main(["consolidate", str(target), "-o", str(target), "-q"]) == 2
    assert hashlib.sha256(target.read_bytes()).hexdigest() == digest
    assert main(["consolidate", str(target), "-o", str(tmp_path / "b.xlsx"), "--profile", "nowhere"]) == 2
    assert "未知的评分规则" in capsys.readouterr().err
    assert not (tmp_path / "b.xlsx").exists()


def test_clean_batch_exits_0_and_output_inside_input_folder_is_skipped(tmp_path):
    blocks = make_examples.seed_blocks(DATA / "seed_forms.txt")
    make_examples.write_workbook(tmp_path / "a.xlsx", [("表", [blocks[0]])])
    out = tmp_path / "汇总.xlsx"
    assert main(["consolidate", str(tmp_path), "-o", str(out), "-q"]) == 0
    assert main(["consolidate", str(tmp_path), "-o", str(out), "-q"]) == 0  # its own output is not an input
    _, rows = _sheet_rows(openpyxl.load_workbook(out)["汇总"])
    assert [r["项目名称"] for r in rows] == ["企业服务专项"]


def test_size_options_keep_text_exports_readable(tmp_path):
    # --max-file-mb and --max-unzipped-mb arrive as floats; a text export (read in one go up to the
    # limit) was refused with a TypeError whenever one was given
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(DATA / "seed_forms.txt", inbox / "导出.txt")
    out = tmp_path / "汇总.xlsx"
    args = ["consolidate", str(inbox), "-o", str(out), "-q", "--jobs", "1"]
    assert main([*args, "--max-file-mb", "0.5", "--max-unzipped-mb", "2.5"]) == 0
    _, rows = _sheet_rows(openpyxl.load_workbook(out)["汇总"])
    assert len(rows) == 4


def test_package_consolidate_is_the_function_even_after_importing_the_batch_module():
    import perfeval_xl
    import perfeval_xl.batch  # noqa: F401 - importing the batch module leaves the API name alone

    result = perfeval_xl.consolidate([DATA / "seed_forms.txt"], jobs=1)
    assert list(result.forms["项目名称"]) == [f["project"] for f in EXPECTED["forms"]]


def _workbook_values(path: Path) -> dict[str, list[tuple]]:
    """Every sheet's cells as (value, number format) rows."""
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: [tuple((c.value, c.number_format, c.data_type) for c in row) for row in ws.iter_rows()]
        for ws in wb.worksheets
    }


def test_streaming_cli_path_and_api_path_give_the_same_workbook(batch, tmp_path):
    from perfeval_xl.batch import consolidate_to
    from perfeval_xl.summary import write_summary

    streamed = tmp_path / "streamed.xlsx"
    stats = consolidate_to(streamed, [batch], jobs=2, csv_dir=tmp_path / "csv")
    api = tmp_path / "api.xlsx"
    write_summary(consolidate([batch], jobs=1), api)
    for path in (streamed, api):
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None  # every member's CRC and length check out
    a, b = _workbook_values(streamed), _workbook_values(api)
    assert list(a) == list(b)
    for name in a:
        assert a[name] == b[name], name
    assert stats.forms == 11 and stats.n_errors == len(BAD_FILES) and stats.error_files == len(BAD_FILES)
    # the streamed CSV carries the exact two-decimal numbers as computed
    with open(tmp_path / "csv" / "汇总.csv", encoding="utf-8-sig", newline="") as fh:
        import csv

        rows = list(csv.DictReader(fh))
    txt = [r for r in rows if r["来源文件"].endswith("导出.txt")]
    assert [r["执行率（%）"] for r in txt] == [
        f"{Decimal(str(f['execution_rate'])):.2f}" for f in EXPECTED["forms"]
    ]
    assert [r["总分"] for r in txt] == [f"{Decimal(str(f['total_score'])):.2f}" for f in EXPECTED["forms"]]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~perfeval")]


def test_batch_of_many_chunks_keeps_file_order(tmp_path):
    blocks = make_examples.seed_blocks(DATA / "seed_forms.txt")
    inbox = tmp_path / "inbox"
    names = []
    for i in range(41):  # 41 files over 2 processes: chunks of 2, completed out of order
        block = blocks[i % 4]
        path = inbox / f"{i // 10}" / f"f{i:03d}.xlsx"
        make_examples.write_workbook(path, [("表", [block])])
        names.append(str(Path("inbox", f"{i // 10}", f"f{i:03d}.xlsx")))  # as found in the folder given
    (inbox / "9" / "broken.xlsx").parent.mkdir(parents=True)
    (inbox / "9" / "broken.xlsx").write_bytes(b"not a workbook")
    serial = consolidate([inbox], jobs=1)
    parallel = consolidate([inbox], jobs=2)
    assert list(parallel.forms["来源文件"]) == names == list(serial.forms["来源文件"])
    assert list(parallel.errors["来源文件"]) == [str(Path("inbox", "9", "broken.xlsx"))]
    pd.testing.assert_frame_equal(serial.departments, parallel.departments)
    out = tmp_path / "汇总.xlsx"
    assert main(["consolidate", str(inbox), "-o", str(out), "-q", "-j", "2"]) == 3
    _, rows = _sheet_rows(openpyxl.load_workbook(out)["汇总"])
    assert [r["来源文件"] for r in rows] == names
    assert [r["总分"] for r in rows] == list(serial.forms["总分"])


def test_tables_beyond_the_row_limit_spill_into_numbered_sheets(batch, tmp_path, monkeypatch):
    from perfeval_xl import summary

    result = consolidate([batch / "导出.txt", batch / "一号.xlsx"], jobs=1)
    n_ind = len(result.rows["indicators"])
    monkeypatch.setattr(summary, "MAX_ROWS", 4)  # 3 data rows per sheet
    out = tmp_path / "spill.xlsx"
    summary.write_summary(result, out)
    wb = openpyxl.load_workbook(out)
    forms = [ws for ws in wb.worksheets if ws.title.startswith("汇总")]
    assert [ws.title for ws in forms] == ["汇总", "汇总（2）"]
    got = [r for ws in forms for r in _sheet_rows(ws)[1]]
    assert [r["项目名称"] for r in got] == list(result.forms["项目名称"])
    ind = [ws for ws in wb.worksheets if ws.title.startswith("指标明细")]
    assert len(ind) == -(-n_ind // 3)
    assert sum(len(_sheet_rows(ws)[1]) for ws in ind) == n_ind
    assert all(ws.auto_filter.ref and ws.freeze_panes == "A2" for ws in ind)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_and_calamine_read_the_summary_like_openpyxl(summary, tmp_path):
    """The data rows carry no r attributes (optional in ECMA-376): other readers place them the same."""
    import subprocess

    import python_calamine

    src = summary["out"] / "汇总.xlsx"
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(tmp_path), str(src)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    ours = openpyxl.load_workbook(src)
    theirs = openpyxl.load_workbook(tmp_path / src.name)
    book = python_calamine.CalamineWorkbook.from_path(str(src))
    for name in ("汇总", "指标明细", "问题清单", "错误"):
        expected = [[c.value for c in row] for row in ours[name].iter_rows()]
        assert len(expected) > 1
        assert [[c.value for c in row] for row in theirs[name].iter_rows()] == expected
        cal = book.get_sheet_by_name(name).to_python()
        assert [[None if v == "" else v for v in row] for row in cal] == [
            [v if not isinstance(v, int) else float(v) for v in row] for row in expected
        ]


def test_summary_prints_the_key_columns_for_a_reader(summary):
    """Printed, each table shows its key columns (Chinese names, units in the headers, wrapped text);
    the technical ones (source file, sheet, codes) come after them, outside the print area."""
    from perfeval_xl import columns as C

    wb = openpyxl.load_workbook(summary["out"] / "汇总.xlsx")
    for table in (C.FORMS, C.INDICATORS, C.FINDINGS):
        ws = wb[table.sheet]
        header = [c.value for c in ws[1]]
        assert header == list(table.names)
        last = openpyxl.utils.get_column_letter(table.printed)
        assert ws.print_area.endswith(f"$A$1:${last}${ws.max_row}"), ws.print_area
        assert header.index(C.SOURCE) >= table.printed  # on screen, not on paper
    forms = wb[C.FORMS.sheet]
    header = [c.value for c in forms[1]]
    assert "全年预算数（万元）" in header and "执行率（%）" in header
    printed = header[: C.FORMS.printed]
    assert all(h.isascii() is False for h in printed)  # no English on the page
    row = {h: c for h, c in zip(header, forms[2], strict=True)}
    assert row["项目名称"].alignment.wrap_text  # long names wrap instead of being cut
    assert row["评分规则"].value == "上海市级（截位）"  # the rule by its Chinese name, not its key
    findings = wb[C.FINDINGS.sheet]
    header = [c.value for c in findings[1]]
    kinds = {r[header.index("问题类型")] for r in findings.iter_rows(min_row=2, values_only=True)}
    assert kinds and not any(k.isascii() for k in kinds)  # every finding code has a Chinese name


def test_summary_charts_count_in_whole_numbers(summary):
    with zipfile.ZipFile(summary["out"] / "汇总.xlsx") as zf:
        charts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")]
    for xml in charts:
        units = re.findall(r'<c:majorUnit val="([0-9.]+)"/>', xml)
        assert units and all(float(u).is_integer() for u in units)
        assert '<c:numFmt formatCode="0"' in xml


@pytest.mark.parametrize("largest, step", [(0, 1), (6, 1), (7, 2), (12, 2), (13, 5), (31, 10), (1000, 200)])
def test_count_axis_steps(largest, step):
    from perfeval_xl.summary import _count_axis

    assert _count_axis(largest)["major_unit"] == step


def test_outputs_honour_the_umask(batch, tmp_path):
    """Colleagues on a shared folder can open what the tool writes (mkstemp alone would make it 0600)."""
    old = os.umask(0o022)
    try:
        out = tmp_path / "out"
        out.mkdir()
        rc = main(["consolidate", str(batch), "-o", str(out / "汇总.xlsx"), "-q", "--jobs", "1",
                   "--csv", str(out / "csv"), "--parquet", str(out / "pq")])  # fmt: skip
        assert rc == 3  # the batch holds broken files on purpose
        assert main(["template", "-o", str(out / "模板.xlsx")]) == 0
        written = [out / "汇总.xlsx", out / "模板.xlsx", *(out / "csv").iterdir(), *(out / "pq").iterdir()]
        for path in written:
            assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
    finally:
        os.umask(old)


def test_source_files_are_shown_relative_to_the_input_given(tmp_path, monkeypatch):
    """来源文件 never holds the absolute paths of the machine that ran the batch."""
    blocks = make_examples.seed_blocks(DATA / "seed_forms.txt")
    for sub in ("甲单位", "乙单位"):
        make_examples.write_workbook(tmp_path / "各单位" / sub / "自评.xlsx", [("表", [blocks[0]])])
    make_examples.write_workbook(tmp_path / "单独.xlsx", [("表", [blocks[1]])])
    (tmp_path / "各单位" / "坏.xlsx").write_bytes(b"junk")
    got = consolidate([tmp_path / "各单位", tmp_path / "单独.xlsx"], jobs=1)
    assert list(got.forms["来源文件"]) == [
        str(Path("各单位", "乙单位", "自评.xlsx")),  # sorted: 乙 (U+4E59) before 甲 (U+7532)
        str(Path("各单位", "甲单位", "自评.xlsx")),
        str(tmp_path / "单独.xlsx"),  # a file named explicitly: as given
    ]
    assert list(got.errors["来源文件"]) == [str(Path("各单位", "坏.xlsx"))]
    monkeypatch.chdir(tmp_path)
    by_glob = consolidate(["各单位/*/*.xlsx"], jobs=1)
    assert sorted(by_glob.forms["来源文件"]) == sorted(
        str(Path("各单位", s, "自评.xlsx")) for s in ("甲单位", "乙单位")
    )

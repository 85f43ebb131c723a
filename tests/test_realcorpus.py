"""The corpus of real published forms (tests/data/real) and its clerk-typed xlsx copies.

These tests check the corpus itself and the converter that types it into Excel, not the reader: every
sidecar says where the form was published and states only numbers the form shows, and every xlsx copy
holds exactly the transcribed cells, with numbers as numbers, rates as percent-formatted fractions and
the merged cells of the published layout.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from realcorpus import (
    KINDS,
    REAL,
    ROUNDINGS,
    SIDECAR_KEYS,
    clerk_xlsx,
    forms,
    read_tsv,
    sidecar,
    typed,
)

# What the corpus holds today; raise these when forms are added (never lower them).
MIN_FORMS = 36
MIN_PROVINCES = 14

#: Sidecar keys that may be null when the form does not state them (the notes then say "<key> null").
NULLABLE_IF_UNSTATED = ("year", "money_unit")

FORMS = forms()
IDS = [p.stem for p in FORMS]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _number(text: str) -> Decimal | None:
    """A TSV cell's number as printed (``86.19%`` → 86.19, ``215,457.6`` → 215457.6), else None."""
    t = typed(text)
    if t is None or isinstance(t.value, str):
        return None
    text = text.strip().replace(",", "")
    return Decimal(text[:-1]) if text.endswith("%") else Decimal(text)


def _check_cells(ws, rows: list[list[str]], where: str) -> int:
    """Every non-empty TSV cell is in ``ws`` with the type and value a clerk types; returns the percent count."""
    percents = 0
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            at = f"{where} {cell.coordinate} {text!r}"
            if not text.strip():
                assert cell.value is None, at
                continue
            if text.strip().endswith("%") and _number(text) is not None:
                assert isinstance(cell.value, int | float) and not isinstance(cell.value, bool), at
                assert Decimal(repr(cell.value)) * 100 == _number(text), at
                assert cell.number_format.endswith("%"), at
                percents += 1
            elif _number(text) is not None:
                assert isinstance(cell.value, int | float) and not isinstance(cell.value, bool), at
                assert Decimal(repr(cell.value)) == _number(text), at
                assert "%" not in cell.number_format, at
            else:
                assert cell.data_type == "s" and cell.value == text.strip(), at
    return percents


def _merges(ws) -> set[tuple[int, int, int, int]]:
    return {(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges}


def test_corpus_size():
    provinces = {sidecar(p)["province"] for p in FORMS}
    assert len(FORMS) >= MIN_FORMS
    assert len(provinces) >= MIN_PROVINCES


def test_every_form_is_a_pair():
    tsvs = {p.stem for p in REAL.glob("*.tsv")}
    jsons = {p.stem for p in REAL.glob("*.json")}
    assert tsvs == jsons
    for stem in tsvs:
        assert re.fullmatch(r"[a-z]+_\d{2}_[a-z0-9_]+", stem), stem


@pytest.mark.parametrize("tsv", FORMS, ids=IDS)
def test_tsv_is_a_rectangular_table(tsv: Path):
    lines = tsv.read_text(encoding="utf-8").rstrip("\n").split("\n")
    widths = {line.count("\t") for line in lines}
    assert len(widths) == 1, f"{tsv.name}: rows of different widths {sorted(widths)}"
    assert not any("\r" in line for line in lines)


@pytest.mark.parametrize("tsv", FORMS, ids=IDS)
def test_sidecar_says_where_and_what(tsv: Path):
    meta = sidecar(tsv)
    missing = [k for k in SIDECAR_KEYS if k not in meta]
    assert not missing, f"{tsv.name}: sidecar lacks {missing}"
    source = meta["source"]
    if source is None:
        # The stored copy of the page had no address: the page's own title must say which page it was.
        assert meta.get("source_title") and "no address" in meta["notes"], tsv.name
    else:
        assert re.match(r"https?://\S+$", source), source
    assert meta["kind"] in KINDS
    assert meta["rounding_observed"] in ROUNDINGS
    # A form that states no year (hainan_01's stored copy) or no money unit (anhui_31, a scorecard with no
    # amounts) has null there rather than an invented value, and the notes must say why ("year null").
    for key in NULLABLE_IF_UNSTATED:
        if meta[key] is None:
            assert f"{key} null" in meta["notes"], f"{tsv.name}: {key} is null without a note saying why"
    assert meta["money_unit"] in ("万元", "元", None)
    assert meta["year"] is None or re.fullmatch(r"20\d\d", meta["year"])
    assert meta["province"] and meta["publisher"] and meta["title"]
    assert meta.get("truncated", False) in (True, False)


@pytest.mark.parametrize("tsv", FORMS, ids=IDS)
def test_published_numbers_are_on_the_form(tsv: Path):
    """Every number the sidecar says the form states is printed in the form (as a cell, or in a label such
    as ``总分:83``)."""
    meta, rows = sidecar(tsv), read_tsv(tsv)
    printed = {n for row in rows for c in row if (n := _number(c)) is not None}
    labels = [c for row in rows for c in row if len(c) <= 12]  # short label cells, not goal texts
    printed |= {Decimal(m) for c in labels for m in re.findall(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])", c)}
    text = "\n".join("\t".join(r) for r in rows)
    assert meta["title"] in text
    pub = meta["published"]
    scalars = [
        pub[k]
        for k in ("execution_rate", "budget_points", "budget_score", "total_points", "total_score")
        if k in pub
    ]
    listed = [v for k in ("indicator_points", "indicator_scores") for v in pub.get(k, []) if v is not None]
    for value in scalars + listed:
        assert Decimal(str(value)) in printed, f"{tsv.name}: {value} is not printed in the form"
    if "indicator_scores" in pub:
        assert len(pub["indicator_scores"]) == len(pub["indicator_points"])
    if "grade" in pub:
        assert pub["grade"] in text


@pytest.mark.parametrize("tsv", FORMS, ids=IDS)
def test_clerk_xlsx_holds_every_cell_typed(tsv: Path, tmp_path: Path):
    out = tmp_path / f"{tsv.stem}.xlsx"
    plan = clerk_xlsx(tsv, out)
    ws = openpyxl.load_workbook(out).active
    rows = read_tsv(tsv)
    assert ws.max_row == len(rows) and ws.max_column <= len(rows[0])
    _check_cells(ws, rows, tsv.name)

    merges = _merges(ws)
    assert merges == {(r0 + 1, c0 + 1, r1 + 1, c1 + 1) for r0, c0, r1, c1 in plan.merges}
    for r0, c0, r1, c1 in merges:  # a merge never hides a transcribed cell
        hidden = [rows[r - 1][c - 1] for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)][1:]
        assert not any(h.strip() for h in hidden), (tsv.name, r0, c0)
    # The title row spans the table.
    assert (1, 1, 1, len(rows[0])) in merges
    # 一级/二级 cells span the blank cells below them.
    for h, row in enumerate(rows):
        if "一级指标" in row and "二级指标" in row:
            c1 = row.index("一级指标")
            body = h + 1
            while body < len(rows) and not rows[body][c1].strip():
                body += 1
            if body + 1 >= len(rows):  # the table ends at or after one indicator row: nothing below to span
                continue
            if not rows[body + 1][c1].strip():
                assert any(m[:2] == (body + 1, c1 + 1) and m[2] > body + 1 for m in merges), tsv.name
            c2 = row.index("二级指标")  # c1 + 1, or c1 + 2 after a 分值 column in a scorecard (hainan_01)
            if not rows[body + 1][c2].strip() and rows[body + 1][c2 + 1].strip():
                assert any(m[:2] == (body + 1, c2 + 1) and m[2] > body + 1 for m in merges), tsv.name
    # Column widths are set to fit.
    assert all(
        ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width for c in range(1, ws.max_column + 1)
    )


def test_typing_rules():
    assert typed("86.19%").value == 0.8619 and typed("86.19%").number_format == "0.00%"
    assert typed("100%").value == 1 and typed("100%").number_format == "0%"
    assert typed("250000.00").value == 250000 and typed("250000.00").number_format == "0.00"
    assert typed("215,457.6").value == 215457.6 and typed("215,457.6").number_format == "#,##0.0"
    assert typed("10").value == 10 and typed("10").number_format is None
    for text in (
        "4753.66万元",
        "=100%",
        ">=90%",
        "—",
        "-",
        "/",
        "≥50个",
        "51000021R000000019951-工资性支出",
        "007",
    ):
        assert typed(text).value == text
    assert typed("  ") is None


def test_a_target_typed_with_equals_is_text_not_a_formula(tmp_path: Path):
    tsv = tmp_path / "x.tsv"
    tsv.write_text(
        "标题\t\n一级指标\t二级指标\t三级指标\t年度指标值\n产出指标\t数量指标\t完成率\t=100%\n",
        encoding="utf-8",
    )
    clerk_xlsx(tsv, tmp_path / "x.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "x.xlsx").active["D3"]
    assert cell.data_type == "s" and cell.value == "=100%"


@pytest.fixture(scope="module")
def libreoffice_copies(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Every corpus form as our workbook and as LibreOffice saved it (one ``soffice --convert-to xlsx``
    for all of them, with a private profile): stem -> (ours, theirs)."""
    work = tmp_path_factory.mktemp("lo")
    ours, theirs = work / "ours", work / "theirs"
    ours.mkdir()
    for tsv in FORMS:
        clerk_xlsx(tsv, ours / f"{tsv.stem}.xlsx")
    profile = (work / "profile").resolve().as_uri()
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(theirs),
        ]
        + [str(ours / f"{tsv.stem}.xlsx") for tsv in FORMS],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return {tsv.stem: (ours / f"{tsv.stem}.xlsx", theirs / f"{tsv.stem}.xlsx") for tsv in FORMS}


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice not installed")
@pytest.mark.parametrize("tsv", FORMS, ids=IDS)
def test_a_libreoffice_saved_copy_reads_the_same(tsv: Path, libreoffice_copies):
    """What a real spreadsheet program writes back is still every cell, typed, with percent formats and merges."""
    ours, theirs = libreoffice_copies[tsv.stem]
    ws = openpyxl.load_workbook(theirs).active
    _check_cells(ws, read_tsv(tsv), f"{tsv.name} (LibreOffice)")  # percent cells keep a percent format
    assert _merges(ws) == _merges(openpyxl.load_workbook(ours).active)


@pytest.mark.parametrize(
    "header",
    [
        # 一级指标 row on top, sub-headings below 年度指标值 (the national template's two-row header)
        [
            "一级指标\t二级指标\t三级指标\t年度指标值\t\t\t实际完成值\t分值\t得分",
            "\t\t\t指标性质\t指标值\t度量单位\t\t\t",
        ],
        # 绩效指标 / 年度指标值 on top, 一级指标 and the sub-headings below (Yunnan)
        [
            "绩效指标\t\t\t年度指标值\t\t\t实际完成值\t分值\t得分",
            "一级指标\t二级指标\t三级指标\t指标性质\t指标值\t度量单位\t\t\t",
        ],
    ],
    ids=["national", "yunnan"],
)
def test_two_row_indicator_headers_are_merged(header: list[str], tmp_path: Path):
    body = [
        "产出指标\t数量指标\t培训人次\t≧\t735\t人次\t801\t50\t50",
        "\t质量指标\t合格率\t=\t100\t%\t100\t40\t40",
        "总分\t\t\t\t\t\t\t90\t90",
    ]
    tsv = tmp_path / "two_rows.tsv"
    tsv.write_text(
        "\n".join(["自评表\t\t\t\t\t\t\t\t", "项目名称\t某项目\t\t\t\t\t\t\t", *header, *body]) + "\n",
        encoding="utf-8",
    )
    clerk_xlsx(tsv, tmp_path / "two_rows.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "two_rows.xlsx").active
    merges = {m.coord for m in ws.merged_cells.ranges}
    assert {"A1:I1", "D3:F3", "G3:G4", "H3:H4", "I3:I4", "A5:A6"} <= merges
    assert ("A3:A4" in merges) == header[1].startswith(
        "\t"
    )  # 一级指标 spans both rows only when alone on top
    assert ("A3:C3" in merges) == header[0].startswith("绩效指标")
    assert ws["E5"].value == 735 and ws["D5"].value == "≧" and ws["F5"].value == "人次"
    _check_cells(ws, read_tsv(tsv), tsv.name)

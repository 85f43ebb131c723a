"""What colleagues without the add-in see: LibreOffice (headless) opens, recalculates and prints."""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest
from libreoffice import DATA, EXPECTED, ROOT, convert, convert_many, needs_libreoffice, pictures

from perfeval_xl import labels
from perfeval_xl import layout as L
from perfeval_xl import sheetformulas as F
from perfeval_xl.cli import main

pytestmark = needs_libreoffice


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("lo")


@pytest.fixture(scope="module")
def recalculated(work) -> Path:
    imported, values = work / "seed.xlsx", work / "seed_values.xlsx"
    assert main(["import", str(DATA / "seed_forms.txt"), "-o", str(imported)]) == 0
    assert main(["recalc", str(imported), "-o", str(values)]) == 0
    return values


@pytest.fixture(scope="module")
def as_saved_by_libreoffice(recalculated, work) -> dict[str, Path]:
    """The recalculated seed and the committed template as LibreOffice saves them (one LibreOffice run)."""
    outdir = work / "lo_xlsx"
    outdir.mkdir()
    sources = {"recalculated": recalculated, "template": ROOT / "workbook_template.xlsx"}
    return dict(zip(sources, convert_many(list(sources.values()), "xlsx", outdir), strict=True))


def test_recalc_copy_shows_the_published_numbers_in_libreoffice(as_saved_by_libreoffice):
    wb = openpyxl.load_workbook(as_saved_by_libreoffice["recalculated"], data_only=True)
    lay = L.Layout()
    forms = [ws for ws in wb.worksheets if L.layout_of_sheet(ws) is not None]
    assert len(forms) == 4
    for ws, expected in zip(forms, EXPECTED, strict=True):
        assert ws[L.PROJECT_CELL].value == expected["project"]
        assert float(ws["G6"].value) == expected["execution_rate"]
        assert float(ws["H6"].value) == expected["budget_score"]
        n = len(expected["scores"])
        assert [float(ws[f"G{lay.indicator_row(i)}"].value) for i in range(n)] == expected["scores"]
        assert float(ws[lay.total_points_cell].value) == expected["total_points"]
        assert float(ws[lay.total_score_cell].value) == expected["total_score"]
        assert ws[lay.grade_cell].value == expected["grade"]
        for row in ws.iter_rows():
            for c in row:
                assert not (isinstance(c.value, str) and c.value.startswith("#")), (
                    ws.title,
                    c.coordinate,
                    c.value,
                )


def test_recalc_copy_as_csv_has_no_name_errors(recalculated, work):
    outdir = work / "lo_csv"
    outdir.mkdir()
    csv = convert(recalculated, "csv:Text - txt - csv (StarCalc):44,34,76", outdir).read_text("utf-8")
    assert "#NAME" not in csv and "Err:" not in csv
    assert "99.49" in csv and "99.94" in csv and "优" in csv


def test_template_survives_a_libreoffice_round_trip(as_saved_by_libreoffice):
    """Opens without repair (LibreOffice converts it), and protection and validations survive."""
    wb = openpyxl.load_workbook(as_saved_by_libreoffice["template"])
    ws = wb[wb.sheetnames[0]]
    assert ws[f"A{L.INDICATOR_HEADER_ROW}"].value == labels.LEVEL1
    assert ws.protection.sheet is True
    assert ws["D6"].protection.locked is False and ws["G6"].protection.locked is True
    # the array formulas (one UDF call per column) come back whole, over the same ranges
    arrays = {ref: ws[ref.split(":")[0]].value for ref in F.array_formulas(L.Layout())}
    assert {ref: (a.ref, a.text.upper()) for ref, a in arrays.items()} == {
        ref: (ref, text.upper()) for ref, text in F.array_formulas(L.Layout()).items()
    }
    assert ws["H6"].value.upper().startswith("=PE_BUDGET_SCORE(")
    kinds = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            kinds[rng.split(":")[0]] = (dv.type, dv.formula1)
    assert kinds["C6"] == ("decimal", "0")
    assert kinds["A13"][0] == kinds["B13"][0] == kinds["E13"][0] == kinds["B4"][0] == "list"
    assert "部分达成" in kinds["E13"][1]
    assert L.CONF_SHEET in wb.sheetnames
    conf = wb[L.CONF_SHEET]
    assert (conf["A1"].value, conf["B1"].value) == ("UDF Modules", "udfs")


def test_printed_page_shows_the_whole_form_width(work):
    """One A4 landscape page wide: every column of the form is on the page, no second page of columns."""
    outdir = work / "lo_pdf"
    outdir.mkdir()
    blank = outdir / "blank.xlsx"
    assert main(["recalc", str(ROOT / "workbook_template.xlsx"), "-o", str(blank)]) == 0
    pdf = convert(blank, "pdf", outdir)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info  # the form only: xlwings.conf is hidden, 30 rows fit
    width, height = (float(x) for x in info.split("Page size:")[1].split("pts")[0].split(" x "))
    assert width > height and abs(width - 841.89) < 1  # A4 landscape
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    header = [line for line in text.splitlines() if labels.LEVEL1 in line]
    assert header, text
    for label in L.INDICATOR_HEADER:  # 一级指标 … 审核提示 on one printed line
        assert label in header[0], label
    for label in (labels.TITLE, labels.PROJECT, labels.GRADE, labels.TOTAL, "年初预算数", "执行率"):
        assert label in text.replace(" ", ""), label
    png = pictures.pdf_to_png(pdf, outdir / "page.png")
    assert png.stat().st_size > 10_000

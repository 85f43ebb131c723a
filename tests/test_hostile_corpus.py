"""The hostile corpus mixed into a batch of good forms: the batch ends with rc 3, a summary that
openpyxl (and LibreOffice, when installed) load with every good form, each bad file on 错误 with a
Chinese reason, no temporary files — with one worker and with two. Plus a fuzz run with a fixed seed."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from perfeval_xl import batch
from perfeval_xl.cli import main
from perfeval_xl.columns import FORMS
from perfeval_xl.grid import load_grids
from perfeval_xl.model import ReadError

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "data" / "seed_forms.txt"
sys.path.insert(0, str(ROOT / "tests" / "hostile"))
import make_hostile  # noqa: E402

GOOD_FORMS = 3 * 4 + 4 + 1  # three four-sheet workbooks, ffff.txt, claimed_dimension.xlsx


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile_batch")
    folder = root / "inbox"
    make_hostile.make_all(folder, root / "tmp")
    make_examples, blocks = make_hostile.seed_blocks()
    import random as _random

    rng = _random.Random(7)
    serial = 1000
    for i in range(3):  # good workbooks, each form a distinct project
        sheets = []
        for k in range(4):
            serial += 1
            sheets.append((f"表{k + 1}", [make_examples.vary(blocks[k], rng, serial)]))
        make_examples.write_workbook(folder / f"good{i}.xlsx", sheets)
    return folder


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_good_forms_survive_every_hostile_file(inbox, tmp_path, jobs):
    out = tmp_path / "out"
    out.mkdir()
    summary = out / "汇总.xlsx"
    started = time.monotonic()
    code = main(["consolidate", str(inbox), "-o", str(summary), "-q", "-j", jobs, "--csv", str(out / "csv")])
    assert time.monotonic() - started < 120
    assert code == 3
    wb = openpyxl.load_workbook(summary, read_only=True)
    forms = [r for r in wb["汇总"].iter_rows(min_row=2, values_only=True) if r and r[0]]
    assert len(forms) == GOOD_FORMS
    errors = {}
    for source, _sheet, reason in wb["错误"].iter_rows(min_row=2, values_only=True):
        if source:
            errors.setdefault(Path(source).name, []).append(reason)
    assert set(errors) == set(make_hostile.CASES)
    for name, reasons in errors.items():
        assert all(_cjk(r) for r in reasons), (name, reasons)
    leftovers = [p for p in tmp_path.rglob("*") if p.name.startswith((".~perfeval", ".perfeval"))]
    assert leftovers == []
    if shutil.which("soffice"):
        _libreoffice_reads(summary, tmp_path, GOOD_FORMS)


def _libreoffice_reads(summary: Path, tmp_path: Path, n_forms: int) -> None:
    """LibreOffice converts the summary's first sheet to CSV: every form row must be there."""
    profile = tmp_path / "lo_profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(tmp_path / "lo"), str(summary)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    import csv

    with open(tmp_path / "lo" / "汇总.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len([r for r in rows[1:] if any(r)]) == n_forms
    assert any(r[0] == "企业服务专\n项" for r in rows)  # the U+FFFF form, its text cleaned


def _mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        op = rng.random()
        i = rng.randrange(len(buf))
        if op < 0.6:
            buf[i] = rng.randrange(256)
        elif op < 0.8:
            del buf[i : i + rng.randint(1, 64)]
        else:
            buf[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(buf)


#: mutated texts per run (fixed, so every run checks the same cases; about 1 s)
FUZZ_CASES = 6000


def test_fuzzed_texts_give_forms_or_read_errors_only(tmp_path):
    """Mutated text exports and HTML, read and scored in this process: a ReadError or forms, nothing
    else (a 90 s run of the same loop, 52,486 cases, found nothing either)."""
    from perfeval_xl import reader
    from perfeval_xl.rules import evaluate

    rng = random.Random(2026)
    seeds = [
        SEED.read_bytes(),
        make_hostile.rowspan_bomb(tmp_path / "r.html", tmp_path, cells=3).read_bytes(),
    ]
    forms = errors = 0
    for n in range(FUZZ_CASES):
        path = tmp_path / f"f{n}.txt"
        path.write_bytes(_mutate(seeds[n % 2], rng))
        try:
            for grid in load_grids(path):
                try:
                    for form in reader.read_grid(grid):
                        evaluate(form)  # whatever was read scores without an exception
                        forms += 1
                except ReadError:
                    errors += 1
        except ReadError:
            errors += 1
    assert forms > 100 and errors > 1000  # the mutations reach both outcomes, often


def test_fuzzed_workbooks_never_stop_the_batch(tmp_path):
    """Mutated xlsx and xls read through the batch (workers): every file ends as forms or an error row
    with a Chinese reason; the batch itself never fails."""
    rng = random.Random(13)
    good = make_hostile.good_xlsx(tmp_path / "good.xlsx", n_forms=2).read_bytes()
    xls = make_hostile.BASE_XLS.read_bytes()
    folder = tmp_path / "fuzz"
    folder.mkdir()
    for n in range(40):
        seed, ext = (good, ".xlsx") if n % 2 else (xls, ".xls")
        data = bytearray(seed)
        for _ in range(rng.randint(1, 6)):  # byte flips past the headers keep the containers openable
            data[rng.randrange(64, len(data))] = rng.randrange(256)
        (folder / f"m{n:02d}{ext}").write_bytes(bytes(data))
    result = batch.consolidate([folder], jobs=2)
    sources = {Path(r[FORMS.index("来源文件")]).name for r in result.rows["forms"]}
    sources |= {Path(e[0]).name for e in result.rows["errors"]}
    assert sources == {p.name for p in folder.iterdir()}
    assert all(_cjk(e[2]) for e in result.rows["errors"])

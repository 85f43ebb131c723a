"""What keeps a long batch's memory bounded must not change what it reads: the folder search's order,
the reader's caches emptied between files, one hash per project, workers started before the search."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import openpyxl
import pytest

from perfeval_xl import discovery, filerows, workers
from perfeval_xl.batch import consolidate
from perfeval_xl.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "data" / "seed_forms.txt"


def test_folder_search_keeps_the_order_of_path_components(tmp_path):
    # "b" sorts before "b.xlsx" as a path component, though "/" sorts after "." as a character
    for name in ("b/c.xlsx", "b.xlsx", "a-b/x.txt", "a/y.tsv", "B.xls", "~$lock.xlsx", "note.pdf"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "link").symlink_to(tmp_path / "b", target_is_directory=True)  # not followed
    (tmp_path / "z.xlsx").symlink_to(tmp_path / "b.xlsx")  # a link to a file is a file
    found = discovery._search(tmp_path)
    rel = [os.path.relpath(f, tmp_path) for f in found]
    assert rel == ["B.xls", "a/y.tsv", "a-b/x.txt", "b/c.xlsx", "b.xlsx", "z.xlsx"]
    old_way = sorted(p for p in tmp_path.rglob("*") if discovery._wanted(p.name) and p.is_file())
    assert found == [str(p) for p in old_way]


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    for i in range(5):
        (inbox / f"单位{i}").mkdir(parents=True)
        (inbox / f"单位{i}" / "自评.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    return inbox


@pytest.mark.parametrize("jobs", [1, 2])
def test_emptying_the_reader_caches_after_every_file_reads_the_same(tmp_path, monkeypatch, jobs):
    inbox = _inbox(tmp_path)
    usual = consolidate([inbox], jobs=jobs)
    monkeypatch.setattr(filerows, "FORGET_EVERY", 1)  # inherited by the forked workers
    forgetful = consolidate([inbox], jobs=jobs)
    assert len(usual.rows["forms"]) == 5 * 4
    assert forgetful.rows == usual.rows


def _reader_caches() -> dict[str, int]:
    """Every text cache of the reader's modules: name -> entries held."""
    from perfeval_xl import reader

    sizes = {"reader_scan._KINDS": len(reader.reader_scan._KINDS)}
    for module in reader.PARTS:
        for name, obj in vars(module).items():
            if callable(getattr(obj, "cache_info", None)):
                sizes[f"{module.__name__}.{name}"] = obj.cache_info().currsize
    return sizes


def test_the_reader_caches_are_emptied_every_so_many_files(monkeypatch):
    from perfeval_xl import reader

    # every module of the reader is in reader.PARTS, whose caches are emptied
    package = Path(reader.__file__).parent
    assert {m.__name__ for m in reader.PARTS} == {
        f"perfeval_xl.{p.stem}" for p in package.glob("reader_*.py")
    }
    monkeypatch.setattr(filerows, "FORGET_EVERY", 2)
    monkeypatch.setattr(filerows, "_read_since", [0])
    filerows.process_chunk([str(SEED)], None, frozenset({"xml"}))
    learnt = _reader_caches()
    assert learnt["reader_scan._KINDS"] and learnt["perfeval_xl.reader_vocab._key_of"]  # from the first file
    assert (
        learnt["perfeval_xl.reader_cells._decimal_of"]
        and learnt["perfeval_xl.reader_fundcols._header_columns"]
    )
    filerows.process_chunk([str(SEED)], None, frozenset({"xml"}))
    assert not any(_reader_caches().values())  # emptied after the second


def test_a_repeated_project_names_where_its_first_form_is(tmp_path):
    inbox = _inbox(tmp_path)
    c = consolidate([inbox], jobs=1)
    messages = [str(v) for row in c.rows["findings"] for v in row if str(v).startswith("与 ")]
    assert len(messages) == 4 * 4  # four later copies of each of the seed's four forms
    firsts = {m.split(" 是同一项目")[0] for m in messages}
    assert firsts == {f"与 inbox/单位0/自评.txt第{i}张表" for i in range(1, 5)}
    departments = {row[0]: row[1] for row in c.rows["departments"]}
    assert departments["合计"] == 4  # each project counted once


def test_the_command_starts_its_workers_first_and_leaves_none(tmp_path, monkeypatch):
    inbox = _inbox(tmp_path)
    started: list[int] = []
    real = workers._Worker.__init__

    def spy(self, *args, **kwargs):
        real(self, *args, **kwargs)
        started.append(self.proc.pid)

    monkeypatch.setattr(workers._Worker, "__init__", spy)
    searched_after: list[int] = []
    real_discover = discovery.discover
    monkeypatch.setattr(
        discovery,
        "discover",
        lambda *a, **k: (searched_after.append(len(started)), real_discover(*a, **k))[1],
    )
    out = tmp_path / "汇总.xlsx"
    assert main(["consolidate", str(inbox), "-o", str(out), "-q", "-j", "2"]) == 0
    assert searched_after == [2]  # both workers existed before the folder was searched
    assert len(started) == 2  # and they were the ones that read the files
    assert not workers._SPARE
    wb = openpyxl.load_workbook(out, read_only=True)
    assert sum(1 for _ in wb["汇总"].iter_rows(min_row=2)) == 20
    # no spare is left running when nothing is found either
    assert main(["consolidate", str(tmp_path / "nothing"), "-o", str(tmp_path / "x.xlsx"), "-q"]) == 2
    assert not workers._SPARE
    assert sys.platform != "linux" or all(
        not Path(f"/proc/{pid}").exists() or _zombie(pid) for pid in started
    )


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] == "Z"
    except OSError:
        return True


@pytest.mark.parametrize(
    ("cores", "load", "files", "jobs"),
    [
        (2, 0.1, 150, 1),  # a small batch: a second worker costs more than it saves
        (2, 0.1, 300, 2),  # from 200 files the free core shortens the run by a third or more
        (2, 0.1, 2500, 2),  # a large one on an idle machine: both cores
        (2, 1.7, 2500, 1),  # the other core is busy: one
        (8, 3.2, 20000, 5),  # the idle cores
        (8, 12.0, 20000, 1),  # an overloaded machine: still one
    ],
)
def test_the_default_number_of_workers(monkeypatch, cores, load, files, jobs):
    from perfeval_xl import batch

    monkeypatch.setattr(batch.os, "cpu_count", lambda: cores)
    monkeypatch.setattr(batch.os, "getloadavg", lambda: (load, load, load))
    assert batch.default_jobs(files) == jobs

"""Where a worker's CPU time goes, phase by phase, on realistic workbooks (in one process).

    python benchmarks/phases.py [--n 300] [--rounds 3] [--keep DIR]

Generates ``--n`` clerk-typed workbooks (:mod:`realistic`, the same as ``benchmarks/consolidate.py``)
and runs the batch worker's job on them in this process (the files read, checked, scored and turned
into the summary's packed rows, as the worker of ``perfeval-xl consolidate`` does), after one warm-up
pass. Each phase is timed by wrapping its entry point with ``time.process_time`` (a few µs a call):
the pre-check of the zip, calamine (loading minus the pre-check), the percent-format look-ups, the
reader (without them), scoring, the table rows, the summary's XML and deflate. Medians of ``--rounds``.
To compare two versions in the same minutes, run each checkout's own copy of this script: it imports the
package of the checkout it sits in (:mod:`realistic` puts that checkout first on ``sys.path``, ahead of
``PYTHONPATH``, so ``PYTHONPATH`` alone does not switch versions).
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import realistic  # noqa: E402

_acc: dict[str, float] = defaultdict(float)
_clock = time.process_time


def _wrap(owner: object, name: str, label: str) -> None:
    real = getattr(owner, name)

    def timed(*args, **kwargs):
        start = _clock()
        try:
            return real(*args, **kwargs)
        finally:
            _acc[label] += _clock() - start

    setattr(owner, name, timed)


def _wrap_generator(owner: object, name: str, label: str) -> None:
    real = getattr(owner, name)

    def timed(*args, **kwargs):
        items = real(*args, **kwargs)
        while True:
            start = _clock()
            try:
                item = next(items)
            except StopIteration:
                _acc[label] += _clock() - start
                return
            _acc[label] += _clock() - start
            yield item

    setattr(owner, name, timed)


def _instrument():
    """The phases' entry points (older checkouts kept some under other names); returns the chunk job."""
    grid = importlib.import_module("perfeval_xl.grid")
    reader = importlib.import_module("perfeval_xl.reader")
    rules = importlib.import_module("perfeval_xl.rules")
    summary = importlib.import_module("perfeval_xl.summary")
    try:
        work = importlib.import_module("perfeval_xl.filerows")
        chunk = work.process_chunk
    except ImportError:
        work = importlib.import_module("perfeval_xl.batch")
        chunk = work._process_chunk
    _wrap_generator(grid, "load_grids", "load")
    _wrap(grid, "check_zip" if hasattr(grid, "check_zip") else "_check_zip", "pre-check")
    _wrap(grid.Grid, "percent_formatted", "percent look-ups")
    _wrap(reader, "read_grid", "reader+percent")
    _wrap(rules, "evaluate", "scoring")
    _wrap(importlib.import_module("perfeval_xl.columns"), "form_rows", "table rows")
    _wrap(summary, "pack_table", "summary XML + deflate")
    if hasattr(work, "form_rows"):
        _wrap(work, "form_rows", "table rows")
    if hasattr(work, "pack_table"):  # imported by name into the worker's module
        _wrap(work, "pack_table", "summary XML + deflate")
    return chunk


def _references(files: list[str]) -> dict[str, float]:
    """CPU seconds, in this run, of two yardsticks: the calamine floor's own work (open every file,
    every sheet to Python values) and the cheapest pass any Python reader makes over those values
    (every cell looked at once, each text looked up in a dict, each number made a Decimal)."""
    from decimal import Decimal

    import python_calamine as pc

    start = _clock()
    books = []
    for path in files:
        wb = pc.CalamineWorkbook.from_path(path)
        books.append([wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names])
        wb.close()
    floor = _clock() - start
    seen: dict[str, int] = {}
    start = _clock()
    for sheets in books:
        for rows in sheets:
            for row in rows:
                for v in row:
                    if v.__class__ is str:
                        if v:
                            seen.get(v)
                    elif v.__class__ is float:
                        Decimal(repr(v))
    return {
        "reference: calamine floor (open + every sheet to Python)": floor,
        "reference: one Python pass over those cells (dict look-up / Decimal)": _clock() - start,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=300, help="workbooks (default 300)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds, medians reported (default 3)")
    ap.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="perfeval-phases-"))
    try:
        files = [str(p) for p in realistic.generate(work / "clerk", args.n, "clerk")]
        chunk = _instrument()
        want = frozenset({"xml"})
        for i in range(0, min(64, len(files)), 32):  # warm-up: a batch's worker has its caches filled
            chunk(files[i : i + 32], None, want)
        rounds: dict[str, list[float]] = defaultdict(list)
        for _ in range(args.rounds):
            _acc.clear()
            start = _clock()
            for i in range(0, len(files), 32):
                chunk(files[i : i + 32], None, want)
            total = _clock() - start
            rounds["worker in all"].append(total)
            rounds["pre-check"].append(_acc["pre-check"])
            rounds["calamine (loading minus the pre-check)"].append(_acc["load"] - _acc["pre-check"])
            rounds["percent look-ups"].append(_acc["percent look-ups"])
            rounds["reader (without the look-ups)"].append(_acc["reader+percent"] - _acc["percent look-ups"])
            rounds["scoring"].append(_acc["scoring"])
            rounds["table rows"].append(_acc["table rows"])
            rounds["summary XML + deflate"].append(_acc["summary XML + deflate"])
            for name, seconds in _references(files).items():
                rounds[name].append(seconds)
        load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"{len(files)} 个录入式工作簿，worker 在本进程内的 CPU 毫秒（{args.rounds} 轮中位数；负载 {load}）：\n"
        )
        print("| phase | CPU ms |\n|---|---:|")
        for name, values in rounds.items():
            print(f"| {name} | {statistics.median(values) * 1000:.0f} |")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Benchmark of ``perfeval-xl consolidate`` against merely reading the same workbooks.

    python benchmarks/consolidate.py [--n 500] [--forms-per-book 4] [--jobs N] [--keep DIR]

Generates N filled workbooks (each with ``--forms-per-book`` sheets holding one of the seed's four
forms, varied: project name, 主管部门, spending and the stated numbers that follow from it) in a
temporary folder, then measures in the same run:

  (a) baseline: ``pandas.read_excel(path, sheet_name=None, engine="openpyxl", header=None)`` per file;
  (b) raw python-calamine: every sheet of every file to Python values;
  (c) ``perfeval-xl consolidate DIR -o OUT.xlsx`` end to end (discovery, reading, scoring, summary
      workbook written), called in this process (imports already loaded), once with one process and
      once with all cores;
  (d) the Python API ``perfeval_xl.consolidate()`` (in-memory tables) + ``write_summary``, all cores;

and prints files/s, forms/s and the ratio to the baseline. Then the peak RSS of the CLI run as a child
process (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``: the largest of the main process and its
workers) for N and 4N workbooks (the 4N set is the N workbooks copied four times), to show that memory
does not grow with the number of inputs.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples"))

import make_examples  # noqa: E402


def generate(folder: Path, n: int, per_book: int, seed: int = 2023) -> list[Path]:
    blocks = make_examples.seed_blocks()
    rng = random.Random(seed)
    paths = []
    serial = 0
    for i in range(n):
        sheets = []
        for k in range(per_book):
            serial += 1
            block = make_examples.vary(blocks[(i * per_book + k) % len(blocks)], rng, serial)
            sheets.append((f"自评表{k + 1}", [block]))
        sub = folder / f"单位{i // 100:02d}"
        path = sub / f"自评_{i:05d}.xlsx"
        make_examples.write_workbook(path, sheets)
        paths.append(path)
    return paths


def bench_pandas(paths: list[Path]) -> tuple[float, int]:
    import pandas as pd

    t = time.perf_counter()
    sheets = 0
    for p in paths:
        sheets += len(pd.read_excel(p, sheet_name=None, engine="openpyxl", header=None))
    return time.perf_counter() - t, sheets


def bench_calamine(paths: list[Path]) -> tuple[float, int]:
    from python_calamine import CalamineWorkbook

    t = time.perf_counter()
    sheets = 0
    for p in paths:
        wb = CalamineWorkbook.from_path(str(p))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()
            sheets += 1
    return time.perf_counter() - t, sheets


def bench_cli(folder: Path, out: Path, jobs: int) -> tuple[float, int]:
    from perfeval_xl.cli import main

    t = time.perf_counter()
    code = main(["consolidate", str(folder), "-o", str(out), "--jobs", str(jobs), "--quiet"])
    secs = time.perf_counter() - t
    from python_calamine import CalamineWorkbook

    forms = len(CalamineWorkbook.from_path(str(out)).get_sheet_by_name("汇总").to_python()) - 1
    if code != 0:
        print(f"注意：退出码 {code}", file=sys.stderr)
    return secs, forms


def bench_api(folder: Path, out: Path, jobs: int | None) -> tuple[float, int, int]:
    from perfeval_xl.batch import consolidate
    from perfeval_xl.summary import write_summary

    t = time.perf_counter()
    result = consolidate([folder], jobs=jobs)
    write_summary(result, out)
    return time.perf_counter() - t, len(result.rows["forms"]), len(result.rows["errors"])


_RSS_CHILD = """
import resource, subprocess, sys, time
t = time.perf_counter()
code = subprocess.call([sys.executable, "-m", "perfeval_xl", "consolidate", *sys.argv[1:]])
secs = time.perf_counter() - t
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, secs)
"""


def peak_rss(folder: Path, out: Path, jobs: int) -> tuple[float, float]:
    """Peak RSS (MiB) and wall seconds of ``perfeval-xl consolidate`` run as a fresh process."""
    import subprocess

    args = [str(folder), "-o", str(out), "--jobs", str(jobs), "--quiet"]
    res = subprocess.run(
        [sys.executable, "-c", _RSS_CHILD, *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    code, kib, secs = res.stdout.split()
    if code not in ("0",):
        print(f"注意：退出码 {code}", file=sys.stderr)
    return int(kib) / 1024, float(secs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=500, help="number of workbooks (default 500)")
    ap.add_argument("--forms-per-book", type=int, default=4, help="forms (sheets) per workbook (default 4)")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes for (c) (default: all cores)")
    ap.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it (default: a temp folder)")
    ap.add_argument("--skip-pandas", action="store_true", help="skip the (slow) pandas baseline")
    ap.add_argument("--skip-rss", action="store_true", help="skip the peak-RSS runs")
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="time each method this many times and report the median (default 3: shared machines are noisy)",
    )
    args = ap.parse_args(argv)

    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="perfeval-bench-"))
    forms_dir = tmp / "forms"
    try:
        t = time.perf_counter()
        paths = generate(forms_dir, args.n, args.forms_per_book)
        gen = time.perf_counter() - t
        size = sum(p.stat().st_size for p in paths)
        n_forms = args.n * args.forms_per_book
        print(
            f"生成 {args.n} 个工作簿 × {args.forms_per_book} 张表 = {n_forms} 张表，"
            f"共 {size / 1048576:.1f} MB，用时 {gen:.1f} 秒；CPU 核数 {os.cpu_count()}"
        )
        jobs = args.jobs or os.cpu_count() or 1
        methods = []  # (name, measure() -> (seconds, forms read, errors))
        if not args.skip_pandas:
            methods.append(
                ("(a) pandas.read_excel (openpyxl)，仅读取", lambda: (*bench_pandas(paths)[:1], n_forms, 0))
            )
        methods.append(("(b) python-calamine，仅读取", lambda: (*bench_calamine(paths)[:1], n_forms, 0)))
        for j in (1, jobs):
            out = tmp / f"汇总_{j}.xlsx"
            methods.append(
                (
                    f"(c) perfeval-xl consolidate 全流程，{j} 个进程",
                    lambda o=out, j=j: (*bench_cli(forms_dir, o, jobs=j), 0),
                )
            )
        methods.append(
            (
                f"(d) Python API consolidate() + write_summary，{jobs} 个进程",
                lambda: bench_api(forms_dir, tmp / "汇总_api.xlsx", jobs=jobs),
            )
        )
        # Rounds interleave the methods, so a burst of load elsewhere on the machine hits all of them.
        times: dict[str, list[float]] = {name: [] for name, _ in methods}
        for _ in range(max(1, args.repeat)):
            for name, measure in methods:
                secs, got, errs = measure()
                times[name].append(secs)
                if got != n_forms or errs:
                    print(f"注意：{name} 读出 {got} 张表（应为 {n_forms}），{errs} 条错误", file=sys.stderr)
        rows = [(name, statistics.median(times[name]), n_forms) for name, _ in methods]
        print(f"各方法交替运行 {max(1, args.repeat)} 轮，取中位数：")

        base = rows[0][1] if not args.skip_pandas else None
        print("| 方法 | 秒 | 文件/秒 | 表/秒 | 对 (a) 的倍数 |")
        print("|---|---:|---:|---:|---:|")
        for name, secs, forms in rows:
            ratio = f"{base / secs:.1f}x" if base else "-"
            print(f"| {name} | {secs:.2f} | {args.n / secs:.0f} | {forms / secs:.0f} | {ratio} |")
        if not args.skip_rss:
            big = tmp / "forms4"
            for k in range(4):
                shutil.copytree(forms_dir, big / f"副本{k + 1}")
            print()
            print("| perfeval-xl consolidate（独立进程） | 工作簿 | 进程 | 峰值 RSS (MiB) | 秒（含启动） |")
            print("|---|---:|---:|---:|---:|")
            for folder, n in ((forms_dir, args.n), (big, 4 * args.n)):
                for j in (1, jobs):
                    mib, secs = peak_rss(folder, tmp / f"汇总_rss_{n}_{j}.xlsx", j)
                    print(f"| {folder.name} | {n} | {j} | {mib:.0f} | {secs:.2f} |")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Clerk-typed workbooks against the same forms with text cells: what reading cell formats costs.

    python benchmarks/clerk_typed.py [--n 500] [--forms-per-book 4] [--jobs 1] [--repeat 3] [--keep DIR]

Generates two batches of N workbooks holding the **same** varied forms (the generator of
``benchmarks/consolidate.py``), as distinct files:

- **text**: 年度指标值 and 实际完成值 as text (``120722.00(次)``, ``95.00(百分比)``), money and scores as
  numbers; the layout ``examples/make_examples.py`` writes;
- **clerk**: as a clerk types them: every 实际完成值 that is a figure typed as a number (``120722``), a
  percentage typed as a percentage (0.95 in a ``0.00%`` cell), operator-less figures in 年度指标值 as
  numbers or percentages too, and the stated 执行率 as a percent-formatted fraction (0.9949 shown as
  99.49%).

Then runs ``perfeval-xl consolidate`` on each batch as a fresh process (start-up included), the two
interleaved over ``--repeat`` rounds, and prints the medians of wall seconds and CPU seconds (the
process and its workers) and the clerk/text ratio. It also checks that both batches give the same
总分 for every form (the formats are read, not guessed) and prints how many forms differ.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples"))

import make_examples  # noqa: E402

from perfeval_xl import labels  # noqa: E402

_FIGURE = re.compile(r"^(\d+(?:\.\d+)?)(?:\s*[(（]([^()（）]*)[)）])?$")
_PERCENT_UNITS = ("百分比", "百分数", "%")


def _typed(text: str) -> tuple[float, str | None] | None:
    """A cell a clerk would type as a number: (value, number format) or None to keep the text."""
    s = text.strip()
    if s.endswith("%") and _FIGURE.match(s[:-1]):
        return float(s[:-1]) / 100, "0.00%"
    m = _FIGURE.match(s)
    if m is None:
        return None
    number, unit = m.group(1), m.group(2)
    if unit in _PERCENT_UNITS:
        return float(number) / 100, "0.00%"
    return float(number), None


def _clerk_cells(block: make_examples.Block) -> dict[tuple[int, int], tuple[float, str | None]]:
    """The indicator cells and stated rates of one form that the clerk batch types as numbers."""
    cells: dict[tuple[int, int], tuple[float, str | None]] = {}
    header = next(
        ((r, row) for r, row in enumerate(block) if any(c.strip() == labels.LEVEL3 for c in row)), None
    )
    if header is not None:
        hr, row = header
        cols = {c.strip(): i for i, c in enumerate(row)}
        target, actual = cols.get(labels.TARGET), cols.get(labels.ACTUAL)
        for r in range(hr + 1, len(block)):
            for c in (target, actual):
                if c is not None and c < len(block[r]) and block[r][c].strip():
                    typed = _typed(block[r][c])
                    if typed is not None:
                        cells[(r, c)] = typed
    funds = next(
        (r for r, row in enumerate(block) if any(c.strip().startswith(labels.FUNDS) for c in row)), None
    )
    if funds is not None:
        rate_col = next((i for i, c in enumerate(block[funds]) if c.strip() == "执行率"), None)
        for r in range(funds + 1, min(funds + 6, len(block))):
            row = block[r]
            label = next((c for c in row if c.strip()), "")
            if rate_col is None or not any(f in label for f in ("资金", "拨款")):
                continue
            # values follow the row label (see make_examples.vary): 执行率 is the fifth after it
            at = next(i for i, c in enumerate(row) if c.strip())
            c = at + 5
            if c < len(row) and re.fullmatch(r"\d+(?:\.\d+)?", row[c].strip()):
                cells[(r, c)] = (float(row[c]) / 100, "0.00%")
    return cells


def write_clerk_workbook(path: Path, sheets: list[tuple[str, list[make_examples.Block]]]) -> None:
    """Like make_examples.write_workbook, with the cells of :func:`_clerk_cells` typed as numbers."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    two = book.add_format({"num_format": "0.00"})
    whole = book.add_format({"num_format": "0"})
    formats = {"0.00%": book.add_format({"num_format": "0.00%"})}
    for name, blocks in sheets:
        ws = book.add_worksheet(name)
        ws.set_column(0, 1, 14)
        ws.set_column(2, 2, 28)
        ws.set_column(3, 10, 14)
        top = 0
        for block in blocks:
            numbers = make_examples.numeric_cells(block)
            typed = _clerk_cells(block)
            for r, row in enumerate(block):
                for c, text in enumerate(row):
                    if not text:
                        continue
                    if (r, c) in typed:
                        value, fmt = typed[(r, c)]
                        ws.write_number(top + r, c, value, formats[fmt] if fmt else None)
                    elif (r, c) in numbers:
                        ws.write_number(top + r, c, float(text), two if "." in text else whole)
                    else:
                        ws.write_string(top + r, c, text)
            top += len(block) + 1
    book.close()


def generate(folder: Path, n: int, per_book: int, clerk: bool, seed: int = 2023) -> list[Path]:
    """N workbooks; the same seed gives the same forms in both batches."""
    blocks = make_examples.seed_blocks()
    rng = random.Random(seed)
    write = write_clerk_workbook if clerk else make_examples.write_workbook
    paths, serial = [], 0
    for i in range(n):
        sheets = []
        for k in range(per_book):
            serial += 1
            block = make_examples.vary(blocks[(i * per_book + k) % len(blocks)], rng, serial)
            sheets.append((f"自评表{k + 1}", [block]))
        path = folder / f"单位{i // 100:02d}" / f"{'录入' if clerk else '文本'}_{i:05d}.xlsx"
        write(path, sheets)
        paths.append(path)
    return paths


def run(folder: Path, out: Path, jobs: int) -> tuple[float, float, int]:
    """Wall and CPU seconds (this child and its workers) of one ``perfeval-xl consolidate`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    code = subprocess.call(
        [
            sys.executable,
            "-m",
            "perfeval_xl",
            "consolidate",
            str(folder),
            "-o",
            str(out),
            "--jobs",
            str(jobs),
            "--quiet",
        ],
        cwd=out.parent,  # not a checkout: the package comes from PYTHONPATH (or the installed one)
    )
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, code


def totals(summary: Path) -> dict[tuple[str, str], str]:
    """项目名称 -> 总分 of a summary workbook (to check both batches read the same)."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(summary)).get_sheet_by_name("汇总").to_python()
    head = [str(h) for h in rows[0]]
    name = next(i for i, h in enumerate(head) if h.startswith("项目名称"))
    total = next(i for i, h in enumerate(head) if h.startswith("总分"))
    sheet = next((i for i, h in enumerate(head) if h.startswith("工作表")), None)
    return {(str(r[name]), str(r[sheet]) if sheet is not None else ""): str(r[total]) for r in rows[1:]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=500, help="workbooks per batch (default 500)")
    ap.add_argument("--forms-per-book", type=int, default=4, help="forms (sheets) per workbook (default 4)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes of consolidate (default 1)")
    ap.add_argument("--repeat", type=int, default=3, help="rounds; medians are reported (default 3)")
    ap.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it (default: a temp folder)")
    args = ap.parse_args(argv)

    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="perfeval-clerk-"))
    try:
        batches = {"text": tmp / "text", "clerk": tmp / "clerk"}
        for kind, folder in batches.items():
            done = folder / ".complete"  # a kept folder is reused only when it was generated in full
            if not done.exists() or done.read_text() != f"{args.n} {args.forms_per_book}":
                shutil.rmtree(folder, ignore_errors=True)
                generate(folder, args.n, args.forms_per_book, clerk=kind == "clerk")
                done.write_text(f"{args.n} {args.forms_per_book}")
        numbers = {kind: 0 for kind in batches}
        for kind, folder in batches.items():
            size = sum(p.stat().st_size for p in folder.rglob("*.xlsx"))
            print(f"{kind}: {args.n} 个工作簿 × {args.forms_per_book} 张表，共 {size / 1048576:.1f} MB")
        walls: dict[str, list[float]] = {k: [] for k in batches}
        cpus: dict[str, list[float]] = {k: [] for k in batches}
        for _ in range(max(1, args.repeat)):
            for kind, folder in batches.items():
                wall, cpu, code = run(folder, tmp / f"汇总_{kind}.xlsx", args.jobs)
                walls[kind].append(wall)
                cpus[kind].append(cpu)
                numbers[kind] = code
        same = totals(tmp / "汇总_text.xlsx")
        other = totals(tmp / "汇总_clerk.xlsx")
        differ = sum(1 for key, value in same.items() if other.get(key) != value)
        print(
            f"perfeval-xl consolidate --jobs {args.jobs}（独立进程，含启动），两批交替运行 {args.repeat} 轮，取中位数："
        )
        print("| 批次 | 墙钟秒 | CPU 秒 | 退出码 |")
        print("|---|---:|---:|---:|")
        for kind in batches:
            name = "文本单元格" if kind == "text" else "录入式（数字、百分比格式）"
            print(
                f"| {name} | {statistics.median(walls[kind]):.2f} | {statistics.median(cpus[kind]):.2f} "
                f"| {numbers[kind]} |"
            )
        wall_ratio = statistics.median(walls["clerk"]) / statistics.median(walls["text"])
        cpu_ratio = statistics.median(cpus["clerk"]) / statistics.median(cpus["text"])
        print(f"录入式 / 文本：墙钟 {wall_ratio:.2f} 倍，CPU {cpu_ratio:.2f} 倍（目标 ≤ 1.5 倍）")
        print(f"两批 {len(same)} 张表中总分不同的：{differ} 张")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

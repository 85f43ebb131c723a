"""Peak memory and time of ``perfeval-xl consolidate`` on each memory bomb of issue 13, at the issue's
sizes, next to a good form.

    python benchmarks/hostile_memory.py [--keep DIR] [--jobs 1]

For each bomb a fresh ``perfeval-xl consolidate GOOD BOMB -o OUT`` runs under a small wrapper process;
the peak RSS printed is ``RUSAGE_CHILDREN.ru_maxrss`` of that wrapper: the largest of the command's
own process and its worker processes. Prints a Markdown table (MiB, seconds, exit status, reason).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "hostile"))

import make_hostile  # noqa: E402

_WRAPPER = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
rc = subprocess.run(sys.argv[1:], capture_output=True).returncode
print(json.dumps([rc, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))
"""


def big_sheet(dst: Path, rows: int, cols: int) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(dst), {"constant_memory": True})
    ws = book.add_worksheet("数据")
    for r in range(rows):
        for c in range(cols):
            ws.write_number(r, c, r * cols + c)
    book.close()
    return dst


def bombs(folder: Path) -> dict[str, Path]:
    tmp = folder / "tmp"
    made = {
        "空行文本 99 MiB（blank_lines.txt）": make_hostile.blank_lines_text(
            folder / "blank_lines.txt", tmp, 99
        ),
        "制表符文本 64 MiB（tab_bomb.txt）": make_hostile.tab_bomb_text(folder / "tab_bomb.txt", tmp, 64),
        "HTML rowspan/colspan（rowspan_bomb.html）": make_hostile.rowspan_bomb(
            folder / "rowspan_bomb.html", tmp
        ),
        "HTML 空行 300 万（empty_rows.html）": make_hostile.empty_rows_html(folder / "empty_rows.html", tmp),
        "XFD1048576 单元格（far_cell.xlsx）": make_hostile.far_cell(folder / "far_cell.xlsx", tmp),
        "共享字符串 uniqueCount（shared_strings_bomb.xlsx）": make_hostile.shared_strings_bomb(
            folder / "shared_strings_bomb.xlsx", tmp
        ),
        "500 张表共用一份数据（shared_part_sheets.xlsx）": make_hostile.shared_part_sheets(
            folder / "shared_part_sheets.xlsx", tmp
        ),
        "损坏的 .xls（corrupt.xls）": make_hostile.corrupt_xls(folder / "corrupt.xls", tmp),
        "ods 重复单元格（repeat_bomb.ods）": make_hostile.ods_repeat_bomb(folder / "repeat_bomb.ods", tmp),
        "超大工作表 300 万格（big_3m.xlsx）": big_sheet(folder / "big_3m.xlsx", 3000, 1000),
        "限内大表 100 万格（big_1m.xlsx，应读取）": big_sheet(folder / "big_1m.xlsx", 1000, 1000),
    }
    return made


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it")
    ap.add_argument("--jobs", default="1")
    args = ap.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="perfeval-bombs-"))
    folder.mkdir(parents=True, exist_ok=True)
    good = folder / "good.txt"
    good.write_bytes((ROOT / "tests" / "data" / "seed_forms.txt").read_bytes())
    started = time.perf_counter()
    made = bombs(folder)
    print(f"生成 {len(made)} 个测试文件，用时 {time.perf_counter() - started:.1f} 秒；--jobs {args.jobs}")
    print("| 文件 | 大小 (MB) | 峰值 RSS (MiB) | 秒 | 退出码 | 错误工作表上的原因 |")
    print("|---|---:|---:|---:|---:|---|")
    for label, path in made.items():
        out = folder / f"out_{path.stem}.xlsx"
        cmd = [sys.executable, "-m", "perfeval_xl", "consolidate", str(good), str(path), "-o", str(out), "-q",
               "-j", args.jobs]  # fmt: skip
        res = subprocess.run([sys.executable, "-c", _WRAPPER, *cmd], capture_output=True, text=True, cwd=ROOT)
        rc, seconds, rss_kb = json.loads(res.stdout.strip().splitlines()[-1])
        reason = _reason(out, path)
        size = path.stat().st_size / 1e6
        print(f"| {label} | {size:.1f} | {rss_kb / 1024:.0f} | {seconds:.1f} | {rc} | {reason} |")


def _reason(out: Path, path: Path) -> str:
    if not out.exists():
        return "（未写出汇总）"
    import openpyxl

    wb = openpyxl.load_workbook(out, read_only=True)
    reasons = [
        r[2] for r in wb["错误"].iter_rows(min_row=2, values_only=True) if r and r[0] and path.name in r[0]
    ]
    return "；".join(reasons)[:90] if reasons else "（已读取）"


if __name__ == "__main__":
    main()

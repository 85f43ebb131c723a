"""How fast ``perfeval-xl consolidate`` is, against the strongest peers a user would pick, on realistic forms.

    python benchmarks/consolidate.py [--n 500] [--rounds 3] [--jobs 2] [--scale 10000] [--keep DIR]
                                     [--baseline CHECKOUT]

Generates ``--n`` distinct workbooks typed as clerks type them (:mod:`realistic`: 1 to 6 forms each,
numbers as numbers, percent-formatted rates and percentages, merged titles and groups, some forms in 元)
and the same forms with targets, actuals and rates as text. Every method then runs as a **fresh process**
(interpreter start-up and imports included, as a user pays them), interleaved over ``--rounds`` rounds:

  reading only (what a user would otherwise do before any checking):
    pandas.read_excel(engine="openpyxl"), pandas.read_excel(engine="calamine"), polars.read_excel
    (calamine engine; when polars is installed), and raw python-calamine (every sheet of every file to
    Python values: the floor any calamine-based tool stands on);
  perfeval-xl consolidate end to end (discovery, reading, scoring, findings, the summary workbook):
    one process (--jobs 1) and --jobs N, on the clerk-typed batch; one process on the text batch.

For each: median wall seconds, median CPU seconds (user + system of the process and every worker, from
``RUSAGE_CHILDREN``), files and forms per second, and the peak RSS of the whole process tree (the process
and its workers summed, sampled every 10 ms from /proc). Ratios are against pandas (calamine) and against
the calamine floor, by wall time and by CPU time: the machine is shared, so CPU seconds are the steadier
measure. ``--baseline CHECKOUT`` (another version's checkout, e.g. ``git worktree add /tmp/old
534f232``) adds that version's consolidate (one process, clerk batch) to the same interleaved rounds,
so two versions are compared on the same files in the same minutes. ``--scale N`` adds one run of consolidate over N distinct clerk-typed workbooks with one and
with ``--jobs`` processes, for the memory bound.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import realistic  # noqa: E402

READ_ONLY = {
    "pandas.read_excel (openpyxl)": (
        "import pandas as pd\n"
        "for p in paths:\n"
        "    pd.read_excel(p, sheet_name=None, engine='openpyxl', header=None)\n"
    ),
    "pandas.read_excel (calamine)": (
        "import pandas as pd\n"
        "for p in paths:\n"
        "    pd.read_excel(p, sheet_name=None, engine='calamine', header=None)\n"
    ),
    "polars.read_excel (calamine)": (
        "import polars as pl\n"
        "for p in paths:\n"
        "    pl.read_excel(p, sheet_id=0, has_header=False, raise_if_empty=False)\n"
    ),
    "python-calamine（下限）": (
        "from python_calamine import CalamineWorkbook\n"
        "for p in paths:\n"
        "    wb = CalamineWorkbook.from_path(p)\n"
        "    for name in wb.sheet_names:\n"
        "        wb.get_sheet_by_name(name).to_python()\n"
    ),
}
FLOOR = "python-calamine（下限）"
PEER = "pandas.read_excel (calamine)"


@dataclass
class Runs:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss: int = 0  # bytes, the largest tree total seen


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


def _tree_rss(pid: int) -> int:
    total, todo = 0, [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * page
        except OSError:
            continue
        todo += _children(p)
    return total


def run(cmd: list[str], env: dict | None = None) -> tuple[float, float, int, int]:
    """Run ``cmd``; returns (wall seconds, CPU seconds of it and its descendants, peak tree RSS, exit code)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 3):
        print(
            f"  注意：{cmd[:4]}… 退出码 {proc.returncode}：{err.decode(errors='replace')[-300:]}",
            file=sys.stderr,
        )
    return wall, cpu, peak[0], proc.returncode


def reader_cmd(code: str, listing: Path) -> list[str]:
    prelude = f"paths = open({str(listing)!r}, encoding='utf-8').read().split('\\n')\n"
    return [sys.executable, "-c", prelude + code]


def consolidate_cmd(folder: Path, out: Path, jobs: int, tree: Path = ROOT) -> list[str]:
    """``python -m perfeval_xl consolidate …`` with the package of checkout ``tree`` first on the path
    (``-m`` alone would take the package in the current directory, whichever version that is)."""
    argv = ["perfeval-xl", "consolidate", str(folder), "-o", str(out), "--jobs", str(jobs), "--quiet"]
    code = (f"import runpy, sys; sys.path.insert(0, {str(tree)!r}); sys.argv = {argv!r}; "
            "runpy.run_module('perfeval_xl', run_name='__main__', alter_sys=True)")  # fmt: skip
    return [sys.executable, "-c", code]


def _load() -> str:
    """The machine's load average (1, 5, 15 minutes): the machine is shared, wall times move with it."""
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "未知"


def has_module(name: str) -> bool:
    probe = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True)
    return probe.returncode == 0


def totals(summary: Path) -> list:
    """The 总分 column of a summary's 汇总 sheet, in order."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(summary)).get_sheet_by_name("汇总").to_python()
    col = rows[0].index("总分")
    return [row[col] for row in rows[1:]]


def count_forms(summary: Path) -> int:
    return len(totals(summary))


def table(rows: list[tuple], header: tuple) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|",
    ]
    lines += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=500, help="workbooks per batch (default 500)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds, medians reported (default 3)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="processes for the parallel run")
    ap.add_argument("--scale", type=int, default=0, help="also one consolidate run over this many workbooks")
    ap.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    ap.add_argument("--baseline", type=Path, help="another version's checkout, timed in the same rounds")
    args = ap.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="perfeval-bench-"))
    # An installed package has its bytecode compiled (pip does it); a checkout run with
    # PYTHONDONTWRITEBYTECODE would compile every module at every start instead.
    for tree in (ROOT, args.baseline) if args.baseline else (ROOT,):
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "perfeval_xl")], check=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    try:
        t = time.perf_counter()
        clerk = realistic.generate(work / "clerk", args.n, "clerk")
        realistic.generate(work / "text", args.n, "text")
        size = sum(p.stat().st_size for p in clerk) / 1e6
        listing = work / "clerk.txt"
        listing.write_text("\n".join(str(p) for p in clerk), encoding="utf-8")
        print(f"生成 {args.n} 个不同的工作簿（录入式：数字为数字、百分比格式、合并单元格、部分以元为单位；"
              f"另一份同样的表全为文字），{size:.1f} MB，用时 {time.perf_counter() - t:.1f} 秒；"
              f"CPU 核数 {os.cpu_count()}，开始时负载 {_load()}；每种方法为独立进程（含启动），"
              f"交替运行 {args.rounds} 轮取中位数。")  # fmt: skip

        methods: dict[str, list[str]] = {}
        for name, code in READ_ONLY.items():
            if name.startswith("polars") and not has_module("polars"):
                print(f"（未安装 polars，跳过 {name}）")
                continue
            methods[name] = reader_cmd(code, listing)
        out = work / "out"
        out.mkdir(exist_ok=True)
        c1 = "perfeval-xl consolidate，1 个进程"
        cn = f"perfeval-xl consolidate，--jobs {args.jobs}"
        ct = "perfeval-xl consolidate，1 个进程，全为文字的同样表单"
        methods[c1] = consolidate_cmd(work / "clerk", out / "a.xlsx", 1)
        methods[cn] = consolidate_cmd(work / "clerk", out / "b.xlsx", args.jobs)
        methods[ct] = consolidate_cmd(work / "text", out / "c.xlsx", 1)
        cb = f"perfeval-xl consolidate，1 个进程，{args.baseline} 的版本" if args.baseline else None
        if cb:
            methods[cb] = consolidate_cmd(work / "clerk", out / "old.xlsx", 1, args.baseline)

        runs = {name: Runs() for name in methods}
        for _ in range(args.rounds):
            for name, cmd in methods.items():
                wall, cpu, rss, _code = run(cmd, env)
                runs[name].wall.append(wall)
                runs[name].cpu.append(cpu)
                runs[name].rss = max(runs[name].rss, rss)
        forms = count_forms(out / "a.xlsx")
        clerk_totals, text_totals = totals(out / "a.xlsx"), totals(out / "c.xlsx")
        differ = sum(a != b for a, b in zip(clerk_totals, text_totals, strict=True))
        # the formats are read, not guessed: the same forms typed either way give the same 总分
        assert len(clerk_totals) == len(text_totals) and not differ, f"{differ} forms differ"

        med = {name: (statistics.median(r.wall), statistics.median(r.cpu)) for name, r in runs.items()}
        rows = []
        for name, (wall, cpu) in med.items():
            peer_w, peer_c = med[PEER]
            floor_w, floor_c = med[FLOOR]
            rows.append((
                name, f"{wall:.2f}", f"{cpu:.2f}", f"{args.n / wall:.0f}", f"{forms / wall:.0f}",
                f"{runs[name].rss / 2**20:.0f}",
                f"{peer_w / wall:.2f}x / {peer_c / cpu:.2f}x",
                f"{wall / floor_w:.2f} / {cpu / floor_c:.2f}",
            ))  # fmt: skip
        header = ("方法", "墙钟秒", "CPU 秒", "文件/秒", "表/秒", "峰值 RSS MiB（进程树）",
                  "快于 pandas(calamine)（墙钟/CPU）", "为 calamine 下限的倍数（墙钟/CPU）")  # fmt: skip
        print(f"\n{args.n} 个工作簿，{forms} 张表（测完时负载 {_load()}）：\n")
        print(table(rows, header))
        (w1, cpu1), (wt, cput) = med[c1], med[ct]
        print(f"\n录入式表单 / 全文字表单（1 个进程）：墙钟 {w1 / wt:.2f} 倍，CPU {cpu1 / cput:.2f} 倍。")
        wn, cpun = med[cn]
        print(f"--jobs {args.jobs} / --jobs 1：墙钟 {wn / w1:.2f} 倍，CPU {cpun / cpu1:.2f} 倍。")
        if cb:
            wb, cpub = med[cb]
            same = totals(out / "old.xlsx") == clerk_totals
            print(f"本版本 / {args.baseline} 的版本（1 个进程）：墙钟 {w1 / wb:.2f} 倍，CPU {cpu1 / cpub:.2f} 倍"
                  f"（两版总分{'相同' if same else '不同'}）。")  # fmt: skip

        if args.scale:
            t = time.perf_counter()
            realistic.generate(work / "scale", args.scale, "clerk", seed=7)
            print(f"\n规模测试：生成 {args.scale} 个不同的工作簿，用时 {time.perf_counter() - t:.0f} 秒。\n")
            srows = []
            for jobs in (1, args.jobs):
                wall, cpu, rss, _ = run(consolidate_cmd(work / "scale", out / f"s{jobs}.xlsx", jobs), env)
                n_forms = count_forms(out / f"s{jobs}.xlsx")
                srows.append(
                    (f"--jobs {jobs}", args.scale, n_forms, f"{wall:.1f}", f"{cpu:.1f}", f"{rss / 2**20:.0f}")
                )
            print(table(srows, ("进程", "工作簿", "表", "墙钟秒", "CPU 秒", "峰值 RSS MiB（进程树）")))
            print(f"（测完时负载 {_load()}）")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

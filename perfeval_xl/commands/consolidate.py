"""``perfeval-xl consolidate INPUT... -o OUT.xlsx``: many filled forms into one summary workbook.

Exit status: 0 every input was read; 3 some could not be read (listed on the 错误 sheet; the summary is
still written); 2 unusable arguments (no inputs found, output over an input, unknown profile).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from ..cli import EXIT_EPILOG, check_output


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "consolidate",
        help="批量汇总：把多个已填写的自评表汇总为一个 Excel 汇总表",
        description=(
            "读取文件、文件夹（含子文件夹）和通配符匹配到的每一个工作簿的每一张自评表，"
            "按评分规则重新计算全部数字，写出汇总工作簿（汇总、按主管部门、指标明细、问题清单、错误）。"
        ),
        epilog=EXIT_EPILOG,
    )
    p.add_argument("inputs", nargs="+", metavar="输入", help="文件、文件夹或通配符（如 'forms/**/*.xlsx'）")
    p.add_argument("-o", "--output", required=True, metavar="汇总.xlsx", help="输出的汇总工作簿（.xlsx）")
    p.add_argument(
        "--profile",
        metavar="评分规则",
        help="评分规则，覆盖各表自身的设定（如 shanghai-municipal、mof-2020、whole-number、transfer-payment、"
        "JSON 规则文件）；auto：每张表按其填写的数字推断规则，汇总的“评分规则”列标注（推断）",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        metavar="N",
        help="并行进程数（默认：按文件数和空闲 CPU 核自动选择，每 100 个文件至多 1 个进程）",
    )
    p.add_argument(
        "--csv",
        metavar="文件夹",
        help="另外把各表写成 CSV（UTF-8，数字按计算结果原样写出）到此文件夹，边读边写",
    )
    p.add_argument(
        "--parquet",
        metavar="文件夹",
        help="另外把各表写成 Parquet 到此文件夹（在内存中汇集全部数据行后写出，内存随输入数量增长）",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="不显示进度和结果摘要")
    add_limit_options(p)
    p.set_defaults(func=run)


def add_limit_options(p) -> None:
    """The limits of :mod:`perfeval_xl.limits` as options (defaults shown in the help)."""
    from ..limits import Limits

    d = Limits()
    g = p.add_argument_group("安全限制（超出限制的文件不读取，列入“错误”工作表）")
    g.add_argument("--timeout", type=float, metavar="秒", help=f"每个文件的读取时限（默认 {d.timeout:g} 秒）")
    g.add_argument(
        "--max-file-mb", type=float, metavar="MB", help=f"单个文件大小上限（默认 {d.max_file_mb} MB）"
    )
    g.add_argument(
        "--max-unzipped-mb",
        type=float,
        metavar="MB",
        help=f"工作簿解压后大小上限（默认 {d.max_unzipped_mb} MB）",
    )
    g.add_argument("--max-cells", type=int, metavar="N", help=f"单张工作表单元格数上限（默认 {d.max_cells}）")
    g.add_argument(
        "--max-sheets", type=int, metavar="N", help=f"单个工作簿工作表数上限（默认 {d.max_sheets}）"
    )
    g.add_argument(
        "--max-memory-mb",
        type=int,
        metavar="MB",
        help=f"读取一个文件可用的内存上限（默认 {d.max_memory_mb} MB）",
    )


def apply_limit_options(args) -> str | None:
    """Set the limits from the options; a message when one is unusable."""
    from .. import limits

    values = {
        "timeout": args.timeout,
        "max_file_mb": args.max_file_mb,
        "max_unzipped_mb": args.max_unzipped_mb,
        "max_cells": args.max_cells,
        "max_sheets": args.max_sheets,
        "max_memory_mb": args.max_memory_mb,
    }
    for name, value in values.items():
        if value is not None and value <= 0:
            return f"--{name.replace('_', '-')} 应大于 0"
    limits.configure(limits.Limits(), **values)  # each run starts from the defaults
    return None


def _fail(message: str) -> int:
    print(f"perfeval-xl consolidate：{message}", file=sys.stderr)
    return 2


class _Bar:
    """A one-line progress bar on stderr (only used when stderr is a terminal)."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.last = 0.0

    def __call__(self, done: int, total: int, forms: int) -> None:
        now = time.perf_counter()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        width = 30
        filled = int(width * done / total) if total else width
        rate = done / (now - self.start) if now > self.start else 0.0
        sys.stderr.write(
            f"\r汇总 [{'#' * filled}{'.' * (width - filled)}] {done}/{total} 个文件，{forms} 张表，{rate:.0f} 文件/秒"
        )
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _exit_on_sigterm():
    """SIGTERM (a scheduler, ``kill``) unwinds like Ctrl-C: temporary files are removed and the
    workers stopped on the way out. Returns the previous handler (None when it cannot be set)."""

    def terminate(signum, _frame):
        raise SystemExit(128 + signum)

    try:
        return signal.signal(signal.SIGTERM, terminate)
    except ValueError:  # not the main thread
        return None


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    out = Path(args.output)
    problem = check_output(args.output)
    if problem:
        return _fail(problem)
    if args.jobs is not None and args.jobs < 1:
        return _fail("--jobs 至少为 1")
    from .. import limits

    previous = limits.current()
    try:
        problem = apply_limit_options(args)
        if problem:
            return _fail(problem)
        return _run(args, started, out)
    finally:
        limits.configure(previous)


def _run(args: argparse.Namespace, started: float, out: Path) -> int:
    from .. import batch, workers  # noqa: F401 - batch: imported once, here, for the workers too

    # The workers are forked before the inputs are searched: they carry no copy of the file list
    # (with the default --jobs, one: how many more help depends on the number of files found). They
    # are forked after the batch modules are imported: the workers need most of them (the row
    # tables, the row XML) and would otherwise import them again.
    workers.prestart(args.jobs or 1)
    try:
        return _consolidate(args, started, out)
    finally:
        workers.discard_spares()


def _consolidate(args: argparse.Namespace, started: float, out: Path) -> int:
    from ..batch import UsageError, consolidate_to
    from ..discovery import discover, file_key, is_own_output
    from ..profiles import profile_argument
    from ..tablefiles import TABLE_FILES

    if args.profile is not None:
        try:
            profile_argument(args.profile)
        except ValueError as exc:
            return _fail(str(exc))
    if args.parquet:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            return _fail('--parquet 需要可选组件 pyarrow，请先安装：pip install "perfeval-xl[parquet]"')

    outputs = [out]
    for folder, ext in ((args.csv, "csv"), (args.parquet, "parquet")):
        if folder:
            outputs += [Path(folder) / f"{name}.{ext}" for name in TABLE_FILES.values()]
    # A summary of an earlier run lying among the inputs is skipped; anything else the output would
    # replace (found through a folder, a pattern, a symbolic or hard link) is refused below.
    files, missing = discover(args.inputs, exclude=[p for p in outputs if is_own_output(p)])
    if not files:
        for source, _sheet, reason in missing:
            print(f"perfeval-xl consolidate：{source}：{reason}", file=sys.stderr)
        return _fail("没有找到任何输入文件")
    targets = {file_key(target): target for target in outputs}
    for f in files:
        target = targets.get(file_key(f))
        if target is not None:
            return _fail(f"输出文件不能覆盖输入文件：{target}")

    show = not args.quiet
    progress = _Bar() if show and sys.stderr.isatty() else None
    previous = _exit_on_sigterm()
    try:
        # Rows stream to temporary files as they arrive; memory does not grow with the inputs.
        stats = consolidate_to(
            out,
            args.inputs,
            profile=args.profile,
            jobs=args.jobs,
            progress=progress,
            exclude=outputs,
            discovered=(files, missing),
            csv_dir=args.csv,
            parquet_dir=args.parquet,
        )
    except UsageError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"无法写出结果：{exc}")
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)

    if show:
        line = (
            f"已汇总 {stats.files} 个文件中的 {stats.forms} 张自评表，"
            f"{stats.findings} 条审核提示 → {out}（用时 {time.perf_counter() - started:.1f} 秒）"
        )
        print(line, file=sys.stderr)
        if stats.n_errors:
            print(f"{stats.error_files} 个文件（或其中的工作表）无法读取，见“错误”工作表：", file=sys.stderr)
            for source, sheet, reason in stats.first_errors:
                place = f"{source}［{sheet}］" if sheet else source
                print(f"  {place}：{reason}", file=sys.stderr)
            if stats.n_errors > len(stats.first_errors):
                print(f"  ……共 {stats.n_errors} 条", file=sys.stderr)
    return 3 if stats.n_errors else 0

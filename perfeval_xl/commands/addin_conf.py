"""``perfeval-xl addin-conf``: the xlwings settings IT needs, with this machine's real paths.

xlwings reads its settings as key/value rows from a sheet named ``xlwings.conf`` (the standard add-in) or
``NAME.conf`` (a custom add-in made with ``xlwings quickstart NAME --addin``), or from a config file
with lines ``"KEY","value"``. The keys that matter here (xlwings/addin/Main.bas, ``XLPyCommand``
and ``GetUdfModules``; docs/addin.md "User Settings"):

* ``INTERPRETER_WIN`` — the Python that runs the UDFs: the one where perfeval-xl is installed;
* ``PYTHONPATH`` — the folder holding ``udfs.py``;
* ``UDF MODULES`` — ``udfs``.

This command prints them for the Python it runs under, so IT copies paths instead of guessing them.
"""

from __future__ import annotations

import importlib.util
import locale
import sys
from pathlib import Path

from ..cli import EXIT_EPILOG, check_output


def settings(executable: str | None = None) -> list[tuple[str, str]]:
    """The (key, value) rows for the current Python: interpreter, folder of ``udfs.py``, module name."""
    exe = Path(executable or sys.executable)
    # pythonw.exe (no console window) sits beside python.exe on Windows; xlwings' default is pythonw
    windowless = exe.with_name("pythonw.exe")
    interpreter = windowless if exe.name.lower() == "python.exe" and windowless.exists() else exe
    spec = importlib.util.find_spec("udfs")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("找不到 udfs.py：请先在这个 Python 中安装 perfeval-xl（pip install .）")
    return [
        ("Interpreter_Win", str(interpreter)),
        ("PYTHONPATH", str(Path(spec.origin).resolve().parent)),
        ("UDF Modules", "udfs"),
    ]


def conf_file_text(rows: list[tuple[str, str]]) -> str:
    """The config-file form xlwings reads (keys in capitals, both sides quoted)."""
    return "".join(f'"{key.upper()}","{value}"\n' for key, value in rows)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "addin-conf",
        help="输出 xlwings 加载项的设置（解释器、udfs.py 所在文件夹、UDF Modules），供 IT 填写",
        description=(
            "按当前 Python 输出 xlwings 需要的三项设置。默认输出两列（制表符分隔），"
            "可直接粘贴到加载项的 NAME.conf 工作表（或工作簿的 xlwings.conf 工作表）的 A、B 列。"
        ),
        epilog=EXIT_EPILOG,
    )
    p.add_argument(
        "--file",
        metavar="文件",
        default=None,
        help='另存为 xlwings 配置文件格式（每行 "KEY","值"），如 %%USERPROFILE%%\\.NAME\\NAME.conf',
    )
    p.set_defaults(func=run)


def run(args) -> int:
    try:
        rows = settings()
    except FileNotFoundError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.file:
        problem = check_output(args.file, (".conf",))
        if problem:
            print(f"perfeval-xl addin-conf：{problem}", file=sys.stderr)
            return 2
        try:
            # VBA's ``Open … For Input`` reads the file in the system code page (cp936 on Chinese Windows)
            Path(args.file).write_text(conf_file_text(rows), encoding=locale.getpreferredencoding(False))
        except OSError as exc:
            print(f"无法写入 {args.file}：{exc}", file=sys.stderr)
            return 2
        print(f"已写入 {args.file}")
        return 0
    for key, value in rows:
        print(f"{key}\t{value}")
    return 0

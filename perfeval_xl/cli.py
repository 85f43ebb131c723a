"""The ``perfeval-xl`` command: one sub-command per module in :mod:`perfeval_xl.commands`.

Exit codes: 0 all good; 1 some finding is an error; 2 unusable input or arguments;
3 (consolidate) some inputs could not be read but the summary was written.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from . import __version__

#: sub-command name -> module under perfeval_xl.commands (each has ``register(subparsers)``)
COMMANDS = {
    "score": "score",
    "template": "template",
    "import": "import_forms",
    "recalc": "recalc",
    "consolidate": "consolidate",
}


class _Parser(argparse.ArgumentParser):
    """argparse with Chinese section titles and help text (users are Chinese finance staff)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str) -> None:  # argparse exits 2 already; keep its message short
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 参数错误：{message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="perfeval-xl",
        description="财政项目支出绩效自评：计分、Excel 模板、批量汇总。",
        epilog="每个子命令的用法：perfeval-xl 子命令 --help",
    )
    parser.add_argument(
        "--version", action="version", version=f"perfeval-xl {__version__}", help="显示版本号"
    )
    sub = parser.add_subparsers(dest="command", metavar="子命令", parser_class=_Parser)
    for module_name in COMMANDS.values():
        try:
            module = importlib.import_module(f"perfeval_xl.commands.{module_name}")
        except ModuleNotFoundError as exc:  # a command whose module is not built yet
            if exc.name != f"perfeval_xl.commands.{module_name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early: not an error of ours
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:
            pass
        return 0


if __name__ == "__main__":
    sys.exit(main())

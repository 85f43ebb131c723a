"""The ``perfeval-xl`` command: one sub-command per module in :mod:`perfeval_xl.commands`.

Exit codes, the same for every sub-command (see :data:`EXIT_CODES`): 0 all good; 1 some finding is an
error (``score``); 2 unusable arguments, or no input could be used (nothing written); 3 some inputs could
not be read, the others were processed and the output written. When several apply, the larger wins.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

from . import __version__

#: exit code -> what it means (the README and ``--help`` show this table)
EXIT_CODES = {
    0: "全部输入读取成功，没有错误级问题",
    1: "有错误级审核问题（如表上数字与计算结果不符）",
    2: "参数无法使用，或没有任何可用的输入（未写出结果）",
    3: "部分输入无法读取，其余已处理并写出结果",
}
EXIT_EPILOG = "退出码：" + "；".join(f"{code} {text}" for code, text in EXIT_CODES.items()) + "。"

#: argparse's own messages in Chinese (argparse looks them up through gettext at call time)
_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项值 %(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多需要一个值",
    "expected at least one argument": "至少需要一个值",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r（应为 %(type)s）",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 必须给出其中之一",
    "ignored explicit argument %r": "忽略了多余的值 %r",
    "unexpected option string: %s": "意外的选项：%s",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "positional arguments": "参数",
    "options": "选项",
}


@contextlib.contextmanager
def _chinese_argparse() -> Iterator[None]:
    """argparse speaks Chinese while our parser runs (restored afterwards: other argparse users in the
    same process, such as a test runner, keep their own language)."""

    def translate(text: str) -> str:
        return _ARGPARSE_ZH.get(text, text)

    def translate_n(one: str, many: str, n: int) -> str:
        return translate(one if n == 1 else many)

    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = translate, translate_n  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def check_output(path: str, suffixes: tuple[str, ...] = (".xlsx",)) -> str | None:
    """Why ``path`` cannot be an output file of this kind (Chinese), or None when it can.

    The folder must exist already (a mistyped folder is never created silently) and the name must end
    with one of ``suffixes`` (an .xlsx written under the name .xls would not open).
    """
    target = Path(path)
    if target.suffix.lower() not in suffixes:
        return f"输出文件应以 {' 或 '.join(suffixes)} 结尾：{path}"
    if target.is_dir():
        return f"输出路径是一个文件夹：{path}"
    parent = target.parent
    if not parent.is_dir():
        return f"输出文件所在的文件夹不存在：{parent}"
    return None


#: sub-command name -> module under perfeval_xl.commands (each has ``register(subparsers)``)
COMMANDS = {
    "score": "score",
    "template": "template",
    "import": "import_forms",
    "recalc": "recalc",
    "consolidate": "consolidate",
    "addin-conf": "addin_conf",
    "lite": "lite",
}


class _Parser(argparse.ArgumentParser):
    """argparse with Chinese section titles and help text (users are Chinese finance staff)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str) -> NoReturn:  # argparse exits 2 already; keep its message short
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 参数错误：{message}\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``command`` (a name of :data:`COMMANDS`) only that sub-command is
    registered: parsing its arguments gives the same result, without building the other six."""
    parser = _Parser(
        prog="perfeval-xl",
        description="财政项目支出绩效自评：计分、Excel 模板、批量汇总。",
        epilog="每个子命令的用法：perfeval-xl 子命令 --help。" + EXIT_EPILOG,
    )
    parser.add_argument(
        "--version", action="version", version=f"perfeval-xl {__version__}", help="显示版本号"
    )
    sub = parser.add_subparsers(dest="command", metavar="子命令", parser_class=_Parser)
    names = [COMMANDS[command]] if command in COMMANDS else COMMANDS.values()
    for module_name in names:
        try:
            module = importlib.import_module(f"perfeval_xl.commands.{module_name}")
        except ModuleNotFoundError as exc:  # a command whose module is not built yet
            if exc.name != f"perfeval_xl.commands.{module_name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args_given = sys.argv[1:] if argv is None else argv
    # The sub-command named first is the only one built (``--help`` and the like build them all).
    with _chinese_argparse():  # (also spares argparse's gettext look-ups while the parser is built)
        parser = build_parser(args_given[0] if args_given else None)
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


def entry() -> NoReturn:
    """The ``perfeval-xl`` command and ``python -m perfeval_xl``: :func:`main`, then the process ends
    at once, without the interpreter's teardown of every module (~8 ms of CPU, a tenth of a small
    run): what a command writes is closed and in place when it returns (temporary files are removed by
    their context managers), so only the standard streams are left to flush. An exception (and
    argparse's exits) still takes the ordinary way out."""
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # output piped into `head` and closed early: not an error of ours
        pass
    except OSError:  # the output could not be written (a full disk): fail as the interpreter would
        code = code or 120
    try:
        sys.stderr.flush()
    except OSError:
        pass
    os._exit(code)


if __name__ == "__main__":
    entry()

"""``perfeval-xl lite -o DIR``: the xlwings Lite bundle (``main.py``, ``requirements.txt``)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..cli import EXIT_EPILOG


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "lite",
        help="生成 xlwings Lite 用的 main.py 和 requirements.txt（Excel 365/2021+、网页版，无需安装 Python）",
        description=(
            "生成 xlwings Lite 用的 main.py：内含本工具的计算规则（只用 Python 标准库）、与模板公式同名的"
            "自定义函数，以及把模板公式重新写入各张自评表的脚本“写入公式”。把 main.py 的全部内容粘贴到 "
            "xlwings Lite 编辑器的 main.py 中即可。"
        ),
        epilog=EXIT_EPILOG,
    )
    p.add_argument("-o", "--output", required=True, metavar="文件夹", help="输出文件夹（须已存在）")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..lite import BundleError, write_bundle

    folder = Path(args.output)
    if not folder.is_dir():
        print(f"perfeval-xl lite：输出文件夹不存在：{folder}", file=sys.stderr)
        return 2
    try:
        paths = write_bundle(folder)
    except BundleError as exc:
        print(f"perfeval-xl lite：{exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"无法写入 {folder}：{exc}", file=sys.stderr)
        return 2
    for path in paths:
        print(f"已生成：{path}")
    return 0

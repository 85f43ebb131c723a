"""``perfeval-xl template -o FILE [--flavor classic|lite|native] [--native] [--rows N]``: write the empty Excel form."""

from __future__ import annotations

import sys

from ..cli import EXIT_EPILOG, check_output


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "template",
        help="生成绩效自评 Excel 模板（公式调用 xlwings 自定义函数）",
        description="生成财政项目支出绩效自评表 Excel 模板。计算单元格调用 udfs.py 中的 xlwings 自定义函数。",
        epilog=EXIT_EPILOG,
    )
    p.add_argument("-o", "--output", required=True, metavar="文件", help="输出的 .xlsx 文件")
    p.add_argument(
        "--flavor",
        choices=("classic", "lite", "native"),
        default="classic",
        help="classic：经典 xlwings（Windows Excel）；lite：xlwings Lite（每格一个公式，不含 xlwings.conf 工作表）；"
        "native：本地公式版（只用 Excel、WPS、LibreOffice 自带的函数，不需要加载项）",
    )
    p.add_argument(
        "--native",
        dest="flavor",
        action="store_const",
        const="native",
        help="本地公式版，同 --flavor native",
    )
    p.add_argument(
        "--rows",
        type=int,
        default=None,
        metavar="行数",
        help="指标行数（默认 30，至少 30）：指标多时直接生成更长的表，不必手工插入行",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    from ..template import build_workbook, save_workbook

    if args.rows is not None and not 1 <= args.rows <= 1000:
        print("perfeval-xl template：--rows 应在 1 到 1000 之间", file=sys.stderr)
        return 2
    problem = check_output(args.output)
    if problem:
        print(f"perfeval-xl template：{problem}", file=sys.stderr)
        return 2
    try:
        path = save_workbook(build_workbook(flavor=args.flavor, rows=args.rows), args.output)
    except OSError as exc:
        print(f"无法写入 {args.output}：{exc}", file=sys.stderr)
        return 2
    print(f"已生成模板：{path}")
    return 0

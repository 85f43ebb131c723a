"""``perfeval-xl recalc FILE -o OUT.xlsx``: a copy whose computed cells hold values, not UDF formulas."""

from __future__ import annotations

import sys

from ..cli import EXIT_EPILOG, check_output


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "recalc",
        help="生成数值版：计算单元格写入计算结果（供 WPS、LibreOffice 或未装 xlwings 的同事打开）",
        description="读取已填写的模板，按评分规则计算，把执行率、得分、总分、评分等级和审核提示写成数值，另存一份。",
        epilog=EXIT_EPILOG,
    )
    p.add_argument("file", metavar="文件", help="已填写的模板（.xlsx / .xlsm）")
    p.add_argument("-o", "--output", required=True, metavar="文件", help="输出的 .xlsx 文件")
    p.add_argument(
        "--profile",
        default=None,
        metavar="评分规则",
        help="按此规则计算并写入副本的“评分规则”单元格（内置规则名、JSON 规则文件，或 auto：按各表数字推断）",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    from ..model import ReadError
    from ..profiles import profile_argument
    from ..recalc import recalc

    problem = check_output(args.output)
    if problem:
        print(f"perfeval-xl recalc：{problem}", file=sys.stderr)
        return 2
    try:
        profile = profile_argument(args.profile)
        sheets = recalc(args.file, args.output, profile)
    except ReadError as exc:
        print(exc.describe(), file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"已写出数值版（{len(sheets)} 个工作表）：{args.output}")
    from ..profiles import PROFILES, Profile

    if isinstance(profile, Profile) and PROFILES.get(profile.name) is not profile:
        print(
            f"注意：评分规则文件“{args.profile}”未写入副本的“评分规则”单元格；核对副本时请同样指定 --profile {args.profile}"
        )
    return 0

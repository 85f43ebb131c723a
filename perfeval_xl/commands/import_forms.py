"""``perfeval-xl import SOURCE... -o OUT.xlsx``: every form found becomes one filled template sheet."""

from __future__ import annotations

import sys

from ..cli import EXIT_EPILOG, check_output


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "import",
        help="把已有自评表（文本导出、xlsx 等）导入模板，每张表一个工作表",
        description="读取来源文件中的每张自评表，填入模板的一个工作表副本，写出一个工作簿。",
        epilog=EXIT_EPILOG,
    )
    p.add_argument("sources", nargs="+", metavar="来源", help="自评表文件（制表符文本、xlsx、xlsm、xls）")
    p.add_argument("-o", "--output", required=True, metavar="文件", help="输出的 .xlsx 文件")
    p.add_argument(
        "--profile",
        default=None,
        metavar="评分规则",
        help="写入“评分规则”单元格的规则（默认取表中所写或上海市级）；auto：每张表按其填写的数字推断",
    )
    p.add_argument(
        "--flavor",
        choices=("classic", "lite", "native"),
        default="classic",
        help="模板类型（同 template 命令）",
    )
    p.add_argument(
        "--native",
        dest="flavor",
        action="store_const",
        const="native",
        help="导入本地公式版模板（不需要加载项），同 --flavor native",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from ..model import ReadError
    from ..profiles import profile_argument
    from ..template import build_workbook, save_workbook
    from ..workers import read_forms_each

    problem = check_output(args.output)
    if problem:
        print(f"perfeval-xl import：{problem}", file=sys.stderr)
        return 2
    profile = None
    if args.profile:
        try:
            profile = profile_argument(args.profile)
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 2
    from ..discovery import file_key

    out = Path(args.output).resolve()
    out_key = file_key(out)
    forms = []
    failed = 0
    readable = []
    for source in args.sources:
        if Path(source).resolve() == out or file_key(Path(source)) == out_key:
            print(f"{source}：输出文件不能与来源相同", file=sys.stderr)
            failed += 1
            continue
        readable.append(source)
    # read in a worker process: a file that crashes or hangs its reader is one more unreadable source
    for source, found in read_forms_each(readable):
        if isinstance(found, ReadError):
            print(found.describe(), file=sys.stderr)
            failed += 1
            continue
        if not found:
            print(f"{source}：没有找到自评表", file=sys.stderr)
            failed += 1
            continue
        forms.extend(found)
        print(f"{source}：{len(found)} 张自评表")
    if not forms:
        print("没有可导入的自评表。", file=sys.stderr)
        return 2
    try:
        wb = build_workbook(forms, flavor=args.flavor, profile=profile)
    except Exception:  # noqa: BLE001 - find the forms that cannot be written, keep the others
        good = []
        for form in forms:
            try:
                build_workbook([form], flavor=args.flavor, profile=profile)
                good.append(form)
            except Exception as exc:  # noqa: BLE001
                where = f"{form.source}［{form.sheet}］" if form.sheet else str(form.source)
                print(
                    f"{where}：第{form.index}张表无法写入模板（{exc.__class__.__name__}：{exc}）",
                    file=sys.stderr,
                )
                failed += 1
        if not good:
            print("没有可导入的自评表。", file=sys.stderr)
            return 2
        forms = good
        wb = build_workbook(forms, flavor=args.flavor, profile=profile)
    try:
        save_workbook(wb, out)
    except OSError as exc:
        print(f"无法写入 {args.output}：{exc}", file=sys.stderr)
        return 2
    print(f"已写出 {len(forms)} 张自评表：{args.output}")
    return 0 if not failed else 3

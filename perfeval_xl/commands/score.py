"""``perfeval-xl score PATH... [--profile NAME] [--json] [--explain]``: score forms and show computed vs
stated; ``--explain`` also shows which cell each field was read from."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from ..cli import EXIT_EPILOG

if TYPE_CHECKING:
    from ..model import Result


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "score",
        help="计算表单得分并与表上数字核对",
        description="读取自评表（xlsx/xlsm/xls、制表符分隔导出、HTML 表格），按评分规则重新计算执行率、"
        "各项得分、总分和评分等级，并列出审核问题。",
        epilog=EXIT_EPILOG,
    )
    p.add_argument("paths", nargs="+", metavar="文件", help="一个或多个表单文件")
    p.add_argument(
        "--profile",
        metavar="规则",
        help="评分规则：shanghai-municipal（默认，截位）、mof-2020（四舍五入）、whole-number（取整）、whole-number-truncate（截位取整）、"
        "transfer-payment（转移支付，无预算执行分）、JSON 规则文件，或 auto（按各表填写的数字推断：选能重现表上执行率、得分、总分和等级最多的内置规则）；"
        "不指定时采用工作簿中“评分规则”一格，否则用默认规则",
    )
    p.add_argument("--json", action="store_true", help="输出 JSON（供程序使用）")
    p.add_argument(
        "--explain",
        action="store_true",
        help="同时列出每一项读自哪个单元格、依据哪个标签或表头（便于核对工作簿为何这样读取）",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..explain import explain_dict, explain_form
    from ..model import ReadError
    from ..profiles import profile_argument
    from ..report import format_result, result_to_dict
    from ..rules import evaluate
    from ..workers import read_forms_each

    try:
        profile = profile_argument(args.profile)
    except ValueError as exc:
        print(f"perfeval-xl score：{exc}", file=sys.stderr)
        return 2

    results: list[Result] = []
    errors: list[dict] = []
    # each file read in a worker process: one that crashes or hangs its reader is a ReadError too
    for path, forms in read_forms_each(args.paths, explain=args.explain):
        try:
            if isinstance(forms, ReadError):
                raise forms
        except ReadError as exc:
            errors.append({"source": path, "sheet": exc.sheet, "cell": exc.cell, "message": exc.describe()})
            continue
        except Exception as exc:  # never a traceback for one bad input
            errors.append(
                {"source": path, "sheet": None, "cell": None, "message": f"{path}：无法读取（{exc}）"}
            )
            continue
        results.extend(evaluate(form, profile) for form in forms)

    if args.json:
        dicts = [result_to_dict(r) for r in results]
        if args.explain:
            for d, r in zip(dicts, results, strict=True):
                d["read_from"] = explain_dict(r.form)
        payload = {"forms": dicts, "errors": errors}
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for r in results:
            if args.explain:
                print(explain_form(r.form))
                print()
            print(format_result(r))
            print()
        n_err = sum(f.severity == "error" for r in results for f in r.findings)
        print(f"共 {len(results)} 张表单，错误级问题 {n_err} 个，无法读取的文件 {len(errors)} 个。")
    for e in errors:
        print(f"无法读取：{e['message']}", file=sys.stderr)

    if errors:
        return 3 if results else 2  # some inputs unreadable, the others scored; or nothing usable
    return 1 if any(r.has_errors for r in results) else 0

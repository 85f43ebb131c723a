"""xlwings UDFs of the perfeval-xl template: thin wrappers over :mod:`perfeval_xl.rules`.

The template's computed cells call these (``=PE_EXEC_RATE(D6,E6,$B$4)`` …). Every function

* accepts what Excel hands over — floats, strings, ``None`` for empty cells, lists for ranges;
* turns numbers into exact ``Decimal`` through :func:`perfeval_xl.values.to_decimal`;
* returns a float, a short Chinese text, or ``""`` for a blank row — it never raises into Excel;
* uses the rule profile named in the form's 评分规则 cell (blank → the default profile).

The module imports without xlwings (the decorators then do nothing), so the same functions run in
tests, in pycel and in xlwings Lite. It never imports pandas.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

try:  # pragma: no cover - depends on the environment
    import xlwings as xw

    _func = xw.func
    _arg = xw.arg
except ImportError:  # pragma: no cover - exercised where xlwings is absent

    def _func(f=None, **_kw):
        return f if f is not None else (lambda g: g)

    def _arg(*_a, **_kw):
        return lambda g: g


from perfeval_xl import remarks, rules
from perfeval_xl.figures import float_text, to_decimal
from perfeval_xl.labels import FUND_ROWS
from perfeval_xl.model import Form, FundRow, Indicator
from perfeval_xl.profiles import get_profile

__all__ = [
    "PE_BUDGET_POINTS",
    "PE_EXEC_RATE",
    "PE_BUDGET_SCORE",
    "PE_INDICATOR_SCORE",
    "PE_ROW_FINDINGS",
    "PE_TOTAL",
    "PE_GRADE",
    "PE_FORM_FINDINGS",
    "PE_EXEC_RATES",
    "PE_INDICATOR_SCORES",
    "PE_ROWS_FINDINGS",
]


class _Blank(Exception):
    """Raised inside a UDF when its inputs are blank: the cell shows ""."""


def _safe(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Never raise into Excel: blank inputs give "", errors a short Chinese text."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return _excel_value(fn(*args, **kwargs))
        except _Blank:
            return ""
        except Exception as exc:  # noqa: BLE001 - a cell must show text, never a traceback
            text = str(exc).strip() or exc.__class__.__name__
            return f"错误：{text[:60]}"

    return wrapper


#: the longest text an Excel cell holds
EXCEL_TEXT_LIMIT = 32767


def _excel_value(value: Any) -> Any:
    """What a cell can show: a finite number (else a short text saying so), text within Excel's
    32,767 characters (longer text is cut, ending in …)."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return "错误：数值超出 Excel 可表示的范围"
    if isinstance(value, str) and len(value) > EXCEL_TEXT_LIMIT:
        return value[: EXCEL_TEXT_LIMIT - 1] + "…"
    return value


def _is_blank(x: Any) -> bool:
    return x is None or (isinstance(x, str) and not x.strip())


def _num(x: Any) -> Decimal | None:
    """A number cell as Decimal (None when blank or "-")."""
    if _is_blank(x):
        return None
    return to_decimal(x)


def _text(x: Any) -> str:
    """A text cell as str; Excel floats become their shortest decimal text (3.0 -> "3")."""
    if _is_blank(x):
        return ""
    if isinstance(x, bool):
        return "TRUE" if x else "FALSE"
    if isinstance(x, float) and x == x and x not in (float("inf"), float("-inf")):
        return float_text(x)  # at Excel's 15 significant digits
    if isinstance(x, (int, float, Decimal)):
        d = to_decimal(x)
        if d is None:
            return ""
        text = format(d, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(x, _dt.datetime) and x.time() == _dt.time():
        return x.date().isoformat()  # a date cell: 2023-10-15, as a deadline's actual
    if isinstance(x, _dt.date):
        return x.isoformat()
    return str(x).strip()


def _profile(x: Any):
    return get_profile(_text(x) or None)


def _out(d: Decimal) -> float:
    """A Decimal for Excel: a float with at most the decimals the engine produced."""
    return float(d)


def _flatten(x: Any) -> list[Any]:
    if isinstance(x, (list, tuple)):
        out: list[Any] = []
        for item in x:
            out.extend(_flatten(item))
        return out
    return [x]


def _rows(x: Any, width: int) -> list[list[Any]]:
    """A 2-D range as a list of rows of exactly ``width`` cells (xlwings may pass 1-D or scalars)."""
    if not isinstance(x, (list, tuple)):
        x = [x]
    if x and not isinstance(x[0], (list, tuple)):
        x = [x]
    rows = []
    for row in x:
        row = list(row)[:width]
        rows.append(row + [None] * (width - len(row)))
    return rows


def _indicator(target, actual, points, name=None, judgement=None, level1="", level2="", deviation=None):
    return Indicator(
        level1=_text(level1),
        level2=_text(level2),
        name=_text(name),
        target=_text(target),
        actual=_text(actual),
        points=_num(points),
        deviation_reason=_text(deviation),
        judgement=_num(judgement),
    )


# ---- the UDFs -----------------------------------------------------------------------------------


@_func
@_arg("profile", doc="评分规则（可空，默认上海市级）")
@_safe
def PE_BUDGET_POINTS(profile=None):
    """预算执行的分值（分数），由评分规则决定，通常为 10。"""
    return _out(_profile(profile).budget_points)


@_func
@_arg("budget", doc="全年预算数")
@_arg("executed", doc="全年执行数")
@_arg("profile", doc="评分规则（可空，默认上海市级）")
@_safe
def PE_EXEC_RATE(budget, executed, profile=None):
    """执行率（%）= 全年执行数 ÷ 全年预算数 × 100，按评分规则保留两位小数。"""
    annual, spent = _num(budget), _num(executed)
    if annual is None and spent is None:
        raise _Blank
    return _out(rules.execution_rate(annual or Decimal(0), spent or Decimal(0), _profile(profile)))


@_func
@_arg("budget", doc="全年预算数")
@_arg("executed", doc="全年执行数")
@_arg("points", doc="预算执行分值（分数），可空")
@_arg("profile", doc="评分规则（可空，默认上海市级）")
@_safe
def PE_BUDGET_SCORE(budget, executed, points=None, profile=None):
    """预算执行得分 = 执行率 ÷ 100 × 分值，最高为分值。"""
    annual, spent = _num(budget), _num(executed)
    if annual is None and spent is None:
        raise _Blank
    return _out(
        rules.budget_score(annual or Decimal(0), spent or Decimal(0), _num(points), _profile(profile))
    )


@_func
@_arg("target", doc="年度指标值，如 ≥500(家次)")
@_arg("actual", doc="实际完成值，如 430(家次) 或 达成")
@_arg("points", doc="分值")
@_arg("name", doc="三级指标名称（可空；“故障率”等越低越好的指标据此判断方向）")
@_arg("judgement", doc="定性评分（定性指标的评分，可空）")
@_arg("profile", doc="评分规则（可空，默认上海市级）")
@_safe
def PE_INDICATOR_SCORE(target, actual, points, name=None, judgement=None, profile=None):
    """一个三级指标的得分。空行返回空白。"""
    if all(_is_blank(x) for x in (target, actual, points)):
        raise _Blank
    ind = _indicator(target, actual, points, name, judgement)
    if ind.points is None:
        return "缺少分值"
    return _out(rules.score_indicator(ind, _profile(profile)).score)


@_func
@_arg("target", doc="年度指标值")
@_arg("actual", doc="实际完成值")
@_arg("points", doc="分值")
@_arg("name", doc="三级指标名称")
@_arg("judgement", doc="定性评分（可空）")
@_arg("deviation", doc="偏差原因分析")
@_arg("profile", doc="评分规则（可空）")
@_safe
def PE_ROW_FINDINGS(target, actual, points, name=None, judgement=None, deviation=None, profile=None):
    """本行指标的审核提示（如“偏差原因未填写”），没有问题时为空白。"""
    if all(_is_blank(x) for x in (target, actual, points, name)):
        raise _Blank
    ind = _indicator(target, actual, points, name, judgement, deviation=deviation)
    if ind.points is None:
        return "缺少分值"
    prof = _profile(profile)
    form = Form(source="", indicators=[ind])
    result = rules.evaluate(form, prof)
    return remarks.row_remarks(result.findings)


@_func
@_arg("first", doc="预算执行分值或得分")
@_arg("values", doc="各指标的分值或得分（区域）")
@_safe
def PE_TOTAL(first, values=None):
    """合计：精确的十进制求和（空白不计）。有无法计算的单元格时给出提示。"""
    total = Decimal(0)
    seen = False
    for x in _flatten([first, values]):
        if _is_blank(x):
            continue
        try:
            d = to_decimal(x)
        except ValueError:
            return "有无法计算的得分"
        if d is not None:
            total += d
            seen = True
    if not seen:
        raise _Blank
    return _out(total)


@_func
@_arg("total", doc="总分")
@_arg("profile", doc="评分规则（可空）")
@_safe
def PE_GRADE(total, profile=None):
    """评分等级：优 / 良 / 中 / 差。"""
    value = _num(total)
    if value is None:
        raise _Blank
    return rules.grade(value, _profile(profile))


@_func
@_arg("funds", ndim=2, doc="资金区域：名称、年初预算数、全年预算数、全年执行数（4 行）")
@_arg("indicators", ndim=2, doc="指标区域：一级 … 定性评分（9 列）")
@_arg("profile", doc="评分规则（可空）")
@_safe
def PE_FORM_FINDINGS(funds, indicators, profile=None):
    """整表的审核提示：资金合计不符、分值合计不为100、超预算执行、一级指标权重等。"""
    fund_rows = []
    filled = False
    for i, (label, initial, annual, executed) in enumerate(_rows(funds, 4)):
        blank = all(_is_blank(x) for x in (initial, annual, executed))
        filled = filled or not blank
        if blank and i > 0:  # a blank total row stays: the rules take it from the sub-rows, and say so
            continue
        fund_rows.append(
            FundRow(
                label=_text(label) or (FUND_ROWS[i] if i < len(FUND_ROWS) else ""),
                initial=_num(initial),
                annual=_num(annual),
                executed=_num(executed),
            )
        )
    inds: list[Indicator] = []
    level1 = level2 = ""
    for row in _rows(indicators, 9):
        l1, l2, name, target, actual, points, _score, deviation, judgement = row
        if all(_is_blank(x) for x in (name, target, actual, points)):
            continue
        level1 = _text(l1) or level1
        level2 = _text(l2) or level2
        inds.append(_indicator(target, actual, points, name, judgement, level1, level2, deviation))
    if not filled and not inds:
        raise _Blank
    form = Form(source="", funds=fund_rows, indicators=inds)
    result = rules.evaluate(form, _profile(profile))
    return remarks.form_remarks(result.findings)


# ---- array UDFs: one call per column of a sheet ------------------------------------------------------
#
# Entered as legacy array formulas (Ctrl+Shift+Enter) over a whole column of the form, e.g.
# {=PE_INDICATOR_SCORES(D13:D42,E13:E42,F13:F42,C13:C42,I13:I42,$B$4)} in G13:G42: Excel then calls
# Python once for the column instead of once per row (over classic xlwings each call crosses COM).
# Each row's value is exactly the single-cell UDF's (it is computed by it), returned as a column
# (a list of one-element rows, as xlwings fills the calling range).


def _column(x: Any) -> list[Any]:
    """A one-column range as its cells top to bottom (xlwings/pycel give rows of one cell)."""
    return _flatten(x) if isinstance(x, (list, tuple)) else [x]


def _columns(*ranges: Any) -> list[tuple[Any, ...]]:
    """Parallel one-column ranges as rows; shorter ranges (or a single blank cell) are padded with None."""
    cols = [_column(r) for r in ranges]
    height = max(len(c) for c in cols)
    return list(zip(*(c + [None] * (height - len(c)) for c in cols), strict=True))


@_func
@_arg("budgets", ndim=2, doc="全年预算数（一列）")
@_arg("executeds", ndim=2, doc="全年执行数（一列）")
@_arg("profile", doc="评分规则（可空，默认上海市级）")
@_safe
def PE_EXEC_RATES(budgets, executeds, profile=None):
    """每一行的执行率（%），作为数组公式输入整列（Ctrl+Shift+Enter）。"""
    return [[PE_EXEC_RATE(b, e, profile)] for b, e in _columns(budgets, executeds)]


@_func
@_arg("targets", ndim=2, doc="年度指标值（一列）")
@_arg("actuals", ndim=2, doc="实际完成值（一列）")
@_arg("points", ndim=2, doc="分值（一列）")
@_arg("names", ndim=2, doc="三级指标名称（一列，可空）")
@_arg("judgements", ndim=2, doc="定性评分（一列，可空）")
@_arg("profile", doc="评分规则（可空，默认上海市级）")
@_safe
def PE_INDICATOR_SCORES(targets, actuals, points, names=None, judgements=None, profile=None):
    """每个三级指标的得分（空行为空白），作为数组公式输入整列（Ctrl+Shift+Enter）。"""
    rows = _columns(targets, actuals, points, names, judgements)
    return [[PE_INDICATOR_SCORE(t, a, p, n, j, profile)] for t, a, p, n, j in rows]


@_func
@_arg("targets", ndim=2, doc="年度指标值（一列）")
@_arg("actuals", ndim=2, doc="实际完成值（一列）")
@_arg("points", ndim=2, doc="分值（一列）")
@_arg("names", ndim=2, doc="三级指标名称（一列）")
@_arg("judgements", ndim=2, doc="定性评分（一列，可空）")
@_arg("deviations", ndim=2, doc="偏差原因分析（一列）")
@_arg("profile", doc="评分规则（可空）")
@_safe
def PE_ROWS_FINDINGS(targets, actuals, points, names=None, judgements=None, deviations=None, profile=None):
    """每一行指标的审核提示，作为数组公式输入整列（Ctrl+Shift+Enter）。"""
    rows = _columns(targets, actuals, points, names, judgements, deviations)
    return [[PE_ROW_FINDINGS(t, a, p, n, j, d, profile)] for t, a, p, n, j, d in rows]

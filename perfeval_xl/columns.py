"""The output tables of a batch, each column defined once: name, kind, width, whether it is printed,
and how its value is taken from a scored form.

The summary workbook (headers, number formats, widths, print areas), the ``--csv`` and ``--parquet``
files and the API's DataFrames all take their columns from here, so adding a column is one edit in this
file: a :class:`Column` in the table's tuple, at the place it should appear. Printed columns come first
(what a reader needs on paper); technical ones (source file, sheet, codes) follow them, outside the
print area. Standard library only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from . import checks, labels
from .model import Form, Result
from .report import profile_label  # noqa: F401 - used in the column expressions below

Kind = Literal["text", "money", "two", "int"]

SUMMARY_TITLE = "财政项目支出绩效自评汇总"  # the summary workbook's title (how an earlier one is recognised)
MONEY = "万元"  # every amount in the tables is in 万元, whatever the form's own unit
_WAN = Decimal(10000)


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an output table."""

    name: str  # header, also the DataFrame / CSV column name
    kind: Kind = "text"  # number format: money #,##0.00, two 0.00, int 0; text wraps
    width: int = 10  # in character widths of "0" (a Chinese character takes about two)
    printed: bool = True  # inside the print area (printed columns must come first)
    #: the value for a row: a Python expression over the table's arguments (see each table below)
    value: str = ""


@dataclass(frozen=True)
class Table:
    """An output table: its key (API/CSV), sheet name and columns.

    A table built from scored forms names the arguments its columns' ``value`` expressions use
    (``args``, e.g. ``("form", "r", "source")``); :attr:`row` is then one compiled function that builds
    the whole row tuple (one call per row, not one per cell: a batch makes millions of rows).
    """

    key: str
    sheet: str
    columns: tuple[Column, ...]
    args: tuple[str, ...] = ()
    row: Callable[..., tuple] = field(default=tuple, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        flags = [c.printed for c in self.columns]
        if flags != sorted(flags, reverse=True):
            raise ValueError(f"{self.key}: printed columns must come before the technical ones")
        if self.args:
            body = "".join(f"({c.value}), " for c in self.columns)
            row = eval(f"lambda {', '.join(self.args)}: ({body})", globals())  # noqa: S307 - our own text
            object.__setattr__(self, "row", row)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def printed(self) -> int:
        """How many columns (from the first) are printed."""
        return sum(c.printed for c in self.columns)

    def index(self, name: str) -> int:
        return self.names.index(name)


def in_wan(x: Decimal | None, unit: str) -> Decimal | None:
    """An amount of the form's money unit in 万元."""
    if x is None:
        return None
    return x / _WAN if unit == "元" else x


def _unit(form: Form) -> str:
    return form.money_unit or MONEY


def _fund(form: Form, field: str) -> Decimal | None:
    fund = form.total_fund
    return in_wan(getattr(fund, field), _unit(form)) if fund is not None else None


SEVERITY_NAMES = checks.SEVERITY_NAMES
PROBLEM_NAMES = {code: c.meaning for code, c in checks.CODES.items()}  # 问题类型 of each finding code
KIND_NAMES = {"quantitative": "定量", "qualitative": "定性", "unscored": "未计分"}

PROJECT, DEPARTMENT, UNIT, YEAR = labels.PROJECT, labels.DEPARTMENT, labels.UNIT, labels.YEAR
ANNUAL = f"{labels.FUNDS_HEADER[1]}（{MONEY}）"  # 全年预算数（万元）
EXECUTED = f"{labels.FUNDS_HEADER[2]}（{MONEY}）"  # 全年执行数（万元）
RATE = f"{labels.FUNDS_HEADER[4]}（%）"  # 执行率（%）
BUDGET_SCORE = "预算执行得分"
INDICATOR_SCORE = "指标得分"
TOTAL_SCORE = "总分"
GRADE = labels.GRADE
N_FINDINGS = "问题数"
N_ERRORS = "错误级问题数"
TOTAL_POINTS = "总分值"
STATED_TOTAL = "填报总分"
STATED_GRADE = "填报等级"
PROFILE = labels.PROFILE
MONEY_UNIT = "原表金额单位"
FORM_KIND = "表类型"  # 项目支出, 部门整体支出 or 转移支付
SOURCE = "来源文件"
SHEET = "工作表"
INDEX = "序号"
STATED_SCORE = "填报得分"
KIND = "类型"
PLACE = "位置"
SEVERITY = "严重程度"
PROBLEM = "问题类型"
CODE = "代码"
MESSAGE = "说明"
REASON = "原因"
COUNT = "项目数"
MEAN_TOTAL = "平均总分"
BUCKET = "执行率区间"
ALL_DEPARTMENTS = labels.TOTAL  # the last row of the department table: 合计
NO_DEPARTMENT = "（未填）"

# Where the row came from: the same three technical columns end every per-form table.
_SOURCE_COLUMNS = (
    Column(SOURCE, "text", 36, False, "source"),
    Column(SHEET, "text", 14, False, "form.sheet"),
    Column(INDEX, "int", 5, False, "form.index"),
)

#: 汇总: one row per form; values over ``form``, ``r`` (its Result) and ``source``.
FORMS = Table(
    "forms",
    "汇总",
    (
        Column(PROJECT, "text", 28, True, "form.project"),
        Column(DEPARTMENT, "text", 24, True, "form.department"),
        Column(UNIT, "text", 24, True, "form.unit"),
        Column(YEAR, "text", 6, True, "form.year"),
        Column(ANNUAL, "money", 12, True, '_fund(form, "annual")'),
        Column(EXECUTED, "money", 12, True, '_fund(form, "executed")'),
        Column(RATE, "two", 8, True, "r.execution_rate"),
        Column(BUDGET_SCORE, "two", 8, True, "r.budget_score"),
        Column(INDICATOR_SCORE, "two", 8, True, "r.indicator_score"),
        Column(TOTAL_SCORE, "two", 7, True, "r.total_score"),
        Column(GRADE, "text", 6, True, "r.grade"),
        Column(N_FINDINGS, "int", 6, True, "len(r.findings)"),
        Column(N_ERRORS, "int", 7, True, 'sum(f.severity == "error" for f in r.findings)'),
        Column(TOTAL_POINTS, "two", 7, False, "r.total_points"),
        Column(STATED_TOTAL, "two", 8, False, "form.stated_total_score"),
        Column(STATED_GRADE, "text", 8, False, 'form.stated_grade or ""'),
        Column(PROFILE, "text", 20, False, "profile_label(r)"),
        Column(MONEY_UNIT, "text", 8, False, "_unit(form)"),
        Column(FORM_KIND, "text", 10, False, "labels.KIND_NAMES.get(form.kind, form.kind)"),
        *_SOURCE_COLUMNS,
    ),
    ("form", "r", "source"),
)

#: 指标明细: one row per indicator; values over ``form``, ``ir`` (an IndicatorResult), ``ind`` (its
#: Indicator) and ``source``.
INDICATORS = Table(
    "indicators",
    "指标明细",
    (
        Column(PROJECT, "text", 20, True, "form.project"),
        Column(labels.LEVEL1, "text", 10, True, "ind.level1"),
        Column(labels.LEVEL2, "text", 12, True, "ind.level2"),
        Column(labels.LEVEL3, "text", 24, True, "ind.name"),
        Column(labels.TARGET, "text", 14, True, "ind.target"),
        Column(labels.ACTUAL, "text", 14, True, "ind.actual"),
        Column(labels.POINTS, "two", 6, True, "ind.points"),
        Column(labels.SCORE, "two", 6, True, "ir.score"),
        Column(STATED_SCORE, "two", 8, True, "ind.stated_score"),
        Column(KIND, "text", 6, True, "KIND_NAMES.get(ir.kind, ir.kind)"),
        Column(labels.DEVIATION, "text", 24, True, "ind.deviation_reason"),
        *_SOURCE_COLUMNS,
    ),
    ("form", "ir", "ind", "source"),
)

#: 问题清单: one row per finding; values over ``form``, ``f`` (a Finding) and ``source``.
FINDINGS = Table(
    "findings",
    "问题清单",
    (
        Column(PROJECT, "text", 20, True, "form.project"),
        Column(PLACE, "text", 16, True, "f.where"),
        Column(SEVERITY, "text", 6, True, "SEVERITY_NAMES.get(f.severity, f.severity)"),
        Column(PROBLEM, "text", 22, True, "PROBLEM_NAMES.get(f.code, f.code)"),
        Column(MESSAGE, "text", 60, True, "f.message"),
        Column(CODE, "text", 16, False, "f.code"),
        *_SOURCE_COLUMNS,
    ),
    ("form", "f", "source"),
)

#: 错误: one row per input (or sheet) that could not be read: rows ``(source, sheet, reason)`` as made
#: by the batch (no form to take them from).
ERRORS = Table(
    "errors",
    "错误",
    (Column(SOURCE, "text", 40), Column(SHEET, "text", 14), Column(REASON, "text", 60)),
)

#: 按主管部门: one row per department, then 合计 (built from exact sums, see aggregates.Aggregates).
DEPARTMENTS = Table(
    "departments",
    "按主管部门",
    (
        Column(DEPARTMENT, "text", 24),
        Column(COUNT, "int", 6),
        *(Column(g, "int", 5) for g in labels.GRADES),
        Column(MEAN_TOTAL, "two", 8),
        Column(ANNUAL, "money", 12),
        Column(EXECUTED, "money", 12),
        Column(RATE, "two", 8),
    ),
)

#: the execution-rate distribution (below the department table and in its own CSV/Parquet file)
BUCKETS = Table("rate_buckets", "执行率分布", (Column(BUCKET, "text", 12), Column(COUNT, "int", 6)))

#: execution-rate buckets: (label, lower bound inclusive); a rate falls in the last bucket whose bound it reaches
RATE_BUCKETS = (
    ("低于60%", Decimal("-Infinity")),
    ("60%–80%", Decimal(60)),
    ("80%–90%", Decimal(80)),
    ("90%–100%", Decimal(90)),
    ("100%", Decimal(100)),
    ("超过100%", Decimal("100.01")),  # rates carry two decimals
)

#: every table by key, in the order the API and the files list them
TABLES = {t.key: t for t in (FORMS, INDICATORS, FINDINGS, ERRORS, DEPARTMENTS, BUCKETS)}
#: table key -> column names (the CSV headers, the DataFrames' columns)
COLUMNS = {key: table.names for key, table in TABLES.items()}
#: the tables whose rows are streamed from the workers (one row per form, indicator, finding, error)
STREAMED = ("forms", "indicators", "findings", "errors")


def form_rows(form: Form, result: Result, source: str) -> tuple[tuple, list[tuple], list[tuple]]:
    """A scored form's rows: its 汇总 row, its 指标明细 rows and its 问题清单 rows."""
    indicator_row, finding_row = INDICATORS.row, FINDINGS.row
    return (
        FORMS.row(form, result, source),
        [indicator_row(form, ir, ir.indicator, source) for ir in result.indicators],
        [finding_row(form, f, source) for f in result.findings],
    )

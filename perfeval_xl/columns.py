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
from typing import Any, Literal

from . import checks, labels
from .model import Form, Result
from .profiles import find_profile
from .report import profile_label

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
    #: the value for a row; its arguments depend on the table (see each table below)
    get: Callable[..., Any] | None = None


@dataclass(frozen=True)
class Table:
    """An output table: its key (API/CSV), sheet name, file name and columns."""

    key: str
    sheet: str
    columns: tuple[Column, ...]
    _getters: tuple[Callable[..., Any], ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        flags = [c.printed for c in self.columns]
        if flags != sorted(flags, reverse=True):
            raise ValueError(f"{self.key}: printed columns must come before the technical ones")
        if any(c.get is None for c in self.columns) and any(c.get is not None for c in self.columns):
            raise ValueError(f"{self.key}: every column or none takes its value from a form")
        object.__setattr__(self, "_getters", tuple(c.get for c in self.columns if c.get is not None))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def printed(self) -> int:
        """How many columns (from the first) are printed."""
        return sum(c.printed for c in self.columns)

    def index(self, name: str) -> int:
        return self.names.index(name)

    def row(self, *args: Any) -> tuple:
        """One row: every column's ``get`` applied to ``args``."""
        return tuple([get(*args) for get in self._getters])


def in_wan(x: Decimal | None, unit: str) -> Decimal | None:
    """An amount of the form's money unit in 万元."""
    if x is None:
        return None
    return x / _WAN if unit == "元" else x


def profile_title(name: str) -> str:
    """A rule profile's Chinese name (上海市级（截位）) for the tables; a profile file keeps its name."""
    profile = find_profile(name)
    return profile.title if profile is not None else name


def _unit(form: Form) -> str:
    return form.money_unit or MONEY


def _fund(form: Form, field: str) -> Decimal | None:
    fund = form.total_fund
    return in_wan(getattr(fund, field), _unit(form)) if fund is not None else None


SEVERITY_NAMES = checks.SEVERITY_NAMES
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
# Their ``get`` takes (form, ..., source) like the table's other columns.
_SOURCE_COLUMNS = (
    Column(SOURCE, "text", 36, False, lambda form, _x, source: source),
    Column(SHEET, "text", 14, False, lambda form, _x, source: form.sheet),
    Column(INDEX, "int", 5, False, lambda form, _x, source: form.index),
)

#: 汇总: one row per form. ``get(form, result, source)``.
FORMS = Table(
    "forms",
    "汇总",
    (
        Column(PROJECT, "text", 28, True, lambda form, r, s: form.project),
        Column(DEPARTMENT, "text", 24, True, lambda form, r, s: form.department),
        Column(UNIT, "text", 24, True, lambda form, r, s: form.unit),
        Column(YEAR, "text", 6, True, lambda form, r, s: form.year),
        Column(ANNUAL, "money", 12, True, lambda form, r, s: _fund(form, "annual")),
        Column(EXECUTED, "money", 12, True, lambda form, r, s: _fund(form, "executed")),
        Column(RATE, "two", 8, True, lambda form, r, s: r.execution_rate),
        Column(BUDGET_SCORE, "two", 8, True, lambda form, r, s: r.budget_score),
        Column(INDICATOR_SCORE, "two", 8, True, lambda form, r, s: r.indicator_score),
        Column(TOTAL_SCORE, "two", 7, True, lambda form, r, s: r.total_score),
        Column(GRADE, "text", 6, True, lambda form, r, s: r.grade),
        Column(N_FINDINGS, "int", 6, True, lambda form, r, s: len(r.findings)),
        Column(N_ERRORS, "int", 7, True, lambda form, r, s: sum(f.severity == "error" for f in r.findings)),
        Column(TOTAL_POINTS, "two", 7, False, lambda form, r, s: r.total_points),
        Column(STATED_TOTAL, "two", 8, False, lambda form, r, s: form.stated_total_score),
        Column(STATED_GRADE, "text", 8, False, lambda form, r, s: form.stated_grade or ""),
        Column(PROFILE, "text", 20, False, lambda form, r, s: profile_label(r)),
        Column(MONEY_UNIT, "text", 8, False, lambda form, r, s: _unit(form)),
        *_SOURCE_COLUMNS,
    ),
)

#: 指标明细: one row per indicator. ``get(form, indicator_result, source)``.
INDICATORS = Table(
    "indicators",
    "指标明细",
    (
        Column(PROJECT, "text", 20, True, lambda form, ir, s: form.project),
        Column(labels.LEVEL1, "text", 10, True, lambda form, ir, s: ir.indicator.level1),
        Column(labels.LEVEL2, "text", 12, True, lambda form, ir, s: ir.indicator.level2),
        Column(labels.LEVEL3, "text", 24, True, lambda form, ir, s: ir.indicator.name),
        Column(labels.TARGET, "text", 14, True, lambda form, ir, s: ir.indicator.target),
        Column(labels.ACTUAL, "text", 14, True, lambda form, ir, s: ir.indicator.actual),
        Column(labels.POINTS, "two", 6, True, lambda form, ir, s: ir.indicator.points),
        Column(labels.SCORE, "two", 6, True, lambda form, ir, s: ir.score),
        Column(STATED_SCORE, "two", 8, True, lambda form, ir, s: ir.indicator.stated_score),
        Column(KIND, "text", 6, True, lambda form, ir, s: KIND_NAMES.get(ir.kind, ir.kind)),
        Column(labels.DEVIATION, "text", 24, True, lambda form, ir, s: ir.indicator.deviation_reason),
        *_SOURCE_COLUMNS,
    ),
)

#: 问题清单: one row per finding. ``get(form, finding, source)``.
FINDINGS = Table(
    "findings",
    "问题清单",
    (
        Column(PROJECT, "text", 20, True, lambda form, f, s: form.project),
        Column(PLACE, "text", 16, True, lambda form, f, s: f.where),
        Column(SEVERITY, "text", 6, True, lambda form, f, s: SEVERITY_NAMES.get(f.severity, f.severity)),
        Column(PROBLEM, "text", 22, True, lambda form, f, s: checks.CODES.get(f.code, ("", f.code))[1]),
        Column(MESSAGE, "text", 60, True, lambda form, f, s: f.message),
        Column(CODE, "text", 16, False, lambda form, f, s: f.code),
        *_SOURCE_COLUMNS,
    ),
)

#: 错误: one row per input (or sheet) that could not be read: rows ``(source, sheet, reason)`` as made
#: by the batch (no form to take them from).
ERRORS = Table(
    "errors",
    "错误",
    (Column(SOURCE, "text", 40), Column(SHEET, "text", 14), Column(REASON, "text", 60)),
)

#: 按主管部门: one row per department, then 合计 (built from exact sums, see batch.Aggregates).
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
#: the tables whose rows are streamed from the workers (one row per form, indicator, finding, error)
STREAMED = ("forms", "indicators", "findings", "errors")


def form_rows(form: Form, result: Result, source: str) -> tuple[tuple, list[tuple], list[tuple]]:
    """A scored form's rows: its 汇总 row, its 指标明细 rows and its 问题清单 rows."""
    return (
        FORMS.row(form, result, source),
        [INDICATORS.row(form, ind, source) for ind in result.indicators],
        [FINDINGS.row(form, f, source) for f in result.findings],
    )

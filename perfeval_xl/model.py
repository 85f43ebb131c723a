"""The data a form holds and the result of scoring it. Standard library only.

A :class:`Form` is what the reader found on the page, as written: texts stay texts, numbers are
:class:`~decimal.Decimal` exactly as written. Nothing here computes; :mod:`perfeval_xl.rules` does.
The ``stated_*`` fields keep what the form itself claims (its 执行率, 得分, 总分, 评分等级) so that the
checks can compare them with the computed numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from .labels import FUND_TOTAL

Severity = Literal["error", "warning", "info"]


@dataclass(slots=True)
class FundRow:
    """One row of the 项目资金 block (年度资金总额, 其中：当年财政拨款, 上年结转资金 or 其他资金)."""

    label: str
    initial: Decimal | None = None  # 年初预算数
    annual: Decimal | None = None  # 全年预算数
    executed: Decimal | None = None  # 全年执行数
    stated_points: Decimal | None = None  # 分数 (10.00 on the total row, "-" elsewhere)
    stated_rate: Decimal | None = None  # 执行率 as the form shows it
    stated_score: Decimal | None = None  # 得分 as the form shows it (total row only)
    ref: str = ""  # where the row is, e.g. "第6行" or "B6:H6"


@dataclass(slots=True)
class Breakdown:
    """The department-wide form's budget by income or by expenditure (按收入性质分 / 按支出性质分), each
    amount written in its label's cell (``其他资金:585.62``): the side's stated total (None when not
    written) and its parts (None: blank). ``readable`` is False when an amount is no plain number in the
    form's money unit: the side is then not checked."""

    side: str
    stated: Decimal | None
    parts: list[tuple[str, Decimal | None, str]]  # (label, amount, cell)
    ref: str
    readable: bool = True


@dataclass(slots=True)
class Indicator:
    """One 三级指标 row of the 绩效指标 block."""

    level1: str
    level2: str
    name: str  # 三级指标
    target: str  # 年度指标值, as written
    actual: str  # 实际完成值, as written
    points: Decimal | None  # 分值
    stated_score: Decimal | None = None  # 得分 as the form shows it
    deviation_reason: str = ""  # 偏差原因分析
    judgement: Decimal | None = None  # reviewer's score for a qualitative indicator, if the form gives one
    ref: str = ""
    #: the row has no 得分 of its own: one 得分 cell (merged) covers it and the rows above it in the same
    #: 二级指标 (forms that state points only per 一级指标, see :mod:`perfeval_xl.grouppoints`)
    shares_score: bool = False
    #: which goal block of the indicator table the row is in (1, 2 … : 年度绩效目标1, 年度绩效目标2)
    block: int = 1
    #: the 1-based sheet row (or text line) it was read from; None for an indicator built in code
    #: (where it stands, not what it says: not compared)
    row: int | None = field(default=None, compare=False)
    #: ``shares_score`` is the reader's inference, not a fact of the file: the row's 得分 cell is blank
    #: in a source that records no merged cells (a text export, ods), where a merged cell's remainder
    #: and a cell left blank look the same (the rules say so in a ``score-merge-assumed`` finding)
    shares_assumed: bool = False


@dataclass(slots=True)
class Form:
    """One self-evaluation form as found in a source (file + sheet + position)."""

    source: str  # file name as given
    sheet: str | None = None  # sheet name; None for text and HTML exports
    index: int = 1  # 1-based position of the form within its source
    title: str = ""
    project: str = ""  # 项目名称
    department: str = ""  # 主管部门
    unit: str = ""  # 实施单位
    year: str = ""  # 年度, when the form gives it
    money_unit: str = "万元"
    funds: list[FundRow] = field(default_factory=list)
    goal_expected: str = ""  # 年度总体目标 / 预期目标
    goal_actual: str = ""  # 年度总体目标 / 实际完成情况
    indicators: list[Indicator] = field(default_factory=list)
    stated_total_points: Decimal | None = None
    stated_total_score: Decimal | None = None
    stated_grade: str | None = None
    profile: str | None = None  # rule profile the workbook names (template's 评分规则 cell)
    kind: str = "project"  # "project" 项目支出, "department" 部门整体支出, "transfer" 转移支付
    #: 一级指标 -> its points as the form states them in the label (产出指标(60分)), read only when the
    #: indicator table has no 分值 column; the rules then derive each indicator's points from them
    level1_points: dict[str, Decimal] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # field -> cell reference, for messages
    headers: dict[str, str] = field(default_factory=dict, compare=False)  # field -> label/header text read by
    #: the department-wide form's budget breakdown under 年度资金总额 (see :class:`Breakdown`)
    breakdowns: list[Breakdown] = field(default_factory=list)
    #: what the reader noticed around the form and did not read (rows above it that belong to no
    #: form), as findings the rules add to the result's
    notes: list[Finding] = field(default_factory=list)

    def fund(self, label: str) -> FundRow | None:
        """The fund row with this label, or None."""
        for row in self.funds:
            if row.label == label:
                return row
        return None

    @property
    def total_fund(self) -> FundRow | None:
        """The 年度资金总额 row (the first fund row when the form labels it differently)."""
        return self.fund(FUND_TOTAL) or (self.funds[0] if self.funds else None)

    @property
    def location(self) -> str:
        """Human-readable place of the form: ``file``, ``file [sheet]``, plus ``#n`` when several."""
        place = self.source if self.sheet is None else f"{self.source} [{self.sheet}]"
        return f"{place} #{self.index}"


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem a reviewer would raise, with a stable ``code`` and a Chinese ``message``."""

    severity: Severity
    code: str
    where: str  # the indicator's 三级指标 name, or a field such as 执行率 / 总分
    message: str


@dataclass(slots=True)
class FundResult:
    row: FundRow
    execution_rate: Decimal  # percent, rounded by the profile


@dataclass(slots=True)
class IndicatorResult:
    indicator: Indicator
    score: Decimal
    kind: Literal["quantitative", "qualitative", "unscored"]
    direction: str | None = None  # ">=", ">", "<=", "<", "=" for quantitative indicators
    findings: list[Finding] = field(default_factory=list)


@dataclass(slots=True)
class Result:
    """The computed numbers of one form under one profile. All numbers are ``Decimal``."""

    form: Form
    profile: str
    funds: list[FundResult]
    execution_rate: Decimal
    budget_points: Decimal
    budget_score: Decimal
    indicators: list[IndicatorResult]
    indicator_points: Decimal
    indicator_score: Decimal
    total_points: Decimal
    total_score: Decimal
    grade: str
    findings: list[Finding] = field(default_factory=list)
    profile_inferred: bool = False  # ``profile`` was chosen by ``--profile auto`` (rules.infer_profile)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)


class ReadError(Exception):
    """An input that cannot be read as forms. The message is Chinese and names file, sheet and cell."""

    def __init__(self, source: str, message: str, sheet: str | None = None, cell: str | None = None):
        self.source = source
        self.sheet = sheet
        self.cell = cell
        self.reason = message
        super().__init__(self.describe())

    def describe(self) -> str:
        place = self.source
        if self.sheet:
            place += f"，工作表“{self.sheet}”"
        if self.cell:
            place += f"，{self.cell}"
        return f"{place}：{self.reason}"

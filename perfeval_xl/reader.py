"""The one label-anchored reader: any grid of cells to :class:`~perfeval_xl.model.Form` objects.

Nothing here relies on fixed coordinates or on one province's wording. The reader finds every name
label (项目名称, 部门名称, 专项名称 … -- the vocabulary is data in :mod:`perfeval_xl.labels`), takes
the rows down to the next form's name label as that form's region, and inside it finds the form's own
labels: the header fields, the funds block (项目资金, 资金情况, 预算资金 …) and its column header,
年度总体目标, the indicator header and its rows, the totals row and the grade. Columns are mapped by
their headers (:mod:`perfeval_xl.headers`), one- or two-row, in every block.

It never guesses: a header naming a field twice, fund figures that fit their header no single way, a
fund row the vocabulary does not know, a figure of the wrong kind (a rate or a money unit where
points belong, points over 100) or a figure beside the totals columns stops that form with a
:class:`~perfeval_xl.model.ReadError` naming file, sheet and cell.

``Form.refs`` maps field keys to cell references (``Form.headers`` the same keys to the label or
header text they were read by):

- ``title``, ``project``, ``department``, ``unit``, ``year``, ``profile``: the value cells
  (``label.<field>``: the label cells); ``kind``: the cell that decided the form kind;
- ``funds`` (the block title), ``funds.header``, ``funds.col.<field>`` (each column's header cell),
  ``funds.<label>`` (the row) and ``funds.<label>.<field>`` with field one of ``initial annual
  executed stated_points stated_rate stated_score`` (e.g. ``funds.年度资金总额.executed``);
  ``budget_points`` when the budget's points come from a header or title, or from the form kind;
- ``goal_expected``, ``goal_actual``;
- ``indicators``: the indicator header row, ``indicators.col.<field>`` (each Indicator.ref names its
  own row; with ``explain=True`` also ``indicators.<i>.<field>`` for each cell read);
- ``total``, ``total_points``, ``total_score``, ``grade`` (``label.grade``).
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Literal, TypeVar

from . import grouppoints
from . import labels as L
from .grid import Grid, load_grids
from .headers import MAX_LABEL as _MAX_LABEL
from .headers import Column, HeaderError, header_key, is_second_row, key, key_of, lookup, map_columns
from .headers import header_key_of as _header_key_of
from .model import Form, FundRow, Indicator, ReadError
from .text import html_to_text
from .values import float_text, to_decimal
from .xlsxcells import CellProblem

FormErrorHandler = Callable[[ReadError], None]

_key, _key_of, _header_key = key, key_of, header_key
_PAREN_SUFFIX = re.compile(r"（[^（）]*）$")
#: what a computed cell may show instead of a number: Excel's error values, and the native
#: template's 核对 (its formula cannot follow the rules there); such a cell states nothing
_EXCEL_ERRORS = frozenset(
    {"#NAME?", "#VALUE!", "#DIV/0!", "#N/A", "#REF!", "#NUM!", "#NULL!", "#GETTING_DATA", L.CHECK}
)
_INFINITIES = (float("inf"), float("-inf"))
_PLACEHOLDERS = frozenset(L.EMPTY_MARKS)  # what a form writes where no number belongs
_ROW_PLACEHOLDERS = frozenset(L.PLACEHOLDER_CELLS) | _PLACEHOLDERS
_POINTS_IN = re.compile(r"[（(]?\s*(\d+(?:\.\d+)?)\s*分")  # 得分(20分*执行率), 预算执行情况(20分)
_YEAR_IN_TITLE = re.compile(L.YEAR_IN_TITLE)
_LEVEL1_WEIGHT = re.compile(L.LEVEL1_WEIGHT + "$")
_WEIGHT_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NUMBERED_NAME = re.compile(L.NUMBERED_NAME)

# ------------------------------------------------------------------ the vocabulary, as lookups

#: label key -> the role the first pass indexes it under
_ROLES: dict[str, str] = {}
for _word in L.NAME_LABELS:
    _ROLES[_key_of(_word)] = "name"
for _field, _words in L.HEADER_FIELD_LABELS.items():
    for _word in _words:
        _ROLES[_key_of(_word)] = _field
_ROLES[_key_of(L.GOALS)] = "goals"
for _word in L.GOAL_EXPECTED_LABELS:
    _ROLES[_key_of(_word)] = "goal_expected"
for _word in L.GOAL_ACTUAL_LABELS:
    _ROLES[_key_of(_word)] = "goal_actual"
for _word in L.INDICATOR_FIELD_LABELS["name"]:
    _ROLES[_key_of(_word)] = "indicators"  # the indicator header is found by its 三级指标 cell
for _word in L.TOTAL_LABELS:
    _ROLES[_key_of(_word)] = "total"
for _word in L.GRADE_LABELS:
    _ROLES[_key_of(_word)] = "grade"
for _word in L.HEADER_TOTAL_LABELS:
    _ROLES[_key_of(_word)] = "header_total"

_UNIT_LINE = tuple(_key_of(w) + "：" for w in L.MONEY_UNIT_LABELS)
_NAME_KINDS = {_key_of(w): kind for w, kind in L.NAME_LABELS.items()}
_FUND_FIELDS = lookup(L.FUND_FIELD_LABELS)  # header key -> FundRow attribute
_FUND_KNOWN = frozenset(_header_key_of(w) for w in (*L.FUND_IGNORED_HEADERS, *L.TOTAL_LABELS))
_IND_FIELDS = lookup(L.INDICATOR_FIELD_LABELS)  # header key -> Indicator field
_IND_PARTS = {"target": {_header_key_of(w): part for w, part in L.TARGET_PARTS.items()}}
_IND_KNOWN = frozenset(_header_key_of(w) for w in (*L.INDICATOR_IGNORED_HEADERS, *L.SECTION_TITLES))
_FUND_ALIASES = {_key_of(w): label for label, words in L.FUND_ROW_LABELS.items() for w in words}
_FUND_ALIASES.update({_key_of(w): w for w in L.FUND_EXTRA_ROWS})
_FUNDS_TITLES = tuple(_key_of(w) for w in L.FUNDS_TITLES)
_TOTAL_KEYS = frozenset(_key_of(w) for w in L.TOTAL_LABELS)
_GRADE_WORDS = {_key_of(w): g for w, g in L.GRADE_WORDS.items()}
#: A label and its value in one cell: 总分：83, 自评等级：优 (keys: whitespace gone, ： full-width).
_INLINE_TOTAL = re.compile(
    "(" + "|".join(map(re.escape, sorted(_TOTAL_KEYS, key=len, reverse=True))) + r")：?(\d+(?:\.\d+)?)分?"
)
#: A total label carrying the total points: 总分(100分) (the figure beside it is then the stated 总分).
_TOTAL_WITH_POINTS = re.compile(
    "(" + "|".join(map(re.escape, sorted(_TOTAL_KEYS, key=len, reverse=True))) + r")（(\d+(?:\.\d+)?)分?）"
)
_INLINE_GRADE = re.compile(
    "("
    + "|".join(re.escape(_key_of(w)) for w in sorted(L.GRADE_LABELS, key=len, reverse=True))
    + ")：?("
    + "|".join(map(re.escape, sorted(_GRADE_WORDS, key=len, reverse=True)))
    + ")"
)

#: Any cell with one of these keys is a label, never a header field's value.
_ALL_LABELS = frozenset(
    {
        *_ROLES,
        *_FUND_FIELDS,
        *_IND_FIELDS,
        *_FUND_ALIASES,
        *(_key_of(w) for w in L.FUND_ROWS),
        *(_key_of(w) for w in (*L.FUNDS_HEADER, *L.INDICATOR_HEADER, L.JUDGEMENT, L.REMARKS)),
        *(_key_of(w) for w in (*L.SECTION_TITLES, *L.FUND_IGNORED_HEADERS, *L.INDICATOR_IGNORED_HEADERS)),
        *(_key_of(w) for w in ("指标性质", "度量单位", "计量单位")),
    }
)
_STATED_FUND_FIELDS = frozenset({"stated_points", "stated_rate", "stated_score"})
_FUND_ATTRS = ("initial", "annual", "executed", "stated_points", "stated_rate", "stated_score")
_FUND_WHAT = {  # field -> the official header, for messages
    "initial": L.FUNDS_HEADER[0],
    "annual": L.FUNDS_HEADER[1],
    "executed": L.FUNDS_HEADER[2],
    "stated_points": L.FUNDS_HEADER[3],
    "stated_rate": L.FUNDS_HEADER[4],
    "stated_score": L.FUNDS_HEADER[5],
}
_IND_WHAT = dict(zip(("level1", "level2", "name", "target", "actual", "points", "stated_score", "deviation"),
                     L.INDICATOR_HEADER, strict=True))  # fmt: skip
_IND_WHAT["judgement"] = L.JUDGEMENT


def _is_label(value: object) -> bool:
    """A cell that is some label of the vocabulary (never a header field's value)."""
    k = _key(value)
    return bool(k) and (k in _ALL_LABELS or _header_key_of(k) in _ALL_LABELS)


@functools.lru_cache(maxsize=4096)
def _fund_label_of(value: str) -> str | None:
    """The canonical label of a fund row label cell: 其中：本年财政拨款 -> 其中：当年财政拨款; a
    "其中：…" sub-row not in the vocabulary keeps its own name; anything else is None."""
    k = _key_of(value)
    if not k:
        return None
    sub = False
    if k.startswith("其中："):
        k, sub = k[3:], True
    elif k.startswith("其中"):
        k, sub = k[2:], True
    k = _PAREN_SUFFIX.sub("", k)
    label = _FUND_ALIASES.get(k)
    if label is None and sub and k and not _HAS_FIGURE.search(k):
        return k  # 其中：中央、省、市补助县级资金 (not 其中：一般公共预算：1873.66万元)
    return label


_HAS_FIGURE = re.compile(r"[\d：]")


def _funds_title(k: str) -> bool:
    for t in _FUNDS_TITLES:
        if k.startswith(t) and (len(k) == len(t) or k[len(t)] == "（"):
            return True
    return False


def _is_title(value: object) -> bool:
    if not isinstance(value, str) or len(value) > 60:
        return False
    s = _key_of(value)
    return (
        "绩效" in s
        and ("评价" in s or "自评" in s)
        and _ROLES.get(s) != "name"
        and not s.startswith(L.PROJECT)
    )


def cell_text(value: object) -> str:
    """A cell as text, the way a person would read it (3.0 -> "3", 0.5 -> "0.5")."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return float_text(value)  # at Excel's 15 significant digits: 0.1+0.2 reads "0.3"
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return str(value).strip()


@functools.lru_cache(maxsize=8192, typed=True)
def _decimal_of(value: str | float):
    """to_decimal, cached: forms repeat the same few numbers ("0.00", "10.00", "-", 5.0)."""
    return to_decimal(value)


_SLOW = object()  # _quick's "ask number()": blank (maybe a formula), text that is not a plain number


def _quick(v: object):
    """A plain number cell (float, or text such as "758.11", "-") as a Decimal or None, through the
    cache; ``_SLOW`` for anything :meth:`_FormReader.number` must look at."""
    c = v.__class__
    if c is float:
        if v == v and v not in _INFINITIES:
            return _decimal_of(v)
    elif type(v) is str and v and len(v) <= 40:
        try:
            return _decimal_of(v)
        except (ValueError, TypeError, ArithmeticError):
            pass
    return _SLOW


def _plain_float(v: object) -> bool:
    """A finite float cell: read through the cache, no checks needed."""
    return v.__class__ is float and v == v and v not in _INFINITIES


def _text_of(value: object) -> str:
    return value.strip() if value.__class__ is str else cell_text(value)


def _indicator_what(name: str) -> str:
    """The start of a message about an indicator's cell: 指标“name”的."""
    return f"指标“{name}”的" if name else "指标的"


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _FormReader:
    """Reads the form whose name label (项目名称, 部门名称, 专项名称 …) is at (r0, c0); its region
    ends before row r1."""

    def __init__(
        self,
        grid: Grid,
        index: int,
        r0: int,
        c0: int,
        r1: int,
        found: dict,
        titles: list,
        fund_rows: dict[int, tuple[int, str]],
    ):
        self.g = grid
        self.r0, self.c0, self.r1 = r0, c0, r1
        self.found = found
        self.titles = titles
        self.fund_rows = fund_rows
        self.form = Form(source=grid.source, sheet=grid.sheet, index=index)
        self.refs = self.form.refs
        self.headers = self.form.headers

    lo_title = 0
    nameless: frozenset[tuple[int, int]] = frozenset()  # starts that are funds blocks, not name labels
    lean = False
    explain = False

    # ---------------------------------------------------------------- helpers

    def error(self, message: str, r: int | None = None, c: int | None = None) -> ReadError:
        cell = None
        if r is not None:
            cell = self.g.ref(r, c) if c is not None else self.g.row_ref(r)
        where = f"第{self.form.index}张表（{self.form.project}）" if self.form.project else ""
        return ReadError(self.g.source, f"{where}{message}" if where else message, self.g.sheet, cell)

    def positions(self, label: str, lo: int | None = None, hi: int | None = None) -> list[tuple[int, int]]:
        lo = self.r0 if lo is None else lo
        hi = self.r1 if hi is None else hi
        return [(r, c) for r, c in self.found.get(label, ()) if lo <= r < hi]

    def first(self, label: str, lo: int | None = None, hi: int | None = None) -> tuple[int, int] | None:
        pos = self.positions(label, lo, hi)
        return pos[0] if pos else None

    def right_value(self, r: int, c: int) -> tuple[object, int | None]:
        """First non-blank cell right of (r, c), unless that is another label."""
        row = self.g.rows[r] if 0 <= r < len(self.g.rows) else []
        for cc in range(c + 1, len(row)):
            v = row[cc]
            if _blank(v):
                continue
            if _is_label(v):
                return None, None
            return v, cc
        return None, None

    def text(self, r: int, c: int | None) -> str:
        return cell_text(self.g.cell(r, c)) if c is not None else ""

    def number(
        self,
        r: int,
        c: int | None,
        what: str | tuple[str, str],
        stated: bool = False,
        percent: bool = False,
        unit: str | None = None,
        points: bool = False,
        formula_ok: bool = False,
    ):
        """The cell as a Decimal (None when blank or "-"); text raises ReadError naming the cell.

        ``stated`` cells (what the form computes: 执行率, 得分 …) read an Excel error value as blank.
        ``percent``: a trailing % is dropped (a rate is read in percent: "86.19%" is 86.19).
        ``unit``: a money amount; a money unit in the cell must be this one ("4753.66万元").
        ``points``: 分值/权重 (a trailing 分 or %, "20%" meaning 20 points).
        """
        if c is None:
            return None
        v = self.g.cell(r, c)
        if v is None:
            v = self.blank_value(r, c, what, stated, formula_ok)
            if v is None:
                return None
        if v.__class__ is float:
            try:
                return _decimal_of(v)
            except (ValueError, TypeError, ArithmeticError):
                pass  # nan, inf: the message below
        if v.__class__ is str:
            s = v.strip()
            if s in _PLACEHOLDERS:
                return None
            if s.upper() in _EXCEL_ERRORS:
                if stated:
                    return None
                raise self.error(
                    f"{''.join(what) if isinstance(what, tuple) else what}单元格为错误值 {s}", r, c
                )
            if s.endswith(("%", "％")):
                if not (percent or points):
                    raise self.error(f"{''.join(what)}应为金额，单元格中是百分数“{s[:30]}”", r, c)
                s = s[:-1].strip()
            elif points and s.endswith("分"):
                s = s[:-1].strip()
            elif s.endswith(("元", "万")):
                written = "万元" if s.endswith(("万元", "万")) else "元"
                if unit is None:
                    raise self.error(f"{''.join(what)}不应是金额，单元格中是“{s[:30]}”", r, c)
                if written != unit:
                    raise self.error(
                        f"{''.join(what)}的单位“{written}”与表头的“{unit}”不一致（“{s[:30]}”）", r, c
                    )
                s = s[: -(len(written) if s.endswith(written) else 1)].strip()
            v = s
            if len(s) <= 40:
                try:
                    return _decimal_of(s)
                except (ValueError, TypeError, ArithmeticError):
                    pass  # fall through to the message below
        try:
            return to_decimal(v)
        except (ValueError, TypeError, ArithmeticError):
            if isinstance(what, tuple):  # (prefix, field): the message is built only when needed
                what = "".join(what)
            shown = cell_text(v)
            if len(shown) > 30:
                shown = shown[:30] + "…"
            raise self.error(f"{what}应为数字，单元格中是“{shown}”", r, c) from None

    def blank_value(
        self, r: int, c: int, what: str | tuple[str, str], stated: bool = False, formula_ok: bool = False
    ) -> object:
        """A cell the form needs that reads as blank may hide an Excel error value or a formula without
        a cached value (see :meth:`Grid.resolve`): the evaluated value, or None when blank indeed.
        An input cell that holds an error or an unevaluable formula stops the form, naming the cell;
        a ``stated`` cell (执行率, 得分 … which the tool computes itself) then reads as not stated, and
        so does a ``formula_ok`` cell holding a formula (not an error value): the template's 分数 is
        ``=PE_BUDGET_POINTS(评分规则)``, whose value the profile gives anyway."""
        try:
            return self.g.resolve(r, c)
        except CellProblem as exc:
            if stated or (formula_ok and exc.error is None):
                return None
            if isinstance(what, tuple):
                what = "".join(what)
            raise self.error(f"{what}{exc.reason}", r, c) from None

    def in_range(self, value, r: int, c: int, what: str, hi: int = 100):
        """A points or score figure must lie in 0..hi: anything else is a column read wrongly."""
        if value is not None and not (0 <= value <= hi):
            raise self.error(f"{what}应在 0 到 {hi} 之间，单元格中是 {value}", r, c)
        return value

    def columns(
        self, r: int, fields, *, parts=None, known=frozenset(), what: str, two: bool | None = None
    ) -> tuple[dict[str, Column], int]:
        """The block's header at row r (two rows when the next row is a second header row):
        the columns by field, and the last header row."""
        rows = self.g.rows
        if two is None:
            two = r + 1 < self.r1 and _cached(_second_row, tuple(rows[r + 1]), what)
        try:
            cols = map_columns(rows, r, fields, parts=parts, known=known, two_rows=two, what=what)
        except HeaderError as exc:
            raise self.error(exc.message, exc.r, exc.c) from None
        return cols, r + 1 if two else r

    def note_columns(self, block: str, cols: dict[str, Column]) -> None:
        for fld, col in cols.items():
            self.refs[f"{block}.col.{fld}"] = self.g.ref(col.row, col.col)
            self.headers[f"{block}.{fld}"] = col.text

    def no_error_value(self, r: int, c: int, what: str | tuple[str, str]) -> None:
        """A computed cell whose value the score still uses (the funds block's 分数: the budget's points)
        reads as not stated when blank or an unevaluable formula (the template's is a UDF), but an Excel
        error value there stops the form: the points would otherwise fall back to the profile's."""
        v = self.g.cell(r, c)
        if v is None:
            try:
                self.g.resolve(r, c)
                return
            except CellProblem as exc:
                if exc.error is None:
                    return
                v = exc.error
        if v.__class__ is str and v.strip().upper() in _EXCEL_ERRORS:
            if isinstance(what, tuple):
                what = "".join(what)
            raise self.error(f"{what}单元格为错误值 {v.strip()}", r, c)

    # ---------------------------------------------------------------- blocks

    def read(self) -> Form:
        f = self.form
        name_label = ""
        if (self.r0, self.c0) in self.nameless:  # the form starts at its funds block: no name label
            self.refs["kind"] = self.refs["start"] = self.g.ref(self.r0, self.c0)
        else:
            value, vc = self.right_value(self.r0, self.c0)
            f.project = cell_text(value)
            self.refs["project"] = self.g.ref(self.r0, vc if vc is not None else self.c0)
            name_label = cell_text(self.g.cell(self.r0, self.c0))
            self.headers["project"] = name_label
            self.refs["label.project"] = self.g.ref(self.r0, self.c0)
        self.read_title()
        f.kind, self.refs["kind"], self.headers["kind"] = self.kind_of(name_label)
        funds_pos = self.find_funds()
        header_end = funds_pos[0] if funds_pos else self.r1
        for attr in L.HEADER_FIELD_LABELS:
            pos = self.first(attr, self.r0, header_end)
            if pos is None:
                continue
            value, vc = self.right_value(*pos)
            setattr(f, attr, cell_text(value))
            self.refs[attr] = self.g.ref(pos[0], vc if vc is not None else pos[1])
            self.refs[f"label.{attr}"] = self.g.ref(*pos)
            self.headers[attr] = cell_text(self.g.cell(*pos))
        pos = self.first("header_total", self.r0, header_end)
        if pos is not None:  # 自评得分 | 98 among the header fields
            value, vc = self.right_value(*pos)
            if vc is not None and _is_figure(value):
                f.stated_total_score = self.number(pos[0], vc, "自评得分", stated=True, points=True)
                self.refs["total_score"] = self.g.ref(pos[0], vc)
                self.refs["label.total"] = self.g.ref(*pos)
                self.headers["total"] = cell_text(self.g.cell(*pos))
        if not f.year:
            self.year_from_title()
        if f.kind == L.KIND_DEPARTMENT and f.project:
            # the department-wide form names its department in 部门名称: it is the form's department
            # and the unit whose spending is evaluated, unless the form names them apart
            for attr in ("department", "unit"):
                if not getattr(f, attr):
                    setattr(f, attr, f.project)
                    self.refs[attr] = self.refs["project"]
                    self.headers[attr] = name_label
        f.profile = self.profile_name(f.profile) if f.profile else None
        if funds_pos is None:
            raise self.error(
                "没有找到“项目资金”部分（年度资金总额、全年预算数、全年执行数）", self.r0, self.c0
            )
        ind_row = self.read_indicator_header()
        after_funds = self.read_funds(funds_pos, ind_row if ind_row is not None else self.r1)
        if not self.lean:
            self.read_goals(after_funds, ind_row if ind_row is not None else self.r1)
        if ind_row is not None:
            self.read_indicators(ind_row)
        self.read_grade(ind_row if ind_row is not None else after_funds)
        return f

    def read_title(self) -> None:
        best = None
        for r, c in self.titles:
            if self.lo_title <= r < self.r0 or (r == self.r0 and c < self.c0):
                best = (r, c)
        if best is not None:
            self.form.title = cell_text(self.g.cell(*best))
            self.refs["title"] = self.g.ref(*best)

    def kind_of(self, name_label: str) -> tuple[str, str, str]:
        """The form kind, where it was decided and by which words: the title's words
        (转移支付, 部门整体) first, else the name label (项目名称, 部门名称, 专项名称)."""
        title = _key_of(self.form.title) if self.form.title else ""
        for word, kind in L.KIND_TITLE_WORDS:
            if word in title:
                return kind, self.refs["title"], self.form.title
        ref = self.refs.get("label.project") or self.refs["start"]
        return _NAME_KINDS.get(_key_of(name_label), L.KIND_PROJECT), ref, name_label

    def year_from_title(self) -> None:
        """年度 stated only in the title or in a line beside it: （2022年度）."""
        g = self.g
        cells = []
        if self.form.title:
            cells.append((self.form.title, self.refs["title"]))
        for r in range(self.lo_title, self.r0):
            for c, v in enumerate(g.rows[r]):
                if isinstance(v, str) and len(v) <= 60 and "年" in v:
                    cells.append((v, g.ref(r, c)))
        for text, ref in cells:
            m = _YEAR_IN_TITLE.search(text)
            if m:
                self.form.year = m.group(1)
                self.refs["year"] = ref
                self.headers["year"] = text.strip()
                return

    def profile_name(self, text: str) -> str:
        from .profiles import PROFILES, find_profile

        k = text.strip()
        profile = find_profile(k)  # built-in profiles only: a workbook cell never names a file to load
        if profile is not None:
            return profile.name
        known = "、".join(p.title for p in PROFILES.values())
        ref = self.refs.get("profile")
        raise ReadError(self.g.source, f"评分规则“{k[:30]}”无法识别，可选：{known}", self.g.sheet, ref)

    def find_funds(self) -> tuple[int, int] | None:
        return self.first("funds")

    # ---------------------------------------------------------------- funds

    def funds_header(self, fr: int, stop: int) -> tuple[int, dict[str, Column], int]:
        """The funds header: (first header row, columns, last header row)."""
        rows = self.g.rows
        for r in range(fr, min(fr + 4, stop)):
            if _cached(_is_funds_header, tuple(rows[r])):
                cols, last = self.columns(r, _FUND_FIELDS, known=_FUND_KNOWN, what="“项目资金”表头")
                return r, cols, last
        funds = self.first("funds")
        raise self.error(
            "“项目资金”部分没有表头（年初预算数、全年预算数、全年执行数…）", fr, funds[1] if funds else None
        )

    def read_funds(self, pos: tuple[int, int], stop: int) -> int:
        """Reads the 项目资金 block; returns the row after its last fund row."""
        g, f = self.g, self.form
        fr, fc = pos
        self.refs["funds"] = g.ref(fr, fc)
        title = g.cell(fr, fc)
        self.headers["funds"] = cell_text(title)
        header_row, columns, last_header = self.funds_header(fr, stop)
        if (
            "annual" not in columns
            and "initial" in columns
            and L.BUDGET_MARK in _key_of(columns["initial"].text)
        ):
            col = columns.pop("initial")  # 年初预算数(A) over 执行率(B/A): the budget
            columns["annual"] = Column("annual", col.col, col.text, col.row)
        for needed in ("annual", "executed"):
            if needed not in columns:
                raise self.error(f"“项目资金”表头中没有“{_FUND_WHAT[needed]}”", header_row)
        self.refs["funds.header"] = g.row_ref(header_row)
        if not self.lean:
            self.note_columns("funds", columns)
        unit_texts = [title, *(col.text for col in columns.values())]
        f.money_unit = next(
            (unit for text in unit_texts if isinstance(text, str) for unit in L.MONEY_UNITS if unit in text),
            None,
        ) or self.unit_line(fr)  # 万元 is tried before 元 in each text, and is the default
        unit = f.money_unit

        # fund rows: label cell, then the numbers
        found: list[tuple[int, int, str]] = []
        seen: dict[str, str] = {}
        misses = 0
        fund_rows = self.fund_rows
        amount_cols = [columns[a].col for a in ("initial", "annual", "executed") if a in columns]
        pending: list[tuple[int, int, str]] = []  # rows with figures but a label not in the vocabulary

        def add(r: int, c: int, label: str) -> None:
            written = _key_of(cell_text(g.rows[r][c]))
            if label in seen:
                if seen[label] == written:
                    raise self.error(f"资金行“{cell_text(g.rows[r][c])}”出现了两次", r, c)
                label = written  # a second row of the same kind keeps its own name
            seen[label] = written
            found.append((r, c, label))

        for r in range(last_header + 1, stop):
            first = fund_rows.get(r)
            if first is None:
                if found and misses == 0:
                    unknown = self.unknown_fund_row(r, amount_cols)
                    if unknown is not None:
                        pending.append((r, *unknown))
                        continue
                misses += 1
                if (found and misses > 1) or misses > 4:
                    break
                continue
            misses = 0
            for row_pending in pending:  # between known fund rows: a sub-row under its own label
                add(*row_pending)
            pending = []
            add(r, *first)
        if pending:  # figures after the last known fund row, under a label nobody knows: never drop them
            r, c, label = pending[0]
            known = "、".join(L.FUND_ROW_LABELS)
            raise self.error(
                f"资金行“{cell_text(g.rows[r][c])}”无法识别（可识别：{known}等），无法确定这些数字属于哪一项",
                r,
                c,
            )
        if not found:
            raise self.error("“项目资金”部分没有资金行（年度资金总额等）", header_row)

        order = sorted(columns.values(), key=lambda col: col.col)
        attrs = [col.field for col in order]
        header_cols = [col.col for col in order]
        shift = self.fund_shift(found, header_row, last_header, header_cols)
        fraction_rates: list[tuple[FundRow, int, int]] = []
        for r, c, label in found:
            row = g.rows[r]
            n = len(row)
            cols = [hc + shift for hc in header_cols]
            values: dict[str, Decimal | None] = dict.fromkeys(_FUND_ATTRS)
            for attr, cc in zip(attrs, cols, strict=True):
                v = row[cc] if cc < n else None
                q = _quick(v)  # the common case: a plain number, or "-" on the sub-rows
                if q is not _SLOW:
                    values[attr] = q
                elif v.__class__ is str and v and v in _PLACEHOLDERS:  # "-" on the sub-rows (blank: number())
                    values[attr] = None
                else:
                    values[attr] = self.number(
                        r,
                        cc,
                        (f"“{label}”的", _FUND_WHAT[attr]),
                        stated=attr in _STATED_FUND_FIELDS,
                        percent=attr == "stated_rate",
                        unit=unit if attr in ("initial", "annual", "executed") else None,
                        points=attr == "stated_points",
                        formula_ok=attr == "stated_points",  # the template's =PE_BUDGET_POINTS(…)
                    )
            for attr in ("stated_points",):  # a stated score or rate is checked by the rules
                if values[attr] is not None and attr in columns:
                    self.in_range(
                        values[attr], r, columns[attr].col + shift, f"“{label}”的{_FUND_WHAT[attr]}"
                    )
            if values["stated_rate"] is not None and values["stated_rate"] < 0:
                raise self.error(f"“{label}”的执行率不应为负数", r, columns["stated_rate"].col + shift)
            if values["stated_points"] is None and "stated_points" in attrs:  # the budget's points
                self.no_error_value(
                    r, cols[attrs.index("stated_points")], (f"“{label}”的", _FUND_WHAT["stated_points"])
                )
            fund = FundRow(
                label,
                initial=values["initial"],
                annual=values["annual"],
                executed=values["executed"],
                stated_points=values["stated_points"],
                stated_rate=values["stated_rate"],
                stated_score=values["stated_score"],
            )
            rate = fund.stated_rate
            if rate is not None and 0 < rate <= 2 and "stated_rate" in attrs:  # 0.9949 shown as 99.49%?
                c_rate = cols[attrs.index("stated_rate")]
                if c_rate < n and row[c_rate].__class__ is float:
                    fraction_rates.append((fund, r, c_rate))
            if not self.lean:
                for attr, ref in zip(attrs, g.refs_in_row(r, cols), strict=True):
                    self.refs[f"funds.{label}.{attr}"] = ref
                self.headers[f"funds.{label}"] = cell_text(row[c])
            fund.ref = g.row_ref(r, c, max(c, cols[-1]))
            self.refs[f"funds.{label}"] = fund.ref
            f.funds.append(fund)
        if fraction_rates:
            self.restore_percent_rates(fraction_rates)
        self.budget_points(columns, fr, fc)
        return max(r for r, _, _ in found) + 1

    def restore_percent_rates(self, rates: list[tuple[FundRow, int, int]]) -> None:
        """A stated 执行率 typed as a percentage (99.49% is stored as 0.9949 with a percent format) is
        read in percent, 99.49, when the cell's format says so (asked from the workbook, see
        :meth:`Grid.percent_formatted`)."""
        percent = self.g.percent_formatted([(r, c) for _, r, c in rates])
        for fund, r, c in rates:
            if (r, c) in percent and fund.stated_rate is not None:
                fund.stated_rate = fund.stated_rate * 100

    def unit_line(self, fr: int) -> str:
        """The money unit stated once for the form (单位：万元) above the funds block; else 万元."""
        for r in range(self.lo_title, fr):
            for c, v in enumerate(self.g.rows[r]):
                k = _key(v)
                if k and k.startswith(_UNIT_LINE):
                    for unit in L.MONEY_UNITS:
                        if unit in k:
                            self.refs["money_unit"] = self.g.ref(r, c)
                            self.headers["money_unit"] = cell_text(v)
                            return unit
        return L.MONEY_UNITS[0]

    def unknown_fund_row(self, r: int, amount_cols: list[int]) -> tuple[int, str] | None:
        """(label column, label) of a row with figures under the amount columns whose label the
        vocabulary does not know; None for a row without figures (or a row of some other label)."""
        row = self.g.rows[r]
        n = len(row)
        figures = [c for c in amount_cols if c < n and _is_figure(row[c])]
        if not figures:
            return None
        c = next((c for c in range(figures[0]) if not _blank(row[c])), None)
        if c is None:
            raise self.error("资金部分有数字却没有资金行名称，无法确定这些数字属于哪一项", r, figures[0])
        if _is_label(row[c]):
            return None
        return c, _key_of(cell_text(row[c]))

    def fund_shift(self, found, header_row: int, last_header: int, header_cols: list[int]) -> int:
        """How far right of their header the fund rows' figures sit (0 when aligned). Exported forms
        shift merged rows (the seed's forms 2-4 sit two columns right); the shift must be the same
        for every row and the only one that fits, or the form stops (never a guess)."""
        g = self.g
        all_header = _cached(
            _header_columns, tuple(tuple(g.rows[hr]) for hr in range(header_row, last_header + 1))
        )  # cached: forms repeat their headers
        lo = header_cols[0]
        filled_rows = []
        aligned = True
        for r, c, _ in found:
            row = g.rows[r]
            filled = [
                cc
                for cc in range(c + 1, len(row))
                if (v := row[cc]) is not None and v != "" and (v.__class__ is not str or v.strip())
            ]
            filled_rows.append((c, filled))
            if aligned and not (c < lo and all(cc in all_header for cc in filled)):
                aligned = False
        if aligned:  # the common case
            return 0
        shift = _shift(tuple((c, tuple(filled)) for c, filled in filled_rows), all_header, lo)
        if shift is not None:
            return shift
        r, c, label = found[0]
        raise self.error("资金行的数字与“项目资金”表头的列对不上，无法确定各数字属于哪一列", r, c)

    def budget_points(self, columns: dict[str, Column], fr: int, fc: int) -> None:
        """The budget's points when no 分值 column states them: from a header (得分(20分*执行率)) or
        the block title (预算执行情况(20分)); a transfer-payment form without them has no budget
        score (0 points)."""
        total = self.form.total_fund
        if total is None or "stated_points" in columns or total.stated_points is not None:
            return
        for text, ref in (
            (columns["stated_score"].text if "stated_score" in columns else "", "funds.col.stated_score"),
            (self.headers.get("funds", ""), "funds"),
        ):
            m = _POINTS_IN.search(text) if text else None
            if m:
                total.stated_points = Decimal(m.group(1))
                self.refs["budget_points"] = self.refs.get(ref, self.refs["funds"])
                self.headers["budget_points"] = text
                return
        if self.form.kind == L.KIND_TRANSFER:
            total.stated_points = Decimal(0)
            self.refs["budget_points"] = self.refs["kind"]
            self.headers["budget_points"] = "转移支付表不计预算执行得分"
        elif "stated_score" not in columns:  # neither 分值 nor 得分: the form does not score its budget
            total.stated_points = Decimal(0)  # (some score 预算执行率 as an indicator row instead)
            self.refs["budget_points"] = self.refs["funds.header"]
            self.headers["budget_points"] = "资金部分没有分值、得分列，不计预算执行得分"

    # ---------------------------------------------------------------- goals

    def read_goals(self, lo: int, hi: int) -> None:
        g, f = self.g, self.form
        goals = self.first("goals", lo, hi)
        exp = self.first("goal_expected", lo, hi)
        act = self.first("goal_actual", lo, hi)
        if exp is not None and act is not None and exp[0] == act[0]:
            # columns layout: sub-labels side by side, texts in the rows below
            left, right = (exp, act) if exp[1] < act[1] else (act, exp)
            texts: dict[tuple[int, int], list[str]] = {left: [], right: []}
            first_ref: dict[tuple[int, int], str] = {}
            for r in range(exp[0] + 1, hi):
                row = g.rows[r]
                if any(_is_label(v) for v in row if isinstance(v, str)):
                    break
                for c, v in enumerate(row):
                    if _blank(v) or c < left[1]:
                        continue
                    target = left if c < right[1] else right
                    texts[target].append(cell_text(v))
                    first_ref.setdefault(target, g.ref(r, c))
            for pos, attr in ((exp, "goal_expected"), (act, "goal_actual")):
                setattr(f, attr, html_to_text("\n".join(texts[pos])))
                self.refs[attr] = first_ref.get(pos, g.ref(*pos))
            return
        for label_pos, attr in ((exp, "goal_expected"), (act, "goal_actual")):
            if label_pos is None:
                continue
            value, vc = self.right_value(*label_pos)
            setattr(f, attr, html_to_text(cell_text(value)))
            self.refs[attr] = g.ref(label_pos[0], vc if vc is not None else label_pos[1])
        if exp is None and act is None and goals is not None:
            value, vc = self.right_value(*goals)
            f.goal_expected = html_to_text(cell_text(value))
            self.refs["goal_expected"] = g.ref(goals[0], vc if vc is not None else goals[1])

    # ---------------------------------------------------------------- indicators

    def read_indicator_header(self) -> int | None:
        pos = self.first("indicators")
        if pos is None:
            return None
        r = pos[0]
        top = r
        if r - 1 > self.r0 and self.header_above(r - 1):
            top = r - 1  # 三级指标 in the second row: 年度指标值 … 实际完成值 分值 得分 above it
        self.ind_cols, self.ind_last_header = self.columns(
            top, _IND_FIELDS, parts=_IND_PARTS, known=_IND_KNOWN, what="绩效指标表头", two=top < r or None
        )
        return top

    def header_above(self, r: int) -> bool:
        """Whether row r, right above the 三级指标 row, is the first row of a two-row indicator header."""
        return _cached(_header_above, tuple(self.g.rows[r]), tuple(self.g.rows[r + 1]))

    def read_indicators(self, hr: int) -> None:
        g, f = self.g, self.form
        cols = self.ind_cols
        parts = "target" not in cols and "target.number" in cols
        by_group = False  # points stated only per 一级指标 (产出指标(60分)), scores per indicator
        for needed in ("name", "target", "actual", "points"):
            if needed not in cols and not (needed == "target" and parts):
                if needed == "points":
                    # no 分值 column: a form that states neither points nor scores (some 专项资金 forms),
                    # or one whose points stand in its 一级指标 labels (checked after the rows)
                    by_group = "stated_score" in cols
                    continue
                raise self.error(f"绩效指标表头中没有“{_IND_WHAT[needed]}”", hr)
        self.refs["indicators"] = g.row_ref(hr)
        if not self.lean:
            self.note_columns("indicators", cols)

        def col(name: str) -> int | None:
            c = cols.get(name)
            return c.col if c is not None else None

        c1, c2 = col("level1"), col("level2")
        c3, ca = cols["name"].col, cols["actual"].col  # both required above
        ct = cols["target.number" if parts else "target"].col  # required above
        cp, cs, cd, cj = col("points"), col("stated_score"), col("deviation"), col("judgement")
        cto, ctn, ctu = col("target.op"), col("target.number"), col("target.unit")
        used = [c for c in (c1, c2, c3, ct, ca, cp, cs, cd, cj, cto, ctu) if c is not None]
        lo_c, hi_c = min(used), max(used)
        grade_rows = {r for r, _ in self.positions("grade", hr + 1)}
        total_rows = {r for r, _ in self.positions("total", hr + 1)}
        # the header again further down: a second goal block (年度绩效目标2(40分)), the same columns
        more_headers = {r: c for r, c in self.positions("indicators", self.ind_last_header + 1)}
        block = 1
        block_weights = {1: self.block_weight(hr, c1 if c1 is not None else c3)}
        level1 = level2 = ""
        width = hi_c + 1
        rows = g.rows
        row_ref = g.span_ref(lo_c, hi_c)
        append = f.indicators.append
        numeric_values: list[tuple[int, int, int, str]] = []  # (indicator, row, column, field)
        weight_cells: list[tuple[int, int, int]] = []
        weight_header = cp is not None and _header_key(cols["points"].text.split("/")[-1]) == "权重"
        explain = self.explain
        for r in range(self.ind_last_header + 1, self.r1):
            if r in total_rows:
                self.read_totals(r, cp, cs)
                break
            if r in grade_rows:
                break
            if r in more_headers:
                if more_headers[r] != c3:
                    raise self.error("第二个绩效指标表头的列与第一个不同，无法确定各列", r, more_headers[r])
                block += 1
                block_weights[block] = self.block_weight(r, c1 if c1 is not None else c3)
                level1 = level2 = ""
                continue
            row = rows[r]
            if len(row) < width:
                row = row + [None] * (width - len(row))
            t1 = _text_of(row[c1]) if c1 is not None else ""
            t2 = _text_of(row[c2]) if c2 is not None else ""
            name, actual = _text_of(row[c3]), _text_of(row[ca])
            if parts:
                target = self.compose_target(row, cto, ctn, ctu)
            else:
                target = _text_of(row[ct])
            raw_points = row[cp] if cp is not None else None
            if not (t1 or t2 or name or target or actual) and not _blank(raw_points):
                self.read_totals(r, cp, cs)
                break
            weight = None
            if t1:
                if _LEVEL1_WEIGHT.fullmatch(t1):  # (50分) on the row below 产出指标
                    weight, t1 = t1, ""
                elif t1.endswith(("）", ")")) and (m := _LEVEL1_WEIGHT.search(t1)) is not None:
                    weight, t1 = m.group(0), t1[: m.start()].strip()
            if t1:
                level1, level2 = t1, ""
            if weight is not None and by_group and level1:
                f.level1_points[level1] = _decimal_of(_WEIGHT_NUMBER.search(weight).group(0))  # type: ignore[union-attr]
                self.refs[f"level1_points.{level1}"] = g.ref(r, c1)  # type: ignore[arg-type]
            new_level2 = bool(t2) and not _empty_mark(t2)
            if new_level2:
                level2 = t2
            if name.startswith("指标"):
                name = _NUMBERED_NAME.sub("", name, count=1).strip() if _NUMBERED_NAME.match(name) else name
            deviation = html_to_text(_text_of(row[cd])) if cd is not None else ""
            raw_judgement = row[cj] if cj is not None else None
            if not (name or target or actual or deviation) and _blank(raw_points) and _blank(raw_judgement):
                continue  # an unused row
            if not (target and actual):  # an error value or an unsaved formula reads as blank too
                for c, fld in ((ct, L.TARGET), (ca, L.ACTUAL)):
                    if c is not None and _blank(row[c]):
                        value = self.blank_value(r, c, (_indicator_what(name), fld))
                        if value is not None:
                            row[c] = value  # row may be a padded copy of the grid's row
                actual = _text_of(row[ca])
                target = self.compose_target(row, cto, ctn, ctu) if parts else _text_of(row[ct])
            if target[:1] == "#" or actual[:1] == "#":  # an error value as text (text exports, openpyxl)
                for c, text, fld in ((ct, target, L.TARGET), (ca, actual, L.ACTUAL)):
                    if text.upper() in _EXCEL_ERRORS:
                        raise self.error(f"{_indicator_what(name)}{fld}单元格为错误值 {text}", r, c)
            if (not name or name in _ROW_PLACEHOLDERS) and all(
                _empty_mark(x) for x in (target, actual, raw_points, row[cs] if cs is not None else None)
            ):
                continue  # a placeholder row: 指标2:, ……, values /
            if (
                name.startswith(L.BREAKDOWN_PREFIX)
                and f.indicators
                and _blank(raw_points)
                and (cs is None or _blank(row[cs]))
                and (cp is not None or by_group)
            ):  # 其中桃树种植面积: a breakdown of the indicator above, not one of its own
                if explain:
                    key = f"indicators.{len(f.indicators) - 1}.breakdown"
                    here = f"{g.ref(r, c3)}“{name}”"
                    self.refs[key] = f"{self.refs[key]}、{here}" if key in self.refs else here
                continue
            # the fast paths skip number() and the message prefix it would need
            points = None
            if cp is not None:
                points = _quick(raw_points)
                if points is _SLOW:
                    points = self.number(r, cp, (_indicator_what(name), "分值"), points=True)
                elif weight_header and raw_points.__class__ is float and 0 < points < 1:
                    weight_cells.append((len(f.indicators), r, cp))
                if points is not None and not (0 <= points <= 100):
                    self.in_range(points, r, cp, f"{_indicator_what(name)}分值")
            raw_stated = row[cs] if cs is not None else None
            stated = _quick(raw_stated)
            if stated is _SLOW:
                stated = self.number(r, cs, (_indicator_what(name), "得分"), stated=True, points=True)
            if cj is not None:
                judgement = self.number(r, cj, (_indicator_what(name), "定性评分"))
            else:
                judgement = stated
            if (ct is not None and row[ct].__class__ is float) or row[ca].__class__ is float:
                for c, fld in ((ct, "target"), (ca, "actual")):
                    if c is not None and row[c].__class__ is float and not (parts and fld == "target"):
                        numeric_values.append((len(f.indicators), r, c, fld))
            if explain:
                i = len(f.indicators)
                for fld, fc in (("level1", c1), ("level2", c2), ("name", c3), ("target", ct), ("actual", ca),
                                ("points", cp), ("stated_score", cs), ("deviation", cd), ("judgement", cj),
                                ("target.op", cto), ("target.unit", ctu)):  # fmt: skip
                    if fc is not None and not _blank(row[fc]):
                        self.refs[f"indicators.{i}.{fld}"] = g.ref(r, fc)
            shares = False
            if by_group and stated is None and not t1 and not new_level2 and f.indicators:
                prev = f.indicators[-1]  # one merged 得分 cell over this 二级指标's rows
                shares = prev.level1 == level1 and prev.level2 == level2 != ""
            append(
                Indicator(
                    level1,
                    level2,
                    name,
                    target,
                    actual,
                    points,
                    stated,
                    deviation,
                    judgement,
                    row_ref(r),
                    shares,
                    block,
                )
            )
        if by_group and not f.level1_points and f.indicators:
            # the points of each goal block in its title: 年度绩效目标 (80分) left of 一级指标
            if not any(block_weights.values()):
                raise self.error(
                    "绩效指标表头中没有“分值”，一级指标和区块标题中也没有写分值（如“产出指标(60分)”），无法计分",
                    hr,
                )
            for n, titled in block_weights.items():
                if titled is not None:
                    key = grouppoints.block_key(n)
                    f.level1_points[key], self.refs[f"level1_points.{key}"] = titled
        if numeric_values:
            self.restore_percents(numeric_values)
        if weight_cells:
            percent = self.g.percent_formatted([(r, c) for _, r, c in weight_cells])
            for i, r, c in weight_cells:
                ind = f.indicators[i]
                if (r, c) in percent and ind.points is not None:  # a weight cell holds a number
                    ind.points *= 100

    def block_weight(self, r: int, before: int) -> tuple[Decimal, str] | None:
        """The points in a goal block's title left of the header (年度绩效目标1 (40分)), and its cell."""
        for c in range(0, before):
            m = _POINTS_IN.search(_text_of(self.g.cell(r, c)))
            if m is not None:
                return Decimal(m.group(1)), self.g.ref(r, c)
        return None

    def compose_target(self, row: list, cto: int | None, ctn: int | None, ctu: int | None) -> str:
        """A two-row 年度指标值 (指标性质 | 指标值 | 度量单位) as one text: ≧ | 735 | 人次 -> ≧735人次."""
        op = _text_of(row[cto]) if cto is not None else ""
        op = L.TARGET_OP_WORDS.get(op, op)
        number = _text_of(row[ctn]) if ctn is not None else ""
        unit = _text_of(row[ctu]) if ctu is not None else ""
        if _empty_mark(number):
            number = ""
        if _empty_mark(unit) or unit in number:
            unit = ""
        if not number:
            return ""
        return f"{op}{number}{unit}"

    def restore_percents(self, numeric_values: list[tuple[int, int, int, str]]) -> None:
        """A 年度指标值 or 实际完成值 typed as "95%" into a cell is stored as 0.95 with a percent number
        format, which the fast readers do not report: ask the workbook for those cells' formats and
        read them back as "95%" (so that they compare with "≥95%" written as text)."""
        percent = self.g.percent_formatted([(r, c) for _, r, c, _ in numeric_values])
        for i, r, c, fld in numeric_values:
            if (r, c) in percent:
                value = _decimal_of(self.g.rows[r][c]) * 100
                text = format(value.normalize(), "f") + "%"
                setattr(self.form.indicators[i], fld, text)

    def read_totals(self, r: int, cp: int | None, cs: int | None) -> None:
        f, g = self.form, self.g
        row = g.rows[r]
        label_c = next((c for rr, c in self.found.get("total", ()) if rr == r), None)
        header_total = f.stated_total_score, self.refs.get("total_score")  # 自评得分 | 98 in the header
        f.stated_total_score = None
        inline = with_points = None
        if label_c is not None:
            self.refs["total"] = g.ref(r, label_c)
            self.headers["total"] = cell_text(row[label_c])
            inline = _INLINE_TOTAL.fullmatch(_key(row[label_c]))
            with_points = _TOTAL_WITH_POINTS.fullmatch(_key(row[label_c]))
        if cp is not None:
            f.stated_total_points = self.number(r, cp, "合计分值", stated=True, points=True)
            self.refs["total_points"] = g.ref(r, cp)
        if cs is not None:
            f.stated_total_score = self.number(r, cs, "合计得分", stated=True, points=True)
            self.refs["total_score"] = g.ref(r, cs)
        if with_points is not None and label_c is not None:  # 总分(100分) | 100: points in the label
            if f.stated_total_points is None:
                f.stated_total_points = _decimal_of(with_points.group(2))
                self.refs["total_points"] = g.ref(r, label_c)
            if f.stated_total_score is None:  # the one figure right of the label is the score
                value, vc = self.right_value(r, label_c)
                if vc is not None and _is_figure(value):
                    f.stated_total_score = self.number(r, vc, "合计得分", stated=True, points=True)
                    self.refs["total_score"] = g.ref(r, vc)
                    cs = vc
        if inline is not None and label_c is not None:  # 总分：83 -- the score in the label's own cell
            if f.stated_total_score is not None:
                raise self.error(
                    f"合计行写了两个总分（“{cell_text(row[label_c])}”和得分列），无法确定", r, label_c
                )
            f.stated_total_score = _decimal_of(inline.group(2))
            self.refs["total_score"] = g.ref(r, label_c)
        # figures beside the 分值/得分 columns: the row is not laid out as the header says
        mapped = {cp, cs}
        start = (label_c + 1) if label_c is not None else 0
        for c in range(start, len(row)):
            v = row[c]
            if c in mapped or _blank(v):
                continue
            t = _text_of(v)
            if t in _GRADE_WORDS:  # the grade in the total row itself: 总分 … 100 96 优
                if c > max((x for x in mapped if x is not None), default=-1):
                    f.stated_grade = _GRADE_WORDS[t]
                    self.refs["grade"] = g.ref(r, c)
                    self.headers["grade"] = self.headers.get("total", "")
                continue
            if _is_figure(v):
                raise self.error(f"合计行的数字“{t}”不在“分值”“得分”列下，无法确定它是什么", r, c)
        if f.stated_total_score is None and header_total[0] is not None:
            f.stated_total_score = header_total[0]
            self.refs["total_score"] = header_total[1]  # type: ignore[assignment]

    def read_grade(self, lo: int) -> None:
        pos = self.first("grade", lo)
        if pos is None:
            return
        inline = _INLINE_GRADE.fullmatch(_key(self.g.cell(*pos)))
        if inline is not None:  # 自评等级：优
            self.form.stated_grade = _GRADE_WORDS[inline.group(2)]
            self.refs["grade"] = self.refs["label.grade"] = self.g.ref(*pos)
            self.headers["grade"] = cell_text(self.g.cell(*pos))
            return
        value, vc = self.right_value(*pos)
        text = cell_text(value)
        if text.upper() in _EXCEL_ERRORS:
            text = ""
        if text:
            grade = _GRADE_WORDS.get(_key_of(text))
            if grade is None and len(text) > 4:
                return  # a written conclusion (评价结论：结合自评情况……), not a stated grade
            text = grade or text
        self.form.stated_grade = text or None
        self.refs["grade"] = self.g.ref(pos[0], vc if vc is not None else pos[1])
        self.refs["label.grade"] = self.g.ref(*pos)
        self.headers["grade"] = cell_text(self.g.cell(*pos))


_T = TypeVar("_T")


def _cached(fn: functools._lru_cache_wrapper[_T], *args: object) -> _T:
    """``fn(*args)`` through its cache; uncached for cells that cannot be hashed (a Decimal NaN)."""
    try:
        return fn(*args)
    except TypeError:
        return fn.__wrapped__(*args)


_BLOCK_WORDS = {  # what= of a block -> (fields, parts, known), for the second-row test
    "“项目资金”表头": (_FUND_FIELDS, {}, _FUND_KNOWN),
    "绩效指标表头": (_IND_FIELDS, _IND_PARTS, _IND_KNOWN),
}


@functools.lru_cache(maxsize=1024)
def _second_row(row: tuple, what: str) -> bool:
    fields, parts, known = _BLOCK_WORDS[what]
    return is_second_row(list(row), fields, parts, known)


@functools.lru_cache(maxsize=1024)
def _is_funds_header(row: tuple) -> bool:
    """A funds header row: at least one funds field, and two funds header words in all."""
    hits = known = 0
    for v in row:
        k = _header_key(v)
        if k in _FUND_FIELDS:
            hits += 1
        elif k in _FUND_KNOWN:
            known += 1
    return hits >= 1 and hits + known >= 2


@functools.lru_cache(maxsize=1024)
def _header_above(above: tuple, row: tuple) -> bool:
    """Only header words above the 三级指标 row, at least one of them a field that row lacks."""
    below = {_IND_FIELDS.get(_header_key(v)) for v in row}
    fields = set()
    for v in above:
        if _blank(v):
            continue
        k = _header_key(v)
        if k in _IND_FIELDS:
            fields.add(_IND_FIELDS[k])
        elif k not in _IND_KNOWN:
            return False
    return bool(fields - below)


@functools.lru_cache(maxsize=1024)
def _shift(rows: tuple[tuple[int, tuple[int, ...]], ...], header: frozenset[int], lo: int) -> int | None:
    """The one shift that fits every fund row (label column, filled columns) to the header, or None."""
    possible = None
    for c, filled in rows:
        fits = {s for s in range(-3, 4) if c < lo + s and all(cc - s in header for cc in filled)}
        possible = fits if possible is None else possible & fits
    if possible and 0 in possible:
        return 0
    if possible is not None and len(possible) == 1:
        return possible.pop()
    return None


@functools.lru_cache(maxsize=1024)
def _header_columns(header_rows: tuple[tuple, ...]) -> frozenset[int]:
    """The columns of a funds header (rows as tuples) that hold a funds header word."""
    return frozenset(
        c
        for row in header_rows
        for c, v in enumerate(row)
        if (k := _header_key(v)) in _FUND_FIELDS or k in _FUND_KNOWN
    )


def _empty_mark(x: object) -> bool:
    if x is None:
        return True
    if x.__class__ is str:
        s = x.strip()
        return s in _ROW_PLACEHOLDERS or _key_of(s) in _ROW_PLACEHOLDERS if len(s) <= _MAX_LABEL else False
    return False


_FIGURE = re.compile(r"[\s\d.,，+\-%％万元]*\d[\s\d.,，+\-%％万元]*")


def _is_figure(v: object) -> bool:
    """A number, or text that is only a figure (with a % or money unit)."""
    if v.__class__ is float or v.__class__ is int:
        return True
    return v.__class__ is str and len(v) <= 40 and _FIGURE.fullmatch(v) is not None


_Kind = tuple[str, str] | None
_KINDS: dict[str, _Kind] = {}  # raw cell text -> what it is; forms repeat the same few labels
_UNSEEN: Literal[False] = False  # _KINDS.get's default: a text not classified yet


def _kind_of(v: str) -> _Kind:
    """What a text cell is for the scan: ("label", key), ("funds", 项目资金), ("fund", row label),
    ("title", "") or None. Cached by the raw text."""
    seen = _KINDS.get(v, _UNSEEN)
    if seen is not False:
        return seen
    kind: _Kind = None
    if len(v) <= 60:
        if len(v) <= _MAX_LABEL:
            k = _key_of(v)
            role = _ROLES.get(k)
            if role is not None:
                kind = ("label", role)
            elif _funds_title(k):  # 项目资金（万元）, 预算执行情况(万元)(20分)
                kind = ("funds", "funds")
            elif _INLINE_TOTAL.fullmatch(k) or _TOTAL_WITH_POINTS.fullmatch(k):  # 总分：83, 总分(100分)
                kind = ("label", "total")
            elif _INLINE_GRADE.fullmatch(k):  # 自评等级：优
                kind = ("label", "grade")
            else:
                label = _fund_label_of(v)
                if label is not None:
                    kind = ("fund", label)
        if kind is None and "绩效" in v and _is_title(v):
            kind = ("title", "")
    if len(_KINDS) > 50_000:  # bounded: a batch of many distinct texts must not grow it forever
        _KINDS.clear()
    _KINDS[v] = kind
    return kind


def _scan(
    grid: Grid,
) -> tuple[dict[str, list[tuple[int, int]]], list[tuple[int, int]], dict[int, tuple[int, str]]]:
    """One pass over the grid: positions of the indexed labels, of title-like cells, and of the first
    fund-row label (年度资金总额 …) of each row."""
    found: dict[str, list[tuple[int, int]]] = {}
    titles: list[tuple[int, int]] = []
    fund_rows: dict[int, tuple[int, str]] = {}
    get = _KINDS.get
    for r, row in enumerate(grid.rows):
        for c, v in enumerate(row):
            if v.__class__ is not str or not v:  # numbers and blanks ("" from calamine) are no labels
                continue
            kind = get(v, _UNSEEN)
            if kind is None:  # most text: not a label (known)
                continue
            if kind is False:
                kind = _kind_of(v)
                if kind is None:
                    continue
            tag, key = kind
            if tag == "fund":
                if r not in fund_rows:
                    fund_rows[r] = (c, key)
            elif tag == "title":
                titles.append((r, c))
            else:
                found.setdefault(key, []).append((r, c))
    return found, titles, fund_rows


def _starts(found: dict[str, list[tuple[int, int]]], titles: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where each form starts: its name label (项目名称, 部门名称, 专项名称 …). A second name label a
    few rows below the first, before any title, funds or indicator block, is a header field of the same form
    (项目名称 over 部门); further down it starts a new form (the one above then stops on its own)."""
    blocks = [r for key in ("funds", "indicators") for r, _ in found.get(key, ())] + [r for r, _ in titles]
    starts: list[tuple[int, int]] = []
    for r, c in found.get("name", ()):
        if starts:
            prev = starts[-1][0]
            if r == prev or (r - prev <= _HEADER_ROWS and not any(prev < br < r for br in blocks)):
                continue
        starts.append((r, c))
    # a funds block above every name label (or in a grid without one) is a form whose name label is
    # missing or unreadable (a damaged copy: 级预算单位名称): it starts at its funds block, read without
    # a name, which the findings then say
    first = starts[0][0] if starts else None
    nameless = sorted(p for p in found.get("funds", ()) if first is None or p[0] < first)
    return [*nameless, *starts]


_HEADER_ROWS = 4  # a second name label this close below the first, before any block, is a header field


def read_grid(
    grid: Grid, *, on_error: FormErrorHandler | None = None, lean: bool = False, explain: bool = False
) -> list[Form]:
    """All forms in one grid, in order. Raises :class:`ReadError` for an unusable form.

    With ``on_error``, a broken form is passed to it and the other forms are still returned.
    ``lean=True`` skips what a batch summary has no use for: the 年度总体目标 texts and the cell
    reference of every single fund figure (``funds.<label>.<field>``; row references stay).
    Never raises anything but ReadError.
    """
    try:
        found, titles, fund_rows = _scan(grid)
        starts = _starts(found, titles)
        nameless = frozenset(p for p in starts if p in found.get("funds", ()))
        forms: list[Form] = []
        for i, (r, c) in enumerate(starts):
            r1 = starts[i + 1][0] if i + 1 < len(starts) else len(grid.rows)
            reader = _FormReader(grid, len(forms) + 1, r, c, r1, found, titles, fund_rows)
            reader.lean = lean and not explain
            reader.explain = explain
            reader.lo_title = max(starts[i - 1][0] + 1 if i else 0, r - 6)
            reader.nameless = nameless
            try:
                forms.append(reader.read())
            except ReadError as err:
                if on_error is None:
                    raise
                on_error(err)
        return forms
    except ReadError:
        raise
    except Exception as exc:  # a layout nobody foresaw: still a clear message, never a traceback
        raise ReadError(
            grid.source, f"无法识别表格结构（{type(exc).__name__}: {str(exc)[:80]}）", grid.sheet
        ) from exc


def read_forms(
    path: str | os.PathLike, *, on_sheet_error: FormErrorHandler | None = None, explain: bool = False
) -> list[Form]:
    """Every form in the file at ``path`` (text export, xlsx/xlsm/xls, HTML table).

    Raises :class:`ReadError` when the file cannot be read or holds no form. With ``on_sheet_error``,
    an unreadable sheet or a broken form is passed to it and reading goes on; a file that has no
    form at all still raises.

    >>> forms = read_forms("tests/data/seed_forms.txt")
    >>> [f.project for f in forms]
    ['企业服务专项', '信息化建设项目', '信息化运维项目', '事业发展专项']
    """
    forms: list[Form] = []
    reported = 0

    def report(err: ReadError) -> None:
        nonlocal reported
        reported += 1
        if on_sheet_error is not None:  # report is only handed out when there is a handler
            on_sheet_error(err)

    handler = report if on_sheet_error is not None else None
    for grid in load_grids(path, on_sheet_error=handler):
        forms.extend(read_grid(grid, on_error=handler, explain=explain))
    if not forms and not reported:
        raise ReadError(os.fspath(path), "没有找到绩效自评表（未找到“项目名称”“部门名称”“专项名称”）")
    return forms

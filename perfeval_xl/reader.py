"""The one label-anchored reader: any grid of cells to :class:`~perfeval_xl.model.Form` objects.

Nothing here relies on fixed coordinates. The reader finds every 项目名称 cell (a grid may hold several
forms, each with its own column offsets), takes the rows down to the next 项目名称 as that form's
region, and inside it finds the form's own labels: the header fields, the 项目资金 block and its
column header, 年度总体目标, the 绩效指标 header and its rows, the totals row and 评分等级.

It reads the published forms' text exports, workbooks laid out like the official form (one or several
forms per sheet, any sheet names), 元 or 万元 headers, and filled copies of the template (whose
``定性评分`` column gives the reviewer's judgement, whose ``评分规则`` cell names the profile and whose
``审核提示`` column is ignored).

``Form.refs`` maps field keys to cell references for messages:

- ``title``, ``project``, ``department``, ``unit``, ``year``, ``profile``: the value cells;
- ``funds`` (the 项目资金 label), ``funds.header``, ``funds.<label>`` (the row) and
  ``funds.<label>.<field>`` with field one of ``initial annual executed stated_points stated_rate
  stated_score`` (e.g. ``funds.年度资金总额.executed``);
- ``goal_expected``, ``goal_actual``;
- ``indicators``: the indicator header row (each ``Indicator.ref`` names its own row, e.g. "A13:I13");
- ``total_points``, ``total_score``, ``grade``.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import re
from collections.abc import Callable

from . import labels as L
from .grid import CellProblem, Grid, load_grids
from .model import Form, FundRow, Indicator, ReadError
from .text import html_to_text
from .values import float_text, to_decimal

FormErrorHandler = Callable[[ReadError], None]

_WS = str.maketrans("", "", " \t\r\n\u3000\u00a0\u200b")
_PAREN_SUFFIX = re.compile(r"[（(][^（）()]*[）)]$")
_EXCEL_ERRORS = frozenset(
    {"#NAME?", "#VALUE!", "#DIV/0!", "#N/A", "#REF!", "#NUM!", "#NULL!", "#GETTING_DATA"}
)
_MAX_LABEL = 40  # labels are short; longer cells are never keys
_INFINITIES = (float("inf"), float("-inf"))
_PLACEHOLDERS = frozenset({"", "-", "--", "—", "——", "/"})  # what a form writes where no number belongs

#: Labels the first pass indexes (normalized form).
_INDEXED = frozenset(
    {
        L.PROJECT,
        L.DEPARTMENT,
        L.UNIT,
        L.YEAR,
        L.PROFILE,
        L.GOALS,
        L.GOAL_EXPECTED,
        L.GOAL_ACTUAL,
        L.LEVEL3,
        L.GRADE,
        L.TOTAL,
    }
)
#: Any cell with one of these keys is a label, never a header field's value.
_ALL_LABELS = frozenset(
    {
        *_INDEXED,
        *L.FUNDS_HEADER,
        *L.INDICATOR_HEADER,
        L.JUDGEMENT,
        L.REMARKS,
        L.TOTAL,
        L.FUND_TOTAL,
        L.FUND_CURRENT,
        L.FUND_CARRIED,
        L.FUND_OTHER,
    }
)
_FUND_ALIASES = {
    "年度资金总额": L.FUND_TOTAL,
    "资金总额": L.FUND_TOTAL,
    "当年财政拨款": L.FUND_CURRENT,
    "财政拨款": L.FUND_CURRENT,
    "上年结转资金": L.FUND_CARRIED,
    "上年结转": L.FUND_CARRIED,
    "结转资金": L.FUND_CARRIED,
    "其他资金": L.FUND_OTHER,
}
_FUND_FIELDS = {
    "年初预算数": "initial",
    "全年预算数": "annual",
    "全年执行数": "executed",
    "分数": "stated_points",
    "执行率": "stated_rate",
    "得分": "stated_score",
}
_STATED_FUND_FIELDS = frozenset({"stated_points", "stated_rate", "stated_score"})
_FUND_REF_KEYS = {
    (label, attr): f"funds.{label}.{attr}" for label in L.FUND_ROWS for attr in _FUND_FIELDS.values()
}
_FUND_WHAT = {attr: header for header, attr in _FUND_FIELDS.items()}  # field -> its column header


def _key(value: object) -> str:
    """A cell's label key: no whitespace, ':' as '：', no trailing colon. '' for non-labels."""
    if value.__class__ is not str or len(value) > _MAX_LABEL:
        return ""
    return _key_of(value)


@functools.lru_cache(maxsize=16384)
def _key_of(value: str) -> str:
    return value.translate(_WS).replace(":", "：").rstrip("：")


def _header_key(value: object) -> str:
    """A column header's key without a unit suffix: "分值（分）" -> "分值"."""
    if value.__class__ is not str or len(value) > _MAX_LABEL:
        return ""
    return _header_key_of(value)


@functools.lru_cache(maxsize=4096)
def _header_key_of(value: str) -> str:
    key = _key_of(value)
    if key.endswith(("）", ")")):
        key = _PAREN_SUFFIX.sub("", key)
    return key


@functools.lru_cache(maxsize=4096)
def _fund_label_of(value: str) -> str | None:
    key = _key_of(value)
    if not key:
        return None
    if key.startswith("其中："):
        key = key[3:]
    elif key.startswith("其中"):
        key = key[2:]
    key = _PAREN_SUFFIX.sub("", key)
    return _FUND_ALIASES.get(key)


def _is_title(value: object) -> bool:
    if not isinstance(value, str) or len(value) > 60:
        return False
    s = value.translate(_WS)
    return "绩效" in s and ("评价" in s or "自评" in s) and not s.startswith(L.PROJECT)


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
    """Reads the form whose 项目名称 label is at (r0, c0); its region ends before row r1."""

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
            if _key(v) in _ALL_LABELS:
                return None, None
            return v, cc
        return None, None

    def text(self, r: int, c: int | None) -> str:
        return cell_text(self.g.cell(r, c)) if c is not None else ""

    def number(
        self, r: int, c: int | None, what: str | tuple[str, str], stated: bool = False, percent: bool = False
    ):
        """The cell as a Decimal (None when blank or "-"); text raises ReadError naming the cell.

        ``stated`` cells (what the form computes: 执行率, 得分 …) read an Excel error value as blank.
        """
        if c is None:
            return None
        v = self.g.cell(r, c)
        if v is None:
            v = self.blank_value(r, c, what, stated)
            if v is None:
                return None
        if v.__class__ is float:
            try:
                return _decimal_of(v)
            except (ValueError, TypeError, ArithmeticError):
                pass  # nan, inf: the message below
        if v.__class__ is str:
            s = v.strip()
            if s.upper() in _EXCEL_ERRORS:
                if stated:
                    return None
                raise self.error(
                    f"{''.join(what) if isinstance(what, tuple) else what}单元格为错误值 {s}", r, c
                )
            if percent and s.endswith(("%", "％")):
                s = s[:-1]
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

    def blank_value(self, r: int, c: int, what: str | tuple[str, str], stated: bool = False) -> object:
        """A cell the form needs that reads as blank may hide an Excel error value or a formula without
        a cached value (see :meth:`Grid.resolve`): the evaluated value, or None when blank indeed.
        An input cell that holds an error or an unevaluable formula stops the form, naming the cell;
        a ``stated`` cell (执行率, 得分 … which the tool computes itself) then reads as not stated."""
        try:
            return self.g.resolve(r, c)
        except CellProblem as exc:
            if stated:
                return None
            if isinstance(what, tuple):
                what = "".join(what)
            raise self.error(f"{what}{exc.reason}", r, c) from None

    # ---------------------------------------------------------------- blocks

    def read(self) -> Form:
        f = self.form
        value, vc = self.right_value(self.r0, self.c0)
        f.project = cell_text(value)
        self.refs["project"] = self.g.ref(self.r0, vc if vc is not None else self.c0)
        self.read_title()
        funds_pos = self.find_funds()
        header_end = funds_pos[0] if funds_pos else self.r1
        for key, attr in (
            (L.DEPARTMENT, "department"),
            (L.UNIT, "unit"),
            (L.YEAR, "year"),
            (L.PROFILE, "profile"),
        ):
            pos = self.first(key, self.r0, header_end)
            if pos is None:
                continue
            value, vc = self.right_value(*pos)
            setattr(f, attr, cell_text(value))
            self.refs[attr] = self.g.ref(pos[0], vc if vc is not None else pos[1])
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

    lo_title = 0
    lean = False

    def profile_name(self, text: str) -> str:
        from .profiles import PROFILES, find_profile

        key = text.strip()
        profile = find_profile(key)  # built-in profiles only: a workbook cell never names a file to load
        if profile is not None:
            return profile.name
        known = "、".join(p.title for p in PROFILES.values())
        ref = self.refs.get("profile")
        raise ReadError(self.g.source, f"评分规则“{key[:30]}”无法识别，可选：{known}", self.g.sheet, ref)

    def find_funds(self) -> tuple[int, int] | None:
        return self.first(L.FUNDS)

    def read_funds(self, pos: tuple[int, int], stop: int) -> int:
        """Reads the 项目资金 block; returns the row after its last fund row."""
        g, f = self.g, self.form
        fr, fc = pos
        self.refs["funds"] = g.ref(fr, fc)
        unit_texts = [g.cell(fr, fc)]
        header_row, columns = None, {}
        for r in range(fr, min(fr + 3, stop)):
            cols = {}
            for c, v in enumerate(g.rows[r]):
                key = _header_key(v)
                if key in _FUND_FIELDS and key not in cols:
                    cols[key] = c
            if len(cols) >= 3:
                header_row, columns = r, cols
                unit_texts.extend(g.rows[r][c] for c in cols.values())
                break
        if header_row is None:
            raise self.error("“项目资金”部分没有表头（年初预算数、全年预算数、全年执行数…）", fr, fc)
        for needed in ("全年预算数", "全年执行数"):
            if needed not in columns:
                raise self.error(f"“项目资金”表头中没有“{needed}”", header_row)
        self.refs["funds.header"] = g.row_ref(header_row)
        f.money_unit = next(
            (unit for text in unit_texts if isinstance(text, str) for unit in L.MONEY_UNITS if unit in text),
            L.MONEY_UNITS[0],
        )  # 万元 is tried before 元 in each text, and is the default

        # fund rows: label cell, then the numbers
        found: list[tuple[int, int, str]] = []
        seen: set[str] = set()
        misses = 0
        fund_rows = self.fund_rows
        for r in range(fr, stop):
            first = fund_rows.get(r)
            if first is None:
                if r > header_row:
                    misses += 1
                    if found and misses > 1:
                        break
                    if misses > 4:
                        break
                continue
            misses = 0
            c, label = first
            if label not in seen:
                seen.add(label)
                found.append((r, c, label))
        if not found:
            raise self.error("“项目资金”部分没有资金行（年度资金总额等）", header_row)

        order = sorted(columns.items(), key=lambda kv: kv[1])
        names = [name for name, _ in order]
        attrs = [_FUND_FIELDS[name] for name in names]
        header_cols = [c for _, c in order]
        header_set = set(header_cols)
        aligned = True
        for r, c, _ in found:
            if header_cols[0] <= c:
                aligned = False
                break
            row = g.rows[r]
            if any(not _blank(row[cc]) and cc not in header_set for cc in range(c + 1, len(row))):
                aligned = False
                break
        for r, c, label in found:
            row = g.rows[r]
            n = len(row)
            if aligned:
                cols = header_cols
            else:
                start = next((cc for cc in range(c + 1, n) if not _blank(row[cc])), c + 1)
                cols = range(start, start + len(names))
            values = {}
            for attr, col in zip(attrs, cols, strict=True):
                v = row[col] if col < n else None
                if _plain_float(v):  # the common case
                    values[attr] = _decimal_of(v)
                elif v.__class__ is str and v and v in _PLACEHOLDERS:  # "-" on the sub-rows (blank: number())
                    values[attr] = None
                else:
                    values[attr] = self.number(
                        r,
                        col,
                        (f"“{label}”的", _FUND_WHAT[attr]),
                        stated=attr in _STATED_FUND_FIELDS,
                        percent=attr == "stated_rate",
                    )
            fund = FundRow(label, **values)
            if not self.lean:
                for attr, ref in zip(attrs, g.refs_in_row(r, cols), strict=True):
                    self.refs[_FUND_REF_KEYS[label, attr]] = ref
            fund.ref = g.row_ref(r, c, max(c, cols[-1]))
            self.refs[f"funds.{label}"] = fund.ref
            f.funds.append(fund)
        return max(r for r, _, _ in found) + 1

    def read_goals(self, lo: int, hi: int) -> None:
        g, f = self.g, self.form
        goals = self.first(L.GOALS, lo, hi)
        exp = self.first(L.GOAL_EXPECTED, lo, hi)
        act = self.first(L.GOAL_ACTUAL, lo, hi)
        if exp is not None and act is not None and exp[0] == act[0]:
            # columns layout: sub-labels side by side, texts in the rows below
            left, right = (exp, act) if exp[1] < act[1] else (act, exp)
            texts: dict[tuple[int, int], list[str]] = {left: [], right: []}
            first_ref: dict[tuple[int, int], str] = {}
            for r in range(exp[0] + 1, hi):
                row = g.rows[r]
                if any(_key(v) in _ALL_LABELS for v in row if isinstance(v, str)):
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
        for pos, attr in ((exp, "goal_expected"), (act, "goal_actual")):
            if pos is None:
                continue
            value, vc = self.right_value(*pos)
            setattr(f, attr, html_to_text(cell_text(value)))
            self.refs[attr] = g.ref(pos[0], vc if vc is not None else pos[1])
        if exp is None and act is None and goals is not None:
            value, vc = self.right_value(*goals)
            f.goal_expected = html_to_text(cell_text(value))
            self.refs["goal_expected"] = g.ref(goals[0], vc if vc is not None else goals[1])

    def read_indicator_header(self) -> int | None:
        pos = self.first(L.LEVEL3)
        if pos is None:
            return None
        r = pos[0]
        cols: dict[str, int] = {}
        for c, v in enumerate(self.g.rows[r]):
            key = _header_key(v)
            if key and key not in cols:
                cols[key] = c
        self.ind_cols = cols
        return r

    def read_indicators(self, hr: int) -> None:
        g, f = self.g, self.form
        cols = self.ind_cols
        for needed in (L.LEVEL3, L.TARGET, L.ACTUAL, L.POINTS):
            if needed not in cols:
                raise self.error(f"绩效指标表头中没有“{needed}”", hr)
        self.refs["indicators"] = g.row_ref(hr)
        c1, c2, c3 = cols.get(L.LEVEL1), cols.get(L.LEVEL2), cols[L.LEVEL3]
        ct, ca, cp = cols[L.TARGET], cols[L.ACTUAL], cols[L.POINTS]
        cs, cd, cj = cols.get(L.SCORE), cols.get(L.DEVIATION), cols.get(L.JUDGEMENT)
        used = [c for c in (c1, c2, c3, ct, ca, cp, cs, cd, cj) if c is not None]
        lo_c, hi_c = min(used), max(used)
        grade_rows = {r for r, _ in self.positions(L.GRADE, hr + 1)}
        total_rows = {r for r, _ in self.positions(L.TOTAL, hr + 1)}
        level1 = level2 = ""
        width = hi_c + 1
        rows = g.rows
        row_ref = g.span_ref(lo_c, hi_c)
        append = f.indicators.append
        numeric_values: list[tuple[int, int, int, str]] = []  # (indicator, row, column, field)
        for r in range(hr + 1, self.r1):
            if r in grade_rows:
                break
            if r in total_rows:
                self.read_totals(r, cp, cs)
                break
            row = rows[r]
            if len(row) < width:
                row = row + [None] * (width - len(row))
            t1 = _text_of(row[c1]) if c1 is not None else ""
            t2 = _text_of(row[c2]) if c2 is not None else ""
            name, target, actual = _text_of(row[c3]), _text_of(row[ct]), _text_of(row[ca])
            raw_points = row[cp]
            if not (t1 or t2 or name or target or actual) and not _blank(raw_points):
                self.read_totals(r, cp, cs)
                break
            if t1:
                level1, level2 = t1, ""
            if t2:
                level2 = t2
            deviation = html_to_text(_text_of(row[cd])) if cd is not None else ""
            raw_judgement = row[cj] if cj is not None else None
            if not (name or target or actual or deviation) and _blank(raw_points) and _blank(raw_judgement):
                continue  # an unused row
            if not (target and actual):  # an error value or an unsaved formula reads as blank too
                for c, field in ((ct, L.TARGET), (ca, L.ACTUAL)):
                    if _blank(row[c]):
                        value = self.blank_value(r, c, (_indicator_what(name), field))
                        if value is not None:
                            row[c] = value  # row may be a padded copy of the grid's row
                target, actual = _text_of(row[ct]), _text_of(row[ca])
            # the float fast paths skip number() and the message prefix it would need
            if _plain_float(raw_points):
                points = _decimal_of(raw_points)
            else:
                points = self.number(r, cp, (_indicator_what(name), "分值"))
            raw_stated = row[cs] if cs is not None else None
            if _plain_float(raw_stated):
                stated = _decimal_of(raw_stated)
            else:
                stated = self.number(r, cs, (_indicator_what(name), "得分"), stated=True)
            if cj is not None:
                judgement = self.number(r, cj, (_indicator_what(name), "定性评分"))
            else:
                judgement = stated
            if row[ct].__class__ is float or row[ca].__class__ is float:  # a number typed into the cell
                for c, field in ((ct, "target"), (ca, "actual")):
                    if row[c].__class__ is float:
                        numeric_values.append((len(f.indicators), r, c, field))
            append(
                Indicator(
                    level1, level2, name, target, actual, points, stated, deviation, judgement, row_ref(r)
                )
            )
        if numeric_values:
            self.restore_percents(numeric_values)

    def restore_percents(self, numeric_values: list[tuple[int, int, int, str]]) -> None:
        """A 年度指标值 or 实际完成值 typed as "95%" into a cell is stored as 0.95 with a percent number
        format, which the fast readers do not report: ask the workbook for those cells' formats and
        read them back as "95%" (so that they compare with "≥95%" written as text)."""
        percent = self.g.percent_formatted([(r, c) for _, r, c, _ in numeric_values])
        for i, r, c, field in numeric_values:
            if (r, c) in percent:
                value = _decimal_of(self.g.rows[r][c]) * 100
                text = format(value.normalize(), "f") + "%"
                setattr(self.form.indicators[i], field, text)

    def read_totals(self, r: int, cp: int, cs: int | None) -> None:
        f = self.form
        f.stated_total_points = self.number(r, cp, "合计分值", stated=True)
        self.refs["total_points"] = self.g.ref(r, cp)
        if cs is not None:
            f.stated_total_score = self.number(r, cs, "合计得分", stated=True)
            self.refs["total_score"] = self.g.ref(r, cs)

    def read_grade(self, lo: int) -> None:
        pos = self.first(L.GRADE, lo)
        if pos is None:
            return
        value, vc = self.right_value(*pos)
        text = cell_text(value)
        if text.upper() in _EXCEL_ERRORS:
            text = ""
        self.form.stated_grade = text or None
        self.refs["grade"] = self.g.ref(pos[0], vc if vc is not None else pos[1])


_Kind = tuple[str, str] | None
_KINDS: dict[str, _Kind] = {}  # raw cell text -> what it is; forms repeat the same few labels


def _kind_of(v: str) -> _Kind:
    """What a text cell is for the scan: ("label", key), ("funds", 项目资金), ("fund", row label),
    ("title", "") or None. Cached by the raw text."""
    kind = _KINDS.get(v, False)
    if kind is not False:
        return kind  # type: ignore[return-value]
    kind = None
    if len(v) <= 60:
        if len(v) <= _MAX_LABEL:
            key = _key_of(v)
            if key in _INDEXED:
                kind = ("label", key)
            elif key.startswith(L.FUNDS):  # 项目资金（万元）
                kind = ("funds", L.FUNDS)
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
            kind = get(v, False)
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


def read_grid(grid: Grid, *, on_error: FormErrorHandler | None = None, lean: bool = False) -> list[Form]:
    """All forms in one grid, in order. Raises :class:`ReadError` for an unusable form.

    With ``on_error``, a broken form is passed to it and the other forms are still returned.
    ``lean=True`` skips what a batch summary has no use for: the 年度总体目标 texts and the cell
    reference of every single fund figure (``funds.<label>.<field>``; row references stay).
    Never raises anything but ReadError.
    """
    try:
        found, titles, fund_rows = _scan(grid)
        starts: list[tuple[int, int]] = []
        for r, c in found.get(L.PROJECT, ()):
            if not starts or starts[-1][0] != r:
                starts.append((r, c))
        forms: list[Form] = []
        for i, (r, c) in enumerate(starts):
            r1 = starts[i + 1][0] if i + 1 < len(starts) else len(grid.rows)
            reader = _FormReader(grid, len(forms) + 1, r, c, r1, found, titles, fund_rows)
            reader.lean = lean
            reader.lo_title = max(starts[i - 1][0] + 1 if i else 0, r - 6)
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


def read_forms(path: str | os.PathLike, *, on_sheet_error: FormErrorHandler | None = None) -> list[Form]:
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
        on_sheet_error(err)

    handler = report if on_sheet_error is not None else None
    for grid in load_grids(path, on_sheet_error=handler):
        forms.extend(read_grid(grid, on_error=handler))
    if not forms and not reported:
        raise ReadError(os.fspath(path), "没有找到绩效自评表（未找到“项目名称”）")
    return forms

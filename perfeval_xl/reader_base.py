"""What reading any block of a form needs: the form's state and the helpers every block uses."""

from __future__ import annotations

import functools
from decimal import Decimal

from .cellgrid import Grid
from .headers import Column, HeaderError, header_key, is_second_row, map_columns
from .model import Form, Indicator, ReadError
from .reader_cells import _blank, _cached, _decimal_of, cell_text
from .reader_vocab import (
    _EXCEL_ERRORS,
    _FUND_FIELDS,
    _FUND_KNOWN,
    _IND_FIELDS,
    _IND_KNOWN,
    _IND_PARTS,
    _IND_WHAT,
    _PLACEHOLDERS,
    _is_label,
)
from .values import to_decimal
from .xlsxcells import CellProblem


class FormBase:
    """The state of reading one form -- the form whose name label (项目名称, 部门名称, 专项名称 …) is at
    (r0, c0), its region ending before row r1 -- and what every block's reading needs: messages naming
    the cell, where a label was found, a cell as a number, a block's header as columns. The blocks'
    reading is added by the mixins of :mod:`perfeval_xl.reader_fields`, :mod:`perfeval_xl.reader_funds`,
    :mod:`perfeval_xl.reader_indicators` and :mod:`perfeval_xl.reader_totals`; :mod:`perfeval_xl.reader`
    puts them together."""

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
    #: 自评得分 | 98 among the header fields: (score, its cell, the label's cell, the label), the stated
    #: 总分 unless a totals row states one (see :meth:`TotalsReader.header_total`)
    stated_in_header: tuple[Decimal | None, str, str, str] | None = None
    lean = False
    explain = False

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

    def rows_of(self, label: str, lo: int) -> set[int]:
        """The rows of ``positions(label, lo)`` (a loop: quicker than the comprehensions, once a form)."""
        rows = set()
        for r, _ in self.found.get(label, ()):
            if lo <= r < self.r1:
                rows.add(r)
        return rows

    def first(self, label: str, lo: int | None = None, hi: int | None = None) -> tuple[int, int] | None:
        """``positions(label, lo, hi)[0]`` or None; the scan lists positions in row order."""
        lo = self.r0 if lo is None else lo
        for pos in self.found.get(label, ()):
            if pos[0] >= lo:
                return pos if pos[0] < (self.r1 if hi is None else hi) else None
        return None

    def right_value(self, r: int, c: int) -> tuple[object, int | None]:
        """First non-blank cell right of (r, c), unless that is another label."""
        rows = self.g.rows
        row = rows[r] if 0 <= r < len(rows) else []
        for cc in range(c + 1, len(row)):
            v = row[cc]
            if v is None or (isinstance(v, str) and not v.strip()):  # _blank, inline
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
            shown = cell_text(self.g.cell(r, c)) if c is not None else cell_text(v)  # as written: 九十分
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

    def under_merged_score(
        self, r: int, cs: int | None, prev: Indicator, level1: str, level2: str, new_level2: bool
    ) -> tuple[bool, bool]:
        """``(shares, assumed)`` for row r's blank 得分 in a form that states points only per 一级指标:
        is it the rest of one merged 得分 cell over the rows above (the same 一级指标), and is that
        inferred? Where the source records merged cells (xlsx, xls, HTML rowspan) it says; elsewhere a
        blank 得分 under the same 二级指标 is taken as merged, and the rules say so
        (``score-merge-assumed``), since a merged cell's rest and a score left out look alike there."""
        merged = self.g.merged_from_above(r, cs) if cs is not None else None
        if merged is None:
            shares = not new_level2 and prev.level1 == level1 and prev.level2 == level2 != ""
            return shares, shares
        return merged and prev.level1 == level1, False

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

    def unknown_header(
        self, r0: int, r1: int, cols: dict[str, Column], fields: dict[str, str], known: frozenset[str]
    ) -> tuple[int, int] | None:
        """The first cell of header rows r0..r1, right of the block's first column, that names no
        field and no known word, in a column no field was mapped to: another province's word for a
        field, or a column the vocabulary does not know."""
        mapped = {c.col for c in cols.values()}
        lo = min(mapped, default=0)
        for r in range(r0, r1 + 1):
            row = self.g.rows[r]
            for c in range(lo, len(row)):
                v = row[c]
                if c not in mapped and v.__class__ is str and (k := header_key(v)):
                    if k not in fields and k not in known:
                        return r, c
        return None

    def no_unknown_column(self, r0: int, r1: int, cols: dict[str, Column], parts: bool) -> None:
        """Stop when the indicator header (rows r0..r1) has a column the vocabulary does not know
        while a field a form normally has is missing: that column may be the field in another wording
        (未完成原因分析及改进措施 for 偏差原因分析), and reading on would drop it without a word."""
        missing = [
            f for f in _IND_WHAT if f not in cols and f != "judgement" and not (f == "target" and parts)
        ]
        at = self.unknown_header(r0, r1, cols, _IND_FIELDS, _IND_KNOWN) if missing else None
        if at is None:
            return
        r, c = at
        what = "、".join(f"“{_IND_WHAT[f]}”" for f in missing)
        raise self.error(
            f"绩效指标表头“{cell_text(self.g.rows[r][c])}”不是可识别的列名，表头中又没有{what}，"
            "无法确定这一列是不是其中之一",
            r,
            c,
        )

    def no_empty_field_column(self, cols: dict[str, Column], last_header: int) -> None:
        """Stop when a field's column is blank in every indicator row while the column right of it,
        headed by nothing, holds something there: a header cell over two columns (merged) with the
        values in its right-hand one, which reading on would drop without a word."""
        rows, inds = self.g.rows, self.form.indicators
        if not inds:
            return
        headers = range(min(c.row for c in cols.values()), last_header + 1)
        mapped = {c.col for c in cols.values()}
        below = range(last_header + 1, self.r1)
        for fld, col in cols.items():
            c = col.col
            if c + 1 in mapped or any(not _blank_cell(rows[r], c + 1) for r in headers):
                continue  # the next column is another field's (the common case) or has a header
            attr = _FIELD_ATTRS.get(fld)  # (a part of a two-row 年度指标值 is looked up in the grid below)
            if attr is not None and not all(
                not getattr(ind, attr) and getattr(ind, attr) != 0 for ind in inds
            ):
                continue  # the field has values
            filled = [r for r in below if not _blank_cell(rows[r], c + 1)]
            if not filled:  # the usual case: nothing beside the empty column
                continue
            read = {ind.row for ind in inds}  # the rows read as indicators (not the totals, notes)
            body = [rows[r] for r in below if self.g.sheet_row(r) in read]
            if any(self.g.sheet_row(r) in read for r in filled) and all(_blank_cell(row, c) for row in body):
                raise self.error(
                    f"绩效指标表头“{col.text}”下的一列全为空，其右侧没有表头的一列却有内容"
                    "（表头是否跨了两列？），无法确定读取哪一列",
                    col.row,
                    c,
                )

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


_BLOCK_WORDS = {  # what= of a block -> (fields, parts, known), for the second-row test
    "“项目资金”表头": (_FUND_FIELDS, {}, _FUND_KNOWN),
    "绩效指标表头": (_IND_FIELDS, _IND_PARTS, _IND_KNOWN),
}


@functools.lru_cache(maxsize=1024)
def _second_row(row: tuple, what: str) -> bool:
    fields, parts, known = _BLOCK_WORDS[what]
    return is_second_row(list(row), fields, parts, known)


#: header fields -> the Indicator attribute they fill (a field all of whose values are blank is checked)
_FIELD_ATTRS = {
    "level1": "level1",
    "level2": "level2",
    "name": "name",
    "target": "target",
    "actual": "actual",
    "points": "points",
    "stated_score": "stated_score",
    "deviation": "deviation_reason",
}


def _blank_cell(row: list, c: int) -> bool:
    """Whether a row's cell c is blank: past the row's end, or :func:`_blank`."""
    return c >= len(row) or _blank(row[c])

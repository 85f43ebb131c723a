"""The funds block (项目资金, 资金情况, 预算资金 …): its header, its fund rows and their figures, a shift
of the figures against the header, and the budget's points."""

from __future__ import annotations

import functools
import operator
from decimal import Decimal

from . import labels as L
from . import reader_fundcols as fundcols
from .checks import finding
from .headers import Column
from .model import FundRow
from .reader_base import FormBase
from .reader_breakdown import read_breakdowns
from .reader_cells import (
    _INFINITIES,
    _SLOW,
    _blank,
    _cached,
    _decimal_of,
    _is_figure,
    _quick,
    cell_text,
)
from .reader_vocab import (
    _FUND_ATTRS,
    _FUND_FIELDS,
    _FUND_KNOWN,
    _FUND_WHAT,
    _PLACEHOLDERS,
    _POINTS_IN,
    _STATED_FUND_FIELDS,
    _UNIT_LINE,
    _is_label,
    _key,
    _key_of,
    _money_unit_in,
)


class FundsReader(FormBase):
    """The funds block of a form."""

    def funds_header(self, fr: int, stop: int) -> tuple[int, dict[str, Column], int]:
        """The funds header: (first header row, columns, last header row)."""
        rows = self.g.rows
        for r in range(fr, min(fr + 4, stop)):
            if _cached(fundcols._is_funds_header, tuple(rows[r])):
                cols, last = self.columns(r, _FUND_FIELDS, known=_FUND_KNOWN, what="“项目资金”表头")
                return r, cols, last
        funds = self.first("funds")
        raise self.error(
            "“项目资金”部分没有表头（年初预算数、全年预算数、全年执行数…）", fr, funds[1] if funds else None
        )

    def read_funds(self, pos: tuple[int, int], stop: int) -> int:
        """Reads the 项目资金 block; returns the row after its last fund row."""
        fr, fc = pos
        header_row, columns, last_header = self.funds_columns(fr, fc, stop)
        found = self.find_fund_rows(columns, header_row, last_header, stop, fc)
        order = sorted(columns.values(), key=operator.attrgetter("col"))
        attrs = tuple([col.field for col in order])
        header_cols = [col.col for col in order]
        shift = self.fund_shift(found, header_row, last_header, header_cols)
        block = _fund_columns(attrs, tuple([hc + shift for hc in header_cols]))
        if shift and (off := fundcols.rate_off_its_column(self.g, found, block.attrs, block.cols)):
            what = f"资金行的百分数“{off[3]}”按表头对齐后落在“{_FUND_WHAT[off[2]]}”列（数字与表头错了一列？）"
            raise self.error(what, off[0], off[1])
        fraction_rates: list[tuple[FundRow, int, int]] = []
        for r, c, label in found:
            self.read_fund_row(r, c, label, block, fraction_rates)
        if fraction_rates:
            self.restore_percent_rates(fraction_rates)
        self.budget_points(columns, fr, fc)
        after = found[-1][0] + 1  # found is in row order
        self.form.breakdowns = read_breakdowns(self.g, after, stop, fc, self.form.money_unit)
        return after

    def funds_columns(self, fr: int, fc: int, stop: int) -> tuple[int, dict[str, Column], int]:
        """The funds block titled at (fr, fc): its header (first row, columns, last row) and the
        form's money unit."""
        g, f = self.g, self.form
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
        heads = [v for r in range(header_row, last_header + 1) for v in g.rows[r]]  # 年度预算数(万元) too
        in_block, line = (
            _money_unit_in([title, *[col.text for col in columns.values()], *heads]),
            self.unit_line(fr),
        )
        if in_block and line and in_block != line:  # 项目资金(万元) under a line 单位：元: which one?
            raise self.error(
                f"金额单位前后不一：资金部分写“{in_block}”，上方又写“{self.headers['money_unit']}”，无法确定金额单位",
                fr,
                fc,
            )
        f.money_unit = in_block or line or L.MONEY_UNITS[0]
        if not (in_block or line):
            f.notes.append(
                finding("money-unit-assumed", "金额单位", f"表上没有写金额单位，按{f.money_unit}计")
            )
        return header_row, columns, last_header

    def find_fund_rows(
        self, columns: dict[str, Column], header_row: int, last_header: int, stop: int, fc: int
    ) -> list[tuple[int, int, str]]:
        """The fund rows below the header: (row, label column, label). A row whose label the vocabulary
        does not know counts between known rows (a sub-row under its own name); after the last one,
        or a label written twice, stops the form. No labelled row at all: the one unlabelled row of
        figures (:meth:`unlabelled_total`), or the form stops."""
        g = self.g
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
            single = self.unlabelled_total(last_header + 1, stop, columns, fc)
            if single is None:
                raise self.error("“项目资金”部分没有资金行（年度资金总额等）", header_row)
            found.append(single)
        return found

    def read_fund_row(
        self, r: int, c: int, label: str, block: _FundColumns, fraction_rates: list[tuple[FundRow, int, int]]
    ) -> None:
        """The fund row at r (its label at column c), in the columns of ``block``. A 执行率 that may be a
        percent-formatted fraction is noted in ``fraction_rates``."""
        g, f = self.g, self.form
        attrs, cols = block.attrs, block.cols
        row = g.rows[r]
        n = len(row)
        values: list[Decimal | None] = []  # in block.attrs order
        for attr, cc in zip(attrs, cols, strict=True):
            v = row[cc] if cc < n else None
            if v.__class__ is float and v == v and v not in _INFINITIES:  # _quick's first case, inline
                values.append(_decimal_of(v))
                continue
            q = _quick(v)  # the common case: a plain number, or "-" on the sub-rows
            if q is _SLOW and v.__class__ is str and v and v in _PLACEHOLDERS:  # "-" (blank: number())
                q = None
            elif q is _SLOW:
                q = self.number(
                    r,
                    cc,
                    (f"“{label}”的", _FUND_WHAT[attr]),
                    stated=attr in _STATED_FUND_FIELDS,
                    percent=attr == "stated_rate",
                    unit=f.money_unit if attr in ("initial", "annual", "executed") else None,
                    points=attr == "stated_points",
                    formula_ok=attr == "stated_points",  # the template's =PE_BUDGET_POINTS(…)
                )
            values.append(q)
        # a stated score or rate is checked by the rules; the points must be points
        i, j = block.points, block.rate
        points = values[i] if i is not None else None
        if points is not None:
            self.in_range(points, r, cols[i], f"“{label}”的{_FUND_WHAT['stated_points']}")  # type: ignore[index]
        rate = values[j] if j is not None else None
        if rate is not None and rate < 0:
            raise self.error(f"“{label}”的执行率不应为负数", r, cols[j])  # type: ignore[index]
        if points is None and i is not None:  # the budget's points
            v = row[cols[i]] if 0 <= cols[i] < n else None
            if not (v.__class__ is str and v and v in _PLACEHOLDERS):  # "-" on a sub-row is no error value
                self.no_error_value(r, cols[i], (f"“{label}”的", _FUND_WHAT["stated_points"]))
        values.append(None)  # the FundRow fields the header lacks
        initial, annual, executed, points_at, rate_at, score_at = block.slots
        fund = FundRow(
            label,
            values[initial],
            values[annual],
            values[executed],
            values[points_at],
            values[rate_at],
            values[score_at],
            g.row_ref(r, c, max(c, cols[-1])),
        )
        if rate is not None and 0 < rate <= 2:  # 0.9949 shown as 99.49%?
            c_rate = cols[j]  # type: ignore[index]
            if c_rate < n and row[c_rate].__class__ is float:
                fraction_rates.append((fund, r, c_rate))
        if not self.lean:
            for attr, ref in zip(attrs, g.refs_in_row(r, cols), strict=True):
                self.refs[f"funds.{label}.{attr}"] = ref
            self.headers[f"funds.{label}"] = cell_text(row[c])
        self.refs[f"funds.{label}"] = fund.ref
        f.funds.append(fund)

    def restore_percent_rates(self, rates: list[tuple[FundRow, int, int]]) -> None:
        """A stated 执行率 typed as a percentage (99.49% is stored as 0.9949 with a percent format) is
        read in percent, 99.49, when the cell's format says so (asked from the workbook, see
        :meth:`Grid.percent_formatted`)."""
        percent = self.g.percent_formatted([(r, c) for _, r, c in rates])
        if not percent:
            return
        for fund, r, c in rates:
            if (r, c) in percent and fund.stated_rate is not None:
                fund.stated_rate = fund.stated_rate * 100

    def unit_line(self, fr: int) -> str | None:
        """The money unit stated once for the form (单位：万元) above the funds block, or None."""
        for r in range(self.lo_title, fr):
            for c, v in enumerate(self.g.rows[r]):
                if v.__class__ is not str or "位" not in v:  # 单位：… (quick test: every form asks)
                    continue
                k = _key(v)
                if k and k.startswith(_UNIT_LINE):
                    for unit in L.MONEY_UNITS:
                        if unit in k:
                            self.refs["money_unit"] = self.g.ref(r, c)
                            self.headers["money_unit"] = cell_text(v)
                            return unit
        return None

    def unlabelled_total(
        self, r: int, stop: int, columns: dict[str, Column], fc: int
    ) -> tuple[int, int, str] | None:
        """A funds block of one row without a label (Chongqing: 部门预算执行情况 | | 1000 | 1250 | 950 | 76%
        …): figures right under the header, in its columns, nothing left of them, and no figures in the
        row below. That one row is the 年度资金总额; anything else stays unreadable."""
        g = self.g
        if r >= stop:
            return None
        row = g.rows[r]
        cols = sorted(col.col for col in columns.values())
        figures = [c for c in cols if c < len(row) and _is_figure(row[c])]
        if not figures or any(not _blank(row[c]) for c in range(min(cols))):
            return None
        below = g.rows[r + 1] if r + 1 < stop else []
        if any(c < len(below) and _is_figure(below[c]) for c in cols):
            return None
        self.refs["funds.unlabelled"] = g.row_ref(r)
        return r, min(fc, min(cols) - 1), L.FUND_TOTAL

    def unknown_fund_row(self, r: int, amount_cols: list[int]) -> tuple[int, str] | None:
        """(label column, label) of a row with figures under the amount columns whose label the
        vocabulary does not know; None for a row without figures (or a row of some other label)."""
        row = self.g.rows[r]
        n = len(row)
        first = next((c for c in amount_cols if c < n and _is_figure(row[c])), None)  # the first figure
        if first is None:
            return None
        c = next((c for c in range(first) if not _blank(row[c])), None)
        if c is None:
            raise self.error("资金部分有数字却没有资金行名称，无法确定这些数字属于哪一项", r, first)
        if _is_label(row[c]):
            return None
        return c, _key_of(cell_text(row[c]))

    def fund_shift(self, found, header_row: int, last_header: int, header_cols: list[int]) -> int:
        """How far right of their header the fund rows' figures sit (0 when aligned). Exported forms
        shift merged rows (the seed's forms 2-4 sit two columns right); the shift must be the same
        for every row and the only one that fits, or the form stops (never a guess)."""
        g = self.g
        all_header = _cached(
            fundcols._header_columns, tuple(tuple(g.rows[hr]) for hr in range(header_row, last_header + 1))
        )  # cached: forms repeat their headers
        lo = header_cols[0]
        if self.aligned(found, all_header, lo):  # the common case
            return 0
        filled_rows = []
        for r, c, _ in found:
            row = g.rows[r]
            filled = [
                cc
                for cc in range(c + 1, len(row))
                if (v := row[cc]).__class__ is float or fundcols._filled(v)
            ]
            filled_rows.append((c, tuple(filled)))
        shift = fundcols._shift(tuple(filled_rows), all_header, lo)
        if shift and (odd := fundcols.forced_shift(filled_rows, all_header, lo)) is not None:
            r, c, _ = found[odd]  # every row shifted alike (an export's merged rows), unless some fit as is
            what = f"资金行“{cell_text(g.rows[r][c])}”与其他资金行的数字列不一致（名称或数字错了一列？）"
            raise self.error(what + "，无法确定各数字属于哪一列", r, c)
        if shift is not None:
            return shift
        figures = {cc for _, filled in filled_rows for cc in filled}
        unknown = fundcols.unknown_header_cell(g.rows, header_row, last_header, all_header, figures)
        if unknown is not None:  # the likely cause: a column header the vocabulary does not know
            r, c = unknown
            text = cell_text(g.rows[r][c])
            raise self.error(f"“项目资金”表头“{text}”不是可识别的列名，资金行的数字与表头的列对不上", r, c)
        r, c, label = found[0]
        raise self.error("资金行的数字与“项目资金”表头的列对不上，无法确定各数字属于哪一列", r, c)

    def aligned(self, found: list[tuple[int, int, str]], all_header: frozenset[int], lo: int) -> bool:
        """Every fund row's label left of the header's first column and its figures only under header
        words (the columns no header word names are blank in every fund row)."""
        if any(c >= lo for _, c, _ in found):  # (before the columns below are worked out)
            return False
        rows = self.g.rows
        width = max(len(rows[r]) for r, _, _ in found)
        loose = [cc for cc in range(width) if cc not in all_header]
        for r, c, _ in found:
            row = rows[r]
            n = len(row)
            for cc in loose:
                if c < cc < n and fundcols._filled(row[cc]):
                    return False
        return True

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


@functools.lru_cache(maxsize=256)
def _fund_columns(attrs: tuple[str, ...], cols: tuple[int, ...]) -> _FundColumns:
    """The same for every funds block of the same layout (cached)."""
    return _FundColumns(attrs, cols)


class _FundColumns:
    """The fund rows' columns: field ``attrs[i]`` in column ``cols[i]``; ``slots``: each FundRow figure's
    index in a row's values (_FUND_ATTRS order; ``len(attrs)``, a None after them, when not in the header)."""

    def __init__(self, attrs: tuple[str, ...], cols: tuple[int, ...]):
        self.attrs, self.cols = attrs, cols
        self.points = attrs.index("stated_points") if "stated_points" in attrs else None
        self.rate = attrs.index("stated_rate") if "stated_rate" in attrs else None
        self.slots = tuple(attrs.index(a) if a in attrs else len(attrs) for a in _FUND_ATTRS)

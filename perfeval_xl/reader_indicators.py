"""The indicator table: its one- or two-row header, its rows (一级/二级/三级指标, 年度指标值, 实际完成值,
分值, 得分 …), goal blocks repeating the header, and cells whose percent format the workbook knows."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import NamedTuple

from . import grouppoints
from . import labels as L
from .model import Indicator
from .reader_cells import (
    _INFINITIES,
    _SLOW,
    _blank,
    _cached,
    _decimal_of,
    _empty_mark,
    _empty_text,
    _quick,
    _text_of,
)
from .reader_totals import TotalsReader
from .reader_vocab import (
    _EXCEL_ERRORS,
    _IND_FIELDS,
    _IND_KNOWN,
    _IND_PARTS,
    _IND_WHAT,
    _NUMBERED_NAME,
    _POINTS_IN,
    _ROW_PLACEHOLDERS,
    _WEIGHT_NUMBER,
    _header_key,
    _level1_weight,
)
from .text import html_to_text

#: the indicator table's columns, in :attr:`_Table.columns` order (None: the table has no such column)
_TABLE_FIELDS = ("level1", "level2", "name", "target", "actual", "points", "stated_score", "deviation",
                 "judgement", "target.op", "target.number", "target.unit")  # fmt: skip
_Opt = int | None
_Columns = tuple[_Opt, _Opt, int, int, int, _Opt, _Opt, _Opt, _Opt, _Opt, _Opt, _Opt]


class _Table(NamedTuple):
    """The indicator table as its header says: the columns and how it states its points."""

    columns: _Columns  # 年度指标值's is its 指标值 part's when it is written in parts
    parts: bool  # 年度指标值 in parts: 指标性质 | 指标值 | 度量单位
    by_group: bool  # no 分值 column: points per 一级指标 (产出指标(60分)) or per goal block
    weight_header: bool  # 分值 is headed 权重 (a 20% may be stored as 0.2)
    adjusted: int | None = None  # 调整指标值 (Chongqing): when filled, the row's target instead


_ZERO, _ONE, _HUNDRED = Decimal(0), Decimal(1), Decimal(100)
_SUBTOTAL = frozenset({"小计", "小计：", "小计:", "小 计"})


def _indicator_what(name: str) -> str:
    """The start of a message about an indicator's cell: 指标“name”的."""
    return f"指标“{name}”的" if name else "指标的"


class IndicatorsReader(TotalsReader):
    """The indicator table of a form (its totals row ends it)."""

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
        """The indicator rows below the header at row hr, down to the totals row, the grade or the end
        of the form's region; the header again further down starts a second goal block."""
        g, f = self.g, self.form
        table = self.indicator_table(hr)
        c1, c2, c3, ct, ca, cp, cs, cd, cj, cto, ctn, ctu = table.columns
        parts, by_group = table.parts, table.by_group
        cadj = table.adjusted
        used = [c for c in (c1, c2, c3, ct, ca, cp, cs, cd, cj, cto, ctu, cadj) if c is not None]
        lo_c, hi_c = min(used), max(used)
        grade_rows = self.rows_of("grade", hr + 1) | self.rows_of("signature", hr + 1)  # both end the table
        total_rows = self.rows_of("total", hr + 1)
        # the header again further down: a second goal block (年度绩效目标2(40分)), the same columns
        more_headers = dict(self.positions("indicators", self.ind_last_header + 1))
        stops = total_rows | grade_rows | more_headers.keys()  # one test per row for the three
        block = 1
        block_weights = {1: self.block_weight(hr, c1 if c1 is not None else c3)}
        level1 = level2 = ""
        width = hi_c + 1
        rows = g.rows
        row_ref = g.span_ref(lo_c, hi_c)
        append = f.indicators.append
        numeric_values: list[tuple[int, int, int, str]] = []  # (indicator, row, column, field)
        weight_cells: list[tuple[int, int, int]] | None = [] if table.weight_header else None
        explain = self.explain
        sheet_row = g.sheet_row
        for r in range(self.ind_last_header + 1, self.r1):
            if r in stops:
                if r in total_rows:
                    self.read_totals(r, cp, cs)
                    break
                if r in grade_rows:
                    break
                block += 1
                block_weights[block] = self.next_block(r, more_headers[r], c1, c3)
                level1 = level2 = ""
                continue
            row = rows[r]
            if len(row) < width:
                row = row + [None] * (width - len(row))
            # the cells as text (_text_of, its common case inline: the row loop is the batch's hot path)
            t1 = "" if c1 is None else v.strip() if (v := row[c1]).__class__ is str else _text_of(v)
            t2 = "" if c2 is None else v.strip() if (v := row[c2]).__class__ is str else _text_of(v)
            name = v.strip() if (v := row[c3]).__class__ is str else _text_of(v)
            actual = v.strip() if (v := row[ca]).__class__ is str else _text_of(v)
            if t1 in _SUBTOTAL or t2 in _SUBTOTAL or name in _SUBTOTAL:  # a 一级指标's 小计: not an indicator
                continue
            ctr = ct  # the target's cell: 调整指标值 when filled (the target revised during the year)
            if cadj is not None and not _empty_mark(row[cadj]):
                ctr = cadj
            if parts:
                target = self.compose_target(row, cto, ctn, ctu)
            else:
                target = v.strip() if (v := row[ctr]).__class__ is str else _text_of(v)
            raw_points = row[cp] if cp is not None else None
            if not (t1 or t2 or name or target or actual) and not _blank(raw_points):
                self.read_totals(r, cp, cs)
                break
            weight = None
            if t1 and t1[-1] in "）)":  # 产出指标（50分）, or (50分) on the row below 产出指标
                weight, t1 = _level1_weight(t1)
            if t1:  # the same 一级指标 again, under a 二级指标 cell merged over this row, keeps that
                keep = t1 == level1 and c2 is not None and g.merged_from_above(r, c2)
                level1, level2 = t1, level2 if keep else ""
            if weight is not None and by_group and level1:
                f.level1_points[level1] = _decimal_of(_WEIGHT_NUMBER.search(weight).group(0))  # type: ignore[union-attr]
                self.refs[f"level1_points.{level1}"] = g.ref(r, c1)  # type: ignore[arg-type]
            new_level2 = bool(t2) and not _empty_text(t2)  # _empty_mark of a text
            if new_level2:
                level2 = t2
            if name.startswith("指标"):
                name = _NUMBERED_NAME.sub("", name, count=1).strip() if _NUMBERED_NAME.match(name) else name
            deviation = "" if cd is None else v.strip() if (v := row[cd]).__class__ is str else _text_of(v)
            if deviation:
                deviation = html_to_text(deviation)
            raw_judgement = row[cj] if cj is not None else None
            if not (name or target or actual or deviation) and _blank(raw_points) and _blank(raw_judgement):
                continue  # an unused row
            if not (target and actual):  # an error value or an unsaved formula reads as blank too
                target, actual = self.resolve_blanks(r, row, name, table, ctr)
            if target[:1] == "#" or actual[:1] == "#":  # an error value as text (text exports, openpyxl)
                self.refuse_error_texts(r, name, ctr, target, ca, actual)
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
                    self.note_breakdown(r, c3, name)
                continue
            # 分值, 得分, 定性评分 (inline: the row loop is the batch's hot path); the fast paths skip
            # number() and the message prefix it would need
            points = None
            if cp is not None:
                if (v := raw_points).__class__ is float and v == v and v not in _INFINITIES:
                    points = _decimal_of(v)  # _quick's first case
                else:
                    points = _quick(v)
                if points is _SLOW:
                    points = self.number(r, cp, (_indicator_what(name), "分值"), points=True)
                elif weight_cells is not None and raw_points.__class__ is float and _ZERO < points < _ONE:
                    weight_cells.append((len(f.indicators), r, cp))  # 20% stored as 0.2? (restore_weights)
                if points is not None and not (_ZERO <= points <= _HUNDRED):  # Decimals: quicker than ints
                    self.in_range(points, r, cp, f"{_indicator_what(name)}分值")
            v = row[cs] if cs is not None else None
            stated = _decimal_of(v) if v.__class__ is float and v == v and v not in _INFINITIES else _quick(v)
            if stated is _SLOW:
                stated = self.number(r, cs, (_indicator_what(name), "得分"), stated=True, points=True)
            if cj is not None:
                judgement = self.number(r, cj, (_indicator_what(name), "定性评分"))
            else:
                judgement = stated
            if row[ctr].__class__ is float and not parts:  # a percent format may turn 0.95 into "95%"
                numeric_values.append((len(f.indicators), r, ctr, "target"))
            if row[ca].__class__ is float:
                numeric_values.append((len(f.indicators), r, ca, "actual"))
            if explain:
                self.note_cells(r, row, table)
                if ctr != ct:
                    self.refs[f"indicators.{len(f.indicators)}.target"] = g.ref(r, ctr)
            shares = assumed = False
            if by_group and stated is None and not t1 and f.indicators:  # under a merged 得分 cell?
                shares, assumed = self.under_merged_score(r, cs, f.indicators[-1], level1, level2, new_level2)
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
                    sheet_row(r),
                    assumed,
                )
            )
        if by_group and not f.level1_points and f.indicators:
            self.block_points(hr, block_weights)
        if numeric_values:
            self.restore_percents(numeric_values)
        if weight_cells:
            self.restore_weights(weight_cells)

    def indicator_table(self, hr: int) -> _Table:
        """The indicator header's columns (the required ones there or the form stops) and how the
        table states its points."""
        cols = self.ind_cols
        parts = "target" not in cols and "target.number" in cols
        by_group = False  # points stated only per 一级指标 (产出指标(60分)), scores per indicator
        self.no_unknown_column(hr, self.ind_last_header, cols, parts)
        for needed in ("name", "target", "actual", "points"):
            if needed not in cols and not (needed == "target" and parts):
                if needed == "points":
                    # no 分值 column: a form that states neither points nor scores (some 专项资金 forms),
                    # or one whose points stand in its 一级指标 labels (checked after the rows)
                    by_group = "stated_score" in cols
                    continue
                raise self.error(f"绩效指标表头中没有“{_IND_WHAT[needed]}”", hr)
        self.refs["indicators"] = self.g.row_ref(hr)
        if not self.lean:
            self.note_columns("indicators", cols)

        def col(name: str) -> int | None:
            c = cols.get(name)
            return c.col if c is not None else None

        columns = (
            col("level1"),
            col("level2"),
            cols["name"].col,  # required above, and so are 实际完成值 and 年度指标值 (or its 指标值 part)
            cols["target.number" if parts else "target"].col,
            cols["actual"].col,
            col("points"),
            col("stated_score"),
            col("deviation"),
            col("judgement"),
            col("target.op"),
            col("target.number"),
            col("target.unit"),
        )
        weight_header = "points" in cols and _header_key(cols["points"].text.split("/")[-1]) == "权重"
        return _Table(columns, parts, by_group, weight_header, None if parts else col("target_adjusted"))

    def next_block(self, r: int, c: int, c1: int | None, c3: int) -> tuple[Decimal, str] | None:
        """The indicator header again at (r, c), in the same columns: a second goal block; its points."""
        if c != c3:
            raise self.error("第二个绩效指标表头的列与第一个不同，无法确定各列", r, c)
        return self.block_weight(r, c1 if c1 is not None else c3)

    def resolve_blanks(self, r: int, row: list, name: str, table: _Table, ct: int) -> tuple[str, str]:
        """A blank 年度指标值 or 实际完成值 may hide an error value or a formula without a cached value:
        the row's (target, actual) with those cells resolved (see :meth:`blank_value`); ``ct`` is the
        target's cell in this row."""
        *_, ca, _, _, _, _, cto, ctn, ctu = table.columns
        for c, fld in ((ct, L.TARGET), (ca, L.ACTUAL)):
            if _blank(row[c]):
                value = self.blank_value(r, c, (_indicator_what(name), fld))
                if value is not None:
                    row[c] = value  # row may be a padded copy of the grid's row
        actual = _text_of(row[ca])
        target = self.compose_target(row, cto, ctn, ctu) if table.parts else _text_of(row[ct])
        return target, actual

    def refuse_error_texts(self, r: int, name: str, ct: int, target: str, ca: int, actual: str) -> None:
        """An error value written as text (#DIV/0! in a text export or read by openpyxl) stops the form."""
        for c, text, fld in ((ct, target, L.TARGET), (ca, actual, L.ACTUAL)):
            if text.upper() in _EXCEL_ERRORS:
                raise self.error(f"{_indicator_what(name)}{fld}单元格为错误值 {text}", r, c)

    def note_cells(self, r: int, row: list, table: _Table) -> None:
        """``--explain``: the cell each field of the indicator about to be added was read from."""
        i = len(self.form.indicators)
        for fld, fc in zip(_TABLE_FIELDS, table.columns, strict=True):
            if fc is not None and fld != "target.number" and not _blank(row[fc]):
                self.refs[f"indicators.{i}.{fld}"] = self.g.ref(r, fc)

    def note_breakdown(self, r: int, c3: int, name: str) -> None:
        """``--explain``: a 其中… row read as a breakdown of the indicator above."""
        key = f"indicators.{len(self.form.indicators) - 1}.breakdown"
        here = f"{self.g.ref(r, c3)}“{name}”"
        self.refs[key] = f"{self.refs[key]}、{here}" if key in self.refs else here

    def block_points(self, hr: int, block_weights: dict[int, tuple[Decimal, str] | None]) -> None:
        """Points neither per indicator nor per 一级指标: each goal block's, from its title left of the
        header (年度绩效目标 (80分)); none there stops the form."""
        if not any(block_weights.values()):
            raise self.error(
                "绩效指标表头中没有“分值”，一级指标和区块标题中也没有写分值（如“产出指标(60分)”），无法计分",
                hr,
            )
        for n, titled in block_weights.items():
            if titled is not None:
                key = grouppoints.block_key(n)
                self.form.level1_points[key], self.refs[f"level1_points.{key}"] = titled

    def restore_weights(self, weight_cells: list[tuple[int, int, int]]) -> None:
        """A 权重 typed as "20%" is stored as 0.2 with a percent format: read it as 20 points."""
        percent = self.g.percent_formatted([(r, c) for _, r, c in weight_cells])
        for i, r, c in weight_cells:
            ind = self.form.indicators[i]
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
        if not percent:
            return
        for i, r, c, fld in numeric_values:
            if (r, c) in percent:
                setattr(self.form.indicators[i], fld, _percent_text(self.g.rows[r][c]))


@functools.lru_cache(maxsize=4096, typed=True)
def _percent_text(value: float) -> str:
    """A percent-formatted number as its percentage: 0.95 -> "95%" (cached: 100% again and again)."""
    return format((_decimal_of(value) * 100).normalize(), "f") + "%"


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

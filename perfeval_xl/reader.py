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

The reader's parts, each in its own module: the vocabulary as lookups (:mod:`perfeval_xl.reader_vocab`),
cell values (:mod:`perfeval_xl.reader_cells`), the first pass over a grid and the form starts
(:mod:`perfeval_xl.reader_scan`), one form's state and shared helpers (:mod:`perfeval_xl.reader_base`)
and its blocks: the header fields and goals (:mod:`perfeval_xl.reader_fields`), the funds
(:mod:`perfeval_xl.reader_funds`), the indicators (:mod:`perfeval_xl.reader_indicators`), the totals
and grade (:mod:`perfeval_xl.reader_totals`). This module puts them together: :func:`read_grid`,
:func:`read_forms`.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from . import labels as L
from . import (
    reader_base,
    reader_breakdown,
    reader_cells,
    reader_fields,
    reader_fundcols,
    reader_funds,
    reader_indicators,
    reader_scan,
    reader_totals,
    reader_vocab,
)
from .checks import finding
from .grid import Grid, load_grids
from .model import Form, ReadError
from .reader_cells import _is_figure
from .reader_cells import cell_text as cell_text  # re-exported: the reader's public helper
from .reader_fields import FieldsReader
from .reader_funds import FundsReader
from .reader_indicators import IndicatorsReader
from .reader_scan import _scan, _starts
from .reader_vocab import _key_of

FormErrorHandler = Callable[[ReadError], None]

#: the modules the reader is made of (:func:`perfeval_xl.filerows._forget_texts` empties their caches)
PARTS = (reader_vocab, reader_cells, reader_scan, reader_base, reader_fields, reader_breakdown, reader_fundcols,
         reader_funds, reader_indicators, reader_totals)  # fmt: skip


class _FormReader(FieldsReader, FundsReader, IndicatorsReader):
    """Reads one form: the header fields, the funds block, the goals, the indicator table, the totals
    and the grade, in that order (each block's reading is its mixin's)."""

    def read(self) -> Form:
        f = self.form
        name_label = self.read_name()
        self.read_title()
        f.kind, self.refs["kind"], self.headers["kind"] = self.kind_of(name_label)
        funds_pos = self.find_funds()
        self.read_header_fields(name_label, funds_pos[0] if funds_pos else self.r1)
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
            self.no_empty_field_column(self.ind_cols, self.ind_last_header)
        self.header_total()
        self.read_grade(ind_row if ind_row is not None else after_funds)
        return f


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
        above = _table_rows_above(grid, starts[0][0]) if starts else None  # rows above the first form
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
        if above is not None and forms and forms[0].index == 1:  # the lower half of a form cut off above
            r, c, word = above
            forms[0].notes.append(
                finding(
                    "rows-outside-form",
                    word,
                    f"表格上方（{grid.ref(r, c)}起）另有表格内容（“{word[:20]}”…），不属于任何一张表"
                    "（可能是上一张表的下半部分），未读取",
                )
            )
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
    why: ReadError | None = None
    for grid in load_grids(path, on_sheet_error=handler):
        read = read_grid(grid, on_error=handler, explain=explain)
        forms.extend(read)
        if not read and not forms and why is None:
            why = why_no_form(grid)
    if not forms and not reported:
        raise why or ReadError(os.fspath(path), NO_FORM)
    return forms


NO_FORM = "没有找到绩效自评表（未找到“项目名称”“部门名称”“专项名称”）"


def why_no_form(grid: Grid) -> ReadError | None:
    """Why a grid with an indicator header holds no form the reader knows (a scoring table such as
    一级指标 | 分值 | 二级指标 | 分值 | 三级指标 | 分值 | 得分, or a form missing its upper half), naming the
    header's cell; None when the grid has no indicator header either."""
    found, _, _ = _scan(grid)
    at = found.get("indicators")
    if not at:
        return _indicator_rows_only(grid)
    return ReadError(
        grid.source,
        "没有找到绩效自评表：有指标表头（三级指标），但没有项目名称、部门名称或专项名称，也没有资金部分"
        "（年度资金总额）；评分表、指标体系表等不是自评表，本工具不读取",
        grid.sheet,
        grid.ref(*at[0]),
    )


def _indicator_rows_only(grid: Grid) -> ReadError | None:
    """A copy that starts inside the indicator table (产出指标 … 合计 with no header, no name and no
    funds block above): say so, naming the first 一级指标 cell; None when there is none either."""
    at = _first_level1(grid)
    if at is None:
        return None
    r, c, text = at
    return ReadError(
        grid.source,
        f"没有找到绩效自评表：只有绩效指标部分（“{text}”…），缺少表头、项目名称和项目资金部分，"
        "可能只复制了表的下半部分",
        grid.sheet,
        grid.ref(r, c),
    )


def _table_rows_above(grid: Grid, end: int) -> tuple[int, int, str] | None:
    """A row above row ``end`` (a sheet's first form) that looks like the rest of a table: a 一级指标
    word, or two figures in one row (a title, a unit line or a date has at most one); its first cell."""
    at = _first_level1(grid, end)
    for r in range(min(end, at[0] if at else end)):
        row = grid.rows[r]
        filled = [c for c, v in enumerate(row) if v is not None and v != ""]
        if len(filled) < 2:  # a title, a unit or a date line
            continue
        figures = [c for c in filled if row[c].__class__ in (int, float) or _is_figure(row[c])]
        if len(figures) >= 2:
            return r, filled[0], cell_text(row[filled[0]])
    return at


def _first_level1(grid: Grid, end: int | None = None) -> tuple[int, int, str] | None:
    """The first cell holding a 一级指标 word (产出指标 …), above row ``end`` when given."""
    level1 = {_key_of(w) for w in L.LEVEL1_CHOICES}
    for r, row in enumerate(grid.rows if end is None else grid.rows[: max(end, 0)]):
        for c, v in enumerate(row):
            if v.__class__ is str and _key_of(v) in level1:
                return r, c, cell_text(v)
    return None

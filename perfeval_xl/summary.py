"""The summary workbook of a batch, written from streamed rows (XlsxWriter for everything else).

Sheets: 汇总 (one row per form), 按主管部门 (per department, with the grade and execution-rate charts),
指标明细 (one row per indicator), 问题清单 (every finding), 错误 (every input that could not be read).
Every text cell is written with ``write_string`` so form text such as ``=HYPERLINK(...)`` stays text.
The file is written to a temporary name in the output folder and renamed into place.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import columns as C
from . import labels
from .cellgrid import column_letter
from .columns import STREAMED, SUMMARY_TITLE, Table
from .safeout import atomic_write, sweep_stale, temp_prefix, xml_text
from .xlsxstream import MAX_TEXT, Packed, Part, RowXml, assemble, pack, unpack_rows

if TYPE_CHECKING:
    from .consolidation import Consolidation

#: 执行率 below this (percent) is highlighted
LOW_RATE = 60
MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included


def write_summary(result: Consolidation, path: str | os.PathLike) -> Path:
    """Write the summary workbook of ``result`` to ``path`` (atomically). Returns the path.

    The rows go through the same :class:`RowXml` and :class:`SummaryWriter` as the streaming CLI, so
    both paths give the same workbook."""
    rows = result.rows
    with SummaryWriter(path, result.profile) as writer:
        for key in TABLES:
            table = rows[key]
            for i in range(0, len(table), 8192):
                writer.add(key, pack_table(key, table[i : i + 8192]))
        writer.close(rows["departments"], rows["rate_buckets"])
    return Path(path)


# How the workbook is made: the data rows of the four big tables are turned into sheet XML by
# :class:`RowXml` and deflated by :func:`pack` (in the worker processes on the CLI path), then appended
# to one temporary file per sheet by :class:`SummaryWriter` as they arrive. The rows carry no ``r``
# attributes: ECMA-376 makes them optional (a row without one follows the previous row, a cell the
# previous cell), so a chunk's XML does not depend on where it lands and the parent only copies bytes. At the end XlsxWriter
# writes the rest of the workbook -- styles, column formats, header rows, frozen panes, autofilters,
# conditional formats, the department sheet and its charts -- and the zip is assembled from that
# skeleton and the compressed rows (each sheet's deflate stream is skeleton head + rows + skeleton
# tail, joined at byte-aligned flush points). Numbers are written exactly as computed (the Decimal's
# own digits), text as inline strings, never formulas.

#: the tables streamed into their own sheets, in sheet order after 汇总/按主管部门
TABLES: dict[str, Table] = {key: C.TABLES[key] for key in STREAMED}

#: XF style indices of the cell formats: fixed because :class:`_Formats` registers them first
_STYLE_MONEY, _STYLE_TWO, _STYLE_INT, _STYLE_TEXT = 2, 3, 4, 5
_STYLE = {"money": _STYLE_MONEY, "two": _STYLE_TWO, "int": _STYLE_INT, "text": _STYLE_TEXT}


def row_xml(key: str) -> RowXml:
    """The row writer of a streamed table: its columns' number formats, wrapped printed text."""
    cols = TABLES[key].columns
    styles = [None if c.kind == "text" else _STYLE[c.kind] for c in cols]
    wrapped = [(i, c.width) for i, c in enumerate(cols) if c.kind == "text" and c.printed]
    return RowXml(styles, _STYLE_TEXT, wrapped)


def pack_table(key: str, rows: Sequence[tuple]) -> Packed:
    """:class:`RowXml` then :func:`pack`: what a worker sends back for one table of a chunk."""
    return pack(row_xml(key)(rows), len(rows))


class SummaryWriter:
    """Writes the summary workbook from streamed rows; memory stays flat whatever the number of rows.

    ``add(key, packed)`` takes :func:`pack_table` output for a table of :data:`TABLES` (in order);
    ``close(departments, rate_buckets)`` writes the workbook atomically. Use as a context manager so
    the temporary files go away on errors too."""

    def __init__(self, path: str | os.PathLike, profile: str = ""):
        import tempfile

        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.profile = profile
        sweep_stale(self.path.parent)  # what a killed earlier run left here
        self.tmp = tempfile.mkdtemp(prefix=temp_prefix(), dir=self.path.parent)
        self.parts: dict[str, list[Part]] = {key: [] for key in TABLES}
        self.counts = dict.fromkeys(TABLES, 0)

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()

    def cleanup(self) -> None:
        import shutil

        for parts in self.parts.values():
            for part in parts:
                if not part.fh.closed:
                    part.fh.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def add(self, key: str, packed: Packed) -> None:
        if not packed.rows:
            return
        self.counts[key] += packed.rows
        parts = self.parts[key]
        per_sheet = MAX_ROWS - 1
        if not parts or parts[-1].rows >= per_sheet:
            parts.append(Part(self.tmp, key, len(parts) + 1))
        if parts[-1].rows + packed.rows <= per_sheet:
            parts[-1].write(packed)  # the common case: the worker's bytes as they are
            return
        rows = unpack_rows(packed)  # the segment straddles Excel's row limit: split it
        while rows:
            if parts[-1].rows >= per_sheet:
                parts.append(Part(self.tmp, key, len(parts) + 1))
            room = per_sheet - parts[-1].rows
            parts[-1].write(pack(b"".join(rows[:room]), len(rows[:room])))
            rows = rows[room:]

    def close(self, departments: Sequence[tuple], buckets: Sequence[tuple]) -> Path:
        for parts in self.parts.values():
            for part in parts:
                part.finish()
        skeleton = io.BytesIO()
        targets = _skeleton(skeleton, self.profile, {k: [p.rows for p in v] for k, v in self.parts.items()},
                            departments, buckets)  # fmt: skip
        streams = {}
        for name, (key, k) in targets.items():
            if k < len(self.parts[key]):
                part = self.parts[key][k]
                streams[name] = (part, f"{column_letter(len(TABLES[key].columns) - 1)}{part.rows + 1}")
        atomic_write(self.path, lambda tmp: assemble(skeleton, tmp, streams))
        return self.path


def _skeleton(
    out, profile: str, counts: dict[str, list[int]], departments, buckets
) -> dict[str, tuple[str, int]]:
    """The workbook without the big tables' data rows. Returns zip member name -> (table, part)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,  # inline strings only: no shared-string table to merge into
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    book.set_properties({"title": SUMMARY_TITLE, "comments": f"评分规则：{profile}"})
    fmt = _Formats(book)
    sheets: dict[str, list[tuple[Any, int]]] = {}
    for key, table in TABLES.items():
        if key == "indicators":
            _departments(book, fmt, departments, buckets)
        sheets[key] = _table(book, fmt, table, counts[key] or [0])
    n_forms = sum(counts["forms"])
    _highlight_forms(sheets["forms"], fmt, n_forms)
    _highlight_mismatch(sheets["indicators"], fmt, C.INDICATORS, labels.SCORE, C.STATED_SCORE,
                        sum(counts["indicators"]))  # fmt: skip
    if sum(counts["findings"]):
        col = C.FINDINGS.index(C.SEVERITY)
        for ws, n in sheets["findings"]:
            ws.conditional_format(1, col, n, col, {"type": "cell", "criteria": "==", "value": '"错误"',
                                                    "format": fmt.bad})  # fmt: skip
    book.close()
    fixed = (fmt.money.xf_index, fmt.two.xf_index, fmt.int.xf_index, fmt.text.xf_index)
    if fixed != (_STYLE_MONEY, _STYLE_TWO, _STYLE_INT, _STYLE_TEXT):
        raise RuntimeError("unexpected style indices in the summary workbook")
    targets = {}
    for key, parts in sheets.items():
        for k, (ws, _n) in enumerate(parts):
            targets[f"xl/worksheets/sheet{ws.index + 1}.xml"] = (key, k)
    return targets


class _Formats:
    def __init__(self, book):
        self.header = book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        self.money = book.add_format({"num_format": "#,##0.00", "valign": "top"})
        self.two = book.add_format({"num_format": "0.00", "valign": "top"})
        self.int = book.add_format({"num_format": "0", "valign": "top"})
        self.text = book.add_format({"text_wrap": True, "valign": "top"})
        # Fix the cell-style indices (1 to 5) before any use, so rows can be made elsewhere.
        for f in (self.header, self.money, self.two, self.int, self.text):
            f._get_xf_index()
        self.bad = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.low = book.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
        self.diff = book.add_format({"bg_color": "#FCE4D6"})
        self.bold = book.add_format({"bold": True})

    def of(self, kind: C.Kind):
        return {"money": self.money, "two": self.two, "int": self.int, "text": self.text}[kind]


def _write_cell(ws, r: int, c: int, v: Any, num_fmt) -> None:
    if v is None:
        return
    if isinstance(v, str):
        if v:
            ws.write_string(r, c, xml_text(v[:MAX_TEXT]))
        return
    if isinstance(v, bool):
        ws.write_boolean(r, c, v)
        return
    if isinstance(v, (int, float, Decimal)) or hasattr(v, "item"):
        x = float(v)
        if math.isnan(x) or math.isinf(x):
            return
        ws.write_number(r, c, x, num_fmt)
        return
    ws.write_string(r, c, xml_text(str(v)[:MAX_TEXT]))


def _table(book, fmt: _Formats, table: Table, counts: Sequence[int],
           rows: Sequence[tuple] | None = None) -> list[tuple[Any, int]]:  # fmt: skip
    """A table sheet per part (名称, 名称（2）, … beyond Excel's row limit): header, widths, column
    formats, frozen header, autofilter over ``counts[k]`` data rows, the printed columns as the print
    area. ``rows`` (small tables only) are written here; the big tables' rows are streamed in later.
    Returns ``[(worksheet, data rows)]``."""
    col_fmts = [fmt.of(c.kind) for c in table.columns]
    sheets: list[tuple[Any, int]] = []
    for k, n in enumerate(counts, 1):
        ws = book.add_worksheet(table.sheet if k == 1 else f"{table.sheet}（{k}）")
        for c, col in enumerate(table.columns):
            ws.set_column(c, c, col.width, col_fmts[c])
        ws.set_row(0, 30)
        for c, col in enumerate(table.columns):
            ws.write_string(0, c, col.name, fmt.header)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(n, 1), len(table.columns) - 1)
        _print_setup(ws, table, n)
        if rows is not None:
            for r, row in enumerate(rows, 1):
                for c, v in enumerate(row):
                    _write_cell(ws, r, c, v, col_fmts[c])
        sheets.append((ws, n))
    return sheets


def _print_setup(ws, table: Table, n_rows: int) -> None:
    """Printed, a table sheet is A4 landscape, its printed columns one page wide (the technical columns
    after them stay on screen only), its header row on every page, wrapped text."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.print_area(0, 0, max(n_rows, 1), table.printed - 1)
    ws.set_footer("&C第 &P 页，共 &N 页")


def _highlight_forms(sheets, fmt: _Formats, n_rows: int) -> None:
    if not n_rows:
        return
    forms = C.FORMS
    g = forms.index(C.GRADE)
    rate = forms.index(C.RATE)
    letter = column_letter(rate)
    for ws, n in sheets:
        ws.conditional_format(
            1, g, n, g, {"type": "cell", "criteria": "==", "value": '"差"', "format": fmt.bad}
        )
        ws.conditional_format(
            1, rate, n, rate,
            {"type": "formula", "criteria": f"=AND(ISNUMBER(${letter}2),${letter}2<{LOW_RATE})", "format": fmt.low},
        )  # fmt: skip
    _highlight_mismatch(sheets, fmt, forms, C.TOTAL_SCORE, C.STATED_TOTAL, n_rows)
    _highlight_mismatch(sheets, fmt, forms, C.GRADE, C.STATED_GRADE, n_rows, text=True)


def _highlight_mismatch(
    sheets, fmt, table: Table, computed: str, stated: str, n_rows: int, text: bool = False
) -> None:
    """Mark a stated value that differs from the computed one."""
    if not n_rows:
        return
    a = column_letter(table.index(computed))
    b = table.index(stated)
    bl = column_letter(b)
    present = f'${bl}2<>""' if text else f"ISNUMBER(${bl}2)"
    for ws, n in sheets:
        ws.conditional_format(
            1, b, n, b, {"type": "formula", "criteria": f"=AND({present},${bl}2<>${a}2)", "format": fmt.diff}
        )


def _count_axis(largest: int) -> dict:
    """A chart axis that counts projects: whole numbers, a step of 1, 2 or 5 × 10ⁿ, about six steps."""
    step, k = 1, 0
    while largest > step * 6:
        k += 1
        step = (1, 2, 5)[k % 3] * 10 ** (k // 3)
    return {"name": "项目数", "min": 0, "major_unit": step, "num_format": "0",
            "major_gridlines": {"visible": True}}  # fmt: skip


#: two charts side by side below the tables span the department table's width (about 690 px)
_CHART_SIZE = {"x_scale": 0.7, "y_scale": 0.8}
_CHART_ROWS = 13  # rows the charts cover (0.8 × 288 px at 20 px a row), printed with them


def _departments(book, fmt: _Formats, depts: Sequence[tuple], buckets: Sequence[tuple]) -> None:
    table = C.DEPARTMENTS
    sheets = _table(book, fmt, table, [len(depts)], depts)
    ws, n = sheets[0]
    if not n:
        return
    rate = table.index(C.RATE)
    letter = column_letter(rate)
    ws.conditional_format(
        1, rate, n, rate,
        {"type": "formula", "criteria": f"=AND(ISNUMBER(${letter}2),${letter}2<{LOW_RATE})", "format": fmt.low},
    )  # fmt: skip
    bad = table.index(labels.GRADES[-1])
    ws.conditional_format(1, bad, n, bad, {"type": "cell", "criteria": ">", "value": 0, "format": fmt.bad})

    # The execution-rate distribution, below the department table (rows are written in order).
    top = n + 3
    ws.write_string(top, 0, "执行率分布", fmt.bold)
    for c, col in enumerate(C.BUCKETS.columns):
        ws.write_string(top + 1, c, col.name, fmt.header)
    for i, row in enumerate(buckets):
        ws.write_string(top + 2 + i, 0, str(row[0]))
        ws.write_number(top + 2 + i, 1, float(row[1]), fmt.int)
    last_bucket = top + 1 + len(buckets)

    total_row = n  # the 合计 row is the last data row
    if depts[-1][0] != C.ALL_DEPARTMENTS:
        return
    g0, g1 = table.index(labels.GRADES[0]), table.index(labels.GRADES[-1])
    headers = table.names
    grades = book.add_chart({"type": "column"})
    grades.add_series(
        {
            "name": "项目数",
            "categories": [ws.name, 0, g0, 0, g1],
            "values": [ws.name, total_row, g0, total_row, g1],
            "data_labels": {"value": True},
            "points": [{"fill": {"color": c}} for c in ("#70AD47", "#5B9BD5", "#FFC000", "#C00000")],
        }
    )
    grades.set_title({"name": "评分等级分布"})
    grades.set_legend({"none": True})
    grades.set_y_axis(_count_axis(max(depts[-1][2 : 2 + len(labels.GRADES)])))
    chart_row = last_bucket + 2  # the charts go below the tables, inside the printed page
    ws.insert_chart(chart_row, 0, grades, _CHART_SIZE)

    rates = book.add_chart({"type": "column"})
    rates.add_series(
        {
            "name": "项目数",
            "categories": [ws.name, top + 2, 0, last_bucket, 0],
            "values": [ws.name, top + 2, 1, last_bucket, 1],
            "data_labels": {"value": True},
            "fill": {"color": "#5B9BD5"},
        }
    )
    rates.set_title({"name": "执行率分布"})
    rates.set_legend({"none": True})
    rates.set_y_axis(_count_axis(max(row[1] for row in buckets)))
    ws.insert_chart(chart_row, 0, rates, {**_CHART_SIZE, "x_offset": 345})  # beside the first
    ws.print_area(0, 0, chart_row + _CHART_ROWS, len(headers) - 1)

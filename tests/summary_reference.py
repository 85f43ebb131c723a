"""The summary workbook's skeleton as XlsxWriter wrote it before :mod:`perfeval_xl.skeleton` replaced it:
the reference that module's XML is compared with (tests/test_skeleton.py). Test code only."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter

from perfeval_xl import columns as C
from perfeval_xl import labels
from perfeval_xl.cellgrid import column_letter
from perfeval_xl.columns import STREAMED, SUMMARY_TITLE, Table
from perfeval_xl.safeout import xml_text
from perfeval_xl.xlsxstream import MAX_TEXT

TABLES: dict[str, Table] = {key: C.TABLES[key] for key in STREAMED}
LOW_RATE = 60
_STYLE_MONEY, _STYLE_TWO, _STYLE_INT, _STYLE_TEXT = 2, 3, 4, 5


def _skeleton(
    out, profile: str, counts: dict[str, list[int]], departments, buckets
) -> dict[str, tuple[str, int]]:
    """The workbook without the big tables' data rows. Returns zip member name -> (table, part)."""

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

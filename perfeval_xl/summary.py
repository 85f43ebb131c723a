"""The summary workbook of a batch (XlsxWriter, constant-memory mode).

Sheets: 汇总 (one row per form), 按主管部门 (per department, with the grade and execution-rate charts),
指标明细 (one row per indicator), 问题清单 (every finding), 错误 (every input that could not be read).
Every text cell is written with ``write_string`` so form text such as ``=HYPERLINK(...)`` stays text.
The file is written to a temporary name in the output folder and renamed into place.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import labels
from .consolidate import (
    ALL_DEPARTMENTS,
    ANNUAL,
    BUDGET_SCORE,
    COUNT,
    EXECUTED,
    INDICATOR_SCORE,
    MEAN_TOTAL,
    N_ERRORS,
    N_FINDINGS,
    RATE,
    SEVERITY,
    STATED_GRADE,
    STATED_SCORE,
    STATED_TOTAL,
    TOTAL_POINTS,
    TOTAL_SCORE,
    Consolidation,
    _atomic,
)

SHEET_FORMS = "汇总"
SHEET_DEPARTMENTS = "按主管部门"
SHEET_INDICATORS = "指标明细"
SHEET_FINDINGS = "问题清单"
SHEET_ERRORS = "错误"

#: 执行率 below this (percent) is highlighted
LOW_RATE = 60
MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included
MAX_TEXT = 32_767  # Excel's limit per cell

_MONEY = {ANNUAL, EXECUTED}
_TWO = {
    RATE,
    BUDGET_SCORE,
    INDICATOR_SCORE,
    TOTAL_SCORE,
    TOTAL_POINTS,
    STATED_TOTAL,
    labels.POINTS,
    labels.SCORE,
    STATED_SCORE,
    MEAN_TOTAL,
}
_INT = {N_FINDINGS, N_ERRORS, COUNT, "序号", *labels.GRADES}
_WIDTH = {
    labels.PROJECT: 30,
    labels.DEPARTMENT: 26,
    labels.UNIT: 26,
    labels.LEVEL3: 30,
    labels.TARGET: 18,
    labels.ACTUAL: 18,
    labels.DEVIATION: 30,
    "说明": 70,
    "原因": 60,
    "来源文件": 36,
    "位置": 20,
}


def write_summary(result: Consolidation, path: str | os.PathLike) -> Path:
    """Write the summary workbook of ``result`` to ``path`` (atomically). Returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic(path, lambda tmp: _write(result, tmp))
    return path


def _write(result: Consolidation, filename: str) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(
        filename,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    book.set_properties({"title": "财政项目支出绩效自评汇总", "comments": f"评分规则：{result.profile}"})
    fmt = _Formats(book)
    forms_ws = _table(book, fmt, SHEET_FORMS, list(result.forms.columns), _rows(result.forms))
    _highlight_forms(forms_ws, fmt, list(result.forms.columns), len(result.forms))
    _departments(book, fmt, result)
    ind_ws = _table(book, fmt, SHEET_INDICATORS, list(result.indicators.columns), _rows(result.indicators))
    _highlight_mismatch(ind_ws, fmt, list(result.indicators.columns), labels.SCORE, STATED_SCORE,
                        len(result.indicators))  # fmt: skip
    find_ws = _table(book, fmt, SHEET_FINDINGS, list(result.findings.columns), _rows(result.findings))
    if len(result.findings):
        col = list(result.findings.columns).index(SEVERITY)
        for ws, n in find_ws:
            ws.conditional_format(1, col, n, col, {"type": "cell", "criteria": "==", "value": '"错误"',
                                                    "format": fmt.bad})  # fmt: skip
    _table(book, fmt, SHEET_ERRORS, list(result.errors.columns), _rows(result.errors))
    book.close()


class _Formats:
    def __init__(self, book):
        self.header = book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        self.text = book.add_format({"num_format": "@"})
        self.money = book.add_format({"num_format": "#,##0.00"})
        self.two = book.add_format({"num_format": "0.00"})
        self.int = book.add_format({"num_format": "0"})
        self.bad = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.low = book.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
        self.diff = book.add_format({"bg_color": "#FCE4D6"})
        self.bold_two = book.add_format({"num_format": "0.00", "bold": True})
        self.bold = book.add_format({"bold": True})

    def for_column(self, name: str):
        if name in _MONEY:
            return self.money
        if name in _TWO:
            return self.two
        if name in _INT:
            return self.int
        return None


def _rows(df) -> Iterable[tuple]:
    return df.itertuples(index=False, name=None)


def _write_cell(ws, r: int, c: int, v: Any, num_fmt) -> None:
    if v is None:
        return
    if isinstance(v, str):
        if v:
            ws.write_string(r, c, v[:MAX_TEXT])
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
    ws.write_string(r, c, str(v)[:MAX_TEXT])


def _table(
    book, fmt: _Formats, name: str, headers: Sequence[str], rows: Iterable[tuple]
) -> list[tuple[Any, int]]:
    """Write a table, spilling into 名称（2）, 名称（3）… beyond Excel's row limit.

    Returns ``[(worksheet, number of data rows)]``.
    """
    col_fmts = [fmt.for_column(h) for h in headers]
    sheets: list[tuple[Any, int]] = []

    def new_sheet(n: int):
        ws = book.add_worksheet(name if n == 1 else f"{name}（{n}）")
        for c, h in enumerate(headers):
            width = _WIDTH.get(h, max(8, min(16, len(h) * 2 + 2)))
            ws.set_column(c, c, width)
        ws.set_row(0, 30)
        for c, h in enumerate(headers):
            ws.write_string(0, c, h, fmt.header)
        ws.freeze_panes(1, 0)
        return ws

    ws = new_sheet(1)
    r = 0
    for row in rows:
        if r + 1 >= MAX_ROWS:
            sheets.append((ws, r))
            ws = new_sheet(len(sheets) + 1)
            r = 0
        r += 1
        for c, v in enumerate(row):
            _write_cell(ws, r, c, v, col_fmts[c])
    sheets.append((ws, r))
    for w, n in sheets:
        w.autofilter(0, 0, max(n, 1), len(headers) - 1)
    return sheets


def _col_letter(c: int) -> str:
    from xlsxwriter.utility import xl_col_to_name

    return xl_col_to_name(c)


def _highlight_forms(sheets, fmt: _Formats, headers: list[str], n_rows: int) -> None:
    if not n_rows:
        return
    g = headers.index(labels.GRADE)
    rate = headers.index(RATE)
    letter = _col_letter(rate)
    for ws, n in sheets:
        ws.conditional_format(
            1, g, n, g, {"type": "cell", "criteria": "==", "value": '"差"', "format": fmt.bad}
        )
        ws.conditional_format(
            1, rate, n, rate,
            {"type": "formula", "criteria": f"=AND(ISNUMBER(${letter}2),${letter}2<{LOW_RATE})", "format": fmt.low},
        )  # fmt: skip
    _highlight_mismatch(sheets, fmt, headers, TOTAL_SCORE, STATED_TOTAL, n_rows)
    _highlight_mismatch(sheets, fmt, headers, labels.GRADE, STATED_GRADE, n_rows, text=True)


def _highlight_mismatch(
    sheets, fmt, headers, computed: str, stated: str, n_rows: int, text: bool = False
) -> None:
    """Mark a stated value that differs from the computed one."""
    if not n_rows:
        return
    a = _col_letter(headers.index(computed))
    b = headers.index(stated)
    bl = _col_letter(b)
    present = f'${bl}2<>""' if text else f"ISNUMBER(${bl}2)"
    for ws, n in sheets:
        ws.conditional_format(
            1, b, n, b, {"type": "formula", "criteria": f"=AND({present},${bl}2<>${a}2)", "format": fmt.diff}
        )


def _departments(book, fmt: _Formats, result: Consolidation) -> None:
    depts = result.departments
    headers = list(depts.columns)
    sheets = _table(book, fmt, SHEET_DEPARTMENTS, headers, _rows(depts))
    ws, n = sheets[0]
    if not n:
        return
    rate = headers.index(RATE)
    letter = _col_letter(rate)
    ws.conditional_format(
        1, rate, n, rate,
        {"type": "formula", "criteria": f"=AND(ISNUMBER(${letter}2),${letter}2<{LOW_RATE})", "format": fmt.low},
    )  # fmt: skip
    bad = headers.index("差")
    ws.conditional_format(1, bad, n, bad, {"type": "cell", "criteria": ">", "value": 0, "format": fmt.bad})

    # The execution-rate distribution, below the department table (rows are written in order).
    top = n + 3
    buckets = result.rate_buckets
    ws.write_string(top, 0, "执行率分布", fmt.bold)
    for c, h in enumerate(buckets.columns):
        ws.write_string(top + 1, c, h, fmt.header)
    for i, row in enumerate(_rows(buckets)):
        ws.write_string(top + 2 + i, 0, str(row[0]))
        ws.write_number(top + 2 + i, 1, float(row[1]), fmt.int)
    last_bucket = top + 1 + len(buckets)

    total_row = n  # the 合计 row is the last data row
    if str(depts.iloc[-1, 0]) != ALL_DEPARTMENTS:
        return
    g0, g1 = headers.index(labels.GRADES[0]), headers.index(labels.GRADES[-1])
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
    grades.set_y_axis({"name": "项目数", "major_gridlines": {"visible": True}})
    ws.insert_chart(1, len(headers) + 1, grades, {"x_scale": 1.0, "y_scale": 1.0})

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
    rates.set_y_axis({"name": "项目数", "major_gridlines": {"visible": True}})
    ws.insert_chart(17, len(headers) + 1, rates, {"x_scale": 1.0, "y_scale": 1.0})

"""The summary workbook of a batch (XlsxWriter, constant-memory mode).

Sheets: 汇总 (one row per form), 按主管部门 (per department, with the grade and execution-rate charts),
指标明细 (one row per indicator), 问题清单 (every finding), 错误 (every input that could not be read).
Every text cell is written with ``write_string`` so form text such as ``=HYPERLINK(...)`` stays text.
The file is written to a temporary name in the output folder and renamed into place.
"""

from __future__ import annotations

import io
import math
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import labels
from .batch import (
    ALL_DEPARTMENTS,
    ANNUAL,
    BUCKET_COLUMNS,
    BUDGET_SCORE,
    COUNT,
    DEPARTMENT_COLUMNS,
    ERROR_COLUMNS,
    EXECUTED,
    FINDING_COLUMNS,
    FORM_COLUMNS,
    INDICATOR_COLUMNS,
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
    BUCKET_COLUMNS,
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


# How the workbook is made: XlsxWriter writes the whole workbook -- styles, column formats, header
# rows, frozen panes, autofilters, conditional formats, the department sheet and its charts -- but
# the data rows of the four big tables are left out. They are then streamed straight into those
# sheets' <sheetData> while the zip is copied, as plain cell XML (numbers with the column's style,
# text as inline strings, never formulas). Per cell this is several times cheaper than XlsxWriter's
# cell API, which dominated the batch's run time.


def _write(result: Consolidation, filename: str) -> None:
    import xlsxwriter

    skeleton = io.BytesIO()
    book = xlsxwriter.Workbook(
        skeleton,
        {
            "constant_memory": True,  # inline strings only: no shared-string table to merge into
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    book.set_properties({"title": "财政项目支出绩效自评汇总", "comments": f"评分规则：{result.profile}"})
    fmt = _Formats(book)
    bulk: list[_Bulk] = []
    rows = result.rows
    forms_ws = _table(book, fmt, SHEET_FORMS, FORM_COLUMNS, rows["forms"], bulk)
    _highlight_forms(forms_ws, fmt, list(FORM_COLUMNS), len(rows["forms"]))
    _departments(book, fmt, result)
    ind_ws = _table(book, fmt, SHEET_INDICATORS, INDICATOR_COLUMNS, rows["indicators"], bulk)
    _highlight_mismatch(
        ind_ws, fmt, list(INDICATOR_COLUMNS), labels.SCORE, STATED_SCORE, len(rows["indicators"])
    )
    find_ws = _table(book, fmt, SHEET_FINDINGS, FINDING_COLUMNS, rows["findings"], bulk)
    if rows["findings"]:
        col = FINDING_COLUMNS.index(SEVERITY)
        for ws, n in find_ws:
            ws.conditional_format(1, col, n, col, {"type": "cell", "criteria": "==", "value": '"错误"',
                                                    "format": fmt.bad})  # fmt: skip
    _table(book, fmt, SHEET_ERRORS, ERROR_COLUMNS, rows["errors"], bulk)
    book.close()
    _inject(skeleton, filename, bulk)


class _Bulk:
    """Rows to stream into one worksheet of the skeleton."""

    def __init__(self, ws, rows: Sequence[tuple], col_formats: list):
        self.ws = ws
        self.rows = rows
        self.col_formats = col_formats


class _Formats:
    def __init__(self, book):
        self.header = book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        self.money = book.add_format({"num_format": "#,##0.00"})
        self.two = book.add_format({"num_format": "0.00"})
        self.int = book.add_format({"num_format": "0"})
        self.bad = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.low = book.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
        self.diff = book.add_format({"bg_color": "#FCE4D6"})
        self.bold = book.add_format({"bold": True})

    def for_column(self, name: str):
        if name in _MONEY:
            return self.money
        if name in _TWO:
            return self.two
        if name in _INT:
            return self.int
        return None


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
    book, fmt: _Formats, name: str, headers: Sequence[str], rows: Sequence[tuple], bulk: list[_Bulk] | None
) -> list[tuple[Any, int]]:
    """A table sheet: header, widths, column formats, frozen header, autofilter; spills into
    名称（2）, 名称（3）… beyond Excel's row limit. With ``bulk`` the data rows are queued for
    :func:`_inject`, else written here. Returns ``[(worksheet, number of data rows)]``."""
    col_fmts = [fmt.for_column(h) for h in headers]
    per_sheet = MAX_ROWS - 1
    parts = [rows[i : i + per_sheet] for i in range(0, len(rows), per_sheet)] or [rows[:0]]
    sheets: list[tuple[Any, int]] = []
    for k, part in enumerate(parts, 1):
        ws = book.add_worksheet(name if k == 1 else f"{name}（{k}）")
        for c, h in enumerate(headers):
            width = _WIDTH.get(h, max(8, min(16, len(h) * 2 + 2)))
            ws.set_column(c, c, width, col_fmts[c])
        ws.set_row(0, 30)
        for c, h in enumerate(headers):
            ws.write_string(0, c, h, fmt.header)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(part), 1), len(headers) - 1)
        if bulk is not None:
            bulk.append(_Bulk(ws, part, col_fmts))
        else:
            for r, row in enumerate(part, 1):
                for c, v in enumerate(row):
                    _write_cell(ws, r, c, v, col_fmts[c])
        sheets.append((ws, len(part)))
    return sheets


_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f]|_x[0-9A-Fa-f]{4}_|^\s|\s$")
_LITERAL_X = re.compile(r"_x[0-9A-Fa-f]{4}_")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _inline(text: str) -> str:
    """``<is>`` element of an inline string (escaped as Excel expects)."""
    text = text[:MAX_TEXT]
    if _SPECIAL.search(text) is None:
        return f"<is><t>{text}</t></is>"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _LITERAL_X.sub(lambda m: "_x005F" + m.group(0), text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    return f'<is><t xml:space="preserve">{text}</t></is>'


def _number(v: Any) -> str | None:
    if isinstance(v, Decimal):
        return str(v) if v.is_finite() else None
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else None
    return None


def _rows_xml(bulk: _Bulk) -> Iterable[str]:
    """The <row> elements of a table, from row 2 on, in chunks of text."""
    from xlsxwriter.utility import xl_col_to_name

    letters = [xl_col_to_name(c) for c in range(len(bulk.col_formats))]
    styles = [f' s="{f.xf_index}"' if f is not None and f.xf_index else "" for f in bulk.col_formats]
    inline: dict[str, str] = {}
    out: list[str] = []
    append = out.append
    for r, row in enumerate(bulk.rows, 2):
        rs = str(r)
        append(f'<row r="{rs}">')
        for c, v in enumerate(row):
            if v is None:
                continue
            if type(v) is str:
                if not v:
                    continue
                frag = inline.get(v)
                if frag is None:
                    frag = inline[v] = _inline(v)
                append(f'<c r="{letters[c]}{rs}" t="inlineStr">{frag}</c>')
            else:
                num = _number(v)
                if num is None:
                    frag = inline.get(str(v)) or _inline(str(v))
                    append(f'<c r="{letters[c]}{rs}" t="inlineStr">{frag}</c>')
                else:
                    append(f'<c r="{letters[c]}{rs}"{styles[c]}><v>{num}</v></c>')
        append("</row>")
        if len(out) > 20000:
            yield "".join(out)
            out.clear()
    if out:
        yield "".join(out)


_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')


def _inject(skeleton: io.BytesIO, filename: str, bulk: list[_Bulk]) -> None:
    """Copy the skeleton zip to ``filename``, streaming the queued rows into their sheets."""
    from xlsxwriter.utility import xl_col_to_name

    targets = {f"xl/worksheets/sheet{b.ws.index + 1}.xml": b for b in bulk}
    skeleton.seek(0)
    with (
        zipfile.ZipFile(skeleton) as zin,
        zipfile.ZipFile(filename, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info.filename)
            b = targets.get(info.filename)
            if b is None or not b.rows:
                zout.writestr(info.filename, data)
                continue
            xml = data.decode("utf-8")
            head, sep, tail = xml.partition("</sheetData>")
            if not sep:
                raise RuntimeError(f"unexpected worksheet XML in {info.filename}")
            last = f"{xl_col_to_name(len(b.col_formats) - 1)}{len(b.rows) + 1}"
            head = _DIMENSION.sub(f'<dimension ref="A1:{last}"/>', head, count=1)
            with zout.open(info.filename, "w") as fh:
                fh.write(head.encode("utf-8"))
                for chunk in _rows_xml(b):
                    fh.write(chunk.encode("utf-8"))
                fh.write((sep + tail).encode("utf-8"))


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
    depts = result.rows["departments"]
    headers = list(DEPARTMENT_COLUMNS)
    sheets = _table(book, fmt, SHEET_DEPARTMENTS, headers, depts, None)
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
    buckets = result.rows["rate_buckets"]
    ws.write_string(top, 0, "执行率分布", fmt.bold)
    for c, h in enumerate(BUCKET_COLUMNS):
        ws.write_string(top + 1, c, h, fmt.header)
    for i, row in enumerate(buckets):
        ws.write_string(top + 2 + i, 0, str(row[0]))
        ws.write_number(top + 2 + i, 1, float(row[1]), fmt.int)
    last_bucket = top + 1 + len(buckets)

    total_row = n  # the 合计 row is the last data row
    if depts[-1][0] != ALL_DEPARTMENTS:
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

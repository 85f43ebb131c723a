"""Text exports and HTML tables as grids: tab-separated text (UTF-8, UTF-16 or GB18030) and every
``<table>`` of an HTML page (spans expanded into blank cells), each refused with a Chinese
:class:`~perfeval_xl.model.ReadError` before it can cost more than :mod:`perfeval_xl.limits` allows."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser

from . import limits
from .cellgrid import Grid
from .model import ReadError

#: HTML colspan / rowspan are capped (as browsers do) so a hostile table cannot blow up memory.
MAX_SPAN = limits.MAX_SPAN

_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)


def _decode(data: bytes, source: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReadError(source, "不是可识别的表格文件（UTF-16 编码无效）") from exc
    if b"\x00" in data:
        raise ReadError(source, "不是可识别的表格文件（二进制内容）")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError(source, "不是可识别的表格文件（既不是 UTF-8 也不是 GB18030 文本）")


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    controls = sum(1 for ch in sample if (ch < " " and ch not in "\t\r\n") or "\x7f" <= ch <= "\x9f")
    return controls > max(2, len(sample) // 200)


def text_grids(source: str, data: bytes, lim: limits.Limits | None = None) -> Iterator[Grid]:
    lim = lim or limits.current()
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in data[:65536]:
        raise ReadError(source, "这是 Excel 2003 XML 表格，暂不支持；请在 Excel 中另存为 .xlsx")
    first_line = head.split(b"\n", 1)[0]
    if (
        head.startswith(b"<")
        and b"\t" not in first_line
        and (b"<table" in data[:65536].lower() or head.startswith((b"<!doctype html", b"<html")))
    ):
        yield from _html_grids(source, data, lim)
        return
    # Counted before anything is decoded or split: every line becomes a row, every tab a cell.
    lines = data.count(b"\n") + 1
    if lines > lim.max_text_lines:
        raise ReadError(source, f"文本行数过多（{lines} 行，上限 {lim.max_text_lines} 行），未读取")
    if lines + data.count(b"\t") > lim.max_cells:
        raise ReadError(source, f"表格过大（超过 {lim.max_cells} 个单元格），未读取")
    text = _decode(data, source)
    if _looks_binary(text):
        raise ReadError(source, "不是可识别的表格文件（二进制内容）")
    yield _tsv_grid(source, text)


def _tsv_grid(source: str, text: str) -> Grid:
    rows: list[list[object]] = []
    lines: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", quotechar='"', strict=False)
    start = 1
    try:
        for record in reader:
            rows.append([v if v != "" else None for v in record])
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error:  # e.g. a field beyond csv's size limit: fall back to a plain split
        rows, lines = [], []
        for i, line in enumerate(text.splitlines(), 1):
            rows.append([v if v != "" else None for v in line.split("\t")])
            lines.append(i)
    if sum(len(r) for r in rows) > limits.current().max_cells:
        raise ReadError(source, "表格过大，未读取")
    return Grid(source, None, rows, kind="text", lines=lines)


_BLOCK_IN_CELL = frozenset({"p", "br", "li", "div", "tr", "ol", "ul", "h1", "h2", "h3", "h4", "h5", "h6"})


class _TableParser(HTMLParser):
    """Collects every <table> as rows of cell texts, spans expanded into blank cells."""

    def __init__(self, max_cells: int | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.max_cells = limits.current().max_cells if max_cells is None else max_cells
        self.tables: list[list[list[object]]] = []
        self.merges: list[list[tuple[int, int, int, int]]] = []  # each table's rowspans (its rows below)
        self._stack: list[dict] = []  # open tables (nested tables are collected separately)
        self.cells = 0

    @property
    def _table(self) -> dict | None:
        return self._stack[-1] if self._stack else None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        t = self._table
        if tag == "table":
            self._stack.append({"rows": [], "row": None, "cell": None, "spans": {}, "span": 1, "merges": []})
            return
        if t is None:
            return
        if tag == "tr":
            self._end_cell(t)
            self._end_row(t)
            t["row"] = []
            self._skip_spanned(t)
        elif tag in ("td", "th"):
            self._end_cell(t)
            if t["row"] is None:
                t["row"] = []
                self._skip_spanned(t)
            attr = dict(attrs)
            colspan = _span(attr.get("colspan"))
            rowspan = _span(attr.get("rowspan"))
            t["cell"] = []
            t["span"] = colspan
            if rowspan > 1:
                # the rows below will be padded with these cells: count them now, before they exist
                self._count(colspan * (rowspan - 1))
                col = len(t["row"])
                top = len(t["rows"])
                t["merges"].append((top, col, top + rowspan - 1, col + colspan - 1))
                for k in range(colspan):
                    t["spans"][col + k] = rowspan  # rows still to cover, this one included
        elif tag in _BLOCK_IN_CELL and t["cell"] is not None:
            t["cell"].append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        t = self._table
        if t is None:
            return
        if tag == "table":
            self._end_cell(t)
            self._end_row(t)
            self._stack.pop()
            if t["rows"]:
                self.tables.append(t["rows"])
                self.merges.append(t["merges"])
        elif tag in ("td", "th"):
            self._end_cell(t)
        elif tag == "tr":
            self._end_cell(t)
            self._end_row(t)
        elif tag in _BLOCK_IN_CELL and t["cell"] is not None:
            t["cell"].append("\n")

    def handle_data(self, data: str) -> None:
        t = self._table
        if t is not None and t["cell"] is not None:
            t["cell"].append(data)

    def _end_cell(self, t: dict) -> None:
        if t["cell"] is None:
            return
        text = "".join(t["cell"])
        lines = (" ".join(line.split()) for line in text.split("\n"))
        value = "\n".join(line for line in lines if line)
        t["row"].append(value or None)
        t["row"].extend([None] * (t["span"] - 1))
        self._count(t["span"])
        t["cell"] = None
        t["span"] = 1
        self._skip_spanned(t)

    def _count(self, n: int) -> None:
        self.cells += n
        if self.cells > self.max_cells:
            raise _TooBig

    def _end_row(self, t: dict) -> None:
        if t["row"] is None:
            return
        self._count(1)  # an empty row costs a list too
        t["rows"].append(t["row"])
        t["row"] = None
        # one row of every open rowspan is used up
        t["spans"] = {c: n - 1 for c, n in t["spans"].items() if n > 1}

    @staticmethod
    def _skip_spanned(t: dict) -> None:
        row, spans = t["row"], t["spans"]
        while len(row) in spans:
            row.append(None)


class _TooBig(Exception):
    pass


def _span(value: str | None) -> int:
    try:
        n = int((value or "1").strip())
    except ValueError:
        return 1
    return min(max(n, 1), MAX_SPAN)


def _html_grids(source: str, data: bytes, lim: limits.Limits | None = None) -> Iterator[Grid]:
    text = None
    match = _CHARSET.search(data[:4096])
    encodings = [match.group(1).decode("ascii", "replace")] if match else []
    for encoding in (*encodings, "utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except (UnicodeDecodeError, LookupError):
            continue
    if text is None:
        raise ReadError(source, "无法识别网页文件的编码")
    lim = lim or limits.current()
    lower = data.lower()
    tags = lower.count(b"<tr") + lower.count(b"<td") + lower.count(b"<th")
    if tags > lim.max_cells:  # counted before parsing: each row and cell becomes an object
        raise ReadError(source, f"网页表格过大（超过 {lim.max_cells} 个单元格），未读取")
    del lower
    parser = _TableParser(lim.max_cells)
    try:
        parser.feed(text)
        parser.close()
    except _TooBig as exc:
        raise ReadError(
            source, f"网页表格过大（含合并单元格展开后超过 {parser.max_cells} 个单元格），未读取"
        ) from exc
    tables = parser.tables
    if not tables:
        raise ReadError(source, "网页文件中没有表格")
    for i, (rows, merges) in enumerate(zip(tables, parser.merges, strict=True), 1):
        yield Grid(source, None if len(tables) == 1 else f"第{i}个表格", rows, kind="html", merges=merges)

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
import re
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from . import columns as C
from . import labels
from .columns import STREAMED, SUMMARY_TITLE, Table
from .safeout import atomic_write, xml_text

if TYPE_CHECKING:
    from .batch import Consolidation

#: 执行率 below this (percent) is highlighted
LOW_RATE = 60
MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included
MAX_TEXT = 32_767  # Excel's limit per cell


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
_ROW_END = b"</row>"  # never inside a cell: "<" in text is escaped
_ROW = "<row>"
_LINE_HEIGHT = 15  # points per line of wrapped text (the default row height)
_MAX_LINES = 8  # a longer text is cut on paper (it is whole in the cell)


class RowXml:
    """Turns row tuples of one table into ``<row>`` XML (UTF-8) without ``r`` attributes: every cell
    is written, a blank one as ``<c/>``, so positions follow from the order. Works column by column:
    text columns through a cache of escaped cells, number columns through one string build per cell."""

    def __init__(self, key: str):
        cols = TABLES[key].columns
        self.key = key
        self.numeric = [c.kind != "text" for c in cols]
        self.text_pre = [f'<c s="{_STYLE_TEXT}" t="inlineStr">' for _c in cols]
        self.num_pre = [f'<c s="{_STYLE[c.kind]}"><v>' for c in cols]
        #: printed text columns, whose wrapped lines set the row's height: (index, width)
        self.wrapped = [(i, c.width) for i, c in enumerate(cols) if c.kind == "text" and c.printed]

    def row_starts(self, rows: Sequence[tuple]) -> list[str]:
        """Each row's start tag: a row whose printed text wraps onto several lines gets the height of
        those lines (spreadsheet programs do not grow rows for wrapped text on their own on opening)."""
        lines = [1] * len(rows)
        for c, width in self.wrapped:
            half = width // 2  # this many characters fit even when all are Chinese (two widths each)
            for i, row in enumerate(rows):
                v = row[c]
                if v.__class__ is str and len(v) > half:
                    n = len(v)
                    units = n + (len(v.encode("utf-8")) - n) // 2  # a 3-byte (CJK) character is two widths
                    need = min(_MAX_LINES, -(-units // width))
                    if need > lines[i]:
                        lines[i] = need
        return [_ROW if k == 1 else f'<row ht="{k * _LINE_HEIGHT}" customHeight="1">' for k in lines]

    def __call__(self, rows: Sequence[tuple]) -> bytes:
        if not rows:
            return b""
        n = len(rows)
        parts: list[Iterable[str]] = [self.row_starts(rows)]
        for c, col in enumerate(zip(*rows, strict=True)):
            if self.numeric[c]:
                pre = self.num_pre[c]
                parts.append(
                    [
                        pre + str(v) + "</v></c>"
                        if (t := v.__class__) is int or (t is Decimal and v.is_finite())
                        else self._cell(c, v)
                        for v in col
                    ]
                )
            else:
                cache: dict[Any, str] = {None: _BLANK, "": _BLANK}
                parts.append([cache[v] if v in cache else self._text(c, v, cache) for v in col])
        parts.append(["</row>"] * n)
        return "".join(chain.from_iterable(zip(*parts, strict=True))).encode("utf-8")

    def _text(self, c: int, v: Any, cache: dict[Any, str]) -> str:
        if type(v) is str:
            frag = cache[v] = self.text_pre[c] + _inline(v) + "</c>"
            return frag
        return self._cell(c, v)

    def _cell(self, c: int, v: Any) -> str:
        """Any value the fast paths did not take: None, text in a number column, floats, booleans."""
        if v is None or v == "":
            return _BLANK
        num = _number(v)
        if num is not None:
            return self.num_pre[c] + num + "</v></c>"
        if isinstance(v, (Decimal, float)):  # NaN / infinity: left blank
            return _BLANK
        return self.text_pre[c] + _inline(str(v)) + "</c>"


_BLANK = "<c/>"


class Packed(NamedTuple):
    """Rows of one table as a byte-aligned raw-deflate segment, ready to be appended to a sheet."""

    rows: int
    size: int  # uncompressed bytes
    crc: int
    data: bytes


def pack(xml: bytes, rows: int) -> Packed:
    """Deflate ``xml`` (``rows`` complete ``<row>`` elements) as an independent segment: a fresh
    compressor ending in a sync flush, so segments made anywhere concatenate into one valid stream."""
    comp = zlib.compressobj(1, zlib.DEFLATED, -15)
    return Packed(rows, len(xml), zlib.crc32(xml), comp.compress(xml) + comp.flush(zlib.Z_SYNC_FLUSH))


def pack_table(key: str, rows: Sequence[tuple]) -> Packed:
    """:class:`RowXml` then :func:`pack`: what a worker sends back for one table of a chunk."""
    return pack(RowXml(key)(rows), len(rows))


def _unpack_rows(packed: Packed) -> list[bytes]:
    """The ``<row>`` elements of a segment (only needed when a segment straddles a sheet's row limit)."""
    xml = zlib.decompressobj(-15).decompress(packed.data)
    return [row + _ROW_END for row in xml.split(_ROW_END)[:-1]]


_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]|_x[0-9A-Fa-f]{4}_|^\s|\s$")
_LITERAL_X = re.compile(r"_x[0-9A-Fa-f]{4}_")


def _inline(text: str) -> str:
    """``<is>`` element of an inline string (escaped as Excel expects)."""
    text = text[:MAX_TEXT]
    if _SPECIAL.search(text) is None:
        return f"<is><t>{text}</t></is>"
    text = xml_text(text)  # characters XML forbids: line breaks or nothing, as in every other writer
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _LITERAL_X.sub(lambda m: "_x005F" + m.group(0), text)
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


class _Part:
    """The rows of one sheet: deflated segments appended to a temporary file as they arrive."""

    def __init__(self, folder: str, key: str, number: int):
        self.key = key
        self.path = os.path.join(folder, f"{key}{number}.deflate")
        self.fh = open(self.path, "wb")  # noqa: SIM115 - closed in finish()
        self.crc = 0
        self.size = 0
        self.rows = 0

    def write(self, packed: Packed) -> None:
        self.fh.write(packed.data)
        self.crc = _crc32_combine(self.crc, packed.crc, packed.size) if self.size else packed.crc
        self.size += packed.size
        self.rows += packed.rows

    def finish(self) -> None:
        self.fh.close()


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
        self.tmp = tempfile.mkdtemp(prefix=".~perfeval-", dir=self.path.parent)
        self.parts: dict[str, list[_Part]] = {key: [] for key in TABLES}
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
            parts.append(_Part(self.tmp, key, len(parts) + 1))
        if parts[-1].rows + packed.rows <= per_sheet:
            parts[-1].write(packed)  # the common case: the worker's bytes as they are
            return
        rows = _unpack_rows(packed)  # the segment straddles Excel's row limit: split it
        while rows:
            if parts[-1].rows >= per_sheet:
                parts.append(_Part(self.tmp, key, len(parts) + 1))
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
        streams = {name: self.parts[key][k] for name, (key, k) in targets.items() if k < len(self.parts[key])}
        atomic_write(self.path, lambda tmp: _assemble(skeleton, tmp, streams))
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


_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')


def _assemble(skeleton: io.BytesIO, filename: str, streams: dict[str, _Part]) -> None:
    """Write the xlsx zip: the skeleton's members, each streamed sheet as skeleton head + the part's
    compressed rows + skeleton tail in one deflate stream."""
    import struct

    skeleton.seek(0)
    central: list[bytes] = []
    with zipfile.ZipFile(skeleton) as zin, open(filename, "wb") as out:
        for info in zin.infolist():
            data = zin.read(info.filename)
            name = info.filename.encode("utf-8")
            part = streams.get(info.filename)
            if part is None or not part.rows:
                comp = zlib.compressobj(1, zlib.DEFLATED, -15)
                pieces = [comp.compress(data) + comp.flush()]
                crc, size = zlib.crc32(data), len(data)
            else:
                xml = data.decode("utf-8")
                head, sep, tail = xml.partition("</sheetData>")
                if not sep:
                    raise RuntimeError(f"unexpected worksheet XML in {info.filename}")
                last = f"{_col_letter(len(TABLES[part.key].columns) - 1)}{part.rows + 1}"
                head_b = _DIMENSION.sub(f'<dimension ref="A1:{last}"/>', head, count=1).encode("utf-8")
                tail_b = (sep + tail).encode("utf-8")
                c1 = zlib.compressobj(1, zlib.DEFLATED, -15)
                c3 = zlib.compressobj(1, zlib.DEFLATED, -15)
                pieces = [c1.compress(head_b) + c1.flush(zlib.Z_SYNC_FLUSH), part.path,
                          c3.compress(tail_b) + c3.flush()]  # fmt: skip
                crc = _crc32_combine(_crc32_combine(zlib.crc32(head_b), part.crc, part.size), zlib.crc32(tail_b),
                                     len(tail_b))  # fmt: skip
                size = len(head_b) + part.size + len(tail_b)
            csize = sum(len(p) if isinstance(p, bytes) else os.path.getsize(p) for p in pieces)
            if max(size, csize, out.tell()) >= 0xFFFFFFFF:
                raise RuntimeError("汇总工作簿过大（超过 4 GB）")
            y, mo, d, h, mi, s = info.date_time
            dos_time = h << 11 | mi << 5 | s // 2
            dos_date = (y - 1980) << 9 | mo << 5 | d
            offset = out.tell()
            out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, dos_time, dos_date, crc, csize, size,
                                  len(name), 0))  # fmt: skip
            out.write(name)
            for p in pieces:
                if isinstance(p, bytes):
                    out.write(p)
                else:
                    with open(p, "rb") as fh:
                        while block := fh.read(1 << 20):
                            out.write(block)
            central.append(
                struct.pack(
                    "<4s6H3L5H2L",
                    b"PK\x01\x02",
                    20,
                    20,
                    0,
                    8,
                    dos_time,
                    dos_date,
                    crc,
                    csize,
                    size,
                    len(name),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
                + name  # fmt: skip
            )
        start = out.tell()
        for rec in central:
            out.write(rec)
        end = out.tell()
        out.write(
            struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), end - start, start, 0)
        )


def _gf2_times(mat: list[int], vec: int) -> int:
    total = 0
    i = 0
    while vec:
        if vec & 1:
            total ^= mat[i]
        vec >>= 1
        i += 1
    return total


def _gf2_square(mat: list[int]) -> list[int]:
    return [_gf2_times(mat, m) for m in mat]


#: ``_CRC_ZEROS[k]``: the CRC-32 operator (GF(2) matrix) that appends 2**k zero bytes; built on demand
#: and kept, since it depends on nothing but k (the parent combines a CRC per streamed segment).
_CRC_ZEROS: list[list[int]] = []


def _crc_zeros(k: int) -> list[int]:
    while len(_CRC_ZEROS) <= k:
        if _CRC_ZEROS:
            op = _gf2_square(_CRC_ZEROS[-1])
        else:
            op = [0xEDB88320] + [1 << n for n in range(31)]  # one zero bit
            for _ in range(3):  # 2, 4, 8 zero bits
                op = _gf2_square(op)
        _CRC_ZEROS.append(op)
    return _CRC_ZEROS[k]


def _crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of A+B from crc(A), crc(B) and len(B) (zlib's crc32_combine, which Python lacks)."""
    k = 0
    while len2 > 0:
        if len2 & 1:
            crc1 = _gf2_times(_crc_zeros(k), crc1)
        len2 >>= 1
        k += 1
    return crc1 ^ crc2


def _col_letter(c: int) -> str:
    from xlsxwriter.utility import xl_col_to_name

    return xl_col_to_name(c)


def _highlight_forms(sheets, fmt: _Formats, n_rows: int) -> None:
    if not n_rows:
        return
    forms = C.FORMS
    g = forms.index(C.GRADE)
    rate = forms.index(C.RATE)
    letter = _col_letter(rate)
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
    a = _col_letter(table.index(computed))
    b = table.index(stated)
    bl = _col_letter(b)
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
    letter = _col_letter(rate)
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

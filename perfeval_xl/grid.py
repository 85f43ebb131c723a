"""Any input file as grids of cell values: tab-separated exports, xlsx/xlsm/xlsb/ods/xls, HTML tables.

:func:`load_grids` looks at a file's content (not only its extension), refuses what must not be read
(empty files, binary junk, encrypted workbooks, oversized files, zip bombs) with a Chinese
:class:`~perfeval_xl.model.ReadError`, and yields one :class:`Grid` per sheet or HTML table.
Workbooks are read with python-calamine (cached values of formula cells); openpyxl is the fallback
for an xlsx that calamine cannot open.
"""

from __future__ import annotations

import csv
import io
import os
import re
import struct
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Literal, cast

from . import formulas, limits, xlsxcells
from .model import ReadError
from .precheck import check_ods, check_xlsx
from .xlsxcells import CellProblem

#: HTML colspan / rowspan are capped (as browsers do) so a hostile table cannot blow up memory.
MAX_SPAN = limits.MAX_SPAN

SHEET_KINDS = frozenset({"xlsx", "xls", "ods"})

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)


def column_letter(index: int) -> str:
    """0-based column index to Excel letters: 0 -> "A", 27 -> "AB"."""
    if 0 <= index < len(_LETTERS):
        return _LETTERS[index]
    return _column_letter(index)


def _column_letter(index: int) -> str:
    letters = ""
    n = index + 1
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_LETTERS = [_column_letter(i) for i in range(702)]


@dataclass
class Grid:
    """The cells of one sheet (or one HTML table, or a whole text export), row by row.

    ``rows[r][c]`` is the cell at 0-based ``(origin[0] + r, origin[1] + c)`` of the sheet; values are
    str, int, float, bool, datetime/date, or None or "" for a blank cell. Rows may differ in length.
    """

    source: str  # the path as the user gave it
    sheet: str | None  # sheet name; None for a text export (or a lone HTML table)
    rows: list[list[object]]
    origin: tuple[int, int] = (0, 0)  # 0-based (row, column) of rows[0][0]
    kind: str = "text"  # "text", "html", "xlsx", "xls" or "ods"
    lines: list[int] | None = None  # text exports: the file line (1-based) each row starts on

    def __post_init__(self) -> None:
        self._sheet = self.kind in SHEET_KINDS  # ref() is called for every field read: decide once
        self._r0, self._c0 = self.origin
        # error values and uncached formulas; False once the sheet is known to have none
        self._values: formulas.SheetValues | Literal[False] | None = None
        self._percent_results: set[tuple[int, int]] = set()  # evaluated "=99%" cells
        self._workbook_facts: xlsxcells.WorkbookFacts | None = None

    def cell(self, r: int, c: int) -> object:
        """The value at grid position (r, c); None for a blank cell and outside the grid."""
        if 0 <= r < len(self.rows):
            row = self.rows[r]
            if 0 <= c < len(row):
                v = row[c]
                return None if v == "" else v
        return None

    def ref(self, r: int, c: int) -> str:
        """Where grid position (r, c) is, for messages: "D7" on sheets, "第7行第4列" in text exports."""
        if self._sheet:
            col = c + self._c0
            return (_LETTERS[col] if 0 <= col < 702 else column_letter(col)) + str(r + self._r0 + 1)
        return f"第{self._line(r)}行第{c + self._c0 + 1}列"

    def percent_formatted(self, cells: list[tuple[int, int]]) -> set[tuple[int, int]]:
        """Which of these grid cells carry a percent number format (or hold an evaluated ``=99%``).

        Formats are read from the xlsx/xlsm file's own styles and sheet XML (:mod:`.xlsxcells`, once
        per file, only when asked), since calamine does not report them. Other kinds (.xls, .ods, text)
        answer "none" beyond the evaluated percentages: the values then stay as stored."""
        found = {cell for cell in cells if cell in self._percent_results} if self._percent_results else set()
        if self.kind != "xlsx" or self.sheet is None or not cells:
            return found
        r0, c0 = self._r0, self._c0
        absolute = [(r + r0, c + c0) for r, c in cells]
        hits = self._facts().percent_cells(self.sheet, absolute)
        return found | {(r - r0, c - c0) for r, c in hits}

    def resolve(self, r: int, c: int) -> object:
        """What a cell that reads as blank really holds, for a cell the reader needs a value from.

        calamine shows an Excel error value and a formula without a cached value as blank. For xlsx/xlsm
        this asks the file's XML (once per sheet; a sheet without any error value or formula answers
        at once): None when the cell is blank indeed; for a formula without a cached value, its value
        evaluated exactly (:mod:`.formulas`), also stored in the grid; :class:`CellProblem` with a
        Chinese reason for an error value or a formula too complex to evaluate.
        """
        if self.kind != "xlsx" or self.sheet is None:
            return None
        values = self._sheet_values()
        if values is None:
            return None
        pos = (r + self._r0, c + self._c0)
        error = values.errors.get(pos)
        if error is not None:
            raise CellProblem(f"单元格为错误值 {error}", error=error)
        if pos not in values.formulas:
            return None
        text = values.formulas[pos]
        try:
            value = formulas.evaluate_cell(values, pos)
        except formulas.FormulaError as exc:
            shown = f"（={text[:40]}{'…' if len(text) > 40 else ''}）" if text else ""
            raise CellProblem(
                f"单元格的公式没有计算结果{shown}，{exc.reason}；请在 Excel/WPS 中打开并保存后再读取"
                "（若本意是文字，请把单元格设为文本格式）"
            ) from None
        as_float = float(value)
        stored: object = as_float if Decimal(repr(as_float)) == value else value  # floats like calamine's
        while len(self.rows) <= r:
            self.rows.append([])
        row = self.rows[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        row[c] = stored
        if text and formulas.is_percent_literal(text):
            self._percent_results.add((r, c))
        return stored

    def _facts(self) -> xlsxcells.WorkbookFacts:
        if self._workbook_facts is None:
            self._workbook_facts = xlsxcells.facts(self.source)  # shared by the file's grids
        return self._workbook_facts

    def _sheet_values(self) -> formulas.SheetValues | None:
        if self._values is None:
            facts = self._facts().cell_facts(self.sheet or "")
            if not facts.errors and not facts.formulas:
                self._values = False
            else:
                r0, c0 = self._r0, self._c0
                width = max((len(row) for row in self.rows), default=0)
                bounds = (r0, c0, r0 + len(self.rows) - 1, c0 + width - 1)
                self._values = formulas.SheetValues(
                    lambda pos: self.cell(pos[0] - r0, pos[1] - c0), facts.errors, facts.formulas, bounds
                )
        return self._values or None

    def refs_in_row(self, r: int, columns: Iterable[int]) -> list[str]:
        """``ref(r, c)`` for each of ``columns``, in one call (the reader names every field it reads)."""
        if self._sheet:
            n = str(r + self._r0 + 1)
            c0 = self._c0
            return [(_LETTERS[c + c0] if 0 <= c + c0 < 702 else column_letter(c + c0)) + n for c in columns]
        return [self.ref(r, c) for c in columns]

    def row_ref(self, r: int, c0: int | None = None, c1: int | None = None) -> str:
        """A row (or the part c0..c1 of it): "B7:H7" on sheets, "第7行" in text exports."""
        if self._sheet:
            n = str(r + self._r0 + 1)
            if c0 is None or c1 is None:
                return f"第{n}行"
            a, b = c0 + self._c0, c1 + self._c0
            if not (0 <= a < 702 and 0 <= b < 702):
                return self.ref(r, c0) if c0 == c1 else f"{self.ref(r, c0)}:{self.ref(r, c1)}"
            return _LETTERS[a] + n if a == b else f"{_LETTERS[a]}{n}:{_LETTERS[b]}{n}"
        return f"第{self._line(r)}行"

    def span_ref(self, c0: int, c1: int) -> Callable[[int], str]:
        """``lambda r: row_ref(r, c0, c1)`` with the column letters worked out once (one per table)."""
        a, b = c0 + self._c0, c1 + self._c0
        if not self._sheet or not (0 <= a < 702 and 0 <= b < 702):
            return lambda r: self.row_ref(r, c0, c1)
        r0 = self._r0 + 1
        if a == b:
            return lambda r: f"{_LETTERS[a]}{r + r0}"
        left, right = _LETTERS[a], _LETTERS[b]
        return lambda r: f"{left}{r + r0}:{right}{r + r0}"

    def _line(self, r: int) -> int:
        if self.lines is not None and 0 <= r < len(self.lines):
            return self.lines[r]
        return r + self.origin[0] + 1


SheetErrorHandler = Callable[[ReadError], None]


def load_grids(path: str | os.PathLike, *, on_sheet_error: SheetErrorHandler | None = None) -> Iterator[Grid]:
    """Yield the grids of the file at ``path``, whatever its format.

    Raises :class:`ReadError` for a file that cannot be read at all. A single unreadable sheet of a
    workbook is passed to ``on_sheet_error`` (and skipped) when given, else raised.
    """
    source = os.fspath(path)
    if isinstance(source, bytes):
        source = source.decode(errors="replace")
    p = Path(source)
    try:
        size = p.stat().st_size
        is_dir = p.is_dir()
    except OSError as exc:
        raise ReadError(source, f"无法打开文件（{_os_reason(exc)}）") from exc
    if is_dir:
        raise ReadError(source, "这是一个文件夹，不是文件")
    if size == 0:
        raise ReadError(source, "文件为空")
    lim = limits.current()
    if size > lim.max_file_bytes:
        raise ReadError(source, f"文件过大（{size / 1048576:.1f} MB，上限 {lim.max_file_mb} MB），未读取")
    try:
        with open(source, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise ReadError(source, f"无法打开文件（{_os_reason(exc)}）") from exc

    if head.startswith(_ZIP_MAGIC):
        kind, refused = _check_zip(source, lim)
        yield from _workbook_grids(source, kind, on_sheet_error, refused)
        return
    if head.startswith(_OLE_MAGIC):
        data = _read_all(source)
        if _ENCRYPTED_STREAM in data:
            raise ReadError(source, "文件已加密/设有密码，无法读取；请去掉密码后另存为 .xlsx 再试")
        yield from _workbook_grids(source, "xls", on_sheet_error)
        return
    ext = p.suffix.lower()
    if ext in _ZIP_WORKBOOKS:  # Excel refuses such a file too ("format or extension not valid")
        raise ReadError(
            source,
            f"不是有效的 Excel 文件：扩展名为 {ext}，内容却不是工作簿（可能已损坏、未下载完整，或扩展名有误）",
        )
    data = _read_all(source)
    if ext == ".xls" and not _looks_like_export(data):  # an .xls may be an HTML or tab-separated export
        raise ReadError(
            source, "不是有效的 Excel 文件：扩展名为 .xls，内容却既不是工作簿，也不是网页或制表符分隔的导出表"
        )
    yield from _text_grids(source, data, lim)


#: endings whose files are always zip archives
_ZIP_WORKBOOKS = (".xlsx", ".xlsm", ".xlsb", ".ods")


def _looks_like_export(data: bytes) -> bool:
    """An HTML table, tab-separated text or Excel 2003 XML, as systems export under the name .xls."""
    head = data[:65536]
    return (
        b"\t" in head or b"<table" in head.lower() or b"urn:schemas-microsoft-com:office:spreadsheet" in head
    )


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "文件不存在"
    if isinstance(exc, PermissionError):
        return "没有读取权限"
    return exc.strerror or type(exc).__name__


def _read_all(source: str) -> bytes:
    try:
        with open(source, "rb") as fh:
            return fh.read(limits.current().max_file_bytes + 1)
    except OSError as exc:
        raise ReadError(source, f"无法读取文件（{_os_reason(exc)}）") from exc


# --------------------------------------------------------------------------------------- workbooks


_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
_CDIR = struct.Struct("<4s6H3L5H2L")  # central directory file header


def _zip_directory(source: str) -> list[tuple[str, int, int, int, int]] | None:
    """``(name, compressed size, uncompressed size, method, local header offset)`` of every member
    (method -1: encrypted), read straight from the central
    directory (a few struct reads instead of building ZipInfo objects: this runs once per input of a
    batch). None for anything unusual (zip64, comments, spanning): the caller then asks zipfile."""
    with open(source, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        if size < _EOCD.size:
            return None
        fh.seek(size - _EOCD.size)
        sig, disk, cd_disk, n_here, n_total, cd_size, cd_offset, comment = _EOCD.unpack(fh.read(_EOCD.size))
        if sig != b"PK\x05\x06" or disk or cd_disk or n_here != n_total or comment:
            return None
        if cd_offset + cd_size > size - _EOCD.size or n_total == 0xFFFF or cd_offset == 0xFFFFFFFF:
            return None
        fh.seek(cd_offset)
        data = fh.read(cd_size)
    members = []
    pos = 0
    for _ in range(n_total):
        if pos + _CDIR.size > len(data):
            return None
        fields = _CDIR.unpack_from(data, pos)
        if fields[0] != b"PK\x01\x02":
            return None
        csize, usize, n_name, n_extra, n_comment = fields[8], fields[9], fields[10], fields[11], fields[12]
        if csize == 0xFFFFFFFF or usize == 0xFFFFFFFF:
            return None  # zip64 sizes live in the extra field: let zipfile read them
        start = pos + _CDIR.size
        method = -1 if fields[3] & 1 else fields[4]
        members.append(
            (data[start : start + n_name].decode("utf-8", "replace"), csize, usize, method, fields[16])
        )
        pos = start + n_name + n_extra + n_comment
    return members


def _check_zip(source: str, lim: limits.Limits) -> tuple[str, dict[str, ReadError]]:
    """Inspect the zip directory (nothing is decompressed), then the parts that decide what calamine
    allocates (:func:`perfeval_xl.precheck.check_xlsx`). Returns "xlsx" or "ods", and the sheets
    that must not be loaded."""
    try:
        members = _zip_directory(source)
        if members is None:
            with zipfile.ZipFile(source) as zf:
                members = [
                    (i.filename, i.compress_size, i.file_size, -1 if i.flag_bits & 1 else i.compress_type,
                     i.header_offset)
                    for i in zf.infolist()
                ]  # fmt: skip
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error) as exc:
        raise ReadError(source, "工作簿已损坏（zip 结构无效），无法读取") from exc
    total = 0
    names = set()
    for name, compressed, uncompressed, _method, _offset in members:
        names.add(name)
        total += uncompressed
        if uncompressed >= limits.RATIO_MIN_BYTES:
            ratio = uncompressed / max(compressed, 1)
            if ratio > lim.max_compression_ratio:
                raise ReadError(
                    source,
                    f"疑似压缩炸弹：成员“{name[:60]}”压缩比 {ratio:.0f}:1"
                    f"（上限 {lim.max_compression_ratio}:1），未解压",
                )
    if total > lim.max_unzipped_bytes:
        raise ReadError(
            source,
            f"疑似压缩炸弹：解压后共 {total / 1048576:.0f} MB（上限 {lim.max_unzipped_mb} MB），未解压",
        )
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return "xlsx", check_xlsx(source, members, lim)
    if "content.xml" in names and "mimetype" in names:
        check_ods(source, members, lim)
        return "ods", {}
    if "EncryptedPackage" in names:
        raise ReadError(source, "文件已加密/设有密码，无法读取")
    raise ReadError(source, "这是一个 zip 文件，但不是 Excel 工作簿")


def _workbook_grids(
    source: str,
    kind: str,
    on_sheet_error: SheetErrorHandler | None,
    refused: dict[str, ReadError] | None = None,
) -> Iterator[Grid]:
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(source)
        metas = wb.sheets_metadata
    except pc.PasswordError as exc:
        raise ReadError(source, "文件已加密/设有密码，无法读取；请去掉密码后再试") from exc
    except Exception as exc:  # calamine raises several error types for broken files
        if kind == "xlsx":
            yield from _openpyxl_grids(source, exc, on_sheet_error, refused)
            return
        raise ReadError(source, f"无法读取工作簿（文件已损坏或格式不受支持：{_short(exc)}）") from exc
    max_cells = limits.current().max_cells
    try:
        for meta in metas:
            if meta.typ != pc.SheetTypeEnum.WorkSheet:
                continue  # chart sheets, dialog and macro sheets
            name = meta.name
            if refused and name in refused:
                _sheet_failed(refused[name], on_sheet_error)
                continue
            try:
                sheet = wb.get_sheet_by_name(name)
                if sheet.height * sheet.width > max_cells:
                    raise ReadError(
                        source, f"工作表过大（{sheet.height}×{sheet.width} 个单元格），未读取", sheet=name
                    )
                start = sheet.start
                # the grid owns calamine's fresh lists from here (and may store evaluated cells in them)
                raw = cast("list[list[object]]", sheet.to_python()) if start is not None else []
            except ReadError as err:
                _sheet_failed(err, on_sheet_error)
                continue
            except Exception as exc:
                failure = ReadError(source, f"无法读取工作表（{_short(exc)}）", sheet=name)
                _sheet_failed(failure, on_sheet_error)
                continue
            # calamine gives "" for blank cells; the reader treats "" like None, so no copy is made
            yield Grid(source, name, raw, origin=(start[0], start[1]) if start else (0, 0), kind=kind)
    finally:
        try:
            wb.close()
        except Exception:  # pragma: no cover - closing never matters for correctness
            pass


def _openpyxl_grids(
    source: str, first_error: Exception, on_sheet_error: SheetErrorHandler | None, refused: dict | None = None
):
    try:
        import openpyxl

        wb = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:
        raise ReadError(source, f"无法读取工作簿（文件已损坏或格式不受支持：{_short(first_error)}）") from exc
    try:
        max_cells = limits.current().max_cells
        for ws in wb.worksheets:
            if refused and ws.title in refused:
                _sheet_failed(refused[ws.title], on_sheet_error)
                continue
            try:
                rows: list[list[object]] = []
                cells = 0
                for row in ws.iter_rows(min_row=1, min_col=1, values_only=True):
                    cells += len(row)
                    if cells > max_cells:
                        raise ReadError(source, "工作表过大，未读取", sheet=ws.title)
                    rows.append([None if v == "" else v for v in row])
            except ReadError as err:
                _sheet_failed(err, on_sheet_error)
                continue
            except Exception as exc:
                _sheet_failed(
                    ReadError(source, f"无法读取工作表（{_short(exc)}）", sheet=ws.title), on_sheet_error
                )
                continue
            yield Grid(source, ws.title, rows, kind="xlsx")
    finally:
        wb.close()


def _sheet_failed(err: ReadError, handler: SheetErrorHandler | None) -> None:
    if handler is None:
        raise err
    handler(err)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


# --------------------------------------------------------------------------------------- text, HTML


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


def _text_grids(source: str, data: bytes, lim: limits.Limits | None = None) -> Iterator[Grid]:
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
        self._stack: list[dict] = []  # open tables (nested tables are collected separately)
        self.cells = 0

    @property
    def _table(self) -> dict | None:
        return self._stack[-1] if self._stack else None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        t = self._table
        if tag == "table":
            self._stack.append({"rows": [], "row": None, "cell": None, "spans": {}, "span": 1})
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
    for i, rows in enumerate(tables, 1):
        yield Grid(source, None if len(tables) == 1 else f"第{i}个表格", rows, kind="html")

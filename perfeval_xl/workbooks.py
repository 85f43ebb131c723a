"""Workbooks as grids: the zip checked before anything is unpacked, python-calamine's values (openpyxl
for an xlsx calamine cannot open), and each xlsx grid's facts beyond the values (number formats, error
values, formulas without a cached value: :class:`XlsxFacts`, from :mod:`perfeval_xl.xlsxcells`)."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Literal, cast

from . import formulas, limits, xlsxcells
from .cellgrid import Grid
from .model import ReadError
from .precheck import check_ods, check_xlsx
from .xlsxcells import CellProblem
from .zipparts import whole_file, zip_directory

SheetErrorHandler = Callable[[ReadError], None]


class XlsxFacts:
    """What an xlsx/xlsm file says about one grid's cells beyond their values (see
    :class:`~perfeval_xl.cellgrid.SheetFacts`): asked from the file's XML once per file, only when a
    question needs it."""

    __slots__ = ("book", "values", "percent_results")

    def __init__(self, book: xlsxcells.WorkbookFacts):
        self.book = book  # shared by the file's grids
        # error values and uncached formulas; False once the sheet is known to have none
        self.values: formulas.SheetValues | Literal[False] | None = None
        self.percent_results: set[tuple[int, int]] = set()  # evaluated "=99%" cells

    def percent_formatted(self, grid: Grid, cells: list[tuple[int, int]]) -> set[tuple[int, int]]:
        found = {cell for cell in cells if cell in self.percent_results} if self.percent_results else set()
        if grid.sheet is None:
            return found
        r0, c0 = grid.origin
        hits = self.book.percent_cells(grid.sheet, [(r + r0, c + c0) for r, c in cells])
        return found | {(r - r0, c - c0) for r, c in hits} if hits else found

    def resolve(self, grid: Grid, r: int, c: int) -> object:
        """calamine shows an Excel error value and a formula without a cached value as blank; the
        sheet's XML says which (a sheet without any error value or formula answers at once)."""
        values = self._sheet_values(grid)
        if values is None:
            return None
        r0, c0 = grid.origin
        pos = (r + r0, c + c0)
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
        rows = grid.rows
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        row[c] = stored
        if text and formulas.is_percent_literal(text):
            self.percent_results.add((r, c))
        return stored

    def _sheet_values(self, grid: Grid) -> formulas.SheetValues | None:
        if self.values is None:
            facts = self.book.cell_facts(grid.sheet or "")
            if not facts.errors and not facts.formulas:
                self.values = False
            else:
                r0, c0 = grid.origin
                width = max((len(row) for row in grid.rows), default=0)
                bounds = (r0, c0, r0 + len(grid.rows) - 1, c0 + width - 1)
                self.values = formulas.SheetValues(
                    lambda pos: grid.cell(pos[0] - r0, pos[1] - c0), facts.errors, facts.formulas, bounds
                )
        return self.values or None


def check_zip(source: str, lim: limits.Limits, data: bytes | None = None) -> tuple[str, dict[str, ReadError]]:
    """Inspect the zip directory (nothing is decompressed), then the parts that decide what calamine
    allocates (:func:`perfeval_xl.precheck.check_xlsx`). Returns "xlsx" or "ods", and the sheets
    that must not be loaded. ``data``: the whole file when the caller has read it already."""
    try:
        if data is None:
            data = whole_file(source)
        members = zip_directory(source, data)
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
        return "xlsx", check_xlsx(source, members, lim, data)
    if "content.xml" in names and "mimetype" in names:
        check_ods(source, members, lim)
        return "ods", {}
    if "EncryptedPackage" in names:
        raise ReadError(source, "文件已加密/设有密码，无法读取")
    raise ReadError(source, "这是一个 zip 文件，但不是 Excel 工作簿")


def workbook_grids(
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
    book = xlsxcells.facts(source) if kind == "xlsx" else None  # read when first asked
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
            origin = (start[0], start[1]) if start else (0, 0)
            facts = XlsxFacts(book) if book is not None else None
            yield Grid(source, name, raw, origin, kind, facts=facts, merges=_merges(sheet))
    finally:
        try:
            wb.close()
        except Exception:  # pragma: no cover - closing never matters for correctness
            pass


def _merges(sheet: object) -> list[tuple[int, int, int, int]] | None:
    """calamine's merged ranges of a sheet as (r0, c0, r1, c1); None where it keeps none (ods)."""
    ranges = getattr(sheet, "merged_cell_ranges", None)
    if ranges is None:
        return None
    return [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges]


def _openpyxl_grids(
    source: str, first_error: Exception, on_sheet_error: SheetErrorHandler | None, refused: dict | None = None
):
    try:
        import openpyxl

        wb = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:
        raise ReadError(source, f"无法读取工作簿（文件已损坏或格式不受支持：{_short(first_error)}）") from exc
    book = xlsxcells.facts(source)
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
            yield Grid(source, ws.title, rows, kind="xlsx", facts=XlsxFacts(book))
    finally:
        wb.close()


def _sheet_failed(err: ReadError, handler: SheetErrorHandler | None) -> None:
    if handler is None:
        raise err
    handler(err)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]

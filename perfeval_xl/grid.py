"""Any input file as grids of cell values: xlsx/xlsm/xlsb/ods/xls workbooks, tab-separated exports,
HTML tables.

:func:`load_grids` looks at a file's content (not only its extension), refuses what must not be read
(empty files, binary junk, encrypted workbooks, oversized files, zip bombs) with a Chinese
:class:`~perfeval_xl.model.ReadError`, and yields one :class:`~perfeval_xl.cellgrid.Grid` per sheet or
HTML table: workbooks through :mod:`perfeval_xl.workbooks` (python-calamine), text and HTML through
:mod:`perfeval_xl.textgrids`. ``Grid``, ``column_letter`` and ``MAX_SPAN`` are re-exported here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from stat import S_ISDIR

from . import limits
from .cellgrid import SHEET_KINDS, Grid, column_letter
from .limits import MAX_SPAN
from .model import ReadError
from .workbooks import SheetErrorHandler, check_zip, workbook_grids
from .zipparts import WHOLE_FILE_BYTES

__all__ = ["MAX_SPAN", "SHEET_KINDS", "Grid", "SheetErrorHandler", "column_letter", "load_grids"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def load_grids(path: str | os.PathLike, *, on_sheet_error: SheetErrorHandler | None = None) -> Iterator[Grid]:
    """Yield the grids of the file at ``path``, whatever its format.

    Raises :class:`ReadError` for a file that cannot be read at all. A single unreadable sheet of a
    workbook is passed to ``on_sheet_error`` (and skipped) when given, else raised.
    """
    source = os.fspath(path)
    if isinstance(source, bytes):
        source = source.decode(errors="replace")
    try:
        info = os.stat(source)
    except OSError as exc:
        raise ReadError(source, f"无法打开文件（{_os_reason(exc)}）") from exc
    if S_ISDIR(info.st_mode):
        raise ReadError(source, "这是一个文件夹，不是文件")
    size = info.st_size
    if size == 0:
        raise ReadError(source, "文件为空")
    lim = limits.current()
    if size > lim.max_file_bytes:
        raise ReadError(source, f"文件过大（{size / 1048576:.1f} MB，上限 {lim.max_file_mb} MB），未读取")
    # a file up to WHOLE_FILE_BYTES (nearly every form) is read once, here; the pre-check and the
    # cell-format look-ups take its parts from these bytes, the text reader its text
    data: bytes | None = None
    try:
        with open(source, "rb") as fh:
            if size <= WHOLE_FILE_BYTES:
                data = fh.read(WHOLE_FILE_BYTES + 1)
                head = data[:8]
            else:
                head = fh.read(8)
    except OSError as exc:
        raise ReadError(source, f"无法打开文件（{_os_reason(exc)}）") from exc
    if data is not None and len(data) > WHOLE_FILE_BYTES:
        data = None  # grew since the stat: read it as a large file

    if head.startswith(_ZIP_MAGIC):
        kind, refused = check_zip(source, lim, data)
        yield from workbook_grids(source, kind, on_sheet_error, refused)
        return
    if head.startswith(_OLE_MAGIC):
        data = data if data is not None else _read_all(source)
        if _ENCRYPTED_STREAM in data:
            raise ReadError(source, "文件已加密/设有密码，无法读取；请去掉密码后另存为 .xlsx 再试")
        yield from workbook_grids(source, "xls", on_sheet_error)
        return
    ext = os.path.splitext(source)[1].lower()
    if ext in _ZIP_WORKBOOKS:  # Excel refuses such a file too ("format or extension not valid")
        raise ReadError(
            source,
            f"不是有效的 Excel 文件：扩展名为 {ext}，内容却不是工作簿（可能已损坏、未下载完整，或扩展名有误）",
        )
    data = data if data is not None else _read_all(source)
    if ext == ".xls" and not _looks_like_export(data):  # an .xls may be an HTML or tab-separated export
        raise ReadError(
            source, "不是有效的 Excel 文件：扩展名为 .xls，内容却既不是工作簿，也不是网页或制表符分隔的导出表"
        )
    from .textgrids import text_grids  # csv and html.parser: only for text exports

    yield from text_grids(source, data, lim)


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

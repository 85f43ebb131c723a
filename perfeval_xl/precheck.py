"""Checks of an xlsx workbook's structure before python-calamine sees it (standard library only).

calamine sizes its buffers from what a file claims: a single cell at ``XFD1048576`` makes it allocate
the whole grid (~400 GiB), a shared-string table claiming ``uniqueCount="4294967295"`` the same, and
an allocation that fails aborts the process (SIGABRT: no exception to catch). So the few parts that
decide these sizes are read first, cheaply, and the workbook is refused with a Chinese
:class:`~perfeval_xl.model.ReadError` when they claim more than :mod:`perfeval_xl.limits` allows:

- ``xl/workbook.xml``: the number of sheets, and sheets pointing at one and the same part;
- ``xl/sharedStrings.xml``: the counts in its first bytes, against the limit and the part's size;
- every worksheet part: a bounded scan for cell references. One regex search answers the common case
  (no reference beyond row 999 or column Z: the sheet is small); otherwise every reference is read
  and the bounding box of the cells present (what calamine allocates) is checked.

The scan reads each sheet part once more than calamine does; a form's sheet is a few KB.
"""

from __future__ import annotations

import io
import re
import struct
import zlib

from . import xlsxcells
from .limits import Limits
from .model import ReadError
from .xmlscan import unescape
from .zipparts import SCAN_CHUNK, Parts

_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_RID = re.compile(rb'\b(?:\w+:)?id="([^"]*)"')
_NAME = re.compile(rb'\bname="([^"]*)"')
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_REL_ID = re.compile(rb'\bId="([^"]*)"')
_REL_TARGET = re.compile(rb'\bTarget="([^"]*)"')
_COUNTS = re.compile(rb'(uniqueCount|count)="\s*([0-9]+)\s*"')
#: any reference beyond row 999 or column Z (the fast answer for a small sheet is "no match")
#: (no ``\b``: a pattern that starts with a literal is searched ~20× faster; an attribute ending in
#: "r" that matches too only sends a sheet to the full scan)
_FAR = re.compile(rb'r="(?:[A-Z]{0,3}[0-9]{4}|[A-Z]{2})')
_REF = re.compile(rb'r="([A-Z]{0,3})([0-9]{1,7})"')
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]")


def check_xlsx(
    source: str, members: list[tuple[str, int, int, int, int]], limits: Limits, data: bytes | None = None
) -> dict[str, ReadError]:
    """Raise :class:`ReadError` if the workbook as a whole claims more than ``limits`` allow; return
    the sheets (by name) that must not be loaded, with the reason (the other sheets can be read).
    ``members`` are the zip directory's ``(name, compressed, uncompressed, method, offset)``;
    ``data`` the whole file when it was read in one go (parts are then taken from it)."""
    names = {m[0] for m in members}
    if "xl/workbook.xml" not in names:
        return {}  # xlsb and other variants: calamine's own limits apply, and the worker's
    try:
        with io.BytesIO(data) if data is not None else open(source, "rb") as fh:
            return _check(source, Parts(fh, members, data), names, limits)
    except (OSError, zlib.error, struct.error, ValueError, EOFError) as exc:
        raise ReadError(source, "工作簿已损坏（zip 内容无效），无法读取") from exc


def _check(source: str, zf: Parts, names: set[str], limits: Limits) -> dict[str, ReadError]:
    workbook = zf.read("xl/workbook.xml", 16 << 20)
    unpacked = {"xl/workbook.xml": workbook}  # handed to xlsxcells, which may need them again
    sheets = _SHEET.findall(workbook)
    if len(sheets) > limits.max_sheets:
        raise ReadError(
            source, f"工作簿的工作表过多（{len(sheets)} 张，上限 {limits.max_sheets} 张），未读取"
        )
    for name in names:
        if name.endswith("sharedStrings.xml"):
            _check_shared_strings(source, zf, name, limits)
    targets = {}
    if "xl/_rels/workbook.xml.rels" in names:
        rels = zf.read("xl/_rels/workbook.xml.rels", 16 << 20)
        unpacked["xl/_rels/workbook.xml.rels"] = rels
        for rel in _REL.findall(rels):
            rid, target = _REL_ID.search(rel), _REL_TARGET.search(rel)
            if rid and target:
                targets[rid.group(1)] = _part_name(target.group(1).decode("utf-8", "replace"))
    sheet_of: dict[str, str] = {}  # part -> sheet name
    for tag in sheets:
        rid, title = _RID.search(tag), _NAME.search(tag)
        part = targets.get(rid.group(1)) if rid else None
        if part is None or title is None:
            continue
        if part in sheet_of:
            raise ReadError(source, "工作簿结构异常：多个工作表指向同一份数据（文件可能被篡改），未读取")
        sheet_of[part] = unescape(title.group(1).decode("utf-8", "replace"))
    refused = {}
    for name in names:
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            problem = _check_sheet(zf, name, limits, unpacked)
            if problem is None:
                continue
            sheet = sheet_of.get(name)
            if sheet is None:  # a part no sheet names: calamine may still reach it, refuse the file
                raise ReadError(source, problem)
            refused[sheet] = ReadError(source, problem, sheet=sheet)
    by_name: dict[str, str] = {}  # sheet name -> part (the cell facts need no second parse)
    for part, sheet in sheet_of.items():
        by_name.setdefault(sheet, part)
    # handed over only when every sheet was found (the cell facts' own parser is more lenient)
    whole = len(by_name) == len(sheets)
    xlsxcells.offer_parts(source, unpacked, zf.members, zf.data, by_name if whole else None)
    return refused


def _part_name(target: str) -> str:
    """A relationship target of workbook.xml as a zip member name."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = ["xl"]
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _check_shared_strings(source: str, zf: Parts, name: str, limits: Limits) -> None:
    size = zf.size(name)
    head = zf.read(name, 4096)
    end = head.find(b"<si")
    for attr, digits in _COUNTS.findall(head if end < 0 else head[:end]):
        n = int(digits)
        # an entry takes at least "<si/>" (5 bytes); ``count`` counts uses, so only the limit applies
        plausible = n <= limits.max_shared_strings * 16 if attr == b"count" else n <= size // 5 + 1
        if not plausible or (attr == b"uniqueCount" and n > limits.max_shared_strings):
            raise ReadError(source, f"工作簿的共享字符串表声明了 {n} 个条目（文件可能被篡改或过大），未读取")


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


_TOO_MANY_MERGES = "工作表的合并单元格过多（超过 {} 处，不像自评表），未读取"


def _check_sheet(zf: Parts, name: str, limits: Limits, unpacked: dict[str, bytes]) -> str | None:
    """None when the sheet part is within the limits, else the reason."""
    if zf.size(name) <= SCAN_CHUNK:
        data = zf.read(name, SCAN_CHUNK + 1)  # what is there, whatever the directory says
        if len(data) <= SCAN_CHUNK:
            unpacked[name] = data
            if data.count(b"mergeCell ") > limits.max_merged_ranges:
                return _TOO_MANY_MERGES.format(limits.max_merged_ranges)
            if _FAR.search(data) is None:
                return None  # every cell within A1:Z999
            return _full_scan([data], limits)
    return _full_scan(_chunks(zf, name), limits)


def _chunks(zf: Parts, name: str):
    """The part's bytes in ~1 MiB pieces that never split a reference (each ends after a ">")."""
    rest = b""
    for block in zf.chunks(name, 1 << 40):
        block = rest + block
        cut = block.rfind(b">") + 1
        if cut == 0:
            rest = block[-4096:]  # no tag end in a whole block: keep a bounded tail only
            continue
        yield block[:cut]
        rest = block[cut:]
    if rest:
        yield rest


def _full_scan(chunks, limits: Limits) -> str | None:
    max_row = max_col = 0
    min_row = min_col = 1 << 40
    cells = refs = merges = 0
    for data in chunks:
        merges += data.count(b"mergeCell ")
        if merges > limits.max_merged_ranges:
            return _TOO_MANY_MERGES.format(limits.max_merged_ranges)
        cells += len(_CELL_TAG.findall(data))
        for letters, digits in _REF.findall(data):
            row = int(digits)
            max_row = max(max_row, row)
            min_row = min(min_row, row)
            if letters:
                refs += 1
                col = _col(letters)
                max_col = max(max_col, col)
                min_col = min(min_col, col)
    if not max_col:
        min_col = max_col = 1
    width = max_col - min_col + 1
    if cells > refs:  # cells without a reference follow their neighbours: count them as width
        width = max(width, cells - refs)
    height = max_row - min_row + 1 if max_row else 1
    if height * width > limits.max_cells or cells > limits.max_cells:
        return (
            f"工作表过大：单元格分布在 {height}×{width} 的范围内（上限 {limits.max_cells} 个单元格），未读取"
        )
    return None


# ----------------------------------------------------------------------------------------------- ods

_ODS_TAG = re.compile(rb"<table:(table-row|table-cell|covered-table-cell|table)\b([^>]*)>")
_ROWS_REPEATED = re.compile(rb'number-rows-repeated="([0-9]+)"')
_COLS_REPEATED = re.compile(rb'number-columns-repeated="([0-9]+)"')


def check_ods(source: str, members: list[tuple[str, int, int, int, int]], limits: Limits) -> None:
    """Raise :class:`ReadError` when a table of ``content.xml`` expands to more cells with content than
    ``limits.max_cells`` (a repeated cell is expanded by the reader; trailing empty repeats, which
    LibreOffice writes in every file, are not counted)."""
    if not any(m[0] == "content.xml" for m in members):
        return
    try:
        with open(source, "rb") as fh:
            parts = Parts(fh, members)
            row_rep = 1
            cells = 0
            rest = b""
            for block in parts.chunks("content.xml", limits.max_unzipped_bytes):
                block = rest + block
                cut = block.rfind(b">") + 1
                rest = block[cut:] if cut else block[-4096:]
                for tag, attrs in _ODS_TAG.findall(block[:cut] if cut else b""):
                    if tag == b"table":
                        cells = 0
                    elif tag == b"table-row":
                        m = _ROWS_REPEATED.search(attrs)
                        row_rep = int(m.group(1)) if m else 1
                    elif not attrs.endswith(b"/") or b"value-type" in attrs:
                        m = _COLS_REPEATED.search(attrs)
                        cells += row_rep * (int(m.group(1)) if m else 1)
                        if cells > limits.max_cells:
                            raise ReadError(
                                source,
                                f"表格过大（重复单元格展开后超过 {limits.max_cells} 个单元格），未读取",
                            )
    except (OSError, zlib.error, struct.error, ValueError, EOFError) as exc:
        raise ReadError(source, "工作簿已损坏（zip 内容无效），无法读取") from exc

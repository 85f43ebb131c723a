"""Facts about xlsx/xlsm cells that python-calamine does not report, read straight from the zip.

calamine gives cell values only. Three things a form needs are lost on the way:

- **number formats**: 0.96 typed as "96%" is stored as 0.96 with a percent format;
- **Excel error values**: ``<c t="e"><v>#REF!</v></c>`` reads as a blank cell;
- **formulas without a cached value** (written by a script, never opened in a spreadsheet):
  ``<c><f>SUM(D7:D9)</f></c>`` has no ``<v>`` and reads as a blank cell.

:func:`facts` returns the :class:`WorkbookFacts` of a file, cached (the last few files, keyed by path,
size and mtime), so the several sheets and forms of a workbook cost one read. Nothing is read until a
question is asked: a clean form whose cells are all there never opens the zip a second time.

Parsing is deliberately minimal and safe: no XML parser, no entities, no DTD. The few parts needed
(``xl/workbook.xml`` and its rels to map a sheet name to its part, ``xl/styles.xml``, the sheet's own
part) are read with a size cap (:data:`MAX_PART_BYTES`) and scanned with ``str.find`` and small regular
expressions; a part with a ``<!DOCTYPE`` is ignored. When anything is unusual (xlsb, a part too large,
a broken zip) the answer is "nothing known", which is what the reader assumed before.

Number formats: a cell's ``s`` attribute indexes ``cellXfs``; its ``numFmtId`` is a built-in (9 ``0%``
and 10 ``0.00%`` are the percent ones) or a custom ``numFmt``, percent when its code holds a ``%``
outside quotes and not escaped by a backslash.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from posixpath import join as _join
from posixpath import normpath as _normpath

from .xmlscan import attr, attrs, element_text, parse_ref, ref_name, shift_formula
from .zipparts import PartReader

#: A part (workbook, rels, styles, one sheet) bigger than this unpacked is not read: facts unknown.
MAX_PART_BYTES = 32 * 1024 * 1024
#: All sheets of a workbook are read at the first question when together they unpack to at most this.
READ_ALL_BYTES = 4 * 1024 * 1024
#: Files whose facts are kept (a batch reads one file at a time; a few covers re-reads).
CACHE_FILES = 4

PERCENT_BUILTINS = frozenset({9, 10})

_S_ATTR = re.compile(r"""\ss\s*=\s*["'](\d+)""")
_ROOT = re.compile(r"<(?:([\w.-]+):)?worksheet\b")


def is_percent_format(code: str) -> bool:
    """Does a number format code scale by 100 (an unquoted, unescaped ``%``)?"""
    quoted = escaped = False
    for ch in code:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = not quoted
        elif ch == '"':
            quoted = not quoted
        elif ch == "%" and not quoted:
            return True
    return False


class CellProblem(Exception):
    """A cell that reads as blank but holds an Excel error value or an unevaluable formula.
    ``reason`` is Chinese, without the place (the reader adds file, sheet, form and cell)."""

    def __init__(self, reason: str, error: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.error = error  # the error value ("#REF!"), None for a formula


@dataclass
class CellFacts:
    """What the XML says about the cells of one sheet that calamine shows as blank.

    ``errors``: 0-based (row, col) -> the error value ("#REF!"); ``formulas``: (row, col) -> the formula
    text without its "=" for formulas with no cached value (None: a shared formula whose text could
    not be recovered).
    """

    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    formulas: dict[tuple[int, int], str | None] = field(default_factory=dict)


_NO_FACTS = CellFacts()


class _Sheet:
    """One sheet part, decompressed; scanned only when asked."""

    def __init__(self, xml: str):
        self.xml = xml
        m = _ROOT.search(xml, 0, 4096)
        self.p = f"{m.group(1)}:" if m and m.group(1) else ""  # namespace prefix of the elements
        self._cells: CellFacts | None = None
        self._styles: dict[tuple[int, int], int] | None = None  # full scan, only when refs are missing

    def cell_facts(self) -> CellFacts:
        if self._cells is None:
            xml, p = self.xml, self.p
            if 't="e"' not in xml and "t='e'" not in xml and f"<{p}f" not in xml:
                self._cells = _NO_FACTS  # the common clean sheet: no error value, no formula
            else:
                self._cells = self._scan_cells()
        return self._cells

    def _scan_cells(self) -> CellFacts:
        facts = CellFacts()
        shared: dict[str, tuple[tuple[int, int], str]] = {}  # si -> (anchor, text) of shared formulas
        pending: list[tuple[tuple[int, int], str]] = []  # uncached shared formulas without their text
        for pos, tag, body in self._cells_iter():
            a = attrs(tag)
            f_at = body.find(f"<{self.p}f")
            if a.get("t") == "e":
                v = element_text(body, self.p + "v")
                facts.errors[pos] = (v or "#VALUE!").strip()
                continue
            if f_at < 0:
                continue
            f_tag_end = body.find(">", f_at)
            f_tag = body[f_at : f_tag_end + 1]
            fa = attrs(f_tag)
            text = None if f_tag.endswith("/>") else element_text(body, self.p + "f")
            if fa.get("t") == "shared" and "si" in fa and text:
                shared.setdefault(fa["si"], (pos, text))
            # a cached value: <v>…</v>; openpyxl writes an empty <v/> for none; a cached empty text
            # result (t="str") is a real, blank, value
            if element_text(body, self.p + "v") or a.get("t") in ("str", "s", "inlineStr"):
                continue
            if text:
                facts.formulas[pos] = text
            elif fa.get("t") == "shared" and "si" in fa:
                pending.append((pos, fa["si"]))
            else:
                facts.formulas[pos] = None
        for pos, si in pending:
            master = shared.get(si)
            facts.formulas[pos] = None if master is None else shift_formula(master[1], master[0], pos)
        return facts

    def styles(self, cells: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
        """The style index (``s``) of each of these 0-based cells (0 when it has none)."""
        out = {}
        xml, p = self.xml, self.p
        if self._styles is None:
            at = 0
            for pos in sorted(cells):  # in document order: each search starts at the previous hit
                needle = f'<{p}c r="{ref_name(pos)}"'
                found = xml.find(needle, at)
                if found < 0:
                    found = xml.find(needle)
                if found < 0:
                    break
                at = found
                end = xml.find(">", found)
                m = _S_ATTR.search(xml, found, end)
                out[pos] = int(m.group(1)) if m else 0
            else:
                return out
            # a cell not found by its reference: the part omits references or quotes otherwise
            self._styles = {}
            for pos, tag, _ in self._cells_iter():
                s = attrs(tag).get("s")
                if s and s.isdigit():
                    self._styles[pos] = int(s)
        return {pos: self._styles.get(pos, 0) for pos in cells}

    def _cells_iter(self):
        """(0-based (row, col), start tag, body) of every cell, references inferred where omitted."""
        p = re.escape(self.p)
        pattern = re.compile(rf"<{p}row\b[^>]*>|<{p}c\b([^>]*?)(/>|>(.*?)</{p}c>)", re.S)
        row, col = -1, -1
        for m in pattern.finditer(self.xml):
            if m.group(2) is None:  # a row
                r = attrs(m.group(0)).get("r")
                row = int(r) - 1 if r and r.isdigit() else row + 1
                col = -1
                continue
            tag = m.group(1)
            ref = attrs(tag).get("r")
            pos = parse_ref(ref) if ref else None
            if pos is None:
                pos = (max(row, 0), col + 1)
            row, col = pos
            yield pos, tag, m.group(3) or ""


def _text(data: bytes | None) -> str | None:
    """A part's bytes as text; None for a part too large or carrying a DTD."""
    if data is None or len(data) > MAX_PART_BYTES:
        return None
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return None  # no DTD in a workbook part: nothing to expand, nothing to trust
    return data.decode("utf-8", "replace")


_BROKEN = (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, RuntimeError, KeyError)


class WorkbookFacts:
    """The cell facts of one xlsx/xlsm file; parts are read at the first question that needs them."""

    def __init__(self, path: str):
        self.path = path
        self._parts: dict[str, str] | None = None  # sheet name -> part name
        self._sheets: dict[str, _Sheet | None] = {}  # part name -> scanned part (None: unreadable)
        self._percent: frozenset[int] | None = None  # style indexes with a percent format
        self._offered: dict[str, bytes] = {}  # parts another reader already unpacked
        self._members: dict[str, tuple[str, int, int, int, int]] | None = None  # zip directory by name
        self._data: bytes | None = None  # the whole file, when it was read in one go
        self._sheet_parts: dict[str, str] | None = None  # sheet name -> part, from the pre-check

    def offer(
        self,
        parts: dict[str, bytes],
        members: list[tuple[str, int, int, int, int]] | None = None,
        data: bytes | None = None,
        sheets: dict[str, str] | None = None,
    ) -> None:
        """Parts already unpacked by someone else (the pre-check reads workbook.xml, its rels and the
        sheets): kept until the first question, so a question costs no second unpacking. Ignored when
        they are larger together than :data:`READ_ALL_BYTES`, or once the parts have been read.
        ``members``: the zip directory as the pre-check read it (see :class:`_Zip`); ``data``: the
        whole file, when it was read in one go; ``sheets``: sheet name -> part, as the pre-check
        found them in workbook.xml and its rels."""
        self._members = {m[0]: m for m in members} if members is not None else None
        self._data = data
        if self._parts is None and sum(len(b) for b in parts.values()) <= READ_ALL_BYTES:
            self._offered = dict(parts)
            self._sheet_parts = sheets

    # ------------------------------------------------------------------ questions

    def cell_facts(self, sheet: str) -> CellFacts:
        """Error values and uncached formulas of a sheet (empty when unknown)."""
        part = self._sheet(sheet)
        return part.cell_facts() if part is not None else _NO_FACTS

    def percent_cells(self, sheet: str, cells: list[tuple[int, int]]) -> set[tuple[int, int]]:
        """Which of these 0-based (row, col) cells of ``sheet`` carry a percent number format."""
        part = self._sheet(sheet)
        if part is None or not cells:
            return set()
        percent = self._percent_styles()
        if not percent:
            return set()
        return {pos for pos, s in part.styles(cells).items() if s in percent}

    # ------------------------------------------------------------------ parts

    def _part(self, z: PartReader, name: str) -> str | None:
        data = self._offered.pop(name, None)
        return _text(data if data is not None else z.read(name))

    def _sheet(self, sheet: str) -> _Sheet | None:
        z = PartReader(self.path, self._members, self._data, MAX_PART_BYTES)
        try:
            if self._parts is None:
                self._load(z)
            part = (self._parts or {}).get(sheet)
            if part is None:
                return None
            if part not in self._sheets:
                xml = self._part(z, part)
                self._sheets[part] = _Sheet(xml) if xml is not None else None
            return self._sheets[part]
        except _BROKEN:
            self._parts = {}  # a broken file: nothing known (calamine already said what it could)
            return None
        finally:
            z.close()

    def _load(self, z: PartReader) -> None:
        """Sheet names to parts; the style table; small workbooks' sheets, all in one open."""
        if self._sheet_parts is not None:
            self._parts = self._sheet_parts  # the pre-check read workbook.xml and its rels already
        else:
            self._parts = self._sheet_map(z)
        parts = set(self._parts.values())
        at_hand = {p for p in parts if p in self._offered}
        sizes = {p: z.size(p) for p in parts - at_hand}
        if sum(n or 0 for n in sizes.values()) <= READ_ALL_BYTES:
            for part in parts:
                if part in at_hand or sizes.get(part) is not None:
                    xml = self._part(z, part)
                    self._sheets[part] = _Sheet(xml) if xml is not None else None
        self._offered = {}

    def _sheet_map(self, z: PartReader) -> dict[str, str]:
        """Sheet name -> part, from workbook.xml and its rels."""
        out: dict[str, str] = {}
        workbook = self._part(z, "xl/workbook.xml")
        rels = self._part(z, "xl/_rels/workbook.xml.rels")
        if workbook is None or rels is None:
            return out
        targets = {}
        for m in re.finditer(r"<(?:[\w.-]+:)?Relationship\b[^>]*>", rels):
            tag = m.group(0)
            rid, t = attr(tag, "Id"), attr(tag, "Target")
            if rid is not None and t is not None:
                targets[rid] = t.lstrip("/") if t.startswith("/") else _normpath(_join("xl", t))
        for m in re.finditer(r"<(?:[\w.-]+:)?sheet\b[^>]*>", workbook):
            tag = m.group(0)
            name, rid = attr(tag, "name"), attr(tag, "*:id")
            if name is not None and rid in targets:
                out.setdefault(name, targets[rid])
        return out

    def _percent_styles(self) -> frozenset[int]:
        if self._percent is None:
            z = PartReader(self.path, self._members, self._data, MAX_PART_BYTES)
            try:
                self._percent = self._percent_from(self._part(z, "xl/styles.xml"))
            except _BROKEN:
                self._percent = frozenset()
            finally:
                z.close()
        return self._percent

    @staticmethod
    def _percent_from(styles: str | None) -> frozenset[int]:
        """Indexes into ``cellXfs`` whose number format is a percent format (remembered by the
        part's whole text: workbooks made from one template share their styles)."""
        if not styles:
            return frozenset()
        if len(styles) > 65536:  # only small parts are remembered (memory stays bounded)
            return WorkbookFacts._parse_percent(styles)
        found = _PERCENT_OF.get(styles)
        if found is None:
            found = WorkbookFacts._parse_percent(styles)
            if len(_PERCENT_OF) >= 64:
                _PERCENT_OF.clear()
            _PERCENT_OF[styles] = found
        return found

    @staticmethod
    def _parse_percent(styles: str) -> frozenset[int]:
        percent_ids = set(PERCENT_BUILTINS)
        for tag in re.finditer(r"<(?:[\w.-]+:)?numFmt\b[^>]*>", styles):
            fid, code = attr(tag.group(0), "numFmtId"), attr(tag.group(0), "formatCode")
            if fid and fid.isdigit() and code and is_percent_format(code):
                percent_ids.add(int(fid))
        m = re.search(r"<(?:[\w.-]+:)?cellXfs\b[^>]*>(.*?)</(?:[\w.-]+:)?cellXfs>", styles, re.S)
        if m is None:
            return frozenset()
        out = set()
        fmt_id = re.compile(r"""\snumFmtId\s*=\s*["'](\d+)""")
        for i, xf in enumerate(re.finditer(r"<(?:[\w.-]+:)?xf\b[^>]*>", m.group(1))):
            found = fmt_id.search(xf.group(0))
            if int(found.group(1) if found else 0) in percent_ids:
                out.add(i)
        return frozenset(out)


_CACHE: OrderedDict[tuple[str, int, int], WorkbookFacts] = OrderedDict()
_PERCENT_OF: dict[str, frozenset[int]] = {}  # styles.xml text -> its percent style indexes


def offer_parts(
    path: str,
    parts: dict[str, bytes],
    members: list[tuple[str, int, int, int, int]] | None = None,
    data: bytes | None = None,
    sheets: dict[str, str] | None = None,
) -> None:
    """Hand over what the pre-check has of the workbook at ``path``: parts unpacked anyway, the zip
    directory, the file's bytes, the sheets' parts (see :meth:`WorkbookFacts.offer`)."""
    facts(path).offer(parts, members, data, sheets)


def facts(path: str) -> WorkbookFacts:
    """The (cached) facts of the workbook at ``path``; reading happens on the first question."""
    try:
        st = os.stat(path)
        key = (os.path.abspath(path), st.st_size, st.st_mtime_ns)
    except OSError:
        return WorkbookFacts(path)
    found = _CACHE.get(key)
    if found is None:
        found = WorkbookFacts(path)
        _CACHE[key] = found
        while len(_CACHE) > CACHE_FILES:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    return found

"""The cells of an ordinary xlsx workbook, exactly as python-calamine gives them, read from the parts the
pre-check already unpacked; or nothing, and calamine reads the file (standard library only).

The pre-check (:mod:`perfeval_xl.precheck`) reads a workbook of at most 1 MiB into memory and unpacks
``xl/workbook.xml``, its rels and the sheet parts anyway. :func:`read_sheets` takes those (and
``_rels/.rels``, ``xl/styles.xml``, ``xl/sharedStrings.xml`` from the same bytes) and, for a workbook in a
strictly recognised simple subset, walks each ``<sheetData>`` with one compiled expression: every cell's
reference, attributes and ``<v>``. The same pass notes the cells with a percent number format, so the
reader's look-ups need no second scan (:meth:`perfeval_xl.xlsxcells.WorkbookFacts.known`).

calamine's rules reproduced (calamine 0.37 via python-calamine 0.9; sources: calamine ``src/xlsx/mod.rs``
(``read_shared_strings``, ``read_styles``, ``read_workbook``, ``read_string_with_bufs``, ``xml_reader``),
``src/xlsx/cells_reader.rs`` (``next_cell``, ``read_value``, ``read_v``), ``src/formats.rs``
(``detect_custom_number_format``, ``builtin_format_by_id``), ``src/lib.rs`` (``Range::from_sparse``),
``src/auto.rs``; python-calamine ``src/types/cell.rs``, ``src/types/sheet.rs``; checked against the
installed version by ``tests/test_xlsxfast.py``):

- worksheets in ``workbook.xml`` order (chart and dialog sheets skipped); the workbook part named by
  ``_rels/.rels``; shared strings and styles at fixed names; part names looked up ignoring case;
- numbers (no ``t``, ``t="n"``) are floats, integral ones too, correctly rounded (``0.5499000000000001``
  *is* the float 0.5499); ``t="b"`` 1/0 are booleans; an empty ``<v>`` is a blank cell;
- text (shared strings, ``t="inlineStr"``): the ``<t>`` outside ``<rPh>`` joined, each with CR LF and
  CR read as LF, entities expanded, ASCII white space (space, tab, CR, LF) trimmed unless
  ``xml:space="preserve"``; ``t="str"`` the same untrimmed; an empty text is "" (a value, not a blank);
- the grid is the bounding box of the cells with a value (error values and "" count), from its
  top-left cell (``sheet.start``); blanks are ""; of two cells at one place the later wins.

Declined, cheaply (calamine reads the file as before): files over 1 MiB or named .xls/.xlsb/.ods,
formulas, error values, ``t="d"``, numbers with a date or time format (calamine makes datetime objects)
or written otherwise than ``-?digits[.digits][e±digits]``, ``_x00HH_`` escapes, DTDs, CDATA and
comments, unknown entities, namespace prefixes, single-quoted attributes, cells without a reference or
with other attributes or children, values beyond column IV, a ``<dimension>`` calamine would refuse,
duplicate, missing or unusual sheets, sheet parts the pre-check did not unpack, and any ``<`` in
``<sheetData>`` that is not a row's or a matched cell's (they are counted).
"""

from __future__ import annotations

import os
import re

from . import xlsxcells, xlsxtext
from .xlsxtext import Declined
from .zipparts import Parts

#: part names calamine reads whatever the rels say
_SHARED = "xl/sharedStrings.xml"
_STYLES = "xl/styles.xml"

_ROOT_REL = re.compile(r"<Relationship\b([^>]*)>")
_SHEET_TAG = re.compile(r"<sheet\b([^>]*)>")
_REF = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")
#: a row whose reference is not ``r="<row>"`` first (calamine refuses a sheet whose row says "r=x")
_ODD_ROW = re.compile(r'<row(?! r="[1-9][0-9]{0,6}"[\s>/])')
_DIMENSION = re.compile(r"<dimension\b([^>]*)>")
#: a cell: its start tag from the reference on (1: ends in "/" for an empty cell), then either a plain
#: value ``<v>…</v></c>`` (2) or, rarely, another body (3); the ``<`` of sheetData are counted against
#: what was matched, so nothing there goes unseen
_CELL = re.compile(r'<c r="([^>]*)>(?:<v>([^<]*)</v></c>|(</c>|<v/></c>|<is>.*?</is></c>))?', re.S)
_CELL_ATTRS = re.compile(r'(?:\s+[st]="[^"]*")*\s*/?')
_SHEET_TYPES = {"worksheet": True, "chartsheet": False, "dialogsheet": False}
_STATES = (None, "visible", "hidden", "veryHidden")

#: "0", "1", … (a shared string's index as a cell's <v> writes it)
_INDEXES: list[str] = []


#: (name, rows, start) of each worksheet
Sheets = list[tuple[str, list[list[object]] | None, tuple[int, int] | None]]


def read_sheets(source: str, book: xlsxcells.WorkbookFacts, refused: dict | None = None) -> Sheets | None:
    """``(name, rows, start)`` of every worksheet in calamine's order, or None (declined). ``rows`` is
    None for a sheet in ``refused``; ``start`` None for a sheet without cells (``rows`` then []).
    The percent-formatted cells of each sheet are handed to ``book`` (:meth:`WorkbookFacts.known`)."""
    at_hand = book.take_unpacked()
    if at_hand is None or os.path.splitext(source)[1][1:] in ("xls", "xla", "xlsb", "ods"):
        return None
    parts, members, data = at_hand
    if _formulas(parts):
        return None
    try:
        return _read(parts, members, data, book, refused or {})
    except (Declined, ValueError, KeyError, IndexError, UnicodeDecodeError):
        return None


def _formulas(parts: dict[str, bytes]) -> bool:
    """Does a sheet part hold a formula (the template's sheets do): declined before anything is parsed."""
    for name, raw in parts.items():
        if (
            name.startswith("xl/worksheets/")
            and raw.find(b"<f", raw.find(b"<sheetData"), raw.rfind(b"</sheetData>")) >= 0
        ):
            return True
    return False


def _read(
    parts: dict[str, bytes],
    members: list[tuple[str, int, int, int, int]],
    data: bytes,
    book: xlsxcells.WorkbookFacts,
    refused: dict,
) -> Sheets:
    names: dict[str, str] = {}
    for m in members:
        key = m[0].replace("\\", "/").lower()
        if key in names:
            raise Declined("two members calamine cannot tell apart")
        names[key] = m[0]
    zf = Parts(None, members, data)  # type: ignore[arg-type]

    def part(name: str, closing: str = "", must: bool = True) -> str | None:
        actual = names.get(name.lower())
        if actual is None:
            if must:
                raise Declined(f"no {name}")
            return None
        if actual != name:
            raise Declined(f"{name} spelt otherwise")
        raw: bytes | None = parts.get(name)
        if raw is None:
            raw = zf.read(name, 64 << 20)
        if b"<!" in raw or closing.encode() not in raw:
            raise Declined("a DTD, CDATA or a comment, or a part calamine finds cut short")
        return raw.decode("utf-8")

    office = [a for a in map(xlsxtext.attrs, _ROOT_REL.findall(part("_rels/.rels", "</Relationships>") or ""))
              if a.get("Type", "").endswith("/relationships/officeDocument")]  # fmt: skip
    if not office or office[-1].get("Target") not in ("xl/workbook.xml", "/xl/workbook.xml"):
        raise Declined("the workbook is not xl/workbook.xml")
    rels = {}
    for tag in _ROOT_REL.findall(part("xl/_rels/workbook.xml.rels", "</Relationships>") or ""):
        a = xlsxtext.attrs(tag)
        if "Id" in a:
            rels[a["Id"]] = (a.get("Target", ""), a.get("Type", "").rsplit("/", 1)[-1])
    workbook = part("xl/workbook.xml", "</workbook>") or ""
    if "<sheet" not in workbook or re.search(r":sheet[\s>/]", workbook):
        raise Declined("no sheets, or prefixed")
    xlsxtext.unescape(workbook)  # calamine refuses a workbook with an unknown entity anywhere (defined names)
    sheets: list[tuple[str, str]] = []
    for tag in _SHEET_TAG.findall(workbook):
        a = xlsxtext.attrs(tag)
        rid = next((v for k, v in a.items() if k.endswith(":id")), None)
        if rid not in rels or a.get("state") not in _STATES or "name" not in a:
            raise Declined("a sheet calamine refuses")
        target, kind = rels[rid]
        if kind not in _SHEET_TYPES or ".." in target or "\\" in target or "/./" in target:
            raise Declined("an unusual sheet target")
        if _SHEET_TYPES[kind]:
            path = target[1:] if target.startswith("/") else "xl/" + target
            sheets.append((xlsxtext.text(a["name"], True), path))
    if len({n for n, _ in sheets}) != len(sheets):
        raise Declined("duplicate sheet names")
    texts = {}  # the sheets' XML
    for name, path in sheets:
        if name not in refused:
            if path not in parts:
                raise Declined("a sheet part the pre-check did not unpack")
            texts[name] = part(path) or ""
    dates, percent = xlsxtext.styles(part(_STYLES, "</styleSheet>", False))
    strings = xlsxtext.shared_strings(part(_SHARED, "</sst>", False))
    if len(strings) <= 65536:  # by the text of <v>: "0", "1", … kept for the next file
        while len(_INDEXES) < len(strings):
            _INDEXES.extend(map(str, range(len(_INDEXES), len(_INDEXES) + 4096)))
        shared = dict(zip(_INDEXES, strings, strict=False))
    else:
        shared = {str(i): s for i, s in enumerate(strings)}
    out: Sheets = []
    known: dict[str, set[tuple[int, int]]] = {}
    for name, _ in sheets:
        if name in refused:
            out.append((name, None, None))
            continue
        rows, start, marked = _sheet(texts[name], shared, (dates, percent))
        out.append((name, rows, start))
        known[name] = marked
    book.known(known, percent)
    return out


#: cell kinds
_SHARED_CELL, _NUMBER_CELL, _BOOL, _STR, _EMPTY, _INLINE = range(6)  # the two unusual ones last
_TYPES = {"n": _NUMBER_CELL, "s": _SHARED_CELL, "b": _BOOL, "str": _STR, "inlineStr": _INLINE}


def _head(head: str) -> tuple[tuple[int, int], int, int, int, int]:
    """What a cell's start tag says (``head``: from its reference to the end of the tag):
    ((row, column), row, column, style index, kind), kept across files (forms share their layout)."""
    found = _HEADS.get(head)
    if found is None:
        ref, _, attrs = head.partition('"')
        if _REF.fullmatch(ref) is None or not _CELL_ATTRS.fullmatch(attrs):
            raise Declined("a cell reference or attributes calamine reads otherwise")
        a = xlsxtext.attrs(attrs.rstrip("/"))
        s, t = a.get("s", "0"), a.get("t", "n")
        if not (s.isdigit() and s.isascii()) or t not in _TYPES:
            raise Declined("a cell type calamine reads otherwise")
        at = 1 if ref[1].isdigit() else 2 if ref[2].isdigit() else 3
        col = 0
        for ch in ref[:at]:
            col = col * 26 + ord(ch) - 64
        row = int(ref[at:]) - 1
        if col > 256 or attrs.count("s=") > 1 or attrs.count("t=") > 1:
            raise Declined("a value beyond column IV, or an attribute written twice")
        found = ((row, col - 1), row, col - 1, int(s), _EMPTY if attrs.endswith("/") else _TYPES[t])
        if len(_HEADS) >= 65536:
            _HEADS.clear()
        _HEADS[head] = found
    return found


_HEADS: dict[str, tuple[tuple[int, int], int, int, int, int]] = {}


def _unusual(code: int, v: str, other: str) -> object:
    """The value of a cell that is empty, an inline string, or holds an empty or no ``<v>`` (None:
    blank)."""
    if code == _EMPTY:
        return None
    if other.startswith("<is>"):
        if code != _INLINE:
            raise Declined("an inline string in a cell of another type")
        return xlsxtext.rich(other[4:-9])
    if code == _STR and (other.startswith("<v/>") or (not other and not v)):
        return ""  # a text result's empty <v> is the text ""
    return None  # an inline string's <v> is not read; an empty <v> is a blank cell


def _sheet(xml: str, shared: dict[str, str], styles: tuple[frozenset[int], frozenset[int]]):
    """One worksheet part: (rows, start, the cells with a percent style). ``styles``: the indexes of
    the date and of the percent styles."""
    dates, percent = styles
    at = xml.find("<sheetData")
    if at < 0 or xml.find("<worksheet") < 0 or xml.find("<worksheet") > at:
        raise Declined("no sheetData, or a prefixed worksheet")
    for tag in _DIMENSION.findall(xml, 0, at):
        ref = xlsxtext.attrs(tag).get("ref", "")
        if not all(_REF.fullmatch(piece) for piece in ref.split(":")) or ref.count(":") > 1:
            raise Declined("a dimension calamine refuses")
    if xml.startswith("<sheetData/>", at):
        return [], None, set()
    start = xml.index(">", at) + 1
    end = xml.find("</sheetData>", start)
    if end < 0 or _ODD_ROW.search(xml, start, end):
        raise Declined("no end of sheetData, or a row without a reference calamine reads")
    # every "<" of sheetData is a row's, or a cell's as matched below
    unseen = xml.count("<", start, end) - xml.count("<row", start, end) - xml.count("</row>", start, end)
    empty = other_lt = others = 0  # empty cells; the "<" of cells with another body, and their number
    marked: set[tuple[int, int]] = set()
    at_row: dict[int, list[object]] = {}  # row -> its values from column 0 ("" before the first)
    c0 = 1 << 30  # the leftmost column with a value
    last = -1
    row: list[object] = []
    string = shared.get
    floats = xlsxtext.FLOATS.get
    heads = _HEADS.get
    found = _CELL.findall(xml, start, end)
    for head, v, other in found:
        place, r, c, style, code = heads(head) or _head(head)
        if style in percent:
            marked.add(place)
        if other or not v or code >= _EMPTY:
            if code == _EMPTY:
                empty += 1
            elif other:
                others += 1
                other_lt += 1 + other.count("<")
            value = _unusual(code, v, other)
            if value is None:
                continue
        elif code == _SHARED_CELL:
            value = string(v)
            if value is None:
                raise Declined("a shared string index calamine refuses")
        elif code == _NUMBER_CELL:
            value = floats(v)
            if value is None:
                value = xlsxtext.number(v)
            if style in dates:
                raise Declined("a date-formatted number")
        elif code == _BOOL:
            if v != "0" and v != "1":
                raise Declined("a boolean written otherwise")
            value = v == "1"
        else:
            value = xlsxtext.text(v, True)
        if r != last:
            last = r
            found_row = at_row.get(r)
            if found_row is None:
                found_row = at_row[r] = []
                if c < c0:
                    c0 = c
            row = found_row
        n = len(row)
        if c == n:
            row.append(value)
        elif c > n:
            row += [""] * (c - n)
            row.append(value)
        else:  # a cell left of one already read (calamine: the later of two cells wins)
            row[c] = value
            c0 = min(c0, c)
    # every other cell was read as <c …><v>…</v></c> (four "<", one "<v>"): a formula, an error value or
    # any other element in a cell or between the rows leaves a "<" or a "<v>" unaccounted for
    plain = len(found) - empty - others
    if unseen != empty + other_lt + 4 * plain or xml.count("<v>", start, end) != plain:
        raise Declined("something in sheetData besides rows and plain cells")
    if not at_row:
        return [], None, marked
    r0 = min(at_row)
    width = max(map(len, at_row.values())) - c0
    rows: list[list[object]] = []
    for r in range(r0, max(at_row) + 1):
        found_row = at_row.get(r)
        if found_row is None:
            rows.append([""] * width)
        else:
            rest = found_row[c0:]
            if len(rest) < width:
                rest += [""] * (width - len(rest))
            rows.append(rest)
    return rows, (r0, c0), marked

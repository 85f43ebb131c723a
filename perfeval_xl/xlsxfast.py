"""The cells of an ordinary xlsx workbook read straight from the parts the pre-check already unpacked,
exactly as python-calamine would give them, or nothing (standard library only).

The pre-check (:mod:`perfeval_xl.precheck`) reads a small workbook into memory and unpacks
``xl/workbook.xml``, its rels and every sheet part of at most 1 MiB anyway. For a workbook in a
strictly recognised simple subset, :func:`read_sheets` turns those parts (plus ``_rels/.rels``,
``xl/styles.xml`` and ``xl/sharedStrings.xml``, taken from the same bytes) into calamine's grids: one
compiled regular expression walks each ``<sheetData>`` and yields every cell with its reference, style
index, type and value, so the same pass also says which cells carry a percent number format (the
reader's look-ups then cost a set lookup, see :meth:`perfeval_xl.xlsxcells.WorkbookFacts.known`).

calamine's rules reproduced (calamine ``src/xlsx/mod.rs``, ``src/xlsx/cells_reader.rs``,
``src/formats.rs``, ``src/lib.rs`` ``Range::from_sparse``; python-calamine ``src/types/cell.rs``,
``src/types/sheet.rs``; checked against the installed version by ``tests/test_xlsxfast.py``):

- sheets in ``workbook.xml`` order, their kind from the relationship type; chart and dialog sheets skipped;
- ``_rels/.rels`` names the workbook part; shared strings and styles are ``xl/sharedStrings.xml`` and
  ``xl/styles.xml`` whatever the rels say; part names are looked up ignoring case;
- numbers (no ``t`` or ``t="n"``) are floats, correctly rounded (``0.5499000000000001`` *is* 0.5499),
  integral ones too; ``t="b"`` ``1``/``0`` are booleans; an empty ``<v>`` is a blank cell;
- text (shared strings, ``t="inlineStr"``): every ``<t>`` outside ``<rPh>`` joined, ``\\r\\n`` and ``\\r``
  as ``\\n``, entities expanded, then ASCII white space (space, tab, CR, LF) trimmed unless
  ``xml:space="preserve"``; ``t="str"`` is the same without trimming; an empty text is a value "";
- the grid is the bounding box of the cells whose value is not blank (errors and "" count), from its
  top-left cell (``sheet.start``), blank cells "", later cells overwriting earlier ones.

Declined (None: calamine reads the file as before): formulas (``<f``), error values, ``t="d"``, numbers
with a date/time format (calamine turns them into datetime objects) or written otherwise than
``-?digits[.digits][e±digits]``, ``_x00HH_`` escapes, CDATA, namespace prefixes, cells without a
reference or with other attributes or children, unknown entities, a DTD, a ``<dimension>`` calamine
would refuse, duplicate or missing sheets, sheet parts not unpacked, files over 1 MiB, and any stretch of
``<sheetData>`` that the expression does not account for.
"""

from __future__ import annotations

import os
import re

from . import xlsxcells
from .zipparts import Parts

#: part names calamine reads whatever the rels say
_SHARED = "xl/sharedStrings.xml"
_STYLES = "xl/styles.xml"

_ROOT_REL = re.compile(r"<Relationship\b([^>]*)>")
_SHEET_TAG = re.compile(r"<sheet\b([^>]*)>")
_ATTR = re.compile(r'\s+([\w:]+)="([^"<]*)"')
_ENTITY = re.compile(r"&(?:(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7})|(lt|gt|amp|quot|apos));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_NUMBER = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_REF = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")
_DIMENSION = re.compile(r"<dimension\b([^>]*)>")
#: one token of <sheetData>: a row start (group 1: "/" for an empty row), a row end, or a whole cell:
#: column letters (2), row (3), other attributes (4), then "/>" (5) or a body: <v>text</v> (6),
#: <v/> (7) or <is>…</is> (8), or nothing
#: a cell: its reference (1), the rest of its start tag (2: ends in "/" for an empty cell), then either a
#: plain value ``<v>…</v></c>`` (3) or, rarely, another body up to ``</c>`` (4); the part's ``<`` are
#: counted against what was matched, so nothing in ``<sheetData>`` goes unseen
_CELL = re.compile(r'<c r="([^>]*)>(?:<v>([^<]*)</v></c>|(</c>|<v/></c>|<is>.*?</is></c>))?', re.S)
_CELL_ATTRS = re.compile(r'(?:\s+[st]="[^"]*")*\s*/?')
#: a shared string: one plain <t> (1), one <t xml:space="preserve"> (2), or any other body (3)
_SI = re.compile(r'<si><t>([^<]*)</t></si>|<si><t xml:space="preserve">([^<]*)</t></si>|<si>(.*?)</si>|<si/>', re.S)
_WHITE = " \t\r\n"  # what calamine trims
_T = re.compile(r'<t( xml:space="preserve")?>([^<]*)</t>|<t( xml:space="preserve")?/>')
_PHONETIC = re.compile(r"<rPh\b[^>]*>.*?</rPh>", re.S)
_STYLE_PART = re.compile(r"<(numFmts|cellXfs)\b[^>]*?(?:/>|>(.*?)</\1>)", re.S)
_NUMFMT = re.compile(r"<numFmt\b([^>]*)>")
_XF = re.compile(r"<xf\b([^>]*)>")
#: calamine's built-in date (14-22, 45, 47) and duration (46) formats
_DATE_BUILTINS = frozenset({"14", "15", "16", "17", "18", "19", "20", "21", "22", "45", "46", "47"})
_SHEET_TYPES = {"worksheet": True, "chartsheet": False, "dialogsheet": False}
_STATES = (None, "visible", "hidden", "veryHidden")

#: "0", "1", … (a shared string's index as a cell's <v> writes it)
_INDEXES: list[str] = []


class Declined(Exception):
    """The workbook lies outside the simple subset: calamine reads it."""


def read_sheets(
    source: str, book: xlsxcells.WorkbookFacts, refused: dict | None = None
) -> list[tuple[str, list[list[object]] | None, tuple[int, int] | None]] | None:
    """``(name, rows, start)`` of every worksheet in calamine's order, or None (declined). ``rows`` is
    None for a sheet in ``refused``; ``start`` None for a sheet without cells (``rows`` then []).
    The percent-formatted cells of each sheet are handed to ``book`` (:meth:`WorkbookFacts.known`)."""
    at_hand = book.take_unpacked()
    if at_hand is None or os.path.splitext(source)[1][1:] in ("xls", "xla", "xlsb", "ods"):
        return None
    parts, members, data = at_hand
    try:
        return _read(parts, members, data, book, refused or {})
    except (Declined, ValueError, KeyError, IndexError, UnicodeDecodeError):
        return None


def _read(parts, members, data, book, refused):
    names: dict[str, str] = {}
    for m in members:
        key = m[0].replace("\\", "/").lower()
        if key in names:
            raise Declined("two members calamine cannot tell apart")
        names[key] = m[0]
    zf = Parts(None, members, data)  # type: ignore[arg-type]

    def part(name: str, must: bool = True) -> str | None:
        actual = names.get(name.lower())
        if actual is None:
            if must:
                raise Declined(f"no {name}")
            return None
        if actual != name:
            raise Declined(f"{name} spelt otherwise")
        raw = parts.get(name)
        if raw is None:
            raw = zf.read(name, 64 << 20)
        if b"<!" in raw:
            raise Declined("a DTD, CDATA or a comment")
        return raw.decode("utf-8")

    office = [a for a in map(_attrs, _ROOT_REL.findall(part("_rels/.rels") or ""))
              if a.get("Type", "").endswith("/relationships/officeDocument")]  # fmt: skip
    if not office or office[-1].get("Target") not in ("xl/workbook.xml", "/xl/workbook.xml"):
        raise Declined("the workbook is not xl/workbook.xml")
    rels = {}
    for tag in _ROOT_REL.findall(part("xl/_rels/workbook.xml.rels") or ""):
        a = _attrs(tag)
        if "Id" in a:
            rels[a["Id"]] = (a.get("Target", ""), a.get("Type", "").rsplit("/", 1)[-1])
    workbook = part("xl/workbook.xml") or ""
    if "<sheet" not in workbook or re.search(r":sheet[\s>/]", workbook):
        raise Declined("no sheets, or prefixed")
    _unescape(workbook)  # calamine refuses a workbook with an unknown entity anywhere (defined names)
    sheets: list[tuple[str, str]] = []
    for tag in _SHEET_TAG.findall(workbook):
        a = _attrs(tag)
        rid = next((v for k, v in a.items() if k.endswith(":id")), None)
        if rid not in rels or a.get("state") not in _STATES or "name" not in a:
            raise Declined("a sheet calamine refuses")
        target, kind = rels[rid]
        if kind not in _SHEET_TYPES or ".." in target or "\\" in target or "/./" in target:
            raise Declined("an unusual sheet target")
        if _SHEET_TYPES[kind]:
            path = target[1:] if target.startswith("/") else "xl/" + target
            sheets.append((_text(a["name"], True), path))
    if len({n for n, _ in sheets}) != len(sheets):
        raise Declined("duplicate sheet names")
    dates, percent = _styles(part(_STYLES, False))
    strings = _shared_strings(part(_SHARED, False))
    while len(_INDEXES) < len(strings):
        _INDEXES.extend(map(str, range(len(_INDEXES), len(_INDEXES) + 4096)))
    shared = dict(zip(_INDEXES, strings))  # by the text of <v>
    out = []
    known: dict[str, set[tuple[int, int]]] = {}
    for name, path in sheets:
        if name in refused:
            out.append((name, None, None))
            continue
        if path not in parts:
            raise Declined("a sheet part the pre-check did not unpack")
        rows, start, marked = _sheet(part(path) or "", shared, (dates, percent))
        out.append((name, rows, start))
        known[name] = marked
    book.known(known, percent)
    return out


def _attrs(tag: str) -> dict[str, str]:
    return dict(_ATTR.findall(tag))


def _entity(m: re.Match[str]) -> str:
    if m.group(2):
        return _NAMED[m.group(2)]
    ref = m.group(1)
    code = int(ref[2:], 16) if ref[1] == "x" else int(ref[1:])
    if code in (9, 10, 13) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF:
        return chr(code)
    raise Declined("a character reference calamine may refuse")


def _unescape(raw: str) -> str:
    if "&" not in raw:
        return raw
    text, found = _ENTITY.subn(_entity, raw)
    if found != raw.count("&"):
        raise Declined("an entity calamine does not know")
    return text


def _text(raw: str, preserve: bool) -> str:
    """Element text as calamine gives it (see the module docstring)."""
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    raw = _unescape(raw)
    if not preserve:
        raw = raw.strip(_WHITE)
    if "_x00" in raw:
        raise Declined("an _x00HH_ escape")
    return raw


def _rich(body: str) -> str:
    """A shared string's or inline string's text: its ``<t>`` outside ``<rPh>`` joined."""
    if body.startswith("<t>") and body.endswith("</t>") and body.count("<") == 2:
        return _text(body[3:-4], False)  # the common case: one plain <t>
    if "<rPh" in body:
        body = _PHONETIC.sub("", body)
        if "<rPh" in body:
            raise Declined("an unclosed phonetic run")
    found = _T.findall(body)
    if len(found) != len(re.findall(r"<t[\s>/]", body)):
        raise Declined("a text element with other attributes")
    return "".join(_text(text, bool(p1 or p2)) for p1, text, p2 in found)


def _shared_strings(xml: str | None) -> list[str]:
    if xml is None:
        return []
    if "<sst" not in xml or re.search(r":s(?:st|i)[\s>/]", xml):
        raise Declined("prefixed shared strings")
    found = _SI.findall(xml)
    if len(found) != xml.count("<si>") + xml.count("<si/>") or "<si " in xml:
        raise Declined("a shared string the expression does not match")
    # without CRs and escapes, a plain <t>'s text without entities is its text, trimmed
    clean = "\r" not in xml and "_x00" not in xml
    out = []
    for plain, kept, rich in found:
        if plain:
            out.append(plain.strip(_WHITE) if clean and "&" not in plain else _text(plain, False))
        elif kept:
            out.append(kept if clean and "&" not in kept else _text(kept, True))
        else:
            out.append(_rich(rich) if rich else "")
    return out


def _styles(xml: str | None) -> tuple[frozenset[int], frozenset[int]]:
    """The ``cellXfs`` indexes whose number format calamine reads as a date, time or duration; and the
    percent ones (as :mod:`perfeval_xl.xlsxcells` finds them). Remembered by the part's text."""
    if xml is None:
        return frozenset(), frozenset()
    found = _STYLES_OF.get(xml)
    if found is not None:
        return found
    if re.search(r":(?:numFmts?|cellXfs|xf)[\s>/]", xml) or xml.count("<cellXfs") > 1:
        raise Declined("prefixed or repeated style tables")
    custom: dict[str, bool] = {}
    dates: list[int] = []
    for m in _STYLE_PART.finditer(xml):
        if m.group(1) == "numFmts":
            for tag in _NUMFMT.findall(m.group(2) or ""):
                a = _attrs(tag)
                if "numFmtId" in a and "formatCode" in a:
                    custom[a["numFmtId"]] = is_date_format(_text(a["formatCode"], True))
        else:
            for i, tag in enumerate(_XF.findall(m.group(2) or "")):
                fid = _attrs(tag).get("numFmtId")
                if fid is not None and custom.get(fid, fid in _DATE_BUILTINS):
                    dates.append(i)
    found = (frozenset(dates), xlsxcells.percent_styles(xml))
    if len(xml) <= 65536:  # workbooks made from one template share their styles
        if len(_STYLES_OF) >= 64:
            _STYLES_OF.clear()
        _STYLES_OF[xml] = found
    return found


_STYLES_OF: dict[str, tuple[frozenset[int], frozenset[int]]] = {}


def is_date_format(code: str) -> bool:
    """calamine's ``detect_custom_number_format`` (``src/formats.rs``): does a custom number format
    make a number a date, time or duration?"""
    escaped = quoted = hms = ap = False
    brackets = 0
    prev = " "
    for s in code:
        if escaped:
            escaped = False
        elif s in "_\\*":
            escaped = True
        elif quoted:
            quoted = s != '"'
        elif s == '"':
            quoted = True
        elif s == ";":
            return False
        elif s == "[":
            brackets += 1
        elif s == "]" and brackets == 1 and hms:
            return True
        elif s == "]":
            brackets = max(brackets - 1, 0)
        elif s in "aA" and not ap and not brackets:
            ap = True
        elif s in "pm/PM" and ap and not brackets:
            return True
        elif s in "dmhysDMHYS" and not ap and not brackets:
            return True
        elif not (hms and s.lower() == prev.lower()):
            hms = prev == "[" and s in "mhsMHS"
        prev = s
    return False


#: cell kinds
_EMPTY, _NUMBER_CELL, _SHARED_CELL, _BOOL, _STR, _INLINE = range(6)
_TYPES = {"n": _NUMBER_CELL, "s": _SHARED_CELL, "b": _BOOL, "str": _STR, "inlineStr": _INLINE}


def _head(head: str) -> tuple[tuple[int, int], int, int, int, int]:
    """What a cell's start tag says (``head``: from its reference to the end of the tag):
    ((row, column), row, column, style index, kind), kept across files (forms share their layout)."""
    found = _HEADS.get(head)
    if found is None:
        ref, _, attrs = head.partition('"')
        if _REF.fullmatch(ref) is None or not _CELL_ATTRS.fullmatch(attrs):
            raise Declined("a cell reference or attributes calamine reads otherwise")
        a = _attrs(attrs.rstrip("/"))
        s, t = a.get("s", "0"), a.get("t", "n")
        if not (s.isdigit() and s.isascii()) or t not in _TYPES:
            raise Declined("a cell type calamine reads otherwise")
        at = 1 if ref[1].isdigit() else 2 if ref[2].isdigit() else 3
        col = 0
        for ch in ref[:at]:
            col = col * 26 + ord(ch) - 64
        row = int(ref[at:]) - 1
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
        return _rich(other[4:-9])
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
        ref = _attrs(tag).get("ref", "")
        if not all(_REF.fullmatch(piece) for piece in ref.split(":")) or ref.count(":") > 1:
            raise Declined("a dimension calamine refuses")
    if xml.startswith("<sheetData/>", at):
        return [], None, set()
    start = xml.index(">", at) + 1
    end = xml.find("</sheetData>", start)
    if end < 0:
        raise Declined("no end of sheetData")
    # every "<" of sheetData is a row's, or a cell's as matched below
    unseen = xml.count("<", start, end) - xml.count("<row", start, end) - xml.count("</row>", start, end)
    empty = other_lt = others = 0  # empty cells; the "<" of cells with another body, and their number
    marked: set[tuple[int, int]] = set()
    at_row: dict[int, list[object]] = {}  # row -> its values from column 0 ("" before the first)
    c0 = 1 << 30  # the leftmost column with a value
    last, row = -1, []
    string = shared.get
    floats = _FLOATS.get
    heads = _HEADS.get
    found = _CELL.findall(xml, start, end)
    for head, v, other in found:
        place, r, c, style, code = heads(head) or _head(head)
        if style in percent:
            marked.add(place)
        if other or not v or code == _EMPTY or code == _INLINE:
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
                value = _float(v)
            if style in dates:
                raise Declined("a date-formatted number")
        elif code == _BOOL:
            if v != "0" and v != "1":
                raise Declined("a boolean written otherwise")
            value = v == "1"
        else:
            value = _text(v, True)
        if r != last:
            last = r
            row = at_row.get(r)  # type: ignore[assignment]
            if row is None:
                row = at_row[r] = []
                c0 = min(c0, c)
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


#: a number's text -> its value, kept across files (bounded)
_FLOATS: dict[str, float] = {}


def _float(v: str) -> float:
    """A number as calamine reads it, or Declined for a text it reads otherwise."""
    if _NUMBER.fullmatch(v) is None:
        raise Declined("a number written otherwise")
    value = float(v)
    if len(_FLOATS) >= 65536:
        _FLOATS.clear()
    _FLOATS[v] = value
    return value

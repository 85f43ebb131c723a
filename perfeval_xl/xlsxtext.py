"""calamine's reading of xlsx text, numbers and styles, for :mod:`perfeval_xl.xlsxfast` (standard library
only): attributes, entities and element text, shared strings (rich text, phonetic runs), numbers, and which
styles make a number a date (calamine's ``detect_custom_number_format``). Anything read otherwise than
these rules can tell raises :class:`Declined`; see :mod:`perfeval_xl.xlsxfast` for the rules and their
sources."""

from __future__ import annotations

import re

from . import xlsxcells

_ATTR = re.compile(r'\s+([\w:]+)="([^"<]*)"')
_ENTITY = re.compile(r"&(?:(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7})|(lt|gt|amp|quot|apos));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_NUMBER = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
#: a shared string: one plain <t> (1), one <t xml:space="preserve"> (2), or any other body (3)
_SI = re.compile(
    r'<si><t>([^<]*)</t></si>|<si><t xml:space="preserve">([^<]*)</t></si>|<si>(.*?)</si>|<si/>', re.S
)
_WHITE = " \t\r\n"  # what calamine trims
_T = re.compile(r'<t( xml:space="preserve")?>([^<]*)</t>|<t( xml:space="preserve")?/>')
_PHONETIC = re.compile(r"<rPh\b[^>]*>.*?</rPh>", re.S)
_STYLE_PART = re.compile(r"<(numFmts|cellXfs)\b[^>]*?(?:/>|>(.*?)</\1>)", re.S)
_NUMFMT = re.compile(r"<numFmt\b([^>]*)>")
_XF = re.compile(r"<xf\b([^>]*)>")
#: calamine's built-in date (14-22, 45, 47) and duration (46) formats
_DATE_BUILTINS = frozenset({"14", "15", "16", "17", "18", "19", "20", "21", "22", "45", "46", "47"})


class Declined(Exception):
    """The workbook lies outside the simple subset: calamine reads it."""


def attrs(tag: str) -> dict[str, str]:
    """A start tag's attributes, values as written; Declined for any other way of writing them."""
    found = _ATTR.findall(tag)
    if len(found) != tag.count("="):
        raise Declined("attributes written otherwise")
    return dict(found)


def _entity(m: re.Match[str]) -> str:
    if m.group(2):
        return _NAMED[m.group(2)]
    ref = m.group(1)
    code = int(ref[2:], 16) if ref[1] == "x" else int(ref[1:])
    if (
        code in (9, 10, 13)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    ):
        return chr(code)
    raise Declined("a character reference calamine may refuse")


def unescape(raw: str) -> str:
    if "&" not in raw:
        return raw
    out, found = _ENTITY.subn(_entity, raw)
    if found != raw.count("&"):
        raise Declined("an entity calamine does not know")
    return out


def text(raw: str, preserve: bool) -> str:
    """Element text as calamine gives it (see the module docstring)."""
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    raw = unescape(raw)
    if not preserve:
        raw = raw.strip(_WHITE)
    if "_x00" in raw:
        raise Declined("an _x00HH_ escape")
    return raw


def rich(body: str) -> str:
    """A shared string's or inline string's text: its ``<t>`` outside ``<rPh>`` joined."""
    if body.startswith("<t>") and body.endswith("</t>") and body.count("<") == 2:
        return text(body[3:-4], False)  # the common case: one plain <t>
    if "<rPh" in body:
        body = _PHONETIC.sub("", body)
        if "<rPh" in body:
            raise Declined("an unclosed phonetic run")
    found = _T.findall(body)
    if len(found) != len(re.findall(r"<t[\s>/]", body)):
        raise Declined("a text element with other attributes")
    return "".join(text(t, bool(p1 or p2)) for p1, t, p2 in found)


def shared_strings(xml: str | None) -> list[str]:
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
    for plain, kept, other in found:
        if plain:
            out.append(plain.strip(_WHITE) if clean and "&" not in plain else text(plain, False))
        elif kept:
            out.append(kept if clean and "&" not in kept else text(kept, True))
        else:
            out.append(rich(other) if other else "")
    return out


def styles(xml: str | None) -> tuple[frozenset[int], frozenset[int]]:
    """The ``cellXfs`` indexes whose number format calamine reads as a date, time or duration; and the
    percent ones (as :mod:`perfeval_xl.xlsxcells` finds them). Remembered by the part's text."""
    if xml is None:
        return frozenset(), frozenset()
    found = _STYLES_OF.get(xml)
    if found is not None:
        return found
    if re.search(r":(?:numFmts?|cellXfs|xf)[\s>/]", xml) or xml.count("<cellXfs") > 1:
        raise Declined("prefixed or repeated style tables")
    if len(_STYLE_PART.findall(xml)) != xml.count("<cellXfs") + xml.count("<numFmts"):
        raise Declined("a style table calamine finds cut short")
    custom: dict[str, bool] = {}
    dates: list[int] = []
    for m in _STYLE_PART.finditer(xml):
        if m.group(1) == "numFmts":
            for tag in _NUMFMT.findall(m.group(2) or ""):
                a = attrs(tag)
                if "numFmtId" in a and "formatCode" in a:
                    custom[a["numFmtId"]] = is_date_format(text(a["formatCode"], True))
        else:
            for i, tag in enumerate(_XF.findall(m.group(2) or "")):
                fid = attrs(tag).get("numFmtId")
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


#: a number's text -> its value, kept across files (bounded)
FLOATS: dict[str, float] = {}


def number(v: str) -> float:
    """A number as calamine reads it, or Declined for a text it reads otherwise."""
    if _NUMBER.fullmatch(v) is None:
        raise Declined("a number written otherwise")
    value = float(v)
    if len(FLOATS) >= 65536:
        FLOATS.clear()
    FLOATS[v] = value
    return value

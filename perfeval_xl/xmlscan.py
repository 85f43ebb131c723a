"""Just enough XML scanning for workbook parts, without an XML parser: attributes of one start tag,
the predefined entities and character references (nothing else is expanded), an element's text, cell
references ("E7" <-> (6, 4)) and a shared formula's text moved to another cell. Standard library only."""

from __future__ import annotations

import re

from .cellgrid import column_letter

_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CELL_REF = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})$")
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def unescape(text: str) -> str:
    """XML character references and the five predefined entities; nothing else is expanded."""
    if "&" not in text:
        return text

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name[0] != "#":
            return _NAMED[name]
        try:
            code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
            return chr(code)
        except (ValueError, OverflowError):
            return m.group(0)

    return _ENTITY.sub(sub, text)


def attrs(tag: str) -> dict[str, str]:
    """The attributes of one start tag (``<c r="A1" s="3">``), values unescaped, prefixes kept."""
    out = {}
    for m in _ATTR.finditer(tag):
        value = m.group(2) if m.group(2) is not None else m.group(3)
        out[m.group(1)] = unescape(value)
    return out


_ONE_ATTR: dict[str, re.Pattern] = {}


def attr(tag: str, name: str) -> str | None:
    """One attribute of a start tag (``name`` may be ``*:id`` for any prefix), unescaped; None if absent."""
    pattern = _ONE_ATTR.get(name)
    if pattern is None:
        local = re.escape(name[2:]) if name.startswith("*:") else re.escape(name)
        prefix = r"[\w.-]+:" if name.startswith("*:") else ""
        pattern = re.compile(rf"""\s{prefix}{local}\s*=\s*(?:"([^"]*)"|'([^']*)')""")
        _ONE_ATTR[name] = pattern
    m = pattern.search(tag)
    if m is None:
        return None
    return unescape(m.group(1) if m.group(1) is not None else m.group(2))


def parse_ref(ref: str) -> tuple[int, int] | None:
    """ "E7" (or "$E$7") -> 0-based (6, 4); None for anything else."""
    m = _CELL_REF.match(ref.strip().upper())
    if m is None:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    row = int(m.group(2))
    if row < 1 or col > 16384 or row > 1048576:
        return None
    return row - 1, col - 1


def ref_name(pos: tuple[int, int]) -> str:
    """0-based (6, 3) -> "D7"."""
    return column_letter(pos[1]) + str(pos[0] + 1)


def element_text(body: str, name: str) -> str | None:
    """The text of the first ``<name ...>text</name>`` in body (unescaped), None when absent/empty."""
    at = body.find(f"<{name}")
    while at >= 0 and body[at + len(name) + 1 : at + len(name) + 2] not in (">", " ", "/", "\t", "\r", "\n"):
        at = body.find(f"<{name}", at + 1)  # "<f" must not match "<foo"
    if at < 0:
        return None
    start = body.find(">", at)
    if start < 0 or body[start - 1] == "/":
        return None
    end = body.find(f"</{name}>", start)
    if end < 0:
        return None
    return unescape(body[start + 1 : end])


_REF_IN_FORMULA = re.compile(r"(\$?)([A-Z]{1,3})(\$?)([0-9]{1,7})(?![0-9A-Za-z_(!])")
_STRING = re.compile(r'"[^"]*"')


def shift_formula(text: str, anchor: tuple[int, int], pos: tuple[int, int]) -> str | None:
    """A shared formula's text as it reads in ``pos`` (relative references moved by pos - anchor)."""
    dr, dc = pos[0] - anchor[0], pos[1] - anchor[1]
    out, last = [], 0
    for m in _REF_IN_FORMULA.finditer(text):
        if any(s.start() < m.start() < s.end() for s in _STRING.finditer(text)):
            return None  # references inside a text literal: not a simple formula anyway
        cell = parse_ref(m.group(2) + m.group(4))
        if cell is None:
            return None
        r = cell[0] + (0 if m.group(3) else dr)
        c = cell[1] + (0 if m.group(1) else dc)
        if r < 0 or c < 0:
            return None
        letters = ref_name((0, c))[:-1]
        out.append(text[last : m.start()])
        out.append(f"{m.group(1)}{letters}{m.group(3)}{r + 1}")
        last = m.end()
    out.append(text[last:])
    return "".join(out)

"""Column headers to fields, the same way for every block of a form (funds, indicators).

A block's header row is looked up word by word in the vocabulary of :mod:`perfeval_xl.labels`. A
two-row header (``年度指标值`` spanning ``指标性质 | 指标值 | 度量单位``, or ``资金使用情况`` over
``合计``) is read as such: a cell of the second row belongs to the spanning cell above it, and is
looked up as a part of that field, as the two words together, or alone.

The mapping never guesses: two columns naming the same field, or one column naming two fields,
raise :class:`HeaderError` with the cell, which the reader turns into a ReadError.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_WS = str.maketrans({" ": None, "\t": None, "\r": None, "\n": None, "\u3000": None, "\u00a0": None,
                     "\u200b": None, ":": "：", "(": "（", ")": "）"})  # fmt: skip
_PAREN_SUFFIX = re.compile(r"（[^（）]*）$")
#: a note whose closing bracket was left out ("执行率(B/A", as clerks and OCR leave it), after a word
_OPEN_NOTE = re.compile(r"(?<=[^（）])（[^（）]*$")
MAX_LABEL = 40  # labels are short; longer cells are never keys


def key(value: object) -> str:
    """A cell's label key: no whitespace, ``: ( )`` as ``：（）``, no trailing colon. '' for non-labels."""
    if value.__class__ is not str or len(value) > MAX_LABEL:
        return ""
    return key_of(value)


@functools.lru_cache(maxsize=16384)
def key_of(value: str) -> str:
    return value.translate(_WS).rstrip("：")


def header_key(value: object) -> str:
    """A column header's key without a bracketed note at its end: "全年预算数(A)" -> "全年预算数"
    (also when its closing bracket is missing: "执行率(B/A" -> "执行率")."""
    if value.__class__ is not str or len(value) > MAX_LABEL:
        return ""
    return header_key_of(value)


@functools.lru_cache(maxsize=4096)
def header_key_of(value: str) -> str:
    k = key_of(value)
    if "（" in k and not k.endswith("）"):  # 执行率（B/A: read like 执行率（B/A）
        k = _OPEN_NOTE.sub("", k)
    if k.endswith("）"):
        stripped = _PAREN_SUFFIX.sub("", k)
        while stripped.endswith("）") and stripped != k:  # 预算执行情况（万元）（20分）
            k, stripped = stripped, _PAREN_SUFFIX.sub("", stripped)
        k = stripped
    return k


def lookup(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """``{field: (word, …)}`` as ``{word: field}``; a word listed for two fields is a vocabulary bug."""
    out: dict[str, str] = {}
    for field, synonyms in words.items():
        for word in synonyms:
            k = header_key_of(word)
            if out.get(k, field) != field:
                raise ValueError(f"vocabulary: {word!r} is listed for {out[k]!r} and {field!r}")
            out[k] = field
    return out


class HeaderError(Exception):
    """A header that cannot be mapped without guessing; ``r``/``c`` locate the cell."""

    def __init__(self, message: str, r: int, c: int):
        super().__init__(message)
        self.message, self.r, self.c = message, r, c


@dataclass(slots=True)
class Column:
    """Where a field is read from: column ``col``, mapped from ``text`` (as written) in row ``row``."""

    field: str  # e.g. "annual", or "target.op" for a part of a two-row header
    col: int
    text: str
    row: int


def _raw(row: list, c: int) -> str:
    v = row[c] if c < len(row) else None
    return v.strip() if isinstance(v, str) else ""


def is_second_row(
    row: list, fields: dict[str, str], parts: dict[str, dict[str, str]], known: frozenset[str]
) -> bool:
    """Whether ``row`` (under a header row) is the second row of a two-row header: only words, each
    a header word of the block, at least one of them."""
    seen = False
    part_words = {w for p in parts.values() for w in p}
    for v in row:
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        if not isinstance(v, str):
            return False
        k = header_key(v)
        if not (k in fields or k in part_words or k in known):
            return False
        seen = True
    return seen


def map_columns(
    rows: list[list],
    r: int,
    fields: dict[str, str],
    *,
    parts: dict[str, dict[str, str]] | None = None,
    known: frozenset[str] = frozenset(),
    two_rows: bool = False,
    what: str = "表头",
) -> dict[str, Column]:
    """Map the header in row ``r`` (and ``r + 1`` when ``two_rows``) to fields.

    ``fields`` maps header keys to field names; ``parts[field]`` maps the words of a second header
    row under that field to its parts (the result's field is then ``"field.part"``); ``known`` are
    header words that carry nothing to read. Raises :class:`HeaderError` for a field named by two
    columns, or a column naming two fields.
    """
    top_row = rows[r]
    key = (
        tuple(top_row),
        tuple(rows[r + 1]) if two_rows and r + 1 < len(rows) else None,
        id(fields),
        what,
    )
    try:
        cached = _CACHE.get(key)
    except TypeError:  # a cell that cannot be hashed (a Decimal NaN): no caching
        return _map_columns(rows, r, fields, parts or {}, known, two_rows, what)
    if cached is None:
        found = _map_columns(rows, r, fields, parts or {}, known, two_rows, what)
        if len(_CACHE) > 4096:  # bounded: forms repeat the same few header rows
            _CACHE.clear()
        cached = _CACHE[key] = ([(c.field, c.col, c.text, c.row - r) for c in found.values()], {r: found})
    relative, at_rows = cached
    here = at_rows.get(r)
    if here is None:
        here = {f: Column(f, c, text, r + dr) for f, c, text, dr in relative}
        if len(at_rows) < 4:  # the same header in the same rows: the next form of the same layout
            at_rows[r] = here
    return dict(here)  # a dict of its own (the caller may change it); Columns are never changed


#: header rows -> their columns (row relative to the header), and the Columns at the rows met so far
_CACHE: dict[tuple, tuple[list[tuple[str, int, str, int]], dict[int, dict[str, Column]]]] = {}


def _map_columns(rows, r, fields, parts, known, two_rows, what) -> dict[str, Column]:
    top_row = rows[r]
    bottom_row = rows[r + 1] if two_rows and r + 1 < len(rows) else []
    width = max(len(top_row), len(bottom_row))
    tops = [_raw(top_row, c) for c in range(width)]
    bottoms = [_raw(bottom_row, c) for c in range(width)]
    parent = _parents(tops, bottoms, r) if two_rows else {}
    flat = _flat_parts(tops, bottoms, fields, parts)
    found: dict[str, Column] = {}
    for c in range(width):
        top, bottom = tops[c], bottoms[c]
        if not top and not bottom:
            continue
        if c in flat:
            flat_field = flat[c]
            if flat_field in found:
                raise HeaderError(
                    f"{what}中“{found[flat_field].text}”与“{top}”表示同一项，无法确定读取哪一列", r, c
                )
            found[flat_field] = Column(flat_field, c, top, r)
            continue
        field: str | None = None
        text, hr = top, r
        if bottom:
            pc = parent.get(c)
            ptop = tops[pc] if pc is not None else ""
            pkey = header_key(ptop)
            pfield = fields.get(pkey)
            bkey = header_key(bottom)
            text, hr = (f"{ptop}/{bottom}" if ptop else bottom), r + 1
            if pfield is not None and bkey in parts.get(pfield, {}):
                field = f"{pfield}.{parts[pfield][bkey]}"
            elif header_key_of(pkey + bkey) in fields:
                field = fields[header_key_of(pkey + bkey)]
            elif bkey in fields:
                field = fields[bkey]
                own = fields.get(header_key(top)) if top else None
                if own is not None and own != field:
                    raise HeaderError(f"{what}“{top}”下的“{bottom}”无法确定对应哪一项", r + 1, c)
            elif top and header_key(top) in fields and pc == c:
                # the spanning cell's own column, its sub-header unknown (e.g. 合计 under 资金使用情况)
                if bkey not in known:
                    raise HeaderError(f"{what}“{top}”下的“{bottom}”无法识别", r + 1, c)
                continue
        else:
            k = header_key(top)
            field = fields.get(k)
        if field is None:
            continue
        if field in found:
            prev = found[field]
            raise HeaderError(f"{what}中“{prev.text}”与“{text}”表示同一项，无法确定读取哪一列", hr, c)
        found[field] = Column(field, c, text, hr)
    return found


def _flat_parts(
    tops: list[str], bottoms: list[str], fields: dict[str, str], parts: dict[str, dict[str, str]]
) -> dict[int, str]:
    """A field's parts written side by side in one header row (指标性质 | 指标值 | 度量单位 without
    年度指标值 above them): when two or more different parts of a field stand in the first row
    (with nothing under them), those columns are that field's parts."""
    out: dict[int, str] = {}
    for fld, words in parts.items():
        cols = {
            c: words[k] for c, t in enumerate(tops) if t and not bottoms[c] and (k := header_key(t)) in words
        }
        if len(set(cols.values())) >= 2:
            out.update({c: f"{fld}.{part}" for c, part in cols.items()})
    return out


def _parents(tops: list[str], bottoms: list[str], r: int) -> dict[int, int]:
    """For each column with a second-row word: the column of the spanning first-row cell above it.

    Contiguous columns with second-row words are one span group: with one first-row word in it,
    that word spans the whole group (also when it is written over a middle column); with several,
    each spans from its column to the next; with none, the nearest first-row word to the left."""
    out: dict[int, int] = {}
    c, width = 0, len(tops)
    while c < width:
        if not bottoms[c]:
            c += 1
            continue
        a = c
        while c < width and bottoms[c]:
            c += 1
        group = range(a, c)
        heads = [x for x in group if tops[x]]
        if not heads:
            left = next((x for x in range(a - 1, -1, -1) if tops[x]), None)
            if left is not None:
                out.update({x: left for x in group})
        elif len(heads) == 1:
            out.update({x: heads[0] for x in group})
        else:
            if heads[0] != a:
                raise HeaderError("两行表头的上下格无法对应", r, a)
            for i, h in enumerate(heads):
                end = heads[i + 1] if i + 1 < len(heads) else c
                out.update({x: h for x in range(h, end)})
    return out

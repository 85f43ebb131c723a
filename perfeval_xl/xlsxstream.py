"""The byte layer of the streamed summary workbook: rows as sheet XML, deflated segments, the zip.

Rows of a table become ``<row>`` elements without ``r`` attributes (ECMA-376 makes them optional: a row
without one follows the previous row, a cell the previous cell), so a chunk's XML does not depend on
where it lands. Each chunk is deflated as an independent, byte-aligned segment (:func:`pack`); the
segments of a sheet are appended to a file as they arrive (:class:`Part`) and their CRC-32s combined
(:func:`crc32_combine`); :func:`assemble` writes the xlsx zip from the skeleton's members and the parts,
each sheet one deflate stream of skeleton head + rows + skeleton tail. Nothing here knows which table
or column a row belongs to (see :mod:`perfeval_xl.summary`). Standard library only.
"""

from __future__ import annotations

import math
import os
import re
import zlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import repeat
from typing import Any, NamedTuple

from .safeout import xml_escape, xml_text

MAX_TEXT = 32_767  # Excel's limit per cell
ROW_END = b"</row>"  # never inside a cell: "<" in text is escaped
_ROW = "<row>"
_LINE_HEIGHT = 15  # points per line of wrapped text (the default row height)
_MAX_LINES = 8  # a longer text is cut on paper (it is whole in the cell)


class RowXml:
    """Turns row tuples of one table into ``<row>`` XML (UTF-8) without ``r`` attributes: every cell
    is written, a blank one as ``<c/>``, so positions follow from the order. Works column by column, in
    UTF-8 pieces joined once: a text column escapes and encodes each distinct text once (a project's
    name repeats on each of its rows), a number column makes a cell per distinct ``str`` of its values."""

    def __init__(
        self, styles: Sequence[int | None], text_style: int, wrapped: Sequence[tuple[int, int]] = ()
    ):
        """``styles[c]``: the cell style index of number column ``c``, or None for a text column (text
        cells get ``text_style``); ``wrapped``: the ``(column, width)`` of the text columns whose
        wrapped lines set a row's height."""
        self.numeric = [style is not None for style in styles]
        self.text_pre = [f'<c s="{text_style}" t="inlineStr">' for _s in styles]
        self.num_pre = [f'<c s="{style}"><v>' if style is not None else "" for style in styles]
        self.num_pre_b = [pre.encode() for pre in self.num_pre]
        self.wrapped = list(wrapped)

    def row_starts(self, rows: Sequence[tuple]) -> list[str]:
        """Each row's start tag: a row whose printed text wraps onto several lines gets the height of
        those lines (spreadsheet programs do not grow rows for wrapped text on their own on opening)."""
        cols = list(zip(*rows, strict=True))
        lines = _lines([(cols[c], set(cols[c]), width) for c, width in self.wrapped])
        return [_ROW] * len(rows) if lines is None else list(map(_ROW_START.__getitem__, lines))

    def __call__(self, rows: Sequence[tuple]) -> bytes:
        if not rows:
            return b""
        n = len(rows)
        cols = list(zip(*rows, strict=True))
        parts: list[Iterable[bytes]] = [()]
        wrapped = dict(self.wrapped)
        tall: list[tuple[tuple, Iterable[Any], int]] = []
        for c, col in enumerate(cols):
            if self.numeric[c]:
                if set(map(type, col)) <= _PLAIN_NUMBERS:  # Decimal, int, None: a cell per distinct text
                    texts = list(map(str, col))
                    cache = {v: self._number(c, v) for v in set(texts)}
                    parts.append(list(map(cache.__getitem__, texts)))
                    continue
                pre = self.num_pre_b[c]
                parts.append(
                    [
                        pre + str(v).encode() + b"</v></c>"
                        if (t := v.__class__) is int or (t is Decimal and v.is_finite())
                        else _BLANK_B
                        if v is None
                        else self._cell(c, v).encode()
                        for v in col
                    ]
                )
            else:
                distinct = set(col)
                if all(v.__class__ is str or v is None for v in distinct):  # each text escaped once
                    cache = {v: self._text(c, v) for v in distinct}
                    parts.append(list(map(cache.__getitem__, col)))
                else:  # numbers in a text column: equal numbers can be written differently (1.0, 1.00)
                    parts.append([self._text(c, v) for v in col])
                if c in wrapped:
                    tall.append((col, distinct, wrapped[c]))
        lines = _lines(tall)
        parts[0] = [_ROW_B] * n if lines is None else list(map(_ROW_START_B.__getitem__, lines))
        parts.append([_ROW_END_B] * n)
        cells = [b""] * (n * len(parts))  # row by row: the columns' pieces interleaved
        for k, part in enumerate(parts):
            cells[k :: len(parts)] = part
        return b"".join(cells)

    def _number(self, c: int, text: str) -> bytes:
        """The cell of a number column's Decimal, int or None as ``str`` writes it: "None", "NaN",
        "sNaN", "Infinity" (with or without "-") are blank; digits never hold an N or an I."""
        if "N" in text or "I" in text:
            return _BLANK_B
        return self.num_pre_b[c] + text.encode() + b"</v></c>"

    def _text(self, c: int, v: Any) -> bytes:
        if v.__class__ is str and v:
            return (self.text_pre[c] + inline(v) + "</c>").encode()
        return self._cell(c, v).encode()

    def _cell(self, c: int, v: Any) -> str:
        """Any value the fast paths did not take: None, text in a number column, floats, booleans."""
        if v is None or v == "":
            return _BLANK
        num = number(v)
        if num is not None:
            return self.num_pre[c] + num + "</v></c>"
        if isinstance(v, (Decimal, float)):  # NaN / infinity: left blank
            return _BLANK
        return self.text_pre[c] + inline(str(v)) + "</c>"


_BLANK = "<c/>"
_BLANK_B = b"<c/>"
_PLAIN_NUMBERS = frozenset({Decimal, int, type(None)})
_ROW_END_B = b"</row>"


def _lines(wrapped: Sequence[tuple[tuple, Iterable[Any], int]]) -> Iterable[int] | None:
    """How many lines each row's wrapped text takes (None: one line for every row); ``wrapped``: the
    (column, its distinct values, width) of each wrapped column."""
    needs = []
    for col, distinct, width in wrapped:
        tall = _tall(distinct, width)
        if tall:
            needs.append(map(tall.get, col, repeat(1)))
    if not needs:
        return None
    return needs[0] if len(needs) == 1 else map(max, *needs)


def _tall(texts: Iterable[Any], width: int) -> dict[Any, int]:
    """The texts that wrap onto more than one line in a column ``width`` wide, with their lines."""
    half = width // 2  # this many characters fit even when all are Chinese (two widths each)
    out = {}
    for v in texts:
        if v.__class__ is str and len(v) > half:
            units = len(v) if v.isascii() else 2 * len(v)  # Chinese text: two widths a character
            k = min(_MAX_LINES, -(-units // width))
            if k > 1:
                out[v] = k
    return out


_ROW_START = [_ROW] * 2 + [
    f'<row ht="{k * _LINE_HEIGHT}" customHeight="1">' for k in range(2, _MAX_LINES + 1)
]
_ROW_B = _ROW.encode()
_ROW_START_B = [start.encode() for start in _ROW_START]


class Packed(NamedTuple):
    """Rows of one table as a byte-aligned raw-deflate segment, ready to be appended to a sheet."""

    rows: int
    size: int  # uncompressed bytes
    crc: int
    data: bytes


def pack(xml: bytes, rows: int) -> Packed:
    """Deflate ``xml`` (``rows`` complete ``<row>`` elements) as an independent segment: a fresh
    compressor ending in a sync flush, so segments made anywhere concatenate into one valid stream."""
    comp = zlib.compressobj(1, zlib.DEFLATED, -15)
    return Packed(rows, len(xml), zlib.crc32(xml), comp.compress(xml) + comp.flush(zlib.Z_SYNC_FLUSH))


def unpack_rows(packed: Packed) -> list[bytes]:
    """The ``<row>`` elements of a segment (only needed when a segment straddles a sheet's row limit)."""
    xml = zlib.decompressobj(-15).decompress(packed.data)
    return [row + ROW_END for row in xml.split(ROW_END)[:-1]]


_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]|_x[0-9A-Fa-f]{4}_|^\s|\s$")
#: the characters that can start a :data:`_SPECIAL` match inside a text (any ``_`` for ``_x0041_``): one
#: character class is searched several times faster than the alternation
_MAYBE_SPECIAL = re.compile(r"[&<>_\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_LITERAL_X = re.compile(r"_x[0-9A-Fa-f]{4}_")


def inline(text: str) -> str:
    """``<is>`` element of an inline string (escaped as Excel expects)."""
    text = text[:MAX_TEXT]
    plain = text and not text[0].isspace() and not text[-1].isspace() and _MAYBE_SPECIAL.search(text) is None
    if plain or _SPECIAL.search(text) is None:
        return f"<is><t>{text}</t></is>"
    text = xml_text(text)  # characters XML forbids: line breaks or nothing, as in every other writer
    text = xml_escape(text)
    text = _LITERAL_X.sub(lambda m: "_x005F" + m.group(0), text)
    return f'<is><t xml:space="preserve">{text}</t></is>'


def number(v: Any) -> str | None:
    if isinstance(v, Decimal):
        return str(v) if v.is_finite() else None
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else None
    return None


class Part:
    """The rows of one sheet: deflated segments appended to a temporary file as they arrive."""

    def __init__(self, folder: str, key: str, number: int):
        self.key = key
        self.path = os.path.join(folder, f"{key}{number}.deflate")
        self.fh = open(self.path, "wb")  # noqa: SIM115 - closed in finish()
        self.crc = 0
        self.size = 0
        self.rows = 0

    def write(self, packed: Packed) -> None:
        self.fh.write(packed.data)
        self.crc = crc32_combine(self.crc, packed.crc, packed.size) if self.size else packed.crc
        self.size += packed.size
        self.rows += packed.rows

    def finish(self) -> None:
        self.fh.close()


_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')


def assemble(
    skeleton: Sequence[tuple[str, bytes]], filename: str, streams: dict[str, tuple[Part, str]]
) -> None:
    """Write the xlsx zip: the skeleton's members (``(name, data)`` in order), each streamed
    sheet (``streams``: zip member name -> (part, its last cell, e.g. ``"U12"``)) as skeleton head + the
    part's compressed rows + skeleton tail in one deflate stream, its ``<dimension>`` set to ``A1:`` the
    last cell."""
    import struct

    central: list[bytes] = []
    dos_time, dos_date = 0, 1 << 5 | 1  # 1980-01-01 00:00, as XlsxWriter dated every member
    with open(filename, "wb") as out:
        for member, data in skeleton:
            name = member.encode("utf-8")
            part, last = streams.get(member, (None, ""))
            if part is None or not part.rows:
                comp = zlib.compressobj(1, zlib.DEFLATED, -15)
                pieces: list[bytes | str] = [comp.compress(data) + comp.flush()]  # data, or a file's path
                crc, size = zlib.crc32(data), len(data)
            else:
                xml = data.decode("utf-8")
                head, sep, tail = xml.partition("</sheetData>")
                if not sep:
                    raise RuntimeError(f"unexpected worksheet XML in {member}")
                head_b = _DIMENSION.sub(f'<dimension ref="A1:{last}"/>', head, count=1).encode("utf-8")
                tail_b = (sep + tail).encode("utf-8")
                c1 = zlib.compressobj(1, zlib.DEFLATED, -15)
                c3 = zlib.compressobj(1, zlib.DEFLATED, -15)
                pieces = [c1.compress(head_b) + c1.flush(zlib.Z_SYNC_FLUSH), part.path,
                          c3.compress(tail_b) + c3.flush()]  # fmt: skip
                crc = crc32_combine(crc32_combine(zlib.crc32(head_b), part.crc, part.size), zlib.crc32(tail_b),
                                     len(tail_b))  # fmt: skip
                size = len(head_b) + part.size + len(tail_b)
            csize = sum(len(p) if isinstance(p, bytes) else os.path.getsize(p) for p in pieces)
            if max(size, csize, out.tell()) >= 0xFFFFFFFF:
                raise RuntimeError("汇总工作簿过大（超过 4 GB）")
            offset = out.tell()
            out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, dos_time, dos_date, crc, csize, size,
                                  len(name), 0))  # fmt: skip
            out.write(name)
            for p in pieces:
                if isinstance(p, bytes):
                    out.write(p)
                else:
                    with open(p, "rb") as fh:
                        while block := fh.read(1 << 20):
                            out.write(block)
            central.append(
                struct.pack(
                    "<4s6H3L5H2L",
                    b"PK\x01\x02",
                    20,
                    20,
                    0,
                    8,
                    dos_time,
                    dos_date,
                    crc,
                    csize,
                    size,
                    len(name),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
                + name  # fmt: skip
            )
        start = out.tell()
        for rec in central:
            out.write(rec)
        end = out.tell()
        out.write(
            struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), end - start, start, 0)
        )


_CRC_POLY = 0xEDB88320  # CRC-32's polynomial, bit-reflected (bit 31 is x⁰, bit 0 is x³¹)


def _times_x(v: int) -> int:
    """v × x modulo the polynomial (reflected order)."""
    return (v >> 1) ^ _CRC_POLY if v & 1 else v >> 1


def _mult_mod_poly(a: int, b: int) -> int:
    """a × b modulo the polynomial (reflected order)."""
    product = 0
    bit = 1 << 31
    while a:
        if a & bit:
            product ^= b
            a ^= bit
        bit >>= 1
        b = _times_x(b)
    return product


#: ``_X_POW2[k]``: x^(2^k) modulo the polynomial, k = 0..31, by repeated squaring (built on first use)
_X_POW2: list[int] = []

#: ``_CRC_ZEROS[k][i]``: what appending 2**k zero bytes makes of a CRC's bit i (a GF(2) matrix, by
#: columns); built on demand and kept, since it depends on nothing but k (the parent combines a CRC per
#: streamed segment).
_CRC_ZEROS: list[list[int]] = []


def _crc_zeros(k: int) -> list[int]:
    """Appending 2**k zero bytes multiplies a CRC by x^(8 × 2**k): column i is that power times bit
    i's own power (x^(31-i)), i.e. the power shifted 31-i times."""
    if not _X_POW2:
        x = 1 << 30  # x¹
        for _ in range(32):  # x^(2^32) is x again (x's order modulo the polynomial is 2^32 - 1)
            _X_POW2.append(x)
            x = _mult_mod_poly(x, x)
    while len(_CRC_ZEROS) <= k:
        power = _X_POW2[(len(_CRC_ZEROS) + 3) % 32]  # 2**k bytes: x^(2^(k+3))
        columns = [0] * 32
        for i in range(31, -1, -1):
            columns[i] = power
            power = _times_x(power)
        _CRC_ZEROS.append(columns)
    return _CRC_ZEROS[k]


def _gf2_times(mat: list[int], vec: int) -> int:
    total = 0
    i = 0
    while vec:
        if vec & 1:
            total ^= mat[i]
        vec >>= 1
        i += 1
    return total


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of A+B from crc(A), crc(B) and len(B) (zlib's crc32_combine, which Python lacks)."""
    k = 0
    while len2 > 0:
        if len2 & 1:
            crc1 = _gf2_times(_crc_zeros(k), crc1)
        len2 >>= 1
        k += 1
    return crc1 ^ crc2

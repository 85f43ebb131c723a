"""The columns of a funds block's header: which cells are funds header words, the one shift that fits
the fund rows' figures to them, and the header cell no word names (for the message when none fits)."""

from __future__ import annotations

import functools

from .cellgrid import Grid
from .reader_vocab import _FUND_FIELDS, _FUND_KNOWN, _header_key


def _filled(v: object) -> bool:
    """A cell that holds something (not blank, not only spaces)."""
    return v is not None and v != "" and (v.__class__ is not str or bool(v.strip()))


@functools.lru_cache(maxsize=1024)
def _is_funds_header(row: tuple) -> bool:
    """A funds header row: at least one funds field, and two funds header words in all."""
    hits = known = 0
    for v in row:
        k = _header_key(v)
        if k in _FUND_FIELDS:
            hits += 1
        elif k in _FUND_KNOWN:
            known += 1
    return hits >= 1 and hits + known >= 2


@functools.lru_cache(maxsize=1024)
def _shift(rows: tuple[tuple[int, tuple[int, ...]], ...], header: frozenset[int], lo: int) -> int | None:
    """The one shift that fits every fund row (label column, filled columns) to the header, or None."""
    possible = None
    for c, filled in rows:
        fits = {s for s in range(-3, 4) if c < lo + s and all(cc - s in header for cc in filled)}
        possible = fits if possible is None else possible & fits
    if possible and 0 in possible:
        return 0
    if possible is not None and len(possible) == 1:
        return possible.pop()
    return None


@functools.lru_cache(maxsize=1024)
def _header_columns(header_rows: tuple[tuple, ...]) -> frozenset[int]:
    """The columns of a funds header (rows as tuples) that hold a funds header word."""
    return frozenset(
        c
        for row in header_rows
        for c, v in enumerate(row)
        if (k := _header_key(v)) in _FUND_FIELDS or k in _FUND_KNOWN
    )


def unknown_header_cell(
    rows: list[list[object]], r0: int, r1: int, known: frozenset[int], figures: set[int]
) -> tuple[int, int] | None:
    """The first text cell of header rows r0..r1 over a column that holds fund figures (``figures``)
    and that is no funds header word (``执行比例`` where 执行率 was meant), or None."""
    for r in range(r0, r1 + 1):
        row = rows[r]
        for c in sorted(figures - known):
            v = row[c] if c < len(row) else None
            if v.__class__ is str and v.strip():
                return r, c
    return None


def rate_off_its_column(
    g: Grid, found: list[tuple[int, int, str]], attrs: tuple[str, ...], cols: tuple[int, ...]
) -> tuple[int, int, str, str] | None:
    """Fund figures read shifted from their header: a rate (written with %, or a fraction the workbook
    formats as a percentage) must land under 执行率, else the shift is not an export's but a header
    over two columns with its figure in the right one. The first such cell: (row, column, field, text)."""
    for r, _, _ in found:  # the fund rows: (row, label column, label)
        row = g.rows[r]
        for attr, c in zip(attrs, cols, strict=True):
            v = row[c] if c < len(row) and attr != "stated_rate" else None
            if v.__class__ is str and v.strip().endswith(("%", "％")):
                return r, c, attr, str(v).strip()
            if v.__class__ is float and 0 < v <= 1.5 and (r, c) in g.percent_formatted([(r, c)]):
                return r, c, attr, f"{v}（百分比格式）"
    return None


def forced_shift(
    filled_rows: list[tuple[int, tuple[int, ...]]], header: frozenset[int], lo: int
) -> int | None:
    """When the one shift that fits every fund row is not 0 but some rows fit unshifted, the first row
    that forced the shift (a label slipped into an amount column), else None."""
    aligned = [_shift((one,), header, lo) == 0 for one in filled_rows]
    if any(aligned) and not all(aligned):
        return aligned.index(False)
    return None

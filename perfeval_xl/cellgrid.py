"""The grid of cells every reader works on, and cell addresses (standard library only, no other module).

A :class:`Grid` is one sheet, one HTML table or one text export as rows of values, with where each
cell is for messages ("D7" on sheets, "第7行第4列" in text exports). What a file's format can tell
beyond the values (an xlsx cell's number format, an error value or a formula without a cached value)
is asked through the grid's ``facts`` (see :class:`SheetFacts`), set by the loader that knows the
format (:mod:`perfeval_xl.workbooks`); a grid without facts answers "nothing more is known".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

#: the kinds of grid that come from a spreadsheet (cells are named "D7" in messages)
SHEET_KINDS = frozenset({"xlsx", "xls", "ods"})


def column_letter(index: int) -> str:
    """0-based column index to Excel letters: 0 -> "A", 27 -> "AB"."""
    if 0 <= index < len(_LETTERS):
        return _LETTERS[index]
    return _column_letter(index)


def _column_letter(index: int) -> str:
    letters = ""
    n = index + 1
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_LETTERS = [_column_letter(i) for i in range(702)]


def cell_name(row: int, col: int) -> str:
    """0-based (6, 3) -> "D7"."""
    return column_letter(col) + str(row + 1)


class SheetFacts(Protocol):
    """What a file format knows about a grid's cells beyond their values (see :class:`Grid`)."""

    def percent_formatted(self, grid: Grid, cells: list[tuple[int, int]]) -> set[tuple[int, int]]: ...

    def resolve(self, grid: Grid, r: int, c: int) -> object: ...


@dataclass
class Grid:
    """The cells of one sheet (or one HTML table, or a whole text export), row by row.

    ``rows[r][c]`` is the cell at 0-based ``(origin[0] + r, origin[1] + c)`` of the sheet; values are
    str, int, float, bool, datetime/date, or None or "" for a blank cell. Rows may differ in length.
    """

    source: str  # the path as the user gave it
    sheet: str | None  # sheet name; None for a text export (or a lone HTML table)
    rows: list[list[object]]
    origin: tuple[int, int] = (0, 0)  # 0-based (row, column) of rows[0][0]
    kind: str = "text"  # "text", "html", "xlsx", "xls" or "ods"
    lines: list[int] | None = None  # text exports: the file line (1-based) each row starts on
    facts: SheetFacts | None = field(default=None, repr=False, compare=False)  # the format's own facts
    #: merged ranges as 0-based sheet ``(first row, first column, last row, last column)``, when the
    #: format records them (xlsx and xls through calamine, HTML rowspans); None when it cannot tell
    #: (text exports, ods)
    merges: list[tuple[int, int, int, int]] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._sheet = self.kind in SHEET_KINDS  # ref() is called for every field read: decide once
        self._r0, self._c0 = self.origin

    def cell(self, r: int, c: int) -> object:
        """The value at grid position (r, c); None for a blank cell and outside the grid."""
        if 0 <= r < len(self.rows):
            row = self.rows[r]
            if 0 <= c < len(row):
                v = row[c]
                return None if v == "" else v
        return None

    def percent_formatted(self, cells: list[tuple[int, int]]) -> set[tuple[int, int]]:
        """Which of these grid cells carry a percent number format (or hold an evaluated ``=99%``).

        Only a format that keeps number formats can say (xlsx/xlsm, read from the file's own XML by
        :mod:`perfeval_xl.xlsxcells`); other grids answer "none": their values stay as stored."""
        if self.facts is None or not cells:
            return set()
        return self.facts.percent_formatted(self, cells)

    def resolve(self, r: int, c: int) -> object:
        """What a cell that reads as blank really holds, for a cell the reader needs a value from.

        None when it is blank indeed (or nothing more is known); for an xlsx formula without a cached
        value, its value evaluated exactly (also stored in the grid); raises
        :class:`~perfeval_xl.xlsxcells.CellProblem` for an error value or an unevaluable formula."""
        if self.facts is None:
            return None
        return self.facts.resolve(self, r, c)

    def merged_from_above(self, r: int, c: int) -> bool | None:
        """Whether grid cell (r, c) lies in a merged range begun on a row above it (it then shows that
        range's value): True or False when the format records merges, None when it cannot tell (a blank
        cell of a text export may be a merged cell's remainder or simply blank)."""
        if self.merges is None:
            return None
        row, col = r + self._r0, c + self._c0
        return any(r0 < row <= r1 and c0 <= col <= c1 for r0, c0, r1, c1 in self.merges)

    def ref(self, r: int, c: int) -> str:
        """Where grid position (r, c) is, for messages: "D7" on sheets, "第7行第4列" in text exports."""
        if self._sheet:
            col = c + self._c0
            return (_LETTERS[col] if 0 <= col < 702 else column_letter(col)) + str(r + self._r0 + 1)
        return f"第{self._line(r)}行第{c + self._c0 + 1}列"

    def refs_in_row(self, r: int, columns: Iterable[int]) -> list[str]:
        """``ref(r, c)`` for each of ``columns``, in one call (the reader names every field it reads)."""
        if self._sheet:
            n = str(r + self._r0 + 1)
            c0 = self._c0
            return [(_LETTERS[c + c0] if 0 <= c + c0 < 702 else column_letter(c + c0)) + n for c in columns]
        return [self.ref(r, c) for c in columns]

    def row_ref(self, r: int, c0: int | None = None, c1: int | None = None) -> str:
        """A row (or the part c0..c1 of it): "B7:H7" on sheets, "第7行" in text exports."""
        if self._sheet:
            n = str(r + self._r0 + 1)
            if c0 is None or c1 is None:
                return f"第{n}行"
            a, b = c0 + self._c0, c1 + self._c0
            if not (0 <= a < 702 and 0 <= b < 702):
                return self.ref(r, c0) if c0 == c1 else f"{self.ref(r, c0)}:{self.ref(r, c1)}"
            return _LETTERS[a] + n if a == b else f"{_LETTERS[a]}{n}:{_LETTERS[b]}{n}"
        return f"第{self._line(r)}行"

    def span_ref(self, c0: int, c1: int) -> Callable[[int], str]:
        """``lambda r: row_ref(r, c0, c1)`` with the column letters worked out once (one per table)."""
        a, b = c0 + self._c0, c1 + self._c0
        if not self._sheet or not (0 <= a < 702 and 0 <= b < 702):
            return lambda r: self.row_ref(r, c0, c1)
        r0 = self._r0 + 1
        if a == b:
            return lambda r: f"{_LETTERS[a]}{r + r0}"
        left, right = _LETTERS[a], _LETTERS[b]
        return lambda r: f"{left}{r + r0}:{right}{r + r0}"

    def sheet_row(self, r: int) -> int:
        """The 1-based row (sheet row, or line of a text export) of grid row r."""
        return r + self._r0 + 1 if self._sheet else self._line(r)

    def _line(self, r: int) -> int:
        if self.lines is not None and 0 <= r < len(self.lines):
            return self.lines[r]
        return r + self.origin[0] + 1

"""How the template's cells look, and how anything is written into them.

Fonts, fills, borders and number formats of the form (the colours come from
:mod:`perfeval_xl.layout`), and the two ways a value enters a cell: :func:`put_text` (user text, always a
string cell, never a formula, whatever it starts with) and :func:`put_number`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from copy import copy
from decimal import Decimal
from weakref import WeakKeyDictionary

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.worksheet import Worksheet

from . import layout as L
from .safeout import xml_text

FONT_NAME = "宋体"
_thin = Side(style="thin", color="000000")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
INPUT = PatternFill("solid", start_color=L.INPUT_FILL, end_color=L.INPUT_FILL)
COMPUTED = PatternFill("solid", start_color=L.COMPUTED_FILL, end_color=L.COMPUTED_FILL)
HEADER = PatternFill("solid", start_color=L.HEADER_FILL, end_color=L.HEADER_FILL)
WRAP_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
WRAP_TOP = Alignment(horizontal="left", vertical="top", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
NUMBER = "0.00"
FONT = Font(name=FONT_NAME, size=10)
FONT_BOLD = Font(name=FONT_NAME, size=10, bold=True)
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)

#: workbook -> (what was applied, the cell's style before) -> the cell's style after
_DONE: WeakKeyDictionary[object, dict[tuple[Hashable, tuple[int, ...]], object]] = WeakKeyDictionary()


def restyle(cell: Cell | MergedCell, key: Hashable, apply: Callable[[Cell | MergedCell], None]) -> None:
    """``apply(cell)``, which sets style attributes named by ``key``, done once per workbook and
    starting style: later cells copy the resulting style indices.

    openpyxl hashes every style object (font, fill, border …) on every assignment to find its index in
    the workbook's style lists; a form has thousands of styled cells with a handful of different styles.
    The lists only grow and are looked up by value, so the same attributes applied to the same starting
    style always give the same indices: the saved file is the same as if every cell were styled."""
    done = _DONE.setdefault(cell.parent.parent, {})
    before = cell._style  # type: ignore[union-attr]  # openpyxl's style indices, not in its stubs
    k = (key, tuple(before) if before is not None else ())  # None: a new cell, no style yet
    after = done.get(k)
    if after is None:
        apply(cell)
        done[k] = copy(cell._style)  # type: ignore[union-attr]
    else:
        cell._style = copy(after)  # type: ignore[union-attr]


def put_text(ws: Worksheet, ref: str, value: object) -> None:
    """Write user text as a string cell; an empty value leaves the cell empty."""
    cell = ws[ref]
    if value is None or value == "":
        cell.value = None
        return
    cell.value = xml_text(str(value))
    cell.data_type = "s"  # never a formula, even for "=HYPERLINK(...)"


def put_number(ws: Worksheet, ref: str, value: Decimal | None) -> None:
    ws[ref].value = value


def label(ws: Worksheet, ref: str, text: str, fill: PatternFill | None = HEADER, bold: bool = True) -> None:
    put_text(ws, ref, text)

    def apply(cell: Cell | MergedCell) -> None:
        cell.font = FONT_BOLD if bold else FONT
        cell.alignment = WRAP_CENTER
        if fill is not None:
            cell.fill = fill

    restyle(ws[ref], ("label", fill, bold), apply)


def style_input(ws: Worksheet, ref: str, align: Alignment = WRAP_LEFT, fmt: str | None = None) -> None:
    """An input cell: light yellow, unlocked."""
    _style(ws[ref], INPUT, UNLOCKED, align, fmt)


def style_computed(ws: Worksheet, ref: str, align: Alignment = WRAP_CENTER, fmt: str | None = NUMBER) -> None:
    """A computed cell: light blue-grey, locked."""
    _style(ws[ref], COMPUTED, LOCKED, align, fmt)


def _style(cell: Cell, fill: PatternFill, protection: Protection, align: Alignment, fmt: str | None) -> None:
    def apply(cell: Cell | MergedCell) -> None:
        cell.fill = fill
        cell.protection = protection
        cell.alignment = align
        cell.font = FONT
        if fmt:
            cell.number_format = fmt

    restyle(cell, (fill, protection, align, fmt), apply)

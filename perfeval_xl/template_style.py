"""How the template's cells look, and how anything is written into them.

Fonts, fills, borders and number formats of the form (the colours come from
:mod:`perfeval_xl.layout`), and the two ways a value enters a cell: :func:`put_text` (user text, always a
string cell, never a formula, whatever it starts with) and :func:`put_number`.
"""

from __future__ import annotations

from decimal import Decimal

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
NUMBER = "0.00"


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
    cell = ws[ref]
    cell.font = Font(name=FONT_NAME, size=10, bold=bold)
    cell.alignment = WRAP_CENTER
    if fill is not None:
        cell.fill = fill


def style_input(ws: Worksheet, ref: str, align: Alignment = WRAP_LEFT, fmt: str | None = None) -> None:
    cell = ws[ref]
    cell.fill = INPUT
    cell.protection = Protection(locked=False)
    cell.alignment = align
    cell.font = Font(name=FONT_NAME, size=10)
    if fmt:
        cell.number_format = fmt


def style_computed(ws: Worksheet, ref: str, align: Alignment = WRAP_CENTER, fmt: str | None = NUMBER) -> None:
    cell = ws[ref]
    cell.fill = COMPUTED
    cell.protection = Protection(locked=True)
    cell.alignment = align
    cell.font = Font(name=FONT_NAME, size=10)
    if fmt:
        cell.number_format = fmt

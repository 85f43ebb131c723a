"""Row heights of a filled form: every wrapped text of the indicator rows and the form's 审核提示 shown
in full (estimated from the text's width: a CJK character is about two Excel character units)."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from . import layout as L

_LINE_HEIGHT = {9: 12.0, 10: 13.5}  # points per wrapped line at the form's font sizes
_MIN_ROW_HEIGHT = 18.0


def _text_width(text: str) -> float:
    """Width of ``text`` in Excel character units (a CJK character is about two)."""
    return sum(2.0 if ord(ch) > 0x2E7F else 1.1 for ch in text)


def _lines(text: str, width: float) -> int:
    usable = max(width - 1.5, 1.0)
    return sum(max(1, -(-int(_text_width(part) * 10) // int(usable * 10))) for part in text.split("\n"))


def fit_rows(ws: Worksheet, lay: L.Layout, cached: dict[str, str] | None = None) -> None:
    """Row heights that show every wrapped text of the indicator rows and the form's 审核提示 in full.

    Formulas count by their ``cached`` value where one is known (else they are skipped: a live cell's
    text is not known before a spreadsheet computes it)."""
    cached = cached or {}

    def text_of(ref: str) -> str:
        value = ws[ref].value
        if isinstance(value, str) and value.startswith("=") and ws[ref].data_type == "f":
            return cached.get(ref, "")
        return "" if value is None else str(value)

    cols = (L.NAME_COL, L.TARGET_COL, L.ACTUAL_COL, L.DEVIATION_COL, L.REMARKS_COL)
    for i in range(lay.indicator_rows):
        r = lay.indicator_row(i)
        height = 0.0
        for col in cols:
            text = text_of(f"{col}{r}")
            if text:
                size = 9 if col == L.REMARKS_COL else 10
                lines = _lines(text, L.WIDTHS[col])
                height = max(height, _MIN_ROW_HEIGHT, lines * _LINE_HEIGHT[size] + 4)
        if height:  # rows without text keep the sheet's default height
            ws.row_dimensions[r].height = min(height, 409)
    remark = text_of(lay.form_remarks_cell)
    if remark:
        width = sum(L.WIDTHS[c] for c in L.COLUMNS[L.COLUMNS.index(lay.form_remarks_cell[0]) :])
        ws.row_dimensions[lay.grade_row].height = max(_MIN_ROW_HEIGHT, _lines(remark, width) * 13.5 + 4)

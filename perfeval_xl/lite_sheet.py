"""The xlwings Lite script's work: find the form sheets of a workbook and enter their formulas again.

Formulas that openpyxl saved into the file are not bound to Lite's custom functions until they are
entered through Lite's API, so the bundle's ``@script`` calls :func:`write_formulas`. It uses only what
Lite's object model offers (``book.sheets``, ``sheet.name``, ``sheet.range(address).value`` to read and
write; a string starting with ``=`` is entered as a formula) and writes each column of formulas in one
action. Lite has no sheet protection API: staff lift the (password-less) protection before running the
script and set it again afterwards. Standard library only: this module is embedded in the bundle.
"""

from __future__ import annotations

from . import labels
from . import layout as L
from .sheetformulas import computed_cells

#: rows read to find the 合计 row (a form with more indicators than this is not found)
MAX_ROWS = 5000


def _cells(values) -> list[list]:
    """Lite's ``range.value`` of a block as a list of rows (it may give a flat list for one row)."""
    if not isinstance(values, list):
        return [[values]]
    return [row if isinstance(row, list) else [row] for row in values]


def sheet_layout(values) -> L.Layout | None:
    """The template layout of a sheet, from its values A1:J… (None when it is not a form sheet)."""
    rows = _cells(values)
    if len(rows) < L.INDICATOR_FIRST_ROW:
        return None
    width = len(labels.INDICATOR_HEADER)
    header = tuple(rows[L.INDICATOR_HEADER_ROW - 1][:width])
    if header != labels.INDICATOR_HEADER:
        return None
    for number in range(L.INDICATOR_FIRST_ROW + 1, len(rows) + 1):
        if rows[number - 1][0] == labels.TOTAL:
            return L.Layout(number - L.INDICATOR_FIRST_ROW)
    return None


def formula_blocks(lay: L.Layout) -> list[tuple[str, str | list[list[str]]]]:
    """The per-cell formulas in vertical runs: (``G13:G42``, [[f13], …, [f42]]), or (``F6``, formula)."""
    by_col: dict[str, dict[int, str]] = {}
    for ref, formula in computed_cells(lay).items():
        col = ref.rstrip("0123456789")
        by_col.setdefault(col, {})[int(ref[len(col) :])] = formula
    blocks = []
    for col in sorted(by_col):
        rows = sorted(by_col[col])
        start = prev = rows[0]
        for row in [*rows[1:], None]:
            if row is not None and row == prev + 1:
                prev = row
                continue
            run = [[by_col[col][r]] for r in range(start, prev + 1)]
            address = f"{col}{start}" if start == prev else f"{col}{start}:{col}{prev}"
            blocks.append((address, run if start != prev else run[0][0]))
            if row is not None:
                start = prev = row
    return blocks


def write_formulas(book) -> list[str]:
    """Enter the formulas of every form sheet of ``book`` (a Lite ``xw.Book``); returns the sheet names."""
    done = []
    last = L.COLUMNS[-1]
    for sheet in book.sheets:
        lay = sheet_layout(sheet.range(f"A1:{last}{MAX_ROWS}").value)
        if lay is None:
            continue
        for address, formulas in formula_blocks(lay):
            sheet.range(address).value = formulas
        done.append(sheet.name)
    if not done:
        raise ValueError("没有找到自评表：工作表第 12 行应是模板的指标表头（一级指标 … 偏差原因分析）")
    return done

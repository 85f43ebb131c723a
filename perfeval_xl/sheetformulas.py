"""The formula of every computed cell of a template sheet, whatever its flavour: the classic and Lite
flavours' UDF calls (:mod:`perfeval_xl.udf_formulas`) or the native flavour's built-in functions
(:mod:`perfeval_xl.native`), the classic flavour's array formulas, and what a sheet then holds.

:mod:`perfeval_xl.layout` says where the cells are; this module says what they compute. Building,
recalculating, the Lite script and the tests all take the formulas from here.
"""

from __future__ import annotations

from . import layout as L
from . import native, udf_formulas


def computed_cells(lay: L.Layout) -> dict[str, str]:
    """Every computed cell of a sheet with layout ``lay`` -> its own (single-cell) formula."""
    if lay.native:
        return native.computed_cells(lay)
    return udf_formulas.computed_cells(lay)


def array_formulas(lay: L.Layout) -> dict[str, str]:
    """Ranges the classic flavour fills with one legacy (Ctrl+Shift+Enter) array formula each; none for
    the other flavours (:func:`perfeval_xl.udf_formulas.array_formulas`)."""
    return udf_formulas.array_formulas(lay)


def sheet_formulas(lay: L.Layout) -> dict[str, str]:
    """The formulas the sheet holds: every computed cell's own formula, except that the first cell of
    each :func:`array_formulas` range holds the array formula and its other cells none."""
    cells = dict(computed_cells(lay))
    for ref, formula in array_formulas(lay).items():
        first, *rest = L.cells_of(ref)
        cells[first] = formula
        for cell in rest:
            del cells[cell]
    return cells


def udf_calls(lay: L.Layout) -> int:
    """UDF calls per full recalculation of one sheet: each formula calling a UDF, array or not, calls
    Python once (the native flavour calls none)."""
    return sum("PE_" in formula for formula in sheet_formulas(lay).values())

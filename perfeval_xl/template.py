"""The template workbook (``workbook_template.xlsx``, ``perfeval-xl template`` and ``import``): one empty
form sheet or one filled sheet per Form, valid sheet names, the xlwings configuration sheet, and the
atomic save that gives the native flavour's composed cells their cached values.

The pieces: :mod:`perfeval_xl.layout` (where every cell is), :mod:`perfeval_xl.template_sheet` (the empty
form on a sheet), :mod:`perfeval_xl.template_fill` (a Form written into it), and their helpers
:mod:`perfeval_xl.template_style`, :mod:`perfeval_xl.template_validation`, :mod:`perfeval_xl.rowheights`.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl import Workbook

from . import labels
from . import layout as L
from .model import Form
from .profiles import find_profile, get_profile
from .safeout import atomic_write, xml_text
from .template_fill import fill_sheet
from .template_sheet import build_sheet
from .template_style import put_text

TEMPLATE_SHEET = "自评表"
_FIXED_DATE = _dt.datetime(2024, 1, 1)


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def sheet_names(projects: list[str]) -> list[str]:
    """Valid, unique (case-insensitive) sheet names of at most 31 characters, from project names."""
    used = {L.CONF_SHEET.lower()}
    out = []
    for i, project in enumerate(projects, 1):
        base = (
            _BAD_SHEET_CHARS.sub("_", xml_text(project or "").replace("\n", " ")).strip().strip("'").strip()
            or f"表{i}"
        )
        base = base[:31]
        name, n = base, 1
        while name.lower() in used:
            n += 1
            suffix = f"({n})"
            name = base[: 31 - len(suffix)] + suffix
        used.add(name.lower())
        out.append(name)
    return out


def _conf_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet(L.CONF_SHEET)
    put_text(ws, "A1", "UDF Modules")
    put_text(ws, "B1", "udfs")
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 16
    ws.sheet_state = "hidden"  # xlwings reads it hidden too; staff neither see nor print it


def build_workbook(
    forms: list[Form] | None = None, flavor: str = "classic", profile=None, rows: int | None = None
) -> Workbook:
    """The template workbook: one empty form sheet (``rows`` indicator rows, at least 30), or one
    filled sheet per form; plus xlwings.conf for the classic flavour."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])  # the new workbook's one default sheet
    wb.properties.creator = "perfeval-xl"
    wb.properties.title = labels.TITLE
    wb.properties.created = _FIXED_DATE
    wb.properties.modified = _FIXED_DATE
    cached: dict[str, dict[str, str | Decimal]] = {}
    if not forms:
        ws = wb.create_sheet(TEMPLATE_SHEET)
        build_sheet(ws, L.Layout.for_count(rows or 0, flavor))
    else:
        for form, name in zip(forms, sheet_names([f.project for f in forms]), strict=True):
            lay = L.Layout.for_count(len(form.indicators), flavor)
            ws = wb.create_sheet(name)
            build_sheet(ws, lay, form.money_unit or "万元")
            values = fill_sheet(ws, lay, form, profile)
            if values:
                cached.setdefault(name, {}).update(values)
    for ws in wb.worksheets:  # the budget points (分数) a reader takes from the sheet: known here
        points = get_profile(_profile_key(ws[L.PROFILE_CELL].value)).budget_points
        cached.setdefault(ws.title, {})[L.BUDGET_POINTS_CELL] = points
    wb.perfeval_cached = cached  # type: ignore[attr-defined]  # written by save_workbook
    if flavor == "classic":
        _conf_sheet(wb)
    wb.active = 0
    return wb


def save_workbook(wb: Workbook, path: str | os.PathLike[str]) -> Path:
    """Save atomically with the user's umask (:func:`perfeval_xl.safeout.atomic_write`), every text
    cell XML-safe first; formula cells the native flavour composes get their cached values."""
    _xml_safe_cells(wb)
    cached = getattr(wb, "perfeval_cached", None)
    titles = [ws.title for ws in wb.worksheets]

    def write(tmp: str) -> None:
        wb.save(tmp)
        if cached:
            _write_cached_values(tmp, titles, cached)

    return atomic_write(path, write)


def _xml_safe_cells(wb: Workbook) -> None:
    """Text cells of a workbook opened from a file (recalc) may hold characters XML forbids."""
    for ws in wb.worksheets:
        for cell in ws._cells.values():  # only the cells that exist (iter_rows would create blanks)
            v = cell.value
            if type(v) is str and not (v.isascii() and v.isprintable()):
                # openpyxl's own slot, undeclared in its stubs: the value setter would read "=…" as a formula
                cell._value = xml_text(v)  # type: ignore[union-attr]


_FORMULA_CELL = re.compile(r'<c r="([A-Z]{1,3}[0-9]+)"([^>]*)><f>(.*?)</f>(?:<v\s*/>|<v></v>)</c>', re.S)


def _profile_key(value: object) -> str | None:
    found = find_profile(str(value)) if value else None
    return found.name if found is not None else None


def _write_cached_values(path: str, titles: list[str], cached: dict[str, dict[str, str | Decimal]]) -> None:
    """Give formula cells of the saved workbook a cached value, text or number (openpyxl writes none).

    Spreadsheets recalculate and replace it; readers that do not calculate (calamine, pandas,
    ``perfeval-xl score``) see what the formula shows. Only the cells named in ``cached`` change."""
    parts = {f"xl/worksheets/sheet{i}.xml": cached[t] for i, t in enumerate(titles, 1) if t in cached}
    tmp = path + ".cache"
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info.filename)
                values = parts.get(info.filename)
                if values:

                    def put(m: re.Match[str], values: dict[str, str | Decimal] = values) -> str:
                        known = values.get(m.group(1))
                        if known is None:
                            return m.group(0)
                        attrs = re.sub(r'\st="[^"]*"', "", m.group(2))
                        if isinstance(known, Decimal):
                            kind, value = "", format(known, "f")
                        else:
                            kind, value = ' t="str"', escape(xml_text(known))
                        return f'<c r="{m.group(1)}"{attrs}{kind}><f>{m.group(3)}</f><v>{value}</v></c>'

                    data = _FORMULA_CELL.sub(put, data.decode("utf-8")).encode("utf-8")
                dst.writestr(info, data)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)

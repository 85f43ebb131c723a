"""UDF calls per full recalculation of the imported seed workbook, before and after array UDFs.

    python benchmarks/udf_calls.py [SOURCE]     # default: examples/seed_forms_2023.txt (4 forms)

Over classic xlwings every UDF call is one COM round trip from Excel to Python, so the number of
calls per full recalculation (Ctrl+Alt+F9) is what the user waits for. This imports the forms into the
template twice — with one formula per computed cell (how the template was before; the layout of the
xlwings Lite flavour still is) and with the classic template's array formulas (one per column) — and
for each workbook, as saved:

  1. counts the formulas that call a UDF (a legacy array formula is one call for its whole range);
  2. evaluates every computed cell with pycel, the UDFs registered and wrapped in counters, and reports
     how many times Python was really called (when pycel is installed);
  3. checks that both workbooks show the same value in every computed cell.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import types
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402
from openpyxl.worksheet.formula import ArrayFormula  # noqa: E402

import udfs  # noqa: E402
from perfeval_xl import layout as L  # noqa: E402
from perfeval_xl import sheetformulas  # noqa: E402
from perfeval_xl.reader import read_forms  # noqa: E402
from perfeval_xl.template import build_workbook  # noqa: E402


def per_cell_layouts():
    """Patch the layout so that no range gets an array formula (the template as it was)."""
    original = sheetformulas.array_formulas
    sheetformulas.array_formulas = lambda lay: {}
    return original


def count_formulas(path: Path) -> tuple[int, int]:
    """(UDF formulas in the saved workbook, computed cells they fill)."""
    wb = openpyxl.load_workbook(path)
    formulas = cells = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type != "f":
                    continue
                text = c.value.text if isinstance(c.value, ArrayFormula) else str(c.value)
                if "PE_" not in text:
                    continue
                formulas += 1
                cells += len(L.cells_of(c.value.ref)) if isinstance(c.value, ArrayFormula) else 1
    return formulas, cells


def evaluate_with_counters(path: Path) -> tuple[Counter, dict]:
    """Evaluate every computed cell with pycel; count the real calls of each UDF."""
    from pycel import ExcelCompiler, excelwrapper

    calls: Counter = Counter()
    plugin = types.ModuleType("perfeval_udf_counter")
    for name in udfs.__all__:
        fn = getattr(udfs, name)

        def counted(*args, _fn=fn, _name=name):
            calls[_name] += 1
            return _fn(*args)

        setattr(plugin, name.lower(), counted)
    sys.modules[plugin.__name__] = plugin
    original = excelwrapper._OpxRange.cell_to_formula.__func__

    def cell_to_formula(cls, cell):  # a text cell starting with "=" is text, as Excel reads it
        return "" if getattr(cell, "data_type", None) == "s" else original(cls, cell)

    excelwrapper._OpxRange.cell_to_formula = classmethod(cell_to_formula)
    try:
        xl = ExcelCompiler(filename=str(path), plugins=[plugin.__name__])
        wb = openpyxl.load_workbook(path)
        values = {}
        for ws in wb.worksheets:
            lay = L.layout_of_sheet(ws)
            if lay is None:
                continue
            for ref in sheetformulas.computed_cells(lay):
                values[(ws.title, ref)] = xl.evaluate(f"{ws.title}!{ref}")
    finally:
        excelwrapper._OpxRange.cell_to_formula = classmethod(original)
        sys.modules.pop(plugin.__name__, None)
    return calls, values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", default=str(ROOT / "examples" / "seed_forms_2023.txt"))
    args = parser.parse_args(argv)
    forms = read_forms(args.source)
    with tempfile.TemporaryDirectory() as tmp:
        after = Path(tmp) / "arrays.xlsx"
        before = Path(tmp) / "per_cell.xlsx"
        build_workbook(forms).save(after)
        original = per_cell_layouts()
        try:
            build_workbook(forms).save(before)
        finally:
            sheetformulas.array_formulas = original
        rows = []
        results = {}
        for label, path in (("每格一个公式（原模板）", before), ("整列数组公式（现模板）", after)):
            formulas, cells = count_formulas(path)
            try:
                calls, values = evaluate_with_counters(path)
                measured = str(sum(calls.values()))
                results[label] = values
            except ImportError:
                measured = "（未安装 pycel）"
            rows.append((label, cells, formulas, measured))
    print(f"{Path(args.source).name}：{len(forms)} 张自评表")
    print("| 模板 | 计算单元格 | 调用 UDF 的公式 | pycel 全部重算时实际调用 Python 次数 |")
    print("|---|---:|---:|---:|")
    for label, cells, formulas, measured in rows:
        print(f"| {label} | {cells} | {formulas} | {measured} |")
    (_, _, f_before, _), (_, _, f_after, _) = rows
    print(f"数组公式后每次全部重算的调用次数为原来的 {f_after / f_before:.1%}（{f_before} → {f_after}）。")
    if len(results) == 2:
        a, b = results.values()
        same = a == b
        print("两种模板每个计算单元格的结果" + ("完全相同。" if same else "不同！"))
        if not same:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

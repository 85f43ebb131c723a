"""Realistic batches for the benchmarks: distinct workbooks as clerks type them.

Each workbook holds 1 to 6 forms (the seed's four published forms, varied: project, 主管部门, spending
and the stated numbers that follow, see ``examples/make_examples.py``), one per sheet or two stacked in a
sheet. In the **clerk** style cells are typed the way people type into Excel: money, 分值, 得分 and plain
figures as numbers, a stated 执行率 and percentages such as ``95.00(百分比)`` as percent-formatted
numbers (0.95 shown as 95.00%), the title merged across the form, 一级指标/二级指标 merged down their
groups, and about one form in five in 元 instead of 万元. The **text** style writes the same forms with
targets, actuals and rates as text (as the official export does), so the two can be compared.
"""

from __future__ import annotations

import random
import re
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "examples"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import make_examples  # noqa: E402

from perfeval_xl import labels  # noqa: E402

Block = make_examples.Block
_find = make_examples._find  # the first cell starting with a label
_FIGURE = re.compile(r"^(\d+(?:\.\d+)?)(?:\((.+)\))?$")
_PERCENT_UNITS = ("百分比", "百分数", "%")


def in_yuan(block: Block) -> Block:
    """The same form stated in 元: the funds block's amounts × 10000 and its title says 元."""
    out = [list(row) for row in block]
    funds, goals = _find(out, labels.FUNDS), _find(out, labels.GOALS)
    if not funds or not goals:
        return out
    r0, c0 = funds
    out[r0][c0] = out[r0][c0].replace("万元", "元")
    for r in range(r0 + 1, goals[0]):
        row = out[r]
        label = next((c for c, cell in enumerate(row) if cell.strip()), None)
        if label is None:
            continue
        for c in range(label + 1, min(label + 4, len(row))):  # 年初预算数, 全年预算数, 全年执行数
            if make_examples._NUMBER.match(row[c].strip()):
                row[c] = f"{Decimal(row[c]) * 10000:.2f}"
    return out


_MET_FIGURE = re.compile(r"^(≥|>=)?(\d+(?:\.(\d+))?)(?:\((.+)\))?$")
_PERCENT_SIGN = re.compile(r"^(\d+)%$")


def vary_indicators(block: Block, rng: random.Random) -> Block:
    """The same form with other figures in its indicator rows, each row as met as before: a batch's
    forms share their indicators' names but not their targets and results (without this the 8,827
    indicator rows of 300 workbooks held 24 distinct cases, and caches keyed by text hit far more
    often than in a real batch). A ``≥`` (or bare) target that its actual reaches gets a new target
    and an actual at or above it, in the same decimals and unit; a target whose actual is only
    words (达成指标) gets a new figure in its own form; anything else stays."""
    out = [list(row) for row in block]
    header = _find(out, labels.LEVEL1)
    if not header:
        return out
    hr = header[0]
    cols = {cell.strip(): c for c, cell in enumerate(out[hr])}
    ct, ca = cols.get(labels.TARGET), cols.get(labels.ACTUAL)
    if ct is None or ca is None:
        return out
    for row in out[hr + 1 :]:
        if len(row) <= max(ct, ca):
            continue
        target, actual = row[ct].strip(), row[ca].strip()
        t, a = _MET_FIGURE.match(target), _MET_FIGURE.match(actual)
        if t and a and t.group(4) == a.group(4) and Decimal(a.group(2)) >= Decimal(t.group(2)):
            unit = t.group(4)
            places = len(t.group(3) or "")
            if unit in _PERCENT_UNITS:
                new_t = Decimal(rng.randint(60, 99))
                new_a = new_t + (100 - new_t) * Decimal(rng.randint(0, 100)) / 100
            else:
                new_t = (Decimal(t.group(2)) * Decimal(rng.randint(50, 150)) / 100).quantize(Decimal(1))
                new_a = new_t * Decimal(rng.randint(100, 250)) / 100
            suffix = f"({unit})" if unit else ""
            row[ct] = f"{t.group(1) or ''}{new_t:.{places}f}{suffix}"
            row[ca] = f"{new_a:.{len(a.group(3) or '')}f}{suffix}"
            if Decimal(row[ca].split("(")[0]) < Decimal(row[ct].lstrip("≥>=").split("(")[0]):
                row[ca] = row[ct].lstrip("≥>=")  # rounding down never makes a met row unmet
        elif t and not a and t.group(1) is None and t.group(4) is None:  # 3.00 | 达成指标
            row[ct] = f"{rng.randint(1, 12):.{len(t.group(3) or '')}f}"
        elif _PERCENT_SIGN.match(target) and not a:  # 90% | 达成指标
            row[ct] = f"{rng.randint(1, 99)}%"
    return out


def generate(folder: Path, n: int, style: str = "clerk", seed: int = 2023) -> list[Path]:
    """``n`` distinct workbooks in ``folder`` (100 per sub-folder); ``style`` is ``clerk`` or ``text``.

    The same ``seed`` gives the same forms in both styles."""
    import xlsxwriter

    blocks = make_examples.seed_blocks()
    rng = random.Random(seed)
    paths: list[Path] = []
    serial = 0
    for i in range(n):
        sheets: list[list[Block]] = []
        for _ in range(rng.randint(1, 6)):
            serial += 1
            block = make_examples.vary(blocks[serial % len(blocks)], rng, serial)
            block = vary_indicators(block, rng)
            if rng.random() < 0.2:
                block = in_yuan(block)
            if sheets and len(sheets[-1]) == 1 and rng.random() < 0.25:
                sheets[-1].append(block)  # two forms stacked in one sheet
            else:
                sheets.append([block])
        path = folder / f"单位{i // 100:03d}" / f"自评_{i:05d}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        book = xlsxwriter.Workbook(
            str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "in_memory": True}
        )
        fmt = _Formats(book)
        for k, stacked in enumerate(sheets, 1):
            ws = book.add_worksheet(f"自评表{k}")
            ws.set_column(0, 1, 14)
            ws.set_column(2, 2, 28)
            ws.set_column(3, 10, 14)
            top = 0
            for block in stacked:
                _write_block(ws, fmt, block, top, style)
                top += len(block) + 1
        book.close()
        paths.append(path)
    return paths


class _Formats:
    def __init__(self, book) -> None:
        self.two = book.add_format({"num_format": "0.00"})
        self.whole = book.add_format({"num_format": "0"})
        self.percent = book.add_format({"num_format": "0.00%"})
        self.title = book.add_format({"bold": True, "align": "center"})
        self.merged = book.add_format({"valign": "vcenter"})


def _write_block(ws, fmt: _Formats, block: Block, top: int, style: str) -> None:
    numbers = make_examples.numeric_cells(block)
    clerk = style == "clerk"
    typed: dict[tuple[int, int], tuple[float, object]] = {}
    if clerk:
        typed = _clerk_cells(block, fmt)
    merges = _merges(block) if clerk else {}
    covered = {cell for (r, c), (r2, c2) in merges.items() for cell in _span(r, c, r2, c2)}
    for r, row in enumerate(block):
        for c, text in enumerate(row):
            if (r, c) in merges:
                r2, c2 = merges[r, c]
                ws.merge_range(top + r, c, top + r2, c2, text, fmt.title if r == 0 else fmt.merged)
                continue
            if not text or (r, c) in covered:
                continue
            if (r, c) in typed:
                value, cell_fmt = typed[r, c]
                ws.write_number(top + r, c, value, cell_fmt)
            elif (r, c) in numbers:
                ws.write_number(top + r, c, float(text), fmt.two if "." in text else fmt.whole)
            else:
                ws.write_string(top + r, c, text)


def _span(r: int, c: int, r2: int, c2: int) -> list[tuple[int, int]]:
    return [(rr, cc) for rr in range(r, r2 + 1) for cc in range(c, c2 + 1) if (rr, cc) != (r, c)]


def _merges(block: Block) -> dict[tuple[int, int], tuple[int, int]]:
    """Title across the form's width; 一级指标 and 二级指标 cells down their blank continuation rows."""
    width = max(len(row) for row in block)
    first = next(c for c, cell in enumerate(block[0]) if cell.strip())
    merges = {(0, first): (0, width - 1)}
    header = _find(block, labels.LEVEL1)
    if not header:
        return merges
    hr, c1 = header
    for c in (c1, c1 + 1):  # 一级指标, 二级指标
        r = hr + 1
        while r < len(block):
            if c < len(block[r]) and block[r][c].strip():
                end = r
                while (
                    end + 1 < len(block)
                    and len(block[end + 1]) > c + 2
                    and not block[end + 1][c].strip()
                    and block[end + 1][c + 2 - (c - c1)].strip()  # the row has an indicator name
                ):
                    end += 1
                if end > r:
                    merges[(r, c)] = (end, c)
                r = end + 1
            else:
                r += 1
    return merges


def _clerk_cells(block: Block, fmt: _Formats) -> dict[tuple[int, int], tuple[float, object]]:
    """What a clerk types as numbers: stated 执行率 as percent-formatted fractions, plain targets and
    actuals as numbers, percentages as percent-formatted fractions."""
    typed: dict[tuple[int, int], tuple[float, object]] = {}
    funds, goals = _find(block, labels.FUNDS), _find(block, labels.GOALS)
    if funds and goals:
        rate_c = next((c for c, cell in enumerate(block[funds[0]]) if cell.strip() == "执行率"), None)
        for r in range(funds[0] + 1, goals[0]):
            row = block[r]
            label = next((c for c, cell in enumerate(row) if cell.strip()), None)
            if label is None or rate_c is None:
                continue
            c = label + 5  # values follow the label: 年初, 全年预算, 全年执行, 分数, 执行率
            if c < len(row) and make_examples._NUMBER.match(row[c].strip()):
                typed[r, c] = (float(Decimal(row[c]) / 100), fmt.percent)
    header = _find(block, labels.LEVEL1)
    if header:
        hr = header[0]
        cols = [c for c, cell in enumerate(block[hr]) if cell.strip() in (labels.TARGET, labels.ACTUAL)]
        for r in range(hr + 1, len(block)):
            for c in cols:
                text = block[r][c].strip() if c < len(block[r]) else ""
                m = _FIGURE.match(text)
                if not m:
                    continue  # an operator, words, or nothing: stays text
                number, unit = Decimal(m.group(1)), m.group(2)
                if unit in _PERCENT_UNITS:
                    typed[r, c] = (float(number / 100), fmt.percent)
                else:
                    typed[r, c] = (float(number), fmt.two if "." in m.group(1) else fmt.whole)
    return typed

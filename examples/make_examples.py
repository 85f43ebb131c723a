"""Build the bundled example workbooks (``examples/forms/*.xlsx``) from the seed's text export.

The seed export (``examples/seed_forms_2023.txt``) holds four published forms as tab-separated rows,
each with its own column offsets. This script lays every form out in a worksheet exactly as the export
has it (same rows, same columns), with money, 分值 and 得分 cells as numbers shown with two decimals,
and everything else as text. It is also the generator the benchmark uses to make many varied workbooks
(:func:`vary`, :func:`write_workbook`).

    python examples/make_examples.py            # rewrites examples/forms/
"""

from __future__ import annotations

import random
import re
import sys
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from perfeval_xl import labels  # noqa: E402

SEED = HERE / "seed_forms_2023.txt"
FORMS_DIR = HERE / "forms"

_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")

Block = list[list[str]]  # one form: rows of cell texts


def seed_blocks(path: Path = SEED) -> list[Block]:
    """The forms of a tab-separated export, each as its rows (from its title row to its 评分等级 row)."""
    rows = [line.rstrip("\r\n").split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    blocks: list[Block] = []
    for row in rows:
        first = next((c.strip() for c in row if c.strip()), "")
        if first in labels.TITLES:
            blocks.append([])
        if blocks:
            blocks[-1].append(list(row))
    for block in blocks:  # drop trailing blank rows
        while block and not any(c.strip() for c in block[-1]):
            block.pop()
    return blocks


def _find(block: Block, text: str, start: int = 0) -> tuple[int, int] | None:
    for r in range(start, len(block)):
        for c, cell in enumerate(block[r]):
            if cell.strip().startswith(text):
                return r, c
    return None


def numeric_cells(block: Block) -> set[tuple[int, int]]:
    """Cells a spreadsheet would hold as numbers: fund amounts/rates/scores, 分值 and 得分."""
    cells: set[tuple[int, int]] = set()
    funds = _find(block, labels.FUNDS)
    goals = _find(block, labels.GOALS)
    if funds and goals:
        for r in range(funds[0] + 1, goals[0]):
            for c, cell in enumerate(block[r]):
                if _NUMBER.match(cell.strip()):
                    cells.add((r, c))
    header = _find(block, labels.LEVEL1)
    if header:
        hr = header[0]
        cols = [c for c, cell in enumerate(block[hr]) if cell.strip() in (labels.POINTS, labels.SCORE)]
        for r in range(hr + 1, len(block)):
            for c in cols:
                if c < len(block[r]) and _NUMBER.match(block[r][c].strip()):
                    cells.add((r, c))
    return cells


def _trunc2(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_DOWN)


DEPARTMENTS = (
    "上海市经济和信息化委员会",
    "上海市财政局",
    "上海市教育委员会",
    "上海市卫生健康委员会",
    "上海市科学技术委员会",
    "上海市生态环境局",
)


def vary(block: Block, rng: random.Random, serial: int) -> Block:
    """A copy of a seed form with another project name, department and spending.

    The stated 执行率, 得分, 总分 and 评分等级 are restated consistently (Shanghai truncation) so that the
    varied form is a plausible filled form, not a pile of mismatches.
    """
    out = [list(row) for row in block]
    name_at = _find(out, labels.PROJECT)
    dept_at = _find(out, labels.DEPARTMENT)
    if name_at:
        r, c = name_at
        value_c = next(i for i in range(c + 1, len(out[r])) if out[r][i].strip())
        out[r][value_c] = f"{out[r][value_c]}（第{serial}号）"
    if dept_at:
        r, c = dept_at
        value_c = next(i for i in range(c + 1, len(out[r])) if out[r][i].strip())
        out[r][value_c] = rng.choice(DEPARTMENTS)
    total_at = _find(out, labels.FUND_TOTAL)
    if total_at is None:
        return out
    fraction = Decimal(rng.choice((100, 100, 98, 95, 91, 85, 72, 55, 40))) / 100
    budget_score = old = None
    # Values follow the row label: 年初预算数, 全年预算数, 全年执行数, 分数, 执行率, 得分 (the header row
    # above may be offset by merged cells, so positions are taken from the label, not the header).
    for r in (total_at[0], total_at[0] + 1):  # 年度资金总额 and 其中：当年财政拨款
        row = out[r]
        c = total_at[1]
        annual = Decimal(row[c + 2])
        executed = _trunc2(annual * fraction)
        row[c + 3] = f"{executed:.2f}"
        rate = _trunc2(executed / annual * 100) if annual else Decimal("0.00")
        row[c + 5] = f"{rate:.2f}"
        if r == total_at[0]:
            budget_score = min(_trunc2(rate / 100 * 10), Decimal(10))
            old = Decimal(row[c + 6])
            row[c + 6] = f"{budget_score:.2f}"
    ind = _find(out, labels.LEVEL1)
    grade_at = _find(out, labels.GRADE)
    if ind and grade_at and budget_score is not None:
        score_c = [c for c, cell in enumerate(out[ind[0]]) if cell.strip() == labels.SCORE][0]
        total_row = out[grade_at[0] - 1]
        total = Decimal(total_row[score_c]) - old + budget_score
        total_row[score_c] = f"{total:.2f}"
        grade = "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"
        gr = out[grade_at[0]]
        gc = next(i for i in range(grade_at[1] + 1, len(gr)) if gr[i].strip() in labels.GRADES)
        gr[gc] = grade
    return out


def write_workbook(path: Path, sheets: list[tuple[str, list[Block]]]) -> None:
    """Write sheets of forms (several forms in one sheet are stacked with a blank row between)."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    two = book.add_format({"num_format": "0.00"})
    whole = book.add_format({"num_format": "0"})
    for name, blocks in sheets:
        ws = book.add_worksheet(name)
        ws.set_column(0, 1, 14)
        ws.set_column(2, 2, 28)
        ws.set_column(3, 10, 14)
        top = 0
        for block in blocks:
            numbers = numeric_cells(block)
            for r, row in enumerate(block):
                for c, text in enumerate(row):
                    if not text:
                        continue
                    if (r, c) in numbers:
                        ws.write_number(top + r, c, float(text), two if "." in text else whole)
                    else:
                        ws.write_string(top + r, c, text)
            top += len(block) + 1
    book.close()


def main() -> None:
    blocks = seed_blocks()
    FORMS_DIR.mkdir(parents=True, exist_ok=True)
    for old in FORMS_DIR.glob("*.xlsx"):
        old.unlink()
    # One form per sheet, named after the project.
    write_workbook(
        FORMS_DIR / "2023_中小企业发展服务中心_一.xlsx",
        [("企业服务专项", [blocks[0]]), ("信息化建设项目", [blocks[1]])],
    )
    # Two forms stacked in one sheet.
    write_workbook(FORMS_DIR / "2023_中小企业发展服务中心_二.xlsx", [("自评表", [blocks[2], blocks[3]])])
    for p in sorted(FORMS_DIR.glob("*.xlsx")):
        print(p.relative_to(ROOT), p.stat().st_size, "bytes")


if __name__ == "__main__":
    main()

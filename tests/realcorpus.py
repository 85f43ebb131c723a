"""The corpus of real published forms (``tests/data/real``) and its clerk-typed xlsx copies.

Each form is a pair of files: ``<stem>.tsv``, the form transcribed as published (one line per table row,
tab-separated cells, a merged cell as its text in its top-left cell and empty cells for the rest), and
``<stem>.json``, where it was published and the numbers it states.

``clerk_xlsx`` turns a corpus TSV into the workbook a clerk would have typed: numbers as numbers (with the
decimals they were printed with), stated rates such as ``86.19%`` as 0.8619 in a percent-formatted cell,
everything else (``4753.66万元``, ``≥50个``, ``—``, ``=100%``) as text, never a formula; merged cells for
the title rows, the block labels and 一级/二级指标 cells over the blank cells below them, and for text
cells over the blank cells after them in header and goal rows; column widths to fit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

REAL = Path(__file__).parent / "data" / "real"

#: Keys every JSON sidecar must have.
SIDECAR_KEYS = (
    "source",
    "province",
    "region",
    "publisher",
    "year",
    "kind",
    "title",
    "money_unit",
    "published",
    "rounding_observed",
    "notes",
)
KINDS = ("project", "department", "transfer")
ROUNDINGS = ("truncate", "half-up", "whole-number", "unknown")

_NUMBER = re.compile(r"-?(?:0|[1-9]\d{0,14})(?:\.(\d+))?")
_GROUPED = re.compile(r"-?[1-9]\d{0,2}(?:,\d{3})+(?:\.(\d+))?")
_PERCENT = re.compile(r"(-?(?:0|[1-9]\d{0,5})(?:\.(\d+))?)%")

# Labels that open a block whose rows carry their own labels one column to the right.
_HEADER_WORDS = (
    "项目名称",
    "专项名称",
    "部门名称",
    "主管部门",
    "实施单位",
    "项目资金",
    "资金情况",
    "预算资金",
)
_FUNDS_HEADER_WORDS = ("年初预算", "全年预算数", "调整后预算数", "预算数(A)", "年度金额")
_INDICATOR_HEADER = ("一级指标", "一级\n指标")
_TOTAL_WORDS = ("总分", "合计", "得分合计", "总计")
_SUBHEADINGS = ("指标性质", "度量单位")


@dataclass
class Typed:
    """How a clerk types one TSV cell: its value and number format (``None`` for General)."""

    value: object
    number_format: str | None = None

    @property
    def is_percent(self) -> bool:
        return bool(self.number_format and self.number_format.endswith("%"))


def _decimals_format(decimals: str | None, grouped: bool = False) -> str | None:
    base = "#,##0" if grouped else "0"
    if decimals:
        return f"{base}.{'0' * len(decimals)}"
    return "#,##0" if grouped else None


def typed(text: str) -> Typed | None:
    """The value a clerk types for ``text`` (``None`` for an empty cell)."""
    text = text.strip()
    if not text:
        return None
    if m := _NUMBER.fullmatch(text):
        number = Decimal(text)
        value = int(number) if m.group(1) is None else float(number)
        return Typed(value, _decimals_format(m.group(1)))
    if m := _GROUPED.fullmatch(text):
        plain = text.replace(",", "")
        value = int(plain) if m.group(1) is None else float(Decimal(plain))
        return Typed(value, _decimals_format(m.group(1), grouped=True))
    if m := _PERCENT.fullmatch(text):
        decimals = m.group(2) or ""
        return Typed(
            float(Decimal(m.group(1)) / 100), "0" + ("." + "0" * len(decimals) if decimals else "") + "%"
        )
    return Typed(text)


def read_tsv(path: Path) -> list[list[str]]:
    """The TSV's rows, each padded to the table width."""
    rows = [line.rstrip("\r").split("\t") for line in path.read_text(encoding="utf-8").split("\n")]
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


@dataclass
class Plan:
    """What ``clerk_xlsx`` writes: the rows and the merged ranges as (row, col, last_row, last_col), 0-based."""

    rows: list[list[str]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0


def _filled(row: list[str]) -> list[int]:
    return [i for i, c in enumerate(row) if c.strip()]


def _has(row: list[str], words) -> bool:
    return any(any(w in c for w in words) for c in row)


def _is_total(row: list[str]) -> bool:
    return any(c.strip().replace(" ", "") in _TOTAL_WORDS for c in row)


def plan(rows: list[list[str]]) -> Plan:
    """The merged ranges a clerk's workbook of ``rows`` has; never over a non-empty cell."""
    p = Plan(rows)
    width, taken = p.width, set()

    def merge(r0: int, c0: int, r1: int, c1: int) -> None:
        cells = {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        if (r0, c0) == (r1, c1) or cells & taken:
            return
        if any(rows[r][c].strip() for r, c in cells - {(r0, c0)}):
            raise AssertionError(f"merge over a filled cell at row {r0 + 1}")
        taken.update(cells)
        p.merges.append((r0, c0, r1, c1))

    first_header = next((i for i, r in enumerate(rows) if _has(r, _HEADER_WORDS)), len(rows))
    # Title rows: one text before the header fields, across the table.
    for i in range(first_header):
        if _filled(rows[i]) == [0]:
            merge(i, 0, i, width - 1)

    # Two-row indicator headers: a heading with sub-headings below it (年度指标值 over 指标性质 | 指标值 |
    # 度量单位) spans them; a heading with a blank cell below it (一级指标, 分值 …) spans both rows.
    for s_, sub in enumerate(rows):
        if s_ == 0 or "指标性质" not in sub:
            continue
        head = rows[s_ - 1]
        if "指标值" not in head[sub.index("指标性质")]:
            continue  # a one-row header: 指标性质 sits beside 一级指标, not under a heading
        filled = _filled(head)
        for k, c in enumerate(filled):
            nxt = filled[k + 1] if k + 1 < len(filled) else width
            if sub[c].strip():
                merge(s_ - 1, c, s_ - 1, nxt - 1)
            else:
                merge(s_ - 1, c, s_, c)

    # Indicator block: 一级 and 二级 cells over the blank cells below them, while the rows below are
    # indicator rows (their 一级, 二级 or 三级 cell is filled: an unlabelled totals row is not). In a
    # scorecard (一级指标 | 分值 | 二级指标 | 分值 | 三级指标 …, hainan_01) each level's 分值 cell spans
    # the same rows as its label.
    body_rows: set[int] = set()
    for h, row in enumerate(rows):
        cols = [i for i, c in enumerate(row) if c.strip().replace("\n", "") in ("一级指标", "二级指标")]
        if len(cols) != 2:
            continue
        lvl1, lvl2 = cols
        if lvl2 == lvl1 + 1:
            lvl3 = lvl2 + 1
            spans: tuple[tuple[int, tuple[int, ...]], ...] = ((lvl1, ()), (lvl2, (lvl1,)))
        elif (
            lvl2 == lvl1 + 2 and lvl2 + 1 < width and row[lvl1 + 1].strip() == row[lvl2 + 1].strip() == "分值"
        ):
            lvl3 = lvl2 + 2
            spans = ((lvl1, ()), (lvl1 + 1, (lvl1,)), (lvl2, (lvl1,)), (lvl2 + 1, (lvl1, lvl2)))
        else:
            continue
        if lvl3 >= width:
            continue
        body = h + 1
        # A two-row header: the row below holds sub-headings (指标性质 | 指标值 | 度量单位).
        if body < len(rows) and _has(rows[body], _SUBHEADINGS):
            body += 1
        end = body
        while (
            end < len(rows)
            and not _is_total(rows[end])
            and not _has(rows[end], _INDICATOR_HEADER)
            and _filled(rows[end][lvl1 : lvl3 + 1])
        ):
            end += 1
        body_rows.update(range(body, end))
        level2_spans: list[tuple[int, int]] = []
        for col, bounds in spans:
            r = body
            while r < end:
                if not rows[r][col].strip():
                    r += 1
                    continue
                last = r
                while (
                    last + 1 < end
                    and not rows[last + 1][col].strip()
                    and not any(rows[last + 1][b].strip() for b in bounds)
                ):
                    last += 1
                merge(r, col, last, col)
                if col == lvl2:
                    level2_spans.append((r, last))
                r = last + 1
        # A table without a 分值 column may state one 得分 over several rows of a 二级指标 (hubei_01): as
        # with the 一级/二级 cells, a 得分 cell (or a 二级指标's first, blank) spans the blank 得分 cells
        # below it within its 二级指标, the transcription's way of writing a merged cell.
        heads = [c.strip().replace("\n", "") for c in row]
        score_cols = [i for i, c in enumerate(heads) if c.startswith("得分")]
        if len(score_cols) == 1 and not any(c.startswith("分值") for c in heads):
            cs = score_cols[0]
            for first, end_row in level2_spans:
                r = first
                while r <= end_row:
                    last = r
                    while last < end_row and not rows[last + 1][cs].strip():
                        last += 1
                    merge(r, cs, last, cs)
                    r = last + 1

    # Funds rows: from a funds column-header row to the next row with a label in the first column.
    funds_rows: set[int] = set()
    for h, row in enumerate(rows):
        if _has(row, _FUNDS_HEADER_WORDS):
            r = h + 1
            while r < len(rows) and not rows[r][0].strip():
                funds_rows.add(r)
                r += 1

    # Block labels in the first column (项目资金, 年度总体目标, 绩效指标(90分) …) over the blank first cells
    # below them, up to the next label in that column or a totals row.
    for r, row in enumerate(rows):
        if r < first_header or r in body_rows or not row[0].strip() or (r, 0) in taken or width < 2:
            continue
        last = r
        while last + 1 < len(rows):
            nxt = rows[last + 1]
            if nxt[0].strip() or (last + 1, 0) in taken or _is_total(nxt) or not _filled(nxt):
                break
            last += 1
        merge(r, 0, last, 0)

    # Header, goal and conclusion rows (no numbers, not a column-header, funds or indicator row): a text
    # over the blank cells after it. In a totals row, the 总分/合计 label over the blank cells after it.
    for r, row in enumerate(rows):
        if r < first_header or r in body_rows or r in funds_rows:
            continue
        if _has(row, _FUNDS_HEADER_WORDS + _INDICATOR_HEADER + _SUBHEADINGS):
            continue
        filled = _filled(row)
        total = _is_total(row)
        if not total and any(not isinstance(t.value, str) for t in map(typed, row) if t is not None):
            continue
        for k, c in enumerate(filled):
            if total and row[c].strip().replace(" ", "") not in _TOTAL_WORDS:
                continue
            nxt = filled[k + 1] if k + 1 < len(filled) else width
            if nxt - 1 > c and all((r, x) not in taken for x in range(c, nxt)):
                merge(r, c, r, nxt - 1)
    return p


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def clerk_xlsx(tsv_path: Path | str, xlsx_path: Path | str) -> Plan:
    """Write the form in ``tsv_path`` as a clerk-typed workbook at ``xlsx_path``; returns what was written."""
    tsv_path, xlsx_path = Path(tsv_path), Path(xlsx_path)
    p = plan(read_tsv(tsv_path))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    widths = [6] * p.width
    for r, row in enumerate(p.rows, start=1):
        for c, text in enumerate(row, start=1):
            t = typed(text)
            if t is None:
                continue
            cell = ws.cell(row=r, column=c)
            cell.value = t.value
            if isinstance(t.value, str):
                cell.data_type = "s"  # "=100%" is a target as typed, never a formula
                if len(t.value) > 30 or "\n" in t.value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            if t.number_format:
                cell.number_format = t.number_format
            widths[c - 1] = max(widths[c - 1], min(40, _display_width(text.strip()) + 2))
    for r0, c0, r1, c1 in p.merges:
        ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    wb.save(xlsx_path)
    return p


def forms() -> list[Path]:
    """The corpus TSVs, sorted."""
    return sorted(REAL.glob("*.tsv"))


def truncated(tsv: Path) -> bool:
    """Whether the stored copy of the form ends before the form does (sidecar ``"truncated": true``)."""
    return bool(sidecar(tsv).get("truncated", False))


def sidecar(tsv: Path) -> dict:
    return json.loads(tsv.with_suffix(".json").read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    """``python tests/realcorpus.py OUTDIR``: every corpus form as a clerk-typed workbook in OUTDIR."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python tests/realcorpus.py OUTDIR", file=sys.stderr)
        return 2
    out = Path(args[0])
    out.mkdir(parents=True, exist_ok=True)
    for tsv in forms():
        clerk_xlsx(tsv, out / f"{tsv.stem}.xlsx")
    print(f"{len(forms())} workbooks in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

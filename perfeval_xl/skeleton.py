"""The summary workbook's skeleton: every part of the xlsx except the big tables' data rows.

The parts are few and of a fixed shape -- workbook, styles, theme, document properties, one sheet per
table (column widths and formats, the header row, frozen header, autofilter, print setup, conditional
formats), the department sheet's small tables and its two charts -- so they are written here as text,
directly, instead of through a general spreadsheet library (whose import and object model cost more
than everything else a small batch does in the parent process). The XML is the one XlsxWriter wrote for
the same workbook before, part for part (``tests/test_skeleton.py`` compares them), so the workbook
opens, prints and looks exactly as it did. This module writes the sheets (and the department sheet's
charts), :mod:`perfeval_xl.skeleton_book` the workbook-wide parts. :func:`parts` returns the members;
:mod:`perfeval_xl.summary` streams the data rows into the table sheets
(:func:`perfeval_xl.xlsxstream.assemble`). Standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from . import columns as C
from . import labels
from .cellgrid import column_letter
from .columns import STREAMED, Table
from .safeout import xml_escape, xml_text
from .skeleton_book import DOC_REL, HEAD, MAIN, Book, cell_range, quoted

#: the tables streamed into their own sheets, in sheet order after 汇总/按主管部门
TABLES: dict[str, Table] = {key: C.TABLES[key] for key in STREAMED}

#: cell style (``s``) of each column kind; the streamed rows use the same indices (styles.xml below)
CELL_STYLES = {"money": 2, "two": 3, "int": 4, "text": 5}
_HEADER, _BOLD = 1, 6

#: 执行率 below this (percent) is highlighted
LOW_RATE = 60
MAX_TEXT = 32_767  # Excel's limit per cell

#: conditional formats' looks (dxf), numbered in the order of their first use in a workbook
_BAD = '<dxf><font><color rgb="FF9C0006"/></font><fill><patternFill><bgColor rgb="FFFFC7CE"/></patternFill></fill></dxf>'
_LOW = '<dxf><font><color rgb="FF9C5700"/></font><fill><patternFill><bgColor rgb="FFFFEB9C"/></patternFill></fill></dxf>'
_DIFF = '<dxf><fill><patternFill><bgColor rgb="FFFCE4D6"/></patternFill></fill></dxf>'

#: two charts side by side below the department tables: 480 × 288 px scaled by 0.7 × 0.8
_CHART_WIDTH, _CHART_HEIGHT = int(0.5 + 480 * 0.7), int(0.5 + 288 * 0.8)
_CHART_GAP = 345  # the second chart's left edge, in pixels from column A
_CHART_ROWS = 13  # rows the charts cover (0.8 × 288 px at 20 px a row), printed with them
_ROW_PX = 20  # the default row height (15 pt) in pixels
_COL_PX = 64  # the default column width in pixels

_SELECTED = ' tabSelected="1"'


def parts(
    profile: str, counts: dict[str, list[int]], departments: Sequence[tuple], buckets: Sequence[tuple]
) -> tuple[list[tuple[str, bytes]], dict[str, tuple[str, int]]]:
    """The workbook's zip members ``(name, xml)`` without the big tables' data rows, and which
    member is which table's sheet: member name -> (table key, part number). ``counts[key]`` holds the
    data rows of each part (sheet) of a streamed table (several beyond Excel's row limit)."""
    book = Book()
    streamed: dict[str, list[_Sheet]] = {}
    for key, table in TABLES.items():
        if key == "indicators":
            _departments(book, departments, buckets)
        streamed[key] = _table_sheets(book, table, counts[key] or [0])
    _highlight_forms(book, streamed["forms"])
    _highlight_mismatch(book, streamed["indicators"], C.INDICATORS, labels.SCORE, C.STATED_SCORE)
    if sum(counts["findings"]):
        col = C.FINDINGS.index(C.SEVERITY)
        for sheet in streamed["findings"]:
            sheet.conditional(book, col, '<cfRule type="cellIs" dxfId="{dxf}" priority="{priority}" '
                              'operator="equal"><formula>"错误"</formula></cfRule>', _BAD)  # fmt: skip
    targets = {}
    for key, sheets in streamed.items():
        for k, sheet in enumerate(sheets):
            targets[f"xl/worksheets/sheet{book.sheets.index(sheet) + 1}.xml"] = (key, k)
    return book.members(profile), targets


def _count_axis(largest: int) -> dict:
    """A chart axis that counts projects: whole numbers, a step of 1, 2 or 5 × 10ⁿ, about six steps."""
    step, k = 1, 0
    while largest > step * 6:
        k += 1
        step = (1, 2, 5)[k % 3] * 10 ** (k // 3)
    return {"name": "项目数", "min": 0, "major_unit": step, "num_format": "0"}


# ----------------------------------------------------------------------------------------- the sheets


class _Sheet:
    """One worksheet: its cells (by row), widths and styles, conditional formats, print area."""

    def __init__(self, book: Book, name: str, table: Table, n_rows: int):
        self.name = name
        self.ref = quoted(name)
        self.table = table
        self.n_rows = n_rows
        self.styles = [CELL_STYLES[c.kind] for c in table.columns]
        self.rows: dict[int, dict[int, str]] = {}
        self.formats: list[str] = []  # <conditionalFormatting> elements
        self.print_rows = max(n_rows, 1)  # the print area: A1 to the last printed column, this row
        self.print_cols = table.printed
        self.charts: list[str] = []  # chart XML parts drawn on this sheet
        self.chart_row = 0  # the row the charts' top edge is on
        self.book = book
        book.sheets.append(self)

    def text(self, r: int, c: int, value: str, style: int | None = None) -> None:
        s = self.styles[c] if style is None else style
        if s == _BOLD:
            self.book.bold = True
        self.rows.setdefault(r, {})[c] = (
            f'<c r="{column_letter(c)}{r + 1}" s="{s}" t="s"><v>{self.book.string(value)}</v></c>'
        )

    def number(self, r: int, c: int, value: float, style: int | None = None) -> None:
        s = self.styles[c] if style is None else style
        self.rows.setdefault(r, {})[c] = f'<c r="{column_letter(c)}{r + 1}" s="{s}"><v>{value:.16G}</v></c>'

    def cell(self, r: int, c: int, v: Any) -> None:
        """A value of a row tuple: text as text, numbers as numbers, nothing for blanks."""
        if v is None:
            return
        if isinstance(v, str):
            if v:
                self.text(r, c, xml_text(v[:MAX_TEXT]))
            return
        if isinstance(v, bool):
            self.rows.setdefault(r, {})[c] = (
                f'<c r="{column_letter(c)}{r + 1}" s="{self.styles[c]}" t="b"><v>{int(v)}</v></c>'
            )
            return
        if isinstance(v, (int, float, Decimal)) or hasattr(v, "item"):
            x = float(v)
            if not (math.isnan(x) or math.isinf(x)):
                self.number(r, c, x)
            return
        self.text(r, c, xml_text(str(v)[:MAX_TEXT]))

    def conditional(self, book: Book, col: int, rule: str, look: str) -> None:
        """A conditional format on the data rows of column ``col``; ``rule`` has ``{dxf}`` and
        ``{priority}`` to fill in."""
        rule = rule.format(dxf=book.dxf(look), priority=len(self.formats) + 1)
        self.formats.append(
            f'<conditionalFormatting sqref="{cell_range(1, col, self.n_rows, col)}">{rule}</conditionalFormatting>'
        )

    def xml(self, selected: bool, drawing: bool) -> str:
        cells = self.rows
        last_row = max(cells)
        last_col = max(max(row) for row in cells.values())
        out = [
            HEAD,
            f'<worksheet xmlns="{MAIN}" xmlns:r="{DOC_REL}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
            f'<dimension ref="{cell_range(0, 0, last_row, last_col)}"/>',
            f'<sheetViews><sheetView{_SELECTED if selected else ""} workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>',
        ]
        widths = [(c.width, s) for c, s in zip(self.table.columns, self.styles, strict=True)]
        first = 0
        for i, (width, style) in enumerate(widths):  # neighbours alike share one <col>
            if i + 1 < len(widths) and widths[i + 1] == (width, style):
                continue
            chars = ((int(width * 7 + 0.5) + 5) * 256 // 7) / 256
            out.append(
                f'<col min="{first + 1}" max="{i + 1}" width="{chars:.16g}" style="{style}" customWidth="1"/>'
            )
            first = i + 1
        out.append("</cols><sheetData>")
        spans = _spans(cells)
        for r in sorted(cells):
            height = ' ht="30" customHeight="1"' if r == 0 else ""
            row = cells[r]
            out.append(f'<row r="{r + 1}" spans="{spans[r // 16]}"{height}>')
            out.extend(row[c] for c in sorted(row))
            out.append("</row>")
        out.append(f'</sheetData><autoFilter ref="{self.filter_range(False)}"/>')
        out.extend(self.formats)
        out.append(
            '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
            '<pageSetup paperSize="9" fitToHeight="0" orientation="landscape"/>'
            "<headerFooter><oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter>"
        )
        if drawing:
            out.append('<drawing r:id="rId1"/>')
        out.append("</worksheet>")
        return "".join(out)

    def drawing(self) -> str:
        """The two charts' anchors: side by side from the row below the tables."""
        widths = [int(c.width * 7 + 0.5) + 5 for c in self.table.columns]
        anchors = []
        for i, x in enumerate((0, _CHART_GAP)):
            c1, x1 = _locate(widths, 0, x)
            c2, x2 = _locate(widths, c1, x1 + _CHART_WIDTH)
            r2, y2 = divmod(_CHART_HEIGHT, _ROW_PX)
            r1, r2 = self.chart_row, self.chart_row + r2
            anchors.append(
                f"<xdr:twoCellAnchor><xdr:from><xdr:col>{c1}</xdr:col><xdr:colOff>{x1 * 9525}</xdr:colOff>"
                f"<xdr:row>{r1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>{c2}</xdr:col>"
                f"<xdr:colOff>{x2 * 9525}</xdr:colOff><xdr:row>{r2}</xdr:row><xdr:rowOff>{y2 * 9525}</xdr:rowOff>"
                f'</xdr:to><xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{i + 2}" '
                f'name="Chart {i + 1}"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/>'
                '<a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic><a:graphicData '
                'uri="http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart '
                f'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" xmlns:r="{DOC_REL}" '
                f'r:id="rId{i + 1}"/></a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/>'
                "</xdr:twoCellAnchor>"
            )
        return (
            f'{HEAD}<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
            f'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">{"".join(anchors)}</xdr:wsDr>'
        )

    def defined_names(self, index: int) -> list[tuple[str, int, str]]:
        """Its autofilter range, print area and print titles: (name, sheet index, formula)."""
        area = cell_range(0, 0, self.print_rows, self.print_cols - 1, True)
        return [
            ("_xlnm._FilterDatabase", index, f"{self.ref}!{self.filter_range()}"),
            ("_xlnm.Print_Area", index, f"{self.ref}!{area}"),
            ("_xlnm.Print_Titles", index, f"{self.ref}!$1:$1"),
        ]

    def filter_range(self, absolute: bool = True) -> str:
        return cell_range(0, 0, max(self.n_rows, 1), len(self.table.columns) - 1, absolute)


def _table_sheets(book: Book, table: Table, counts: Sequence[int]) -> list[_Sheet]:
    """A table sheet per part (名称, 名称（2）, … beyond Excel's row limit): header row, widths, column
    formats, frozen header, autofilter over ``counts[k]`` data rows, the printed columns as the print
    area. Printed, a table sheet is A4 landscape, its printed columns one page wide (the technical
    columns after them stay on screen only), its header row on every page, wrapped text."""
    sheets = []
    for k, n in enumerate(counts, 1):
        sheet = _Sheet(book, table.sheet if k == 1 else f"{table.sheet}（{k}）", table, n)
        for c, col in enumerate(table.columns):
            sheet.text(0, c, col.name, _HEADER)
        sheets.append(sheet)
    return sheets


def _highlight_forms(book: Book, sheets: list[_Sheet]) -> None:
    if not sum(s.n_rows for s in sheets):
        return
    forms = C.FORMS
    g = forms.index(C.GRADE)
    rate = forms.index(C.RATE)
    for sheet in sheets:
        sheet.conditional(book, g, '<cfRule type="cellIs" dxfId="{dxf}" priority="{priority}" '
                          'operator="equal"><formula>"差"</formula></cfRule>', _BAD)  # fmt: skip
        sheet.conditional(book, rate, _low_rate(column_letter(rate)), _LOW)
    _highlight_mismatch(book, sheets, forms, C.TOTAL_SCORE, C.STATED_TOTAL)
    _highlight_mismatch(book, sheets, forms, C.GRADE, C.STATED_GRADE, text=True)


def _low_rate(letter: str) -> str:
    return (
        '<cfRule type="expression" dxfId="{dxf}" priority="{priority}">'
        f"<formula>AND(ISNUMBER(${letter}2),${letter}2&lt;{LOW_RATE})</formula></cfRule>"
    )


def _highlight_mismatch(
    book: Book, sheets: list[_Sheet], table: Table, computed: str, stated: str, text: bool = False
) -> None:
    """Mark a stated value that differs from the computed one."""
    if not sum(s.n_rows for s in sheets):
        return
    a = column_letter(table.index(computed))
    b = table.index(stated)
    bl = column_letter(b)
    present = f'${bl}2<>""' if text else f"ISNUMBER(${bl}2)"
    formula = xml_escape(f"AND({present},${bl}2<>${a}2)")
    rule = f'<cfRule type="expression" dxfId="{{dxf}}" priority="{{priority}}"><formula>{formula}</formula></cfRule>'
    for sheet in sheets:
        sheet.conditional(book, b, rule, _DIFF)


def _departments(book: Book, depts: Sequence[tuple], buckets: Sequence[tuple]) -> None:
    """按主管部门: the department table, the execution-rate distribution below it, and the two charts
    (grades of all departments, execution-rate distribution) below both, inside the printed page."""
    table = C.DEPARTMENTS
    ws = _table_sheets(book, table, [len(depts)])[0]
    n = len(depts)
    for r, row in enumerate(depts, 1):
        for c, v in enumerate(row):
            ws.cell(r, c, v)
    if not n:
        return
    rate = table.index(C.RATE)
    ws.conditional(book, rate, _low_rate(column_letter(rate)), _LOW)
    bad = table.index(labels.GRADES[-1])
    ws.conditional(book, bad, '<cfRule type="cellIs" dxfId="{dxf}" priority="{priority}" '
                   'operator="greaterThan"><formula>0</formula></cfRule>', _BAD)  # fmt: skip

    top = n + 3
    ws.text(top, 0, "执行率分布", _BOLD)
    for c, col in enumerate(C.BUCKETS.columns):
        ws.text(top + 1, c, col.name, _HEADER)
    for i, row in enumerate(buckets):
        ws.text(top + 2 + i, 0, str(row[0]))
        ws.number(top + 2 + i, 1, float(row[1]), CELL_STYLES["int"])
    last_bucket = top + 1 + len(buckets)

    if depts[-1][0] != C.ALL_DEPARTMENTS:
        return
    total_row = n  # the 合计 row is the last data row
    g0, g1 = table.index(labels.GRADES[0]), table.index(labels.GRADES[-1])
    sheet = ws.ref
    grades = [f"{float(v):.16g}" for v in depts[-1][g0 : g1 + 1]]
    colours = ("70AD47", "5B9BD5", "FFC000", "C00000")
    points = "".join(
        f'<c:dPt><c:idx val="{i}"/><c:spPr><a:solidFill><a:srgbClr val="{colour}"/></a:solidFill></c:spPr></c:dPt>'
        for i, colour in enumerate(colours)
    )
    ws.charts.append(
        _chart(1, "评分等级分布", points,
               f"{sheet}!{cell_range(0, g0, 0, g1, True)}", table.names[g0 : g1 + 1],
               f"{sheet}!{cell_range(total_row, g0, total_row, g1, True)}", grades,
               _count_axis(max(depts[-1][2 : 2 + len(labels.GRADES)]))["major_unit"])
    )  # fmt: skip
    ws.charts.append(
        _chart(2, "执行率分布", '<c:spPr><a:solidFill><a:srgbClr val="5B9BD5"/></a:solidFill></c:spPr>',
               f"{sheet}!{cell_range(top + 2, 0, last_bucket, 0, True)}", [str(row[0]) for row in buckets],
               f"{sheet}!{cell_range(top + 2, 1, last_bucket, 1, True)}", [f"{float(row[1]):.16g}" for row in buckets],
               _count_axis(max(row[1] for row in buckets))["major_unit"])
    )  # fmt: skip
    ws.chart_row = last_bucket + 2
    ws.print_rows = ws.chart_row + _CHART_ROWS
    ws.print_cols = len(table.columns)


def _chart(n: int, title: str, fill: str, cat_ref: str, cats: Sequence[str], val_ref: str,
           vals: Sequence[str], step: int) -> str:  # fmt: skip
    """A column chart of one series (项目数), its values labelled, a whole-number value axis."""
    ax1, ax2 = (5000 + n) * 10000 + 1, (5000 + n) * 10000 + 2
    cat_pts = "".join(f'<c:pt idx="{i}"><c:v>{xml_escape(v)}</c:v></c:pt>' for i, v in enumerate(cats))
    val_pts = "".join(f'<c:pt idx="{i}"><c:v>{v}</c:v></c:pt>' for i, v in enumerate(vals))
    return (
        f'{HEAD}<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        f'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="{DOC_REL}">'
        f'<c:lang val="en-US"/><c:chart>{_chart_title(title)}<c:plotArea><c:layout/><c:barChart>'
        '<c:barDir val="col"/><c:grouping val="clustered"/><c:ser><c:idx val="0"/><c:order val="0"/>'
        f'<c:tx><c:v>项目数</c:v></c:tx>{fill}<c:dLbls><c:showVal val="1"/></c:dLbls>'
        f'<c:cat><c:strRef><c:f>{xml_escape(cat_ref)}</c:f><c:strCache><c:ptCount val="{len(cats)}"/>{cat_pts}'
        f"</c:strCache></c:strRef></c:cat><c:val><c:numRef><c:f>{xml_escape(val_ref)}</c:f><c:numCache>"
        f'<c:formatCode>General</c:formatCode><c:ptCount val="{len(vals)}"/>{val_pts}</c:numCache></c:numRef>'
        f'</c:val></c:ser><c:axId val="{ax1}"/><c:axId val="{ax2}"/></c:barChart>'
        f'<c:catAx><c:axId val="{ax1}"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:axPos val="b"/>'
        f'<c:tickLblPos val="nextTo"/><c:crossAx val="{ax2}"/><c:crosses val="autoZero"/><c:auto val="1"/>'
        '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/></c:catAx>'
        f'<c:valAx><c:axId val="{ax2}"/><c:scaling><c:orientation val="minMax"/><c:min val="0"/></c:scaling>'
        f'<c:axPos val="l"/><c:majorGridlines/>{_chart_title("项目数")}'
        '<c:numFmt formatCode="0" sourceLinked="0"/><c:tickLblPos val="nextTo"/>'
        f'<c:crossAx val="{ax1}"/><c:crosses val="autoZero"/><c:crossBetween val="between"/>'
        f'<c:majorUnit val="{step}"/></c:valAx></c:plotArea><c:plotVisOnly val="1"/></c:chart>'
        '<c:printSettings><c:headerFooter/><c:pageMargins b="0.75" l="0.7" r="0.7" t="0.75" header="0.3" '
        'footer="0.3"/><c:pageSetup/></c:printSettings></c:chartSpace>'
    )


def _chart_title(text: str) -> str:
    return (
        "<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr/></a:pPr>"
        f'<a:r><a:rPr lang="en-US"/><a:t>{xml_escape(text)}</a:t></a:r></a:p></c:rich></c:tx><c:layout/></c:title>'
    )


def _locate(widths: Sequence[int], col: int, x: int) -> tuple[int, int]:
    """The column ``x`` pixels right of column ``col``'s left edge falls in, and the offset in it."""
    while x >= (widths[col] if col < len(widths) else _COL_PX):
        x -= widths[col] if col < len(widths) else _COL_PX
        col += 1
    return col, x


def _spans(cells: dict[int, dict[int, str]]) -> dict[int, str]:
    """The ``spans`` of the rows in each block of 16: first and last column used in the block."""
    blocks: dict[int, tuple[int, int]] = {}
    for r, row in cells.items():
        lo, hi = min(row), max(row)
        b = r // 16
        if b in blocks:
            lo, hi = min(lo, blocks[b][0]), max(hi, blocks[b][1])
        blocks[b] = (lo, hi)
    return {b: f"{lo + 1}:{hi + 1}" for b, (lo, hi) in blocks.items()}

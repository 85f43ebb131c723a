"""The summary workbook's skeleton: every part of the xlsx except the big tables' data rows.

The parts are few and of a fixed shape -- workbook, styles, theme, document properties, one sheet per
table (column widths and formats, the header row, frozen header, autofilter, print setup, conditional
formats), the department sheet's small tables and its two charts -- so they are written here as text,
directly, instead of through a general spreadsheet library (whose import and object model cost more
than everything else a small batch does in the parent process). The XML is the one XlsxWriter wrote for
the same workbook before, part for part (``tests/test_skeleton.py`` compares them), so the workbook
opens, prints and looks exactly as it did. :func:`parts` returns the members; :mod:`perfeval_xl.summary`
streams the data rows into the table sheets (:func:`perfeval_xl.xlsxstream.assemble`). Standard library
only.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from . import columns as C
from . import labels
from .cellgrid import column_letter
from .columns import STREAMED, SUMMARY_TITLE, Table
from .safeout import xml_text
from .theme import THEME_XML

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
_HIDDEN = ' hidden="1"'
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument."


def parts(
    profile: str, counts: dict[str, list[int]], departments: Sequence[tuple], buckets: Sequence[tuple]
) -> tuple[list[tuple[str, bytes]], dict[str, tuple[str, int]]]:
    """The workbook's zip members ``(name, xml)`` without the big tables' data rows, and which
    member is which table's sheet: member name -> (table key, part number). ``counts[key]`` holds the
    data rows of each part (sheet) of a streamed table (several beyond Excel's row limit)."""
    book = _Book()
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

    def __init__(self, book: _Book, name: str, table: Table, n_rows: int):
        self.name = name
        self.ref = _quoted(name)
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

    def conditional(self, book: _Book, col: int, rule: str, look: str) -> None:
        """A conditional format on the data rows of column ``col``; ``rule`` has ``{dxf}`` and
        ``{priority}`` to fill in."""
        rule = rule.format(dxf=book.dxf(look), priority=len(self.formats) + 1)
        self.formats.append(
            f'<conditionalFormatting sqref="{_range(1, col, self.n_rows, col)}">{rule}</conditionalFormatting>'
        )

    def xml(self, selected: bool, drawing: bool) -> str:
        cells = self.rows
        last_row = max(cells)
        last_col = max(max(row) for row in cells.values())
        out = [
            _HEAD,
            f'<worksheet xmlns="{_MAIN}" xmlns:r="{_DOC_REL}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
            f'<dimension ref="{_range(0, 0, last_row, last_col)}"/>',
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

    def filter_range(self, absolute: bool = True) -> str:
        return _range(0, 0, max(self.n_rows, 1), len(self.table.columns) - 1, absolute)


def _table_sheets(book: _Book, table: Table, counts: Sequence[int]) -> list[_Sheet]:
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


def _highlight_forms(book: _Book, sheets: list[_Sheet]) -> None:
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
    book: _Book, sheets: list[_Sheet], table: Table, computed: str, stated: str, text: bool = False
) -> None:
    """Mark a stated value that differs from the computed one."""
    if not sum(s.n_rows for s in sheets):
        return
    a = column_letter(table.index(computed))
    b = table.index(stated)
    bl = column_letter(b)
    present = f'${bl}2<>""' if text else f"ISNUMBER(${bl}2)"
    formula = _esc(f"AND({present},${bl}2<>${a}2)")
    rule = f'<cfRule type="expression" dxfId="{{dxf}}" priority="{{priority}}"><formula>{formula}</formula></cfRule>'
    for sheet in sheets:
        sheet.conditional(book, b, rule, _DIFF)


def _departments(book: _Book, depts: Sequence[tuple], buckets: Sequence[tuple]) -> None:
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
               f"{sheet}!{_range(0, g0, 0, g1, True)}", table.names[g0 : g1 + 1],
               f"{sheet}!{_range(total_row, g0, total_row, g1, True)}", grades,
               _count_axis(max(depts[-1][2 : 2 + len(labels.GRADES)]))["major_unit"])
    )  # fmt: skip
    ws.charts.append(
        _chart(2, "执行率分布", '<c:spPr><a:solidFill><a:srgbClr val="5B9BD5"/></a:solidFill></c:spPr>',
               f"{sheet}!{_range(top + 2, 0, last_bucket, 0, True)}", [str(row[0]) for row in buckets],
               f"{sheet}!{_range(top + 2, 1, last_bucket, 1, True)}", [f"{float(row[1]):.16g}" for row in buckets],
               _count_axis(max(row[1] for row in buckets))["major_unit"])
    )  # fmt: skip
    ws.chart_row = last_bucket + 2
    ws.print_rows = ws.chart_row + _CHART_ROWS
    ws.print_cols = len(table.columns)


def _chart(n: int, title: str, fill: str, cat_ref: str, cats: Sequence[str], val_ref: str,
           vals: Sequence[str], step: int) -> str:  # fmt: skip
    """A column chart of one series (项目数), its values labelled, a whole-number value axis."""
    ax1, ax2 = (5000 + n) * 10000 + 1, (5000 + n) * 10000 + 2
    cat_pts = "".join(f'<c:pt idx="{i}"><c:v>{_esc(v)}</c:v></c:pt>' for i, v in enumerate(cats))
    val_pts = "".join(f'<c:pt idx="{i}"><c:v>{v}</c:v></c:pt>' for i, v in enumerate(vals))
    return (
        f'{_HEAD}<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        f'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="{_DOC_REL}">'
        f'<c:lang val="en-US"/><c:chart>{_chart_title(title)}<c:plotArea><c:layout/><c:barChart>'
        '<c:barDir val="col"/><c:grouping val="clustered"/><c:ser><c:idx val="0"/><c:order val="0"/>'
        f'<c:tx><c:v>项目数</c:v></c:tx>{fill}<c:dLbls><c:showVal val="1"/></c:dLbls>'
        f'<c:cat><c:strRef><c:f>{_esc(cat_ref)}</c:f><c:strCache><c:ptCount val="{len(cats)}"/>{cat_pts}'
        f"</c:strCache></c:strRef></c:cat><c:val><c:numRef><c:f>{_esc(val_ref)}</c:f><c:numCache>"
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
        f'<a:r><a:rPr lang="en-US"/><a:t>{_esc(text)}</a:t></a:r></a:p></c:rich></c:tx><c:layout/></c:title>'
    )


def _drawing(sheet: _Sheet) -> str:
    """The two charts' anchors: side by side from the row below the tables."""
    widths = [int(c.width * 7 + 0.5) + 5 for c in sheet.table.columns]
    anchors = []
    for i, x in enumerate((0, _CHART_GAP)):
        c1, x1 = _locate(widths, 0, x)
        c2, x2 = _locate(widths, c1, x1 + _CHART_WIDTH)
        r2, y2 = divmod(_CHART_HEIGHT, _ROW_PX)
        r1, r2 = sheet.chart_row, sheet.chart_row + r2
        anchors.append(
            f"<xdr:twoCellAnchor><xdr:from><xdr:col>{c1}</xdr:col><xdr:colOff>{x1 * 9525}</xdr:colOff>"
            f"<xdr:row>{r1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>{c2}</xdr:col>"
            f"<xdr:colOff>{x2 * 9525}</xdr:colOff><xdr:row>{r2}</xdr:row><xdr:rowOff>{y2 * 9525}</xdr:rowOff>"
            f'</xdr:to><xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{i + 2}" '
            f'name="Chart {i + 1}"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/>'
            '<a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic><a:graphicData '
            'uri="http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart '
            f'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" xmlns:r="{_DOC_REL}" '
            f'r:id="rId{i + 1}"/></a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/>'
            "</xdr:twoCellAnchor>"
        )
    return (
        f'{_HEAD}<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
        f'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">{"".join(anchors)}</xdr:wsDr>'
    )


def _locate(widths: Sequence[int], col: int, x: int) -> tuple[int, int]:
    """The column ``x`` pixels right of column ``col``'s left edge falls in, and the offset in it."""
    while x >= (widths[col] if col < len(widths) else _COL_PX):
        x -= widths[col] if col < len(widths) else _COL_PX
        col += 1
    return col, x


# ------------------------------------------------------------------------------------------ the book


class _Book:
    """The workbook: its sheets in order, the shared strings, the conditional formats' looks."""

    def __init__(self) -> None:
        self.sheets: list[_Sheet] = []
        self.strings: dict[str, int] = {}
        self.string_uses = 0
        self.looks: list[str] = []
        self.bold = False  # the bold style is only added to styles.xml when a cell uses it

    def string(self, text: str) -> int:
        self.string_uses += 1
        index = self.strings.get(text)
        if index is None:
            index = self.strings[text] = len(self.strings)
        return index

    def dxf(self, look: str) -> int:
        if look not in self.looks:
            self.looks.append(look)
        return self.looks.index(look)

    def members(self, profile: str) -> list[tuple[str, bytes]]:
        sheets = self.sheets
        drawn = [s for s in sheets if s.charts]
        names = {}
        for i, sheet in enumerate(sheets, 1):
            names[f"xl/worksheets/sheet{i}.xml"] = sheet.xml(i == 1, bool(sheet.charts))
        out = [
            ("[Content_Types].xml", self._content_types(drawn)),
            ("_rels/.rels", _RELS),
            ("xl/_rels/workbook.xml.rels", self._workbook_rels()),
            *names.items(),
            ("xl/workbook.xml", self._workbook()),
        ]
        charts = [chart for sheet in drawn for chart in sheet.charts]
        out += [(f"xl/charts/chart{i}.xml", chart) for i, chart in enumerate(charts, 1)]
        out += [(f"xl/drawings/drawing{i}.xml", _drawing(sheet)) for i, sheet in enumerate(drawn, 1)]
        out += [
            ("xl/sharedStrings.xml", self._shared_strings()),
            ("xl/styles.xml", self._styles()),
            ("xl/theme/theme1.xml", THEME_XML),
        ]
        chart = 0
        for i, sheet in enumerate(drawn, 1):
            k = sheets.index(sheet) + 1
            out.append(
                (
                    f"xl/worksheets/_rels/sheet{k}.xml.rels",
                    _rels([("drawing", f"../drawings/drawing{i}.xml")]),
                )
            )
        for i, sheet in enumerate(drawn, 1):
            targets = [("chart", f"../charts/chart{chart + j}.xml") for j in range(1, len(sheet.charts) + 1)]
            chart += len(sheet.charts)
            out.append((f"xl/drawings/_rels/drawing{i}.xml.rels", _rels(targets)))
        out += [("docProps/core.xml", _core(profile)), ("docProps/app.xml", self._app())]
        return [(name, xml.encode("utf-8")) for name, xml in out]

    def _defined_names(self) -> list[tuple[str, int, str]]:
        """(name, sheet index, formula) in Excel's order: by name, then by formula."""
        names = []
        for i, sheet in enumerate(self.sheets):
            names.append(("_xlnm._FilterDatabase", i, f"{sheet.ref}!{sheet.filter_range()}"))
            names.append(
                (
                    "_xlnm.Print_Area",
                    i,
                    f"{sheet.ref}!{_range(0, 0, sheet.print_rows, sheet.print_cols - 1, True)}",
                )
            )
            names.append(("_xlnm.Print_Titles", i, f"{sheet.ref}!$1:$1"))
        return sorted(
            names, key=lambda n: n[0].replace("_xlnm.", "").lower() + "::" + n[2].lstrip("'").lower()
        )

    def _workbook(self) -> str:
        sheets = "".join(
            f'<sheet name="{_esc(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, s in enumerate(self.sheets, 1)
        )
        names = "".join(
            f'<definedName name="{name}" localSheetId="{i}"{_HIDDEN if "Filter" in name else ""}>'
            f"{_esc(formula)}</definedName>"
            for name, i, formula in self._defined_names()
        )
        return (
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_REL}"><fileVersion appName="xl" lastEdited="4" '
            'lowestEdited="4" rupBuild="4505"/><workbookPr defaultThemeVersion="124226"/><bookViews>'
            '<workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/></bookViews>'
            f'<sheets>{sheets}</sheets><definedNames>{names}</definedNames><calcPr calcId="124519" '
            'fullCalcOnLoad="1"/></workbook>'
        )

    def _workbook_rels(self) -> str:
        targets = [("worksheet", f"worksheets/sheet{i}.xml") for i in range(1, len(self.sheets) + 1)]
        targets += [
            ("theme", "theme/theme1.xml"),
            ("styles", "styles.xml"),
            ("sharedStrings", "sharedStrings.xml"),
        ]
        return _rels(targets)

    def _content_types(self, drawn: list[_Sheet]) -> str:
        parts = [
            ("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml"),
            ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
            ("/xl/styles.xml", f"{_CT}spreadsheetml.styles+xml"),
            ("/xl/theme/theme1.xml", f"{_CT}theme+xml"),
            ("/xl/workbook.xml", f"{_CT}spreadsheetml.sheet.main+xml"),
        ]
        parts += [(f"/xl/worksheets/sheet{i}.xml", f"{_CT}spreadsheetml.worksheet+xml")
                  for i in range(1, len(self.sheets) + 1)]  # fmt: skip
        n_charts = sum(len(s.charts) for s in drawn)
        parts += [(f"/xl/charts/chart{i}.xml", f"{_CT}drawingml.chart+xml") for i in range(1, n_charts + 1)]
        parts += [(f"/xl/drawings/drawing{i}.xml", f"{_CT}drawing+xml") for i in range(1, len(drawn) + 1)]
        parts.append(("/xl/sharedStrings.xml", f"{_CT}spreadsheetml.sharedStrings+xml"))
        overrides = "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in parts)
        return (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
        )

    def _shared_strings(self) -> str:
        items = "".join(_si(text) for text in self.strings)
        return (
            f'{_HEAD}<sst xmlns="{_MAIN}" count="{self.string_uses}" uniqueCount="{len(self.strings)}">'
            f"{items}</sst>"
        )

    def _styles(self) -> str:
        xfs = _XFS + (
            ['<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>']
            if self.bold
            else []
        )
        dxfs = (
            f'<dxfs count="{len(self.looks)}">{"".join(self.looks)}</dxfs>'
            if self.looks
            else '<dxfs count="0"/>'
        )
        return (
            f'{_HEAD}<styleSheet xmlns="{_MAIN}"><numFmts count="2"><numFmt numFmtId="164" formatCode="#,##0.00"/>'
            '<numFmt numFmtId="165" formatCode="0.00"/></numFmts><fonts count="2"><font><sz val="11"/>'
            '<color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font><font><b/>'
            '<sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>'
            '</fonts><fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill '
            'patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/>'
            '<bgColor indexed="64"/></patternFill></fill></fills><borders count="2"><border><left/><right/><top/>'
            '<bottom/><diagonal/></border><border><left style="thin"><color auto="1"/></left><right style="thin">'
            '<color auto="1"/></right><top style="thin"><color auto="1"/></top><bottom style="thin">'
            '<color auto="1"/></bottom><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" '
            f'fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}'
            '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            f'{dxfs}<tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
            'defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
        )

    def _app(self) -> str:
        printed = [
            f"{sheet_ref}!{name.replace('_xlnm.', '')}"
            for name, i, _f in self._defined_names()
            if "Print" in name
            for sheet_ref in (self.sheets[i].ref,)
        ]
        titles = [s.name for s in self.sheets] + printed
        lpstr = "".join(f"<vt:lpstr>{_esc(t)}</vt:lpstr>" for t in titles)
        return (
            f'{_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>Microsoft '
            "Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs>"
            '<vt:vector size="4" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant>'
            f"<vt:variant><vt:i4>{len(self.sheets)}</vt:i4></vt:variant><vt:variant><vt:lpstr>Named Ranges"
            f"</vt:lpstr></vt:variant><vt:variant><vt:i4>{len(printed)}</vt:i4></vt:variant></vt:vector>"
            f'</HeadingPairs><TitlesOfParts><vt:vector size="{len(titles)}" baseType="lpstr">{lpstr}</vt:vector>'
            "</TitlesOfParts><Company></Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
            "<HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>"
        )


_XFS = [
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" '
    'applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>',  # the header row
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1">'
    '<alignment vertical="top"/></xf>',  # money
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1">'
    '<alignment vertical="top"/></xf>',  # two
    '<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1">'
    '<alignment vertical="top"/></xf>',  # int
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>',  # text
]

_RELS_HEAD = f'{_HEAD}<Relationships xmlns="{_PKG_REL}">'
_RELS = (
    f'{_RELS_HEAD}<Relationship Id="rId1" Type="{_DOC_REL}/officeDocument" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{_PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_DOC_REL}/extended-properties" Target="docProps/app.xml"/></Relationships>'
)


def _rels(targets: Sequence[tuple[str, str]]) -> str:
    items = "".join(
        f'<Relationship Id="rId{i}" Type="{_DOC_REL}/{kind}" Target="{target}"/>'
        for i, (kind, target) in enumerate(targets, 1)
    )
    return f"{_RELS_HEAD}{items}</Relationships>"


def _core(profile: str) -> str:
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return (
        f'{_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_esc(SUMMARY_TITLE)}</dc:title><dc:creator></dc:creator>"
        f"<dc:description>{_esc(xml_text('评分规则：' + profile))}</dc:description><cp:lastModifiedBy></cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>'
    )


# ------------------------------------------------------------------------------------------ the text


def _esc(text: str) -> str:
    """Text as XML character data (quotes need no escaping there)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _si(text: str) -> str:
    """A shared string: a literal ``_xHHHH_`` kept literal, control characters as ``_xHHHH_``
    (Excel's escapes), leading or trailing white space preserved."""
    if "_x" in text:
        import re

        text = re.sub("(_x[0-9a-fA-F]{4}_)", r"_x005F\1", text)
    if not text.isprintable():
        text = "".join(f"_x{ord(ch):04X}_" if ch < " " and ch not in "\t\n" else ch for ch in text)
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    space = ' xml:space="preserve"' if text and (text[0].isspace() or text[-1].isspace()) else ""
    return f"<si><t{space}>{_esc(text)}</t></si>"


def _quoted(name: str) -> str:
    """A sheet name as formulas write it: quoted unless it is all letters, digits, ``_`` and ``.``."""
    return name if all(ch.isalnum() or ch in "_." for ch in name) else "'" + name.replace("'", "''") + "'"


def _range(r1: int, c1: int, r2: int, c2: int, absolute: bool = False) -> str:
    """``A1:B2`` (or ``$A$1:$B$2``) from 0-based rows and columns; one cell as ``A1``."""
    d = "$" if absolute else ""
    first = f"{d}{column_letter(c1)}{d}{r1 + 1}"
    if (r1, c1) == (r2, c2):
        return first
    return f"{first}:{d}{column_letter(c2)}{d}{r2 + 1}"


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

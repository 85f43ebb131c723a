"""The workbook-wide parts of the summary's skeleton (:mod:`perfeval_xl.skeleton`): the content types,
relationships, workbook (sheets, defined names), shared strings, styles, theme and document properties,
and the XML text helpers both use. The XML is XlsxWriter's for the same workbook, as the summary had
before (tests/test_skeleton.py compares them). Standard library only.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from .cellgrid import column_letter
from .columns import SUMMARY_TITLE
from .safeout import xml_escape, xml_text
from .theme import THEME_XML

HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument."
_HIDDEN = ' hidden="1"'


class Book:
    """The workbook: its sheets in order, the shared strings, the conditional formats' looks."""

    def __init__(self) -> None:
        self.sheets: list[Any] = []  # skeleton._Sheet
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
        out += [(f"xl/drawings/drawing{i}.xml", sheet.drawing()) for i, sheet in enumerate(drawn, 1)]
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
        names = [name for i, sheet in enumerate(self.sheets) for name in sheet.defined_names(i)]
        return sorted(
            names, key=lambda n: n[0].replace("_xlnm.", "").lower() + "::" + n[2].lstrip("'").lower()
        )

    def _workbook(self) -> str:
        sheets = "".join(
            f'<sheet name="{xml_escape(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, s in enumerate(self.sheets, 1)
        )
        names = "".join(
            f'<definedName name="{name}" localSheetId="{i}"{_HIDDEN if "Filter" in name else ""}>'
            f"{xml_escape(formula)}</definedName>"
            for name, i, formula in self._defined_names()
        )
        return (
            f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{DOC_REL}"><fileVersion appName="xl" lastEdited="4" '
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

    def _content_types(self, drawn: list) -> str:
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
            f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
        )

    def _shared_strings(self) -> str:
        items = "".join(_si(text) for text in self.strings)
        return (
            f'{HEAD}<sst xmlns="{MAIN}" count="{self.string_uses}" uniqueCount="{len(self.strings)}">'
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
            f'{HEAD}<styleSheet xmlns="{MAIN}"><numFmts count="2"><numFmt numFmtId="164" formatCode="#,##0.00"/>'
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
        lpstr = "".join(f"<vt:lpstr>{xml_escape(t)}</vt:lpstr>" for t in titles)
        return (
            f'{HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
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

_RELS_HEAD = f'{HEAD}<Relationships xmlns="{_PKG_REL}">'
_RELS = (
    f'{_RELS_HEAD}<Relationship Id="rId1" Type="{DOC_REL}/officeDocument" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{_PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{DOC_REL}/extended-properties" Target="docProps/app.xml"/></Relationships>'
)


def _rels(targets: Sequence[tuple[str, str]]) -> str:
    items = "".join(
        f'<Relationship Id="rId{i}" Type="{DOC_REL}/{kind}" Target="{target}"/>'
        for i, (kind, target) in enumerate(targets, 1)
    )
    return f"{_RELS_HEAD}{items}</Relationships>"


def _core(profile: str) -> str:
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return (
        f'{HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{xml_escape(SUMMARY_TITLE)}</dc:title><dc:creator></dc:creator>"
        f"<dc:description>{xml_escape(xml_text('评分规则：' + profile))}</dc:description><cp:lastModifiedBy></cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>'
    )


# ------------------------------------------------------------------------------------------ the text


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
    return f"<si><t{space}>{xml_escape(text)}</t></si>"


def quoted(name: str) -> str:
    """A sheet name as formulas write it: quoted unless it is all letters, digits, ``_`` and ``.``."""
    return name if all(ch.isalnum() or ch in "_." for ch in name) else "'" + name.replace("'", "''") + "'"


def cell_range(r1: int, c1: int, r2: int, c2: int, absolute: bool = False) -> str:
    """``A1:B2`` (or ``$A$1:$B$2``) from 0-based rows and columns; one cell as ``A1``."""
    d = "$" if absolute else ""
    first = f"{d}{column_letter(c1)}{d}{r1 + 1}"
    if (r1, c1) == (r2, c2):
        return first
    return f"{first}:{d}{column_letter(c2)}{d}{r2 + 1}"

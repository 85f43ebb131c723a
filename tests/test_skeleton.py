"""The summary workbook's skeleton (:mod:`perfeval_xl.skeleton`) is the workbook XlsxWriter wrote before
it, part for part: the same members in the same order with the same XML (only the creation time in
docProps/core.xml differs, and the theme, which is the project's own: see :mod:`perfeval_xl.theme`),
for every shape a batch can give it. The reference is the XlsxWriter code
the skeleton replaced (tests/summary_reference.py)."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from summary_reference import _skeleton as reference

from perfeval_xl import columns as C
from perfeval_xl import skeleton

_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _dept(name, n, grades, mean, annual, executed, rate):
    return (name, n, *grades, mean, annual, executed, rate)


DEPTS = [
    _dept(
        "上海市教育委员会",
        1,
        (1, 0, 0, 0),
        Decimal("98.49"),
        Decimal("37.76"),
        Decimal("32.09"),
        Decimal("84.98"),
    ),
    _dept("上海市生态环境局", 2, (2, 0, 0, 0), Decimal("97.29"), Decimal("206.91"), Decimal("138.72"), None),
    _dept(
        C.ALL_DEPARTMENTS,
        3,
        (3, 0, 0, 0),
        Decimal("97.69"),
        Decimal("244.67"),
        Decimal("170.81"),
        Decimal("69.81"),
    ),
]
BUCKETS = [(label, n) for (label, _), n in zip(C.RATE_BUCKETS, (1, 0, 1, 0, 0, 1), strict=True)]
ODD_NAMES = [
    "A&B <局>",
    " 前有空格",
    "后有空格 ",
    "_x0041_ 字面",
    "回车\r换行\n制表\t",
    '=HYPERLINK("http://x")',
    "'引号'",
]


def _many_departments(k: int) -> list[tuple]:
    rows = [
        _dept(f"部门{i:03d}", i % 7 + 1, (i % 3, i % 2, 1, i % 5), Decimal(f"{80 + i % 20}.{i % 100:02d}"),
              Decimal(i * 1234567) / 100, Decimal(i * 7654321) / 1000, Decimal(f"{i % 130}.5"))
        for i in range(k)
    ]  # fmt: skip
    return [
        *rows,
        _dept(C.ALL_DEPARTMENTS, 999, (400, 300, 200, 99), Decimal("88.1"), Decimal(1), Decimal(2), None),
    ]


CASES = {
    "typical": ("shanghai-municipal", {"forms": [4], "indicators": [34], "findings": [34], "errors": [1]}, DEPTS,
                BUCKETS),
    "nothing read": ("mof-2020", {"forms": [], "indicators": [], "findings": [], "errors": [3]}, [], []),
    "one form, no findings": ("auto", {"forms": [1], "indicators": [1], "findings": [], "errors": []}, DEPTS[-1:],
                              BUCKETS),
    "no 合计 row": ("whole-number", {"forms": [2], "indicators": [9], "findings": [2], "errors": []}, DEPTS[:2],
                   BUCKETS),
    "many departments": ("shanghai-municipal", {"forms": [60], "indicators": [600], "findings": [7], "errors": []},
                         _many_departments(40), [(b, n * 97) for b, n in BUCKETS]),
    "spilled sheets": ("shanghai-municipal", {"forms": [3, 3, 1], "indicators": [3, 3, 3, 3, 2], "findings": [3, 1],
                                              "errors": [3, 3]}, DEPTS, BUCKETS),
    "odd names": ("规则 <&>", {"forms": [7], "indicators": [70], "findings": [0], "errors": [0]},
                  [_dept(name, 1, (0, 0, 1, 0), Decimal("0.1") * i, float("nan"), Decimal(3) ** 30, 1e-7)
                   for i, name in enumerate(ODD_NAMES)] + [DEPTS[-1]], BUCKETS),
}  # fmt: skip


def _reference(profile, counts, depts, buckets):
    out = io.BytesIO()
    targets = reference(out, profile, counts, depts, buckets)
    with zipfile.ZipFile(out) as zf:
        return [(i.filename, zf.read(i.filename)) for i in zf.infolist()], targets


@pytest.mark.parametrize("case", list(CASES))
def test_the_skeleton_is_the_xml_xlsxwriter_wrote(case):
    profile, counts, depts, buckets = CASES[case]
    ours, targets = skeleton.parts(profile, counts, depts, buckets)
    theirs, their_targets = _reference(profile, counts, depts, buckets)
    assert [name for name, _ in ours] == [name for name, _ in theirs]
    assert targets == their_targets
    for (name, xml), (_, expected) in zip(ours, theirs, strict=True):
        if name == "xl/theme/theme1.xml":
            continue  # the project's own theme (test_the_theme_gives_what_the_styles_refer_to)
        if name == "docProps/core.xml":
            xml, expected = _TIME.sub("T", xml.decode()).encode(), _TIME.sub("T", expected.decode()).encode()
        assert xml.decode() == expected.decode(), name


def test_the_theme_gives_what_the_styles_refer_to():
    """The theme is well-formed DrawingML with the colour and font slots the styles and a
    spreadsheet program look up (<color theme="1"/>, <scheme val="minor"/>), and the schema's three
    entries in each format list."""
    from xml.etree import ElementTree as ET

    from perfeval_xl.theme import THEME_XML

    a = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    root = ET.fromstring(THEME_XML.encode())
    colours = root.find(f"{a}themeElements/{a}clrScheme")
    assert [el.tag.removeprefix(a) for el in colours] == [
        "dk1", "lt1", "dk2", "lt2", *(f"accent{i}" for i in range(1, 7)), "hlink", "folHlink"
    ]  # fmt: skip
    assert colours.find(f"{a}dk1/{a}sysClr").get("lastClr") == "000000"
    fonts = root.find(f"{a}themeElements/{a}fontScheme")
    assert fonts.find(f"{a}minorFont/{a}latin").get("typeface") == "Calibri"
    assert fonts.find(f"{a}minorFont/{a}font[@script='Hans']").get("typeface") == "宋体"
    fmt = root.find(f"{a}themeElements/{a}fmtScheme")
    assert [len(lst) for lst in fmt] == [3, 3, 3, 3]
    styles = dict(
        skeleton.parts("x", {"forms": [1], "indicators": [], "findings": [], "errors": []}, [], [])[0]
    )
    assert styles["xl/theme/theme1.xml"] == THEME_XML.encode()
    assert '<color theme="1"/>' in styles["xl/styles.xml"].decode()


def test_the_skeleton_reads_back(tmp_path):
    """What a reader sees: headers, widths, formats, frozen header, filters, print setup, names."""
    profile, counts, depts, buckets = CASES["typical"]
    members, _targets = skeleton.parts(profile, counts, depts, buckets)
    path = tmp_path / "skeleton.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        for name, xml in members:
            zf.writestr(name, xml)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["汇总", "按主管部门", "指标明细", "问题清单", "错误"]
    assert wb.properties.title == C.SUMMARY_TITLE and wb.properties.description == f"评分规则：{profile}"
    forms = wb["汇总"]
    assert [c.value for c in forms[1]] == list(C.FORMS.names)
    assert forms.freeze_panes == "A2" and forms.auto_filter.ref == "A1:V5"
    assert forms.column_dimensions["A"].width == pytest.approx(C.FORMS.columns[0].width + 0.71, abs=0.01)
    money = C.FORMS.index(C.ANNUAL)
    assert forms.column_dimensions[openpyxl.utils.get_column_letter(money + 1)].number_format == "#,##0.00"
    assert forms.page_setup.orientation == "landscape" and forms.page_setup.paperSize == 9
    assert forms.print_title_rows == "$1:$1" and forms.print_area == "'汇总'!$A$1:$M$5"
    assert len(forms.conditional_formatting) == 4
    depts_ws = wb["按主管部门"]
    assert [c.value for c in depts_ws["A"]][:4] == [
        "主管部门",
        "上海市教育委员会",
        "上海市生态环境局",
        "合计",
    ]
    assert depts_ws["J3"].value is None and depts_ws["G2"].value == pytest.approx(98.49)
    assert depts_ws["A7"].value == "执行率分布" and depts_ws["A7"].font.b
    assert [depts_ws.cell(r, 2).value for r in range(9, 15)] == [1, 0, 1, 0, 0, 1]
    assert depts_ws.print_area == "'按主管部门'!$A$1:$J$29"


def test_the_streamed_rows_use_the_skeletons_cell_styles():
    from perfeval_xl import summary

    assert summary._STYLE == skeleton.CELL_STYLES
    styles = dict(
        skeleton.parts("x", {"forms": [1], "indicators": [], "findings": [], "errors": []}, [], [])[0]
    )
    xfs = re.findall(r"<xf [^>]*?numFmtId=\"(\d+)\"", styles["xl/styles.xml"].decode().split("<cellXfs")[1])
    assert [xfs[i] for i in (summary._STYLE_MONEY, summary._STYLE_TWO, summary._STYLE_INT)] == [
        "164",
        "165",
        "1",
    ]

"""Rebuild the LibreOffice-saved fixtures of tests/test_xlsxcells.py (needs ``soffice``).

    python tests/data/xlsxcells/make_fixtures.py

Each sheet holds one small form. openpyxl writes the forms with formulas but no results; LibreOffice
(headless) opens the file, recalculates and saves it as xlsx, so the fixture carries what a
spreadsheet really writes: cached formula results, error values (``<c t="e"><v>#REF!</v></c>``) and
LibreOffice's own styles part (custom percent formats, ids from 164 up).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent

HEAD = [
    ["财政项目支出绩效自我评价"],
    ["项目名称", None],
    ["主管部门", "示例主管部门", "实施单位", "示例单位"],
    ["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分数", "执行率", "得分"],
    [None, "年度资金总额", 520, 520, 468.35, 10, 0.9006, 9],
    [None, "其中：当年财政拨款", 470, 470, 420.35, "-", 0.8943, "-"],
    [None, "上年结转资金", 50, 50, 48, "-", 0.96, "-"],
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析"],
    ["产出指标", "质量指标", "验收合格率", "≥95%", 0.96, 30, 30, None],
    [None, None, "差错率", "≤2%", 0.025, 30, 24, "录入差错"],
    ["效益指标", "社会效益指标", "服务人次", "≥1000", 1200, 30, 30, None],
]

# sheet name -> {cell: value} replacing cells of HEAD
SHEETS = {
    "正常": {},
    "执行数错误": {"E5": "=#REF!+1", "G5": "=E5/D5"},
    "分值错误": {"F10": "=1/0"},
    "分数错误": {"F5": "=F6*1"},
    "指标值错误": {"D11": "=NA()"},
    "执行率错误": {"G7": "=E7/0", "E6": "=E5-E7", "H10": "=F10*0.8"},
}
PERCENT = {"E9": "0%", "E10": "0.0%", "G5": "0.00%", "G6": "0.00%", "G7": "0.00%"}


def build(path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, changes in SHEETS.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(HEAD, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        ws["B2"] = f"{name}项目"
        for ref, value in changes.items():
            ws[ref] = value
        for ref, fmt in PERCENT.items():
            ws[ref].number_format = fmt
    wb.save(path)


def main() -> int:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("soffice not found", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "lo_cells.xlsx"
        build(src)
        out = Path(tmp) / "out"
        subprocess.run(
            [
                soffice,
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{tmp}/profile",
                "--convert-to",
                "xlsx:Calc MS Excel 2007 XML",
                "--outdir",
                str(out),
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        shutil.copy(out / "lo_cells.xlsx", HERE / "lo_cells.xlsx")
    print(HERE / "lo_cells.xlsx")
    return 0


if __name__ == "__main__":
    sys.exit(main())

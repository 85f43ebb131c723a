"""Legacy .xls workbooks (made here by LibreOffice from the bundled examples) consolidate like xlsx."""

import shutil
import subprocess
from pathlib import Path

import pytest

from perfeval_xl import consolidate

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "forms"

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


def test_xls_and_xlsx_copies_give_the_same_rows(tmp_path):
    xlsx_dir, xls_dir = tmp_path / "xlsx", tmp_path / "xls"
    shutil.copytree(EXAMPLES, xlsx_dir)
    xls_dir.mkdir()
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--convert-to",
            "xls",
            "--outdir",
            str(xls_dir),
            *map(str, xlsx_dir.glob("*.xlsx")),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    assert len(list(xls_dir.glob("*.xls"))) == len(list(xlsx_dir.glob("*.xlsx")))
    a, b = consolidate([xlsx_dir], jobs=1), consolidate([xls_dir], jobs=1)
    assert a.rows["errors"] == [] and b.rows["errors"] == []
    columns = ["项目名称", "执行率（%）", "预算执行得分", "总分", "评分等级"]
    assert a.forms[columns].equals(b.forms[columns])
    assert len(b.indicators) == len(a.indicators)

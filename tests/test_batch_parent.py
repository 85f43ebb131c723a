"""The batch's parent process stays lean (README, "Batch consolidation"): it finds the files, collects
the workers' rows and writes the summary, but never imports the reader, calamine or pandas -- the
workers do, in their own processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
FORM = ROOT / "examples" / "forms" / "2023_中小企业发展服务中心_一.xlsx"

SCRIPT = """
import json, sys
from perfeval_xl.cli import main
rc = main(["consolidate", sys.argv[1], "-o", sys.argv[2], "--jobs", "1", "--quiet"])
heavy = {"pandas", "python_calamine", "perfeval_xl.reader", "perfeval_xl.reader_scan", "perfeval_xl.grid"}
print(json.dumps([rc, sorted(m for m in sys.modules if m in heavy or m.split(".")[0] in heavy)]))
"""


def test_the_parent_of_a_batch_imports_neither_the_reader_nor_calamine_nor_pandas(tmp_path):
    out = tmp_path / "汇总.xlsx"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(FORM), str(out)],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    )  # fmt: skip
    rc, heavy = json.loads(done.stdout.strip().splitlines()[-1])
    assert (rc, heavy) == (0, [])
    # the workers did read the workbook: the summary has a row for each of its two forms
    ws = openpyxl.load_workbook(out, read_only=True)["汇总"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "项目名称"
    assert [row[0] for row in rows[1:]] == ["企业服务专项", "信息化建设项目"]

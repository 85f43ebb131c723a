"""``perfeval-xl addin-conf``: the three xlwings settings, with paths that really lead to udfs.py."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from perfeval_xl.cli import main
from perfeval_xl.commands.addin_conf import settings


def test_settings_point_at_this_python_and_an_importable_udfs(tmp_path):
    rows = dict(settings())
    assert set(rows) == {"Interpreter_Win", "PYTHONPATH", "UDF Modules"}
    assert rows["UDF Modules"] == "udfs"
    assert Path(rows["Interpreter_Win"]).exists()
    folder = Path(rows["PYTHONPATH"])
    assert (folder / "udfs.py").is_file()
    # the interpreter, given only that folder (no site, no PYTHONPATH), imports the UDFs xlwings imports
    code = f"import sys; sys.path.insert(0, {str(folder)!r}); import udfs; print(udfs.PE_EXEC_RATE(758.11, 754.31))"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [sys.executable, "-S", "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "99.49"


def test_windows_interpreter_prefers_pythonw(tmp_path):
    exe = tmp_path / "python.exe"
    exe.write_text("")
    (tmp_path / "pythonw.exe").write_text("")
    assert dict(settings(str(exe)))["Interpreter_Win"] == str(tmp_path / "pythonw.exe")


def test_printed_as_two_columns_and_as_conf_file(tmp_path, capsys):
    assert main(["addin-conf"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["Interpreter_Win", "PYTHONPATH", "UDF Modules"]
    conf = tmp_path / "myaddin.conf"
    assert main(["addin-conf", "--file", str(conf)]) == 0
    # the form xlwings' VBA reads with `Input #f, key, value`: two quoted fields, keys in capitals
    rows = list(csv.reader(conf.read_text().splitlines()))
    assert [r[0] for r in rows] == ["INTERPRETER_WIN", "PYTHONPATH", "UDF MODULES"]
    assert rows[2][1] == "udfs" and all(len(r) == 2 for r in rows)

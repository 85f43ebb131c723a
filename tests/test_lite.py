"""The xlwings Lite bundle: generated from the package, self-contained, right in Pyodide.

The bundle's ``main.py`` is loaded with a stand-in ``xlwings`` module that records the decorators
(``tests/lite/xlwings.py``) by ``tests/lite/driver.py``, once under CPython without site-packages and
once under Pyodide 0.27 in Node (the runtime xlwings Lite uses; ``tests/lite/package.json``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import udfs
from perfeval_xl import layout as L
from perfeval_xl import sheetformulas as F
from perfeval_xl.cli import main
from perfeval_xl.lite import ORIGIN, SCRIPT_NAME, BundleError, core_sources
from perfeval_xl.profiles import get_profile
from perfeval_xl.reader import read_forms

DATA = Path(__file__).parent / "data"
HARNESS = Path(__file__).parent / "lite"
SEED = DATA / "seed_forms.txt"
EXPECTED = list(json.loads((DATA / "seed_expected.json").read_text(encoding="utf-8")).values())[0]["forms"]
PROFILE = get_profile(None).title
UDF_NAMES = set(udfs.__all__)


def _f(d):
    """What Excel hands a function for a number cell: a float (None for an empty cell)."""
    return None if d is None else float(d)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("lite")
    assert main(["lite", "-o", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("lite-import") / "seed.xlsx"
    assert main(["import", str(SEED), "-o", str(out)]) == 0
    return out


def _cases(imported: Path) -> tuple[dict, list]:
    """The calls Excel would make for the seed forms (and blank rows), with what each must return."""
    calls, expected = [], []

    def call(name, args, result):
        calls.append([name, args])
        expected.append(result)

    for form, exp in zip(read_forms(SEED), EXPECTED, strict=True):
        total = form.total_fund
        annual, executed = _f(total.annual), _f(total.executed)
        call("PE_BUDGET_POINTS", [PROFILE], 10)
        call("PE_EXEC_RATE", [annual, executed, PROFILE], exp["execution_rate"])
        call("PE_BUDGET_SCORE", [annual, executed, 10.0, PROFILE], exp["budget_score"])
        for ind, score in zip(form.indicators, exp["scores"], strict=True):
            call(
                "PE_INDICATOR_SCORE", [ind.target, ind.actual, _f(ind.points), ind.name, None, PROFILE], score
            )
        scores = [[float(s)] for s in exp["scores"]]
        call("PE_TOTAL", [exp["budget_score"], scores], exp["total_score"])
        call("PE_TOTAL", [10.0, [[_f(i.points)] for i in form.indicators]], exp["total_points"])
        call("PE_GRADE", [exp["total_score"], PROFILE], exp["grade"])
        funds = [[r.label, _f(r.initial), _f(r.annual), _f(r.executed)] for r in form.funds]
        rows = [
            [i.level1, i.level2, i.name, i.target, i.actual, _f(i.points), None, i.deviation_reason, None]
            for i in form.indicators
        ]
        call("PE_FORM_FINDINGS", [funds, rows, PROFILE], "")
    # a blank indicator row: empty cells arrive as None (classic) or "" (Office.js)
    for empty in (None, ""):
        call("PE_INDICATOR_SCORE", [empty] * 5 + [PROFILE], "")
        call("PE_ROW_FINDINGS", [empty] * 6 + [PROFILE], "")
        call("PE_EXEC_RATE", [empty, empty, PROFILE], "")
    # a missed target: the row's finding asks for the deviation reason
    call("PE_INDICATOR_SCORE", ["≥500(家次)", "430(家次)", 10.0, "培训企业家次", None, PROFILE], 8.6)
    call(
        "PE_ROW_FINDINGS",
        ["≥500(家次)", "430(家次)", 10.0, "培训企业家次", None, None, PROFILE],
        "偏差原因未填写",
    )

    wb = openpyxl.load_workbook(imported)
    sheets = []
    for ws in wb.worksheets:
        rows = [[None if c.data_type == "f" else c.value for c in row] for row in ws.iter_rows()]
        sheets.append({"name": ws.title, "rows": rows})
    return {"calls": calls, "sheets": sheets}, expected


def _check(out: dict, expected: list, imported: Path) -> None:
    assert out["results"] == expected
    assert set(out["registered"]) == UDF_NAMES
    assert all(r["module"] == "main" for r in out["registered"].values())
    assert out["registered"]["PE_INDICATOR_SCORE"]["args"] == sorted(
        ["target", "actual", "points", "name", "judgement", "profile"]
    )
    assert out["scripts"] == [SCRIPT_NAME]
    # every module the functions use came out of the bundle, none from an installed package
    assert "perfeval_xl.rules" in out["origins"] and "_perfeval_udfs" in out["origins"]
    assert all(origin.startswith(ORIGIN) for origin in out["origins"].values()), out["origins"]
    # the script entered, in every form sheet and nowhere else, exactly the template's formulas
    wb = openpyxl.load_workbook(imported)
    form_sheets = [ws.title for ws in wb.worksheets if L.layout_of_sheet(ws) is not None]
    assert len(form_sheets) == 4
    assert {name for name, w in out["written"].items() if w} == set(form_sheets)
    for name in form_sheets:
        written = {}
        for address, value in out["written"][name].items():
            first, _, last = address.partition(":")
            col, start = re.match(r"([A-Z]+)(\d+)", first).groups()
            if not last:
                written[first] = value
                continue
            for offset, (formula,) in enumerate(value):
                written[f"{col}{int(start) + offset}"] = formula
        assert written == F.computed_cells(L.layout_of_sheet(wb[name])), name


def _run_cpython(bundle: Path, input_path: Path) -> dict:
    """The driver under this Python, without site-packages: only the bundle and the stand-in exist."""
    code = f"import sys; sys.path[:0] = [{str(HARNESS)!r}, {str(bundle)!r}]; import driver; sys.stdout.write(driver.run({str(input_path)!r}))"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [sys.executable, "-S", "-c", code], cwd=bundle, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_bundle_runs_self_contained_under_cpython(bundle, imported, tmp_path):
    data, expected = _cases(imported)
    input_path = tmp_path / "input.json"
    input_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = _run_cpython(bundle, input_path)
    _check(out, expected, imported)


@pytest.fixture(scope="module")
def pyodide_dir() -> Path:
    """Pyodide from npm (installed by .ci/run; installed here once if missing and npm is there)."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    target = HARNESS / "node_modules" / "pyodide"
    if not (target / "pyodide.mjs").exists():
        npm = shutil.which("npm")
        assert npm, "node is installed but npm is not: cannot install Pyodide (see .ci/run)"
        subprocess.run([npm, "install", "--no-audit", "--no-fund"], cwd=HARNESS, check=True, timeout=600)
    return target


def test_bundle_reproduces_the_seed_numbers_in_pyodide(bundle, imported, tmp_path, pyodide_dir):
    data, expected = _cases(imported)
    input_path = tmp_path / "input.json"
    input_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run(
        ["node", str(HARNESS / "run_pyodide.mjs"), str(pyodide_dir), str(bundle), str(input_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert out["platform"] == "emscripten"
    _check(out, expected, imported)


def test_bundle_is_generated_from_the_package(bundle):
    from perfeval_xl import rules

    sources = core_sources()
    assert sources["perfeval_xl.rules"] == Path(rules.__file__).read_text(encoding="utf-8")
    # the rules' parts and the value readers they build on, found by following the imports
    parts = ("arithmetic", "budget", "indicator_rules", "figures", "words", "deadlines", "values", "remarks")
    assert {f"perfeval_xl.{m}" for m in parts} <= set(sources)
    assert sources["_perfeval_udfs"] == Path(udfs.__file__).read_text(encoding="utf-8")
    # only what the functions need: no reader, no openpyxl-based modules
    assert not {"perfeval_xl.reader", "perfeval_xl.grid", "perfeval_xl.template"} & set(sources)
    main_py = (bundle / "main.py").read_text(encoding="utf-8")
    compile(main_py, "main.py", "exec")
    assert "from xlwings import arg, func, ret, script" in main_py
    for name in UDF_NAMES:  # the template's names, no namespace prefix
        assert f"\ndef {name}(" in main_py
    assert (bundle / "requirements.txt").read_text(encoding="utf-8").strip().startswith("#")


def test_a_core_module_outside_the_standard_library_stops_generation(monkeypatch):
    from perfeval_xl import lite

    real = lite._source

    def source(name):
        text, path = real(name)
        if name == "perfeval_xl.values":
            text += "\nimport openpyxl\n"
        return text, path

    monkeypatch.setattr(lite, "_source", source)
    with pytest.raises(BundleError, match="openpyxl"):
        core_sources()


def test_lite_command_needs_an_existing_folder(tmp_path, capsys):
    assert main(["lite", "-o", str(tmp_path / "missing")]) == 2
    assert "文件夹不存在" in capsys.readouterr().err

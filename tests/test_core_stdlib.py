"""The core runs inside Excel's own Python: it must import nothing but the standard library."""

import subprocess
import sys

CORE = [
    "labels",
    "model",
    "textmemo",
    "figures",
    "words",
    "deadlines",
    "values",
    "profiles",
    "arithmetic",
    "budget",
    "indicator_rules",
    "grouppoints",
    "rules",
    "checks",
    "report",
]


def test_core_modules_import_only_the_standard_library():
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        + "".join(f"import perfeval_xl.{m}\n" for m in CORE)
        + "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "third_party = sorted(new - set(sys.stdlib_module_names) - {'perfeval_xl'})\n"
        "print(third_party)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"

"""The README's Python examples run and print what they say."""

import doctest
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_examples(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10
    assert result.failed == 0


def test_readme_starts_with_the_two_commands():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```bash") + 1 : lines.index("```bash") + 3]
    assert block[0].startswith("pip install -e . && perfeval-xl consolidate examples/forms")
    assert block[1] == 'pip install -e ".[test]" && python -m pytest -q'
    assert os.access(ROOT / ".ci" / "run", os.X_OK)

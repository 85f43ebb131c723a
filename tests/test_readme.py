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


def test_issue10_item13_domain_description_is_in_the_repository():
    """The README points to the repository's own domain description, not to a folder outside it; every
    relative link of the README and of docs/domain.md resolves inside the repository."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert (
        "(docs/domain.md)" in readme and "DOMAIN.md" not in readme and "project's shared folder" not in readme
    )
    domain = (ROOT / "docs" / "domain.md").read_text(encoding="utf-8")
    assert "whole-number" in domain and "deadline-late" in domain and "--profile auto" in domain
    for doc, text in ((ROOT / "README.md", readme), (ROOT / "docs" / "domain.md", domain)):
        for target in re.findall(r"\]\(([^)#:]+)\)", text):
            assert (doc.parent / target).resolve().is_relative_to(ROOT), target
            assert (doc.parent / target).exists(), (doc.name, target)
    for path in re.findall(r"`((?:examples|tests/data)/[^`*]+)`", domain):
        assert (ROOT / path).exists(), path

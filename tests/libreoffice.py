"""What the LibreOffice tests share: the skip when LibreOffice is absent, the seed's published numbers,
and ``docs/make_pictures.py`` (its ``convert`` runs LibreOffice headless, recalculating on load)."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
EXPECTED = list(json.loads((DATA / "seed_expected.json").read_text(encoding="utf-8")).values())[0]["forms"]

needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None and shutil.which("libreoffice") is None,
    reason="LibreOffice not installed",
)

_spec = importlib.util.spec_from_file_location("make_pictures", ROOT / "docs" / "make_pictures.py")
assert _spec is not None and _spec.loader is not None
pictures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pictures)

"""What the LibreOffice tests share: the skip when LibreOffice is absent, the seed's published numbers,
``docs/make_pictures.py`` (its ``convert`` runs LibreOffice headless, recalculating on load), and
:func:`convert` / :func:`convert_many`, which run it with one LibreOffice profile for the whole test run
(a profile used before starts faster than a new one)."""

from __future__ import annotations

import atexit
import importlib.util
import json
import shutil
import tempfile
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

_profile: list[Path] = []


def _shared_profile() -> Path:
    if not _profile:
        root = Path(tempfile.mkdtemp(prefix="perfeval-lo-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        _profile.append(root / "profile")
    return _profile[0]


def convert(path: Path, fmt: str, outdir: Path, timeout: int = 180) -> Path:
    """``path`` converted to ``fmt`` in ``outdir`` by LibreOffice, which recalculates every formula."""
    return pictures.convert(path, fmt, outdir, timeout, profile=_shared_profile())


def convert_many(paths: list[Path], fmt: str, outdir: Path, timeout: int = 180) -> list[Path]:
    """Several files converted by one LibreOffice start."""
    return pictures.convert_many(paths, fmt, outdir, timeout, profile=_shared_profile())

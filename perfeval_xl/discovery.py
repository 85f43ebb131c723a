"""Which files a batch reads: inputs (files, folders searched recursively, glob patterns) expanded into
an ordered, de-duplicated list, what the tables call each file, and the tool's own earlier outputs."""

from __future__ import annotations

import glob
import os
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .columns import SUMMARY_TITLE
from .safeout import display_path

#: file endings searched for inside folders (files named explicitly are tried whatever their ending)
EXTENSIONS = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".txt", ".tsv", ".htm", ".html")


def _is_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def _wanted(path: Path) -> bool:
    name = path.name
    return path.suffix.lower() in EXTENSIONS and not name.startswith("~$") and not name.startswith(".~lock")


def discover(
    inputs: Iterable[str | os.PathLike], exclude: Iterable[str | os.PathLike] = ()
) -> tuple[list[str], list[tuple[str, str | None, str]]]:
    """Expand inputs into a de-duplicated, ordered list of files.

    Returns ``(files, errors)``: ``errors`` are rows ``(input, None, reason)`` for inputs that name
    nothing. Folders are searched recursively for :data:`EXTENSIONS` (Office lock files skipped);
    glob patterns may use ``**``. Paths in ``exclude`` (e.g. the output file) are skipped when found
    through a folder or pattern.
    """
    excluded = {file_key(Path(p)) for p in exclude}
    files: list[str] = []
    seen: set[str] = set()
    errors: list[tuple[str, str | None, str]] = []

    def add(path: Path, explicit: bool) -> None:
        key = file_key(path)
        if key in seen or (not explicit and key in excluded):
            return
        seen.add(key)
        files.append(str(path))

    for raw in inputs:
        text = os.fspath(raw)
        path = Path(text)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if _wanted(p) and p.is_file())
            for p in found:
                add(p, explicit=False)
        elif path.is_file():
            add(path, explicit=True)
        elif _is_glob(text):
            matches = sorted(glob.glob(text, recursive=True))
            hits = 0
            for m in matches:
                p = Path(m)
                if p.is_file():
                    add(p, explicit=False)
                    hits += 1
                elif p.is_dir():
                    for q in sorted(q for q in p.rglob("*") if _wanted(q) and q.is_file()):
                        add(q, explicit=False)
                        hits += 1
            if not hits:
                errors.append((text, None, "没有文件与此模式匹配"))
        else:
            errors.append((text, None, "文件或文件夹不存在"))
    return files, errors


def display_names(inputs: Iterable[str | os.PathLike], files: Sequence[str]) -> dict[str, str]:
    """What the tables call each file: its path relative to the folder it was found in (as given),
    the part a glob pattern matched, or a file's name as given -- never the absolute path of the
    machine that ran the batch (the summary is shared with colleagues)."""
    bases: list[tuple[str, str]] = []  # (folder as a prefix of found paths, what is shown for it)
    for raw in inputs:
        text = os.fspath(raw)
        if Path(text).is_dir():
            bases.append((str(Path(text)), Path(text).resolve().name))
        elif _is_glob(text):
            static: list[str] = []
            for part in Path(text).parts:
                if _is_glob(part):
                    break
                static.append(part)
            fixed = Path(*static) if static else Path()
            bases.append((str(fixed) if static else "", fixed.resolve().name if static else ""))
    names: dict[str, str] = {}
    for f in files:
        shown = f
        for base, name in bases:
            if base and f.startswith(base + os.sep):
                shown = os.path.join(name, f[len(base) + 1 :])  # 各单位自评表/单位A/a.xlsx
                break
            if not base and not os.path.isabs(f):
                break
        names[f] = display_path(shown)
    return names


def is_own_output(path: str | os.PathLike) -> bool:
    """Is ``path`` a file this tool wrote (a summary workbook, or a CSV/Parquet table), so that a
    rerun may replace it? Summaries carry their title in docProps/core.xml; nothing else is assumed."""
    p = Path(path)
    if p.suffix.lower() in (".csv", ".parquet"):
        return True

    try:
        with zipfile.ZipFile(p) as zf:
            info = zf.getinfo("docProps/core.xml")
            if info.file_size > 65536:
                return False
            return SUMMARY_TITLE.encode() in zf.read(info)
    except (OSError, KeyError, zipfile.BadZipFile, ValueError, EOFError, RuntimeError):
        return False


#: the title of every summary workbook (docProps), by which a rerun recognises an earlier summary


def file_key(path: Path) -> Any:
    """Identity of a file: (device, inode) when it exists (one stat, symlinks and hard links
    included), else its normalised absolute path."""
    try:
        st = os.stat(path)
        return (st.st_dev, st.st_ino)
    except OSError:
        return os.path.normcase(os.path.abspath(path))

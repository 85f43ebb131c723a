"""Which files a batch reads: inputs (files, folders searched recursively, glob patterns) expanded into
an ordered, de-duplicated list, what the tables call each file, and the tool's own earlier outputs."""

from __future__ import annotations

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


def _wanted(name: str) -> bool:
    return (
        os.path.splitext(name)[1].lower() in EXTENSIONS
        and not name.startswith("~$")
        and not name.startswith(".~lock")
    )


def _search(folder: Path) -> list[str]:
    """The wanted files under ``folder``, recursively (symbolic links to folders not followed), in
    the order of their path components (as sorted ``Path`` objects would be). Plain strings from
    ``os.scandir``, one folder at a time: thousands of forms cost no object per file but their path."""
    top = str(folder)
    found: list[str] = []
    _scan(top, "" if top == "." else top.rstrip(os.sep) + os.sep, found)
    return found


def _scan(folder: str, prefix: str, found: list[str]) -> None:
    try:
        with os.scandir(folder) as it:
            entries = sorted((e.name, e.is_dir(follow_symlinks=False)) for e in it)
    except OSError:  # unreadable folder: skipped, as rglob does
        return
    for name, is_dir in entries:  # a folder's files come where its name sorts, as in ("b", "c.xlsx")
        path = prefix + name
        if is_dir:
            _scan(path, path + os.sep, found)
        elif _wanted(name) and os.path.isfile(path):
            found.append(path)


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

    def add(path: Path | str, explicit: bool) -> None:
        key = file_key(path)
        if key in seen or (not explicit and key in excluded):
            return
        seen.add(key)
        files.append(str(path))

    for raw in inputs:
        text = os.fspath(raw)
        path = Path(text)
        if path.is_dir():
            for f in _search(path):
                add(f, explicit=False)
        elif path.is_file():
            add(path, explicit=True)
        elif _is_glob(text):
            import glob  # (with fnmatch: only for patterns)

            matches = sorted(glob.glob(text, recursive=True))
            hits = 0
            for m in matches:
                p = Path(m)
                if p.is_file():
                    add(p, explicit=False)
                    hits += 1
                elif p.is_dir():
                    for f in _search(p):
                        add(f, explicit=False)
                        hits += 1
            if not hits:
                errors.append((text, None, "没有文件与此模式匹配"))
        else:
            errors.append((text, None, "文件或文件夹不存在"))
    return files, errors


class DisplayNames:
    """What the tables call each file: its path relative to the folder it was found in (as given),
    the part a glob pattern matched, or a file's name as given -- never the absolute path of the
    machine that ran the batch (the summary is shared with colleagues). ``names(path)`` for one file
    (worked out when asked: a batch of many files keeps no table of them)."""

    def __init__(self, inputs: Iterable[str | os.PathLike]):
        self.bases: list[tuple[str, str]] = []  # (folder as a prefix of found paths, what is shown)
        for raw in inputs:
            text = os.fspath(raw)
            if Path(text).is_dir():
                self.bases.append((str(Path(text)), Path(text).resolve().name))
            elif _is_glob(text):
                static: list[str] = []
                for part in Path(text).parts:
                    if _is_glob(part):
                        break
                    static.append(part)
                fixed = Path(*static) if static else Path()
                self.bases.append((str(fixed) if static else "", fixed.resolve().name if static else ""))

    def __call__(self, f: str) -> str:
        shown = f
        for base, name in self.bases:
            if base and f.startswith(base + os.sep):
                shown = os.path.join(name, f[len(base) + 1 :])  # 各单位自评表/单位A/a.xlsx
                break
            if not base and not os.path.isabs(f):
                break
        return display_path(shown)


def display_names(inputs: Iterable[str | os.PathLike], files: Sequence[str]) -> dict[str, str]:
    """:class:`DisplayNames` of every file, as a table."""
    names = DisplayNames(inputs)
    return {f: names(f) for f in files}


def is_own_output(path: str | os.PathLike) -> bool:
    """Is ``path`` a file this tool wrote (a summary workbook, or a CSV/Parquet table), so that a
    rerun may replace it? Summaries carry their title in docProps/core.xml; nothing else is assumed."""
    p = Path(path)
    if p.suffix.lower() in (".csv", ".parquet"):
        return True

    try:  # (member names as UTF-8: ours are ASCII; cp437, zipfile's default, costs a codec import)
        with zipfile.ZipFile(p, metadata_encoding="utf-8") as zf:
            info = zf.getinfo("docProps/core.xml")
            if info.file_size > 65536:
                return False
            return SUMMARY_TITLE.encode() in zf.read(info)
    except (OSError, KeyError, zipfile.BadZipFile, ValueError, EOFError, RuntimeError):
        return False


#: the title of every summary workbook (docProps), by which a rerun recognises an earlier summary


def file_key(path: Path | str) -> Any:
    """Identity of a file: device and inode as one number when it exists (one stat, symlinks and hard
    links included), else its normalised absolute path."""
    try:
        st = os.stat(path)
        return st.st_dev << 64 | st.st_ino  # one int: a batch keeps one per file while it searches
    except OSError:
        return os.path.normcase(os.path.abspath(path))

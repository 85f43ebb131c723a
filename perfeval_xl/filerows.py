"""The worker's job in a batch: one file in, compact rows out; a chunk of files into the rows of each
table, already formatted (packed sheet XML, CSV text) when the driver asks for them.

Every sheet of a file is read by the label-anchored reader (:func:`perfeval_xl.grid.load_grids` +
:func:`perfeval_xl.reader.read_grid`) and every form scored by :func:`perfeval_xl.rules.evaluate`. A file
or sheet that cannot be read becomes an error row; nothing here raises. This runs in the worker
processes of :mod:`perfeval_xl.workers` (see :func:`perfeval_xl.batch.run_chunks`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import labels
from .columns import form_rows
from .model import ReadError
from .profiles import Profile
from .safeout import display_path
from .summary import pack_table
from .tablefiles import csv_rows

if TYPE_CHECKING:
    from .xlsxstream import Packed

_NO_FORM = "未找到绩效自评表（没有“项目名称”“项目资金”“一级指标”等表头）"


# ---------------------------------------------------------------------------------------------------
# The worker: one file in, compact rows out.


@dataclass
class FileRows:
    """What one input produced, as plain tuples (cheap to send between processes)."""

    forms: list[tuple] = field(default_factory=list)
    indicators: list[tuple] = field(default_factory=list)
    findings: list[tuple] = field(default_factory=list)
    errors: list[tuple] = field(default_factory=list)


def _form_rows(form, result, out: FileRows, source: str) -> None:
    row, indicators, findings = form_rows(form, result, source)
    out.forms.append(row)
    out.indicators += indicators
    out.findings += findings


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ReadError):
        reason = exc.reason
        if exc.cell:
            reason = f"{exc.cell}：{reason}"
        return reason
    if isinstance(exc, MemoryError):
        return "文件过大，无法读取（所需内存超过上限）"
    if not isinstance(exc, Exception):  # e.g. pyo3's PanicException from a native reader
        return f"读取程序内部错误，文件可能已损坏（{type(exc).__name__}：{str(exc).strip()[:120]}）"
    text = str(exc).strip() or type(exc).__name__
    return f"无法读取：{text}"


def process_file(path: str, profile: Profile | str | None = None, shown: str | None = None) -> FileRows:
    """Read and score every form of one input; failures become error rows. Never raises.

    ``shown`` is what the rows call the file (see :class:`~perfeval_xl.discovery.DisplayNames`);
    by default its path."""
    from . import grid as grid_module
    from . import reader
    from .rules import evaluate

    out = FileRows()
    n_forms = 0
    source = path
    path = display_path(path if shown is None else shown)  # what the rows show; ``source`` is opened

    why: ReadError | None = None  # why the file holds no form, when a sheet can tell

    def sheet_failed(err: ReadError) -> None:
        out.errors.append((path, err.sheet, _reason(err)))

    try:
        for g in grid_module.load_grids(source, on_sheet_error=sheet_failed):
            try:
                forms = reader.read_grid(g, lean=True)  # goal texts etc. are not in the summary
                if not forms and not n_forms and why is None:
                    why = reader.why_no_form(g)  # a scoring table: say so, naming its header
            except Exception as exc:  # noqa: BLE001 - one bad sheet must not stop the batch
                # a ReadError names a form the reader started on (its name label, its funds block);
                # anything else counts only on a sheet that carries form labels
                if isinstance(exc, ReadError) or _looks_like_form(g):
                    out.errors.append((path, g.sheet, _reason(exc)))
                continue
            for form in forms:
                try:
                    result = evaluate(form, profile) if profile is not None else evaluate(form)
                    _form_rows(result.form, result, out, path)  # result.form: with a derived total
                    n_forms += 1
                except Exception as exc:  # noqa: BLE001
                    out.errors.append((path, form.sheet, f"第{form.index}张表无法计分：{_reason(exc)}"))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - corrupt, encrypted, too big; a native reader's panic
        out.errors.append((path, getattr(exc, "sheet", None), _reason(exc)))
        return out
    if not n_forms and not out.errors:
        out.errors.append((path, why.sheet, _reason(why)) if why is not None else (path, None, _NO_FORM))
    return out


_ANCHORS = (labels.PROJECT, labels.LEVEL1, labels.FUND_TOTAL, *labels.TITLES)


def _looks_like_form(g) -> bool:
    """Does a sheet the reader rejected carry form labels (then its failure is worth an error row)?"""
    for row in getattr(g, "rows", ()):
        for cell in row:
            if isinstance(cell, str) and any(a in cell for a in _ANCHORS):
                return True
    return False


@dataclass
class ChunkOut:
    """What a worker sends back for a chunk of files: compact, cheap to pickle.

    ``xml``/``csv`` hold the rows of each table already formatted (bytes) when asked for; ``rows`` the
    tuples (the Python API and Parquet need them); ``form_rows`` the 汇总 rows (the parent counts each
    project once per department: duplicates across chunks are found there); ``errors`` the error rows
    (few) for the caller's report."""

    files: int
    forms: int
    findings: int
    form_rows: list[tuple]
    errors: list[tuple]
    xml: dict[str, Packed] | None = None
    csv: dict[str, bytes] | None = None
    rows: FileRows | None = None


def process_chunk(
    paths: Sequence[str],
    profile: Profile | str | None,
    want: frozenset[str],
    shown: Callable[[str], str] | None = None,
    on_file: Callable[[int], None] | None = None,
) -> ChunkOut:
    """Read a chunk of files (in a worker); ``on_file(i)`` is called before the i-th file is read
    (the worker pool's watch on which file is being read)."""
    # The cyclic garbage collector finds nothing to free in reading and scoring (no reference cycles)
    # but costs ~7 % of the time in collections; a chunk is small, so pause it for the chunk.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _chunk_out(paths, profile, want, shown, on_file)
    finally:
        if paused:
            gc.enable()


#: files read between two emptyings of the reader's caches (see :func:`_forget_texts`)
FORGET_EVERY = 1000
_read_since = [0]


def _forget_texts() -> None:
    """Empty the caches in which the reader keeps what it learnt about each text it has seen.

    They pay off within a batch (forms repeat their labels) but every distinct text (a project name,
    a unit) stays in them up to their size limits: over 10,000 distinct workbooks ~13 MiB in a worker.
    Emptied every :data:`FORGET_EVERY` files, a worker stays within a few MiB of where it started; the
    labels are learnt again at the next file."""
    _read_since[0] += 1
    if _read_since[0] < FORGET_EVERY:
        return
    _read_since[0] = 0
    from . import headers, indicator_rules, labels, reader, reader_scan, rules, values

    for module in (*reader.PARTS, headers, labels, values, indicator_rules, rules):
        for obj in list(vars(module).values()):
            clear = getattr(obj, "cache_clear", None)
            if callable(clear):
                clear()
    reader_scan._KINDS.clear()  # the reader's own table of cell texts


def _chunk_out(
    paths: Sequence[str],
    profile: Profile | str | None,
    want: frozenset[str],
    shown: Callable[[str], str] | None,
    on_file: Callable[[int], None] | None,
) -> ChunkOut:
    rows = FileRows()
    for i, path in enumerate(paths):
        if on_file is not None:
            on_file(i)
        one = process_file(path, profile, shown(path) if shown else None)
        _forget_texts()
        rows.forms += one.forms
        rows.indicators += one.indicators
        rows.findings += one.findings
        rows.errors += one.errors
    out = ChunkOut(len(paths), len(rows.forms), len(rows.findings), rows.forms, rows.errors)
    tables = {
        "forms": rows.forms,
        "indicators": rows.indicators,
        "findings": rows.findings,
        "errors": rows.errors,
    }
    if "xml" in want:
        out.xml = {key: pack_table(key, table) for key, table in tables.items()}
    if "csv" in want:
        out.csv = {key: csv_rows(table) for key, table in tables.items()}
    if "rows" in want:
        out.rows = rows
    return out


def error_chunk(errors: list[tuple], want: frozenset[str]) -> ChunkOut:
    """The output of files that produced nothing but error rows."""
    out = ChunkOut(len(errors), 0, 0, [], errors)
    if "xml" in want:
        out.xml = {"errors": pack_table("errors", errors)}
    if "csv" in want:
        out.csv = {"errors": csv_rows(errors)}
    if "rows" in want:
        out.rows = FileRows(errors=list(errors))
    return out

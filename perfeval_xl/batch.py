"""Batch consolidation: many filled workbooks in, one set of tables out.

>>> from perfeval_xl import consolidate
>>> c = consolidate(["examples/forms"])                          # doctest: +SKIP
>>> c.forms[["项目名称", "执行率", "总分", "评分等级"]]           # doctest: +SKIP

Inputs are files, folders (searched recursively) and glob patterns. Every sheet of every workbook is
read by the label-anchored reader (:func:`perfeval_xl.grid.load_grids` + :func:`perfeval_xl.reader.read_grid`)
and every number is recomputed by :func:`perfeval_xl.rules.evaluate`; what a workbook states is only
compared (``stated-mismatch``). A file or sheet that cannot be read becomes a row of ``errors``; the batch
never stops.

Work is spread over processes in chunks of files. Each worker opens one file at a time and sends back
compact row tuples (never forms or workbooks), so memory grows with the size of the output tables, not
with the size of the inputs. Aggregates (per 主管部门, execution-rate buckets) are summed with ``Decimal``
and rounded by the profile's own rule, never with floats.
"""

from __future__ import annotations

import gc
import glob
import io
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import columns, labels
from .columns import FINDINGS, FORMS, RATE_BUCKETS, SUMMARY_TITLE, TABLES, form_rows
from .columns import NO_DEPARTMENT as _NO_DEPARTMENT
from .model import ReadError
from .profiles import Profile, get_profile, profile_argument
from .safeout import atomic_write, display_path, publish, sweep_stale, temp_prefix

if TYPE_CHECKING:
    import pandas as pd

    from .xlsxstream import Packed

#: file endings searched for inside folders (files named explicitly are tried whatever their ending)
EXTENSIONS = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".txt", ".tsv", ".htm", ".html")

_NO_FORM = "未找到绩效自评表（没有“项目名称”“项目资金”“一级指标”等表头）"


class UsageError(ValueError):
    """Unusable arguments (no inputs, output over an input, unknown profile): exit status 2."""


# ---------------------------------------------------------------------------------------------------
# Discovery


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
    excluded = {_key(Path(p)) for p in exclude}
    files: list[str] = []
    seen: set[str] = set()
    errors: list[tuple[str, str | None, str]] = []

    def add(path: Path, explicit: bool) -> None:
        key = _key(path)
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
    import zipfile

    try:
        with zipfile.ZipFile(p) as zf:
            info = zf.getinfo("docProps/core.xml")
            if info.file_size > 65536:
                return False
            return SUMMARY_TITLE.encode() in zf.read(info)
    except (OSError, KeyError, zipfile.BadZipFile, ValueError, EOFError, RuntimeError):
        return False


#: the title of every summary workbook (docProps), by which a rerun recognises an earlier summary


def _key(path: Path) -> Any:
    """Identity of a file: (device, inode) when it exists (one stat, symlinks and hard links
    included), else its normalised absolute path."""
    try:
        st = os.stat(path)
        return (st.st_dev, st.st_ino)
    except OSError:
        return os.path.normcase(os.path.abspath(path))


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

    ``shown`` is what the rows call the file (see :func:`display_names`); by default its path."""
    from . import grid as grid_module
    from . import reader
    from .rules import evaluate

    out = FileRows()
    n_forms = 0
    source = path
    path = display_path(path if shown is None else shown)  # what the rows show; ``source`` is opened

    def sheet_failed(err: ReadError) -> None:
        out.errors.append((path, err.sheet, _reason(err)))

    try:
        for g in grid_module.load_grids(source, on_sheet_error=sheet_failed):
            try:
                forms = reader.read_grid(g, lean=True)  # goal texts etc. are not in the summary
            except Exception as exc:  # noqa: BLE001 - one bad sheet must not stop the batch
                if _looks_like_form(g):
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
        out.errors.append((path, None, _NO_FORM))
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


def _process_chunk(
    paths: Sequence[str],
    profile: Profile | str | None,
    want: frozenset[str],
    shown: dict[str, str] | None = None,
    on_file: Callable[[int], None] | None = None,
) -> ChunkOut:
    """Read a chunk of files (in a worker); ``on_file(i)`` is called before the i-th file is read
    (the worker pool's watch on which file is being read)."""
    # The cyclic garbage collector finds nothing to free in reading and scoring (no reference cycles)
    # but costs ~7 % of the time in collections; a chunk is small, so pause it for the chunk.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _chunk_out(paths, profile, want, shown or {}, on_file)
    finally:
        if paused:
            gc.enable()


def _chunk_out(
    paths: Sequence[str],
    profile: Profile | str | None,
    want: frozenset[str],
    shown: dict[str, str],
    on_file: Callable[[int], None] | None,
) -> ChunkOut:
    rows = FileRows()
    for i, path in enumerate(paths):
        if on_file is not None:
            on_file(i)
        one = process_file(path, profile, shown.get(path))
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
        from .summary import pack_table

        out.xml = {key: pack_table(key, table) for key, table in tables.items()}
    if "csv" in want:
        out.csv = {key: csv_rows(table) for key, table in tables.items()}
    if "rows" in want:
        out.rows = rows
    return out


# ---------------------------------------------------------------------------------------------------
# The driver


#: table key -> column names (see :mod:`perfeval_xl.columns`)
COLUMNS = {key: table.names for key, table in TABLES.items()}


class Consolidation:
    """The tables of a batch: ``forms``, ``indicators``, ``findings``, ``errors``, ``departments``
    (per 主管部门, last row 合计) and ``rate_buckets``, as pandas DataFrames built on first access.

    ``rows[key]`` holds the same tables as tuples with exact ``Decimal`` numbers (the summary workbook
    is written from these); the DataFrames carry floats for analysis. Department sums, means and rates
    were computed with ``Decimal`` and the profile's rounding before any conversion.
    """

    def __init__(self, rows: dict[str, list[tuple]], files: int = 0, profile: str = "", seconds: float = 0.0):
        self.rows = rows
        self.files = files
        self.profile = profile
        self.seconds = seconds
        self._frames: dict[str, pd.DataFrame] = {}

    def frame(self, key: str) -> pd.DataFrame:
        if key not in self._frames:
            import pandas as pd

            self._frames[key] = _frame(self.rows[key], COLUMNS[key], pd)
        return self._frames[key]

    forms = property(lambda self: self.frame("forms"), doc="one row per form")
    indicators = property(lambda self: self.frame("indicators"), doc="one row per indicator")
    findings = property(lambda self: self.frame("findings"), doc="one row per finding")
    errors = property(lambda self: self.frame("errors"), doc="one row per unreadable input or sheet")
    departments = property(lambda self: self.frame("departments"), doc="per 主管部门, then 合计")
    rate_buckets = property(lambda self: self.frame("rate_buckets"), doc="forms per execution-rate bucket")

    @property
    def ok(self) -> bool:
        """True when every input was read."""
        return not self.rows["errors"]

    def tables(self) -> dict[str, pd.DataFrame]:
        return {key: self.frame(key) for key in COLUMNS}

    def __repr__(self) -> str:
        n = {k: len(v) for k, v in self.rows.items()}
        return f"Consolidation(files={self.files}, forms={n['forms']}, errors={n['errors']}, profile={self.profile!r})"


ProgressFn = Callable[[int, int, int], None]  # (files done, files total, forms so far)


def _override(profile: str | Profile | None) -> Profile | str | None:
    """The profile every form is scored under: a Profile, ``"auto"`` (inferred per form) or None."""
    try:
        return profile_argument(profile)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def consolidate(
    inputs: Iterable[str | os.PathLike] | str | os.PathLike,
    profile: str | Profile | None = None,
    jobs: int | None = None,
    progress: ProgressFn | None = None,
    exclude: Iterable[str | os.PathLike] = (),
) -> Consolidation:
    """Read, score and tabulate every form found in ``inputs``.

    ``profile`` overrides every form's own 评分规则 (unknown names raise :class:`UsageError`);
    ``jobs`` is the number of worker processes (default: all cores; 1 runs in this process);
    ``progress(done, total, forms)`` is called as files complete.
    """
    started = time.perf_counter()
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    override = _override(profile)
    files, missing = discover(inputs, exclude)
    acc = _Accumulator(override if isinstance(override, Profile) else get_profile(None))
    acc.errors.extend((source, None, reason) for source, _sheet, reason in missing)
    shown = display_names(inputs, files)
    for chunk in run_chunks(files, override, jobs, frozenset({"rows"}), progress, shown):
        acc.add(chunk)
    out = acc.build(len(files))
    if isinstance(override, str):
        out.profile = override  # "auto": each form's rule is in its own row
    out.seconds = time.perf_counter() - started
    return out


@dataclass
class StreamStats:
    """What :func:`consolidate_to` did (for the CLI's report); the tables themselves went to disk."""

    files: int = 0
    forms: int = 0
    findings: int = 0
    n_errors: int = 0
    error_files: int = 0
    first_errors: list[tuple] = field(default_factory=list)
    seconds: float = 0.0


def consolidate_to(
    output: str | os.PathLike,
    inputs: Iterable[str | os.PathLike] | str | os.PathLike,
    profile: str | Profile | None = None,
    jobs: int | None = None,
    progress: ProgressFn | None = None,
    exclude: Iterable[str | os.PathLike] = (),
    csv_dir: str | os.PathLike | None = None,
    parquet_dir: str | os.PathLike | None = None,
    discovered: tuple[list[str], list[tuple]] | None = None,
) -> StreamStats:
    """Like :func:`consolidate`, but the summary workbook (and ``--csv`` tables) are written as the
    rows arrive, so memory does not grow with the number of inputs. Parquet (``parquet_dir``) is
    written from in-memory tables at the end. ``discovered`` is :func:`discover`'s answer, when the
    caller already has it."""
    from .summary import SummaryWriter, pack_table

    started = time.perf_counter()
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    override = _override(profile)
    prof = override if isinstance(override, Profile) else get_profile(None)
    files, missing = discovered if discovered is not None else discover(inputs, exclude)
    want = {"xml"}
    if csv_dir is not None:
        want.add("csv")
    if parquet_dir is not None:
        want.add("rows")
    stats = StreamStats(files=len(files))
    agg = Aggregates()
    kept = _Accumulator(prof) if parquet_dir is not None else None
    last_source: list[Any] = [object()]

    def note_errors(errors: list[tuple]) -> None:
        stats.n_errors += len(errors)
        for err in errors:
            if err[0] != last_source[0]:
                stats.error_files += 1
                last_source[0] = err[0]
            if len(stats.first_errors) < 20:
                stats.first_errors.append(err)

    first = [(source, None, reason) for source, _sheet, reason in missing]
    with (
        SummaryWriter(output, override if isinstance(override, str) else prof.name) as writer,
        _CsvSink(csv_dir) as csv_sink,
    ):
        note_errors(first)
        writer.add("errors", pack_table("errors", first))
        if csv_sink:
            csv_sink.add("errors", csv_rows(first))
        if kept is not None:
            kept.errors.extend(first)
        duplicates: list[tuple] = []
        shown = display_names(inputs, files)
        for chunk in run_chunks(files, override, jobs, frozenset(want), progress, shown):
            stats.forms += chunk.forms
            stats.findings += chunk.findings
            note_errors(chunk.errors)
            duplicates += agg.add_forms(chunk.form_rows)
            for key, xml in (chunk.xml or {}).items():
                writer.add(key, xml)
            if csv_sink:
                for key, text in (chunk.csv or {}).items():
                    csv_sink.add(key, text)
            if kept is not None:
                kept.add(chunk)
        if duplicates:  # batch-level findings: after the forms' own
            stats.findings += len(duplicates)
            writer.add("findings", pack_table("findings", duplicates))
            if csv_sink:
                csv_sink.add("findings", csv_rows(duplicates))
        departments, buckets = agg.departments(prof), agg.buckets()
        writer.close(departments, buckets)
        if csv_sink:
            csv_sink.add("departments", csv_rows(departments))
            csv_sink.add("rate_buckets", csv_rows(buckets))
            csv_sink.close()
    if kept is not None and parquet_dir is not None:
        write_parquet(kept.build(len(files)), parquet_dir)
    stats.seconds = time.perf_counter() - started
    return stats


def _chunk_size(total: int, jobs: int) -> int:
    # Big enough to amortise the hand-off, small enough to balance the cores and stream progress.
    return max(1, min(32, total // (jobs * 8)))


def run_chunks(
    files: list[str],
    profile: Profile | str | None,
    jobs: int | None,
    want: frozenset[str],
    progress: ProgressFn | None = None,
    shown: dict[str, str] | None = None,
) -> Iterator[ChunkOut]:
    """Process ``files`` in chunks, over ``jobs`` worker processes (one with ``jobs=1``: a file that
    crashes its reader must not take this process along), yielding the output in file order.

    Workers that die are replaced and what they held is read again (:mod:`perfeval_xl.workers`); a
    file that kills a reader twice, or overruns the time limit, yields an error row. At most a few
    chunks per process are in flight or waiting to be yielded, so memory stays bounded."""
    from .workers import Failure, Pool

    total = len(files)
    jobs = max(1, jobs or os.cpu_count() or 1)
    jobs = min(jobs, max(1, total))
    done = 0
    n_forms = 0
    if progress:
        progress(0, total, 0)
    if not total:
        return
    size = 32 if jobs == 1 else _chunk_size(total, jobs)
    chunks = [files[i : i + size] for i in range(0, total, size)]
    ahead = jobs * 4
    parts: dict[int, list[tuple[int, ChunkOut]]] = {}
    remaining: dict[int, int] = {}
    next_out = 0

    def tasks():
        for k, chunk in enumerate(chunks):
            while k >= next_out + ahead:
                yield None  # enough waiting to be written: hand out nothing for now
            remaining[k] = len(chunk)
            parts[k] = []
            yield k, chunk

    context = _mp_context()
    if context is not None and context.get_start_method() == "fork":
        _preload()  # forked workers inherit the imports instead of each paying ~40 ms for them
    shown = shown or {}
    with Pool(jobs, _process_chunk, (profile, want, shown)) as pool:
        for k, paths, result in pool.run(tasks()):
            if isinstance(result, Failure):
                result = _error_chunk(
                    [(shown.get(p) or display_path(p), None, result.reason) for p in paths], want
                )
            parts[k].append((chunks[k].index(paths[0]), result))
            remaining[k] -= len(paths)
            done += len(paths)
            n_forms += result.forms
            if progress:
                progress(done, total, n_forms)
            while remaining.get(next_out) == 0:
                del remaining[next_out]
                for _pos, out in sorted(parts.pop(next_out), key=lambda p: p[0]):
                    yield out
                next_out += 1


def _preload() -> None:
    """Import what the workers use (reader, rules, the XML row writer, calamine) in the parent."""
    import python_calamine  # noqa: F401

    from . import grid, reader, rules, summary  # noqa: F401


def _error_chunk(errors: list[tuple], want: frozenset[str]) -> ChunkOut:
    """The output of files that produced nothing but error rows."""
    out = ChunkOut(len(errors), 0, 0, [], errors)
    if "xml" in want:
        from .summary import pack_table

        out.xml = {"errors": pack_table("errors", errors)}
    if "csv" in want:
        out.csv = {"errors": csv_rows(errors)}
    if "rows" in want:
        out.rows = FileRows(errors=list(errors))
    return out


def _mp_context():
    import multiprocessing

    # fork is fastest on Linux (the parent's imports are inherited); elsewhere use the default.
    if "fork" in multiprocessing.get_all_start_methods() and os.name == "posix":
        return multiprocessing.get_context("fork")
    return None


_I_DEPT = FORMS.index(labels.DEPARTMENT)
_I_ANNUAL = FORMS.index(columns.ANNUAL)
_I_EXEC = FORMS.index(columns.EXECUTED)
_I_RATE = FORMS.index(columns.RATE)
_I_TOTAL = FORMS.index(columns.TOTAL_SCORE)
_I_GRADE = FORMS.index(labels.GRADE)
_I_PROJECT = FORMS.index(labels.PROJECT)
_I_UNIT = FORMS.index(labels.UNIT)
_I_YEAR = FORMS.index(labels.YEAR)
_I_SOURCE = FORMS.index(columns.SOURCE)
_I_SHEET = FORMS.index(columns.SHEET)
_I_INDEX = FORMS.index(columns.INDEX)


def _same_project(row: tuple) -> tuple | None:
    """What makes two forms the same project: 项目名称, 主管部门, 实施单位 and 年度 (spaces ignored);
    None when the form has no project name."""
    project = "".join((row[_I_PROJECT] or "").split())
    if not project:
        return None
    return tuple("".join(str(row[i] or "").split()) for i in (_I_PROJECT, _I_DEPT, _I_UNIT, _I_YEAR))


def _place(row: tuple) -> str:
    sheet = f"［{row[_I_SHEET]}］" if row[_I_SHEET] else ""
    return f"{row[_I_SOURCE]}{sheet}第{row[_I_INDEX]}张表"


def _duplicate_finding(row: tuple, first: tuple) -> tuple:
    """The 问题清单 row for a form that repeats an earlier one (a batch-level finding)."""
    from types import SimpleNamespace

    from .checks import finding

    f = finding(
        "duplicate-form",
        labels.PROJECT,
        f"与 {_place(first)} 是同一项目（项目名称、主管部门、实施单位、年度相同）；"
        f"本表未计入“按主管部门”和执行率分布，请核对是否重复报送",
    )
    form = SimpleNamespace(project=row[_I_PROJECT], sheet=row[_I_SHEET], index=row[_I_INDEX])
    return FINDINGS.row(form, f, row[_I_SOURCE])


class Aggregates:
    """Per 主管部门 counts and exact Decimal sums, and execution-rate buckets: bounded by the number
    of departments (plus one key per project, to count each project once); sums are exact, so the
    order of the forms does not matter."""

    def __init__(self) -> None:
        # department (None: all) -> [n, grade counts..., total score, annual, executed]
        self.depts: dict[str | None, list] = {}
        self.bucket_counts = [0] * len(RATE_BUCKETS)
        self.seen: dict[tuple, tuple] = {}  # project key -> the first form's 汇总 row

    def _dept(self, key: str | None) -> list:
        d = self.depts.get(key)
        if d is None:
            d = self.depts[key] = [0, dict.fromkeys(labels.GRADES, 0), Decimal(0), Decimal(0), Decimal(0)]
        return d

    def add_forms(self, forms: Iterable[tuple]) -> list[tuple]:
        """Count ``forms`` (汇总 rows); a project already counted is not counted again. Returns the
        ``duplicate-form`` finding rows of the repeats."""
        duplicates = []
        for row in forms:
            key = _same_project(row)
            if key is not None:
                first = self.seen.setdefault(key, row)
                if first is not row:
                    duplicates.append(_duplicate_finding(row, first))
                    continue
            for dept in (row[_I_DEPT] or _NO_DEPARTMENT, None):
                d = self._dept(dept)
                d[0] += 1
                if row[_I_GRADE] in d[1]:
                    d[1][row[_I_GRADE]] += 1
                d[2] += row[_I_TOTAL]
                d[3] += row[_I_ANNUAL] or 0
                d[4] += row[_I_EXEC] or 0
            rate = row[_I_RATE]
            for b in range(len(RATE_BUCKETS) - 1, -1, -1):
                if rate >= RATE_BUCKETS[b][1]:
                    self.bucket_counts[b] += 1
                    break
        return duplicates

    @staticmethod
    def _dept_row(name: str, d: list, profile: Profile) -> tuple:
        from .rules import execution_rate, round2

        n, grades, total, annual, executed = d
        mean = round2(total / n, profile) if n else None
        rate = execution_rate(annual, executed, profile)
        return (name, n, *(grades[g] for g in labels.GRADES), mean, annual, executed, rate)

    def departments(self, profile: Profile) -> list[tuple]:
        """The department table: one row per 主管部门 (sorted), then 合计."""
        rows = [
            self._dept_row(k, v, profile)
            for k, v in sorted((k, v) for k, v in self.depts.items() if k is not None)
        ]
        if None in self.depts:
            rows.append(self._dept_row(columns.ALL_DEPARTMENTS, self.depts[None], profile))
        return rows

    def buckets(self) -> list[tuple]:
        return [(label, n) for (label, _), n in zip(RATE_BUCKETS, self.bucket_counts, strict=True)]


class _Accumulator:
    """Collects the chunks' row tuples (in memory: the Python API's contract) and their aggregates."""

    def __init__(self, profile: Profile):
        self.profile = profile
        self.forms: list[tuple] = []
        self.indicators: list[tuple] = []
        self.findings: list[tuple] = []
        self.errors: list[tuple] = []
        self.batch_findings: list[tuple] = []  # duplicate-form: listed after the forms' own findings
        self.agg = Aggregates()

    def add(self, chunk: ChunkOut) -> None:
        rows = chunk.rows
        if rows is not None:
            self.forms.extend(rows.forms)
            self.indicators.extend(rows.indicators)
            self.findings.extend(rows.findings)
            self.errors.extend(rows.errors)
        self.batch_findings.extend(self.agg.add_forms(chunk.form_rows))

    def build(self, n_files: int) -> Consolidation:
        rows = {
            "forms": self.forms,
            "indicators": self.indicators,
            "findings": self.findings + self.batch_findings,
            "errors": self.errors,
            "departments": self.agg.departments(self.profile),
            "rate_buckets": self.agg.buckets(),
        }
        return Consolidation(rows, files=n_files, profile=self.profile.name)


def _frame(rows: list[tuple], columns: Sequence[str], pd) -> pd.DataFrame:
    df = pd.DataFrame.from_records(rows, columns=list(columns))
    for col in columns:
        series = df[col]
        if series.dtype == object and len(series) and any(isinstance(v, Decimal) for v in series.head(50)):
            df[col] = series.map(lambda v: None if v is None else float(v)).astype("float64")
    return df


# ---------------------------------------------------------------------------------------------------
# Other outputs


#: first characters that make Excel (or WPS) run a CSV cell as a formula; the full-width forms too,
#: since Excel with a Chinese input method turns ＝ ＋ － ＠ typed first into their ASCII twins
_FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def _safe_csv_text(v: Any) -> Any:
    """A cell Excel would run as a formula when opening the CSV gets a leading apostrophe."""
    if isinstance(v, str) and v[:1] in _FORMULA_START:
        return "'" + v
    return v


#: file names (without extension) of the tables written by --csv / --parquet
TABLE_FILES = {key: table.sheet for key, table in TABLES.items()}


def csv_rows(rows: Sequence[tuple]) -> bytes:
    """Rows as CSV (UTF-8, CRLF): numbers exactly as computed, form text that could run as a formula
    in Excel with a leading apostrophe."""
    import csv

    buf = io.StringIO()
    csv.writer(buf).writerows(
        [tuple(_safe_csv_text(v) if v.__class__ is str else v for v in row) for row in rows]
    )
    return buf.getvalue().encode("utf-8", "replace")  # lone surrogates (non-UTF-8 file names): "?"


class _CsvSink:
    """One CSV per table, appended to as rows arrive, renamed into place at the end."""

    def __init__(self, folder: str | os.PathLike | None):
        self.folder = Path(folder) if folder is not None else None
        self.files: dict[str, tuple[Any, str, Path]] = {}
        if self.folder is None:
            return
        import tempfile

        self.folder.mkdir(parents=True, exist_ok=True)
        sweep_stale(self.folder)
        for key, name in TABLE_FILES.items():
            path = self.folder / f"{name}.csv"
            fd, tmp = tempfile.mkstemp(prefix=temp_prefix(), suffix=".csv", dir=self.folder)
            fh = os.fdopen(fd, "wb")
            fh.write("\ufeff".encode() + csv_rows([COLUMNS[key]]))
            self.files[key] = (fh, tmp, path)

    def __bool__(self) -> bool:
        return self.folder is not None

    def __enter__(self) -> _CsvSink:
        return self

    def add(self, key: str, data: bytes) -> None:
        self.files[key][0].write(data)

    def close(self) -> None:
        for fh, tmp, path in self.files.values():
            fh.close()
            publish(tmp, path)
        self.files = {}

    def __exit__(self, *exc) -> None:
        for fh, tmp, _path in self.files.values():
            fh.close()
            try:
                os.unlink(tmp)
            except OSError:
                pass


def write_parquet(result: Consolidation, folder: str | os.PathLike) -> list[Path]:
    """One Parquet file per table (text stays text; for DuckDB and BI tools)."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for key, df in result.tables().items():
        path = target / f"{TABLE_FILES[key]}.parquet"

        def write(tmp: str, df: pd.DataFrame = df) -> None:
            df.to_parquet(tmp, index=False, engine="pyarrow")

        atomic_write(path, write)
        written.append(path)
    return written

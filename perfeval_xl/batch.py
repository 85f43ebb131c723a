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

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .aggregates import Aggregates
from .columns import COLUMNS  # noqa: F401 - the API
from .consolidation import Consolidation
from .discovery import EXTENSIONS, DisplayNames, discover, display_names, is_own_output  # noqa: F401
from .filerows import ChunkOut, FileRows, error_chunk, process_chunk, process_file  # noqa: F401 - the API
from .profiles import Profile, get_profile, profile_argument
from .safeout import display_path
from .summary import SummaryWriter, pack_table
from .tablefiles import TABLE_FILES, _CsvSink, csv_rows, write_parquet  # noqa: F401


class UsageError(ValueError):
    """Unusable arguments (no inputs, output over an input, unknown profile): exit status 2."""


# ---------------------------------------------------------------------------------------------------
# The driver


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
    ``jobs`` is the number of worker processes (default: :func:`default_jobs`);
    ``progress(done, total, forms)`` is called as files complete.
    """
    started = time.perf_counter()
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    override = _override(profile)
    files, missing = discover(inputs, exclude)
    acc = _Accumulator(override if isinstance(override, Profile) else get_profile(None))
    acc.errors.extend((source, None, reason) for source, _sheet, reason in missing)
    shown = DisplayNames(inputs)
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
        shown = DisplayNames(inputs)
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


#: files per worker process when ``jobs`` is not given (see :func:`default_jobs`)
FILES_PER_JOB = 100


def default_jobs(files: int) -> int:
    """Worker processes when ``jobs`` is not given: the cores not already busy (by the one-minute load
    average), at most one per :data:`FILES_PER_JOB` files, at least one.

    Measured on this project's shared 2-core machine (2026-11-27, fresh processes, medians of 5, the
    other core free): a second worker takes 100 clerk workbooks in 0.69x the wall time for 11 % more
    CPU, 200 in 0.62x for 7 % more, 400 in 0.58x for 5 % more (its own start-up and cold caches are
    what it costs; they were larger, and a second worker paid off only from ~1,000 files, before the
    run's fixed costs were cut). On a busy core a second worker only costs."""
    cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # not available on this system
        busy = 0.0
    idle = max(1, round(cores - busy))
    return max(1, min(cores, idle, files // FILES_PER_JOB))


def _chunk_size(total: int, jobs: int) -> int:
    # Big enough to amortise the hand-off, small enough to balance the cores and stream progress.
    return max(1, min(32, total // (jobs * 8)))


def run_chunks(
    files: list[str],
    profile: Profile | str | None,
    jobs: int | None,
    want: frozenset[str],
    progress: ProgressFn | None = None,
    shown: Callable[[str], str] | None = None,
) -> Iterator[ChunkOut]:
    """Process ``files`` in chunks, over ``jobs`` worker processes (one with ``jobs=1``: a file that
    crashes its reader must not take this process along), yielding the output in file order.

    Workers that die are replaced and what they held is read again (:mod:`perfeval_xl.workers`); a
    file that kills a reader twice, or overruns the time limit, yields an error row. At most a few
    chunks per process are in flight or waiting to be yielded, so memory stays bounded."""
    from .workers import Failure, Pool

    total = len(files)
    jobs = max(1, jobs or default_jobs(total))
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

    # The workers import the reader, the rules and calamine themselves (~40 ms each): this process
    # stays lean, and forked workers do not carry a copy of what only the parent uses.
    with Pool(jobs, process_chunk, (profile, want, shown)) as pool:
        for k, paths, result in pool.run(tasks()):
            if isinstance(result, Failure):
                result = error_chunk(
                    [(shown(p) if shown else display_path(p), None, result.reason) for p in paths], want
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

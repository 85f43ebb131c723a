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

import glob
import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import labels
from .model import ReadError
from .profiles import Profile, get_profile

if TYPE_CHECKING:
    import pandas as pd

# ---------------------------------------------------------------------------------------------------
# Column names of the output tables (the summary sheets use the same names).

SOURCE = "来源文件"
SHEET = "工作表"
INDEX = "序号"
PROFILE_COL = labels.PROFILE
MONEY_UNIT = "原金额单位"
ANNUAL = labels.FUNDS_HEADER[1]  # 全年预算数 (in 万元)
EXECUTED = labels.FUNDS_HEADER[2]  # 全年执行数 (in 万元)
RATE = labels.FUNDS_HEADER[4]  # 执行率 (percent)
BUDGET_SCORE = "预算执行得分"
INDICATOR_SCORE = "指标得分"
TOTAL_POINTS = "总分值"
TOTAL_SCORE = "总分"
STATED_TOTAL = "填报总分"
STATED_GRADE = "填报等级"
N_FINDINGS = "问题数"
N_ERRORS = "错误级问题数"
KIND = "类型"
STATED_SCORE = "填报得分"
PLACE = "位置"
SEVERITY = "严重程度"
CODE = "代码"
MESSAGE = "说明"
REASON = "原因"

FORM_COLUMNS = (
    labels.PROJECT,
    labels.DEPARTMENT,
    labels.UNIT,
    labels.YEAR,
    ANNUAL,
    EXECUTED,
    RATE,
    BUDGET_SCORE,
    INDICATOR_SCORE,
    TOTAL_SCORE,
    labels.GRADE,
    N_FINDINGS,
    N_ERRORS,
    TOTAL_POINTS,
    STATED_TOTAL,
    STATED_GRADE,
    PROFILE_COL,
    MONEY_UNIT,
    SOURCE,
    SHEET,
    INDEX,
)
INDICATOR_COLUMNS = (
    SOURCE,
    SHEET,
    INDEX,
    labels.PROJECT,
    labels.LEVEL1,
    labels.LEVEL2,
    labels.LEVEL3,
    labels.TARGET,
    labels.ACTUAL,
    labels.POINTS,
    labels.SCORE,
    STATED_SCORE,
    KIND,
    labels.DEVIATION,
)
FINDING_COLUMNS = (SOURCE, SHEET, INDEX, labels.PROJECT, PLACE, SEVERITY, CODE, MESSAGE)
ERROR_COLUMNS = (SOURCE, SHEET, REASON)

COUNT = "项目数"
MEAN_TOTAL = "平均总分"
DEPARTMENT_COLUMNS = (labels.DEPARTMENT, COUNT, *labels.GRADES, MEAN_TOTAL, ANNUAL, EXECUTED, RATE)
ALL_DEPARTMENTS = labels.TOTAL  # the last row of the department table: 合计
BUCKET = "执行率区间"
BUCKET_COLUMNS = (BUCKET, COUNT)
#: execution-rate buckets: (label, lower bound inclusive); a rate falls in the last bucket whose bound it reaches
RATE_BUCKETS = (
    ("60%以下", Decimal("-Infinity")),
    ("60%–80%", Decimal(60)),
    ("80%–90%", Decimal(80)),
    ("90%–100%", Decimal(90)),
    ("100%", Decimal(100)),
    ("超过100%", Decimal("100.01")),  # rates carry two decimals
)

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
KIND_ZH = {"quantitative": "定量", "qualitative": "定性", "unscored": "未计分"}

#: file endings searched for inside folders (files named explicitly are tried whatever their ending)
EXTENSIONS = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".txt", ".tsv", ".htm", ".html")

_WAN = Decimal(10000)
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
            found = sorted(p for p in path.rglob("*") if p.is_file() and _wanted(p))
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
                    for q in sorted(q for q in p.rglob("*") if q.is_file() and _wanted(q)):
                        add(q, explicit=False)
                        hits += 1
            if not hits:
                errors.append((text, None, "没有文件与此模式匹配"))
        else:
            errors.append((text, None, "文件或文件夹不存在"))
    return files, errors


def _key(path: Path) -> str:
    try:
        return os.path.normcase(str(path.resolve()))
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


def _text(x: Any) -> str:
    return "" if x is None else str(x)


def _wan(x: Decimal | None, unit: str) -> Decimal | None:
    if x is None:
        return None
    return x / _WAN if unit == "元" else x


def _form_rows(form, result, out: FileRows, source: str) -> None:
    sheet = form.sheet
    fund = form.total_fund
    unit = form.money_unit or "万元"
    errors = sum(1 for f in result.findings if f.severity == "error")
    out.forms.append(
        (
            form.project,
            form.department,
            form.unit,
            form.year,
            _wan(fund.annual if fund else None, unit),
            _wan(fund.executed if fund else None, unit),
            result.execution_rate,
            result.budget_score,
            result.indicator_score,
            result.total_score,
            result.grade,
            len(result.findings),
            errors,
            result.total_points,
            form.stated_total_score,
            form.stated_grade or "",
            result.profile,
            unit,
            source,
            sheet,
            form.index,
        )
    )
    for ir in result.indicators:
        ind = ir.indicator
        out.indicators.append(
            (
                source,
                sheet,
                form.index,
                form.project,
                ind.level1,
                ind.level2,
                ind.name,
                ind.target,
                ind.actual,
                ind.points,
                ir.score,
                ind.stated_score,
                KIND_ZH.get(ir.kind, ir.kind),
                ind.deviation_reason,
            )
        )
    for f in result.findings:
        out.findings.append(
            (
                source,
                sheet,
                form.index,
                form.project,
                f.where,
                SEVERITY_ZH.get(f.severity, f.severity),
                f.code,
                f.message,
            )
        )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ReadError):
        reason = exc.reason
        if exc.cell:
            reason = f"{exc.cell}：{reason}"
        return reason
    if isinstance(exc, MemoryError):
        return "文件过大，无法读取"
    text = str(exc).strip() or type(exc).__name__
    return f"无法读取：{text}"


def process_file(path: str, profile: Profile | None = None) -> FileRows:
    """Read and score every form of one input; failures become error rows. Never raises."""
    from . import grid as grid_module
    from . import reader
    from .rules import evaluate

    out = FileRows()
    n_forms = 0

    def sheet_failed(err: ReadError) -> None:
        out.errors.append((path, err.sheet, _reason(err)))

    try:
        for g in grid_module.load_grids(path, on_sheet_error=sheet_failed):
            try:
                forms = reader.read_grid(g)
            except Exception as exc:  # noqa: BLE001 - one bad sheet must not stop the batch
                if _looks_like_form(g):
                    out.errors.append((path, g.sheet, _reason(exc)))
                continue
            for form in forms:
                try:
                    result = evaluate(form, profile) if profile is not None else evaluate(form)
                    _form_rows(form, result, out, path)
                    n_forms += 1
                except Exception as exc:  # noqa: BLE001
                    out.errors.append((path, form.sheet, f"第{form.index}张表无法计分：{_reason(exc)}"))
    except Exception as exc:  # noqa: BLE001 - unreadable file: corrupt, encrypted, empty, too big ...
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


def _process_chunk(chunk: Sequence[tuple[int, str]], profile: Profile | None) -> list[tuple[int, FileRows]]:
    return [(i, process_file(path, profile)) for i, path in chunk]


# ---------------------------------------------------------------------------------------------------
# The driver


#: table key -> column names
COLUMNS = {
    "forms": FORM_COLUMNS,
    "indicators": INDICATOR_COLUMNS,
    "findings": FINDING_COLUMNS,
    "errors": ERROR_COLUMNS,
    "departments": DEPARTMENT_COLUMNS,
    "rate_buckets": BUCKET_COLUMNS,
}


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
    try:
        override = get_profile(profile) if profile is not None else None
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    files, missing = discover(inputs, exclude)
    results = _run(files, override, jobs, progress)
    acc = _Accumulator(override or get_profile(None))
    for source, _sheet, reason in missing:
        acc.errors.append((source, None, reason))
    for rows in results:
        acc.add(rows)
    out = acc.build(len(files))
    out.seconds = time.perf_counter() - started
    return out


def _run(
    files: list[str], profile: Profile | None, jobs: int | None, progress: ProgressFn | None
) -> list[FileRows]:
    total = len(files)
    jobs = max(1, jobs or os.cpu_count() or 1)
    jobs = min(jobs, max(1, total))
    results: list[FileRows | None] = [None] * total
    done = 0
    n_forms = 0
    if progress:
        progress(0, total, 0)
    if jobs == 1 or total < 4:
        for i, path in enumerate(files):
            results[i] = process_file(path, profile)
            done += 1
            n_forms += len(results[i].forms)
            if progress:
                progress(done, total, n_forms)
        return [r for r in results if r is not None]

    # Chunks big enough to amortise the hand-off, small enough to balance and to stream progress.
    size = max(1, min(32, total // (jobs * 8)))
    tasks = list(enumerate(files))
    chunks = [tasks[i : i + size] for i in range(0, total, size)]
    from concurrent.futures import FIRST_COMPLETED, wait

    context = _mp_context()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending = set()
        it = iter(chunks)
        # Keep a bounded number of chunks in flight so results are consumed as they arrive.
        for chunk in it:
            pending.add(pool.submit(_process_chunk, chunk, profile))
            if len(pending) >= jobs * 4:
                break
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                for i, rows in _chunk_result(fut):
                    results[i] = rows
                    done += 1
                    n_forms += len(rows.forms)
            for chunk in it:
                pending.add(pool.submit(_process_chunk, chunk, profile))
                if len(pending) >= jobs * 4:
                    break
            if progress:
                progress(done, total, n_forms)
    # A chunk whose worker died leaves holes: report those files instead of losing them.
    for i, r in enumerate(results):
        if r is None:
            results[i] = FileRows(errors=[(files[i], None, "读取进程异常退出（文件可能过大或损坏）")])
    return results  # type: ignore[return-value]


def _chunk_result(fut) -> list[tuple[int, FileRows]]:
    try:
        return fut.result()
    except Exception:  # noqa: BLE001 - a crashed worker (BrokenProcessPool); holes are filled later
        return []


def _mp_context():
    import multiprocessing

    # fork is fastest on Linux (the parent's imports are inherited); elsewhere use the default.
    if "fork" in multiprocessing.get_all_start_methods() and os.name == "posix":
        return multiprocessing.get_context("fork")
    return None


class _Accumulator:
    """Collects row tuples and sums per 主管部门 with Decimal as rows arrive."""

    def __init__(self, profile: Profile):
        self.profile = profile
        self.forms: list[tuple] = []
        self.indicators: list[tuple] = []
        self.findings: list[tuple] = []
        self.errors: list[tuple] = []
        self.depts: dict[str, dict[str, Any]] = {}
        self.buckets = [0] * len(RATE_BUCKETS)

    def add(self, rows: FileRows) -> None:
        self.forms.extend(rows.forms)
        self.indicators.extend(rows.indicators)
        self.findings.extend(rows.findings)
        self.errors.extend(rows.errors)
        i_dept = FORM_COLUMNS.index(labels.DEPARTMENT)
        i_annual = FORM_COLUMNS.index(ANNUAL)
        i_exec = FORM_COLUMNS.index(EXECUTED)
        i_rate = FORM_COLUMNS.index(RATE)
        i_total = FORM_COLUMNS.index(TOTAL_SCORE)
        i_grade = FORM_COLUMNS.index(labels.GRADE)
        for row in rows.forms:
            for key in (row[i_dept] or "（未填）", None):
                d = self.depts.setdefault(
                    key,
                    {"n": 0, "grades": dict.fromkeys(labels.GRADES, 0), "total": Decimal(0), "annual": Decimal(0),
                     "executed": Decimal(0)},
                )  # fmt: skip
                d["n"] += 1
                if row[i_grade] in d["grades"]:
                    d["grades"][row[i_grade]] += 1
                d["total"] += row[i_total]
                d["annual"] += row[i_annual] or 0
                d["executed"] += row[i_exec] or 0
            rate = row[i_rate]
            for b in range(len(RATE_BUCKETS) - 1, -1, -1):
                if rate >= RATE_BUCKETS[b][1]:
                    self.buckets[b] += 1
                    break

    def _dept_row(self, name: str, d: dict[str, Any]) -> tuple:
        from .rules import execution_rate, round2

        mean = round2(d["total"] / d["n"], self.profile) if d["n"] else None
        rate = execution_rate(d["annual"], d["executed"], self.profile)
        return (
            name,
            d["n"],
            *(d["grades"][g] for g in labels.GRADES),
            mean,
            d["annual"],
            d["executed"],
            rate,
        )

    def build(self, n_files: int) -> Consolidation:
        depts = [
            self._dept_row(k, v)
            for k, v in sorted(((k, v) for k, v in self.depts.items() if k is not None), key=lambda kv: kv[0])
        ]
        if None in self.depts:
            depts.append(self._dept_row(ALL_DEPARTMENTS, self.depts[None]))
        buckets = [(label, n) for (label, _), n in zip(RATE_BUCKETS, self.buckets, strict=True)]
        rows = {
            "forms": self.forms,
            "indicators": self.indicators,
            "findings": self.findings,
            "errors": self.errors,
            "departments": depts,
            "rate_buckets": buckets,
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


def _safe_csv_text(v: Any) -> Any:
    """A cell Excel would run as a formula when opening the CSV gets a leading apostrophe."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


#: file names of the tables written by --csv / --parquet
TABLE_FILES = {
    "forms": "汇总",
    "indicators": "指标明细",
    "findings": "问题清单",
    "departments": "按主管部门",
    "errors": "错误",
    "rate_buckets": "执行率分布",
}


def write_csv(result: Consolidation, folder: str | os.PathLike) -> list[Path]:
    """One UTF-8 (with BOM, for Excel) CSV per table; form text that could run as a formula in Excel
    gets a leading apostrophe."""
    import pandas as pd

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for key, df in result.tables().items():
        path = folder / f"{TABLE_FILES[key]}.csv"
        safe = df.copy()
        for col in safe.columns:
            if not pd.api.types.is_numeric_dtype(safe[col]):
                safe[col] = safe[col].map(_safe_csv_text)
        _atomic(path, lambda tmp, safe=safe: safe.to_csv(tmp, index=False, encoding="utf-8-sig"))
        written.append(path)
    return written


def write_parquet(result: Consolidation, folder: str | os.PathLike) -> list[Path]:
    """One Parquet file per table (text stays text; for DuckDB and BI tools)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for key, df in result.tables().items():
        path = folder / f"{TABLE_FILES[key]}.parquet"
        _atomic(path, lambda tmp, df=df: df.to_parquet(tmp, index=False, engine="pyarrow"))
        written.append(path)
    return written


def _atomic(path: Path, write: Callable[[str], None]) -> None:
    """Write through a temporary file in the same folder, then rename over ``path``."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=".~perfeval-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise

"""The batch's tables as files beside the summary workbook: ``--csv`` (streamed, safe to open in Excel)
and ``--parquet`` (for DuckDB and BI tools)."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .columns import COLUMNS, TABLES
from .safeout import atomic_write, publish, sweep_stale, temp_prefix

if TYPE_CHECKING:
    import pandas as pd

    from .consolidation import Consolidation

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

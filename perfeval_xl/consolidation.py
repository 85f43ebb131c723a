"""A batch's result: its tables as row tuples with exact numbers and, on first access, as pandas
DataFrames. Below the driver (:mod:`perfeval_xl.batch` builds it) and the writers that take it
(:mod:`perfeval_xl.summary`, :mod:`perfeval_xl.tablefiles`). pandas is imported only when a DataFrame is
asked for: the process that runs a batch from the command line never imports it."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from .columns import COLUMNS

if TYPE_CHECKING:
    import pandas as pd


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
            self._frames[key] = _frame(self.rows[key], COLUMNS[key])
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


def _frame(rows: list[tuple], columns: Sequence[str]) -> pd.DataFrame:
    import pandas as pd  # only when a DataFrame is asked for

    df = pd.DataFrame.from_records(rows, columns=list(columns))
    for col in columns:
        series = df[col]
        if series.dtype == object and len(series) and any(isinstance(v, Decimal) for v in series.head(50)):
            df[col] = series.map(lambda v: None if v is None else float(v)).astype("float64")
    return df

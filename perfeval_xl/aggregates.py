"""What the batch sums across forms: per 主管部门 counts and exact Decimal sums, execution-rate
buckets, and each project counted once (a second form of the same project is a ``duplicate-form``)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from decimal import Decimal
from typing import IO

from . import columns, labels
from .columns import FINDINGS, FORMS, RATE_BUCKETS
from .columns import NO_DEPARTMENT as _NO_DEPARTMENT
from .profiles import Profile

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


def _same_project(row: tuple) -> int | None:
    """What makes two forms the same project: 项目名称, 主管部门, 实施单位 and 年度 (spaces ignored),
    as the 64-bit hash of their text (one is kept per project for the whole batch: ~40 bytes where the
    four texts take ~500; every hash is taken in this one process, so they compare; two projects
    share one about once in 10¹⁰ batches of 50,000, hashlib's digests would cost 3.6 MiB of
    libcrypto); None when the form has no project name."""
    project = "".join((row[_I_PROJECT] or "").split())
    if not project:
        return None
    key = "\x1f".join("".join(str(row[i] or "").split()) for i in (_I_PROJECT, _I_DEPT, _I_UNIT, _I_YEAR))
    return hash(key)


class _Places:
    """Where each project's first form is, kept in a temporary file (only a repeat reads one back)."""

    def __init__(self) -> None:
        self.file: IO[bytes] | None = None

    def add(self, text: str) -> int:
        if self.file is None:
            self.file = tempfile.TemporaryFile()
        data = text.encode("utf-8", "surrogatepass")
        offset = self.file.seek(0, os.SEEK_END)
        self.file.write(data)
        return offset << 20 | min(len(data), (1 << 20) - 1)

    def get(self, handle: int) -> str:
        assert self.file is not None, "a place was added before"
        self.file.seek(handle >> 20)
        return self.file.read(handle & ((1 << 20) - 1)).decode("utf-8", "surrogatepass")


def _place(row: tuple) -> str:
    sheet = f"［{row[_I_SHEET]}］" if row[_I_SHEET] else ""
    return f"{row[_I_SOURCE]}{sheet}第{row[_I_INDEX]}张表"


def _duplicate_finding(row: tuple, first: str) -> tuple:
    """The 问题清单 row for a form that repeats an earlier one (``first``: where that one is)."""
    from types import SimpleNamespace

    from .checks import finding

    f = finding(
        "duplicate-form",
        labels.PROJECT,
        f"与 {first} 是同一项目（项目名称、主管部门、实施单位、年度相同）；"
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
        self.seen: dict[int, int] = {}  # project digest -> where its first form is (see _Places)
        self.places = _Places()

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
                first = self.seen.get(key)
                if first is not None:
                    duplicates.append(_duplicate_finding(row, self.places.get(first)))
                    continue
                self.seen[key] = self.places.add(_place(row))
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

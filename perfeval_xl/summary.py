"""The summary workbook of a batch, written from streamed rows (:mod:`perfeval_xl.skeleton` for the rest).

Sheets: 汇总 (one row per form), 按主管部门 (per department, with the grade and execution-rate charts),
指标明细 (one row per indicator), 问题清单 (every finding), 错误 (every input that could not be read).
Every text cell is written as text (never a formula), so form text such as ``=HYPERLINK(...)`` stays text.
The file is written to a temporary name in the output folder and renamed into place.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import skeleton
from .cellgrid import column_letter
from .safeout import atomic_write, sweep_stale, temp_prefix
from .skeleton import LOW_RATE, TABLES, _count_axis  # noqa: F401 - the API; _count_axis: tested here
from .xlsxstream import Packed, Part, RowXml, assemble, pack, unpack_rows

if TYPE_CHECKING:
    from .consolidation import Consolidation

MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included


def write_summary(result: Consolidation, path: str | os.PathLike) -> Path:
    """Write the summary workbook of ``result`` to ``path`` (atomically). Returns the path.

    The rows go through the same :class:`RowXml` and :class:`SummaryWriter` as the streaming CLI, so
    both paths give the same workbook."""
    rows = result.rows
    with SummaryWriter(path, result.profile) as writer:
        for key in TABLES:
            table = rows[key]
            for i in range(0, len(table), 8192):
                writer.add(key, pack_table(key, table[i : i + 8192]))
        writer.close(rows["departments"], rows["rate_buckets"])
    return Path(path)


# How the workbook is made: the data rows of the four big tables are turned into sheet XML by
# :class:`RowXml` and deflated by :func:`pack` (in the worker processes on the CLI path), then appended
# to one temporary file per sheet by :class:`SummaryWriter` as they arrive. The rows carry no ``r``
# attributes: ECMA-376 makes them optional (a row without one follows the previous row, a cell the
# previous cell), so a chunk's XML does not depend on where it lands and the parent only copies bytes. At the end
# :mod:`perfeval_xl.skeleton` writes the rest of the workbook -- styles, column formats, header rows, frozen
# panes, autofilters, conditional formats, the department sheet and its charts -- and the zip is assembled
# from that skeleton and the compressed rows (each sheet's deflate stream is skeleton head + rows + skeleton
# tail, joined at byte-aligned flush points). Numbers are written exactly as computed (the Decimal's
# own digits), text as inline strings, never formulas.

#: XF style indices of the cell formats: those of the skeleton's styles.xml (skeleton.CELL_STYLES)
_STYLE_MONEY, _STYLE_TWO, _STYLE_INT, _STYLE_TEXT = 2, 3, 4, 5
_STYLE = {"money": _STYLE_MONEY, "two": _STYLE_TWO, "int": _STYLE_INT, "text": _STYLE_TEXT}


def row_xml(key: str) -> RowXml:
    """The row writer of a streamed table: its columns' number formats, wrapped printed text."""
    cols = TABLES[key].columns
    styles = [None if c.kind == "text" else _STYLE[c.kind] for c in cols]
    wrapped = [(i, c.width) for i, c in enumerate(cols) if c.kind == "text" and c.printed]
    return RowXml(styles, _STYLE_TEXT, wrapped)


def pack_table(key: str, rows: Sequence[tuple]) -> Packed:
    """:class:`RowXml` then :func:`pack`: what a worker sends back for one table of a chunk."""
    return pack(row_xml(key)(rows), len(rows))


class SummaryWriter:
    """Writes the summary workbook from streamed rows; memory stays flat whatever the number of rows.

    ``add(key, packed)`` takes :func:`pack_table` output for a table of :data:`TABLES` (in order);
    ``close(departments, rate_buckets)`` writes the workbook atomically. Use as a context manager so
    the temporary files go away on errors too."""

    def __init__(self, path: str | os.PathLike, profile: str = ""):
        import tempfile

        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.profile = profile
        sweep_stale(self.path.parent)  # what a killed earlier run left here
        self.tmp = tempfile.mkdtemp(prefix=temp_prefix(), dir=self.path.parent)
        self.parts: dict[str, list[Part]] = {key: [] for key in TABLES}
        self.counts = dict.fromkeys(TABLES, 0)

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()

    def cleanup(self) -> None:
        import shutil

        for parts in self.parts.values():
            for part in parts:
                if not part.fh.closed:
                    part.fh.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def add(self, key: str, packed: Packed) -> None:
        if not packed.rows:
            return
        self.counts[key] += packed.rows
        parts = self.parts[key]
        per_sheet = MAX_ROWS - 1
        if not parts or parts[-1].rows >= per_sheet:
            parts.append(Part(self.tmp, key, len(parts) + 1))
        if parts[-1].rows + packed.rows <= per_sheet:
            parts[-1].write(packed)  # the common case: the worker's bytes as they are
            return
        rows = unpack_rows(packed)  # the segment straddles Excel's row limit: split it
        while rows:
            if parts[-1].rows >= per_sheet:
                parts.append(Part(self.tmp, key, len(parts) + 1))
            room = per_sheet - parts[-1].rows
            parts[-1].write(pack(b"".join(rows[:room]), len(rows[:room])))
            rows = rows[room:]

    def close(self, departments: Sequence[tuple], buckets: Sequence[tuple]) -> Path:
        for parts in self.parts.values():
            for part in parts:
                part.finish()
        members, targets = skeleton.parts(self.profile, {k: [p.rows for p in v] for k, v in self.parts.items()},
                                          departments, buckets)  # fmt: skip
        streams = {}
        for name, (key, k) in targets.items():
            if k < len(self.parts[key]):
                part = self.parts[key][k]
                streams[name] = (part, f"{column_letter(len(TABLES[key].columns) - 1)}{part.rows + 1}")
        atomic_write(self.path, lambda tmp: assemble(members, tmp, streams))
        return self.path

"""Every limit on what an input may cost, in one place (standard library only).

An input is checked against these *before* anything is allocated for it: file and part sizes and
compression ratios from the zip directory, the sheet count and the sheets' parts from ``workbook.xml``,
the shared-string count a workbook claims, the cell range a sheet claims (``<dimension>``) and the
cells it actually holds (a bounded scan of the sheet XML), lines and tabs of a text export, spanned
cells of an HTML table. What passes is then read in a worker process with an address-space limit
(:attr:`Limits.max_memory_mb`) and a time budget (:attr:`Limits.timeout`), so whatever slips through
costs one error row, not the batch.

``perfeval-xl consolidate`` sets them from its options (``--max-file-mb`` …); ``score`` and ``import``
use the defaults. The Python API: ``limits.configure(max_cells=...)``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    #: files larger than this are refused unread (``--max-file-mb``)
    max_file_mb: float = 100  # the options take fractions (--max-file-mb 0.5)
    #: zip containers (xlsx/xlsm/ods): all members together may unpack to this much (``--max-unzipped-mb``)
    max_unzipped_mb: float = 300
    #: ... and a member of at least 1 MiB may compress no better than this
    max_compression_ratio: int = 200
    #: cells of one sheet, HTML table or text export, counted before it is loaded: the bounding box of
    #: the cells present and the range the sheet claims (``--max-cells``); 2 million cells cost ~280 MiB
    max_cells: int = 2_000_000
    #: sheets of one workbook (``--max-sheets``)
    max_sheets: int = 1000
    #: entries a workbook's shared-string table may claim
    max_shared_strings: int = 2_000_000
    #: merged ranges of one xlsx sheet (a form has a few dozen; each becomes Python objects in the reader)
    max_merged_ranges: int = 20_000
    #: lines of a text export (Excel's row limit)
    max_text_lines: int = 1_048_576
    #: seconds one file may take before its reader is stopped (``--timeout``)
    timeout: float = 30.0
    #: address space a reading process may add while reading, in MiB (``--max-memory-mb``)
    max_memory_mb: int = 400

    @property
    def max_file_bytes(self) -> int:  # whole bytes: ``size > limit`` is the same, read(limit) takes it
        return int(self.max_file_mb * MIB)

    @property
    def max_unzipped_bytes(self) -> int:
        return int(self.max_unzipped_mb * MIB)


#: a member must unpack to at least this much before its compression ratio is judged
RATIO_MIN_BYTES = MIB
#: HTML colspan / rowspan are capped (as browsers do)
MAX_SPAN = 1000

_current = Limits()


def current() -> Limits:
    """The limits in force in this process."""
    return _current


def configure(limits: Limits | None = None, **changes) -> Limits:
    """Set the limits of this process (worker processes receive them with their work). Returns the
    previous limits, so a caller can restore them."""
    global _current
    previous = _current
    base = limits if limits is not None else _current
    known = {f.name for f in fields(Limits)}
    unknown = set(changes) - known
    if unknown:
        raise TypeError(f"unknown limits: {', '.join(sorted(unknown))}")
    _current = replace(base, **{k: v for k, v in changes.items() if v is not None})
    return previous

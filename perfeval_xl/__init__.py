"""perfeval-xl: 财政项目支出绩效自评, computed exactly, live in Excel and in batch.

>>> import perfeval_xl
>>> forms = perfeval_xl.read_forms("examples/seed_forms_2023.txt")   # doctest: +SKIP
>>> perfeval_xl.evaluate(forms[0]).total_score                       # doctest: +SKIP
Decimal('99.94')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .model import Finding, Form, FundRow, Indicator, ReadError, Result
from .profiles import Profile, get_profile
from .rules import evaluate

__version__ = "0.1.0"

__all__ = [
    "Finding",
    "Form",
    "FundRow",
    "Indicator",
    "Profile",
    "ReadError",
    "Result",
    "consolidate",
    "evaluate",
    "get_profile",
    "read_forms",
]

if TYPE_CHECKING:
    from .batch import consolidate
    from .reader import read_forms


def __getattr__(name: str) -> Any:
    # The reader and the batch need openpyxl/pandas; keep ``import perfeval_xl`` light so the
    # core (rules, values) also loads inside Excel's own Python.
    if name == "read_forms":
        from .reader import read_forms

        return read_forms
    if name == "consolidate":
        from .batch import consolidate

        return consolidate
    raise AttributeError(f"module 'perfeval_xl' has no attribute {name!r}")

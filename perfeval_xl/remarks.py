"""What the template's 审核提示 cells say: a finding's short text, and which findings a row shows and
which the form shows once beside 评分等级. All of it comes from :data:`perfeval_xl.checks.CODES`; the live
UDFs, the native formulas, ``recalc`` and ``import`` (row heights) all say it the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from .checks import CODES
from .model import Finding

#: the template's short 审核提示 texts by finding code; other codes show their message
SHORT_REMARKS = {code: c.short for code, c in CODES.items() if c.short}
#: finding codes about the whole form, shown once beside 评分等级
FORM_CODES = tuple(code for code, c in CODES.items() if c.scope == "form")
#: codes a single indicator row never shows (they need the whole form, the header or stated numbers)
ROW_EXCLUDE = tuple(code for code, c in CODES.items() if c.scope != "row")
REMARKS_SEPARATOR = "；"


def remarks(findings: Iterable[Finding]) -> str:
    """Findings as the short text of a 审核提示 cell, each text once."""
    texts: list[str] = []
    for f in findings:
        text = SHORT_REMARKS.get(f.code) or f.message
        if text not in texts:
            texts.append(text)
    return REMARKS_SEPARATOR.join(texts)


def row_remarks(findings: Iterable[Finding]) -> str:
    """An indicator row's 审核提示: its findings that a row shows."""
    return remarks(f for f in findings if f.code not in ROW_EXCLUDE)


def form_remarks(findings: Iterable[Finding]) -> str:
    """The form's 审核提示 beside 评分等级: the findings about the whole form."""
    return remarks(f for f in findings if f.code in FORM_CODES)

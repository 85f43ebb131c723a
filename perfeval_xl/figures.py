"""Figures as people write them, read exactly. Standard library only.

``to_decimal`` reads a money or points cell (``Decimal``, never a binary float): full-width digits,
spaces, thousands separators, a money sign (``￥880``) and placeholders such as ``-``; floats at
Excel's 15 significant digits.

>>> to_decimal("１２０,７２２")
Decimal('120722')
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import TypeGuard

_BLANKS = {"", "-", "--", "—", "——", "/", "无", "N/A", "n/a"}

#: a number as written: sign, thousands separators, decimals (``-1,234.5``, ``.5``)
NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+")


def normalize(text: object) -> str:
    """NFKC (full-width digits and signs become ASCII) and no whitespace at all."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    return "".join(s.split())


def float_decimal(value: float) -> Decimal:
    """A finite float as the ``Decimal`` Excel shows: rounded to 15 significant digits.

    Excel keeps doubles but computes and displays with 15 significant digits; a sum such as
    ``100+0.1+21.05`` arrives as 121.14999999999999, which a clerk sees (and means) as 121.15.

    >>> float_decimal(100 + 0.1 + 21.05), float_decimal(0.1 + 0.2), float_decimal(754.31)
    (Decimal('121.15'), Decimal('0.3'), Decimal('754.31'))
    """
    return Decimal(f"{value:.15g}")


def finite_float(x: object) -> TypeGuard[float]:
    return isinstance(x, float) and x == x and x not in (float("inf"), float("-inf"))


def float_text(value: float) -> str:
    """A finite float as plain text at 15 significant digits, no exponent (``3.0`` → ``"3"``)."""
    text = format(float_decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def to_decimal(value: object) -> Decimal | None:
    """A number cell as an exact ``Decimal``; ``None`` for a blank cell or a placeholder such as ``-``.

    Floats (what Excel and openpyxl hand over) are taken at Excel's precision, 15 significant digits
    (:func:`float_decimal`), so ``754.31`` stays ``Decimal('754.31')`` and a budget Excel computed as
    ``=100+0.1+21.05`` (the float 121.14999999999999) is ``Decimal('121.15')``, as Excel shows it. Text may use full-width digits, spaces and thousands separators.
    Anything else raises ``ValueError`` with a Chinese message.
    """
    if value is None:
        return None
    if value.__class__ is Decimal and value.is_finite():  # the common case: already read exactly
        return value
    if isinstance(value, bool):
        raise ValueError(f"“{value}”不是数字")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"“{value}”不是有限的数字")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"“{value}”不是有限的数字")
        return float_decimal(value)
    s = normalize(value)
    if s[:1] == "¥":  # a money sign before the amount (NFKC makes ￥ this ¥)
        s = s[1:]
    if s in _BLANKS:
        return None
    if NUMBER.fullmatch(s):
        try:
            return Decimal(s.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern only admits valid numbers
            pass
    text = str(value).strip()
    if len(text) > 30:
        text = text[:30] + "…"
    raise ValueError(f"“{text}”不是数字")

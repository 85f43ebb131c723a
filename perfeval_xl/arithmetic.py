"""Exact arithmetic of the rules: inputs are ``Decimal`` as written, every score is one multiplication
and one division (10 ÷ 30 × 30 is exactly 10, never 9.99), and rounding happens once, at the profile's
decimals, where the rule rounds (truncate for ``shanghai-municipal``, half up for ``mof-2020``). The
division is carried to 80 digits rounding toward zero, which provably gives the same two-decimal result
as the exact quotient under both rounding modes (a Fraction fallback covers inputs too long for that).
Standard library only.
"""

from __future__ import annotations

from decimal import (
    ROUND_DOWN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)
from fractions import Fraction

from .profiles import Profile, get_profile

Number = Decimal | int | float | str | None


ZERO = Decimal("0.00")


HUNDRED = Decimal(100)


ONE = Decimal(1)


def fmt(x: Decimal) -> str:
    """Two-decimal text of a number, for messages."""
    return f"{x:.2f}"


_DECIMAL_ROUNDING = {"truncate": ROUND_DOWN, "half-up": ROUND_HALF_UP}


#: profile decimals -> the exponent a rounded number gets, and its zero
_EXPONENT = {0: Decimal(1), 1: Decimal("0.1"), 2: Decimal("0.01")}


ZEROS = {0: Decimal(0), 1: Decimal("0.0"), 2: Decimal("0.00")}


_QUANTIZE = Context(prec=1000, traps=[InvalidOperation])


#: profile rounding -> ``quantize(x, exp)`` of a context that rounds that way (no keyword arguments per call)
_ROUND_TO = {
    name: Context(prec=1000, rounding=mode, traps=[InvalidOperation]).quantize
    for name, mode in _DECIMAL_ROUNDING.items()
}


# Products must be exact; quotients are cut toward zero at 80 digits (see the module docstring).
_MUL = Context(prec=80, traps=[InvalidOperation, Inexact, Overflow])


_DIV = Context(prec=80, rounding=ROUND_DOWN, traps=[InvalidOperation, Overflow, DivisionByZero])


def round2(x: Decimal | Fraction | int, profile: Profile | str | None = None) -> Decimal:
    """Round the way ``profile`` does: truncate toward zero or half away from zero, to the profile's
    decimals (two unless the profile says 0 or 1)."""
    prof = get_profile(profile)
    rounding = prof.rounding
    if not isinstance(x, Decimal):
        scale = 10**prof.decimals
        q = Fraction(x) * scale
        units = abs(q) + Fraction(1, 2) if rounding == "half-up" else abs(q)
        x = _QUANTIZE.divide(Decimal(int(units) * (-1 if q < 0 else 1)), scale)  # int() truncates toward 0
    return _ROUND_TO[rounding](x, _EXPONENT[prof.decimals])


def rounded(x: Decimal, prof: Profile) -> Decimal:
    """:func:`round2` of a Decimal under a resolved profile (the scoring loop's hot path)."""
    return _ROUND_TO[prof.rounding](x, _EXPONENT[prof.decimals])


def scaled_ratio(scale: Decimal, num: Decimal, den: Decimal, prof: Profile, cap: bool = True) -> Decimal:
    """``scale × num ÷ den`` at two decimals, exactly; within [0, ``scale``] when ``cap``.

    The one formula behind every partial score: 执行率 (scale 100), 预算执行得分 (scale 分数) and a
    quantitative indicator's 分值 × 实际 ÷ 目标.
    """
    if den <= 0 or num <= 0:
        return ZEROS[prof.decimals]
    if cap and num >= den:
        return rounded(scale, prof)
    try:
        value = _DIV.divide(_MUL.multiply(scale, num), den)
    except (Inexact, Overflow):  # absurdly long numbers: exact rational arithmetic instead
        return round2(Fraction(scale) * Fraction(num) / Fraction(den), prof)
    return rounded(value, prof)

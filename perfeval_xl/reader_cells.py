"""Cell values as the reader takes them: a cell as text, plain numbers through a cache (the hot
path), blanks, placeholders (-, /, 无) and figures."""

from __future__ import annotations

import datetime as _dt
import functools
import re
from typing import TypeVar

from .headers import MAX_LABEL as _MAX_LABEL
from .reader_vocab import _ROW_PLACEHOLDERS, _key_of
from .values import float_text, to_decimal

_INFINITIES = (float("inf"), float("-inf"))


def cell_text(value: object) -> str:
    """A cell as text, the way a person would read it (3.0 -> "3", 0.5 -> "0.5")."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return float_text(value)  # at Excel's 15 significant digits: 0.1+0.2 reads "0.3"
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return str(value).strip()


@functools.lru_cache(maxsize=8192, typed=True)
def _decimal_of(value: str | float):
    """to_decimal, cached: forms repeat the same few numbers ("0.00", "10.00", "-", 5.0)."""
    return to_decimal(value)


_SLOW = object()  # _quick's "ask number()": blank (maybe a formula), text that is not a plain number


def _quick(v: object):
    """A plain number cell (float, or text such as "758.11", "-") as a Decimal or None, through the
    cache; ``_SLOW`` for anything :meth:`_FormReader.number` must look at."""
    c = v.__class__
    if c is float:
        if v == v and v not in _INFINITIES:
            return _decimal_of(v)
    elif type(v) is str and v and len(v) <= 40:
        try:
            return _decimal_of(v)
        except (ValueError, TypeError, ArithmeticError):
            pass
    return _SLOW


def _text_of(value: object) -> str:
    if value.__class__ is str:
        return value.strip()
    if value.__class__ is float and value and value == value and value not in _INFINITIES:
        return _float_text(value)  # clerk-typed 实际完成值: the same few figures again and again
    return cell_text(value)


@functools.lru_cache(maxsize=8192)
def _float_text(value: float) -> str:
    """:func:`float_text`, cached; never called with 0.0 (-0.0 is equal to it but reads "-0")."""
    return float_text(value)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_T = TypeVar("_T")


def _cached(fn: functools._lru_cache_wrapper[_T], *args: object) -> _T:
    """``fn(*args)`` through its cache; uncached for cells that cannot be hashed (a Decimal NaN)."""
    try:
        return fn(*args)
    except TypeError:
        return fn.__wrapped__(*args)


def _empty_mark(x: object) -> bool:
    if x is None:
        return True
    if x.__class__ is str:
        return _empty_text(x)
    return False


@functools.lru_cache(maxsize=4096)
def _empty_text(x: str) -> bool:
    """A text that marks a cell as unused (-, /, 无 …), cached: a 二级指标 repeats down its group."""
    s = x.strip()
    return s in _ROW_PLACEHOLDERS or _key_of(s) in _ROW_PLACEHOLDERS if len(s) <= _MAX_LABEL else False


_FIGURE = re.compile(r"[￥¥]?[\s\d.,，+\-%％万元]*\d[\s\d.,，+\-%％万元]*")


def _is_figure(v: object) -> bool:
    """A number, or text that is only a figure (with a % or money unit)."""
    if v.__class__ is float or v.__class__ is int:
        return True
    return v.__class__ is str and len(v) <= 40 and _FIGURE.fullmatch(v) is not None

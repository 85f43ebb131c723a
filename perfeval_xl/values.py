"""Indicator values as people write them: a 年度指标值 or 实际完成值 such as ``≥120000.00(次)``,
``＞＝９５％``, ``2亿元``, ``不低于90%``, ``500-600(家)``, ``9月前`` or ``健全`` read into an operator, a
number (or a range, or a deadline) and a unit; units and their families. Standard library only.

The pieces it builds on: :mod:`perfeval_xl.figures` (numbers as written, exactly),
:mod:`perfeval_xl.deadlines` (dates and deadlines), :mod:`perfeval_xl.words` (worded results).

>>> parse_value("≥120,000.00(次)")
Value(op='>=', number=Decimal('120000.00'), unit='次', text='≥120,000.00(次)', high=None, when=None)
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from .deadlines import ON_TIME, ON_TIME_WORDS, When, when_match
from .figures import NUMBER, finite_float, normalize

# figures other modules have always taken from here
from .figures import float_decimal as float_decimal
from .figures import float_text as float_text
from .figures import to_decimal as to_decimal
from .words import attainment

Op = Literal[">=", ">", "<=", "<", "="]


# Operators at the start of a value, longest first so ">=" wins over ">".
_OP_WORDS: dict[str, Op] = {
    ">=": ">=",
    "=>": ">=",
    "≥": ">=",
    "≧": ">=",
    "⩾": ">=",
    "大于等于": ">=",
    "大于或等于": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "不小于": ">=",
    "至少": ">=",
    "<=": "<=",
    "=<": "<=",
    "≤": "<=",
    "≦": "<=",
    "⩽": "<=",
    "小于等于": "<=",
    "小于或等于": "<=",
    "不高于": "<=",
    "不超过": "<=",
    "不大于": "<=",
    "不多于": "<=",
    "至多": "<=",
    ">": ">",
    "大于": ">",
    "高于": ">",
    "超过": ">",
    "多于": ">",
    "<": "<",
    "小于": "<",
    "低于": "<",
    "少于": "<",
    "==": "=",
    "=": "=",
    # look-alikes of "=" seen in published forms (＝ and ﹦ also fold to "=" under NFKC)
    "═": "=",
    "＝": "=",
    "﹦": "=",
    "等于": "=",
}
_PREFIX_OPS: tuple[tuple[str, Op], ...] = tuple(sorted(_OP_WORDS.items(), key=lambda kv: -len(kv[0])))
_PREFIX_OP_RE = re.compile("|".join(re.escape(word) for word, _ in _PREFIX_OPS))
_PREFIX_OP_OF = dict(_PREFIX_OPS)
# Words after the number: 95%以上, 5%以内.
_SUFFIX_OPS: tuple[tuple[str, Op], ...] = (
    ("及以上", ">="),
    ("以上", ">="),
    ("及以下", "<="),
    ("以下", "<="),
    ("以内", "<="),
)

_BRACKETS = "()[]{}【】<>"

PERCENT_UNITS = frozenset({"%", "百分比", "百分数", "百分率", "百分点"})
_SCALE_PREFIXES = (("亿", Decimal(10) ** 8), ("万", Decimal(10) ** 4), ("千", Decimal(10) ** 3))


@dataclass(frozen=True)
class Value:
    """A parsed 年度指标值 or 实际完成值.

    A range (``500-600(家)``) has ``number`` = its lower and ``high`` = its upper bound; a deadline
    (``9月前``) has ``op`` ``<=``, no number and ``when``; ``按时`` has ``when`` :data:`ON_TIME` only.
    """

    op: Op | None
    number: Decimal | None
    unit: str | None
    text: str  # as written, trimmed
    high: Decimal | None = None  # upper bound of a range
    when: When | None = None  # the date of a deadline target

    @property
    def is_numeric(self) -> bool:
        return self.number is not None

    @property
    def is_range(self) -> bool:
        return self.high is not None

    @property
    def is_deadline(self) -> bool:
        return self.when is not None

    @property
    def is_blank(self) -> bool:
        return not self.text


def parse_value(text: object) -> Value:
    """Split an indicator value into operator, number and unit; words stay ``text`` only.

    Handles ``≥``/``>=``/``＞＝``/``≧``/``═``/``不低于``…, full-width digits, thousands separators, spaces,
    units in brackets or appended, suffixes like ``以上``/``以内``, ranges (``500-600(家)``,
    ``90%-95%``) and deadlines (``9月前``, ``2023年12月31日前``, ``按时``). Never raises.

    >>> parse_value("500-600(家)")
    Value(op=None, number=Decimal('500'), unit='家', text='500-600(家)', high=Decimal('600'), when=None)
    >>> parse_value("9月底前").when
    When(year=None, month=9, day=None)
    """
    if isinstance(text, str):
        return _parse_text(text) if len(text) <= 200 else _parse_text.__wrapped__(text)
    raw = "" if text is None else (float_text(text) if finite_float(text) else str(text)).strip()
    if isinstance(text, (int, float, Decimal)) and not isinstance(text, bool):
        try:
            return Value(None, to_decimal(text), None, raw)
        except ValueError:
            return Value(None, None, None, raw)
    return _parse_text(raw)


_RANGE_RE = re.compile(
    r"(?P<lo>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?P<u1>[^\d~至到—–〜-]{0,6}?)"
    r"(?:-|~|至|到|—|–|〜)"
    r"(?P<hi>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?P<rest>.*)"
)


def _unit_of(rest: str) -> tuple[bool, str | None]:
    """``(ok, unit)`` of the text after a number: brackets stripped; not ok when it is no unit."""
    unit = rest.strip(_BRACKETS + ":;,.。、") or None
    if unit is not None:
        unit = unit.replace("(", "").replace(")", "")
        if len(unit) > 12 or NUMBER.search(unit) or attainment(unit) is not None:
            return False, None
    return True, unit


def _range(raw: str, s: str) -> Value | None:
    """``500-600(家)``, ``90%-95%``, ``500～600``: a range with its lower bound first; else None."""
    m = _RANGE_RE.fullmatch(s)
    if m is None:
        return None
    lo, hi = Decimal(m["lo"].replace(",", "")), Decimal(m["hi"].replace(",", ""))
    ok, unit = _unit_of(m["rest"])
    ok1, unit1 = _unit_of(m["u1"])
    if not (ok and ok1) or lo >= hi:
        return None
    if unit1 is not None and unit_family(unit1)[0] != unit_family(unit)[0]:
        return None
    return Value(None, lo, unit or unit1, raw, high=hi)


def _deadline(raw: str, s: str, op: Op | None) -> Value | None:
    """A deadline target: a date that says it is one (``9月前``, ``2023年12月31日``, ``≤9月``,
    ``不晚于11月``) or ``按时``; None otherwise (a bare ``9月`` is a deadline only for a 时效 indicator,
    which :mod:`perfeval_xl.rules` decides)."""
    if op is None and s in ON_TIME_WORDS:
        return Value(None, None, None, raw, when=ON_TIME)
    if op not in (None, "<=", "<"):
        return None
    found = when_match(s)
    if found is None or not (found[1] or op is not None):
        return None
    return Value(op or "<=", None, None, raw, when=found[0])


@functools.lru_cache(maxsize=8192)
def _parse_text(text: str) -> Value:
    # Values repeat a lot across a department's forms ("达成指标", "≥90%"): the cache pays off in batch.
    raw = text.strip()
    s = normalize(raw)
    op: Op | None = None
    m = _PREFIX_OP_RE.match(s)
    if m is not None:
        op, s = _PREFIX_OP_OF[m.group()], s[m.end() :]
    if "月" in s or "年" in s or "季" in s or s in ON_TIME_WORDS or s.count("-") == 2 or s.count("/") == 2:
        deadline = _deadline(raw, s, op)
        if deadline is not None:
            return deadline
    if op is None:
        rng = _range(raw, s)
        if rng is not None:
            return rng
    m = NUMBER.search(s)
    if m is None:
        return Value(None, None, None, raw)
    # Text before the number that is not an operator ("约", "全年") is tolerated only when short;
    # a sentence that merely contains a figure is a qualitative value.
    if m.start() > 2:
        return Value(None, None, None, raw)
    number = Decimal(m.group().replace(",", ""))
    rest = s[m.end() :]
    for word, sym in _SUFFIX_OPS:
        if word in rest:
            op = op or sym
            rest = rest.replace(word, "")
    ok, unit = _unit_of(rest)
    if not ok:
        return Value(None, None, None, raw)
    return Value(op, number, unit, raw)


@functools.lru_cache(maxsize=1024)
def unit_family(unit: str | None) -> tuple[str | None, Decimal]:
    """``(base unit, factor)``: ``万元`` → ``("元", 10000)``, ``百分比`` → ``("%", 1)``, ``None`` → ``(None, 1)``."""
    if not unit:
        return None, Decimal(1)
    if unit in PERCENT_UNITS:
        return "%", Decimal(1)
    for prefix, factor in _SCALE_PREFIXES:
        if unit.startswith(prefix) and len(unit) > len(prefix):
            return unit[len(prefix) :], factor
    return unit, Decimal(1)


def convert(number: Decimal, unit: str | None, to_unit: str | None) -> Decimal | None:
    """``number`` of ``unit`` expressed in ``to_unit``; ``None`` when the units do not convert.

    A value without a unit is taken to be in the other value's unit.
    """
    base_from, f_from = unit_family(unit)
    base_to, f_to = unit_family(to_unit)
    if base_from is None or base_to is None:
        return number
    if base_from != base_to:
        return None
    if f_from == f_to:
        return number
    return number * f_from / f_to

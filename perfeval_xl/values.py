"""Numbers and indicator values as people write them. Standard library only.

``to_decimal`` reads a money or points cell exactly (``Decimal``, never a binary float);
``parse_value`` reads a 年度指标值 / 实际完成值 such as ``≥120000.00(次)``, ``＞＝９５％``, ``2亿元``,
``不低于90%`` or ``健全`` into an operator, a number and a unit.

>>> parse_value("≥120,000.00(次)")
Value(op='>=', number=Decimal('120000.00'), unit='次', text='≥120,000.00(次)')
>>> to_decimal("１２０,７２２")
Decimal('120722')
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

Op = Literal[">=", ">", "<=", "<", "="]

_BLANKS = {"", "-", "--", "—", "——", "/", "无", "N/A", "n/a"}

# Operators at the start of a value, longest first so ">=" wins over ">".
_PREFIX_OPS: tuple[tuple[str, Op], ...] = tuple(
    sorted(
        {
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
            "等于": "=",
        }.items(),
        key=lambda kv: -len(kv[0]),
    )
)
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

_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+")
_STRICT_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+")
_BRACKETS = "()[]{}【】<>"

PERCENT_UNITS = frozenset({"%", "百分比", "百分数", "百分率", "百分点"})
_SCALE_PREFIXES = (("亿", Decimal(10) ** 8), ("万", Decimal(10) ** 4), ("千", Decimal(10) ** 3))

# Indicators that are naturally "lower is better": an operator-less target is read as ≤ for them.
LOWER_IS_BETTER = (
    "故障率",
    "差错率",
    "错误率",
    "投诉率",
    "事故",
    "成本",
    "超支",
    "重复发生率",
    "不合格率",
    "失误率",
    "返工率",
    "延误",
    "违规",
    "损失",
    "误差",
    "流失率",
    "能耗",
)

#: words of a 实际完成值 that judge a target: checked in this order (未达成 contains 达成).
_UNMET_WORDS = ("未达成", "未完成", "未达到", "没有达成", "未实现", "未达标", "不达标", "没有完成")
_PARTIAL_WORDS = (
    "部分达成",
    "基本达成",
    "部分完成",
    "基本完成",
    "部分实现",
    "基本实现",
    "部分达到",
    "基本达到",
)
_MET_WORDS = ("达成", "完成", "达到", "实现", "达标", "满足", "符合")

Attainment = Literal["met", "partial", "unmet"]


def normalize(text: object) -> str:
    """NFKC (full-width digits and signs become ASCII) and no whitespace at all."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    return "".join(s.split())


def to_decimal(value: object) -> Decimal | None:
    """A number cell as an exact ``Decimal``; ``None`` for a blank cell or a placeholder such as ``-``.

    Floats (what Excel and openpyxl hand over) are read through their shortest repr, so ``754.31``
    stays ``Decimal('754.31')``. Text may use full-width digits, spaces and thousands separators.
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
        return Decimal(repr(value))
    s = normalize(value)
    if s in _BLANKS:
        return None
    if _STRICT_NUMBER.fullmatch(s):
        try:
            return Decimal(s.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern only admits valid numbers
            pass
    text = str(value).strip()
    if len(text) > 30:
        text = text[:30] + "…"
    raise ValueError(f"“{text}”不是数字")


@dataclass(frozen=True)
class Value:
    """A parsed 年度指标值 or 实际完成值."""

    op: Op | None
    number: Decimal | None
    unit: str | None
    text: str  # as written, trimmed

    @property
    def is_numeric(self) -> bool:
        return self.number is not None

    @property
    def is_blank(self) -> bool:
        return not self.text


def parse_value(text: object) -> Value:
    """Split an indicator value into operator, number and unit; words stay ``text`` only.

    Handles ``≥``/``>=``/``＞＝``/``不低于``…, full-width digits, thousands separators, spaces, units in
    brackets or appended, and suffixes like ``以上``/``以内``. Never raises.
    """
    if isinstance(text, str):
        return _parse_text(text) if len(text) <= 200 else _parse_text.__wrapped__(text)
    raw = "" if text is None else (repr(text) if isinstance(text, float) else str(text)).strip()
    if isinstance(text, (int, float, Decimal)) and not isinstance(text, bool):
        try:
            return Value(None, to_decimal(text), None, raw)
        except ValueError:
            return Value(None, None, None, raw)
    return _parse_text(raw)


@functools.lru_cache(maxsize=8192)
def _parse_text(text: str) -> Value:
    # Values repeat a lot across a department's forms ("达成指标", "≥90%"): the cache pays off in batch.
    raw = text.strip()
    s = normalize(raw)
    op: Op | None = None
    m = _PREFIX_OP_RE.match(s)
    if m is not None:
        op, s = _PREFIX_OP_OF[m.group()], s[m.end() :]
    m = _NUMBER.search(s)
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
    unit = rest.strip(_BRACKETS + ":;,.。、") or None
    if unit is not None:
        unit = unit.replace("(", "").replace(")", "")
        if len(unit) > 12 or _NUMBER.search(unit) or attainment(unit) is not None:
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


def attainment(text: object) -> Attainment | None:
    """What a worded 实际完成值 says: ``met`` (达成指标), ``partial`` (部分达成), ``unmet`` (未达成) or None."""
    if text is None:
        return None
    s = text if isinstance(text, str) else str(text)
    return _attainment(s) if len(s) <= 200 else _attainment.__wrapped__(s)


@functools.lru_cache(maxsize=4096)
def _attainment(text: str) -> Attainment | None:
    s = normalize(text)
    if not s:
        return None
    for words, verdict in ((_UNMET_WORDS, "unmet"), (_PARTIAL_WORDS, "partial"), (_MET_WORDS, "met")):
        if any(w in s for w in words):
            return verdict  # type: ignore[return-value]
    return None


@functools.lru_cache(maxsize=8192)
def is_lower_better(name: str, level2: str = "") -> bool:
    """True for indicators that are naturally "lower is better" (故障率, 投诉率, 成本 …)."""
    s = normalize(name)
    return any(word in s for word in LOWER_IS_BETTER) or normalize(level2) == "成本指标"

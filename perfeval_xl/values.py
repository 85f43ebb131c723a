"""Numbers and indicator values as people write them. Standard library only.

``to_decimal`` reads a money or points cell exactly (``Decimal``, never a binary float);
``parse_value`` reads a 年度指标值 / 实际完成值 such as ``≥120000.00(次)``, ``＞＝９５％``, ``2亿元``,
``不低于90%`` or ``健全`` into an operator, a number and a unit.

>>> parse_value("≥120,000.00(次)")
Value(op='>=', number=Decimal('120000.00'), unit='次', text='≥120,000.00(次)', high=None, when=None)
>>> to_decimal("１２０,７２２")
Decimal('120722')
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal, TypeGuard

Op = Literal[">=", ">", "<=", "<", "="]

_BLANKS = {"", "-", "--", "—", "——", "/", "无", "N/A", "n/a"}

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


def float_decimal(value: float) -> Decimal:
    """A finite float as the ``Decimal`` Excel shows: rounded to 15 significant digits.

    Excel keeps doubles but computes and displays with 15 significant digits; a sum such as
    ``100+0.1+21.05`` arrives as 121.14999999999999, which a clerk sees (and means) as 121.15.

    >>> float_decimal(100 + 0.1 + 21.05), float_decimal(0.1 + 0.2), float_decimal(754.31)
    (Decimal('121.15'), Decimal('0.3'), Decimal('754.31'))
    """
    return Decimal(f"{value:.15g}")


def _finite_float(x: object) -> TypeGuard[float]:
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
class When:
    """A point in the calendar as a form writes it: ``9月`` (month precision, ``day`` None),
    ``11月20日``, ``2023年9月底``. ``month`` None means "on time" without a date (``按时``)."""

    year: int | None
    month: int | None
    day: int | None = None


ON_TIME = When(None, None)

#: targets that ask for timeliness without a date, and actuals that say it was kept
ON_TIME_WORDS = frozenset(
    {
        "按时",
        "按时完成",
        "及时",
        "及时完成",
        "按期",
        "按期完成",
        "准时",
        "准时完成",
        "按计划完成",
        "按计划时间完成",
    }
)
#: actuals that say a deadline was kept (besides 达成/完成 words, which say only that it was done)
TIMELY_WORDS = ("按时", "及时", "按期", "准时", "提前", "如期")
#: actuals that say a deadline was missed
LATE_WORDS = (
    "未按时",
    "未及时",
    "不及时",
    "未按期",
    "未如期",
    "逾期",
    "延期",
    "延迟",
    "延误",
    "滞后",
    "推迟",
    "超期",
)

_DATE_BODY = (
    r"(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月份?(?:(?P<d>\d{1,2})[日号]|(?P<part>底|末|上旬|中旬|下旬|初))?"
    r"|(?P<iy>\d{4})[-./](?P<im>\d{1,2})(?:[-./](?P<id>\d{1,2})日?)?"
    r"|(?:(?P<ey>\d{4})年)?(?:本|当)?(?P<yend>年底|年末|年内|年度内|年度末)"
    r"|(?:(?P<qy>\d{4})年)?第?(?P<q>[一二三四1-4])季度(?:末|底)?"
    r"|(?:(?P<hy>\d{4})年)?(?P<half>上半年|下半年)(?:末|底)?"
)
_DEADLINE_PREFIX = r"(?P<pre>不晚于|不迟于|最迟于?|最晚于?|截至|截止到|截止于|截止|已于|已在|于|在|已)?"
_DEADLINE_MARK = r"(?P<mark>之前|以前|前|以内|内|为止|止)?"
# Words after the date ("完成", "完成项目建设并投入使用"), never a figure.
_DEADLINE_TAIL = r"(?P<tail>[^\d]{0,16})"
_WHEN_RE = re.compile(_DEADLINE_PREFIX + "(?:" + _DATE_BODY + ")" + _DEADLINE_MARK + _DEADLINE_TAIL)
_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PART_DAY = {"上旬": 10, "初": 10, "中旬": 20}  # 底/末/下旬: the month itself (month precision)
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _when_match(s: str) -> tuple[When, bool, str] | None:
    """``(When, explicit, tail)`` of a normalized text that is a date (with an optional 前/之前 mark and
    a short word after it), else None. ``explicit``: the text itself says it is a calendar point (a
    day, a year, 底/旬, a quarter, a 前 mark, a 不晚于 prefix …), which a bare ``9月`` does not."""
    m = _WHEN_RE.fullmatch(s)
    if m is None:
        return None
    g = m.groupdict()
    tail = g["tail"] or ""
    if tail and (attainment(tail) not in (None, "met") or any(w in tail for w in LATE_WORDS)):
        return None  # 9月部分完成: not a plain date
    explicit = bool(g["pre"] and g["pre"] not in ("于", "在", "已", "已于", "已在")) or bool(g["mark"])
    if g["m"] is not None:
        year, month = g["y"], int(g["m"])
        day = int(g["d"]) if g["d"] else _PART_DAY.get(g["part"] or "")
        explicit = explicit or bool(g["y"] or g["d"] or g["part"])
    elif g["im"] is not None:
        year, month, day = g["iy"], int(g["im"]), int(g["id"]) if g["id"] else None
        explicit = True
    elif g["yend"] is not None:
        year, month, day, explicit = g["ey"], 12, None, True
    elif g["q"] is not None:
        year, month, day, explicit = g["qy"], 3 * _QUARTER[g["q"]], None, True
    else:
        year, month, day, explicit = g["hy"], 6 if g["half"] == "上半年" else 12, None, True
    if not 1 <= month <= 12 or (day is not None and not 1 <= day <= _MONTH_DAYS[month - 1]):
        return None
    return When(int(year) if year else None, month, day), explicit, tail


@functools.lru_cache(maxsize=4096)
def parse_when(text: str) -> When | None:
    """The date an 实际完成值 gives (``10月``, ``11月20日``, ``2023年7月完成``, ``2023-10-15``), or the
    deadline a 年度指标值 sets (``9月前``); None when the text is not a date.

    >>> parse_when("11月20日"), parse_when("已于2023年10月底完成")
    (When(year=None, month=11, day=20), When(year=2023, month=10, day=None))
    """
    s = normalize(text)
    found = _when_match(s)
    return found[0] if found is not None else None


def day_number(when: When, base_year: int | None) -> int:
    """Days from 1 January of ``base_year`` (day 1) to ``when`` (its month's last day at month
    precision); a common year's calendar where no year is known."""
    year = when.year if when.year is not None else base_year
    month = when.month or 12
    day = when.day if when.day is not None else _month_length(year, month)
    days = sum(_month_length(year, k) for k in range(1, month)) + day
    if base_year is not None and year is not None and year != base_year:
        step = 1 if year > base_year else -1
        for y in range(base_year, year, step) if step > 0 else range(year, base_year):
            days += step * (366 if _leap(y) else 365)
    return days


def month_number(when: When, base_year: int | None) -> int:
    """Months from January of ``base_year`` (month 1) to ``when``."""
    year = when.year if when.year is not None else base_year
    shift = 12 * (year - base_year) if year is not None and base_year is not None else 0
    return shift + (when.month or 12)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _month_length(year: int | None, month: int) -> int:
    if month == 2:
        return 29 if year is not None and _leap(year) else 28
    return _MONTH_DAYS[month - 1]


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
    raw = "" if text is None else (float_text(text) if _finite_float(text) else str(text)).strip()
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
        if len(unit) > 12 or _NUMBER.search(unit) or attainment(unit) is not None:
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
    found = _when_match(s)
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


#: a 实际完成值 that says nothing happened (无上访, 没有发生安全事故, 未发生, 零投诉), but not 无法…
_SAYS_NONE = re.compile(r"^(?:无(?!法)|没有(?!完成|达)|未发生|零)")


def says_none(text: str) -> bool:
    """Whether a worded 实际完成值 says that none occurred: a count of 0 (``无上访`` against ``小于5次``)."""
    return _SAYS_NONE.match(normalize(text)) is not None


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

"""Dates and deadlines as forms write them (``9月前``, ``2023年12月31日``, ``第三季度``, ``按时``), and
the calendar arithmetic that compares them. Standard library only.

>>> parse_when("11月20日"), parse_when("已于2023年10月底完成")
(When(year=None, month=11, day=20), When(year=2023, month=10, day=None))
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .figures import normalize
from .words import attainment


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


def when_match(s: str) -> tuple[When, bool, str] | None:
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
    found = when_match(s)
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

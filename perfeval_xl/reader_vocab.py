"""The reader's vocabulary as lookups: the words of :mod:`perfeval_xl.labels` turned into the keys,
roles, column fields and patterns the reader matches cells against, built once at import.

Change a word in :mod:`perfeval_xl.labels`, not here: this module only derives from it.
"""

from __future__ import annotations

import functools
import re

from . import labels as L
from .headers import MAX_LABEL as _MAX_LABEL
from .headers import header_key, key, key_of, lookup
from .headers import header_key_of as _header_key_of

_key, _key_of, _header_key = key, key_of, header_key
_PAREN_SUFFIX = re.compile(r"（[^（）]*）$")
#: what a computed cell may show instead of a number: Excel's error values, and the native
#: template's 核对 (its formula cannot follow the rules there); such a cell states nothing
_EXCEL_ERRORS = frozenset(
    {"#NAME?", "#VALUE!", "#DIV/0!", "#N/A", "#REF!", "#NUM!", "#NULL!", "#GETTING_DATA", L.CHECK}
)
_PLACEHOLDERS = frozenset(L.EMPTY_MARKS)  # what a form writes where no number belongs
_ROW_PLACEHOLDERS = frozenset(L.PLACEHOLDER_CELLS) | _PLACEHOLDERS
_POINTS_IN = re.compile(r"[（(]?\s*(\d+(?:\.\d+)?)\s*分")  # 得分(20分*执行率), 预算执行情况(20分)
_YEAR_IN_TITLE = re.compile(L.YEAR_IN_TITLE)
_LEVEL1_WEIGHT = re.compile(L.LEVEL1_WEIGHT + "$")
_WEIGHT_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NUMBERED_NAME = re.compile(L.NUMBERED_NAME)

# ------------------------------------------------------------------ the vocabulary, as lookups

#: label key -> the role the first pass indexes it under
_ROLES: dict[str, str] = {}
for _word in L.NAME_LABELS:
    _ROLES[_key_of(_word)] = "name"
for _field, _words in L.HEADER_FIELD_LABELS.items():
    for _word in _words:
        _ROLES[_key_of(_word)] = _field
_ROLES[_key_of(L.GOALS)] = "goals"
for _word in L.GOAL_EXPECTED_LABELS:
    _ROLES[_key_of(_word)] = "goal_expected"
for _word in L.GOAL_ACTUAL_LABELS:
    _ROLES[_key_of(_word)] = "goal_actual"
for _word in L.INDICATOR_FIELD_LABELS["name"]:
    _ROLES[_key_of(_word)] = "indicators"  # the indicator header is found by its 三级指标 cell
for _word in L.TOTAL_LABELS:
    _ROLES[_key_of(_word)] = "total"
for _word in L.GRADE_LABELS:
    _ROLES[_key_of(_word)] = "grade"
for _word in L.HEADER_TOTAL_LABELS:
    _ROLES[_key_of(_word)] = "header_total"
for _word in L.SIGNATURE_LABELS:
    _ROLES.setdefault(_key_of(_word), "signature")  # (a header field's label keeps its role)

_UNIT_LINE = tuple(_key_of(w) + "：" for w in L.MONEY_UNIT_LABELS)
_NAME_KINDS = {_key_of(w): kind for w, kind in L.NAME_LABELS.items()}
_FUND_FIELDS = lookup(L.FUND_FIELD_LABELS)  # header key -> FundRow attribute
_FUND_KNOWN = frozenset(_header_key_of(w) for w in (*L.FUND_IGNORED_HEADERS, *L.TOTAL_LABELS))
_IND_FIELDS = lookup(L.INDICATOR_FIELD_LABELS)  # header key -> Indicator field
_IND_PARTS = {"target": {_header_key_of(w): part for w, part in L.TARGET_PARTS.items()}}
_IND_KNOWN = frozenset(_header_key_of(w) for w in (*L.INDICATOR_IGNORED_HEADERS, *L.SECTION_TITLES))
_FUND_ALIASES = {_key_of(w): label for label, words in L.FUND_ROW_LABELS.items() for w in words}
_FUND_ALIASES.update({_key_of(w): w for w in L.FUND_EXTRA_ROWS})
_FUNDS_TITLES = tuple(_key_of(w) for w in L.FUNDS_TITLES)
_TOTAL_KEYS = frozenset(_key_of(w) for w in L.TOTAL_LABELS)
_GRADE_WORDS = {_key_of(w): g for w, g in L.GRADE_WORDS.items()}
#: A label and its value in one cell: 总分：83, 自评等级：优 (keys: whitespace gone, ： full-width).
_TOTAL_WORD = "(" + "|".join(map(re.escape, sorted(_TOTAL_KEYS, key=len, reverse=True))) + ")"
_INLINE_TOTAL = re.compile(_TOTAL_WORD + r"：?(\d+(?:\.\d+)?)分?")
#: A total label carrying the total points: 总分(100分) (the figure beside it is then the stated 总分).
_TOTAL_WITH_POINTS = re.compile(_TOTAL_WORD + r"（(\d+(?:\.\d+)?)分?）")
_INLINE_GRADE = re.compile(
    "("
    + "|".join(re.escape(_key_of(w)) for w in sorted(L.GRADE_LABELS, key=len, reverse=True))
    + ")：?("
    + "|".join(map(re.escape, sorted(_GRADE_WORDS, key=len, reverse=True)))
    + ")"
)

#: Any cell with one of these keys is a label, never a header field's value.
_ALL_LABELS = frozenset(
    {
        *_ROLES,
        *_FUND_FIELDS,
        *_IND_FIELDS,
        *_FUND_ALIASES,
        *(_key_of(w) for w in L.FUND_ROWS),
        *(_key_of(w) for w in (*L.FUNDS_HEADER, *L.INDICATOR_HEADER, L.JUDGEMENT, L.REMARKS)),
        *(_key_of(w) for w in (*L.SECTION_TITLES, *L.FUND_IGNORED_HEADERS, *L.INDICATOR_IGNORED_HEADERS)),
        *(_key_of(w) for w in ("指标性质", "度量单位", "计量单位")),
        *(_key_of(w) for w in L.OTHER_HEADER_LABELS),  # (HEADER_TOTAL_LABELS are roles: above)
    }
)
_STATED_FUND_FIELDS = frozenset({"stated_points", "stated_rate", "stated_score"})
_FUND_ATTRS = ("initial", "annual", "executed", "stated_points", "stated_rate", "stated_score")
_FUND_WHAT = {  # field -> the official header, for messages
    "initial": L.FUNDS_HEADER[0],
    "annual": L.FUNDS_HEADER[1],
    "executed": L.FUNDS_HEADER[2],
    "stated_points": L.FUNDS_HEADER[3],
    "stated_rate": L.FUNDS_HEADER[4],
    "stated_score": L.FUNDS_HEADER[5],
}
_IND_WHAT = dict(zip(("level1", "level2", "name", "target", "actual", "points", "stated_score", "deviation"),
                     L.INDICATOR_HEADER, strict=True))  # fmt: skip
_IND_WHAT["judgement"] = L.JUDGEMENT


def _is_label(value: object) -> bool:
    """A cell that is some label of the vocabulary (never a header field's value)."""
    return value.__class__ is str and len(value) <= _MAX_LABEL and _is_label_text(value)


@functools.lru_cache(maxsize=4096)
def _is_label_text(value: str) -> bool:
    k = _key_of(value)
    return bool(k) and (k in _ALL_LABELS or _header_key_of(k) in _ALL_LABELS)


def _money_unit_in(texts: list[object]) -> str | None:
    """The money unit the first text naming one names (万元 tried before 元 in each text)."""
    for text in texts:
        if isinstance(text, str):
            for unit in L.MONEY_UNITS:
                if unit in text:
                    return unit
    return None


@functools.lru_cache(maxsize=4096)
def _fund_label_of(value: str) -> str | None:
    """The canonical label of a fund row label cell: 其中：本年财政拨款 -> 其中：当年财政拨款; a
    "其中：…" sub-row not in the vocabulary keeps its own name; anything else is None."""
    k = _key_of(value)
    if not k:
        return None
    sub = False
    if k.startswith("其中："):
        k, sub = k[3:], True
    elif k.startswith("其中"):
        k, sub = k[2:], True
    if k.endswith("）"):
        k = _PAREN_SUFFIX.sub("", k)
    label = _FUND_ALIASES.get(k)
    if label is None and sub and k and not _HAS_FIGURE.search(k):
        return k  # 其中：中央、省、市补助县级资金 (not 其中：一般公共预算：1873.66万元)
    return label


_HAS_FIGURE = re.compile(r"[\d：]")


def _funds_title(k: str) -> bool:
    if not k.startswith(_FUNDS_TITLES):  # most texts: one test
        return False
    for t in _FUNDS_TITLES:
        if k.startswith(t) and (len(k) == len(t) or k[len(t)] == "（"):
            return True
    return False


def _is_title(value: object) -> bool:
    if not isinstance(value, str) or len(value) > 60:
        return False
    s = _key_of(value)
    return (
        "绩效" in s
        and ("评价" in s or "自评" in s)
        and _ROLES.get(s) != "name"
        and not s.startswith(L.PROJECT)
    )


def _level1_weight(t1: str) -> tuple[str | None, str]:
    """A 一级指标 cell's points and the label left of them: "(50分)" on the row below 产出指标 ->
    ("(50分)", ""), "产出指标（50分）" -> ("（50分）", "产出指标"); (None, t1) without points."""
    if _LEVEL1_WEIGHT.fullmatch(t1):  # (50分) on the row below 产出指标
        return t1, ""
    if t1.endswith(("）", ")")) and (m := _LEVEL1_WEIGHT.search(t1)) is not None:
        return m.group(0), t1[: m.start()].strip()
    return None, t1

"""The native template's formula building blocks: literals, the rule profile's switches as formulas
(which profile the 评分规则 cell names, rounding, budget points, grade bands), and the text tests a row
needs (the engine's normalisation, units and their families, worded results).

Each function returns formula text (no leading ``=``) over the cell references or expressions it is
given; :mod:`perfeval_xl.native_row` and :mod:`perfeval_xl.native` put them together.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from . import layout as L
from .profiles import DEFAULT, PROFILES, Profile
from .values import PERCENT_UNITS
from .words import MET_WORDS, PARTIAL_WORDS, UNMET_WORDS

#: what a native cell shows where it cannot follow the engine
CHECK = L.CHECK_TEXT

_DIGITS = tuple("0123456789０１２３４５６７８９²³¹")
#: characters and words that make the engine read a unit differently from the formulas
_UNIT_TROUBLE = (
    *_DIGITS,
    *"()（）[]{}【】<>《》:;,.。、：；，",
    "以上",
    "以下",
    "以内",
    "达成",
    "完成",
    "达到",
    "实现",
    "达标",
    "满足",
    "符合",
    "㎡",
    "㎞",
    "㎏",
    "㎥",
)
_SCALES = (("亿", "1E+8"), ("万", "10000"), ("千", "1000"))


def quote(text: str) -> str:
    """A formula string literal."""
    return '"' + text.replace('"', '""') + '"'


def array(items: Iterable[object]) -> str:
    return "{" + ",".join(quote(str(x)) for x in items) + "}"


def num(x: Decimal | int | float) -> str:
    return format(Decimal(str(x)).normalize(), "f") if Decimal(str(x)) != 0 else "0"


# ---- the rule profile, as formulas -------------------------------------------------------------

PROFILE_INDEX = f"${L.PROFILE_INDEX_CELL[0]}${L.PROFILE_INDEX_CELL[1:]}"


def all_profiles() -> list[Profile]:
    return list(PROFILES.values())


def profile_index_formula() -> str:
    """1, 2 … for the profile the 评分规则 cell names (title or key); the default when blank; 0 unknown."""
    profiles = all_profiles()
    names = [x for p in profiles for x in (p.title, p.name)]
    default = [p.name for p in profiles].index(DEFAULT) + 1
    cell = L.PROFILE_REF
    return f'=IF(TRIM({cell})="",{default},IFERROR(INT((MATCH(TRIM({cell}),{array(names)},0)+1)/2),0))'


def per_profile(values: list[str]) -> str:
    """One value per profile: a constant when they agree, else CHOOSE on the profile's number."""
    if len(set(values)) == 1:
        return values[0]
    return f"CHOOSE({PROFILE_INDEX},{','.join(values)})"


def _decimals(p: Profile) -> int:
    return int(getattr(p, "decimals", 2))


def rnd(x: str) -> str:
    """``x`` (never negative here) rounded the way the profile rounds.

    Binary float noise (56.99999999999999 for 57) is rounded away first at 13 significant digits,
    far above the noise of one multiplication and division (about 1e-15 relative) and far below
    the distance of a true value from a rounding boundary: 4.9999999995 stays below 5, where a
    fixed 9 decimals would round it up."""
    profiles = all_profiles()
    modes = {p.rounding for p in profiles}
    d = per_profile([str(_decimals(p)) for p in profiles])
    y = f"ROUND({x},12-INT(LOG10(ABS({x})+1)))"
    if modes == {"truncate"}:
        return f"TRUNC({y},{d})"
    if modes == {"half-up"}:
        return f"ROUND({y},{d})"
    half = per_profile(["0" if p.rounding == "truncate" else "1" for p in profiles])
    return f"IF({half}=1,ROUND({y},{d}),TRUNC({y},{d}))"


def budget_points() -> str:
    return per_profile([num(p.budget_points) for p in all_profiles()])


def grade(total: str) -> str:
    parts = []
    for p in all_profiles():
        bands = list(p.grade_bands)
        expr = quote(bands[-1][1])
        for lower, name in reversed(bands[:-1]):
            expr = f"IF({total}>={num(lower)},{quote(name)},{expr})"
        parts.append(expr)
    return per_profile(parts)


# ---- text helpers --------------------------------------------------------------------------------


def norm(x: str) -> str:
    """The engine's normalize() as far as formulas go: no whitespace, full-width letters half-width."""
    return f'ASC(SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(CLEAN({x})," ",""),"\u3000",""),"\u00a0",""))'


def has_any(words, text: str) -> str:
    return f"SUMPRODUCT(--ISNUMBER(FIND({array(words)},{text})))>0"


def has_digit(x: str) -> str:
    return has_any(_DIGITS, x)


def number_ok(x: str) -> str:
    """At most 12 significant digits and between 1e-4 and 1e12 in size (or 0)."""
    return f"IF({x}=0,TRUE,AND(ABS({x})>=1E-4,ABS({x})<1E+12,ROUND({x},11-INT(LOG10(ABS({x}))))={x}))"


def unit_ok(u: str) -> str:
    return f'OR({u}="",AND(LEN({norm(u)})<=12,NOT({has_any(_UNIT_TROUBLE, u)})))'


def is_percent(u: str) -> str:
    units = sorted(PERCENT_UNITS | {"％"})
    return f"ISNUMBER(MATCH({norm(u)},{array(units)},0))"


def family(u: str) -> str:
    n = norm(u)
    return (
        f'IF({is_percent(u)},"%",IF(AND(LEN({n})>1,ISNUMBER(FIND(LEFT({n},1),"亿万千"))),MID({n},2,99),{n}))'
    )


def factor(u: str) -> str:
    n = norm(u)
    expr = "1"
    for prefix, scale in reversed(_SCALES):
        expr = f'IF(LEFT({n},1)="{prefix}",{scale},{expr})'
    return f"IF({is_percent(u)},1,IF(LEN({n})>1,{expr},1))"


def says_none(x: str) -> str:
    """Whether a worded actual says nothing happened (values.says_none: 无上访, 未发生; not 无法…)."""
    n = norm(x)
    return (
        f'OR(AND(LEFT({n},1)="无",LEFT({n},2)<>"无法"),AND(LEFT({n},2)="没有",LEFT({n},4)<>"没有完成",'
        f'LEFT({n},3)<>"没有达"),LEFT({n},3)="未发生",LEFT({n},1)="零")'
    )


def verdict(x: str) -> str:
    """达成 / 部分达成 / 未达成 / 无法识别 of a worded value (values.attainment)."""
    n = norm(x)
    return (
        f'IF({has_any(UNMET_WORDS, n)},"未达成",IF({has_any(PARTIAL_WORDS, n)},"部分达成",'
        f'IF({has_any(MET_WORDS, n)},"达成","无法识别")))'
    )

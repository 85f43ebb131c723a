"""Formulas of the native template: built-in functions only, for WPS, LibreOffice and plain Excel.

The native flavour of the form (``perfeval-xl template --native``) computes every number with
functions Excel 2007+, WPS and LibreOffice all have (IF, CHOOSE, MATCH, SUMPRODUCT, ROUND, TRUNC,
FIND, EXACT …; no dynamic arrays, LET, LAMBDA or TEXTJOIN). The rules are mirrored from
:mod:`perfeval_xl.rules`, which stays the judge: ``score`` recomputes a native form like any other.

How the native formulas keep the engine's numbers:

* every rounded number is first rounded at 13 significant digits (binary float noise away,
  56.99999999999999 back to 57), then truncated or rounded half up at the profile's decimals;
* comparisons of actual and target allow a relative 1e-13 (the unit conversion's float noise),
  which cannot merge two different numbers of at most 12 significant digits, and the formulas only
  accept such numbers (between 1e-4 and 1e12 in size);
* the rule profile is chosen in the 评分规则 cell; its switches (rounding, decimals, budget points,
  grade bands, qualitative bands, the negative-indicator formula) are written into the formulas from
  :data:`perfeval_xl.profiles.PROFILES`, so a new profile reaches the template when it is rebuilt.

Where the engine reads something a formula cannot (units of different families, words with figures,
an operator the drop-down does not offer, an unknown profile), the cell shows ``核对`` and the row's
审核提示 says why, instead of a number that might differ.

The 年度指标值 and 实际完成值 cells are composed from the structured inputs (比较符, 指标数值,
指标单位, 实际数值, 实际单位) for printing, and :func:`compose_target` / :func:`compose_actual` say in
Python what those formulas write (``import --native`` stores it as the cells' cached value, so a
workbook never opened in a spreadsheet still reads back).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from . import layout as L
from .profiles import DEFAULT, PROFILES, Profile
from .values import _MET_WORDS, _PARTIAL_WORDS, _UNMET_WORDS, LOWER_IS_BETTER, ON_TIME_WORDS, PERCENT_UNITS

CHECK = L.CHECK_TEXT
#: what the 比较符 drop-down offers; ">=" and "<=" typed by hand are read as ≥ and ≤
OPERATORS = ("≥", "≤", "=", ">", "<")
_TYPED_OPERATORS = (*OPERATORS, ">=", "<=")
OP_SYMBOL = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}

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
#: worded targets the engine reads as deadlines (按时, 年底前, 第三季度前 …): left to perfeval-xl
_DATE_WORDS = ("月", "年", "季")
#: a numeric target in months is a deadline for a 时效 indicator (rules._bare_month_deadline)
_MONTH_UNITS = ("月", "月份")


def _q(text: str) -> str:
    """A formula string literal."""
    return '"' + text.replace('"', '""') + '"'


def _array(items: Iterable[object]) -> str:
    return "{" + ",".join(_q(str(x)) for x in items) + "}"


def _num(x: Decimal | int | float) -> str:
    return format(Decimal(str(x)).normalize(), "f") if Decimal(str(x)) != 0 else "0"


# ---- the rule profile, as formulas -------------------------------------------------------------

PROFILE_INDEX = f"${L.PROFILE_INDEX_CELL[0]}${L.PROFILE_INDEX_CELL[1:]}"


def _profiles() -> list[Profile]:
    return list(PROFILES.values())


def profile_index_formula() -> str:
    """1, 2 … for the profile the 评分规则 cell names (title or key); the default when blank; 0 unknown."""
    profiles = _profiles()
    names = [x for p in profiles for x in (p.title, p.name)]
    default = [p.name for p in profiles].index(DEFAULT) + 1
    cell = L.PROFILE_REF
    return f'=IF(TRIM({cell})="",{default},IFERROR(INT((MATCH(TRIM({cell}),{_array(names)},0)+1)/2),0))'


def _per_profile(values: list[str]) -> str:
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
    profiles = _profiles()
    modes = {p.rounding for p in profiles}
    d = _per_profile([str(_decimals(p)) for p in profiles])
    y = f"ROUND({x},12-INT(LOG10(ABS({x})+1)))"
    if modes == {"truncate"}:
        return f"TRUNC({y},{d})"
    if modes == {"half-up"}:
        return f"ROUND({y},{d})"
    half = _per_profile(["0" if p.rounding == "truncate" else "1" for p in profiles])
    return f"IF({half}=1,ROUND({y},{d}),TRUNC({y},{d}))"


def _budget_points() -> str:
    return _per_profile([_num(p.budget_points) for p in _profiles()])


def _grade(total: str) -> str:
    parts = []
    for p in _profiles():
        bands = list(p.grade_bands)
        expr = _q(bands[-1][1])
        for lower, name in reversed(bands[:-1]):
            expr = f"IF({total}>={_num(lower)},{_q(name)},{expr})"
        parts.append(expr)
    return _per_profile(parts)


# ---- text helpers --------------------------------------------------------------------------------


def norm(x: str) -> str:
    """The engine's normalize() as far as formulas go: no whitespace, full-width letters half-width."""
    return f'ASC(SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(CLEAN({x})," ",""),"\u3000",""),"\u00a0",""))'


def _has_any(words, text: str) -> str:
    return f"SUMPRODUCT(--ISNUMBER(FIND({_array(words)},{text})))>0"


def _has_digit(x: str) -> str:
    return _has_any(_DIGITS, x)


def _number_ok(x: str) -> str:
    """At most 12 significant digits and between 1e-4 and 1e12 in size (or 0)."""
    return f"IF({x}=0,TRUE,AND(ABS({x})>=1E-4,ABS({x})<1E+12,ROUND({x},11-INT(LOG10(ABS({x}))))={x}))"


def _unit_ok(u: str) -> str:
    return f'OR({u}="",AND(LEN({norm(u)})<=12,NOT({_has_any(_UNIT_TROUBLE, u)})))'


def _is_percent(u: str) -> str:
    units = sorted(PERCENT_UNITS | {"％"})
    return f"ISNUMBER(MATCH({norm(u)},{_array(units)},0))"


def _family(u: str) -> str:
    n = norm(u)
    return (
        f'IF({_is_percent(u)},"%",IF(AND(LEN({n})>1,ISNUMBER(FIND(LEFT({n},1),"亿万千"))),MID({n},2,99),{n}))'
    )


def _factor(u: str) -> str:
    n = norm(u)
    expr = "1"
    for prefix, factor in reversed(_SCALES):
        expr = f'IF(LEFT({n},1)="{prefix}",{factor},{expr})'
    return f"IF({_is_percent(u)},1,IF(LEN({n})>1,{expr},1))"


def _verdict(x: str) -> str:
    """达成 / 部分达成 / 未达成 / 无法识别 of a worded value (values.attainment)."""
    n = norm(x)
    return (
        f'IF({_has_any(_UNMET_WORDS, n)},"未达成",IF({_has_any(_PARTIAL_WORDS, n)},"部分达成",'
        f'IF({_has_any(_MET_WORDS, n)},"达成","无法识别")))'
    )


# ---- one indicator row ---------------------------------------------------------------------------


class _Row:
    """One indicator row of a native sheet: its cell addresses (``row.op`` is ``"N7"`` …) and formulas."""

    def __init__(self, lay: L.Layout, r: int):
        self.r = r
        self.first = r == L.INDICATOR_FIRST_ROW
        self.level1 = f"{L.LEVEL1_COL}{r}"
        self.level2 = f"{L.LEVEL2_COL}{r}"
        self.name = f"{L.NAME_COL}{r}"
        self.target = f"{L.TARGET_COL}{r}"
        self.actual = f"{L.ACTUAL_COL}{r}"
        self.points = f"{L.POINTS_COL}{r}"
        self.score_cell = f"{L.SCORE_COL}{r}"
        self.remarks_cell = f"{L.REMARKS_COL}{r}"
        self.deviation = f"{L.DEVIATION_COL}{r}"
        self.judgement = f"{L.JUDGEMENT_COL}{r}"
        self.op = f"{L.OP_COL}{r}"
        self.tnum = f"{L.TARGET_NUMBER_COL}{r}"
        self.tunit = f"{L.TARGET_UNIT_COL}{r}"
        self.anum = f"{L.ACTUAL_NUMBER_COL}{r}"
        self.aunit = f"{L.ACTUAL_UNIT_COL}{r}"
        self.lvl1 = f"{L.LEVEL1_RUN_COL}{r}"
        self.lvl2 = f"{L.LEVEL2_RUN_COL}{r}"
        self.status = f"{L.STATUS_COL}{r}"
        self.eop = f"{L.EFFECTIVE_OP_COL}{r}"
        self.aval = f"{L.ACTUAL_VALUE_COL}{r}"
        self.cmp = f"{L.COMPARE_COL}{r}"

    def target_text(self) -> str:
        op, t, u = self.op, self.tnum, self.tunit
        return f'=IF(ISNUMBER({t}),{op}&{t}&IF({u}<>"","("&{u}&")",""),{op}&{t})'

    def actual_text(self) -> str:
        a, au = self.anum, self.aunit
        return f'=IF(ISNUMBER({a}),{a}&IF({au}<>"","("&{au}&")",""),{a}&"")'

    def level1_run(self) -> str:
        prev = '""' if self.first else f"{L.LEVEL1_RUN_COL}{self.r - 1}"
        return f'=IF(TRIM({self.level1})<>"",TRIM({self.level1}),{prev})'

    def level2_run(self) -> str:
        prev = '""' if self.first else f"{L.LEVEL2_RUN_COL}{self.r - 1}"
        return f'=IF(TRIM({self.level2})<>"",TRIM({self.level2}),IF(TRIM({self.level1})<>"","",{prev}))'

    def status_formula(self) -> str:
        f, j, k, t, tu, a, au = (
            self.points,
            self.judgement,
            self.op,
            self.tnum,
            self.tunit,
            self.anum,
            self.aunit,
        )
        blank = (
            f'AND(TRIM({self.name})="",{self.target}="",{self.actual}="",TRIM({self.deviation})="",'
            f'{f}="",{j}="")'
        )
        units_clash = f'AND({tu}<>"",{au}<>"",NOT(EXACT({_family(tu)},{_family(au)})))'
        numeric_actual = (
            f'IF(NOT({_number_ok(a)}),"核对：实际数值超出范围或位数过多",'
            f'IF(NOT({_unit_ok(au)}),"核对：实际单位",IF({units_clash},"核对：单位无法换算","定量")))'
        )
        quantitative = (
            f'IF(NOT({_number_ok(t)}),"核对：指标数值超出范围或位数过多",IF(NOT({_unit_ok(tu)}),"核对：指标单位",'
            f'IF(ISNUMBER(MATCH({norm(tu)},{_array(_MONTH_UNITS)},0)),"核对：以月为单位的时限",'
            f'IF(ISNUMBER({a}),{numeric_actual},IF({_has_digit(a)},"核对：实际数值是含数字的文字","定量")))))'
        )
        return (
            f'=IF({blank},"",IF({PROFILE_INDEX}=0,"核对：评分规则无法识别",IF({f}="","缺分值",'
            f'IF(NOT(ISNUMBER({f})),"核对：分值不是数字",IF(AND({j}<>"",NOT(ISNUMBER({j}))),"核对：定性评分不是数字",'
            f'IF({f}<0,"负分值",IF(AND({k}<>"",ISNA(MATCH({k},{_array(_TYPED_OPERATORS)},0))),"核对：比较符",'
            f'IF(ISNUMBER({t}),{quantitative},IF({k}<>"","核对：比较符后应填数字",'
            f'IF({_has_digit(t)},"核对：指标数值是含数字的文字",IF(OR({_has_any(_DATE_WORDS, t)},'
            f'ISNUMBER(MATCH({norm(t)},{_array(sorted(ON_TIME_WORDS))},0))),"核对：时限类指标",'
            f'"定性")))))))))))'
        )

    def effective_op(self) -> str:
        k = self.op
        lower = f'OR({_has_any(LOWER_IS_BETTER, norm(self.name))},{norm(self.lvl2)}="成本指标")'
        return (
            f'=IF({self.status}<>"定量","",IF({k}<>"",IF({k}=">=","≥",IF({k}="<=","≤",{k})),'
            f'IF({lower},"≤","≥")))'
        )

    def actual_value(self) -> str:
        s, a, au, tu = self.status, self.anum, self.aunit, self.tunit
        qualitative = (
            f'IF(AND({norm(self.actual)}<>"",EXACT({norm(self.actual)},{norm(self.target)})),"达成",'
            f"{_verdict(self.actual)})"
        )
        convert = (
            f'IF({self._as_percent()},{a}*100,IF(OR({tu}="",{au}=""),{a},{a}*{_factor(au)}/{_factor(tu)}))'
        )
        return (
            f'=IF({s}="定量",IF({a}="","缺",IF(ISNUMBER({a}),{convert},{_verdict(a)})),'
            f'IF({s}="定性",{qualitative},""))'
        )

    def _as_percent(self) -> str:
        """rules._as_percent: a bare 0.96 answering a percent target (not 百分点) above 1 means 96 %."""
        a, tu = self.anum, self.tunit
        return f'AND({self.aunit}="",{_is_percent(tu)},{norm(tu)}<>"百分点",{a}>0,{a}<=1,{self.tnum}>1)'

    def compare(self) -> str:
        u, t = self.aval, self.tnum
        return f'=IF(NOT(ISNUMBER({u})),"",IF(ABS({u}-{t})<=1E-13*MAX(ABS({u}),ABS({t})),0,SIGN({u}-{t})))'

    def _bands(self) -> tuple[str, str]:
        f = self.points
        met = _per_profile([_num(p.qualitative_met) for p in _profiles()])
        partial = _per_profile([_num(p.qualitative_partial) for p in _profiles()])
        return f"ROUND({f}*{met},9)", f"ROUND({f}*{partial},9)"

    def _qualitative(self) -> str:
        f, j, v = self.points, self.judgement, self.aval
        met, partial = self._bands()
        return (
            f'IF({v}="达成",IF({j}="",{rnd(f)},IF(AND({j}>={met},{j}<={f}),{rnd(j)},{rnd(met)})),'
            f'IF({v}="部分达成",IF({j}="",{rnd(partial)},IF(AND({j}>={partial},{j}<{met}),{rnd(j)},{rnd(partial)})),'
            f'IF({v}="未达成",IF({j}="",0,IF(AND({j}>=0,{j}<{partial}),{rnd(j)},0)),'
            f'IF(AND({j}<>"",{j}>=0,{j}<={f}),{rnd(j)},0))))'
        )

    def _quantitative(self) -> str:
        """The score of a row whose actual is a figure (in the target's unit)."""
        f, t, a, c, op = self.points, self.tnum, self.aval, self.cmp, self.eop
        full = rnd(f)
        up = f"IF(OR({t}<=0,{a}<=0),0,IF({c}>=0,{full},{rnd(f'{f}*{a}/{t}')}))"  # 分值 × 实际 ÷ 目标
        down = f"IF(OR({t}<=0,{a}<=0),0,IF({c}<=0,{full},{rnd(f'{f}*{t}/{a}')}))"  # 分值 × 目标 ÷ 实际
        linear = (
            f"IF(OR({t}<=0,ROUND((2*{t}-{a})/{t},12)<=0),0,IF({c}<=0,{full},{rnd(f'{f}*(2*{t}-{a})/{t}')}))"
        )
        negative = _per_profile([down if p.negative == "ratio" else linear for p in _profiles()])
        numeric = (
            f'IF({op}="≥",IF({c}>=0,{full},{up}),IF({op}=">",IF({c}>0,{full},{up}),'
            f'IF({op}="=",IF({c}=0,{full},IF({c}<0,{up},{down})),'
            f'IF({op}="≤",IF({c}<=0,{full},IF({t}<=0,0,{negative})),'
            f"IF({c}<0,{full},IF({t}<=0,0,{negative}))))))"
        )
        return numeric

    def score(self) -> str:
        """Quantitative rows with a figure by the ratios; words (of either kind) in the bands, once."""
        s, a = self.status, self.aval
        words = (
            f'IF(AND({s}="定量",OR({a}="缺",{a}="无法识别")),0,IF(AND({s}="定量",{a}="达成"),{rnd(self.points)},'
            f"{self._qualitative()}))"
        )
        return (
            f'=IF(OR({s}="",{s}="缺分值"),"",IF(LEFT({s},2)="{CHECK}","{CHECK}",IF({s}="负分值",0,'
            f"IF(ISNUMBER({a}),{self._quantitative()},{words}))))"
        )

    def remarks(self) -> str:
        s, j, v, f = self.status, self.judgement, self.aval, self.points
        met, partial = self._bands()
        band = (
            f'AND(OR({s}="定性",AND({s}="定量",OR({v}="部分达成",{v}="未达成"))),'
            f'OR({v}="无法识别",AND({v}="达成",{j}<>"",OR({j}<{met},{j}>{f})),'
            f'AND({v}="部分达成",OR({j}="",{j}<{partial},{j}>={met})),AND({v}="未达成",OR({j}="",{j}<0,{j}>={partial}))))'
        )
        parts = [
            (f'LEFT({s},2)="{CHECK}"', f'"；请用 perfeval-xl 核对："&MID({s},4,99)'),
            (f'{s}="缺分值"', '"；未填写分值"'),
            (f'{s}="负分值"', '"；分值为负数，不计分"'),
            (f'AND({s}="定量",{self.op}="")', f'"；未写比较符，按“"&{self.eop}&"”理解"'),
            (f'AND({s}="定量",{v}="缺")', '"；未填写实际完成值"'),
            (
                f'AND({s}="定量",ISNUMBER({self.anum}),{self._as_percent()})',
                f'"；{L.SHORT_REMARKS["percent-as-fraction"]}"',
            ),
            (f'AND({s}="定量",{v}="无法识别")', '"；实际完成值无法识别"'),
            (
                f'AND({s}="定量",{v}="达成",NOT(ISNUMBER({self.anum})))',
                f'"；{L.SHORT_REMARKS["actual-without-figure"]}"',
            ),
            (band, '"；定性评分缺失或不在达成情况对应的区间"'),
            (
                f'AND(ISNUMBER({self.score_cell}),ISNUMBER({f}),{self.score_cell}<{f},TRIM({self.deviation})="")',
                f'"；{L.SHORT_REMARKS["missing-deviation-reason"]}"',
            ),
        ]
        body = "&".join(f'IF({cond},{text},"")' for cond, text in parts)
        return f"=MID({body},2,999)"


# ---- the whole sheet -----------------------------------------------------------------------------


def _derived_total() -> str:
    """rules._with_total_derived: the 年度资金总额 row has no figure while its sub-rows have some."""
    t, first, last = L.FUND_TOTAL_ROW, L.fund_row(1), L.fund_row(L.FUND_ROWS - 1)
    cols = (L.FUND_INITIAL_COL, L.FUND_ANNUAL_COL, L.FUND_EXECUTED_COL)
    blank = ",".join(f'{c}{t}=""' for c in cols)
    return f"AND({blank},COUNT({L.FUND_ANNUAL_COL}{first}:{L.FUND_EXECUTED_COL}{last})>0)"


def _fund_value(col: str, r: int) -> str:
    """A fund row's figure; for the total row the sub-rows' sum where the engine derives it."""
    if r != L.FUND_TOTAL_ROW:
        return f"{col}{r}"
    rng = f"{col}{L.fund_row(1)}:{col}{L.fund_row(L.FUND_ROWS - 1)}"
    return f'IF({_derived_total()},IF(COUNT({rng})>0,SUM({rng}),""),{col}{r})'


def _fund_rate(r: int) -> str:
    d, e = _fund_value(L.FUND_ANNUAL_COL, r), _fund_value(L.FUND_EXECUTED_COL, r)
    raw_d, raw_e = f"{L.FUND_ANNUAL_COL}{r}", f"{L.FUND_EXECUTED_COL}{r}"
    return (
        f'=IF(AND({d}="",{e}=""),"",IF(OR({PROFILE_INDEX}=0,ISTEXT({raw_d}),ISTEXT({raw_e})),"{CHECK}",'
        f"IF(OR(N({d})<=0,N({e})<=0),0,{rnd(f'100*{e}/{d}')})))"
    )


def _budget_score() -> str:
    r = L.FUND_TOTAL_ROW
    d, e = _fund_value(L.FUND_ANNUAL_COL, r), _fund_value(L.FUND_EXECUTED_COL, r)
    raw_d, raw_e = f"{L.FUND_ANNUAL_COL}{r}", f"{L.FUND_EXECUTED_COL}{r}"
    p = L.BUDGET_POINTS_CELL
    return (
        f'=IF(AND({d}="",{e}=""),"",IF(OR({PROFILE_INDEX}=0,ISTEXT({raw_d}),ISTEXT({raw_e})),"{CHECK}",'
        f"IF(OR(N({d})<=0,N({e})<=0,N({p})<=0),0,IF({e}>={d},{rnd(p)},{rnd(f'{p}*{e}/{d}')}))))"
    )


def computed_cells(lay: L.Layout) -> dict[str, str]:
    """Every computed cell of a native sheet -> its formula (hidden helpers included)."""
    first, last = L.INDICATOR_FIRST_ROW, lay.last_indicator_row
    cells = {
        L.PROFILE_INDEX_CELL: profile_index_formula(),
        L.BUDGET_POINTS_CELL: f'=IF({PROFILE_INDEX}=0,"{CHECK}",{_budget_points()})',
        L.BUDGET_SCORE_CELL: _budget_score(),
    }
    for i in range(L.FUND_ROWS):
        r = L.fund_row(i)
        cells[f"{L.FUND_RATE_COL}{r}"] = _fund_rate(r)
    for i in range(lay.indicator_rows):
        row = _Row(lay, lay.indicator_row(i))
        cells[row.target] = row.target_text()
        cells[row.actual] = row.actual_text()
        cells[row.lvl1] = row.level1_run()
        cells[row.lvl2] = row.level2_run()
        cells[row.status] = row.status_formula()
        cells[row.eop] = row.effective_op()
        cells[row.aval] = row.actual_value()
        cells[row.cmp] = row.compare()
        cells[row.score_cell] = row.score()
        cells[row.remarks_cell] = row.remarks()
    scores = f"{L.SCORE_COL}{first}:{L.SCORE_COL}{last}"
    points = f"{L.POINTS_COL}{first}:{L.POINTS_COL}{last}"
    budget = L.BUDGET_SCORE_CELL
    cells[lay.total_points_cell] = (
        f'=IF(ISTEXT({L.BUDGET_POINTS_CELL}),"{CHECK}",ROUND(SUM({L.BUDGET_POINTS_CELL},{points}),9))'
    )
    total = lay.total_score_cell
    cells[total] = (
        f'=IF(OR({budget}="{CHECK}",COUNTIF({scores},"{CHECK}")>0),"{CHECK}",'
        f'IF(AND({budget}="",COUNT({scores})=0),"",ROUND(SUM({budget},{scores}),9)))'
    )
    cells[lay.grade_cell] = f'=IF({total}="","",IF({total}="{CHECK}","{CHECK}",{_grade(total)}))'
    cells[lay.form_remarks_cell] = _form_remarks(lay)
    return cells


def _form_remarks(lay: L.Layout) -> str:
    """The form's 审核提示 (only once some 分值 is entered: the blank template says nothing)."""
    first, last = L.INDICATOR_FIRST_ROW, lay.last_indicator_row
    points = f"{L.POINTS_COL}{first}:{L.POINTS_COL}{last}"
    parts = []
    total, subs = L.fund_row(0), [L.fund_row(i) for i in range(1, L.FUND_ROWS)]
    sums = []
    for col in (L.FUND_INITIAL_COL, L.FUND_ANNUAL_COL, L.FUND_EXECUTED_COL):
        whole = f"{col}{total}"
        rng = f"{col}{subs[0]}:{col}{subs[-1]}"
        sums.append(f'AND({whole}<>"",COUNT({rng})>0,ROUND({whole}-SUM({rng}),9)<>0)')
    parts.append((f"OR({','.join(sums)})", L.SHORT_REMARKS["funds-sum"]))
    parts.append((_derived_total(), L.SHORT_REMARKS["funds-total-derived"]))
    parts.append(
        (
            f"AND(COUNT({points})>0,ISNUMBER({lay.total_points_cell}),{lay.total_points_cell}<>100)",
            L.SHORT_REMARKS["points-not-100"],
        )
    )
    over = [
        f"AND(ISNUMBER({L.FUND_ANNUAL_COL}{r}),ISNUMBER({L.FUND_EXECUTED_COL}{r}),"
        f"{L.FUND_EXECUTED_COL}{r}>{L.FUND_ANNUAL_COL}{r})"
        for r in (total, *subs)
    ]
    parts.append((f"OR({','.join(over)})", L.SHORT_REMARKS["over-execution"]))
    level1 = f"{L.LEVEL1_RUN_COL}{first}:{L.LEVEL1_RUN_COL}{last}"
    for p_index, p in enumerate(_profiles(), 1):
        for name, expected in (p.expected_weights or {}).items():
            cond = f"AND({PROFILE_INDEX}={p_index},COUNT({points})>0,ROUND(SUMIF({level1},{_q(name)},{points})-{_num(expected)},9)<>0)"
            parts.append((cond, f"{name}分值合计不是{_num(expected)}"))
    body = "&".join(f'IF({cond},{_q("；" + text)},"")' for cond, text in parts)
    return f"=MID({body},2,999)"


# ---- what the composing formulas write, in Python -------------------------------------------------


def number_text(x: Decimal | int | float) -> str:
    """A number as ``x&""`` writes it (plain digits, no exponent, no trailing zeros)."""
    d = Decimal(str(x))
    if d == 0:
        return "0"
    return format(d.normalize(), "f")


def compose_target(op: str | None, number: Decimal | int | float | str | None, unit: str | None) -> str:
    op = op or ""
    if number is None or number == "":
        return op
    if isinstance(number, str):
        return op + number
    return op + number_text(number) + (f"({unit})" if unit else "")


def compose_actual(number: Decimal | int | float | str | None, unit: str | None) -> str:
    if number is None or number == "":
        return ""
    if isinstance(number, str):
        return number
    return number_text(number) + (f"({unit})" if unit else "")

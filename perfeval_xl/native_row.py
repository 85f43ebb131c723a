"""One indicator row of the native template: the composed 年度指标值 and 实际完成值, the hidden
intermediate columns (groups continued down, the row's status, the effective operator, the actual in
the target's unit, the comparison) and the row's 得分 and 审核提示, mirroring
:func:`perfeval_xl.rules.score_indicator`.
"""

from __future__ import annotations

from . import layout as L
from .deadlines import ON_TIME_WORDS
from .native_exprs import (
    CHECK,
    PROFILE_INDEX,
    all_profiles,
    array,
    factor,
    family,
    has_any,
    has_digit,
    is_percent,
    norm,
    num,
    number_ok,
    per_profile,
    rnd,
    says_none,
    unit_ok,
    verdict,
)
from .remarks import SHORT_REMARKS
from .words import LOWER_IS_BETTER

#: what the 比较符 drop-down offers; ">=" and "<=" typed by hand are read as ≥ and ≤
OPERATORS = ("≥", "≤", "=", ">", "<")
TYPED_OPERATORS = (*OPERATORS, ">=", "<=")
OP_SYMBOL = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}

#: worded targets the engine reads as deadlines (按时, 年底前, 第三季度前 …): left to perfeval-xl
_DATE_WORDS = ("月", "年", "季")
#: a numeric target in months is a deadline for a 时效 indicator (indicator_rules._bare_month_deadline)
_MONTH_UNITS = ("月", "月份")


class IndicatorRow:
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
        units_clash = f'AND({tu}<>"",{au}<>"",NOT(EXACT({family(tu)},{family(au)})))'
        numeric_actual = (
            f'IF(NOT({number_ok(a)}),"核对：实际数值超出范围或位数过多",'
            f'IF(NOT({unit_ok(au)}),"核对：实际单位",IF({units_clash},"核对：单位无法换算","定量")))'
        )
        quantitative = (
            f'IF(NOT({number_ok(t)}),"核对：指标数值超出范围或位数过多",IF(NOT({unit_ok(tu)}),"核对：指标单位",'
            f'IF(ISNUMBER(MATCH({norm(tu)},{array(_MONTH_UNITS)},0)),"核对：以月为单位的时限",'
            f'IF(ISNUMBER({a}),{numeric_actual},IF({has_digit(a)},"核对：实际数值是含数字的文字","定量")))))'
        )
        return (
            f'=IF({blank},"",IF({PROFILE_INDEX}=0,"核对：评分规则无法识别",IF({f}="","缺分值",'
            f'IF(NOT(ISNUMBER({f})),"核对：分值不是数字",IF(AND({j}<>"",NOT(ISNUMBER({j}))),"核对：定性评分不是数字",'
            f'IF({f}<0,"负分值",IF(AND({k}<>"",ISNA(MATCH({k},{array(TYPED_OPERATORS)},0))),"核对：比较符",'
            f'IF(ISNUMBER({t}),{quantitative},IF({k}<>"","核对：比较符后应填数字",'
            f'IF({has_digit(t)},"核对：指标数值是含数字的文字",IF(OR({has_any(_DATE_WORDS, t)},'
            f'ISNUMBER(MATCH({norm(t)},{array(sorted(ON_TIME_WORDS))},0))),"核对：时限类指标",'
            f'"定性")))))))))))'
        )

    def effective_op(self) -> str:
        k = self.op
        lower = f'OR({has_any(LOWER_IS_BETTER, norm(self.name))},{norm(self.lvl2)}="成本指标")'
        return (
            f'=IF({self.status}<>"定量","",IF({k}<>"",IF({k}=">=","≥",IF({k}="<=","≤",{k})),'
            f'IF({lower},"≤","≥")))'
        )

    def actual_value(self) -> str:
        s, a, au, tu = self.status, self.anum, self.aunit, self.tunit
        qualitative = (
            f'IF(AND({norm(self.actual)}<>"",EXACT({norm(self.actual)},{norm(self.target)})),"达成",'
            f"{verdict(self.actual)})"
        )
        convert = (
            f'IF({self._as_percent()},{a}*100,IF(OR({tu}="",{au}=""),{a},{a}*{factor(au)}/{factor(tu)}))'
        )
        e, t = self.eop, self.tnum
        # indicator_rules._none_meets: 无上访 against <5, ≤1 or =0 is a count of 0, met
        none_meets = f'OR(AND({e}="<",{t}>0),AND({e}="≤",{t}>=0),AND({e}="=",{t}=0))'
        worded = f'IF(AND({verdict(a)}="无法识别",{says_none(a)},{none_meets}),"达成",{verdict(a)})'
        return (
            f'=IF({s}="定量",IF({a}="","缺",IF(ISNUMBER({a}),{convert},{worded})),'
            f'IF({s}="定性",{qualitative},""))'
        )

    def _as_percent(self) -> str:
        """indicator_rules._as_percent: a bare 0.96 answering a percent target (not 百分点) above 1 means 96 %."""
        a, tu = self.anum, self.tunit
        return f'AND({self.aunit}="",{is_percent(tu)},{norm(tu)}<>"百分点",{a}>0,{a}<=1,{self.tnum}>1)'

    def compare(self) -> str:
        u, t = self.aval, self.tnum
        return f'=IF(NOT(ISNUMBER({u})),"",IF(ABS({u}-{t})<=1E-13*MAX(ABS({u}),ABS({t})),0,SIGN({u}-{t})))'

    def _bands(self) -> tuple[str, str]:
        f = self.points
        met = per_profile([num(p.qualitative_met) for p in all_profiles()])
        partial = per_profile([num(p.qualitative_partial) for p in all_profiles()])
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
        negative = per_profile([down if p.negative == "ratio" else linear for p in all_profiles()])
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
                f'"；{SHORT_REMARKS["percent-as-fraction"]}"',
            ),
            (f'AND({s}="定量",{v}="无法识别")', '"；实际完成值无法识别"'),
            (
                f'AND({s}="定量",{v}="达成",NOT(ISNUMBER({self.anum})))',
                f'"；{SHORT_REMARKS["actual-without-figure"]}"',
            ),
            (band, '"；定性评分缺失或不在达成情况对应的区间"'),
            (
                f'AND(ISNUMBER({self.score_cell}),ISNUMBER({f}),{self.score_cell}<{f},TRIM({self.deviation})="")',
                f'"；{SHORT_REMARKS["missing-deviation-reason"]}"',
            ),
        ]
        body = "&".join(f'IF({cond},{text},"")' for cond, text in parts)
        return f"=MID({body},2,999)"

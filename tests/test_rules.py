"""Each scoring rule in both profiles, and the traps of floats and premature rounding."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfeval_xl.model import Form, FundRow, Indicator
from perfeval_xl.profiles import get_profile
from perfeval_xl.rules import budget_score, evaluate, execution_rate, grade, round2, score_indicator

SH, MOF = "shanghai-municipal", "mof-2020"


def ind(target, actual, points, name="指标", judgement=None, level2="数量指标", reason=""):
    return Indicator("产出指标", level2, name, target, actual, D(str(points)), None, reason, judgement)


def score(target, actual, points, profile=SH, **kw):
    return score_indicator(ind(target, actual, points, **kw), profile).score


# -- rounding and execution rate -------------------------------------------------------------


@pytest.mark.parametrize(
    ("annual", "executed", "profile", "rate", "budget"),
    [
        ("758.11", "754.31", SH, "99.49", "9.94"),  # seed form 1: 99.4988 %
        ("137.65", "122.75", SH, "89.17", "8.91"),  # seed form 2: 89.1754 %
        ("69.26", "65.93", SH, "95.19", "9.51"),  # seed form 4: 95.1920 %
        ("37.76", "37.76", SH, "100.00", "10.00"),
        ("758.11", "754.31", MOF, "99.50", "9.95"),
        ("250000", "215457.6", MOF, "86.18", "8.62"),  # MoF practice
        ("20000", "9034", MOF, "45.17", "4.52"),
        ("250000", "215457.6", SH, "86.18", "8.61"),
        ("20000", "9034", SH, "45.17", "4.51"),
        ("100", "57", SH, "57.00", "5.70"),  # 0.57 * 100 is 56.99999999999999 in floats
        ("100", "57", MOF, "57.00", "5.70"),
    ],
)
def test_execution_rate_and_budget_score(annual, executed, profile, rate, budget):
    assert execution_rate(D(annual), D(executed), profile) == D(rate)
    assert budget_score(D(annual), D(executed), None, profile) == D(budget)


def test_floats_from_excel_are_read_as_written():
    assert execution_rate(100.0, 57.0) == D("57.00")
    assert budget_score(758.11, 754.31) == D("9.94")


def test_zero_budget_shows_zero():
    assert execution_rate(D(0), D(0)) == D("0.00")
    assert execution_rate(D(0), D(5)) == D("0.00")
    assert budget_score(D(0), D(5)) == D("0.00")
    assert execution_rate(None, None) == D("0.00")


def test_over_execution_scores_full_points_only():
    assert execution_rate(D(100), D(120)) == D("120.00")
    assert budget_score(D(100), D(120)) == D("10.00")
    assert budget_score(D(100), D(120), D(20)) == D("20.00")


def test_budget_points_switch():
    assert budget_score(D(100), D(57), D(20)) == D("11.40")


def test_round2_profiles():
    assert round2(D("4.99875"), SH) == D("4.99")
    assert round2(D("4.99875"), MOF) == D("5.00")
    assert round2(D("8.615"), MOF) == D("8.62")
    assert round2(D("-1.239"), SH) == D("-1.23")


# -- quantitative indicators -----------------------------------------------------------------


def test_positive_indicator_met_and_ratio():
    assert score("≥120000.00(次)", "120722.00(次)", 5) == D("5.00")
    assert score("≥500(家次)", "430(家次)", 10) == D("8.60")
    assert score(">10", "10", 4) == D("4.00")  # ratio 1 when equal to a strict bound


def test_3999_of_4000_truncates_and_rounds():
    assert score("≥4000", "3999", 5, SH) == D("4.99")
    assert score("≥4000", "3999", 5, MOF) == D("5.00")


def test_no_premature_rounding_10_of_30():
    assert score("≥30", "10", 30, SH) == D("10.00")
    assert score("≥30", "10", 30, MOF) == D("10.00")


def test_negative_indicator_ratio_and_linear():
    assert score("≤5%", "4%", 10) == D("10.00")
    assert score("≤5%", "8%", 10) == D("6.25")  # ratio: 5/8 * 10
    lin = get_profile(SH).__class__(**{**get_profile(SH).__dict__, "negative": "linear", "name": "lin"})
    assert score("≤5%", "8%", 10, lin) == D("4.00")  # 10 * (1 - 3/5)
    assert score("≤5%", "10%", 10, lin) == D("0.00")  # zero from twice the target
    assert score("≤5%", "12%", 10, lin) == D("0.00")


def test_equal_indicator():
    assert score("=100.00(百分数)", "100.00(百分数)", 20) == D("20.00")
    assert score("=100", "80", 10) == D("8.00")
    assert score("=100", "125", 10) == D("8.00")


def test_units_convert_before_comparing():
    assert score("≥2亿元", "15000万元", 10) == D("7.50")
    assert score("≥95%", "95.00(百分比)", 5) == D("5.00")


def test_unit_mismatch_is_a_finding():
    r = score_indicator(ind("≥10(次)", "8(家)", 10), SH)
    assert r.score == D("8.00")
    assert [f.code for f in r.findings] == ["unit-mismatch"]


def test_operator_less_target():
    r = score_indicator(ind("5%", "4%", 10, name="系统故障率"), SH)
    assert r.direction == "<=" and r.score == D("10.00")
    assert "no-operator" in [f.code for f in r.findings]
    r = score_indicator(ind("5%", "8%", 10, name="系统故障率"), SH)
    assert r.score == D("6.25")
    r = score_indicator(ind("90%", "81%", 10, name="用户满意度"), SH)
    assert r.direction == ">=" and r.score == D("9.00")


def test_worded_actual_on_numeric_target():
    r = score_indicator(ind("2亿元", "达成指标", 5), SH)
    assert r.score == D("5.00")
    assert {f.code for f in r.findings} == {"no-operator", "actual-without-figure"}
    assert score("≥95%", "未达成", 10) == D("0.00")
    assert score("≥95%", "部分达成", 10, judgement=D(7)) == D("7.00")
    r = score_indicator(ind("≥95%", "", 10), SH)
    assert r.score == D("0.00") and r.findings[-1].code == "missing-actual"


def test_scores_never_leave_0_to_points():
    assert score("≥100", "-5", 10) == D("0.00")
    assert score("≥0", "5", 10) == D("10.00")
    assert score("≤0", "5", 10) == D("0.00")


# -- qualitative indicators ------------------------------------------------------------------


def test_qualitative_bands():
    assert score("健全", "健全", 10) == D("10.00")  # actual = target: 达成
    assert score("及时", "达成", 10) == D("10.00")
    assert score("及时", "达成", 10, judgement=D("8.5")) == D("8.50")
    assert score("及时", "部分达成", 10, judgement=D(7)) == D("7.00")
    assert score("及时", "未达成", 10, judgement=D(3)) == D("3.00")


@pytest.mark.parametrize(
    ("actual", "judgement", "expected"),
    [
        ("部分达成", None, "6.00"),  # no judgement: band's lower bound
        ("未达成", None, "0.00"),
        ("达成", D(7), "8.00"),  # outside [8, 10]: lower bound
        ("部分达成", D(8), "6.00"),  # [6, 8) excludes 8
        ("未达成", D(6), "0.00"),
    ],
)
def test_qualitative_band_findings(actual, judgement, expected):
    r = score_indicator(ind("健全", actual, 10, judgement=judgement), SH)
    assert r.score == D(expected)
    assert [f.code for f in r.findings] == ["qualitative-band"]


def test_qualitative_unknown_word_uses_judgement_or_zero():
    assert score("健全", "较好", 10, judgement=D(9)) == D("9.00")
    r = score_indicator(ind("健全", "较好", 10), SH)
    assert r.score == D("0.00") and r.findings[0].severity == "warning"


def test_missing_points():
    i = Indicator("产出指标", "数量指标", "x", "≥1", "1", None)
    r = score_indicator(i)
    assert r.score == D("0.00") and r.kind == "unscored"


# -- grade and total -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        ("100", "优"),
        ("90", "优"),
        ("89.99", "良"),
        ("80", "良"),
        ("79.99", "中"),
        ("60", "中"),
        ("59.99", "差"),
        ("0", "差"),
    ],
)
def test_grade_bands_lower_bounds_inclusive(total, expected):
    assert grade(D(total)) == expected
    assert grade(float(total)) == expected


def _form(executed="57", points=(90,), actuals=("≥1",)):
    return Form(
        "t.txt",
        project="p",
        department="d",
        unit="u",
        funds=[FundRow("年度资金总额", D(100), D(100), D(executed), D(10))],
        indicators=[
            ind("≥1", a, p, name=f"i{k}", reason="r")
            for k, (a, p) in enumerate(zip(actuals, points, strict=True))
        ],
    )


def test_total_is_sum_of_rounded_parts():
    form = _form("57", (45, 45), ("1", "0.5"))
    r = evaluate(form, SH)
    assert r.budget_score == D("5.70")
    assert [x.score for x in r.indicators] == [D("45.00"), D("22.50")]
    assert r.total_score == D("73.20") and r.grade == "中"
    assert r.total_points == D(100)


def test_profile_resolution_prefers_argument_then_workbook():
    form = _form("99.875", (90,), ("1",))
    assert evaluate(form).budget_score == D("9.98")  # default truncates
    form.profile = "财政部2020（四舍五入）"
    assert evaluate(form).profile == MOF
    assert evaluate(form).budget_score == D("9.99")
    assert evaluate(form, SH).budget_score == D("9.98")
    form.profile = "no-such-profile"
    r = evaluate(form)
    assert r.profile == SH and "unknown-profile" in [f.code for f in r.findings]


def test_unknown_profile_argument_is_an_error():
    with pytest.raises(ValueError, match="未知的评分规则"):
        get_profile("nope")


def test_profile_from_json_file(tmp_path):
    path = tmp_path / "province.json"
    path.write_text('{"rounding": "half-up", "budget_points": 20}', encoding="utf-8")
    prof = get_profile(str(path))
    assert prof.name == "province" and prof.budget_points == D(20)
    assert budget_score(D(100), D(57), None, prof) == D("11.40")


# -- properties --------------------------------------------------------------------------------

_amount = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
_value_text = st.one_of(
    st.text(max_size=20),
    st.builds(
        lambda op, n, u: f"{op}{n}{u}",
        st.sampled_from(["", "≥", "≤", "=", ">", "<", "＞＝", "不低于"]),
        _amount,
        st.sampled_from(["", "%", "(次)", "万元", "亿元", "元", "(百分比)", "家"]),
    ),
    st.sampled_from(["达成指标", "部分达成", "未达成", "健全", "及时"]),
)


@given(
    _value_text,
    _value_text,
    st.decimals(min_value=0, max_value=100, places=2),
    st.one_of(st.none(), st.decimals(min_value=-5, max_value=120, places=2)),
    st.sampled_from(["系统故障率", "满意度", "成本"]),
    st.sampled_from([SH, MOF]),
)
def test_indicator_score_stays_within_points(target, actual, points, judgement, name, profile):
    r = score_indicator(
        Indicator("产出指标", "数量指标", name, target, actual, points, None, "", judgement), profile
    )
    assert D(0) <= r.score <= points
    assert r.score == r.score.quantize(D("0.01"))


@given(_amount, _amount, st.sampled_from([SH, MOF]))
def test_budget_score_stays_within_points(annual, executed, profile):
    s = budget_score(annual, executed, None, profile)
    assert D(0) <= s <= D(10)
    rate = execution_rate(annual, executed, profile)
    assert rate >= 0


def _exact_reference(scale, num, den, rounding):
    """Two-decimal result computed with Fractions only, as the rule defines it."""
    from fractions import Fraction

    q = Fraction(scale) * Fraction(num) / Fraction(den) * 100
    cents = int(q + Fraction(1, 2)) if rounding == "half-up" else int(q)
    return D(cents) / 100


@given(
    st.decimals(min_value=0, max_value=100, places=2),
    st.decimals(min_value="0.0001", max_value=10**12, places=4),
    st.decimals(min_value="0.0001", max_value=10**12, places=4),
    st.sampled_from([SH, MOF]),
)
def test_one_division_equals_exact_rational_arithmetic(scale, num, den, profile):
    from perfeval_xl.rules import scaled_ratio

    prof = get_profile(profile)
    assert scaled_ratio(scale, num, den, prof, cap=False) == _exact_reference(scale, num, den, prof.rounding)


def test_division_boundaries_are_exact():
    from perfeval_xl.rules import scaled_ratio

    prof_sh, prof_mof = get_profile(SH), get_profile(MOF)
    # 1/3 * 3 = 1 exactly: no 0.99 from a rounded intermediate
    assert scaled_ratio(D(3), D(1), D(3), prof_sh) == D("1.00")
    # exactly half a cent: half up goes up, truncation does not
    assert scaled_ratio(D(1), D("0.005"), D(1), prof_mof) == D("0.01")
    assert scaled_ratio(D(1), D("0.005"), D(1), prof_sh) == D("0.00")
    # a quotient just below a cent boundary stays below it
    assert scaled_ratio(D(1), D("2.99999999999999999999999999999"), D(100), prof_sh) == D("0.02")

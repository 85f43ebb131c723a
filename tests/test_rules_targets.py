"""Targets beyond "≥ a number": look-alike operators, ranges, deadlines, percentages typed as fractions.

Every expected score is computed by hand in the comment beside it (分值 × ratio, then the profile's
rounding: SH truncates, MOF rounds half up, both at two decimals).
"""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfeval_xl.deadlines import parse_when
from perfeval_xl.model import Indicator
from perfeval_xl.rules import score_indicator
from perfeval_xl.values import parse_value

SH, MOF = "shanghai-municipal", "mof-2020"


def result(target, actual, points=10, profile=SH, name="指标", level2="数量指标", judgement=None):
    ind = Indicator("产出指标", level2, name, target, actual, D(str(points)), None, "", judgement)
    return score_indicator(ind, profile)


def score(*args, **kw):
    return result(*args, **kw).score


def codes(*args, **kw):
    return [f.code for f in result(*args, **kw).findings]


# -- look-alike operators ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "op"),
    [("≧735人次", ">="), ("≦5%", "<="), ("═100%", "="), ("﹦100%", "="), ("＝100%", "="), ("＞＝95%", ">=")],
)
def test_look_alike_operators(target, op):
    assert parse_value(target).op == op


def test_look_alike_equals_scores_as_equals():
    assert score("═100%", "100%") == D("10.00")
    # = : min(98/100, 100/98) × 10 = 9.80
    assert score("﹦100%", "98%") == D("9.80")
    assert "no-operator" not in codes("＝100%", "98%")


# -- ranges -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "actual", "profile", "expected"),
    [
        ("500-600(家)", "550(家)", SH, "10.00"),  # inside
        ("500-600(家)", "500家", SH, "10.00"),  # bounds are inside
        ("500-600(家)", "600", SH, "10.00"),
        ("500-600(家)", "450(家)", SH, "9.00"),  # below: 450 / 500 × 10
        ("500-600(家)", "620(家)", SH, "9.67"),  # above: 600 / 620 × 10 = 9.677…, truncated
        ("500-600(家)", "620(家)", MOF, "9.68"),  # … rounded half up
        ("90%-95%", "96%", SH, "9.89"),  # 95 / 96 × 10 = 9.8958…
        ("90%-95%", "96%", MOF, "9.90"),
        ("90%～95%", "93%", SH, "10.00"),
        ("500至600家", "0", SH, "0.00"),
    ],
)
def test_range_targets(target, actual, profile, expected):
    r = result(target, actual, profile=profile)
    assert r.score == D(expected)
    assert r.direction == "range"
    assert "no-operator" not in [f.code for f in r.findings]


def test_issue10_item5_range_target_is_not_scored_zero():
    # issue 10 item 5: "500-600(家)" scored 0.00 (read as words); 560 is inside → full marks
    assert score("500-600(家)", "560(家)", points=20) == D("20.00")


def test_negative_sign_is_not_a_range():
    v = parse_value("-5%")
    assert v.number == D(-5) and v.high is None
    assert parse_value("≥-5%").high is None
    assert parse_value("600-500").high is None  # a "range" with its bounds reversed is not one


@given(
    lo=st.integers(min_value=1, max_value=10_000),
    width=st.integers(min_value=1, max_value=10_000),
    actual=st.integers(min_value=0, max_value=30_000),
)
def test_range_property(lo, width, actual):
    """Inside the range: full marks; outside: never more than the nearer bound's ratio allows."""
    hi = lo + width
    s = score(f"{lo}-{hi}(家)", f"{actual}(家)", profile=MOF)
    if lo <= actual <= hi:
        assert s == D("10.00")
    else:  # the ratio to the nearer bound, rounded half up
        exact = D(actual) / D(lo) if actual < lo else D(hi) / D(actual)
        assert D(0) <= s <= D("10.00") and abs(s - exact * 10) <= D("0.005")


# -- deadlines --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "actual", "profile", "expected", "late"),
    [
        ("9月前", "7月", SH, "10.00", False),
        ("9月前", "9月", SH, "10.00", False),  # "9月前" is read as "by the end of September"
        ("9月底前", "9月25日", SH, "10.00", False),
        ("9月前", "10月", SH, "9.00", True),  # months: 9 / 10 × 10
        ("11月前", "11月20日", SH, "10.00", False),  # month precision on one side: months compared
        ("12月31日前", "12月", SH, "10.00", False),
        ("9月30日前", "10月15日", SH, "9.47", True),  # days of a common year: 273 / 288 × 10 = 9.479…
        ("9月30日前", "10月15日", MOF, "9.48", True),
        ("2023年12月31日前", "2024年1月15日", SH, "9.60", True),  # 365 / (365 + 15) × 10 = 9.605…
        ("2023年12月前", "2024年3月", SH, "8.00", True),  # months from Jan 2023: 12 / 15 × 10
        ("≤9月", "8月", SH, "10.00", False),
        ("不晚于11月", "2023-12-05", SH, "9.16", True),  # 11 / 12 × 10 = 9.166…
        ("年底前", "11月", SH, "10.00", False),
        ("第三季度前", "10月", SH, "9.00", True),  # Q3 ends in month 9: 9 / 10 × 10
        ("9月前完成项目建设并投入使用", "10月完成全部建设任务", SH, "9.00", True),  # words after the dates
        ("2023年9月底前", "已于2023年9月20日完成", SH, "10.00", False),
    ],
)
def test_deadline_targets(target, actual, profile, expected, late):
    r = result(target, actual, profile=profile, level2="时效指标", name="完成时间")
    assert r.score == D(expected)
    assert r.direction == "<="
    assert ("deadline-late" in [f.code for f in r.findings]) is late
    assert "no-operator" not in [f.code for f in r.findings]


def test_deadline_was_read_as_a_number_before():
    # The old reading of "9月前" was "≥ 9 月前": 7月 scored 7/9 × 10 = 7.77 and 10月 full marks.
    assert score("9月前", "7月") == D("10.00")
    assert score("9月前", "10月") == D("9.00")


@pytest.mark.parametrize(
    ("target", "actual", "expected", "expected_codes"),
    [
        ("按时", "按时", "10.00", []),
        ("按时", "及时", "10.00", []),
        ("按时", "已完成", "10.00", []),
        ("按时", "按时完成", "10.00", []),
        ("按时完成", "提前完成", "10.00", []),
        ("9月前", "按时完成", "10.00", []),
        ("9月前", "已完成", "10.00", ["actual-without-figure"]),  # done, but when is not said
        # late in words: the 未达成 band, lower bound 0 without a judgement
        ("按时", "延期完成", "0.00", ["deadline-late", "qualitative-band"]),
        ("9月前", "未按时完成", "0.00", ["deadline-late", "qualitative-band"]),
        ("9月前", "", "0.00", ["missing-actual"]),
        ("9月前", "很好", "0.00", ["unparsed-actual"]),
    ],
)
def test_deadline_words(target, actual, expected, expected_codes):
    r = result(target, actual)
    assert r.score == D(expected)
    assert [f.code for f in r.findings] == expected_codes


def test_on_time_target_keeps_the_forms_judgement():
    # a qualitative 按时/及时 row scored 9 of 10 by the reviewer: inside the 达成 band [8, 10]
    assert score("及时", "及时", judgement=D(9)) == D("9.00")
    # late with a judgement inside the 未达成 band [0, 6): the judgement stands
    assert score("按时", "逾期2周", judgement=D(5)) == D("5.00")


def test_bare_month_is_a_deadline_only_for_timeliness_indicators():
    # 时效指标: "9月" is a date; 10月 is late: 9 / 10 × 10
    assert score("9月", "10月", level2="时效指标", name="项目完成") == D("9.00")
    assert score("9月份", "8月", name="验收时间") == D("10.00")
    # elsewhere a bare "9月" stays a number (e.g. a count of months): ≥ 9, 10 ≥ 9 is met
    assert score("9月", "10月") == D("10.00")


def test_duration_is_not_a_date():
    assert parse_value("≤12个月").when is None
    assert parse_when("3个月") is None
    assert parse_when("9月部分完成") is None
    assert parse_when("9月31日") is None  # no such day


@given(
    t=st.integers(min_value=1, max_value=12),
    a=st.integers(min_value=1, max_value=12),
)
def test_deadline_month_property(t, a):
    """On time or early: full marks; late: points × target month ÷ actual month, never more."""
    r = result(f"{t}月前", f"{a}月", profile=MOF)
    if a <= t:
        assert r.score == D("10.00") and not r.findings
    else:
        exact = D(t) / D(a) * 10
        assert abs(r.score - exact) <= D("0.005")
        assert [f.code for f in r.findings] == ["deadline-late"]


# -- a bare number against a percent target -----------------------------------------------------


@pytest.mark.parametrize(
    ("target", "actual", "profile", "expected", "fraction"),
    [
        ("≥95%", "0.96", SH, "10.00", True),  # 96 % ≥ 95 %
        ("≥95%", 0.96, SH, "10.00", True),  # a float from a number cell
        ("≤2%", "0.025", SH, "8.00", True),  # 2.5 % > 2 %: 2 / 2.5 × 10
        ("=99%", "0.98", SH, "9.89", True),  # 98 / 99 × 10 = 9.8989…
        ("=99%", "0.98", MOF, "9.90", True),
        ("≥95(百分比)", "1", SH, "10.00", True),  # 1 = 100 %
        ("90%-95%", "0.92", SH, "10.00", True),
        ("≤0.5%", "0.3", SH, "10.00", False),  # the target is below 1: 0.3 means 0.3 %
        ("≥95%", "0.96%", SH, "0.10", False),  # says %: 0.96 / 95 × 10 = 0.101…
        ("≥95", "0.96", SH, "0.10", False),  # no percent target
        ("≥95%", "96", SH, "10.00", False),
        ("≥2百分点", "0.5", SH, "2.50", False),  # 百分点 are not a ratio: 0.5 / 2 × 10
    ],
)
def test_percent_as_fraction(target, actual, profile, expected, fraction):
    r = result(target, actual, profile=profile)
    assert r.score == D(expected)
    found = [f for f in r.findings if f.code == "percent-as-fraction"]
    assert bool(found) is fraction
    if found:
        assert found[0].severity == "info"


def test_issue10_item4_fraction_is_not_scored_silently():
    # issue 10 item 4: "≤2%" against 0.025 gave full marks, "=99%" against 0.98 gave 0.09, no finding
    assert score("≤2%", "0.025") == D("8.00")
    assert score("=99%", "0.98") == D("9.89")
    assert "percent-as-fraction" in codes("≤2%", "0.025")


def test_deadline_without_year_is_in_the_forms_year():
    from perfeval_xl.model import Form
    from perfeval_xl.rules import evaluate, form_year

    ind = Indicator("产出指标", "时效指标", "完成时间", "12月31日前", "2024年1月15日", D(10), None, "延期")
    # no year anywhere but the actual's: both dates in 2024, on time
    assert score_indicator(ind).score == D("10.00")
    # a 2023 form: 2023-12-31 against 2024-01-15 is late, 365 / 380 × 10 = 9.605… → 9.60
    form = Form("t", year="2023", indicators=[ind])
    assert form_year(form) == 2023
    r = evaluate(form).indicators[0]
    assert r.score == D("9.60") and [f.code for f in r.findings] == ["deadline-late"]
    assert form_year(Form("t", title="项目支出绩效自评表（2022年度）")) == 2022

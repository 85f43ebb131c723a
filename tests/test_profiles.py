"""Profiles: decimals, the whole-number and transfer-payment built-ins, JSON files, ``--profile auto``.

Expected numbers are computed by hand in the comments.
"""

import json
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfeval_xl.model import Form, FundRow, Indicator
from perfeval_xl.profiles import PROFILES, Profile, get_profile
from perfeval_xl.rules import budget_score, evaluate, execution_rate, infer_profile, round2, score_indicator


def ind(target, actual, points, stated=None, name="指标", level1="产出指标"):
    return Indicator(level1, "数量指标", name, target, actual, D(str(points)), stated, "原因")


def test_builtin_profiles_unchanged():
    sh, mof = PROFILES["shanghai-municipal"], PROFILES["mof-2020"]
    assert (sh.rounding, sh.decimals, sh.budget_points) == ("truncate", 2, D(10))
    assert (mof.rounding, mof.decimals, mof.budget_points) == ("half-up", 2, D(10))
    assert get_profile("整数（四舍五入取整）").name == "whole-number"
    assert get_profile("转移支付（无预算执行分）").name == "transfer-payment"
    assert get_profile("整数（截位取整）").name == "whole-number-truncate"


def test_whole_number_truncate_shanxi_2020():
    # Shanxi 2020 county form: 65.07 / 65.66 = 99.10 % → 99; budget score 9.91 → 9 (truncated)
    assert execution_rate(D("65.66"), D("65.07"), "whole-number-truncate") == D(99)
    assert budget_score(D("65.66"), D("65.07"), None, "whole-number-truncate") == D(9)
    assert budget_score(D("65.66"), D("65.07"), None, "whole-number") == D(10)  # 9.91 half up


def test_whole_number_profile_hebei_2019():
    # Hebei 2019: 37.24 / 43.2 = 86.2037 % → 86; 10 × 0.862037 = 8.62 → 9 (half up to whole numbers)
    assert execution_rate(D("43.2"), D("37.24"), "whole-number") == D(86)
    assert budget_score(D("43.2"), D("37.24"), None, "whole-number") == D(9)
    # an indicator: 173 of ≥200 for 10 points = 8.65 → 9
    assert score_indicator(ind("≥200", "173", 10), "whole-number").score == D(9)
    # half up at the unit: 8.5 → 9, 8.49 → 8
    assert round2(D("8.5"), "whole-number") == D(9) and round2(D("8.49"), "whole-number") == D(8)


def hebei_form(**stated):
    return Form(
        "hebei.txt",
        project="河北某项目",
        department="d",
        unit="u",
        funds=[FundRow("年度资金总额", D("43.2"), D("43.2"), D("37.24"), D(10), D(86), D(9))],
        indicators=[
            ind("≥200", "173", 10, D(9), "培训人次"),  # 8.65 → 9
            ind("≥95%", "96%", 40, D(40), "合格率"),
            ind("≥90%", "88%", 40, D(39), "满意度"),  # 40 × 88 / 90 = 39.11 → 39
        ],
        stated_total_score=D(97),  # 9 + 9 + 40 + 39
        stated_grade="优",
        **stated,
    )


def test_whole_number_form_reproduced_and_inferred():
    form = hebei_form()
    r = evaluate(form, "whole-number")
    assert (r.execution_rate, r.budget_score, r.total_score, r.grade) == (D(86), D(9), D(97), "优")
    assert "stated-mismatch" not in [f.code for f in r.findings]
    # under the default (truncate, 2 decimals) the stated numbers disagree: 86.20, 8.62, 8.65, 39.11
    assert "stated-mismatch" in [f.code for f in evaluate(form).findings]
    prof, matched, total = infer_profile(form)
    # stated: rate, budget score, 3 indicator scores, points (100), total, grade = 8
    assert (prof.name, matched, total) == ("whole-number", 8, 8)
    auto = evaluate(form, "auto")
    assert auto.profile == "whole-number" and auto.profile_inferred
    assert not any(f.severity == "error" for f in auto.findings)


def transfer_form():
    # a transfer-payment form: funds without a 分数, weights add up to 100, no budget score stated
    return Form(
        "transfer.txt",
        project="某专项转移支付",
        department="d",
        unit="u",
        funds=[FundRow("年度资金总额", D(5000), D(5000), D(4800))],
        indicators=[
            ind("≥100(个)", "100(个)", 50, D(50), "项目个数"),
            ind("≥90%", "85%", 30, D("28.33"), "完成率"),  # 30 × 85 / 90 = 28.333 → 28.33
            ind("≥90%", "95%", 20, D(20), "满意度", "满意度指标"),
        ],
        stated_total_score=D("98.33"),  # 50 + 28.33 + 20, no budget score
    )


def test_transfer_payment_profile():
    r = evaluate(transfer_form(), "transfer-payment")
    assert r.budget_points == D(0) and r.budget_score == D("0.00")
    assert r.execution_rate == D("96.00")  # still shown: 4800 / 5000
    assert r.total_points == D(100) and r.total_score == D("98.33") and r.grade == "优"
    assert not any(f.severity == "error" for f in r.findings)
    # the default adds a budget score of 9.60 and 10 budget points: 110 points, 107.93
    assert evaluate(transfer_form()).total_score == D("107.93")


def test_transfer_form_inferred_as_transfer_payment():
    prof, matched, total = infer_profile(transfer_form())
    # stated: 3 indicator scores, points = 100, total = 5; default matches 3 (110 points, 107.93)
    assert (prof.name, matched, total) == ("transfer-payment", 5, 5)
    # without a stated total the points alone (100 of indicators) still decide
    form = transfer_form()
    form.stated_total_score = None
    assert infer_profile(form)[0].name == "transfer-payment"


def test_auto_ties_go_to_the_default_or_the_workbooks_rule():
    form = Form(
        "t", funds=[FundRow("年度资金总额", D(100), D(100), D(100), D(10))], indicators=[ind("≥1", "1", 90)]
    )
    assert infer_profile(form)[0].name == "shanghai-municipal"  # every profile reproduces everything
    form.profile = "mof-2020"
    assert infer_profile(form)[0].name == "mof-2020"


def test_seed_like_rates_pick_truncation_or_half_up():
    # 754.31 / 758.11: truncated 99.49 / 9.94, half up 99.50 / 9.95
    def form(rate, score):
        return Form(
            "s",
            funds=[FundRow("年度资金总额", D("758.11"), D("758.11"), D("754.31"), D(10), D(rate), D(score))],
            indicators=[ind("≥1", "1", 90, D(90))],
        )

    assert infer_profile(form("99.49", "9.94"))[0].name == "shanghai-municipal"
    assert infer_profile(form("99.50", "9.95"))[0].name == "mof-2020"


@pytest.mark.parametrize(
    ("decimals", "rate", "score"), [(0, "86", "9"), (1, "86.2", "8.6"), (2, "86.20", "8.62")]
)
def test_decimals_from_json(tmp_path, decimals, rate, score):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"rounding": "half-up", "decimals": decimals}), encoding="utf-8")
    prof = get_profile(str(path))
    # 37.24 / 43.2 = 86.2037 %; budget score 8.62037
    assert execution_rate(D("43.2"), D("37.24"), prof) == D(rate)
    assert str(budget_score(D("43.2"), D("37.24"), None, prof)) == score


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "不是有效的 JSON"),
        ('{"decimals": 3}', "decimals 只能是 0、1 或 2"),
        ('{"decimals": true}', "decimals 只能是 0、1 或 2"),
        ('{"budget_points": "abc"}', "budget_points 应是数字"),
        ('{"budget_points": -1}', "不能为负数"),
        ('{"rounding": "up"}', "rounding 只能是"),
        ('{"grade_bands": [[90]]}', "grade_bands 应写成"),
        ('{"grade_bands": [["x", "优"]]}', "grade_bands 应是数字"),
        ('{"expected_weights": [1]}', "expected_weights 应写成"),
        ('{"colour": 1}', "未知的项"),
        ("[1, 2]", "应是一个 JSON 对象"),
        ('{"qualitative_met": NaN}', "qualitative_met 应是数字"),
    ],
)
def test_malformed_profile_files_give_chinese_messages(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        get_profile(str(path))


@given(
    st.decimals(min_value="0.01", max_value=10**9, places=2),
    st.decimals(min_value=0, max_value=10**9, places=2),
    st.sampled_from(list(PROFILES)),
)
def test_every_profile_rounds_to_its_decimals(annual, executed, name):
    prof = PROFILES[name]
    rate = execution_rate(annual, executed, prof)
    assert rate == rate.quantize(D(1).scaleb(-prof.decimals))
    score = budget_score(annual, executed, None, prof)
    assert D(0) <= score <= prof.budget_points


def test_transfer_kind_breaks_ties_toward_transfer_payment():
    # a transfer-payment form stating no score at all: its 100 indicator points alone decide
    form = Form(
        "t",
        kind="transfer",
        funds=[FundRow("年度资金总额", D(10), D(10), D(9))],
        indicators=[ind("≥1", "1", 100)],
    )
    assert infer_profile(form)[0].name == "transfer-payment"
    # without points either (a 专项资金 form: no 分值 column), its kind decides the tie
    form.indicators = [Indicator("产出指标", "数量指标", "x", "≥1", "1", None)]
    assert infer_profile(form)[0].name == "transfer-payment"
    form.kind = "project"
    assert infer_profile(form)[0].name == "shanghai-municipal"
    # a stated budget score wins over the kind: 9 / 10 × 10 = 9.00 is stated (no 分数), so one is given
    form = Form(
        "t",
        kind="transfer",
        funds=[FundRow("年度资金总额", D(10), D(10), D(9), None, None, D("9.00"))],
        indicators=[ind("≥1", "1", 90, D(90))],
        stated_total_score=D("99.00"),
    )
    assert infer_profile(form)[0].name == "shanghai-municipal"


@pytest.mark.parametrize("decimals", [3, -1, True])
def test_a_profile_made_in_python_keeps_the_same_decimals_rule(decimals):
    """The rules keep 0, 1 or 2 decimals (their zeros are constants); a Profile built in code with
    any other count stops at construction with the rule files' message, not deep in a score."""
    with pytest.raises(ValueError, match="decimals 只能是 0、1 或 2"):
        Profile("x", "x", decimals=decimals)
    assert Profile("x", "x", decimals=1).decimals == 1

"""The value parser: operators, numbers, units and words as people write them."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfeval_xl.figures import to_decimal
from perfeval_xl.values import convert, parse_value, unit_family
from perfeval_xl.words import attainment, is_lower_better


@pytest.mark.parametrize(
    ("text", "op", "number", "unit"),
    [
        ("≥120000.00(次)", ">=", "120000.00", "次"),
        ("≥95(百分数)", ">=", "95", "百分数"),
        ("=100.00(百分数)", "=", "100.00", "百分数"),
        ("≤5%", "<=", "5", "%"),
        (">=90%", ">=", "90", "%"),
        ("5%", None, "5", "%"),
        ("3.00", None, "3.00", None),
        ("2亿元", None, "2", "亿元"),
        ("120722.00(次)", None, "120722.00", "次"),
        ("95.00(百分比)", None, "95.00", "百分比"),
        ("15000万元", None, "15000", "万元"),
        ("１２０,７２２", None, "120722", None),
        ("＞＝９５％", ">=", "95", "%"),
        ("≧ 1,200 （家）", ">=", "1200", "家"),
        ("不低于90%", ">=", "90", "%"),
        ("不超过 5 %", "<=", "5", "%"),
        ("95%以上", ">=", "95", "%"),
        ("5%以内", "<=", "5", "%"),
        ("<3次", "<", "3", "次"),
        ("＞10", ">", "10", None),
        ("=<2", "<=", "2", None),
    ],
)
def test_parse_value_numeric(text, op, number, unit):
    v = parse_value(text)
    assert (v.op, v.number, v.unit) == (op, Decimal(number), unit)
    assert v.text == text.strip()


@pytest.mark.parametrize(
    "text", ["健全", "及时", "达成指标", "达成年度指标", "部分达成", "未达成", "", "2023年完成"]
)
def test_parse_value_words_have_no_number(text):
    v = parse_value(text)
    assert v.number is None and v.op is None


def test_parse_value_takes_excel_numbers():
    assert parse_value(95.0).number == Decimal("95.0")
    assert parse_value(3).number == Decimal(3)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (754.31, "754.31"),
        (0.1, "0.1"),
        (10, "10"),
        ("1,234.50", "1234.50"),
        ("１２０,７２２", "120722"),
        (" 37.76 ", "37.76"),
        (Decimal("1.005"), "1.005"),
    ],
)
def test_to_decimal_is_exact(raw, expected):
    d = to_decimal(raw)
    assert d == Decimal(expected) and str(d) == expected


@pytest.mark.parametrize("raw", [None, "", "-", "—", "  "])
def test_to_decimal_blank(raw):
    assert to_decimal(raw) is None


@pytest.mark.parametrize("raw", ["abc", "12万", True, float("nan"), "1.2.3"])
def test_to_decimal_rejects_text_with_chinese_message(raw):
    with pytest.raises(ValueError, match="数字"):
        to_decimal(raw)


def test_units_convert_within_a_family():
    assert unit_family("万元") == ("元", Decimal(10000))
    assert unit_family("百分比") == ("%", Decimal(1))
    assert convert(Decimal("15000"), "万元", "亿元") == Decimal("1.5")
    assert convert(Decimal(2), "亿元", "万元") == Decimal(20000)
    assert convert(Decimal(95), "百分比", "%") == Decimal(95)
    assert convert(Decimal(95), None, "%") == Decimal(95)
    assert convert(Decimal(3), "次", "家") is None


def test_attainment_words():
    assert attainment("达成指标") == "met"
    assert attainment("达成年度指标") == "met"
    assert attainment("部分达成") == "partial"
    assert attainment("基本完成") == "partial"
    assert attainment("未达成") == "unmet"
    assert attainment("及时") is None


def test_lower_is_better_names():
    assert is_lower_better("系统故障率")
    assert is_lower_better("故障重复发生率")
    assert is_lower_better("投诉率")
    assert not is_lower_better("系统故障排除率")
    assert not is_lower_better("服务企业满意度")
    assert is_lower_better("单位成本", "")
    assert is_lower_better("人均费用", "成本指标")


@given(st.text())
def test_parse_value_never_crashes(text):
    v = parse_value(text)
    assert v.number is None or v.number.is_finite()


@given(st.one_of(st.text(), st.floats(), st.integers(), st.none(), st.decimals()))
def test_to_decimal_gives_a_number_none_or_valueerror(value):
    try:
        d = to_decimal(value)
    except ValueError:
        return
    assert d is None or d.is_finite()


# -- floats at Excel's precision (issue 8 item 1) ---------------------------------------------


def test_excel_floats_are_taken_at_15_significant_digits():
    from perfeval_xl.figures import float_text
    from perfeval_xl.rules import budget_score, execution_rate

    total = 100 + 0.1 + 21.05  # =100+0.1+21.05 as Excel computes it
    assert total != 121.15 and repr(total) == "121.14999999999999"
    assert to_decimal(total) == Decimal("121.15")
    # 121.15 / 121.15 = 100 %: not 99.99 / 9.99 from the float's tail
    assert execution_rate(total, 121.15) == Decimal("100.00")
    assert budget_score(total, 121.15) == Decimal("10.00")
    diff = 758.11 - 3.8  # a difference: 754.3100000000001 in floats
    assert repr(diff) != "754.31" and to_decimal(diff) == Decimal("754.31")
    product = 1.1 * 1.1  # a product: 1.2100000000000002
    assert repr(product) != "1.21" and to_decimal(product) == Decimal("1.21")
    assert parse_value(0.1 + 0.2).number == Decimal("0.3")
    assert float_text(0.1 + 0.2) == "0.3" and float_text(3.0) == "3" and float_text(1e20) == "1" + "0" * 20

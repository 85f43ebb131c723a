"""Every finding code a reviewer relies on, raised where it should be and nowhere else."""

from decimal import Decimal as D

from perfeval_xl import labels as L
from perfeval_xl.checks import CODES
from perfeval_xl.model import Form, FundRow, Indicator
from perfeval_xl.rules import evaluate


def clean_form(**changes):
    """A form with no finding at all: 10 budget points + 90 indicator points, everything met."""
    form = Form(
        "clean.xlsx",
        sheet="表1",
        project="示例项目",
        department="示例主管部门",
        unit="示例单位",
        funds=[
            FundRow("年度资金总额", D(100), D(100), D(100), D(10), D("100.00"), D("10.00"), ref="第6行"),
            FundRow("其中：当年财政拨款", D(100), D(100), D(100), None, D("100.00")),
            FundRow("上年结转资金", D(0), D(0), D(0), None, D("0.00")),
            FundRow("其他资金", D(0), D(0), D(0), None, D("0.00")),
        ],
        indicators=[
            Indicator(
                "产出指标", "数量指标", "培训人次", "≥100(人次)", "120(人次)", D(50), D(50), ref="第12行"
            ),
            Indicator("效益指标", "社会效益指标", "制度健全", "健全", "健全", D(30), D(30)),
            Indicator("满意度指标", "服务对象满意度指标", "满意度", "≥90%", "95%", D(10), D(10)),
        ],
        stated_total_points=D(100),
        stated_total_score=D(100),
        stated_grade="优",
    )
    for key, value in changes.items():
        setattr(form, key, value)
    return form


def codes(form, profile=None):
    return [f.code for f in evaluate(form, profile).findings]


def test_clean_form_has_no_findings():
    assert codes(clean_form()) == []
    assert codes(clean_form(), "mof-2020") == []  # its weights are MoF's 50/30/10


def test_every_finding_has_known_code_severity_and_chinese_message():
    form = clean_form()
    form.indicators[0].actual = "80(次)"
    form.indicators[0].target = "100"
    form.funds[0].executed = D(120)
    r = evaluate(form)
    assert r.findings
    for f in r.findings:
        assert f.code in CODES and f.severity == CODES[f.code][0]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in f.message)


def test_missing_deviation_reason():
    form = clean_form()
    form.indicators[0].actual = "80(人次)"
    form.indicators[0].stated_score = D(40)
    form.stated_total_score = D(90)
    found = evaluate(form).findings
    assert [f.code for f in found] == ["missing-deviation-reason"]
    assert found[0].where == "培训人次" and "第12行" in found[0].message
    form.indicators[0].deviation_reason = "疫情影响，培训延期"
    assert codes(form) == []


def test_stated_mismatch_for_each_stated_number():
    form = clean_form()
    form.funds[0].stated_rate = D("99.99")
    form.funds[0].stated_score = D("9.99")
    form.indicators[2].stated_score = D(9)
    form.stated_total_score = D("99.50")
    form.stated_grade = "良"
    found = [f for f in evaluate(form).findings if f.code == "stated-mismatch"]
    assert [f.where for f in found] == ["执行率", "预算执行得分", "满意度", "总分", "评分等级"]
    assert all(f.severity == "error" for f in found)
    assert evaluate(form).has_errors


def test_over_execution():
    form = clean_form()
    form.funds[0].executed = D(120)
    form.funds[1].executed = D(120)
    form.funds[0].stated_rate = form.funds[1].stated_rate = None
    r = evaluate(form)
    assert r.budget_score == D("10.00")
    assert codes(form) == ["over-execution", "over-execution"]


def test_points_not_100():
    form = clean_form()
    form.indicators[2].points = D(15)
    form.indicators[2].stated_score = None
    form.stated_total_points = form.stated_total_score = None
    assert codes(form) == ["points-not-100"]


def test_funds_sum():
    form = clean_form()
    form.funds[2].annual = D(5)
    assert codes(form) == ["funds-sum"]


def test_no_operator_and_unit_mismatch():
    form = clean_form()
    form.indicators[0].target = "100(人次)"
    assert codes(form) == ["no-operator"]
    form.indicators[0].target = "≥100(家)"
    assert codes(form) == ["unit-mismatch"]


def test_qualitative_band():
    form = clean_form()
    form.indicators[1].actual = "部分达成"
    form.indicators[1].stated_score = None
    form.indicators[1].deviation_reason = "制度尚在修订"
    form.stated_total_score = form.stated_grade = None
    r = evaluate(form)
    assert [f.code for f in r.findings] == ["qualitative-band"]
    assert r.indicators[1].score == D(18)


def test_weights_only_where_the_profile_sets_them():
    form = clean_form()
    form.indicators[0].points = D(60)
    form.indicators[1].points = D(20)
    form.indicators[0].stated_score = D(60)
    form.indicators[1].stated_score = D(20)
    assert codes(form, "shanghai-municipal") == []
    assert codes(form, "mof-2020") == ["weights", "weights"]


def test_missing_header_fields():
    assert codes(clean_form(project="", unit=" ")) == ["missing-field", "missing-field"]


def test_a_percent_formatted_rate_cell_is_not_a_mismatch():
    form = clean_form()
    form.funds[0].executed = D("99.4988")
    form.funds[0].stated_score = form.stated_total_score = None
    form.funds[0].stated_rate = D("0.9949")  # a 0.00% cell showing 99.49%
    form.funds[1].stated_rate = form.funds[2].stated_rate = form.funds[3].stated_rate = None
    form.funds[1].executed = D("99.4988")
    assert "stated-mismatch" not in codes(form)
    form.funds[0].stated_rate = D("0.9950")  # shows 99.50%, the rule truncates to 99.49
    assert "stated-mismatch" in codes(form)


# -- issue 10 item 1: an empty 年度资金总额 row ----------------------------------------------------


def _blank_total_form(total_figures=(None, None, None)):
    """The issue's case: 当年财政拨款 470 / 420.35, 上年结转资金 50 / 48, the total row's figures blank,
    80.22 indicator points scored of 90."""
    return Form(
        "t.xlsx",
        project="p",
        department="d",
        unit="u",
        funds=[
            FundRow("年度资金总额", *total_figures, D(10), ref="第6行"),
            FundRow("其中：当年财政拨款", D(470), D(470), D("420.35")),
            FundRow("上年结转资金", D(50), D(50), D(48)),
            FundRow("其他资金", None, None, None),
        ],
        indicators=[Indicator("产出指标", "数量指标", "i", "≥100", "89.1334", D(90), deviation_reason="r")],
    )


def test_issue10_item1_blank_total_row_taken_from_sub_rows():
    r = evaluate(_blank_total_form())
    # (420.35 + 48) / (470 + 50) = 468.35 / 520 = 90.0673 % → 90.06 (truncated); × 10 / 100 → 9.00
    assert r.execution_rate == D("90.06") and r.budget_score == D("9.00")
    # 90 × 89.1334 / 100 = 80.22006 → 80.22; 9.00 + 80.22 = 89.22, the issue's right total (was 80.22)
    assert r.total_score == D("89.22") and r.grade == "良"
    derived = [f for f in r.findings if f.code == "funds-total-derived"]
    assert len(derived) == 1 and "468.35" in derived[0].message and "第6行" in derived[0].message
    assert "funds-sum" not in [f.code for f in r.findings]
    assert r.form.total_fund.annual == D(520)  # the result's form carries the derived figures


def test_issue10_item1_total_typed_as_zero_is_still_funds_sum():
    r = evaluate(_blank_total_form((D(0), D(0), D(0))))
    assert r.budget_score == D("0.00")
    assert "funds-sum" in [f.code for f in r.findings]
    assert "funds-total-derived" not in [f.code for f in r.findings]


def test_blank_total_from_the_text_export(tmp_path):
    from pathlib import Path

    from perfeval_xl.reader import read_forms

    text = (Path(__file__).parent / "data" / "seed_forms.txt").read_text(encoding="utf-8")
    for old, new in (
        ("\t年度资金总额\t758.11\t758.11\t754.31\t10.00\t99.49\t9.94", "\t年度资金总额\t\t\t\t10.00\t\t"),
        (
            "\t其中：当年财政拨款\t758.11\t758.11\t754.31\t-\t99.49\t-",
            "\t其中：当年财政拨款\t470\t470\t420.35\t-\t\t-",
        ),
        ("\t上年结转资金\t0.00\t0.00\t0.00\t-\t0.00\t-", "\t上年结转资金\t50\t50\t48\t-\t\t-"),
    ):
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "blank_total.txt"
    path.write_text(text, encoding="utf-8")
    r = evaluate(read_forms(str(path))[0])
    assert (r.execution_rate, r.budget_score) == (D("90.06"), D("9.00"))
    assert "funds-total-derived" in [f.code for f in r.findings]


def test_new_codes_are_documented():
    for code, severity in (
        ("deadline-late", "warning"),
        ("percent-as-fraction", "info"),
        ("funds-total-derived", "warning"),
    ):
        assert CODES[code][0] == severity


def test_every_code_is_documented_with_its_severity():
    """README's and docs/domain.md's finding tables list every code of CODES with its severity."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for doc in (root / "README.md", root / "docs" / "domain.md"):
        rows = re.findall(r"^\| (`[^|]+`) \| (error|warning|info) \|", doc.read_text(encoding="utf-8"), re.M)
        documented = {code: sev for cell, sev in rows for code in re.findall(r"`([a-z0-9-]+)`", cell)}
        for code, (severity, *_rest) in CODES.items():
            assert documented.get(code) == severity, (doc.name, code)


def test_a_form_without_indicators_or_without_any_points_says_so_instead_of_points_not_100():
    funds = [FundRow("年度资金总额", annual=D(100), executed=D(90), stated_points=D(0))]
    cut = evaluate(Form("cut.txt", funds=funds, refs={"indicators": "第9行"}), "transfer-payment")
    assert [f.code for f in cut.findings if f.severity == "error"] == ["no-indicators"]
    assert "第9行" in next(f.message for f in cut.findings if f.code == "no-indicators")
    rows = [Indicator("产出指标", "数量指标", f"指标{i}", "≥10个", "12个", None) for i in range(3)]
    unscored = evaluate(Form("transfer.txt", funds=funds, indicators=rows), "transfer-payment")
    codes = [f.code for f in unscored.findings]
    assert "no-points" in codes and "points-not-100" not in codes and "missing-points" not in codes
    # one indicator without 分值 among scored ones is still reported row by row
    mixed = [*rows[:2], Indicator("产出指标", "质量指标", "合格率", "≥90%", "95%", D(100))]
    some = evaluate(Form("mixed.txt", funds=funds, indicators=mixed), "transfer-payment")
    codes = [f.code for f in some.findings]
    assert codes.count("missing-points") == 2 and "no-points" not in codes
    # the budget has its points (10 under the default profile): the form does state some, so each row
    # without 分值 keeps its own missing-points beside points-not-100
    budgeted = [FundRow("年度资金总额", annual=D(100), executed=D(90))]
    scored_budget = evaluate(Form("project.txt", funds=budgeted, indicators=rows))
    codes = [f.code for f in scored_budget.findings]
    assert codes.count("missing-points") == 3 and "points-not-100" in codes and "no-points" not in codes


def test_an_amount_out_of_scale_for_its_money_unit_is_flagged():
    def codes(amount: str, unit: str) -> list[str]:
        funds = [FundRow("年度资金总额", annual=D(amount), executed=D(amount))]
        return [f.code for f in evaluate(Form("f.txt", money_unit=unit, funds=funds)).findings]

    assert "amount-unit" in codes("145000000.00", "万元")  # 1.45 万亿元 for one form: typed in 元
    assert "amount-unit" not in codes("10000000", "万元")  # 1,000 亿元: a very large department, still
    assert "amount-unit" in codes("5.28", "元")  # 5.28 元 of project money: typed in 万元
    assert "amount-unit" not in codes("100", "元")


def test_a_rate_stated_over_nothing_budgeted_and_nothing_spent_is_no_mismatch():
    # 霍山 2024: 彩票公益金用于医疗救助 0 | 0 | 100% -- no rate is defined for 0 of 0
    funds = [
        FundRow("年度资金总额", annual=D(100), executed=D(100), stated_rate=D(100)),
        FundRow("彩票公益金", annual=D(0), executed=D(0), stated_rate=D(100)),
        FundRow("其他资金", annual=D(0), executed=D(5), stated_rate=D(100)),  # spent without budget: 0.00
    ]
    result = evaluate(Form("f.txt", funds=funds))
    mismatches = [f.message for f in result.findings if f.code == "stated-mismatch"]
    assert len(mismatches) == 1 and "其他资金" in mismatches[0]


def test_a_header_field_the_form_has_no_label_for_is_not_called_blank():
    funds = [FundRow("年度资金总额", annual=D(100), executed=D(100))]
    read = Form("f.txt", project="某项目", department="", unit="", funds=funds)
    read.refs.update(
        {"label.project": "第2行第1列", "label.department": "第3行第1列", "department": "第3行第2列"}
    )
    messages = {f.where: f.message for f in evaluate(read).findings if f.code == "missing-field"}
    assert messages[L.DEPARTMENT] == "主管部门未填写（第3行第2列）"  # the label is there, its cell blank
    assert "没有“实施单位”一栏" in messages[L.UNIT]  # the form has no 实施单位 label at all
    built = Form("f.txt", project="某项目", funds=funds)  # a Form built in code: no cells at all
    assert all("未填写" in f.message for f in evaluate(built).findings if f.code == "missing-field")

"""Every real published form of the corpus (tests/data/real) reads as published -- from its transcription
and from the workbook a clerk would type -- and every number it states is reproduced, or, where the
publisher's own arithmetic is inconsistent, flagged. A copy relabelled to the Shanghai wording the seed
uses gives the same numbers.

Forms the reader cannot read stop with a ReadError naming the cell (never a silent misread); they are
listed in NOT_READ with the reason, and the test checks that they do stop.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from realcorpus import REAL, clerk_xlsx, forms, read_tsv, sidecar

from perfeval_xl.grid import Grid
from perfeval_xl.model import ReadError
from perfeval_xl.profiles import PROFILES
from perfeval_xl.reader import read_forms, read_grid
from perfeval_xl.rules import evaluate

FORMS = forms()
IDS = [p.stem for p in FORMS]

#: The rounding a form's own numbers show -> the built-in profile that follows it.
PROFILE_OF = {
    "truncate": "shanghai-municipal",
    "half-up": "mof-2020",
    "whole-number": "whole-number",
    "unknown": "shanghai-municipal",
}
#: A transfer-payment form gives all points to the indicators.
TRANSFER_PROFILE = "transfer-payment"

#: Forms that stop, and why (each must still stop with a message naming a cell or the file):
#: stem -> (reason, a fragment of the Chinese message the ReadError must carry).
NOT_READ: dict[str, tuple[str, str]] = {
    "anhui_31_shouxian_bumen": (
        "Anhui department scorecard (序号 | 一级 指标 | … | 指标分值 | 指标解释 | 指标说明及评分标准 | 自评得分): "
        "no name field, no funds block, no targets or actuals; not a self-evaluation form the reader knows",
        "有指标表头（三级指标），但没有项目名称",
    ),
    "chongqing_41_kexuecheng_bumen": (
        "the Chongqing department-wide layout is read (tests/data/layouts/chongqing_department.txt), but this "
        "stored copy is an OCR text layer that lost the budget row's amounts: its 年初预算数 cell holds 'O', so "
        "the form stops on that cell rather than guessing the amounts",
        "单元格中是“O”",
    ),
    "hainan_01_shangwu_fuwumaoyi": (
        "Hainan evaluation scorecard (一级指标 | 分值 | 二级指标 | 分值 | 三级指标 | 分值 | 得分): no name field, "
        "no 全年预算数/执行率 row, no targets or actuals",
        "有指标表头（三级指标），但没有项目名称",
    ),
    "hebei_61_chengan_gaoling": (
        "Hebei 2020 county form (成安县): the budget as label/amount pairs across one row (预算数 6.84 | 到位数 "
        "6.84 | 执行数 6.84 | 预算执行进度(%)) and indicators scored by weight share (权重占比(%), 单项指标折算"
        "得分): no 项目资金 block with 全年预算数/全年执行数 columns, a layout the reader does not know",
        "没有找到“项目资金”部分",
    ),
}

#: Findings that flag a stated number the engine does not reproduce (publisher arithmetic).
FLAGS = ("stated-mismatch", "funds-sum")


def profile_for(meta: dict) -> str:
    if meta["kind"] == "transfer" and TRANSFER_PROFILE in PROFILES:
        return TRANSFER_PROFILE
    name = PROFILE_OF[meta["rounding_observed"]]
    return name if name in PROFILES else "shanghai-municipal"


def grid_of(rows: list[list[str]], source: str) -> Grid:
    return Grid(source, None, [[v if v.strip() else None for v in row] for row in rows])


@pytest.fixture(scope="module")
def xlsx_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("clerk")


def read_both(tsv: Path, xlsx_dir: Path):
    """The form read from its transcription and from its clerk-typed workbook."""
    xlsx = xlsx_dir / (tsv.stem + ".xlsx")
    clerk_xlsx(tsv, xlsx)
    return read_forms(tsv), read_forms(xlsx)


def same(a, b) -> bool:
    return a is not None and b is not None and Decimal(str(a)) == Decimal(str(b))


# ------------------------------------------------------------------------------------------ reading


@pytest.mark.parametrize("tsv", FORMS, ids=IDS)
def test_form_reads_as_published(tsv, xlsx_dir):
    meta = sidecar(tsv)
    if tsv.stem in NOT_READ:
        for path in (tsv, xlsx_dir / (tsv.stem + ".xlsx")):
            if path.suffix == ".xlsx":
                clerk_xlsx(tsv, path)
            with pytest.raises(ReadError) as info:
                read_forms(path)
            assert NOT_READ[tsv.stem][1] in info.value.reason and str(path) in str(info.value)
        return
    text_forms, xlsx_forms = read_both(tsv, xlsx_dir)
    assert len(text_forms) == len(xlsx_forms) == 1
    for form in (text_forms[0], xlsx_forms[0]):
        assert form.kind == meta["kind"]
        assert form.money_unit == meta["money_unit"]
        pub = meta["published"]
        total = form.total_fund
        # the reader found exactly the numbers the form states
        if "execution_rate" in pub:
            rate = total.stated_rate
            assert same(rate, pub["execution_rate"]), (form.location, rate)
        if "budget_score" in pub:
            assert same(total.stated_score, pub["budget_score"])
        # a truncated copy (the stored page ends inside a row) lists the indicators known in full
        indicators = (
            form.indicators[: len(pub.get("indicator_points", pub.get("indicator_scores", ())))]
            if meta.get("truncated")
            else form.indicators
        )
        if "indicator_points" in pub:
            assert [i.points for i in indicators] == [
                None if p is None else Decimal(str(p)) for p in pub["indicator_points"]
            ]
        if "indicator_scores" in pub:
            assert [i.stated_score for i in indicators] == [
                None if s is None else Decimal(str(s)) for s in pub["indicator_scores"]
            ]
        for key, attr in (("total_points", "stated_total_points"), ("total_score", "stated_total_score")):
            if key in pub:
                assert same(getattr(form, attr), pub[key])
        if "grade" in pub:
            assert form.stated_grade == pub["grade"]
    a, b = text_forms[0], xlsx_forms[0]
    # the same rows, and the same rows under one merged 得分 (inferred in the text, merged in the workbook)
    assert [(i.name, i.target, i.actual, i.points, i.shares_score) for i in a.indicators] == [
        (i.name, i.target, i.actual, i.points, i.shares_score) for i in b.indicators
    ]
    assert not any(i.shares_assumed for i in b.indicators)  # a workbook records its merged cells
    assert [(r.label, r.annual, r.executed) for r in a.funds] == [
        (r.label, r.annual, r.executed) for r in b.funds
    ]
    assert [(s.side, s.stated, [p[:2] for p in s.parts]) for s in a.breakdowns] == [
        (s.side, s.stated, [p[:2] for p in s.parts]) for s in b.breakdowns
    ]


@pytest.mark.parametrize(
    "tsv", [p for p in FORMS if p.stem not in NOT_READ], ids=[i for i in IDS if i not in NOT_READ]
)
def test_every_published_number_is_reproduced_or_flagged(tsv):
    meta = sidecar(tsv)
    (form,) = read_forms(tsv)
    result = evaluate(form, profile_for(meta))
    pub = meta["published"]
    flagged = {f.where for f in result.findings if f.code in FLAGS}
    computed = {
        "execution_rate": (result.execution_rate, "执行率"),
        "budget_points": (result.budget_points, None),
        "budget_score": (result.budget_score, "预算执行得分"),
        "total_points": (result.total_points, "分值合计"),
        "total_score": (result.total_score, "总分"),
    }
    for key, (value, where) in computed.items():
        if key not in pub or (meta.get("truncated") and key.startswith("total")):
            continue
        reproduced = same(value, pub[key])
        if key == "execution_rate" and value is not None and abs(Decimal(str(pub[key]))) <= 1:
            # A rate printed as a fraction of 1 (hubei_42's `1` for 100 %): the sidecar records the number
            # as printed, which says the computed rate when it is that rate divided by 100.
            reproduced = reproduced or same(value, Decimal(str(pub[key])) * 100)
        assert reproduced or where in flagged, (key, value, pub[key], result.findings)
    if "indicator_scores" in pub:
        known = (
            result.indicators[: len(pub["indicator_scores"])] if meta.get("truncated") else result.indicators
        )
        for ir, stated in zip(known, pub["indicator_scores"], strict=True):
            if stated is None:
                continue
            name = ir.indicator.name or "（未命名指标）"
            assert same(ir.score, stated) or name in flagged, (name, ir.score, stated)
    if "grade" in pub:
        assert result.grade == pub["grade"] or "评分等级" in flagged


# ------------------------------------------------------------------------------------------ Shanghai wording

#: The national and provincial words of the corpus, retyped as the Shanghai (seed) form says them.
#: Funds header words differ from indicator header words (分值 is 分数 in the funds block).
GENERAL = {
    "专项资金名称": "项目名称",
    "部门名称": "项目名称",
    "县级主管部门": "主管部门",
    "主管部门及代码": "主管部门",
    "项目实施单位": "实施单位",
    "实施单位 (盖章)": "实施单位",
    "年度资金总额:": "年度资金总额",
    "总额": "年度资金总额",
    "其中:本年财政拨款": "其中：当年财政拨款",
    "其中:当年财政拨款": "其中：当年财政拨款",
    "其中:财政拨款": "其中：当年财政拨款",
    "其中:财政资金": "其中：当年财政拨款",
    "年初设定目标": "预期目标",
    "全年实际完成情况": "实际完成情况",
    "年度总体目标完成情况综述": "实际完成情况",
    "总分": "合计",
    "评价等级": "评分等级",
    "自评等级": "评分等级",
}
FUNDS_WORDS = {
    "全年预算数(A)": "全年预算数",
    "全年执行数(B)": "全年执行数",
    "执行率(B/A)": "执行率",
    "调整后预算数": "全年预算数",
    "预算执行数": "全年执行数",
    "预算执行率": "执行率",
    "年初预算": "年初预算数",
    "分值": "分数",
    "权重": "分数",
}
INDICATOR_WORDS = {
    "指标值": "年度指标值",
    "预期指标值(A)": "年度指标值",
    "完成值": "实际完成值",
    "全年完成值": "实际完成值",
    "实际完成指标值(B)": "实际完成值",
    "权重": "分值",
    "偏差原因分析及改进措施": "偏差原因分析",
    "未完成原因分析": "偏差原因分析",
    "未完成原因": "偏差原因分析",
    "未完成原因和改进措施": "偏差原因分析",
}


def shanghai_wording(rows: list[list[str]]) -> list[list[str]]:
    """The form retyped in the seed's words (the test's own relabelling, not the reader's vocabulary)."""
    out, block, parts = [], "", None
    rows = [list(row) for row in rows]
    for i, row in enumerate(rows):  # a two-row indicator header becomes one row (the lower word wins)
        if i and "三级指标" in row and "实际完成值" in rows[i - 1] and "实际完成值" not in row:
            rows[i] = [b or a for a, b in zip(rows[i - 1], row, strict=True)]
            rows[i - 1] = [""] * len(row)
    for row in rows:
        row = [c.strip() for c in row]
        if any(
            c.startswith(("项目资金", "预算执行情况", "项目预算执行情况", "年度预算申请", "资金情况"))
            for c in row
        ):
            block = "funds"
            row = [
                "项目资金（万元）" if i == min(j for j, c in enumerate(row) if c) else c
                for i, c in enumerate(row)
            ]
        elif "三级指标" in row:
            block = "indicators"
            if "指标性质" in row and "度量单位" in row:  # one 年度指标值 column instead of three
                parts = (row.index("指标性质"), row.index("指标值"), row.index("度量单位"))
        words = {"funds": FUNDS_WORDS, "indicators": INDICATOR_WORDS}.get(block, {})
        row = [words.get(c, GENERAL.get(c, c)) for c in row]
        if parts is not None:
            op, number, unit = parts
            if row[number] == "年度指标值":
                row[op], row[unit] = "", ""
            elif row[number]:
                row[number] = f"{row[op]}{row[number]}{row[unit] if row[unit] not in row[number] else ''}"
                row[op] = row[unit] = ""
        if block == "funds" and ("年度资金总额" in row or "得分" in row):
            pass
        out.append(row)
    return out


@pytest.mark.parametrize(
    "tsv", [p for p in FORMS if p.stem not in NOT_READ], ids=[i for i in IDS if i not in NOT_READ]
)
def test_shanghai_wording_gives_the_same_numbers(tsv):
    meta = sidecar(tsv)
    profile = profile_for(meta)
    (form,) = read_forms(tsv)
    (local,) = read_grid(grid_of(shanghai_wording(read_tsv(tsv)), "shanghai.txt"))
    a, b = evaluate(form, profile), evaluate(local, profile)
    assert (a.execution_rate, a.budget_points, a.budget_score) == (
        b.execution_rate,
        b.budget_points,
        b.budget_score,
    )
    assert [r.score for r in a.indicators] == [r.score for r in b.indicators]
    assert [r.indicator.points for r in a.indicators] == [r.indicator.points for r in b.indicators]
    assert (a.total_points, a.total_score, a.grade) == (b.total_points, b.total_score, b.grade)
    assert sorted(f.code for f in a.findings) == sorted(f.code for f in b.findings)


def test_amounts_in_the_wrong_money_unit_are_flagged_only_where_they_are():
    """九亭镇 2020 types 145000000.00 (元) under 项目资金(万元): the only corpus form with amount-unit."""
    flagged = set()
    for tsv in FORMS:
        if tsv.stem in NOT_READ:  # these stop (test_form_reads_as_published): nothing to flag
            continue
        for form in read_forms(tsv):
            if any(f.code == "amount-unit" for f in evaluate(form, profile_for(sidecar(tsv))).findings):
                flagged.add(tsv.stem)
    assert flagged == {"shanghai_02_jiuting_chengzhen"}


@pytest.mark.parametrize("stem", sorted(NOT_READ))
def test_a_batch_gives_the_same_reason_as_score(stem):
    """consolidate's 错误 row for a form that stops says what ``score`` says, naming the same cell: a
    scoring table's header, the Chongqing copy's lost amount (a layout without the usual anchors)."""
    from perfeval_xl.filerows import process_file

    tsv = REAL / f"{stem}.tsv"
    out = process_file(str(tsv))
    with pytest.raises(ReadError) as info:
        read_forms(tsv)
    ((_, sheet, reason),) = out.errors
    assert reason == f"{info.value.cell}：{info.value.reason}" and sheet is None
    assert NOT_READ[stem][1] in reason

"""The department-wide form's budget breakdown (MoF 2020 部门整体支出绩效自评表): below 年度资金总额, the
budget by income (``按收入性质分:2030.12``, then 一般公共预算, 政府性基金拨款, 纳入专户管理的非税收入拨款,
其他资金) and by expenditure (``按支出性质分:1925.67``, then 基本支出, 项目支出), two columns of cells
each holding a label and its amount. Read as written; :func:`perfeval_xl.checks.funds_findings` adds them
up against each other and the 全年预算数."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .cellgrid import Grid
from .model import Breakdown

SIDES = ("按收入性质分", "按支出性质分")
_PART = re.compile(r"^(?:其中：?)?(?P<label>[^：]+)：(?P<amount>[^：]*)$")
_NUMBER = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")
#: the cells' text without spaces, colons full-width (kept: a part's colon ends its label)
_PLAIN = str.maketrans({" ": None, "\t": None, "\u3000": None, "\u00a0": None, "\n": None, ":": "："})


def read_breakdowns(g: Grid, r0: int, r1: int, block_col: int, money_unit: str) -> list[Breakdown]:
    """The breakdown sides found in rows r0..r1-1 (the rows between the fund rows and the next block):
    a side's parts are the cells below its title, in its column, while the block's label column stays
    blank and the cells read ``label:amount``."""
    out = []
    for r in range(r0, r1):
        row = g.rows[r]
        for c, v in enumerate(row):
            if v.__class__ is not str or "性质" not in v or not (k := v.translate(_PLAIN)).startswith(SIDES):
                continue
            side = SIDES[0] if k.startswith(SIDES[0]) else SIDES[1]
            stated, readable = _amount(k[len(side) :].lstrip("：").strip(), money_unit)
            parts: list[tuple[str, Decimal | None, str]] = []
            for rr in range(r + 1, r1):
                if g.cell(rr, block_col) is not None and block_col != c:
                    break  # the next block (年度总体目标)
                cell = g.cell(rr, c)
                if cell is None:
                    continue
                m = _PART.match(str(cell).translate(_PLAIN))
                if m is None:
                    break
                amount, ok = _amount(m.group("amount"), money_unit)
                readable = readable and ok
                parts.append((m.group("label"), amount, g.ref(rr, c)))
            out.append(Breakdown(side, stated, parts, g.ref(r, c), readable))
    return out


def _amount(text: str, money_unit: str) -> tuple[Decimal | None, bool]:
    """An amount as written after the colon: (value, readable); blank is (None, True)."""
    text = text.replace(",", "").replace("，", "")
    if text.endswith(money_unit):
        text = text[: -len(money_unit)]
    if not text:
        return None, True
    if _NUMBER.match(text) is None:
        return None, False
    try:
        return Decimal(text), True
    except InvalidOperation:  # pragma: no cover - the pattern admits plain numbers only
        return None, False

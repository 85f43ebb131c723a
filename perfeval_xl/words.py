"""Words that stand for figures or judge them: what a worded 实际完成值 says (达成, 部分达成, 未达成,
无上访), and which indicators are "lower is better" by their name. Standard library only."""

from __future__ import annotations

import functools
import re
from typing import Literal

from .figures import normalize

# Indicators that are naturally "lower is better": an operator-less target is read as ≤ for them.
LOWER_IS_BETTER = (
    "故障率",
    "差错率",
    "错误率",
    "投诉率",
    "事故",
    "成本",
    "超支",
    "重复发生率",
    "不合格率",
    "失误率",
    "返工率",
    "延误",
    "违规",
    "损失",
    "误差",
    "流失率",
    "能耗",
)

#: words of a 实际完成值 that judge a target: checked in this order (未达成 contains 达成).
UNMET_WORDS = ("未达成", "未完成", "未达到", "没有达成", "未实现", "未达标", "不达标", "没有完成")

PARTIAL_WORDS = (
    "部分达成",
    "基本达成",
    "部分完成",
    "基本完成",
    "部分实现",
    "基本实现",
    "部分达到",
    "基本达到",
)

MET_WORDS = ("达成", "完成", "达到", "实现", "达标", "满足", "符合")

Attainment = Literal["met", "partial", "unmet"]

#: a 实际完成值 that says nothing happened (无上访, 没有发生安全事故, 未发生, 零投诉), but not 无法…
_SAYS_NONE = re.compile(r"^(?:无(?!法)|没有(?!完成|达)|未发生|零)")


def says_none(text: str) -> bool:
    """Whether a worded 实际完成值 says that none occurred: a count of 0 (``无上访`` against ``小于5次``)."""
    return _SAYS_NONE.match(normalize(text)) is not None


def attainment(text: object) -> Attainment | None:
    """What a worded 实际完成值 says: ``met`` (达成指标), ``partial`` (部分达成), ``unmet`` (未达成) or None."""
    if text is None:
        return None
    s = text if isinstance(text, str) else str(text)
    return _attainment(s) if len(s) <= 200 else _attainment.__wrapped__(s)


@functools.lru_cache(maxsize=4096)
def _attainment(text: str) -> Attainment | None:
    s = normalize(text)
    if not s:
        return None
    for words, verdict in ((UNMET_WORDS, "unmet"), (PARTIAL_WORDS, "partial"), (MET_WORDS, "met")):
        if any(w in s for w in words):
            return verdict  # type: ignore[return-value]
    return None


@functools.lru_cache(maxsize=8192)
def is_lower_better(name: str, level2: str = "") -> bool:
    """True for indicators that are naturally "lower is better" (故障率, 投诉率, 成本 …)."""
    s = normalize(name)
    return any(word in s for word in LOWER_IS_BETTER) or normalize(level2) == "成本指标"

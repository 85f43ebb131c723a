"""Rule profiles: how one jurisdiction scores, as data. Standard library only.

Jurisdictions differ in a few switches only (rounding, the negative-indicator formula, budget points,
grade bands, expected first-level weights), so a profile is a plain record and new ones can be loaded
from a JSON file with the same keys (``perfeval-xl score --profile my-province.json``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class Profile:
    name: str
    title: str  # Chinese name shown in the template's 评分规则 drop-down
    rounding: Literal["truncate", "half-up"] = "truncate"
    negative: Literal["ratio", "linear"] = "ratio"
    budget_points: Decimal = Decimal(10)
    #: (lower bound inclusive, grade), highest first; the last bound applies to everything below.
    grade_bands: tuple[tuple[Decimal, str], ...] = (
        (Decimal(90), "优"),
        (Decimal(80), "良"),
        (Decimal(60), "中"),
        (Decimal(0), "差"),
    )
    #: expected 分值 per 一级指标; None means the jurisdiction sets none.
    expected_weights: dict[str, Decimal] | None = field(default=None, hash=False)
    #: qualitative bands as fractions of 分值: 达成 [a, 1], 部分达成 [b, a), 未达成 [0, b)
    qualitative_met: Decimal = Decimal("0.8")
    qualitative_partial: Decimal = Decimal("0.6")


_RAW: dict[str, dict] = {
    "shanghai-municipal": {
        "title": "上海市级（截位）",
        "rounding": "truncate",
        "negative": "ratio",
    },
    "mof-2020": {
        "title": "财政部2020（四舍五入）",
        "rounding": "half-up",
        "negative": "ratio",
        "expected_weights": {"产出指标": 50, "效益指标": 30, "满意度指标": 10},
    },
}

DEFAULT = "shanghai-municipal"


def _build(name: str, raw: dict) -> Profile:
    data = dict(raw)
    if "budget_points" in data:
        data["budget_points"] = Decimal(str(data["budget_points"]))
    if data.get("grade_bands") is not None:
        data["grade_bands"] = tuple((Decimal(str(lo)), g) for lo, g in data["grade_bands"])
    if data.get("expected_weights") is not None:
        data["expected_weights"] = {k: Decimal(str(v)) for k, v in data["expected_weights"].items()}
    for key in ("qualitative_met", "qualitative_partial"):
        if key in data:
            data[key] = Decimal(str(data[key]))
    if data.get("rounding") not in (None, "truncate", "half-up"):
        raise ValueError(f"评分规则“{name}”的 rounding 只能是 truncate 或 half-up")
    if data.get("negative") not in (None, "ratio", "linear"):
        raise ValueError(f"评分规则“{name}”的 negative 只能是 ratio 或 linear")
    data.setdefault("title", name)
    return Profile(name=name, **data)


PROFILES: dict[str, Profile] = {name: _build(name, raw) for name, raw in _RAW.items()}


def names() -> list[str]:
    return list(PROFILES)


def find_profile(key: str) -> Profile | None:
    """A built-in profile by key (``mof-2020``, any case) or Chinese title; None when there is none."""
    key = key.strip()
    if key in PROFILES:
        return PROFILES[key]
    for profile in PROFILES.values():
        if key == profile.title or key.lower() == profile.name.lower():
            return profile
    return None


def get_profile(name: str | Profile | None = None) -> Profile:
    """A profile by key (``mof-2020``), Chinese title (``财政部2020（四舍五入）``) or JSON file path.

    ``None`` or an empty name gives the default, ``shanghai-municipal``. Unknown names raise
    ``ValueError`` with a Chinese message listing the known ones.
    """
    if isinstance(name, Profile):
        return name
    key = (name or "").strip()
    if not key:
        return PROFILES[DEFAULT]
    known = find_profile(key)
    if known is not None:
        return known
    if key.lower().endswith(".json"):
        path = Path(key)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"无法读取评分规则文件 {key}：{exc}") from exc
        if not isinstance(raw, dict):
            raise ValueError(f"评分规则文件 {key} 应是一个 JSON 对象")
        raw.pop("name", None)
        return _build(path.stem, raw)
    known = "、".join(f"{p.name}（{p.title}）" for p in PROFILES.values())
    raise ValueError(f"未知的评分规则“{key}”，可用：{known}")

"""Rule profiles: how one jurisdiction scores, as data. Standard library only.

Jurisdictions differ in a few switches only (rounding and the decimals it keeps, the negative-indicator
formula, budget points, grade bands, expected first-level weights), so a profile is a plain record and new ones can be loaded
from a JSON file with the same keys (``perfeval-xl score --profile my-province.json``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class Profile:
    name: str
    title: str  # Chinese name shown in the template's 评分规则 drop-down
    rounding: Literal["truncate", "half-up"] = "truncate"
    #: decimals every rounded number keeps (执行率, 预算执行得分, indicator scores): 0, 1 or 2
    decimals: int = 2
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

    def __post_init__(self) -> None:
        # the rules keep 0, 1 or 2 decimals (their zeros are constants: arithmetic.ZEROS)
        if isinstance(self.decimals, bool) or self.decimals not in (0, 1, 2):
            raise ValueError(f"评分规则“{self.name}”的 decimals 只能是 0、1 或 2")


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
    # Hebei 2019 forms: every number half up to a whole number (37.24/43.2 → 86 %, budget score 9).
    "whole-number": {
        "title": "整数（四舍五入取整）",
        "rounding": "half-up",
        "decimals": 0,
        "negative": "ratio",
    },
    # Shanxi county forms (2020): whole numbers by truncation (65.07/65.66 → 99 %, 9.91 → 9).
    "whole-number-truncate": {
        "title": "整数（截位取整）",
        "rounding": "truncate",
        "decimals": 0,
        "negative": "ratio",
    },
    # Transfer-payment forms: no budget execution score, all 100 points go to the indicators.
    "transfer-payment": {
        "title": "转移支付（无预算执行分）",
        "rounding": "half-up",
        "negative": "ratio",
        "budget_points": 0,
    },
}

#: what ``--profile auto`` means: per form, the built-in profile that reproduces its stated numbers
AUTO = "auto"

DEFAULT = "shanghai-municipal"
#: the profile of transfer-payment forms (``--profile auto`` prefers it for them on a tie)
TRANSFER = "transfer-payment"


_KEYS = (
    "title",
    "rounding",
    "decimals",
    "negative",
    "budget_points",
    "grade_bands",
    "expected_weights",
    "qualitative_met",
    "qualitative_partial",
)


def _number(name: str, key: str, value: object) -> Decimal:
    """A profile's number (JSON int, float or numeric text) as an exact, finite Decimal."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"评分规则“{name}”的 {key} 应是数字，而不是“{value}”")
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        number = Decimal("NaN")
    if not number.is_finite():
        raise ValueError(f"评分规则“{name}”的 {key} 应是数字，而不是“{value}”")
    return number


def _build(name: str, raw: dict) -> Profile:
    """A profile from plain data (built-in or a JSON file); anything malformed raises ``ValueError``
    with a Chinese message naming the key."""
    unknown = [k for k in raw if k not in _KEYS]
    if unknown:
        raise ValueError(
            f"评分规则“{name}”含有未知的项：{'、'.join(map(str, unknown))}（可用：{'、'.join(_KEYS)}）"
        )
    data = dict(raw)
    if "title" in data and not isinstance(data["title"], str):
        raise ValueError(f"评分规则“{name}”的 title 应是文字")
    if data.get("rounding") not in (None, "truncate", "half-up"):
        raise ValueError(f"评分规则“{name}”的 rounding 只能是 truncate 或 half-up")
    if data.get("negative") not in (None, "ratio", "linear"):
        raise ValueError(f"评分规则“{name}”的 negative 只能是 ratio 或 linear")
    if "decimals" in data and (isinstance(data["decimals"], bool) or data["decimals"] not in (0, 1, 2)):
        raise ValueError(f"评分规则“{name}”的 decimals 只能是 0、1 或 2")
    if "decimals" in data:
        data["decimals"] = int(data["decimals"])
    for key in ("budget_points", "qualitative_met", "qualitative_partial"):
        if key in data:
            data[key] = _number(name, key, data[key])
    if data.get("budget_points") is not None and data["budget_points"] < 0:
        raise ValueError(f"评分规则“{name}”的 budget_points 不能为负数")
    if data.get("grade_bands") is not None:
        bands = data["grade_bands"]
        if (
            not isinstance(bands, list)
            or not bands
            or not all(isinstance(b, list) and len(b) == 2 and isinstance(b[1], str) for b in bands)
        ):
            raise ValueError(f'评分规则“{name}”的 grade_bands 应写成 [[90, "优"], [80, "良"], …]')
        data["grade_bands"] = tuple((_number(name, "grade_bands", lo), g) for lo, g in bands)
    if data.get("expected_weights") is not None:
        weights = data["expected_weights"]
        if not isinstance(weights, dict):
            raise ValueError(f'评分规则“{name}”的 expected_weights 应写成 {{"产出指标": 50, …}}')
        data["expected_weights"] = {str(k): _number(name, "expected_weights", v) for k, v in weights.items()}
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


def is_auto(name: object) -> bool:
    """Is ``name`` the ``auto`` choice (each form's profile inferred from its stated numbers)?"""
    return isinstance(name, str) and name.strip().lower() == AUTO


def profile_argument(name: str | Profile | None) -> Profile | str | None:
    """A ``--profile`` argument resolved: None (each workbook's own rule), :data:`AUTO`, or a Profile.

    Unknown names and malformed files raise ``ValueError`` with a Chinese message, as
    :func:`get_profile` does."""
    if name is None or (isinstance(name, str) and not name.strip()):
        return None
    if is_auto(name):
        return AUTO
    return get_profile(name)


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
    builtin = find_profile(key)
    if builtin is not None:
        return builtin
    if key.lower().endswith(".json"):
        import json  # only for a rule file (~1 ms to import, on every run otherwise)

        path = Path(key)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise ValueError(f"找不到评分规则文件 {key}") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"无法读取评分规则文件 {key}（{exc.__class__.__name__}）") from exc
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"评分规则文件 {key} 不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列有误"
            ) from exc
        except RecursionError as exc:
            raise ValueError(f"评分规则文件 {key} 嵌套过深，不是有效的评分规则") from exc
        if not isinstance(raw, dict):
            raise ValueError(f"评分规则文件 {key} 应是一个 JSON 对象")
        raw.pop("name", None)
        return _build(path.stem, raw)
    known = "、".join(f"{p.name}（{p.title}）" for p in PROFILES.values())
    raise ValueError(f"未知的评分规则“{key}”，可用：{known}；或 auto（按各表填写的数字推断）")

"""The reader's first pass over a grid: where the labels, titles and fund rows are (:func:`_scan`),
and where each form starts (:func:`_starts`)."""

from __future__ import annotations

from typing import Literal

from .cellgrid import Grid
from .headers import MAX_LABEL as _MAX_LABEL
from .reader_vocab import (
    _INLINE_GRADE,
    _INLINE_TOTAL,
    _ROLES,
    _TOTAL_WITH_POINTS,
    _fund_label_of,
    _funds_title,
    _is_title,
    _key_of,
)

_Kind = tuple[str, str] | None
_KINDS: dict[str, _Kind] = {}  # raw cell text -> what it is; forms repeat the same few labels
_UNSEEN: Literal[False] = False  # _KINDS.get's default: a text not classified yet


def _kind_of(v: str) -> _Kind:
    """What a text cell is for the scan: ("label", key), ("funds", 项目资金), ("fund", row label),
    ("title", "") or None. Cached by the raw text."""
    seen = _KINDS.get(v, _UNSEEN)
    if seen is not False:
        return seen
    kind: _Kind = None
    if len(v) <= 60:
        if len(v) <= _MAX_LABEL:
            k = _key_of(v)
            role = _ROLES.get(k)
            if role is not None:
                kind = ("label", role)
            elif _funds_title(k):  # 项目资金（万元）, 预算执行情况(万元)(20分)
                kind = ("funds", "funds")
            elif _INLINE_TOTAL.fullmatch(k) or _TOTAL_WITH_POINTS.fullmatch(k):  # 总分：83, 总分(100分)
                kind = ("label", "total")
            elif _INLINE_GRADE.fullmatch(k):  # 自评等级：优
                kind = ("label", "grade")
            else:
                label = _fund_label_of(v)
                if label is not None:
                    kind = ("fund", label)
        if kind is None and "绩效" in v and _is_title(v):
            kind = ("title", "")
    if len(_KINDS) > 50_000:  # bounded: a batch of many distinct texts must not grow it forever
        _KINDS.clear()
    _KINDS[v] = kind
    return kind


def _scan(
    grid: Grid,
) -> tuple[dict[str, list[tuple[int, int]]], list[tuple[int, int]], dict[int, tuple[int, str]]]:
    """One pass over the grid: positions of the indexed labels, of title-like cells, and of the first
    fund-row label (年度资金总额 …) of each row."""
    found: dict[str, list[tuple[int, int]]] = {}
    titles: list[tuple[int, int]] = []
    fund_rows: dict[int, tuple[int, str]] = {}
    get = _KINDS.get
    for r, row in enumerate(grid.rows):
        c = -1  # the column of the row's last label so far
        for v in row:  # (no enumerate: the column is looked up for the few labels only)
            if not v or v.__class__ is not str:  # blanks ("" from calamine) and numbers are no labels
                continue
            kind = get(v, _UNSEEN)
            if kind is None:  # most text: not a label (known)
                continue
            if kind is False:
                kind = _kind_of(v)
                if kind is None:
                    continue
            # this cell's column: the first text equal to it after the last label (an equal text in
            # between would be that same label, met before this one)
            c = row.index(v, c + 1)
            while row[c].__class__ is not str:  # an equal cell of another class is no label
                c = row.index(v, c + 1)
            tag, key = kind
            if tag == "fund":
                if r not in fund_rows:
                    fund_rows[r] = (c, key)
            elif tag == "title":
                titles.append((r, c))
            else:
                found.setdefault(key, []).append((r, c))
    return found, titles, fund_rows


def _starts(found: dict[str, list[tuple[int, int]]], titles: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where each form starts: its name label (项目名称, 部门名称, 专项名称 …). A second name label a
    few rows below the first, before any title, funds or indicator block, is a header field of the same form
    (项目名称 over 部门); further down it starts a new form (the one above then stops on its own)."""
    blocks = [r for key in ("funds", "indicators") for r, _ in found.get(key, ())] + [r for r, _ in titles]
    starts: list[tuple[int, int]] = []
    for r, c in found.get("name", ()):
        if starts:
            prev = starts[-1][0]
            if r == prev or (r - prev <= _HEADER_ROWS and not any(prev < br < r for br in blocks)):
                continue
        starts.append((r, c))
    # a funds block above every name label (or in a grid without one) is a form whose name label is
    # missing or unreadable (a damaged copy: 级预算单位名称): it starts at its funds block, read without
    # a name, which the findings then say
    first = starts[0][0] if starts else None
    nameless = sorted(p for p in found.get("funds", ()) if first is None or p[0] < first)
    return [*nameless, *starts]


_HEADER_ROWS = 4  # a second name label this close below the first, before any block, is a header field

"""A form's own fields outside its tables: the title, the form kind, the header fields (部门, 单位, 年度,
评分规则 …) and 年度总体目标."""

from __future__ import annotations

import re

from . import labels as L
from .model import ReadError
from .reader_base import FormBase
from .reader_cells import _blank, _is_figure, cell_text
from .reader_vocab import (
    _NAME_KINDS,
    _YEAR_IN_TITLE,
    _is_label,
    _key_of,
)
from .text import html_to_text

#: a date the form was filled in or printed on (填报日期：2023年3月1日), not the year it reports on
_FILLED_ON = re.compile(r"日期|(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")


class FieldsReader(FormBase):
    """The title, kind, header fields and goals of a form."""

    def read_name(self) -> str:
        """The project (or department, 专项 …) the form's name label names; the label's text."""
        f = self.form
        name_label = ""
        if (self.r0, self.c0) in self.nameless:  # the form starts at its funds block: no name label
            self.refs["kind"] = self.refs["start"] = self.g.ref(self.r0, self.c0)
        else:
            value, vc = self.right_value(self.r0, self.c0)
            f.project = cell_text(value)
            self.refs["project"] = self.g.ref(self.r0, vc if vc is not None else self.c0)
            name_label = cell_text(self.g.cell(self.r0, self.c0))
            self.headers["project"] = name_label
            self.refs["label.project"] = self.g.ref(self.r0, self.c0)
        return name_label

    def read_header_fields(self, name_label: str, header_end: int) -> None:
        """The header fields above row header_end (部门, 单位, 年度, 评分规则 …, a 自评得分 stated there),
        the year from the title when no field states it, and a department-wide form's department."""
        f = self.form
        nameless = not name_label
        header_start = self.lo_title if nameless else self.r0  # no name label: the rows above the funds
        for attr in L.HEADER_FIELD_LABELS:
            pos = self.first(attr, header_start, header_end)
            if pos is None:
                continue
            value, vc = self.right_value(*pos)
            setattr(f, attr, cell_text(value))
            self.refs[attr] = self.g.ref(pos[0], vc if vc is not None else pos[1])
            self.refs[f"label.{attr}"] = self.g.ref(*pos)
            self.headers[attr] = cell_text(self.g.cell(*pos))
        pos = self.first("header_total", header_start, header_end)
        if pos is not None:  # 自评得分 | 98 among the header fields
            value, vc = self.right_value(*pos)
            if vc is not None and _is_figure(value):
                self.stated_in_header = (
                    self.number(pos[0], vc, "自评得分", stated=True, points=True),
                    self.g.ref(pos[0], vc),
                    self.g.ref(*pos),
                    cell_text(self.g.cell(*pos)),
                )
        if not f.year:
            self.year_from_title()
        if nameless and f.kind == L.KIND_DEPARTMENT and f.department:
            # a department-wide form naming its department only as 主管部门 (Chongqing): that is its name
            f.project = f.department
            self.refs["project"], self.refs["label.project"] = (
                self.refs["department"],
                self.refs["label.department"],
            )
            name_label = self.headers["project"] = self.headers["department"]
        if f.kind == L.KIND_DEPARTMENT and f.project:
            # the department-wide form names its department in 部门名称: it is the form's department
            # and the unit whose spending is evaluated, unless the form names them apart
            for attr in ("department", "unit"):
                if not getattr(f, attr):
                    setattr(f, attr, f.project)
                    self.refs[attr] = self.refs["project"]
                    self.headers[attr] = name_label
        f.profile = self.profile_name(f.profile) if f.profile else None

    def read_title(self) -> None:
        best = None
        for r, c in self.titles:
            if self.lo_title <= r < self.r0 or (r == self.r0 and c < self.c0):
                best = (r, c)
        if best is not None:
            self.form.title = cell_text(self.g.cell(*best))
            self.refs["title"] = self.g.ref(*best)

    def kind_of(self, name_label: str) -> tuple[str, str, str]:
        """The form kind, where it was decided and by which words: the title's words
        (转移支付, 部门整体) first, else the name label (项目名称, 部门名称, 专项名称)."""
        title = _key_of(self.form.title) if self.form.title else ""
        for word, kind in L.KIND_TITLE_WORDS:
            if word in title:
                return kind, self.refs["title"], self.form.title
        ref = self.refs.get("label.project") or self.refs["start"]
        return _NAME_KINDS.get(_key_of(name_label), L.KIND_PROJECT), ref, name_label

    def year_from_title(self) -> None:
        """年度 stated only in the title or in a line beside it: （2022年度）."""
        g = self.g
        if self.form.title and self.year_in(self.form.title, self.refs["title"]):
            return
        for r in range(self.lo_title, self.r0):
            for c, v in enumerate(g.rows[r]):
                if v and isinstance(v, str) and "年" in v and len(v) <= 60 and _FILLED_ON.search(v) is None:
                    if self.year_in(v, g.ref(r, c)):
                        return

    def year_in(self, text: str, ref: str) -> bool:
        """The year a title-like text states, taken as the form's 年度."""
        m = _YEAR_IN_TITLE.search(text)
        if m is None:
            return False
        self.form.year = m.group(1)
        self.refs["year"] = ref
        self.headers["year"] = text.strip()
        return True

    def profile_name(self, text: str) -> str:
        from .profiles import PROFILES, find_profile

        k = text.strip()
        profile = find_profile(k)  # built-in profiles only: a workbook cell never names a file to load
        if profile is not None:
            return profile.name
        known = "、".join(p.title for p in PROFILES.values())
        ref = self.refs.get("profile")
        raise ReadError(self.g.source, f"评分规则“{k[:30]}”无法识别，可选：{known}", self.g.sheet, ref)

    def find_funds(self) -> tuple[int, int] | None:
        return self.first("funds")

    def read_goals(self, lo: int, hi: int) -> None:
        g, f = self.g, self.form
        goals = self.first("goals", lo, hi)
        exp = self.first("goal_expected", lo, hi)
        act = self.first("goal_actual", lo, hi)
        if exp is not None and act is not None and exp[0] == act[0]:
            # columns layout: sub-labels side by side, texts in the rows below
            left, right = (exp, act) if exp[1] < act[1] else (act, exp)
            texts: dict[tuple[int, int], list[str]] = {left: [], right: []}
            first_ref: dict[tuple[int, int], str] = {}
            for r in range(exp[0] + 1, hi):
                row = g.rows[r]
                if any(_is_label(v) for v in row if isinstance(v, str)):
                    break
                for c, v in enumerate(row):
                    if _blank(v) or c < left[1]:
                        continue
                    target = left if c < right[1] else right
                    texts[target].append(cell_text(v))
                    first_ref.setdefault(target, g.ref(r, c))
            for pos, attr in ((exp, "goal_expected"), (act, "goal_actual")):
                setattr(f, attr, html_to_text("\n".join(texts[pos])))
                self.refs[attr] = first_ref.get(pos, g.ref(*pos))
            return
        for label_pos, attr in ((exp, "goal_expected"), (act, "goal_actual")):
            if label_pos is None:
                continue
            value, vc = self.right_value(*label_pos)
            setattr(f, attr, html_to_text(cell_text(value)))
            self.refs[attr] = g.ref(label_pos[0], vc if vc is not None else label_pos[1])
        if exp is None and act is None and goals is not None:
            value, vc = self.right_value(*goals)
            f.goal_expected = html_to_text(cell_text(value))
            self.refs["goal_expected"] = g.ref(goals[0], vc if vc is not None else goals[1])

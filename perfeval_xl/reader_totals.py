"""The totals row under the indicator table (合计, 总分 …) and the stated grade (自评等级)."""

from __future__ import annotations

from .reader_base import FormBase
from .reader_cells import (
    _blank,
    _decimal_of,
    _is_figure,
    _text_of,
    cell_text,
)
from .reader_vocab import (
    _EXCEL_ERRORS,
    _GRADE_WORDS,
    _INLINE_GRADE,
    _INLINE_TOTAL,
    _TOTAL_WITH_POINTS,
    _key,
    _key_of,
)


class TotalsReader(FormBase):
    """The totals row and the grade of a form."""

    def read_totals(self, r: int, cp: int | None, cs: int | None) -> None:
        f, g = self.form, self.g
        row = g.rows[r]
        label_c = None
        for rr, c in self.found.get("total", ()):
            if rr == r:
                label_c = c
                break
        inline = with_points = None
        if label_c is not None:
            self.refs["total"] = g.ref(r, label_c)
            self.headers["total"] = cell_text(row[label_c])
            inline = _INLINE_TOTAL.fullmatch(_key(row[label_c]))
            with_points = _TOTAL_WITH_POINTS.fullmatch(_key(row[label_c]))
        if cp is not None:
            f.stated_total_points = self.number(r, cp, "合计分值", stated=True, points=True)
            self.refs["total_points"] = g.ref(r, cp)
        if cs is not None:
            f.stated_total_score = self.number(r, cs, "合计得分", stated=True, points=True)
            self.refs["total_score"] = g.ref(r, cs)
        if with_points is not None and label_c is not None:  # 总分(100分) | 100: points in the label
            if f.stated_total_points is None:
                f.stated_total_points = _decimal_of(with_points.group(2))
                self.refs["total_points"] = g.ref(r, label_c)
            if f.stated_total_score is None:  # the one figure right of the label is the score
                value, vc = self.right_value(r, label_c)
                if vc is not None and _is_figure(value):
                    f.stated_total_score = self.number(r, vc, "合计得分", stated=True, points=True)
                    self.refs["total_score"] = g.ref(r, vc)
                    cs = vc
        if inline is not None and label_c is not None:  # 总分：83 -- the score in the label's own cell
            if f.stated_total_score is not None:
                raise self.error(
                    f"合计行写了两个总分（“{cell_text(row[label_c])}”和得分列），无法确定", r, label_c
                )
            f.stated_total_score = _decimal_of(inline.group(2))
            self.refs["total_score"] = g.ref(r, label_c)
        # figures beside the 分值/得分 columns: the row is not laid out as the header says
        mapped = {cp, cs}
        start = (label_c + 1) if label_c is not None else 0
        for c in range(start, len(row)):
            v = row[c]
            if v == "" or c in mapped or _blank(v):
                continue
            t = _text_of(v)
            if t in _GRADE_WORDS:  # the grade in the total row itself: 总分 … 100 96 优
                if c > max((x for x in mapped if x is not None), default=-1):
                    f.stated_grade = _GRADE_WORDS[t]
                    self.refs["grade"] = g.ref(r, c)
                    self.headers["grade"] = self.headers.get("total", "")
                continue
            if _is_figure(v):
                raise self.error(f"合计行的数字“{t}”不在“分值”“得分”列下，无法确定它是什么", r, c)

    def header_total(self) -> None:
        """The 总分 stated among the header fields (自评得分 | 98), when no totals row states one."""
        if self.stated_in_header is None or self.form.stated_total_score is not None:
            return
        score, ref, label_ref, label = self.stated_in_header
        self.form.stated_total_score = score
        self.refs["total_score"], self.refs["label.total"], self.headers["total"] = ref, label_ref, label

    def read_grade(self, lo: int) -> None:
        pos = self.first("grade", lo)
        if pos is None:
            return
        inline = _INLINE_GRADE.fullmatch(_key(self.g.cell(*pos)))
        if inline is not None:  # 自评等级：优
            self.form.stated_grade = _GRADE_WORDS[inline.group(2)]
            self.refs["grade"] = self.refs["label.grade"] = self.g.ref(*pos)
            self.headers["grade"] = cell_text(self.g.cell(*pos))
            return
        value, vc = self.right_value(*pos)
        text = cell_text(value)
        if text.upper() in _EXCEL_ERRORS:
            text = ""
        if text:
            grade = _GRADE_WORDS.get(_key_of(text))
            if grade is None and len(text) > 4:
                return  # a written conclusion (评价结论：结合自评情况……), not a stated grade
            text = grade or text
        self.form.stated_grade = text or None
        self.refs["grade"] = self.g.ref(pos[0], vc if vc is not None else pos[1])
        self.refs["label.grade"] = self.g.ref(*pos)
        self.headers["grade"] = cell_text(self.g.cell(*pos))

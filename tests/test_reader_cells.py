"""The reader's cached cell-to-text shortcuts read every value as :func:`cell_text` does."""

import datetime

from perfeval_xl.reader_cells import _empty_mark, _text_of, cell_text


def test_text_of_matches_cell_text_also_from_its_cache():
    values = [0.0, -0.0, 0.1 + 0.2, 3.0, -3.5, 1e20, 1e-20, 123456789012345.67, float("nan"), float("inf"),
              float("-inf"), 95, True, False, None, " 95% ", "", datetime.date(2023, 1, 5)]  # fmt: skip
    for _ in range(2):  # the second round reads from the cache
        for v in values:
            assert _text_of(v) == cell_text(v), v
    assert _text_of(-0.0) == "-0" and _text_of(0.0) == "0" and _text_of(0.1 + 0.2) == "0.3"


def test_empty_mark_reads_the_same_from_its_cache():
    marks = {"-": True, " / ": True, "无": True, "……": True, "": True, "  ": True, None: True, "完成": False,
             "指标2:": False, 0.0: False, "x" * 40: False}  # fmt: skip
    for _ in range(2):  # the second round reads from the cache
        assert {v: _empty_mark(v) for v in marks} == marks

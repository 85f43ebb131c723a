"""Hostile inputs are refused from what they claim, before python-calamine (or a parser) loads them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from perfeval_xl import limits
from perfeval_xl.grid import load_grids
from perfeval_xl.model import ReadError

sys.path.insert(0, str(Path(__file__).parent / "hostile"))
import make_hostile  # noqa: E402

#: case -> words the Chinese reason must contain
REFUSED_UNREAD = {
    "far_cell.xlsx": ("工作表过大", "1048576×16384"),
    "shared_strings_bomb.xlsx": ("共享字符串", "4294967295"),
    "shared_part_sheets.xlsx": ("多个工作表指向同一份数据",),
    "many_sheets.xlsx": ("工作表过多", "1200"),
    "blank_lines.txt": ("文本行数过多",),
    "tab_bomb.txt": ("表格过大",),
    "rowspan_bomb.html": ("网页表格过大",),
    "empty_rows.html": ("网页表格过大",),
    "repeat_bomb.ods": ("重复单元格展开后",),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    return make_hostile.make_all(
        root / "files", root / "tmp", names=set(REFUSED_UNREAD) | {"claimed_dimension.xlsx"}
    )


@pytest.fixture
def no_calamine(monkeypatch):
    """Loading anything with calamine fails the test: the refusal must come first."""
    import python_calamine

    def forbidden(*args, **kwargs):
        raise AssertionError("calamine was asked to load a hostile file")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", forbidden)


@pytest.mark.parametrize("name", sorted(REFUSED_UNREAD))
def test_hostile_file_is_refused_before_loading(corpus, no_calamine, name):
    errors: list[ReadError] = []
    with pytest.raises(ReadError) as info:
        for _grid in load_grids(corpus[name], on_sheet_error=errors.append):
            pass
        raise errors[0]  # a refused sheet (the far cell) arrives through on_sheet_error
    text = str(info.value)
    for word in REFUSED_UNREAD[name]:
        assert word in text, text


def test_a_claimed_range_alone_is_not_trusted_either_way(corpus):
    """<dimension ref="A1:XFD1048576"> with a small form: calamine sizes from the cells present, so the
    form is read (refusing would lose a good form for a header's word)."""
    (grid,) = list(load_grids(corpus["claimed_dimension.xlsx"]))
    assert any("项目名称" in str(v) for row in grid.rows for v in row)


def test_limits_are_adjustable(corpus):
    previous = limits.configure(max_sheets=2000)
    try:
        grids = list(load_grids(corpus["many_sheets.xlsx"]))  # now read
    finally:
        limits.configure(previous)
    assert len(grids) == 1200


def test_far_cell_refuses_only_its_sheet(tmp_path):
    """A good sheet next to the hostile one is still read."""
    import zipfile

    good = make_hostile.good_xlsx(tmp_path / "two.xlsx", n_forms=2)
    bad = tmp_path / "one_bad.xlsx"

    def edit(name, data):
        if name == "xl/worksheets/sheet2.xml":
            return data.replace(
                b"</sheetData>", b'<row r="900000"><c r="ZZ900000"><v>1</v></c></row></sheetData>'
            )
        return None if name is None else data

    make_hostile._rewrite(good, bad, edit)
    assert zipfile.ZipFile(bad).testzip() is None
    errors: list[ReadError] = []
    grids = list(load_grids(bad, on_sheet_error=errors.append))
    assert [g.sheet for g in grids] == ["表1"]
    assert [e.sheet for e in errors] == ["表2"] and "工作表过大" in str(errors[0])


def test_a_sheet_of_too_many_merged_ranges_is_refused_alone(tmp_path):
    """Each merged range becomes Python objects in the reader (the 得分 cells merged over rows are read
    from them): a sheet claiming tens of thousands is no form and is refused before loading, by name."""
    good = make_hostile.good_xlsx(tmp_path / "two.xlsx", n_forms=2)
    bad = tmp_path / "merges.xlsx"
    many = b"".join(b'<mergeCell ref="A%d:B%d"/>' % (r, r) for r in range(1000, 1000 + 20_001))

    def edit(name, data):
        if name == "xl/worksheets/sheet2.xml":
            head, _, tail = data.partition(b"</sheetData>")
            tail = tail.replace(b"<mergeCells", b"<ignored").replace(b"</mergeCells>", b"</ignored>")
            return head + b"</sheetData><mergeCells>" + many + b"</mergeCells>" + tail
        return None if name is None else data

    make_hostile._rewrite(good, bad, edit)
    errors: list[ReadError] = []
    grids = list(load_grids(bad, on_sheet_error=errors.append))
    assert [g.sheet for g in grids] == ["表1"]
    assert [e.sheet for e in errors] == ["表2"] and "合并单元格过多" in str(errors[0])

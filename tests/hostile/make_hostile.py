"""Generate the hostile corpus: small files that once crashed, stalled or exhausted the batch.

``python tests/hostile/make_hostile.py OUTDIR`` writes them; the tests call :func:`make_all`. Each file
is a good form made hostile in one way, so a reader that refuses it must do so for that reason.
``base.xls`` (next to this script) is a form saved as .xls by LibreOffice, the seed of the .xls cases.
Large cases (the blank-line text bomb) are generated at test time only and take a size argument.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SEED_TEXT = ROOT / "tests" / "data" / "seed_forms.txt"
BASE_XLS = HERE / "base.xls"


def seed_blocks():
    sys.path.insert(0, str(ROOT / "examples"))
    import make_examples

    return make_examples, make_examples.seed_blocks(SEED_TEXT)


def good_xlsx(path: Path, n_forms: int = 1) -> Path:
    make_examples, blocks = seed_blocks()
    make_examples.write_workbook(path, [(f"表{i + 1}", [blocks[i % len(blocks)]]) for i in range(n_forms)])
    return path


def _rewrite(src: Path, dst: Path, edit) -> Path:
    """Copy a zip member by member; ``edit(name, data)`` returns the new data, or a list of extra
    (name, data) members under the key ``None``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
        for name, data in edit(None, b"") or []:
            zout.writestr(name, data)
    return dst


def far_cell(dst: Path, tmp: Path) -> Path:
    """A good form plus one number at XFD1048576 (calamine would allocate ~400 GiB)."""

    def edit(name, data):
        if name == "xl/worksheets/sheet1.xml":
            return data.replace(
                b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
            )
        return None if name is None else data

    return _rewrite(good_xlsx(tmp / "far_base.xlsx"), dst, edit)


def claimed_dimension(dst: Path, tmp: Path) -> Path:
    """A good form whose sheet claims the whole grid in ``<dimension>``."""

    def edit(name, data):
        if name == "xl/worksheets/sheet1.xml":
            return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data)
        return None if name is None else data

    return _rewrite(good_xlsx(tmp / "dim_base.xlsx"), dst, edit)


def shared_strings_bomb(dst: Path, tmp: Path) -> Path:
    """A good form whose shared-string table claims uniqueCount="4294967295"."""

    def edit(name, data):
        if name == "xl/sharedStrings.xml":
            data = re.sub(rb'uniqueCount="\d+"', b'uniqueCount="4294967295"', data)
            return re.sub(rb' count="\d+"', b' count="4294967295"', data)
        return None if name is None else data

    return _rewrite(good_xlsx(tmp / "sst_base.xlsx"), dst, edit)


def shared_part_sheets(dst: Path, tmp: Path, n: int = 500) -> Path:
    """A workbook listing ``n`` sheets that all point at the one sheet part (121 s once)."""

    def edit(name, data):
        if name == "xl/workbook.xml":
            sheets = b"".join(b'<sheet name="S%d" sheetId="%d" r:id="rId1"/>' % (i, i + 1) for i in range(n))
            return re.sub(rb"<sheets>.*</sheets>", b"<sheets>" + sheets + b"</sheets>", data, flags=re.S)
        return None if name is None else data

    return _rewrite(good_xlsx(tmp / "shared_base.xlsx"), dst, edit)


def many_sheets(dst: Path, tmp: Path, n: int = 1200) -> Path:
    """A workbook of ``n`` tiny sheets (over the sheet limit)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(dst))
    for i in range(n):
        book.add_worksheet(f"S{i}").write_string(0, 0, "项目名称")
    book.close()
    return dst


def corrupt_xls(dst: Path, tmp: Path) -> Path:
    """``base.xls`` with one byte changed: calamine asks for 1.8 TB and aborts the process."""
    data = bytearray(BASE_XLS.read_bytes())
    data[6537] = 9
    dst.write_bytes(bytes(data))
    return dst


def truncated_xls(dst: Path, tmp: Path) -> Path:
    """``base.xls`` cut in half."""
    data = BASE_XLS.read_bytes()
    dst.write_bytes(data[: len(data) // 2])
    return dst


def ffff_text(dst: Path, tmp: Path) -> Path:
    """A good text export with U+FFFF, U+FFFE and control characters in its text (a good form!)."""
    text = SEED_TEXT.read_text(encoding="utf-8")
    dst.write_text(text.replace("企业服务专项", "企业\uffff服务\ufffe专\x0b项", 1), encoding="utf-8")
    return dst


def rowspan_bomb(dst: Path, tmp: Path, cells: int = 200) -> Path:
    """A small HTML table whose first-row cells each span 1000 × 1000 cells over 1000 short rows."""
    row = '<td rowspan="1000" colspan="1000">x</td>' * cells
    rest = "<tr><td>a</td></tr>" * 999
    dst.write_text(f"<html><body><table><tr><td>项目名称</td>{row}</tr>{rest}</table></body></html>")
    return dst


def empty_rows_html(dst: Path, tmp: Path, rows: int = 3_000_000) -> Path:
    """An HTML table of empty rows (each one a list in memory)."""
    dst.write_text("<table>" + "<tr>" * rows + "</table>")
    return dst


def blank_lines_text(dst: Path, tmp: Path, megabytes: int = 8) -> Path:
    """A text export of blank lines after a title: 120× its size in memory once."""
    with open(dst, "wb") as fh:
        fh.write("财政项目支出绩效自我评价\n".encode())
        fh.write(b"\n" * (megabytes * 1024 * 1024))
    return dst


def tab_bomb_text(dst: Path, tmp: Path, megabytes: int = 8) -> Path:
    """A text export of tabs: millions of empty cells."""
    with open(dst, "wb") as fh:
        fh.write("项目名称\t".encode())
        fh.write(b"\t" * (megabytes * 1024 * 1024))
    return dst


def ods_repeat_bomb(dst: Path, tmp: Path) -> Path:
    """An .ods whose one text cell is repeated over the whole grid."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        '<office:spreadsheet><table:table table:name="S"><table:table-row table:number-rows-repeated="1048576">'
        '<table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>项目名称</text:p>'
        "</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        zf.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
            'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>',
        )
    dst.write_bytes(buf.getvalue())
    return dst


#: file name -> maker; every one of these must end on 错误 (ffff.txt is a good form and must not)
CASES = {
    "far_cell.xlsx": far_cell,
    "shared_strings_bomb.xlsx": shared_strings_bomb,
    "shared_part_sheets.xlsx": shared_part_sheets,
    "many_sheets.xlsx": many_sheets,
    "corrupt.xls": corrupt_xls,
    "truncated.xls": truncated_xls,
    "rowspan_bomb.html": rowspan_bomb,
    "empty_rows.html": empty_rows_html,
    "blank_lines.txt": blank_lines_text,
    "tab_bomb.txt": tab_bomb_text,
    "repeat_bomb.ods": ods_repeat_bomb,
}
#: hostile but good: read as forms (calamine sizes a sheet from the cells present, not the claimed range)
GOOD_CASES = {"ffff.txt": ffff_text, "claimed_dimension.xlsx": claimed_dimension}


def make_all(folder: Path, tmp: Path, names=None) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    tmp.mkdir(parents=True, exist_ok=True)
    made = {}
    for name, maker in {**CASES, **GOOD_CASES}.items():
        if names is None or name in names:
            made[name] = maker(folder / name, tmp)
    return made


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile")
    for name, path in make_all(out, out / ".tmp").items():
        print(f"{path.stat().st_size:>10}  {name}")

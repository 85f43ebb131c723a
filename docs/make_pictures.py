"""Render the printed template to PNG with LibreOffice (headless) and pdftoppm.

    python docs/make_pictures.py        # writes the PNG files below into docs/

template.png: the empty form as printed (computed cells blank, made with ``recalc``);
example.png: the seed's first form imported and recalculated, as printed;
summary.png, summary_departments.png, summary_findings.png: the first printed page of the
consolidated summary of ``examples/forms`` (汇总), of its 按主管部门 sheet and of its 问题清单.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from perfeval_xl.cli import main  # noqa: E402


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


#: LibreOffice settings for a private profile: recalculate every formula when an xlsx/ods file is
#: loaded (the default keeps the cached values of files it did not write itself), so a converted
#: file shows what LibreOffice computes, never what the writer cached.
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""


def convert(path: Path, fmt: str, outdir: Path, timeout: int = 180, profile: Path | None = None) -> Path:
    """``soffice --headless --convert-to fmt`` with a private profile that recalculates every formula
    on load; returns the converted file (see :func:`convert_many`)."""
    return convert_many([path], fmt, outdir, timeout, profile)[0]


def convert_many(
    paths: list[Path], fmt: str, outdir: Path, timeout: int = 180, profile: Path | None = None
) -> list[Path]:
    """Several files converted by one LibreOffice start (a start costs about a second), into ``outdir``.

    ``profile`` is the LibreOffice user profile (default: ``outdir/lo-profile``); a profile that was used
    before starts faster. It is given the settings that recalculate every formula on load."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    if len({p.stem for p in paths}) != len(paths):
        raise ValueError("two files of the same name would be converted to the same output file")
    profile = profile or outdir / "lo-profile"
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    settings = user / "registrymodifications.xcu"
    if not settings.exists():
        settings.write_text(RECALC_ALWAYS, encoding="utf-8")
    subprocess.run(
        [
            exe,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            *map(str, paths),
        ],
        check=True,
        capture_output=True,
        timeout=timeout,
    )
    outs = [outdir / f"{path.stem}.{fmt.split(':')[0]}" for path in paths]
    for out in outs:
        if not out.exists():
            raise RuntimeError(f"LibreOffice did not write {out.name}")
    return outs


def pdf_to_png(pdf: Path, png: Path, dpi: int = 110, page: int = 1) -> Path:
    """One page of ``pdf`` (the first by default) as ``png``."""
    stem = png.with_suffix("")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf),
            str(stem),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return png


def render(xlsx: Path, png: Path, workdir: Path) -> Path:
    return pdf_to_png(convert(xlsx, "pdf", workdir), png)


def make(outdir: Path = HERE) -> list[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        blank = work / "template_values.xlsx"
        assert main(["template", "-o", str(work / "template.xlsx")]) == 0
        assert main(["recalc", str(work / "template.xlsx"), "-o", str(blank)]) == 0
        example = work / "example_values.xlsx"
        assert (
            main(
                ["import", str(ROOT / "tests" / "data" / "seed_forms.txt"), "-o", str(work / "example.xlsx")]
            )
            == 0
        )
        assert main(["recalc", str(work / "example.xlsx"), "-o", str(example)]) == 0
        pictures = [
            render(blank, outdir / "template.png", work),
            render(example, outdir / "example.png", work),
        ]
        return pictures + native_pictures(outdir, work) + summary_pictures(outdir, work)


def native_pictures(outdir: Path, work: Path) -> list[Path]:
    """The native template as LibreOffice computes and prints it: empty, and the seed's first form."""
    native = work / "native"
    native.mkdir(exist_ok=True)
    template = native / "模板_本地公式版.xlsx"
    assert main(["template", "--native", "-o", str(template)]) == 0
    example = native / "示例_本地公式版.xlsx"
    seed = ROOT / "tests" / "data" / "seed_forms.txt"
    assert main(["import", "--native", str(seed), "-o", str(example)]) == 0
    return [
        render(template, outdir / "native_template.png", native),
        render(example, outdir / "native_example.png", native),
    ]


def summary_pictures(outdir: Path, work: Path) -> list[Path]:
    """The printed summary of the bundled example forms: the first page of 汇总, 按主管部门, 问题清单."""
    summary = work / "汇总.xlsx"
    assert (
        main(["consolidate", str(ROOT / "examples" / "forms"), "-o", str(summary), "-q", "--jobs", "1"]) == 0
    )
    pdf = convert(summary, "pdf", work)
    pages = _first_pages(pdf, ("项目名称", "主管部门", "严重程度"))
    names = ("summary.png", "summary_departments.png", "summary_findings.png")
    return [pdf_to_png(pdf, outdir / name, page=page) for name, page in zip(names, pages, strict=True)]


def _first_pages(pdf: Path, headers: tuple[str, ...]) -> list[int]:
    """For each header in turn, the first page after the previous one found whose top lines (the
    repeated header row) hold it: the sheets print in order, each starting on a new page."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    tops = ["\n".join(page.strip().splitlines()[:4]) for page in text.split("\f")]
    found: list[int] = []
    for header in headers:
        start = found[-1] if found else 0  # 0-based index of the page after the last one found
        found.append(next(i for i in range(start, len(tops)) if header in tops[i]) + 1)
    return found


if __name__ == "__main__":
    for path in make():
        print(path)

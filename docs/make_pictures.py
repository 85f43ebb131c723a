"""Render the printed template to PNG with LibreOffice (headless) and pdftoppm.

    python docs/make_pictures.py        # writes docs/template.png and docs/example.png

template.png: the empty form as printed (computed cells blank, made with ``recalc``);
example.png: the seed's first form imported and recalculated, as printed.
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


def convert(path: Path, fmt: str, outdir: Path, timeout: int = 180) -> Path:
    """``soffice --headless --convert-to fmt`` with a private profile; returns the converted file."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    profile = (outdir / "lo-profile").resolve().as_uri()
    subprocess.run(
        [
            exe,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=timeout,
    )
    out = outdir / f"{path.stem}.{fmt.split(':')[0]}"
    if not out.exists():
        raise RuntimeError(f"LibreOffice did not write {out.name}")
    return out


def pdf_to_png(pdf: Path, png: Path, dpi: int = 110) -> Path:
    """The first page of ``pdf`` as ``png``."""
    stem = png.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
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
        return [render(blank, outdir / "template.png", work), render(example, outdir / "example.png", work)]


if __name__ == "__main__":
    for path in make():
        print(path)

"""Progress on long runs: a callback for the API, a one-line bar on a terminal for the CLI."""

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

from perfeval_xl import consolidate

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "forms"


def _folder_of_copies(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / "forms"
    folder.mkdir()
    sources = sorted(EXAMPLES.glob("*.xlsx"))
    for i in range(n):
        src = sources[i % len(sources)]
        shutil.copy(src, folder / f"{i:03d}_{src.name}")
    return folder


def test_api_progress_counts_up_to_every_file(tmp_path):
    folder = _folder_of_copies(tmp_path, 12)
    calls = []
    result = consolidate(
        [folder], jobs=2, progress=lambda done, total, forms: calls.append((done, total, forms))
    )
    assert calls[0] == (0, 12, 0)
    assert calls[-1] == (12, 12, len(result.forms))
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)


def test_cli_draws_a_bar_on_a_terminal_and_nothing_when_quiet(tmp_path):
    folder = _folder_of_copies(tmp_path, 6)

    def run(*extra):
        leader, follower = pty.openpty()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "perfeval_xl",
                "consolidate",
                str(folder),
                "-o",
                str(tmp_path / "s.xlsx"),
                *extra,
            ],
            stdout=subprocess.PIPE,
            stderr=follower,
            timeout=120,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        os.close(leader)
        return proc.returncode, b"".join(chunks).decode("utf-8", "replace")

    code, shown = run()
    assert code == 0
    assert "汇总 [" in shown and "6/6 个文件" in shown
    code, shown = run("--quiet")
    assert code == 0 and shown == ""

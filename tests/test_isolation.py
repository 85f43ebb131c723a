"""A file that crashes, hangs or panics its reader costs one error row, never the batch; workers end
with their parent; nothing temporary is left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import openpyxl
import pytest

from perfeval_xl import batch, grid
from perfeval_xl.cli import main
from perfeval_xl.workers import CRASHED

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "data" / "seed_forms.txt"
sys.path.insert(0, str(ROOT / "tests" / "hostile"))
import make_hostile  # noqa: E402


def _inbox(tmp_path: Path, n_good: int = 6) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(n_good):
        (inbox / f"good{i:02d}.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    return inbox


def _errors(out: Path) -> dict[str, str]:
    wb = openpyxl.load_workbook(out, read_only=True)
    rows = list(wb["错误"].iter_rows(min_row=2, values_only=True))
    return {Path(r[0]).name: r[2] for r in rows if r and r[0]}


def _forms(out: Path) -> int:
    wb = openpyxl.load_workbook(out, read_only=True)
    return sum(1 for r in wb["汇总"].iter_rows(min_row=2, values_only=True) if r and any(r))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_file_that_aborts_the_reader_is_listed_and_the_batch_goes_on(tmp_path, jobs):
    inbox = _inbox(tmp_path)
    make_hostile.corrupt_xls(inbox / "good03_corrupt.xls", tmp_path)  # sorted among the good files
    out = tmp_path / "汇总.xlsx"
    assert main(["consolidate", str(inbox), "-o", str(out), "-q", "-j", jobs]) == 3
    assert _errors(out) == {"good03_corrupt.xls": CRASHED}
    assert _forms(out) == 6 * 4  # every good form, including those read with the crash in their chunk
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith((".~perfeval", ".perfeval"))]


def _hook(monkeypatch, action):
    """Make reading any file named *hook* do ``action`` (inherited by the forked workers)."""
    real = grid.load_grids

    def load(path, **kw):
        if "hook" in os.fspath(path):
            action()
        return real(path, **kw)

    monkeypatch.setattr(grid, "load_grids", load)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_that_hangs_is_stopped_after_the_time_limit(tmp_path, monkeypatch, jobs):
    inbox = _inbox(tmp_path, 4)
    (inbox / "good01_hook.txt").write_text("x", encoding="utf-8")
    _hook(monkeypatch, lambda: time.sleep(60))
    from perfeval_xl import limits

    previous = limits.configure(timeout=1.0)
    try:
        started = time.monotonic()
        result = batch.consolidate([inbox], jobs=jobs)
        elapsed = time.monotonic() - started
    finally:
        limits.configure(previous)
    assert elapsed < 20
    reasons = {Path(s).name: r for s, _sheet, r in result.rows["errors"]}
    assert reasons == {"good01_hook.txt": "读取超时（超过 1 秒），已停止读取此文件"}
    assert len(result.rows["forms"]) == 16


def test_a_panic_from_a_native_reader_is_caught_at_the_file(tmp_path, monkeypatch):
    class PanicException(BaseException):  # what pyo3 raises: not an Exception
        pass

    def panic():
        raise PanicException("called `Option::unwrap()` on a `None` value")

    inbox = _inbox(tmp_path, 2)
    (inbox / "hook.txt").write_text("x", encoding="utf-8")
    _hook(monkeypatch, panic)
    result = batch.consolidate([inbox], jobs=1)
    (err,) = result.rows["errors"]
    assert Path(err[0]).name == "hook.txt" and "读取程序内部错误" in err[2] and "PanicException" in err[2]
    assert len(result.rows["forms"]) == 8


def test_a_worker_killed_once_is_replaced_and_its_files_read_again(tmp_path, monkeypatch):
    """A worker that dies for a reason outside the file (killed once) loses nothing: the file is read
    again alone and succeeds."""
    inbox = _inbox(tmp_path, 5)
    victim = inbox / "good02_hook.txt"
    victim.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    marker = tmp_path / "killed-once"

    def die_once():
        if not marker.exists():
            marker.write_text("x")
            os.kill(os.getpid(), signal.SIGKILL)

    _hook(monkeypatch, die_once)
    result = batch.consolidate([inbox], jobs=2)
    assert result.rows["errors"] == []
    assert len(result.rows["forms"]) == 6 * 4
    assert marker.exists()


_SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    sys.path.insert(0, {root!r})
    from perfeval_xl import grid
    from perfeval_xl.cli import main
    real = grid.load_grids
    def load(path, **kw):
        if "hook" in os.fspath(path):
            time.sleep(120)
        return real(path, **kw)
    grid.load_grids = load
    sys.exit(main(["consolidate", {inbox!r}, "-o", {out!r}, "-q", "-j", "2", "--csv", {csv!r}]))
    """
)


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_workers_and_temporary_files_end_with_the_parent(tmp_path, sig):
    inbox = _inbox(tmp_path, 8)
    for i in range(2):
        (inbox / f"hook{i}.txt").write_text("x", encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    script = _SCRIPT.format(
        root=str(ROOT), inbox=str(inbox), out=str(out_dir / "汇总.xlsx"), csv=str(out_dir)
    )
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 30
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.2)
        workers = _children(proc.pid)
    assert len(workers) == 2, "the workers did not start"
    time.sleep(1.0)  # both now asleep in a hooked file
    proc.send_signal(sig)
    proc.wait(20)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.2)
    assert not any(_alive(p) for p in workers), "orphaned workers"
    if sig == signal.SIGTERM:  # SIGKILL cannot be cleaned up after; SIGTERM must be
        assert proc.returncode == 128 + signal.SIGTERM
        assert not list(out_dir.iterdir()), "temporary files left"


def test_a_later_run_removes_what_a_killed_run_left(tmp_path):
    """SIGKILL cannot be cleaned up after; the next run in the same folder removes the dead process's
    temporary files (same host only) and keeps a live process's."""
    from perfeval_xl.safeout import temp_prefix

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(dead.stdout)
    mine = temp_prefix()
    host_part = mine[: mine.rindex(".") + 1]
    out = tmp_path / "out"
    out.mkdir()
    stale_dir = out / f"{host_part}{dead_pid}-abc"
    stale_dir.mkdir()
    (stale_dir / "forms1.deflate").write_bytes(b"x")
    stale_file = out / f"{host_part}{dead_pid}-def.xlsx"
    stale_file.write_bytes(b"x")
    live = out / f"{host_part}{os.getppid()}-ghi.xlsx"  # the test runner's parent: alive
    live.write_bytes(b"x")
    other_host = out / ".~perfeval-otherhost.1-jkl.xlsx"
    other_host.write_bytes(b"x")
    assert main(["consolidate", str(SEED), "-o", str(out / "汇总.xlsx"), "-q", "-j", "1"]) == 0
    assert not stale_dir.exists() and not stale_file.exists()
    assert live.exists() and other_host.exists()


def test_score_and_import_survive_a_file_that_aborts_the_reader(tmp_path, capsys):
    bad = make_hostile.corrupt_xls(tmp_path / "corrupt.xls", tmp_path)
    assert main(["score", str(bad), str(SEED), "--json"]) == 3
    out = capsys.readouterr()
    import json

    payload = json.loads(out.out)
    assert len(payload["forms"]) == 4 and CRASHED in payload["errors"][0]["message"]
    target = tmp_path / "导入.xlsx"
    assert main(["import", str(bad), str(SEED), "-o", str(target)]) == 3
    assert CRASHED in capsys.readouterr().err
    assert len([ws for ws in openpyxl.load_workbook(target).worksheets if ws.sheet_state == "visible"]) == 4

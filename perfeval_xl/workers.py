"""Worker processes that a file cannot take down with the batch.

Native readers can abort the whole process (python-calamine allocating what a corrupt file claims:
SIGABRT, nothing to catch), loop for minutes, or exhaust memory. So every file is read in a worker
process, and the parent watches:

- each worker publishes which file of its task it is reading and since when (two shared doubles), so
  when a worker dies the parent knows the file that killed it; the files of the task before and after
  it are handed out again, the file itself is retried once alone in a fresh worker, and if it kills
  that one too it becomes an error ("文件导致读取程序崩溃");
- a file still being read after ``limits.timeout`` seconds gets its worker killed and becomes an error
  ("读取超时"), without a retry;
- a worker limits its own address space (``RLIMIT_AS``: what it had at start plus
  ``limits.max_memory_mb``), so a reader asking for hundreds of GiB fails at once instead of swapping;
- a dead worker is replaced; the pool never breaks (no ``BrokenProcessPool``);
- workers end with their parent: Linux kills them when the parent dies (``PR_SET_PDEATHSIG``), and
  a thread in each worker checks the parent is still there elsewhere; SIGINT is left to the parent,
  which stops its workers on every way out (normal end, error, Ctrl-C, SIGTERM).

:class:`Pool` runs tasks ``(key, paths)`` through ``work(paths, *args, on_file=...)`` and yields
``(key, paths, result)`` as tasks finish, or ``(key, paths, Failure)`` for files it gave up on. The work
and its arguments travel with each task (pickled: a module-level function and small values), so a
worker can be started before the work is known (:func:`prestart`).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from . import limits as limits_module

CRASHED = "文件导致读取程序崩溃（文件可能已损坏，或读取所需内存超过上限），未读取"
TIMED_OUT = "读取超时（超过 {seconds:g} 秒），已停止读取此文件"


@dataclass
class Failure:
    """Files the pool gave up on, with the reason (for the error rows)."""

    reason: str


@dataclass
class _Task:
    key: Any
    paths: Sequence[str]
    solo_retry: bool = False  # a file that killed a worker, read alone once more


class _Worker:
    """One worker process; it runs whatever work each task names (so it can be started early)."""

    def __init__(self, context, limits):
        """``context``: a multiprocessing context (where there is no fork), or None: forked by
        :mod:`perfeval_xl.forkproc`."""
        self.limits = limits
        if context is None:
            from . import forkproc

            self.state: Any = forkproc.SharedDoubles(2)
            self.conn, child_end = forkproc.channel()
        else:
            self.state = context.RawArray("d", 2)
            self.conn, child_end = context.Pipe()
        self.state[0] = -1  # (index of the file being read or -1, monotonic start)
        args = (child_end, self.state, limits, os.getpid())
        if context is None:
            self.proc: Any = forkproc.ForkProcess(_worker_main, args, close_in_child=[self.conn])
        else:
            self.proc = context.Process(target=_worker_main, args=args, daemon=True)
            self.proc.start()
        child_end.close()
        self.task: _Task | None = None

    def send(self, task: _Task, work: Callable, args: tuple) -> None:
        self.task = task
        self.state[0] = -1
        self.conn.send((task.key, list(task.paths), work, args))

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()
        if _FORK:
            self.proc.close()


class Pool:
    """``jobs`` worker processes running ``work``; see the module docstring."""

    def __init__(
        self, jobs: int, work: Callable, args: tuple = (), limits: limits_module.Limits | None = None
    ):
        self.context = None if _FORK else _spawn_context()
        self.jobs = max(1, jobs)
        self.work = work
        self.args = args
        self.limits = limits or limits_module.current()
        self.workers: list[_Worker] = []

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for w in self.workers:
            if w.task is None and w.proc.is_alive():
                _stop(w)
        deadline = time.monotonic() + 2
        for w in self.workers:
            w.proc.join(max(0.0, deadline - time.monotonic()))
            w.kill()
        self.workers = []

    def run(
        self, tasks: Iterator[tuple[Any, Sequence[str]] | None]
    ) -> Iterator[tuple[Any, Sequence[str], Any]]:
        """Run ``tasks`` (pulled as workers become free; ``None`` means "nothing for now"); yield
        each task's outcome as it finishes.

        A task whose worker died comes back as several outcomes under the same key: the files read
        again in pieces, in order, and a :class:`Failure` for the file that could not be read."""
        if _FORK:
            from .forkproc import wait
        else:
            from multiprocessing.connection import wait  # type: ignore[assignment]

        pending: deque[_Task] = deque()
        source = iter(tasks)
        exhausted = False
        timeout = self.limits.timeout
        while True:
            for w in [w for w in self.workers if w.task is None and not w.proc.is_alive()]:
                w.kill()  # died while idle (killed from outside): replaced below
                self.workers.remove(w)
            idle = [w for w in self.workers if w.task is None]
            while (pending or not exhausted) and (idle or len(self.workers) < self.jobs):
                if not pending:
                    try:
                        item = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    if item is None:  # the caller wants nothing more handed out for now
                        break
                    pending.append(_Task(*item))
                w = idle.pop() if idle else self._spawn()
                w.send(pending.popleft(), self.work, self.args)
            busy = [w for w in self.workers if w.task is not None]
            if not busy:
                if exhausted and not pending:
                    return
                continue
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=0.5)
            now = time.monotonic()
            for w in busy:
                if w.conn in ready:
                    try:
                        key, result = w.conn.recv()
                    except (EOFError, OSError):
                        yield from self._failed(w, pending, CRASHED)
                        continue
                    task, w.task = w.task, None
                    assert task is not None, "a busy worker holds its task"
                    yield task.key, task.paths, result
                elif w.proc.sentinel in ready or not w.proc.is_alive():
                    yield from self._failed(w, pending, CRASHED)
                elif w.state[0] >= 0 and now - w.state[1] > timeout:
                    yield from self._failed(w, pending, TIMED_OUT.format(seconds=timeout), retry=False)

    def _spawn(self) -> _Worker:
        while _SPARE:  # started early by :func:`prestart`
            w = _SPARE.pop()
            if w.proc.is_alive() and w.limits == self.limits:
                break
            _stop(w)
            w.kill()
        else:
            w = _Worker(self.context, self.limits)
        self.workers.append(w)
        return w

    def _failed(self, w: _Worker, pending: deque[_Task], reason: str, retry: bool = True):
        """A worker died or overran: replace it, hand out again what it had not finished."""
        task = w.task
        index = int(w.state[0])
        w.task = None
        w.kill()
        self.workers.remove(w)
        if task is None:
            return
        paths = list(task.paths)
        if not 0 <= index < len(paths):  # died between files: read each of them alone
            if task.solo_retry:
                yield task.key, paths, Failure(reason)
                return
            pending.extendleft(reversed([_Task(task.key, [p], solo_retry=True) for p in paths]))
            return
        culprit = paths[index]
        given_up = not retry or task.solo_retry
        again = []
        if index:
            again.append(_Task(task.key, paths[:index]))
        if not given_up:
            again.append(_Task(task.key, [culprit], solo_retry=True))
        if index + 1 < len(paths):
            again.append(_Task(task.key, paths[index + 1 :]))
        pending.extendleft(reversed(again))  # ahead of new work: the output waits for this key
        if given_up:
            yield task.key, [culprit], Failure(reason)


#: workers are forked (POSIX): by :mod:`perfeval_xl.forkproc`; elsewhere multiprocessing starts them
_FORK = os.name == "posix" and hasattr(os, "fork")


def _spawn_context():
    import multiprocessing

    return multiprocessing.get_context()


def _stop(w: _Worker) -> None:
    try:
        w.conn.send(None)  # a clean exit for an idle worker
    except OSError:
        pass


_SPARE: list[_Worker] = []


def prestart(jobs: int) -> None:
    """Start ``jobs`` workers now, for the next :class:`Pool` to take (same limits). A process about
    to find thousands of files starts its workers first, so they are forked before the list exists
    and do not carry a copy of it; :func:`discard_spares` stops those not taken."""
    if not _FORK:
        return  # elsewhere workers start fresh anyway: nothing to gain
    lim = limits_module.current()
    while len(_SPARE) < jobs:
        _SPARE.append(_Worker(None, lim))


def discard_spares() -> None:
    """Stop the workers :func:`prestart` started that no pool took."""
    while _SPARE:
        w = _SPARE.pop()
        _stop(w)
        w.proc.join(2)
        w.kill()


# ------------------------------------------------------------------------------- forms of single files


def read_forms_each(paths: Sequence[str], **kwargs) -> Iterator[tuple[str, Any]]:
    """``(path, forms)`` or ``(path, ReadError)`` for each path, in order: :func:`perfeval_xl.reader.read_forms`
    run in one worker process (for ``score`` and ``import``), so a file that crashes or hangs its reader
    becomes a :class:`ReadError` too. Exceptions other than ReadError come back as a ReadError."""
    from .model import ReadError

    paths = list(paths)
    outcomes: dict[int, Any] = {}
    with Pool(1, _read_forms_task, (kwargs,)) as pool:
        for key, _paths, result in pool.run((i, [p]) for i, p in enumerate(paths)):
            if isinstance(result, Failure):
                result = ("error", (paths[key], result.reason, None, None))
            outcomes[key] = result
    for i, path in enumerate(paths):
        kind, value = outcomes[i]
        yield path, (value if kind == "forms" else ReadError(*value))


def _read_forms_task(paths: Sequence[str], kwargs: dict, on_file: Callable[[int], None]) -> tuple[str, Any]:
    from .model import ReadError
    from .reader import read_forms

    on_file(0)
    try:
        return "forms", read_forms(paths[0], **kwargs)
    except ReadError as exc:  # exceptions do not pickle with their fields: send the fields
        return "error", (exc.source, exc.reason, exc.sheet, exc.cell)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a native reader's panic, a bug: one file's problem
        return "error", (paths[0], f"无法读取（{type(exc).__name__}：{str(exc).strip()[:200]}）", None, None)


# ------------------------------------------------------------------------------------------- the worker


def _worker_main(conn, state, limits, parent_pid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _quiet_native_errors()
    _die_with_parent(parent_pid)
    _limit_memory(limits.max_memory_mb)
    limits_module.configure(limits)

    def on_file(i: int) -> None:
        state[1] = time.monotonic()
        state[0] = i

    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        key, paths, work, args = msg
        result = work(paths, *args, on_file=on_file)
        state[0] = -1
        conn.send((key, result))


def _quiet_native_errors() -> None:
    """A native reader that aborts prints its own message and backtrace (Rust); the file is reported
    on 错误 instead. Set PERFEVAL_DEBUG=1 to see them."""
    if os.environ.get("PERFEVAL_DEBUG"):
        return
    os.environ["RUST_BACKTRACE"] = "0"
    faulthandler = sys.modules.get("faulthandler")  # enabled only if imported (by a test runner, -X)
    if faulthandler is not None:
        faulthandler.disable()  # it would print the aborting thread's stack
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass


def _die_with_parent(parent_pid: int) -> None:
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent_pid:  # the parent died before the line above
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _limit_memory(megabytes: int) -> None:
    try:
        import resource

        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[0])
        now = pages * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        want = now + megabytes * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            want = min(want, hard)
        resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    except (OSError, ValueError, ImportError):  # not Linux: the time limit still applies
        pass

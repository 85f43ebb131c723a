"""A worker process by ``os.fork`` with a pickled-message channel and two shared numbers: what
:mod:`perfeval_xl.workers` needs from :mod:`multiprocessing` on POSIX, without its import (~7 ms of
every run's start-up, more than the batch's own modules; multiprocessing serves where there is no
fork). Standard library only.

:class:`ForkProcess` runs ``target(*args)`` in a forked child that never returns into the parent's
code (``os._exit``); its :attr:`~ForkProcess.sentinel` becomes readable when the child ends.
:func:`channel` makes the two ends of a :class:`Channel` (length-prefixed pickles over two pipes);
:class:`SharedDoubles` lives in an anonymous shared mapping, so parent and child see each other's
writes; :func:`wait` is :func:`multiprocessing.connection.wait` for these.
"""

from __future__ import annotations

import mmap
import os
import pickle
import select
import signal
from collections.abc import Callable, Sequence
from typing import Any


class Channel:
    """One end of a two-way channel: ``send`` pickles an object, ``recv`` returns the next one (or
    raises EOFError when the other end is gone)."""

    def __init__(self, read_fd: int, write_fd: int):
        self.read_fd = read_fd
        self.write_fd = write_fd
        self.closed = False

    def fileno(self) -> int:
        return self.read_fd

    def send(self, obj: Any) -> None:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        header = len(data).to_bytes(8, "little")
        if len(data) < 65536:  # one write: the reader wakes once
            _write_all(self.write_fd, header + data)
        else:
            _write_all(self.write_fd, header)
            _write_all(self.write_fd, data)

    def recv(self) -> Any:
        size = int.from_bytes(_read_exact(self.read_fd, 8), "little")
        return pickle.loads(_read_exact(self.read_fd, size))

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self.read_fd)
            os.close(self.write_fd)


def channel() -> tuple[Channel, Channel]:
    """The parent's end and the child's end of a new channel."""
    down_r, down_w = os.pipe()  # parent -> child
    up_r, up_w = os.pipe()  # child -> parent
    return Channel(up_r, down_w), Channel(down_r, up_w)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exact(fd: int, size: int) -> bytes:
    buf = bytearray(size)
    view = memoryview(buf)
    done = 0
    while done < size:
        n = os.readv(fd, [view[done:]])
        if not n:
            raise EOFError("the other end of the channel is closed")
        done += n
    return bytes(buf)


class SharedDoubles:
    """``n`` floats shared with forked children (an anonymous ``MAP_SHARED`` mapping), indexable like
    :func:`multiprocessing.sharedctypes.RawArray`."""

    def __init__(self, n: int):
        self._map = mmap.mmap(-1, 8 * n)
        self._view = memoryview(self._map).cast("d")

    def __getitem__(self, i: int) -> float:
        return self._view[i]

    def __setitem__(self, i: int, value: float) -> None:
        self._view[i] = value


class ForkProcess:
    """``target(*args)`` in a forked child; ``close_in_child`` are the parent's channel ends, which
    the child must not hold (its parent's death would go unnoticed on them)."""

    def __init__(
        self, target: Callable[..., Any], args: Sequence[Any], close_in_child: Sequence[Channel] = ()
    ):
        sentinel_r, sentinel_w = os.pipe()
        self.exitcode: int | None = None
        self.pid = os.fork()
        if self.pid == 0:  # the child: run the target, then leave without the parent's clean-up
            code = 1
            try:
                os.close(sentinel_r)
                for end in close_in_child:
                    end.close()
                target(*args)
                code = 0
            finally:
                os._exit(code)
        os.close(sentinel_w)
        self.sentinel = sentinel_r  # readable (end of file) once the child has ended

    def poll(self, block: bool = False) -> int | None:
        """The exit code once the child has ended (reaping it), else None."""
        if self.exitcode is None:
            try:
                pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
            except ChildProcessError:
                pid, status = self.pid, 0
            if pid:
                self.exitcode = os.waitstatus_to_exitcode(status)
        return self.exitcode

    def is_alive(self) -> bool:
        return self.poll() is None

    def kill(self) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def join(self, timeout: float | None = None) -> None:
        if self.exitcode is None and wait([self.sentinel], timeout):
            self.poll(block=True)

    def close(self) -> None:
        """Release the sentinel (once the child has been reaped)."""
        if self.exitcode is not None and self.sentinel >= 0:
            os.close(self.sentinel)
            self.sentinel = -1


def wait(objects: Sequence[Any], timeout: float | None = None) -> list[Any]:
    """Those of ``objects`` (channels, or file descriptors such as sentinels) that are ready to read
    (or closed at the other end), waiting up to ``timeout`` seconds for one."""
    poller = select.poll()
    by_fd: dict[int, Any] = {}
    for obj in objects:
        fd = obj if isinstance(obj, int) else obj.fileno()
        by_fd[fd] = obj
        poller.register(fd, select.POLLIN)
    events = poller.poll(None if timeout is None else max(0, int(timeout * 1000)))
    return [by_fd[fd] for fd, _event in events]

"""The forked worker's plumbing (:mod:`perfeval_xl.forkproc`): messages both ways, big ones whole; a
child's writes to the shared numbers seen by the parent; a child that dies is seen at its sentinel and
its channel; the parent's ends are not held by the child."""

from __future__ import annotations

import os
import signal
import time

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")


def _echo(conn, state):
    state[0] = 7.5
    while True:
        msg = conn.recv()
        if msg is None:
            return
        conn.send(("got", msg))


def test_messages_go_both_ways_whole_and_the_shared_numbers_are_shared():
    from perfeval_xl import forkproc

    state = forkproc.SharedDoubles(2)
    state[0] = -1
    parent, child = forkproc.channel()
    proc = forkproc.ForkProcess(_echo, (child, state), close_in_child=[parent])
    child.close()
    big = bytes(range(256)) * 40_000  # ~10 MB: more than a pipe holds at once
    for msg in (1, "二", big, {"k": [None, 2.5]}):
        parent.send(msg)
        assert forkproc.wait([parent], 10) == [parent]
        assert parent.recv() == ("got", msg)
    assert state[0] == 7.5
    parent.send(None)
    proc.join(10)
    assert proc.exitcode == 0 and not proc.is_alive()
    parent.close()
    proc.close()


def _die(conn):
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_child_that_dies_is_seen_at_its_sentinel_and_its_channel():
    from perfeval_xl import forkproc

    parent, child = forkproc.channel()
    proc = forkproc.ForkProcess(_die, (child,), close_in_child=[parent])
    child.close()
    assert proc.sentinel in forkproc.wait([proc.sentinel], 10)
    with pytest.raises(EOFError):
        parent.recv()
    proc.join(10)
    assert proc.exitcode == -signal.SIGKILL
    parent.close()
    proc.close()


def _sleep(conn):
    time.sleep(60)


def test_wait_times_out_and_kill_ends_the_child():
    from perfeval_xl import forkproc

    parent, child = forkproc.channel()
    proc = forkproc.ForkProcess(_sleep, (child,), close_in_child=[parent])
    child.close()
    started = time.monotonic()
    assert forkproc.wait([parent, proc.sentinel], 0.2) == []
    assert time.monotonic() - started >= 0.15
    assert proc.is_alive()
    proc.kill()
    proc.join(10)
    assert not proc.is_alive() and proc.exitcode == -signal.SIGKILL
    parent.close()
    proc.close()

"""What every writer needs, in one place: text XML 1.0 can carry, and new files written atomically
that honour the umask.

XML 1.0 forbids most C0 control characters, U+FFFE, U+FFFF and lone surrogates (the last ones come
from file names that are not valid UTF-8). Excel files are XML inside: one such character and the file
is not well-formed (openpyxl refuses it; LibreOffice silently drops rows). :func:`xml_text` makes any
text safe: vertical tab and form feed become line breaks (old Mac Excel writes them for Alt+Enter),
other forbidden characters disappear, lone surrogates become U+FFFD. Standard library only.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _fix(match: re.Match) -> str:
    ch = match.group(0)
    if ch in "\x0b\x0c":
        return "\n"
    if "\ud800" <= ch <= "\udfff":
        return "\ufffd"
    return ""


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (see the module docstring).

    >>> xml_text("第一行\\x0b第二行\\uffff")
    '第一行\\n第二行'
    """
    if text.isascii() and text.isprintable():
        return text
    return _FORBIDDEN.sub(_fix, text)


def xml_escape(text: str) -> str:
    """Text as XML character data: ``&``, ``<`` and ``>`` escaped (quotes need no escaping there)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def display_path(path: str) -> str:
    """A path as text any writer accepts: bytes that were not UTF-8 (kept by Python as lone
    surrogates) shown as U+FFFD."""
    if path.isascii():
        return path
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def honour_umask(path: str | os.PathLike) -> None:
    """Give a file made by ``tempfile.mkstemp`` (always 0600) the mode a plain ``open()`` would have
    given it (0666 minus the umask), before it is renamed into place. Not on Windows (no modes)."""
    if os.name != "posix":
        return
    try:
        os.chmod(path, 0o666 & ~_current_umask())
    except OSError:  # pragma: no cover - a file we just created; nothing sensible to do otherwise
        pass


def temp_prefix() -> str:
    """The name prefix of this process's temporary files: host and process id, so that a later run
    on the same machine can tell what a killed run (SIGKILL, power loss) left behind."""
    if hasattr(os, "uname"):
        node = os.uname().nodename  # what gethostname() answers, without importing socket
    else:
        import socket

        node = socket.gethostname()
    host = "".join(ch if ch.isalnum() else "_" for ch in node)[:40]
    return f".~perfeval-{host}.{os.getpid()}-"


def sweep_stale(folder: str | os.PathLike) -> None:
    """Remove temporary files and folders of this tool in ``folder`` left by a process of this host
    that no longer exists (other hosts' files, on a shared folder, are never touched)."""
    import shutil

    mine = temp_prefix()
    ours = mine[: mine.rindex(".") + 1]  # ".~perfeval-HOST."
    try:
        entries = list(os.scandir(os.fspath(folder)))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(ours) or entry.name.startswith(mine):
            continue
        pid_text = entry.name[len(ours) :].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's), or cannot tell: keep its files
    return True


def publish(tmp: str | os.PathLike, path: str | os.PathLike) -> None:
    """Give a finished temporary file the umask's permissions and rename it over ``path``."""
    honour_umask(tmp)
    os.replace(tmp, path)


def atomic_write(path: str | os.PathLike, write: Callable[[str], None]) -> Path:
    """Call ``write(tmp)`` to fill a temporary file beside ``path``, then :func:`publish` it.

    The one way every output file is written: readers never see a half-written file, a failure
    leaves ``path`` as it was and no temporary file behind, and the result gets the permissions a
    plain ``open()`` would give it.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(), suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        write(tmp)
        publish(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target

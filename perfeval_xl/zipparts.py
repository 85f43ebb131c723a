"""The members of a workbook's zip, read straight from the central directory and their local headers
(standard library only): a few struct reads per input instead of a ``ZipFile`` with its ``ZipInfo``
objects, since a batch does this for every file. A workbook up to :data:`WHOLE_FILE_BYTES` is read
into memory once and its parts are taken from there; larger ones are read part by part, in pieces."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from typing import BinaryIO

#: a workbook up to this size is read into memory in one go (a form's workbook is a few dozen KB)
WHOLE_FILE_BYTES = 1 << 20
SCAN_CHUNK = 1 << 20  # the pieces a large part is read in

_LOCAL = struct.Struct("<4s5H3L2H")  # local file header


def whole_file(source: str) -> bytes | None:
    """The file's bytes when it is at most :data:`WHOLE_FILE_BYTES`, else None."""
    with open(source, "rb") as fh:
        if os.fstat(fh.fileno()).st_size > WHOLE_FILE_BYTES:
            return None
        return fh.read(WHOLE_FILE_BYTES + 1)


_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
_CDIR = struct.Struct("<4s6H3L5H2L")  # central directory file header


def zip_directory(source: str, data: bytes | None = None) -> list[tuple[str, int, int, int, int]] | None:
    """``(name, compressed size, uncompressed size, method, local header offset)`` of every member
    (method -1: encrypted), read straight from the central directory (a few struct reads instead of
    building ZipInfo objects: this runs once per input of a batch), from ``data`` (the whole file)
    when given. None for anything unusual (zip64, comments, spanning): the caller then asks zipfile."""
    with io.BytesIO(data) if data is not None else open(source, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        if size < _EOCD.size:
            return None
        fh.seek(size - _EOCD.size)
        sig, disk, cd_disk, n_here, n_total, cd_size, cd_offset, comment = _EOCD.unpack(fh.read(_EOCD.size))
        if sig != b"PK\x05\x06" or disk or cd_disk or n_here != n_total or comment:
            return None
        if cd_offset + cd_size > size - _EOCD.size or n_total == 0xFFFF or cd_offset == 0xFFFFFFFF:
            return None
        fh.seek(cd_offset)
        data = fh.read(cd_size)
    members = []
    pos = 0
    for _ in range(n_total):
        if pos + _CDIR.size > len(data):
            return None
        fields = _CDIR.unpack_from(data, pos)
        if fields[0] != b"PK\x01\x02":
            return None
        csize, usize, n_name, n_extra, n_comment = fields[8], fields[9], fields[10], fields[11], fields[12]
        if csize == 0xFFFFFFFF or usize == 0xFFFFFFFF:
            return None  # zip64 sizes live in the extra field: let zipfile read them
        start = pos + _CDIR.size
        method = -1 if fields[3] & 1 else fields[4]
        members.append(
            (data[start : start + n_name].decode("utf-8", "replace"), csize, usize, method, fields[16])
        )
        pos = start + n_name + n_extra + n_comment
    return members


class Parts:
    """Members of a zip read straight from their local headers (no ZipFile: this runs per input),
    from the file or from ``data``, the whole file in memory."""

    def __init__(
        self, fh: BinaryIO, members: list[tuple[str, int, int, int, int]], data: bytes | None = None
    ) -> None:
        self.fh = fh
        self.members = members
        self.info = {m[0]: m[1:] for m in members}
        self.data = data

    def size(self, name: str) -> int:
        return self.info[name][1]

    def chunks(self, name: str, limit: int, block: int = SCAN_CHUNK):
        """The member's uncompressed bytes in pieces of at most ``block``, ``limit`` bytes in all."""
        csize, _usize, method, offset = self.info[name]
        self.fh.seek(offset)
        head = self.fh.read(_LOCAL.size)
        sig, *_, n_name, n_extra = _LOCAL.unpack(head)
        if sig != b"PK\x03\x04":
            raise ValueError("bad local header")
        self.fh.seek(offset + _LOCAL.size + n_name + n_extra)
        if method == 0:
            left = min(csize, limit)
            while left > 0:
                piece = self.fh.read(min(block, left))
                if not piece:
                    return
                left -= len(piece)
                yield piece
            return
        if method != 8:
            raise ValueError(f"compression method {method}")
        d = zlib.decompressobj(-15)
        left_in, left_out = csize, limit
        while left_out > 0:
            if d.unconsumed_tail:
                data = d.unconsumed_tail
            else:
                if left_in <= 0:
                    return
                data = self.fh.read(min(left_in, 1 << 16))
                if not data:
                    return
                left_in -= len(data)
            out = d.decompress(data, min(block, left_out))
            if out:
                left_out -= len(out)
                yield out
            if d.eof:
                return

    def read(self, name: str, limit: int) -> bytes:
        if self.data is None:
            return b"".join(self.chunks(name, limit, block=limit))
        csize, _usize, method, offset = self.info[name]  # the common case: one slice, one inflate
        sig, *_, n_name, n_extra = _LOCAL.unpack_from(self.data, offset)
        if sig != b"PK\x03\x04":
            raise ValueError("bad local header")
        start = offset + _LOCAL.size + n_name + n_extra
        raw = self.data[start : start + csize]
        if method == 0:
            return raw[:limit]
        if method != 8:
            raise ValueError(f"compression method {method}")
        return zlib.decompressobj(-15).decompress(raw, limit)


def read_member(
    source: str, member: tuple[str, int, int, int, int], limit: int, data: bytes | None = None
) -> bytes:
    """At most ``limit`` uncompressed bytes of one member, read from its local header (in ``data``,
    the whole file, when given); ``member`` is its ``(name, compressed, uncompressed, method,
    offset)`` from the directory the pre-check read. Broken data raises ValueError."""
    try:
        with io.BytesIO(data) if data is not None else open(source, "rb") as fh:
            return Parts(fh, [member], data).read(member[0], limit)
    except (zlib.error, struct.error) as exc:
        raise ValueError(f"broken zip member {member[0]}") from exc


class PartReader:
    """Parts of a workbook by name, the zip opened at the first part that is not already at hand. With
    ``members`` (the zip directory the pre-check already read) parts are read straight from their
    local headers (from ``data``, the whole file, when given), without parsing the directory again."""

    def __init__(
        self,
        path: str,
        members: dict[str, tuple[str, int, int, int, int]] | None = None,
        data: bytes | None = None,
        max_bytes: int = 32 << 20,
    ):
        self.path = path
        self.max_bytes = max_bytes  # a larger part is not read (None)
        self.zf: zipfile.ZipFile | None = None
        self.members = members
        self.data = data  # the whole file, when the pre-check read it in one go

    def size(self, name: str) -> int | None:
        if self.members is not None:
            member = self.members.get(name)
            return member[2] if member is not None else None
        if self.zf is None:
            self.zf = zipfile.ZipFile(self.path)
        try:
            return self.zf.getinfo(name).file_size
        except KeyError:
            return None

    def read(self, name: str) -> bytes | None:
        size = self.size(name)
        if size is None or size > self.max_bytes:
            return None
        if self.members is not None:
            return read_member(self.path, self.members[name], self.max_bytes + 1, self.data)
        if self.zf is None:
            return None
        with self.zf.open(name) as fh:
            return fh.read(self.max_bytes + 1)

    def close(self) -> None:
        if self.zf is not None:
            self.zf.close()

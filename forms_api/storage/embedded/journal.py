"""The journal: changes appended and fsynced before they are acknowledged.

A record is ``<length: 4 bytes><crc32: 4 bytes><payload: UTF-8 JSON>``, little-endian. The
journal is a folder of files named after the sequence number of their first record; the
writer appends to the newest one and starts a new one at each checkpoint.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_HEADER = struct.Struct("<II")


class JournalCorrupt(Exception):
    """A damaged record in a journal file older than the newest: manual repair needed.

    In the newest file a damaged record is what a crash leaves of the last, unacknowledged
    batch, and replay cuts the file there. Intact records after it do not prove otherwise:
    the pages of one batch may reach the disk in any order before its fsync returns.
    """


def fsync_directory(path: Path) -> None:
    """Make a file created, renamed or deleted in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def encode(record: dict[str, Any]) -> bytes:
    """``record`` as a journal frame; raises TypeError for a value JSON cannot hold."""
    payload = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _HEADER.pack(len(payload), zlib.crc32(payload)) + payload


def decode(frame: bytes) -> dict[str, Any]:
    """The record of a frame made by :func:`encode` (a copy sharing nothing with the original)."""
    return json.loads(frame[_HEADER.size :])


class Journal:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._fd: int | None = None
        self.current: Path | None = None
        self._damaged = False
        """A failed append could not be undone: nothing may be appended after it."""

    def files(self) -> list[Path]:
        return sorted(self.folder.glob("*.log"))

    def replay(self, after: int) -> Iterator[dict[str, Any]]:
        """Every intact record with a sequence number above ``after``, in order.

        A damaged record at the end of the newest file is what a crash leaves of a write that
        was never acknowledged: the file is cut back to the last intact record.
        """
        files = self.files()
        for index, path in enumerate(files):
            last = index == len(files) - 1
            data = path.read_bytes()
            offset = 0
            while offset < len(data):
                record, end = _decode(data, offset)
                if record is None:
                    if not last:
                        raise JournalCorrupt(f"日志文件 {path} 在第 {offset} 字节处损坏，且不是最后一个文件")
                    with path.open("r+b") as handle:
                        handle.truncate(offset)
                        handle.flush()
                        os.fsync(handle.fileno())
                    break
                offset = end
                if record["seq"] > after:
                    yield record

    def open_segment(self, first_seq: int) -> None:
        """Start appending to a new file whose first record will be ``first_seq``."""
        self._check_not_damaged()  # the damaged file must stay the newest: replay cuts it there
        path = self.folder / f"{first_seq:012d}.log"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            fsync_directory(self.folder)
        except BaseException:
            os.close(fd)  # keep appending to the current file; replay reads every file anyway
            raise
        self.close()
        self._fd, self.current = fd, path

    def append(self, frames: list[bytes]) -> None:
        """Append ``frames`` (see :func:`encode`) and fsync: when this returns they are on disk.

        If the write or the fsync fails, the file is cut back to its previous length: the
        records were not acknowledged, so they must neither come back at replay nor leave a
        damaged record in front of the records appended after them.
        """
        assert self._fd is not None, "open_segment first"
        self._check_not_damaged()
        data = memoryview(b"".join(frames))
        size = os.fstat(self._fd).st_size
        try:
            while data:  # a write may store only part of the data (e.g. the disk filled up)
                data = data[os.write(self._fd, data) :]
            os.fsync(self._fd)
        except BaseException:
            self._cut_back(size)
            raise

    def _check_not_damaged(self) -> None:
        if self._damaged:
            raise OSError(f"日志文件 {self.current} 末尾有未能撤销的写入，需重启服务")

    def _cut_back(self, size: int) -> None:
        """Undo a failed append; if even that fails, refuse to append until a restart, whose
        replay cuts the damaged end off."""
        assert self._fd is not None
        try:
            os.ftruncate(self._fd, size)
            os.fsync(self._fd)
        except OSError:
            self._damaged = True

    def drop_before(self, keep: Path) -> None:
        """Delete the files older than ``keep`` (their records are in the shards)."""
        removed = False
        for path in self.files():
            if path.name < keep.name:
                path.unlink()
                removed = True
        if removed:
            fsync_directory(self.folder)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _decode(data: bytes, offset: int) -> tuple[dict[str, Any] | None, int]:
    if offset + _HEADER.size > len(data):
        return None, offset
    length, crc = _HEADER.unpack_from(data, offset)
    start, end = offset + _HEADER.size, offset + _HEADER.size + length
    payload = data[start:end]
    if end > len(data) or zlib.crc32(payload) != crc:
        return None, offset
    try:
        return json.loads(payload), end
    except ValueError:
        return None, offset

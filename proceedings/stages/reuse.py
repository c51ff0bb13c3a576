"""Binding again after a small change: the parts that bind would write exactly as last time are copied from
the last volume instead of being renumbered again.

A part's bytes in the volume are a function of its own bytes and of where it lands (its object numbers, the
page objects its links point to, the stamp objects it shares): :func:`context` digests all of that. When the
last volume holds a part of the same context, untouched since (its size and time as recorded, the CRC-32 of
its range as written), its range and its objects' offsets are taken from there, and the volume comes out
byte for byte as a binding from scratch would make it.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
from pathlib import Path
from typing import BinaryIO

from proceedings.pdf import xref
from proceedings.util.cache import file_fingerprint


def context(identity: str, shift: int, absolute: dict[int, int], skip: set[int]) -> str:
    """Digest of everything a part's bytes in the volume depend on (``identity``: the part file's checksum)."""
    text = repr((identity, shift, sorted(absolute.items()), sorted(skip)))
    return hashlib.sha256(text.encode()).hexdigest()


class PreviousVolume:
    """The volume bound last time, open to copy the ranges of its parts from."""

    def __init__(self, handle: BinaryIO, parts: dict[str, list[int]], table: int, size: int) -> None:
        self.handle, self.parts, self.table, self.size = handle, parts, table, size

    @classmethod
    def open(cls, path: Path, record: object) -> PreviousVolume | None:
        """The volume at ``path`` with its ``record`` (``{"output": fingerprint, "parts": {context: [start, end,
        crc32]}}``), or None when either is missing, unreadable or does not match the other."""
        if not isinstance(record, dict) or not isinstance(record.get("parts"), dict):
            return None
        if not record["parts"] or file_fingerprint(path) != record.get("output"):
            return None
        try:
            handle = path.open("rb")
        except OSError:
            return None
        try:
            found = xref.locate(handle)
            if found is not None:
                return cls(handle, record["parts"], *found)
        except (OSError, ValueError):
            pass
        handle.close()
        return None

    def take(self, key: str, first: int, last: int) -> tuple[int, int, int, list[tuple[int, int]]] | None:
        """Where a part of context ``key`` was written (start, end), the CRC-32 of those bytes, and (object number,
        offset from ``start``) of each of its objects (numbered ``first`` to ``last``); None when there is none.

        The bytes are not read here: bind copies them file to file (:func:`copy_range`), and verify reads them
        back against this CRC-32; should they have changed since, the volume is bound again without reuse.
        """
        where = self.parts.get(key)
        if not (isinstance(where, list) and len(where) == 3) or last >= self.size:
            return None
        start, end, crc = where
        if not 0 <= start <= end <= self.table:
            return None
        try:
            self.handle.seek(self.table + xref.ENTRY * first)
            table = self.handle.read(xref.ENTRY * (last - first + 1))
            objects = []
            for k in range(last - first + 1):
                offset = xref.in_use(table[xref.ENTRY * k:xref.ENTRY * (k + 1)])
                if offset is not None and start <= offset < end:
                    objects.append((first + k, offset - start))
        except (OSError, ValueError):
            return None
        return start, end, crc, objects

    def close(self) -> None:
        self.handle.close()


def copy_range(source: BinaryIO, start: int, end: int, target: BinaryIO) -> None:
    """Append bytes ``start``–``end`` of ``source`` to ``target``: in the kernel where it can (no pass through
    this process's memory), else block by block."""
    target.flush()
    done, length = 0, end - start
    try:
        while done < length:
            n = os.copy_file_range(source.fileno(), target.fileno(), length - done, start + done)
            if n <= 0:
                break
            done += n
    except (AttributeError, io.UnsupportedOperation):  # not Linux, or not real files
        pass
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF):
            raise  # a full or failing disk is the machine's fault, reported as such
    source.seek(start + done)
    while done < length:
        block = source.read(min(length - done, 1 << 20))
        if not block:
            raise OSError(errno.EIO, "the last volume ended early")
        target.write(block)
        done += len(block)

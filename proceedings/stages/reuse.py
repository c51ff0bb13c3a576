"""Binding again after a small change: the parts that bind would write exactly as last time are copied from
the last volume instead of being renumbered again.

A part's bytes in the volume are a function of its own bytes and of where it lands (its object numbers, the
page objects its links point to, the stamp objects it shares): :func:`context` digests all of that. When the
last volume holds a part of the same context, untouched since (its size and time as recorded, the CRC-32 of
its range as written), its range and its objects' offsets are taken from there, and the volume comes out
byte for byte as a binding from scratch would make it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import zlib
from pathlib import Path
from typing import BinaryIO

from proceedings.util.cache import file_fingerprint

log = logging.getLogger(__name__)

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_XREF_HEAD = re.compile(rb"xref\r?\n0 (\d+)\r?\n")


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
            handle.seek(0, 2)
            end = handle.tell()
            handle.seek(max(0, end - 64))
            tail = _STARTXREF.search(handle.read())
            handle.seek(int(tail.group(1)) if tail else 0)
            head = _XREF_HEAD.match(handle.read(64))
            if tail and head:
                return cls(handle, record["parts"], int(tail.group(1)) + head.end(), int(head.group(1)))
        except (OSError, ValueError):
            pass
        handle.close()
        return None

    def take(self, key: str, first: int, last: int) -> tuple[bytes, int, list[tuple[int, int]]] | None:
        """The bytes a part of context ``key`` was written as, their CRC-32, and (object number, offset in those
        bytes) of each of its objects (numbered ``first`` to ``last``); None when there is none or it is not
        intact."""
        where = self.parts.get(key)
        if not (isinstance(where, list) and len(where) == 3) or last >= self.size:
            return None
        start, end, crc = where
        try:
            self.handle.seek(start)
            data = self.handle.read(end - start)
            if len(data) != end - start or zlib.crc32(data) != crc:
                log.debug("the last volume's range %d–%d changed: the part is bound again", start, end)
                return None
            self.handle.seek(self.table + 20 * first)
            table = self.handle.read(20 * (last - first + 1))
        except (OSError, ValueError):
            return None
        objects = []
        for k in range(last - first + 1):
            entry = table[20 * k:20 * k + 20]
            if entry[17:18] == b"n" and start <= (offset := int(entry[:10])) < end:
                objects.append((first + k, offset - start))
        return data, crc, objects

    def close(self) -> None:
        self.handle.close()

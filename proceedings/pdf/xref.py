"""The classic cross-reference table bind writes (fixed 20-byte entries), found from the end of the file.

Shared by the volume reader (verify) and the reuse of the last volume (bind); it needs no PDF library.
"""

from __future__ import annotations

import re
from typing import BinaryIO

STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
"""The end of a file: where its cross-reference section starts (bind reads the parts' with it too)."""
_XREF_HEAD = re.compile(rb"xref\r?\n0 (\d+)\r?\n")
ENTRY = 20
"""Bytes per entry: ``oooooooooo ggggg n\\r\\n``."""


def locate(handle: BinaryIO) -> tuple[int, int] | None:
    """(where entry 0 starts, how many entries) of the file's one cross-reference table; None when the file
    does not end with ``startxref`` pointing at a classic table."""
    handle.seek(0, 2)
    end = handle.tell()
    handle.seek(max(0, end - 256))
    tail = STARTXREF.search(handle.read())
    if not tail:
        return None
    handle.seek(int(tail.group(1)))
    head = _XREF_HEAD.match(handle.read(64))
    return (int(tail.group(1)) + head.end(), int(head.group(1))) if head else None


def in_use(entry: bytes) -> int | None:
    """The offset an entry gives, or None for a free (or short) entry."""
    return int(entry[:10]) if entry[17:18] == b"n" else None

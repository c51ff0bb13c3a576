"""A reader for the volume this tool binds, that holds one object at a time, whatever the volume's size.

``bind`` writes a classic cross-reference table of fixed 20-byte entries, so object N's offset is
read from the file itself (``table + 20 × N``) when it is needed: nothing is indexed up front and
nothing read is kept. Objects are parsed by pypdf's own parser; references in them resolve
through this reader, lazily. (``PdfReader`` would build the whole table and every page in memory:
over 100 MB for a 2,000-paper volume.)
"""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any, BinaryIO

from pypdf.generic import IndirectObject, read_object

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_XREF_HEAD = re.compile(rb"xref\r?\n0 (\d+)\r?\n")
_OBJ_HEAD = re.compile(rb"\s*(\d+) (\d+) obj\s")


class VolumeFormatError(ValueError):
    """The file is not laid out as ``bind`` writes volumes."""


class VolumeReader:
    """Objects of a bound volume, read from its open file on demand."""

    strict = False
    xref: dict = {}

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        handle.seek(0, 2)
        end = handle.tell()
        handle.seek(max(0, end - 256))
        tail = _STARTXREF.search(handle.read())
        if not tail:
            raise VolumeFormatError("no startxref at the end")
        handle.seek(int(tail.group(1)))
        head = _XREF_HEAD.match(handle.read(64))
        if not head:
            raise VolumeFormatError("no classic cross-reference table")
        self.size = int(head.group(1))
        self.table = int(tail.group(1)) + head.end()
        handle.seek(self.table + 20 * self.size)
        rest = handle.read(4096)
        at = rest.find(b"trailer")
        if at < 0:
            raise VolumeFormatError("no trailer")
        self.trailer = read_object(BytesIO(rest[at + 7:].lstrip()), self)

    def offset(self, num: int) -> int:
        """Where object ``num`` starts (its cross-reference entry, read from the file)."""
        if not 0 < num < self.size:
            raise VolumeFormatError(f"object {num} is outside the table (size {self.size})")
        self.handle.seek(self.table + 20 * num)
        entry = self.handle.read(20)
        if entry[17:18] != b"n":
            raise VolumeFormatError(f"object {num} is free")
        return int(entry[:10])

    def get_object(self, ref: IndirectObject | int) -> Any:
        """Object ``ref``, parsed (its references left as lazy IndirectObjects of this reader)."""
        num = ref if isinstance(ref, int) else ref.idnum
        start = self.offset(num)
        self.handle.seek(start)
        head = _OBJ_HEAD.match(self.handle.read(40))
        if not head or int(head.group(1)) != num:
            raise VolumeFormatError(f"object {num} is not at offset {start}")
        self.handle.seek(start + head.end())
        return read_object(self.handle, self)

    def resolve(self, value: Any) -> Any:
        return value.get_object() if isinstance(value, IndirectObject) else value

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
_WINDOW = 1 << 20
"""Objects up to this size are read in one piece (larger streams are read from the file as they are parsed)."""


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
        return self._extent(num)[0]

    def _extent(self, num: int) -> tuple[int, int | None]:
        """Where object ``num`` starts, and where the object after it in number starts when that is later in the
        file: objects do not overlap, so object ``num`` then ends before it."""
        if not 0 < num < self.size:
            raise VolumeFormatError(f"object {num} is outside the table (size {self.size})")
        self.handle.seek(self.table + 20 * num)
        entries = self.handle.read(40 if num + 1 < self.size else 20)
        if entries[17:18] != b"n":
            raise VolumeFormatError(f"object {num} is free")
        start = int(entries[:10])
        after = int(entries[20:30]) if entries[37:38] == b"n" else None
        return start, after if after is not None and after > start else None

    def raw(self, num: int) -> bytes | None:
        """Object ``num``'s bytes as written (``N 0 obj`` to the next object), or None when its end is unknown or
        it is larger than a window: for a quick look without parsing."""
        start, end = self._extent(num)
        if end is None or end - start > _WINDOW:
            return None
        self.handle.seek(start)
        data = self.handle.read(end - start)
        head = _OBJ_HEAD.match(data)
        return data if head and int(head.group(1)) == num else None

    def get_object(self, ref: IndirectObject | int) -> Any:
        """Object ``ref``, parsed (its references left as lazy IndirectObjects of this reader)."""
        num = ref if isinstance(ref, int) else ref.idnum
        start, end = self._extent(num)
        self.handle.seek(start)
        if end is not None and end - start <= _WINDOW:  # bind writes objects in number order: nearly always
            data = self.handle.read(end - start)  # one read, parsed from memory (pypdf reads a byte at a time)
            head = _OBJ_HEAD.match(data)
            source: BinaryIO = BytesIO(data)
        else:
            head = _OBJ_HEAD.match(self.handle.read(40))
            source = self.handle
        if not head or int(head.group(1)) != num:
            raise VolumeFormatError(f"object {num} is not at offset {start}")
        source.seek(start + head.end() if source is self.handle else head.end())
        return read_object(source, self)

    def resolve(self, value: Any) -> Any:
        return value.get_object() if isinstance(value, IndirectObject) else value

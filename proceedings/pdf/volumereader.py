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

from proceedings.pdf import xref

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
        found = xref.locate(handle)
        if found is None:
            raise VolumeFormatError("no startxref at the end, or no classic cross-reference table there")
        self.table, self.size = found
        handle.seek(self.table + xref.ENTRY * self.size)
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
        self.handle.seek(self.table + xref.ENTRY * num)
        entries = self.handle.read(2 * xref.ENTRY if num + 1 < self.size else xref.ENTRY)
        start = xref.in_use(entries)
        if start is None:
            raise VolumeFormatError(f"object {num} is free")
        after = xref.in_use(entries[xref.ENTRY:])
        return start, after if after is not None and after > start else None

    def raw(self, num: int) -> bytes | None:
        """Object ``num``'s bytes as written (``N 0 obj`` to the next object), or None when its end is unknown or
        it is larger than a window (bind writes objects in number order, so nearly always known)."""
        start, end = self._extent(num)
        if end is None or end - start > _WINDOW:
            return None
        self.handle.seek(start)
        data = self.handle.read(end - start)
        self._head(num, start, data)
        return data

    def get_object(self, ref: IndirectObject | int) -> Any:
        """Object ``ref``, parsed (its references left as lazy IndirectObjects of this reader)."""
        num = ref if isinstance(ref, int) else ref.idnum
        data = self.raw(num)
        if data is not None:  # parsed from memory (pypdf reads a file a byte at a time)
            source: BinaryIO = BytesIO(data)
            source.seek(_OBJ_HEAD.match(data).end())
        else:  # a large stream: read from the file as it is parsed
            start = self.offset(num)
            self.handle.seek(start)
            head = self._head(num, start, self.handle.read(40))
            source = self.handle
            source.seek(start + head.end())
        return read_object(source, self)

    @staticmethod
    def _head(num: int, start: int, data: bytes) -> re.Match:
        head = _OBJ_HEAD.match(data)
        if not head or int(head.group(1)) != num:
            raise VolumeFormatError(f"object {num} is not at offset {start}")
        return head

    def resolve(self, value: Any) -> Any:
        return value.get_object() if isinstance(value, IndirectObject) else value

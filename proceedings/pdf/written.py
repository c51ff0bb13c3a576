"""Objects of a part this tool has just written, read from its bytes without a PDF library.

A part is written by qpdf (see :mod:`proceedings.stages.parts`): a classic cross-reference table, no object streams,
dictionary keys in order, literal strings with every parenthesis escaped, no comments. So an object is found by
its entry in the table and read with a handful of regular expressions: a dictionary as a ``dict`` of names
(``"/Type"``) to values, an array as a ``list``, a reference as a :class:`Ref`, a stream as its dictionary;
numbers, strings and the like only as their bytes (what is looked for here is where references lead).
"""

from __future__ import annotations

import io
import re
from typing import Any

from proceedings.pdf import xref

_TOKEN = re.compile(rb"""\s*(?:
    (?P<ref>\d+)\s+\d+\s+R(?![^\s/\[\]<>()%{}])
  | (?P<open><<) | (?P<close>>>) | (?P<array>\[) | (?P<end>\])
  | (?P<name>/[^\s/\[\]<>()%{}]*)
  | (?P<string>\((?:[^\\)]|\\.)*\) | <[0-9A-Fa-f\s]*>)
  | (?P<word>[^\s/\[\]<>()%{}]+)
)""", re.X | re.S)
_NUMBERS = re.compile(rb"(?:\s*[-+]?(?:\d+\.?\d*|\.\d+)(?=[\s\]]))+(?=\s*\])")
"""Numbers up to the end of an array (so none of them is part of a reference)."""
_HEADER = re.compile(rb"\s*\d+\s+\d+\s+obj\b")
_REFERENCES = re.compile(rb"\((?:[^\\)]|\\.)*\)|(?<![^\s\[<])(?P<ref>\d+) \d+ R(?![^\s/\[\]<>()%{}])"
                         rb"|(?<![^\s>\]])(?P<end>stream|endobj)(?![^\s%])", re.S)
"""A literal string (passed over), a reference, or where an object's dictionary or array ends."""
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_MAX_DEPTH = 64


class Ref(int):
    """A reference to an object: its number."""


def _name(raw: bytes) -> str:
    return (_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw) if b"#" in raw else raw).decode("latin-1")


def _value(data: bytes, pos: int) -> Any:
    """The value that starts at ``pos``."""
    token = _TOKEN.match(data, pos)
    if token is None:
        raise ValueError(f"no PDF value at byte {pos}")
    return _parsed(data, token, 0)[0]


def _parsed(data: bytes, token: re.Match[bytes], depth: int) -> tuple[Any, int]:
    """The value ``token`` starts, and where it ends."""
    kind, end = token.lastgroup, token.end()
    if depth > _MAX_DEPTH:
        raise ValueError(f"values nested too deep at byte {end}")
    if kind == "ref":
        return Ref(token.group("ref")), end
    if kind == "name":
        return _name(token.group("name")), end
    if kind in ("string", "word"):
        return token.group(kind), end
    if kind == "open":
        found: dict[str, Any] = {}
        while (key := _TOKEN.match(data, end)) is not None and key.lastgroup == "name":
            value = _TOKEN.match(data, key.end())
            if value is None:
                break
            found[_name(key.group("name"))], end = _parsed(data, value, depth + 1)
        if key is None or key.lastgroup != "close":
            raise ValueError(f"a dictionary is not closed at byte {end}")
        return found, key.end()
    if kind == "array":
        numbers = _NUMBERS.match(data, end)  # an array of numbers alone (a font's widths), read at once
        items: list[Any] = numbers.group().split() if numbers else []
        end = numbers.end() if numbers else end
        while (item := _TOKEN.match(data, end)) is not None and item.lastgroup != "end":
            value, end = _parsed(data, item, depth + 1)
            items.append(value)
        if item is None:
            raise ValueError(f"an array is not closed at byte {end}")
        return items, item.end()
    raise ValueError(f"unexpected {token.group().strip()!r} at byte {token.start()}")


class WrittenPart:
    """A part's objects, each read when asked for."""

    def __init__(self, data: bytes) -> None:
        located = xref.locate(io.BytesIO(data))
        if located is None:
            raise ValueError("the part has no classic cross-reference table")
        self.data = data
        self._table, self._count = located
        self._read: dict[int, Any] = {}

    def trailer(self) -> dict[str, Any]:
        """The trailer's dictionary."""
        at = self.data.rfind(b"trailer", self._table + xref.ENTRY * self._count)
        if at < 0:
            raise ValueError("the part has no trailer")
        return _value(self.data, at + len(b"trailer"))

    def get(self, number: int) -> Any:
        """Object ``number`` (a stream: its dictionary); None when the table has no such object. Read once (what is
        returned is not to be changed)."""
        if number in self._read:
            return self._read[number]
        if not 0 < number < self._count:
            return None
        offset = self.offset(number)
        header = _HEADER.match(self.data, offset) if offset is not None else None
        found = self._read[number] = _value(self.data, header.end()) if header else None
        return found

    def offset(self, number: int) -> int | None:
        """Where object ``number`` starts, as the table says; None when it is free (or out of the table)."""
        if not 0 < number < self._count:
            return None
        at = self._table + xref.ENTRY * number
        return xref.in_use(self.data[at:at + xref.ENTRY])

    def references(self, number: int) -> list[Ref]:
        """The references object ``number`` holds (a stream: its dictionary), in the order written: depth first,
        keys in order, as qpdf writes them (empty when the table has no such object)."""
        offset = self.offset(number)
        header = _HEADER.match(self.data, offset) if offset is not None else None
        found: list[Ref] = []
        for match in _REFERENCES.finditer(self.data, header.end() if header else len(self.data)):
            if match.group("end"):
                break
            if match.group("ref"):
                found.append(Ref(match.group("ref")))
        return found

    def resolve(self, value: Any) -> Any:
        """``value``, or the object it refers to."""
        return self.get(value) if isinstance(value, Ref) else value

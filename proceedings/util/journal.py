"""Records of a build kept in one append-only file under ``.cache/``: one line each, the last line of a key wins.

A build records something for every paper it checks and stamps. One file for all of them, where there was a file
each, spares the file system a new file per record: thousands in a large build, and on ext4 without a journal
each new file made soon after a build folder was deleted is found only after a scan past every inode that
deletion freed, which grows with the number of files made and deleted.

Each value is sealed (:func:`~proceedings.util.cache.seal`): a line damaged on disk is skipped with a warning, and
what it recorded is made again. A line cut short by a build that stopped while writing it is skipped too: the next
append closes it with :data:`CUT` (never read as a record, damaged or empty: the key's earlier record stays in force)
and starts a line of its own. When most lines are outdated, :meth:`Journal.tidy` writes the file again
(atomically) with the records still wanted.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from proceedings.util.atomic import write_bytes
from proceedings.util.cache import seal, unseal

log = logging.getLogger(__name__)

SLACK = 64
"""Outdated lines a journal may hold beyond its live records before :meth:`Journal.tidy` rewrites it."""

CUT = b"\0"
"""Ends a line cut short, written before the next record is appended: no whole line holds it (JSON escapes control
characters), so the line is skipped. (Appended, not cut off: the file only grows, which is how another
:class:`Journal` of it sees that it changed.)"""


class Journal:
    """Sealed JSON records by key, appended to one file; read back from it whenever it has grown or been replaced
    (another :class:`Journal` of the same file, in this process, appended or tidied it)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lines: dict[str, str] = {}
        """Key -> its latest value as written (JSON text, checked when read)."""
        self._read: tuple[int, int, int, int] = (-1, 0, 0, 0)
        """(inode, offset, size, time): the file read up to the end of its last whole line, when it had that size
        and modification time."""
        self._count = 0
        """Lines read, outdated and damaged ones included."""
        self._torn = False
        """Whether the file ends in part of a line (an append must start a line of its own)."""

    def get(self, key: str) -> dict[str, Any] | None:
        """The record of ``key`` (a new object each time); None when there is none, or it is damaged (logged)."""
        self._sync()
        text = self._lines.get(key)
        if text is None:
            return None
        name = f"{self.path.name}[{key}]"
        try:
            return unseal(json.loads(text), name)
        except ValueError:
            log.warning("cache entry %s is damaged (not JSON); discarded and rebuilt", name)
            return None

    def put(self, key: str, value: dict[str, Any]) -> None:
        """Record ``value`` under ``key`` (OSError when the file cannot be written)."""
        self._append(key, json.dumps(seal(value), ensure_ascii=False, separators=(",", ":")))

    def drop(self, key: str) -> None:
        """Forget ``key``'s record."""
        self._sync()
        if key in self._lines:
            self._append(key, "")

    def keys(self) -> set[str]:
        """The keys that have a record (a damaged one among them, which :meth:`get` refuses)."""
        self._sync()
        return set(self._lines)

    def tidy(self, keep: Iterable[str]) -> None:
        """Write the file again with only ``keep``'s records, when most of its lines are outdated (an unwritable
        file is left as it is: it is only read the slower)."""
        self._sync()
        kept = {key: self._lines[key] for key in sorted(set(keep)) if key in self._lines}
        if self._count - len(kept) <= max(SLACK, len(kept)):
            return
        try:
            write_bytes(self.path, b"".join(_line(key, text) for key, text in kept.items()))
        except OSError as exc:
            log.debug("%s not tidied: %s", self.path, exc)
            return
        self._reset()
        self._sync()

    def _append(self, key: str, text: str) -> None:
        self._sync()
        line = _line(key, text)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as handle:
            handle.write(CUT + b"\n" + line if self._torn else line)
        self._sync()

    def _reset(self) -> None:
        self._lines, self._read, self._count, self._torn = {}, (-1, 0, 0, 0), 0, False

    def _sync(self) -> None:
        """Read what was appended since the last read; everything again when the file was replaced or shortened."""
        try:
            st = os.stat(self.path)
        except OSError:
            self._reset()
            return
        inode, offset, size, mtime = self._read
        if (st.st_ino, st.st_size, st.st_mtime_ns) == (inode, size, mtime):
            return
        if st.st_ino != inode or st.st_size <= size:  # replaced, shortened or edited in place
            self._reset()
            offset = 0
        try:
            with self.path.open("rb") as handle:
                handle.seek(offset)
                data = handle.read()
        except OSError as exc:
            log.debug("%s unreadable: %s", self.path, exc)
            self._reset()
            return
        whole = data.rfind(b"\n") + 1
        for raw in data[:whole].splitlines():
            self._count += 1
            self._take(raw)
        self._torn = whole < len(data)
        self._read = (st.st_ino, offset + whole, offset + len(data), st.st_mtime_ns)

    def _take(self, raw: bytes) -> None:
        """One line: ``key`` (as JSON), a tab, the value (nothing: the key forgotten); others are skipped, a line cut
        short (ended with :data:`CUT`) among them."""
        if raw.endswith(CUT):
            return
        head, tab, text = raw.partition(b"\t")
        try:
            key = json.loads(head)
            value = text.decode("utf-8")
        except ValueError:
            return
        if not tab or not isinstance(key, str):
            return
        if value:
            self._lines[key] = value
        else:
            self._lines.pop(key, None)


def _line(key: str, text: str) -> bytes:
    return json.dumps(key, ensure_ascii=True).encode("ascii") + b"\t" + text.encode("utf-8") + b"\n"

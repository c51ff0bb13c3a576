"""Binding: the volume assembled from its stamped parts by copying their objects byte for byte.

Every part (front matter, each paper, the author index) is a PDF this tool wrote itself with
pypdf: a classic cross-reference table, one flat page tree, literal strings with every delimiter
escaped. So the parts can be bound without parsing their content: objects are copied as bytes,
their references renumbered, the pages hung under one page tree, and a new catalog, outline,
page labels and document information written. Stream data is never decoded or re-encoded.

A part may also contain placeholder objects ``<< /ProcTarget (paper-id) >>``: references to them
become references to that paper's first page (this is how the contents links are made).
"""

from __future__ import annotations

import hashlib
import logging
import re
from array import array
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from proceedings.errors import BindError, DamagedPart
from proceedings.pdf.xref import STARTXREF
from proceedings.stages import reuse
from proceedings.util.atomic import atomic_open
from proceedings.util.cache import crc32_hex
from proceedings.util.fastzlib import zlib

log = logging.getLogger(__name__)

TARGET_KEY = b"/ProcTarget"

_WORD = frozenset(re.findall(rb"\w", bytes(range(256))))  # the bytes ``\b`` counts as word characters
_STRING = re.compile(rb"(\((?>(?:[^\\)]++|\\.)*)\))", re.S)  # a group repeated atomically: see pdf.streams
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_XREF_TABLE = re.compile(rb"xref\n0 \d+\n((?:\d{10} \d{5} [nf] \n)*)trailer")
_TRAILER = re.compile(rb"trailer\s*(<<.*?>>)\s*startxref", re.S)
_KEY_REF = {key: re.compile(rb"/" + key + rb"\s+(\d+) 0 R") for key in (b"Root", b"Info", b"Pages", b"Parent")}
_KIDS = re.compile(rb"/Kids\s*\[([^\]]*)\]")
_TARGET = re.compile(rb"/ProcTarget\s*(?:\(((?:[^\\)]|\\.)*)\)|<([0-9A-Fa-f\s]*)>)")
_HEADER = re.compile(rb"%PDF-(\d\.\d)")
_XMP = re.compile(rb"/Metadata\s+(\d+) 0 R")


@dataclass
class Part:
    """One stamped PDF to bind, as laid out on disk."""

    path: Path
    offsets: dict[int, tuple[int, int]] = field(default_factory=dict)
    """Object number → (start, end) byte range of ``N 0 obj … endobj``; empty between indexing and
    writing (:func:`bind` reads it again from the part's cross-reference table as it copies the part),
    so binding holds one part's table at a time, whatever the number of parts."""
    last: int = 0
    """The part's highest object number."""
    pages: list[int] = field(default_factory=list)
    """Object numbers of the pages, in order."""
    skip: set[int] = field(default_factory=set)
    """Objects not copied: the part's catalog, page tree root, document information."""
    targets: dict[int, str] = field(default_factory=dict)
    """Placeholder object number → paper id."""
    version: str = "1.3"
    shared: tuple[int, ...] | None = None
    """Object numbers of the stamp's shared objects (font, footer), in one order in every part
    (:func:`proceedings.pdf.stamp.shared_numbers`): written once, from the first part that has them."""
    base: int = 0
    """Added to every object number of this part in the volume."""

    def layout(self) -> dict:
        """What :func:`read_part` learns of the part, as JSON (kept with a cached part: binding reads it once)."""
        return {"last": self.last, "pages": self.pages, "skip": sorted(self.skip),
                "targets": {str(k): v for k, v in self.targets.items()}, "version": self.version}

    @classmethod
    def from_layout(cls, path: Path, shared: tuple[int, ...] | None, layout: dict) -> Part:
        """The part :func:`read_part` would give (its byte ranges left to :func:`bind`), from :meth:`layout`."""
        return cls(path=path, last=int(layout["last"]), pages=[int(n) for n in layout["pages"]],
                   skip={int(n) for n in layout["skip"]}, targets={int(k): v for k, v in layout["targets"].items()},
                   version=str(layout["version"]), shared=shared)


def _unescape(raw: bytes) -> str:
    """A literal string's text (its escapes undone)."""
    out = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8) & 0xFF]), raw)
    return _decoded(re.sub(rb"\\(.)", rb"\1", out, flags=re.S))


def _decoded(data: bytes) -> str:
    """A placeholder's paper id from its string's bytes: UTF-8, as :mod:`proceedings.stages.parts` writes it
    (a text string's PDFDocEncoding differs from Latin-1 in 0x80–0xA0: an id with a dash or a euro sign would
    not come back)."""
    return data.decode("utf-8", errors="replace")


def _index(data: bytes, path: Path) -> tuple[dict[int, tuple[int, int]], int]:
    """Object number → byte range, from the part's classic cross-reference table; and where the table is."""
    tail = STARTXREF.search(data[-64:])
    if not tail:
        raise BindError(f"{path}: no startxref")
    xref_at = int(tail.group(1))
    if not data.startswith(b"xref", xref_at):
        raise BindError(f"{path}: no classic cross-reference table")
    table = _XREF_TABLE.match(data, xref_at)
    if table:  # as qpdf writes it: one section from 0, an entry a line; numbered by their places
        fields = table.group(1).split()
        starts = [(int(at), number) for number, (at, kind) in enumerate(zip(fields[0::3], fields[2::3]))
                  if kind == b"n" and number]
    else:
        starts, number = [], 0  # any other layout: line by line
        for line in data[xref_at:].split(b"\n")[1:]:
            line = line.strip()
            if not line or line.startswith(b"trailer"):
                break
            entry = _XREF_ENTRY.match(line)
            if entry:
                if entry.group(3) == b"n" and number:
                    starts.append((int(entry.group(1)), number))
                number += 1
            else:
                first, _count = line.split()
                number = int(first)
    starts.sort()
    begins = [start for start, _num in starts]
    return dict(zip([num for _start, num in starts], zip(begins, begins[1:] + [xref_at]))), xref_at


def read_part(path: Path, shared: tuple[int, ...] | None = None, *, keep_offsets: bool = True,
              data: bytes | None = None) -> Part:
    """Index a part: its objects' byte ranges, pages, and placeholders (the ranges dropped unless kept).
    ``data``: the part's bytes, when the caller has read them already."""
    data = path.read_bytes() if data is None else data
    part = Part(path=path, shared=shared)
    header = _HEADER.match(data)
    part.version = header.group(1).decode() if header else "1.3"
    part.offsets, xref_at = _index(data, path)
    part.last = max(part.offsets, default=0)
    trailer = _TRAILER.search(data, xref_at)
    if not trailer:
        raise BindError(f"{path}: no trailer")
    root = int(_KEY_REF[b"Root"].search(trailer.group(1)).group(1))
    info = _KEY_REF[b"Info"].search(trailer.group(1))
    pages_root = int(_KEY_REF[b"Pages"].search(_body(data, part, root)).group(1))
    kids = _KIDS.search(_body(data, part, pages_root))
    part.pages = [int(n) for n in re.findall(rb"(\d+) 0 R", kids.group(1))]
    part.skip = {root, pages_root} | ({int(info.group(1))} if info else set())
    xmp = _XMP.search(_body(data, part, root))
    if xmp:  # the part's own XMP, referenced by its catalog only: the volume has its own (bind's ``xmp``)
        part.skip.add(int(xmp.group(1)))
    for num, (start, end) in part.offsets.items():
        if data.find(TARGET_KEY, start, min(start + 200, end)) >= 0:  # no copy of the object's bytes
            target = _TARGET.search(data, start, end)
            if target:
                part.targets[num] = _unescape(target.group(1)) if target.group(1) is not None \
                    else _decoded(bytes.fromhex(re.sub(rb"\s", b"", target.group(2)).decode()))
                part.skip.add(num)
    if not keep_offsets:
        part.offsets = {}
    return part


def _body(data: bytes, part: Part, num: int) -> bytes:
    start, end = part.offsets[num]
    chunk = data[start:end]
    return chunk[chunk.index(b"obj") + 3:]


def pdf_text(text: str) -> bytes:
    """A PDF text string: UTF-16BE with byte-order mark, as hex."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


@dataclass(frozen=True)
class Written:
    """Where one part's objects went in the volume: bytes ``start`` to ``end``, and their CRC-32 as written."""

    start: int
    end: int
    crc32: int
    context: str = ""
    """What the bytes depend on (:func:`proceedings.stages.reuse.context`); empty when the part had no identity."""
    reused: bool = False
    """Copied from the last volume."""


@dataclass
class OutlineItem:
    """A bookmark: title, target (part index, page index in part), children."""

    title: str
    part: int
    page: int
    children: list[OutlineItem] = field(default_factory=list)


class _Out:
    """Writes objects and remembers their offsets."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.offsets = array("q")
        """Object number → byte offset (-1: not written); 8 bytes an object, however many."""
        self.pos = 0

    def write(self, data: bytes) -> None:
        self.stream.write(data)
        self.pos += len(data)

    def at(self, num: int, pos: int) -> None:
        """Object ``num`` starts at byte ``pos``."""
        if num >= len(self.offsets):
            self.offsets.extend([-1] * (num + 1 - len(self.offsets)))
        self.offsets[num] = pos

    def obj(self, num: int, body: bytes) -> None:
        self.at(num, self.pos)
        self.write(b"%d 0 obj\n" % num + body + b"\nendobj\n")


class _Renumber(dict):
    """A part's references as written in the volume, by their object number's digits (each made once a part);
    :meth:`sub` renumbers them: ``N 0 R`` outside literal strings, not followed by a word character."""

    def __init__(self, absolute: dict[int, int], shift: int) -> None:
        super().__init__()
        self.absolute, self.shift = absolute, shift

    def __missing__(self, digits: bytes) -> bytes:
        n = int(digits)
        self[digits] = ref = b"%d 0 R" % self.absolute.get(n, n + self.shift)
        return ref

    def sub(self, text: bytes) -> bytes:
        """``text`` with its references (outside literal strings) renumbered."""
        if b"(" not in text:
            return self._refs(text)
        pieces = _STRING.split(text)  # what is outside the literal strings, and the strings as they are
        pieces[0::2] = map(self._refs, pieces[0::2])
        return b"".join(pieces)

    def _refs(self, text: bytes) -> bytes:
        """``text`` (no literal string in it) with its references renumbered."""
        if b" 0 R" not in text:
            return text
        pieces = []  # split at " 0 R" (found at C speed, where the pattern is tried at every byte): a reference
        chunks = text.split(b" 0 R")  # is the digits before one, if a non-word byte follows
        prev = chunks[0]
        for chunk in chunks[1:]:
            head = prev.rstrip(b"0123456789")
            if len(head) < len(prev) and chunk[:1] not in _WORD:
                pieces += (head, self[prev[len(head):]])
                prev = chunk
            else:
                prev += b" 0 R" + chunk
        pieces.append(prev)
        return b"".join(pieces)


def _copy_part(out: _Out, data: bytes, offsets: dict[int, tuple[int, int]], skip: set[int], page_set: set[int],
               shift: int, renumber: _Renumber, parent: bytes) -> int:
    """Copy a part's objects: references renumbered in their dictionaries, stream data as it is; return the
    CRC-32 of the bytes written.

    Stream data is passed on as views of the part's bytes and written in one call per part, so
    the data is copied once, from the part to the volume; the objects' other bytes between two streams are
    joined into one piece.
    """
    view = memoryview(data)
    pieces: list = []
    small: list[bytes] = []  # the bytes since the last stream data
    pos = out.pos
    numbers = [num for num in sorted(offsets) if num not in skip]
    if numbers:
        out.at(numbers[-1] + shift, pos)  # the table as long as the part needs: its entries set in place below
    table = out.offsets
    for num in numbers:
        start, end = offsets[num]
        head = data.index(b"obj", start, end) + 3
        body_end = data.rindex(b"endobj", start, end)
        split = data.find(b"\nstream\n", head, body_end)
        dict_part = data[head:body_end if split < 0 else split]
        if b" 0 R" in dict_part:  # most objects (widths, images, font files) refer to nothing: not scanned
            dict_part = renumber.sub(dict_part)
        if num in page_set:
            dict_part = _KEY_REF[b"Parent"].sub(parent, dict_part, count=1)
        table[num + shift] = pos
        if split < 0:
            piece = b"%d 0 obj\n%s\nendobj\n" % (num + shift, dict_part.strip(b"\n"))
            small.append(piece)
            pos += len(piece)
            continue
        piece = b"%d 0 obj\n%s" % (num + shift, dict_part.strip(b"\n"))
        small.append(piece)
        pieces.append(b"".join(small))
        small = [b"\nendobj\n"]
        stop = body_end
        while stop > split and data[stop - 1] == 0x0A:  # rstrip(b"\n")
            stop -= 1
        pieces.append(view[split:stop])
        pos += len(piece) + stop - split + 8
    pieces.append(b"".join(small))
    out.stream.writelines(pieces)
    out.pos = pos
    crc = 0
    for piece in pieces:
        crc = zlib.crc32(piece, crc)
    return crc


SLOT = 256
"""Parts get their object numbers in whole slots of this many: a part that gains or loses a few objects (a
corrected paper) moves no later part, so their bytes, and the last volume's copy of them, stay as they were.
The numbers left over are free entries of the cross-reference table (20 bytes each)."""


def _slot(count: int) -> int:
    """The object numbers a part of ``count`` objects takes: ``count`` rounded up to whole :data:`SLOT`s."""
    return -(-count // SLOT) * SLOT


def bind(parts: list[Part], *, paper_first: dict[str, tuple[int, int]], outline: list[OutlineItem],
         labels: list[tuple[int, bytes]], info: dict[str, str], file_id: bytes, out_path: Path,
         check: Callable[[Path, list[Written]], None] | None = None, xmp: bytes | None = None,
         identities: list[str | None] | None = None, previous: reuse.PreviousVolume | None = None,
         opener: Callable[[Path], AbstractContextManager[BinaryIO]] = atomic_open) -> list[Written]:
    """Write the volume to ``out_path`` (atomically, after ``check`` of the written file and of where each part
    went; ``opener``: how the file for it is opened, by default put in place once written and checked); return
    where each part went.

    ``paper_first`` maps a paper id to (part index, page index) of its first page;
    ``labels`` are (page index, label dictionary bytes) pairs of the page-label number tree;
    ``xmp``, an XMP packet, becomes the catalog's ``/Metadata`` stream.
    ``identities`` (each part file's checksum) and ``previous`` (the last volume): parts that would be written
    exactly as last time are copied from there (see :mod:`proceedings.stages.reuse`).
    """
    pages_ref, catalog, info_ref, labels_ref, outline_root = 1, 2, 3, 4, 5  # the same in every volume: the
    base = outline_root  # parts' bytes (their pages' /Parent) do not depend on the other parts' sizes
    for part in parts:
        part.base = base
        base += _slot(part.last or max(part.offsets, default=0))
    next_free = base + 1

    def page_ref(part_index: int, page_index: int) -> int:
        part = parts[part_index]
        return part.pages[page_index] + part.base

    all_pages = [page + part.base for part in parts for page in part.pages]
    version = max((p.version for p in parts), default="1.4")
    canonical = next((p for p in parts if p.shared), None)
    written: list[Written] = []
    with opener(out_path) as handle:
        out = _Out(handle)
        out.write(b"%PDF-" + version.encode() + b"\n%\xe2\xe3\xcf\xd3\n")
        for index, part in enumerate(parts):
            absolute = {num: page_ref(*paper_first[pid]) for num, pid in part.targets.items() if pid in paper_first}
            skip = set(part.skip)
            if canonical is not None and part is not canonical and part.shared \
                    and len(part.shared) == len(canonical.shared):
                for own, first in zip(part.shared, canonical.shared):
                    absolute[own] = first + canonical.base
                    skip.add(own)
            page_set = set(part.pages)
            shift = part.base

            identity = identities[index] if identities else None
            key = reuse.context(identity, shift, absolute, skip) if identity else ""
            start = out.pos
            taken = previous.take(key, shift + 1, shift + part.last) if previous and key and part.last else None
            if taken is not None:
                begin, end, crc, objects = taken
                for num, offset in objects:
                    out.at(num, start + offset)
                reuse.copy_range(previous.handle, begin, end, out.stream)
                out.pos += end - begin
            else:
                data = part.path.read_bytes()
                if identity and crc32_hex(data) != identity:  # the cached part changed since it was stamped
                    raise DamagedPart(part.path)
                crc = _copy_part(out, data, part.offsets or _index(data, part.path)[0], skip, page_set, shift,
                                 _Renumber(absolute, shift), b"/Parent %d 0 R" % pages_ref)
            written.append(Written(start, out.pos, crc, key, taken is not None))
        kids = b" ".join(b"%d 0 R" % n for n in all_pages)
        out.obj(pages_ref, b"<< /Type /Pages /Count %d /Kids [ %s ] >>" % (len(all_pages), kids))
        nums = b" ".join(b"%d %s" % (index, label) for index, label in labels)
        out.obj(labels_ref, b"<< /Nums [ %s ] >>" % nums)
        next_free = _write_outline(out, outline, outline_root, next_free, page_ref)
        metadata = b""
        if xmp is not None:
            out.obj(next_free, b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n%s\nendstream"
                    % (len(xmp), xmp))
            metadata = b" /Metadata %d 0 R" % next_free
        fields = b" ".join(b"/%s %s" % (k.encode(), pdf_text(v) if not v.startswith("D:") else b"(" + v.encode() + b")")
                           for k, v in info.items())
        out.obj(info_ref, b"<< " + fields + b" >>")
        out.obj(catalog, b"<< /Type /Catalog /Pages %d 0 R /PageLabels %d 0 R /Outlines %d 0 R "
                         b"/PageMode /UseOutlines /Lang (en)%s >>" % (pages_ref, labels_ref, outline_root, metadata))
        size = len(out.offsets)
        xref_at = out.pos
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
        for first in range(1, size, 4096):  # in slices: the table of a large volume is never held whole
            out.write(b"".join([b"%010d 00000 n \n" % at if at >= 0 else b"0000000000 00001 f \n"
                                for at in out.offsets[first:first + 4096]]))
        hex_id = file_id.hex().encode()
        out.write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [ <%s> <%s> ] >>\nstartxref\n%d\n%%%%EOF\n"
                  % (size, catalog, info_ref, hex_id, hex_id, xref_at))
        handle.flush()
        if check is not None:
            check(Path(handle.name), written)
    log.info("bound %d parts (%d copied from the last volume), %d pages, %d objects into %s", len(parts),
             sum(1 for w in written if w.reused), len(all_pages), size - 1, out_path)
    return written


def _write_outline(out: _Out, items: list[OutlineItem], root: int, next_free: int, page_ref) -> int:
    """Write the outline tree under ``root``; return the next free object number."""

    def count(item: OutlineItem) -> int:
        return 1 + sum(count(c) for c in item.children)

    def write_level(level: list[OutlineItem], parent: int, free: int) -> tuple[list[int], int]:
        nums = list(range(free, free + len(level)))
        free += len(level)
        for i, item in enumerate(level):
            child_nums, free = write_level(item.children, nums[i], free) if item.children else ([], free)
            entries = [b"/Title " + pdf_text(item.title), b"/Parent %d 0 R" % parent,
                       b"/Dest [ %d 0 R /Fit ]" % page_ref(item.part, item.page)]
            if i > 0:
                entries.append(b"/Prev %d 0 R" % nums[i - 1])
            if i + 1 < len(level):
                entries.append(b"/Next %d 0 R" % nums[i + 1])
            if child_nums:
                entries.append(b"/First %d 0 R /Last %d 0 R /Count %d"
                               % (child_nums[0], child_nums[-1], sum(count(c) for c in item.children)))
            out.obj(nums[i], b"<< " + b" ".join(entries) + b" >>")
        return nums, free

    nums, next_free = write_level(items, root, next_free)
    if nums:
        total = sum(count(i) for i in items)
        out.obj(root, b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>" % (nums[0], nums[-1], total))
    else:
        out.obj(root, b"<< /Type /Outlines /Count 0 >>")
    return next_free


def file_id(*parts: str) -> bytes:
    """A deterministic 16-byte PDF file identifier from the given strings."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()[:16]

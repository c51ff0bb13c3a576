"""Every stream a page draws must decode: content streams, form XObjects, images, patterns, Type 3 glyphs.

A stream whose compressed data is damaged (bit flips, a truncated download) makes the paper an
error and keeps it out of the volume, which must pass ``qpdf --check``. A stream that inflates
past :data:`INFLATE_LIMIT` (a decompression bomb) is an error too, found without inflating it in
full: Flate data is inflated a chunk at a time with a bounded output buffer, counted and dropped.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pikepdf import Array, Pdf, Stream

from proceedings.checks.pdfcheck import (
    CONTAINERS,
    WALK_BUDGET,
    elements,
    get,
    get_rare,
    name_of,
    on_pages,
    page_object,
)
from proceedings.findings import Finding
from proceedings.pdf.decoding import (  # re-exported: what decodes a stream within limits
    FILE_LIMIT,
    INFLATE_LIMIT,
    Bomb,
    Damaged,
    Inflated,
    decode,
    decoded_data,
    inflate_size,
)
from proceedings.pdf.streams import Verified, fingerprint, inline_image
from proceedings.util.tolerant import tolerant

__all__ = ["FILE_LIMIT", "INFLATE_LIMIT", "Bomb", "Damaged", "StreamReport", "check_streams", "decoded_data",
           "inflate_size", "quick_streams", "walk_streams"]

log = logging.getLogger(__name__)

PIXEL_LIMIT = 400_000_000
"""Pixels an image may declare (/Width × /Height): a JPEG bomb declares billions."""

@dataclass
class StreamReport:
    """Streams that do not decode or inflate past the limit, by first page."""

    damaged: list[tuple[int, str, str]] = field(default_factory=list)
    """(page, what, why)."""
    bombs: list[tuple[int, str, int]] = field(default_factory=list)
    """(page, what, bytes in the file)."""
    inflated: int = 0
    held: set[tuple[int, int]] = field(default_factory=set)
    """Content streams decoded whole in Python (as PDFium will hold them): a stream too large for memory is a
    MemoryError here, not an abort inside PDFium."""
    inline: set[tuple[int, int]] = field(default_factory=set)
    """Those of :attr:`held` that may draw an inline image (see :func:`~proceedings.pdf.streams.inline_image`)."""
    verified: set[tuple[int, bytes, int]] = field(default_factory=set)
    """The :func:`~proceedings.pdf.streams.fingerprint` of every stream of Flate alone that inflated to its
    end (kept by the page walk): stamping in the same task need not inflate them again."""
    every_flate: bool = False
    """Whether every stream of Flate alone in the file inflated to its end (the quick check read them all):
    stamping in the same task need inflate none of them again, and none is hashed."""
    contents: dict[tuple[int, int], bytes] = field(default_factory=dict)
    """Content streams of Flate alone without a predictor held whole, by object, as inflated (when a stamping
    follows, up to :data:`KEPT_LIMIT` in all): stamping reads them from here, not decoding them again."""

    def for_stamping(self, source: Pdf | None = None) -> Verified:
        """What stamping in the same task need not inflate again; ``source``: the file checked, when the paper is
        stamped in it (a copy's objects are others: the content streams' data is then not handed over)."""
        return Verified(frozenset(self.verified), self.every_flate, self.contents if source is not None else {},
                        source)


KEPT_LIMIT = 8 * 1024 * 1024
"""Bytes of inflated content streams kept for the stamping that follows (a little of the memory limit: a paper with
more content has the rest decoded again)."""


class _StreamWalker:
    """Every stream reachable from a page's dictionary (contents, resources, annotations, and any private
    key a producer left there): everything the merge copies into the volume with the page.

    An object is read as qpdf's JSON of it (one call, parsed in C), in which a reference is the string
    "N G R" (names start with a slash, strings with "u:" or "b:"): the walk meets pikepdf objects only
    where it follows a reference, and reads a stream's data through one.
    """

    def __init__(self, pdf: Pdf, fingerprints: bool = False, contents: bool = False) -> None:
        self.pdf = pdf
        self.report = StreamReport()
        self.contents = contents
        """Whether content streams held whole are kept for the stamping that follows."""
        self.kept = 0
        self.inflated: Inflated | None = self.fingerprint if fingerprints else None
        """Told of each stream of Flate alone that inflated to its end (only a stamping that follows needs them)."""
        self.seen: set[tuple[int, int]] = set()
        self.budget = WALK_BUDGET

    def fingerprint(self, raw: bytes | memoryview, row: int) -> None:
        """Keep the fingerprint of a stream of Flate alone that inflated to its end."""
        self.report.verified.add(fingerprint(raw, row))

    def stream(self, obj: Stream, page: int, what: str, whole: bool = False) -> None:
        if name_of(get_rare(obj, "/Subtype")) == "Image":  # a font program or a content stream has none
            try:
                pixels = int(get(obj, "/Width") or 0) * int(get(obj, "/Height") or 0)
            except (TypeError, ValueError):
                pixels = 0
            if pixels > PIXEL_LIMIT:
                self.report.bombs.append((page, f"{_numbered(obj, what)}, declared {pixels:,} pixels", raw_size(obj)))
                return
        limit = min(INFLATE_LIMIT, FILE_LIMIT - self.report.inflated)
        try:
            done = decode(obj, limit, whole, self.inflated, self.keeper(obj.objgen) if whole else None)
        except Damaged as exc:
            self.report.damaged.append((page, _numbered(obj, what), str(exc)))
            return
        except Bomb:
            self.report.bombs.append((page, _numbered(obj, what), raw_size(obj)))
            return
        if done is None:
            return
        self.report.inflated += done[0]
        if whole:
            self.report.held.add(obj.objgen)
            if inline_image(done[1] if isinstance(done[1], bytes) else bytes(done[1])):
                self.report.inline.add(obj.objgen)

    def keeper(self, objgen: tuple[int, int]) -> Callable[[bytes], None] | None:
        """What keeps a content stream's inflated data (in :attr:`StreamReport.contents`), when it is kept."""
        def keep(data: bytes) -> None:
            if self.kept + len(data) <= KEPT_LIMIT:
                self.kept += len(data)
                self.report.contents[objgen] = data
        return keep if self.contents else None

    def walk(self, value: Any, page: int, key: str = "", parent: str = "", depth: int = 0) -> None:
        """Visit ``value`` (JSON, found under ``key`` of a dictionary found under ``parent``) and all it refers
        to. A leaf (a number, a name, a string) only counts against the budget."""
        if depth > 64 or self.budget <= 0:
            return
        stream = None
        if type(value) is str:
            ref = _REF.match(value)
            if ref is None:
                self.budget -= 1
                return
            objgen = (int(ref[1]), int(ref[2]))
            if objgen in self.seen:
                return
            self.seen.add(objgen)
            self.budget -= 1
            try:
                obj = self.pdf.get_object(objgen)
                if not isinstance(obj, CONTAINERS):
                    return  # a number or null behind a reference
                value = json.loads(obj.to_json(dereference=True))
            except MemoryError:
                raise
            except Exception as exc:  # noqa: BLE001 - an object qpdf cannot read leads nowhere
                log.debug("object %s: %s", objgen, exc)
                return
            stream = obj if isinstance(obj, Stream) else None
        else:
            self.budget -= 1
        if type(value) is list:  # its elements are found where it was
            self.children([(key, item) for item in value[:5000]], page, parent, depth + 1)
            return
        if type(value) is not dict:
            return
        if depth and _text(value.get("/Type")) in ("Page", "Pages", "Catalog"):
            return  # another page (a link's destination) is walked as a page of its own
        if stream is not None:
            self.stream(stream, page, _label(stream, key, parent, page), whole=key == "/Contents")
        self.children([(child, item) for child, item in value.items() if child not in _SKIP], page, key, depth + 1)

    def children(self, children: list[tuple[str, Any]], page: int, parent: str, depth: int) -> None:
        """Walk the (key, value) pairs found under ``parent``, in order; a leaf (a number, boolean, null, name or
        string) only counts against the budget (counted in bulk: the budget only matters to the next value walked)."""
        leaves = 0
        for child, value in children:
            kind = type(value)
            if kind in _LEAVES or kind is str and not (value.endswith(" R") and _REF.match(value)):
                leaves += 1
                continue
            if leaves and depth <= 64 and self.budget > 0:
                self.budget = max(self.budget - leaves, 0)
            leaves = 0
            self.walk(value, page, child, parent, depth)
        if leaves and depth <= 64 and self.budget > 0:
            self.budget = max(self.budget - leaves, 0)


def _numbered(obj: Stream, what: str) -> str:
    """``what`` a stream is, with its object number when it has one (named only when it is reported)."""
    return f"{what} (object {obj.objgen[0]})" if obj.is_indirect else what


_REF = re.compile(r"(\d+) (\d+) R\Z")
"""A reference in qpdf's JSON."""
_LEAVES = frozenset((int, float, bool, type(None)))


def _text(value: Any) -> str:
    """A name or text string of qpdf's JSON as :func:`~proceedings.checks.pdfcheck.name_of` reads it."""
    if type(value) is not str:
        return ""
    return value[2:] if value.startswith("u:") else value.lstrip("/")


_SKIP = {"/Parent", "/P", "/Dest", "/D", "/Prev", "/Next", "/First", "/Last", "/Length"}
"""Keys that lead back up the document or to other pages, not to what a page carries."""


def _label(obj: Stream, key: str, parent: str, page: int) -> str:
    """What a stream is, for a reader: by its type and the key it was found under."""
    subtype = name_of(get_rare(obj, "/Subtype"))
    if key == "/Contents":
        return f"the content stream of page {page}"
    if parent == "/CharProcs":
        return f"glyph {key} of a Type 3 font"
    if subtype == "Image":
        return f"image {key}"
    if subtype == "Form":
        return f"form XObject {key}"
    return f"the stream {key}" if key else "a stream"


def raw_size(stream: Stream) -> int:
    """How many bytes the stream takes in the file (its buffer measured, not copied: a bomb's may be large)."""
    return tolerant(lambda: len(stream.get_raw_stream_buffer()), 0)


def quick_streams(pdf: Pdf, count: int, stamping: bool = True) -> StreamReport | None:
    """What :func:`walk_streams` reports when every stream in the file decodes (the streams the pages draw are
    among them): each stream checked once, in the file's order, without walking the pages' objects. None when one
    does not decode or is a bomb, or the file is too large or too broken to look at whole: then the walk finds
    which page draws it, if any does. ``stamping``: a stamping follows, told by :attr:`StreamReport.every_flate`
    that no stream of Flate alone need be inflated again (nothing is hashed)."""
    walker = _StreamWalker(pdf, contents=stamping)  # every stream is read: none need be known again
    try:
        contents: set[tuple[int, int]] = set()  # held whole, as the walk holds what it finds under /Contents
        for number in range(1, count + 1):
            found = get(page_object(pdf, number), "/Contents")
            contents.update(s.objgen for s in (elements(found) if isinstance(found, Array) else [found])
                            if isinstance(s, Stream) and s.is_indirect)
        for seen, obj in enumerate(pdf.objects):
            if seen >= WALK_BUDGET:
                return None
            if isinstance(obj, Stream):
                walker.stream(obj, 0, "a stream", whole=obj.objgen in contents)
                if walker.report.damaged or walker.report.bombs:
                    return None
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a file qpdf reads only in part: the walk is tolerant
        log.debug("quick stream check failed: %s", exc)
        return None
    walker.report.every_flate = stamping
    return walker.report


def walk_streams(pdf: Pdf, count: int, stamping: bool = True) -> StreamReport:
    """Decode (or measure) every stream every page draws; ``stamping``: a stamping follows, which need not inflate
    again the streams whose :attr:`StreamReport.verified` fingerprints this keeps (only those the walk reached)."""
    walker = _StreamWalker(pdf, fingerprints=stamping, contents=stamping)
    for number in range(1, count + 1):
        if walker.budget <= 0:
            break
        try:
            num, gen = page_object(pdf, number).objgen
            walker.walk(f"{num} {gen} R", number)
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - a broken page: its streams cannot be reached
            log.debug("page %d: stream walk failed: %s", number, exc)
    return walker.report


def check_streams(report: StreamReport) -> list[Finding]:
    """Errors for streams that do not decode and for decompression bombs (the paper then stays out), from
    :func:`walk_streams`."""
    out = []
    if report.damaged:
        pages = [p for p, _, _ in report.damaged]
        page, what, why = report.damaged[0]
        more = f" and {len(report.damaged) - 1} more" if len(report.damaged) > 1 else ""
        out.append(Finding(
            "damaged-stream", "error", page,
            f"The file is damaged: {what} cannot be decoded ({why}){more}, on {on_pages(pages)}. "
            "Readers show these pages broken or not at all, and the paper cannot go into the volume.",
            ("Open the figure files in an image viewer: one cut short (an interrupted download or copy) goes into "
             "the PDF as it is; replace it, compile again and upload the new PDF." if "JPEG" in why else
             "Export the PDF again from the source (LaTeX: pdflatex) and check that every page opens in a viewer; "
             "upload it again (a damaged upload or copy corrupts files).")))
    if report.bombs:
        pages = [p for p, _, _ in report.bombs]
        page, what, stored = report.bombs[0]
        out.append(Finding(
            "damaged-stream", "error", page,
            f"Decompression bomb: {what} on page {page} inflates past {INFLATE_LIMIT // (1024 * 1024)} MiB "
            f"from {stored:,} bytes in the file"
            + (f" ({len(report.bombs)} such streams, on {on_pages(pages)})" if len(report.bombs) > 1 else "")
            + "; readers run out of memory on it, so the paper cannot go into the volume.",
            "Downsample large images (300 dpi is enough for print) and export the PDF again from the source; "
            "if you did not put such an image there, the file may have been tampered with."))
    return out

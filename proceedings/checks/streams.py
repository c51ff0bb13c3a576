"""Every stream a page draws must decode: content streams, form XObjects, images, patterns, Type 3 glyphs.

A stream whose compressed data is damaged (bit flips, a truncated download) makes the paper an
error and keeps it out of the volume, which must pass ``qpdf --check``. A stream that inflates
past :data:`INFLATE_LIMIT` (a decompression bomb) is an error too, found without inflating it in
full: Flate data is inflated a chunk at a time with a bounded output buffer, counted and dropped.
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from proceedings.checks.pdfcheck import (
    WALK_BUDGET,
    elements,
    items,
    name_of,
    on_pages,
    ref_key,
    resolve,
)
from proceedings.findings import Finding

log = logging.getLogger(__name__)

INFLATE_LIMIT = 256 * 1024 * 1024
"""Bytes one stream may inflate to (a 600 dpi full-page colour image is about 100 MiB)."""
FILE_LIMIT = 1024 * 1024 * 1024
"""Bytes all the streams of one file may inflate to together."""
PIXEL_LIMIT = 400_000_000
"""Pixels an image may declare (/Width × /Height): a JPEG bomb declares billions."""
_IN_CHUNK = 64 * 1024
_OUT_CHUNK = 1024 * 1024

_ABBREVIATIONS = {"Fl": "FlateDecode", "AHx": "ASCIIHexDecode", "A85": "ASCII85Decode", "LZW": "LZWDecode",
                  "RL": "RunLengthDecode", "CCF": "CCITTFaxDecode", "DCT": "DCTDecode"}


class Damaged(Exception):
    """The stream's data cannot be decoded."""


class Bomb(Exception):
    """The stream inflates past the limit."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"inflates to more than {limit // (1024 * 1024)} MiB")
        self.size = size


def inflate_size(raw: bytes, limit: int = INFLATE_LIMIT, keep: bool = False) -> tuple[int, bytes]:
    """(inflated size, data when ``keep``) of zlib data, never holding more than ``limit`` bytes of it.

    Raises :class:`Damaged` for data zlib rejects or that ends before its end marker (readers may
    show it, but ``qpdf --check`` fails on it), and :class:`Bomb` as soon as the output passes ``limit``.
    """
    inflater = zlib.decompressobj()
    total, pos, more = 0, 0, False
    kept: list[bytes] = []
    while True:
        if inflater.unconsumed_tail:
            data = inflater.unconsumed_tail
        elif pos < len(raw):
            data, pos = raw[pos:pos + _IN_CHUNK], pos + _IN_CHUNK
        elif more:
            data = b""
        else:
            break
        try:
            out = inflater.decompress(data, _OUT_CHUNK)
        except zlib.error as exc:
            raise Damaged(f"Flate data error: {exc}") from None
        total += len(out)
        more = len(out) == _OUT_CHUNK
        if total > limit:
            raise Bomb(total, limit)
        if keep:
            kept.append(out)
        if inflater.eof:
            break
    if not inflater.eof and raw.strip():  # qpdf --check fails on it too: the volume must pass
        raise Damaged("the compressed data ends early: the stream is truncated")
    return total, b"".join(kept)


def _filters(stream: StreamObject) -> tuple[list[str], list[Any]]:
    chain = resolve(stream.get("/Filter"))
    parms = resolve(stream.get("/DecodeParms"))
    names = [name_of(f) for f in elements(chain, 16)] if isinstance(chain, ArrayObject) else (
        [name_of(chain)] if chain is not None else [])
    params = [resolve(p) for p in elements(parms, 16)] if isinstance(parms, ArrayObject) else [parms]
    return [_ABBREVIATIONS.get(n, n) for n in names], params + [None] * (len(names) - len(params))


def decoded_size(stream: StreamObject, limit: int = INFLATE_LIMIT) -> int | None:
    """Bytes the stream decodes to through its generic filters; None when an image codec ends the chain.

    Raises :class:`Damaged` or :class:`Bomb`.
    """
    from pypdf import filters as pf

    data = raw_data(stream)
    names, params = _filters(stream)
    for i, (name, parm) in enumerate(zip(names, params)):
        last = i == len(names) - 1
        try:
            if name == "FlateDecode":
                size, data = inflate_size(data, limit, keep=not last)
                if last:
                    return size
            elif name == "ASCIIHexDecode":
                data = pf.ASCIIHexDecode.decode(data)
            elif name == "ASCII85Decode":
                data = pf.ASCII85Decode.decode(data)
            elif name == "RunLengthDecode":
                data = pf.RunLengthDecode.decode(data)
            elif name == "LZWDecode":
                data = pf.LZWDecode.decode(data, parm if isinstance(parm, DictionaryObject) else None)
            else:  # an image codec or Crypt: the renderer's business
                return None
        except (Damaged, Bomb, MemoryError):
            raise
        except LimitReachedError:
            raise Bomb(limit, limit) from None
        except Exception as exc:  # noqa: BLE001 - pypdf's decoders raise anything on bad data
            raise Damaged(f"{name} data error: {str(exc)[:100] or type(exc).__name__}") from None
        if len(data) > limit:
            raise Bomb(len(data), limit)
    return len(data)


@dataclass
class StreamReport:
    """Streams that do not decode or inflate past the limit, by first page."""

    damaged: list[tuple[int, str, str]] = field(default_factory=list)
    """(page, what, why)."""
    bombs: list[tuple[int, str, int]] = field(default_factory=list)
    """(page, what, bytes in the file)."""
    inflated: int = 0


class _StreamWalker:
    """Every stream reachable from a page's dictionary (contents, resources, annotations, and any private
    key a producer left there): everything the merge copies into the volume with the page."""

    def __init__(self) -> None:
        self.report = StreamReport()
        self.seen: set[Any] = set()
        self.budget = WALK_BUDGET

    def stream(self, obj: StreamObject, ref: Any, page: int, what: str) -> None:
        label = f"{what} (object {ref.idnum})" if isinstance(ref, IndirectObject) else what
        if name_of(obj.get("/Subtype")) == "Image":
            try:
                pixels = int(resolve(obj.get("/Width")) or 0) * int(resolve(obj.get("/Height")) or 0)
            except (TypeError, ValueError):
                pixels = 0
            if pixels > PIXEL_LIMIT:
                self.report.bombs.append((page, f"{label}, declared {pixels:,} pixels", len(raw_data(obj))))
                return
        limit = min(INFLATE_LIMIT, FILE_LIMIT - self.report.inflated)
        try:
            size = decoded_size(obj, limit)
        except Damaged as exc:
            self.report.damaged.append((page, label, str(exc)))
            return
        except Bomb:
            self.report.bombs.append((page, label, len(raw_data(obj))))
            return
        self.report.inflated += size or 0

    def walk(self, ref: Any, page: int, key: str = "", parent: str = "", depth: int = 0) -> None:
        """Visit ``ref`` (found under ``key`` of a dictionary found under ``parent``) and all it refers to."""
        if depth > 64 or self.budget <= 0:
            return
        if isinstance(ref, IndirectObject):
            if ref_key(ref) in self.seen:
                return
            self.seen.add(ref_key(ref))
        self.budget -= 1
        obj = resolve(ref)
        if isinstance(obj, ArrayObject):
            for item in elements(obj, 5000):
                self.walk(item, page, key, parent, depth + 1)
            return
        if not isinstance(obj, DictionaryObject):
            return
        if depth and name_of(obj.get("/Type")) in ("Page", "Pages", "Catalog"):
            return  # another page (a link's destination) is walked as a page of its own
        if isinstance(obj, StreamObject):
            self.stream(obj, ref, page, _label(obj, key, parent, page))
        for child, value in items(obj):
            if child not in _SKIP:
                self.walk(value, page, child, key, depth + 1)


_SKIP = {"/Parent", "/P", "/Dest", "/D", "/Prev", "/Next", "/First", "/Last", "/Length"}
"""Keys that lead back up the document or to other pages, not to what a page carries."""


def _label(obj: StreamObject, key: str, parent: str, page: int) -> str:
    """What a stream is, for a reader: by its type and the key it was found under."""
    subtype = name_of(obj.get("/Subtype"))
    if key == "/Contents":
        return f"the content stream of page {page}"
    if parent == "/CharProcs":
        return f"glyph {key} of a Type 3 font"
    if subtype == "Image":
        return f"image {key}"
    if subtype == "Form":
        return f"form XObject {key}"
    return f"the stream {key}" if key else "a stream"


def raw_data(stream: StreamObject) -> bytes:
    """The stream's bytes as stored in the file (still encoded)."""
    data = getattr(stream, "_data", b"") or b""
    return data.encode("latin-1") if isinstance(data, str) else data


def walk_streams(reader: PdfReader, count: int) -> StreamReport:
    """Decode (or measure) every stream every page draws."""
    walker = _StreamWalker()
    for number in range(1, count + 1):
        if walker.budget <= 0:
            break
        try:
            walker.walk(reader.pages[number - 1].indirect_reference, number)
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - a broken page: its streams cannot be reached
            log.debug("page %d: stream walk failed: %s", number, exc)
    return walker.report


def check_streams(reader: PdfReader, count: int) -> list[Finding]:
    """Errors for streams that do not decode and for decompression bombs (the paper then stays out)."""
    report = walk_streams(reader, count)
    out = []
    if report.damaged:
        pages = [p for p, _, _ in report.damaged]
        page, what, why = report.damaged[0]
        more = f" and {len(report.damaged) - 1} more" if len(report.damaged) > 1 else ""
        out.append(Finding(
            "damaged-stream", "error", page,
            f"The file is damaged: {what} cannot be decoded ({why}){more}, on {on_pages(pages)}. "
            "Readers show these pages broken or not at all, and the paper cannot go into the volume.",
            "Export the PDF again from the source (LaTeX: pdflatex) and check that every page opens in a viewer; "
            "upload it again (a damaged upload or copy corrupts files)."))
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

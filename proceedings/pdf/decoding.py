"""Decoding a stream's data within limits: Flate inflated a chunk at a time with a bounded output buffer, counted
and dropped (a decompression bomb is found without inflating it in full), the other generic filters undone by
pypdf's decoders on bytes; what does not decode raises :class:`Damaged`, what inflates past the limit
:class:`Bomb` (see :mod:`proceedings.checks.streams`, which checks every stream a page draws)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pikepdf import Stream

from proceedings.pdf.jpeg import jpeg_fault
from proceedings.pdf.streams import filter_chain, plain_jpeg, png_row, row_fault
from proceedings.util.fastzlib import zlib

INFLATE_LIMIT = 256 * 1024 * 1024
"""Bytes one stream may inflate to (a 600 dpi full-page colour image is about 100 MiB)."""
FILE_LIMIT = 1024 * 1024 * 1024
"""Bytes all the streams of one file may inflate to together."""
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


def inflate_size(raw: bytes | memoryview, limit: int = INFLATE_LIMIT, keep: bool = False,
                 row: int = 0) -> tuple[int, bytes]:
    """(inflated size, data when ``keep``) of zlib data, never holding more than ``limit`` bytes of it.

    Raises :class:`Damaged` for data zlib rejects, that ends before its end marker (readers may
    show it, but ``qpdf --check`` fails on it) or, ``row`` given (see :func:`~proceedings.pdf.streams.png_row`),
    whose PNG predictor rows do not start with a filter type; and :class:`Bomb` as soon as the output passes
    ``limit``.
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
        if row:
            fault = row_fault(out, row, total)
            if fault:
                raise Damaged(fault)
        total += len(out)
        more = len(out) == _OUT_CHUNK
        if total > limit:
            raise Bomb(total, limit)
        if keep:
            kept.append(out)
        if inflater.eof:
            break
    if not inflater.eof and len(raw):  # qpdf --check fails on it too (on one blank byte, too): the volume must pass
        raise Damaged("the compressed data ends early: the stream is truncated")
    return total, b"".join(kept)


Inflated = Callable[[bytes | memoryview, int], None]
"""Told of each stream of Flate alone that inflated to its end, PNG predictor rows and all: its stored bytes and
predictor row (see :func:`~proceedings.pdf.streams.fingerprint`)."""


def decoded_data(stream: Stream, limit: int) -> bytes | None:
    """The stream's data through its generic filters, when it decodes to at most ``limit`` bytes (else
    :class:`Bomb`; :class:`Damaged` when it does not decode); None when an image codec ends the chain."""
    done = decode(stream, limit, True, None)
    if done is not None and len(done[1]) > limit:  # stored unfiltered, past the limit
        raise Bomb(len(done[1]), limit)
    return None if done is None else bytes(done[1])


def decode(stream: Stream, limit: int, whole: bool, inflated: Inflated | None,
            plain: Callable[[bytes], None] | None = None) -> tuple[int, bytes | memoryview] | None:
    """(bytes the stream decodes to through its generic filters, the data when ``whole``); None when an image
    codec ends the chain.

    Raises :class:`Damaged` or :class:`Bomb`. Flate data is measured by :func:`inflate_size` (and held
    whole on the way when ``whole``); the other generic filters are undone by :func:`_undo`. A stream of
    Flate alone that inflates to its end is told to ``inflated``; held whole, and without a predictor (what qpdf
    decodes it to, then), its data is told to ``plain``."""
    data: bytes | memoryview
    try:  # as util.tolerant, without two functions made for each stream
        data = memoryview(stream.get_raw_stream_buffer())  # not copied
    except (MemoryError, RecursionError):
        raise
    except Exception:  # noqa: BLE001 - a hostile file may make a reader raise anything
        data = b""
    try:
        chain, parms, predicted = filter_chain(stream)
    except (MemoryError, RecursionError):
        raise
    except Exception:  # noqa: BLE001
        chain, parms, predicted = [], None, False
    names = [_ABBREVIATIONS.get(n.lstrip("/"), n.lstrip("/")) for n in chain]
    jpeg = plain_jpeg(chain, predicted)  # read as qpdf --check reads it (it decodes images): one cut short fails
    for i, name in enumerate(names):
        last = i == len(names) - 1
        if name == "FlateDecode":
            alone = len(names) == 1  # its predictor rows checked; known again by stamping once inflated
            row = _png_row(parms) if alone else 0
            raw = data
            size, data = inflate_size(raw, limit, keep=whole or not last, row=row)
            if alone and inflated is not None:
                inflated(raw, row)
            if alone and whole and not predicted and plain is not None:
                plain(bytes(data))
            if last:
                return size, data
        elif name in _GENERIC:
            data = _undo(name, bytes(data), limit)
        else:  # an image codec or Crypt: the renderer's business, but for a JPEG qpdf reads too
            fault = jpeg_fault(data) if jpeg else None
            if fault:
                raise Damaged(fault)
            return None
        if len(data) > limit:
            raise Bomb(len(data), limit)
    return len(data), data


def _png_row(parms: Any) -> int:
    """The PNG predictor row of /DecodeParms ``parms`` (see :func:`~proceedings.pdf.streams.png_row`); a row
    without pixels is :class:`Damaged` (qpdf cannot undo it)."""
    try:
        return png_row(parms)
    except (ValueError, TypeError) as exc:
        raise Damaged(str(exc)) from None


_GENERIC = ("ASCIIHexDecode", "ASCII85Decode", "RunLengthDecode", "LZWDecode")


def _undo(name: str, data: bytes, limit: int) -> bytes:
    """``data`` with the generic filter ``name`` undone by pypdf's decoder (on bytes: no object is parsed), which
    stops at its own output limit (an LZW predictor in /DecodeParms is not undone: the size is what counts)."""
    from pypdf import filters
    from pypdf.errors import LimitReachedError

    try:
        return getattr(filters, name).decode(data)
    except MemoryError:
        raise
    except LimitReachedError:
        raise Bomb(limit, limit) from None
    except Exception as exc:  # noqa: BLE001 - pypdf's decoders raise anything on bad data
        raise Damaged(f"{name} data error: {str(exc)[:100] or type(exc).__name__}") from None

"""Whether streams decode and page content reads: checked when a paper is stamped and when the volume is verified."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pikepdf import Array, Dictionary, Pdf, Stream, StreamDecodeLevel

from proceedings.pdf.jpeg import jpeg_fault
from proceedings.util.fastzlib import zlib


class DamagedStream(ValueError):
    """A stream of a paper does not decode, or a page's content does not read (it cannot go into the volume)."""


GENERAL = {"/FlateDecode", "/Fl", "/LZWDecode", "/LZW", "/ASCII85Decode", "/A85", "/ASCIIHexDecode", "/AHx",
           "/RunLengthDecode", "/RL"}
"""The general-purpose filters, which readers (and ``qpdf --check``) decode; image codecs are left to viewers."""


FLATE = ("/FlateDecode", "/Fl")
DCT = ("/DCTDecode", "/DCT")


def stream_fault(stream) -> str | None:
    """Why a pypdf stream (the volume reader's) does not decode, or None when it does (strictly: Flate data
    must end)."""
    from pypdf.generic import ArrayObject, DictionaryObject  # pypdf: only when the volume is verified

    try:
        filters = stream.get("/Filter")
        filters = filters.get_object() if filters is not None else None
        names = [str(f) for f in filters] if isinstance(filters, list) else ([str(filters)] if filters else [])
        parms = stream.get("/DecodeParms")
        parms = parms.get_object() if parms is not None else None
        entries = [_get_object(p) for p in parms[:MAX_FILTERS]] if isinstance(parms, ArrayObject) else [parms]
        first = entries[0] if entries and isinstance(entries[0], DictionaryObject) else None
        return _fault(names, first, any(map(_predicted, entries)), stream._data, stream.get_data)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a fault
        return f"{type(exc).__name__}: {exc}"


MAX_FILTERS = 16
"""Most filters of one stream's chain looked at (a hostile file may list millions)."""


def filter_chain(stream: Stream) -> tuple[list[str], Dictionary | None, bool]:
    """A pikepdf stream's filters, as written ("/FlateDecode", "/Fl"), the /DecodeParms of the first (None when it
    has none), and whether any filter of it has a predictor: the one reading of a chain that validation, stamping
    and the Type 3 check share."""
    filters = stream.get("/Filter")
    if isinstance(filters, Array):
        names = [str(filters[i]) for i in range(min(len(filters), MAX_FILTERS))]
    else:
        names = [str(filters)] if filters is not None else []
    # seldom there: asked for first (pikepdf's get of a missing key raises and catches a C++ KeyError, six times the
    # cost of asking; qpdf's hasKey answers both)
    parms = stream.get("/DecodeParms") if "/DecodeParms" in stream else None
    entries = [parms[i] for i in range(min(len(parms), MAX_FILTERS))] if isinstance(parms, Array) else [parms]
    first = entries[0] if entries and isinstance(entries[0], Dictionary) else None
    return names, first, any(map(_predicted, entries))


def _predicted(parms: object) -> bool:
    """Whether decode parameters (pikepdf's or pypdf's) name a predictor (one that is no number counts: it is not
    undone either)."""
    value = parms.get("/Predictor") if hasattr(parms, "keys") else None  # a dictionary
    if value is None:
        return False
    try:
        return int(value) >= 2
    except (TypeError, ValueError):
        return True


def flate_only(names: list[str]) -> bool:
    """Whether a chain (:func:`filter_chain`) is Flate alone."""
    return len(names) == 1 and names[0] in FLATE


def pike_stream_fault(stream: Stream) -> str | None:
    """Why a pikepdf stream does not decode, or None when it does (as :func:`stream_fault`)."""
    try:
        names, parms, predicted = filter_chain(stream)
        general = names and all(n in GENERAL for n in names)  # qpdf cannot stop before an image codec
        return _fault(names, parms, predicted, stream.read_raw_bytes(), lambda: decoded(stream) if general else None)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a fault
        return f"{type(exc).__name__}: {exc}"


def decoded(stream: Stream) -> bytes:
    """A pikepdf stream's data with its general-purpose filters undone, RunLength too (which qpdf's default
    level leaves alone, and every reader undoes): a page's content as viewers read it."""
    return stream.read_bytes(decode_level=StreamDecodeLevel.specialized)


def _fault(names: list[str], parms, predicted: bool, raw: bytes, decoded: Callable[[], bytes | None]) -> str | None:
    """Why a stream with these filters, the first's decode parameters (a dictionary, or None), a predictor in any
    of them or not, and raw data does not decode;
    ``decoded`` decodes it with the reader's general-purpose filters (None: this reader cannot undo those before
    an image codec alone; the JPEG is then not looked at, unless Flate alone precedes it)."""
    inflated = b""
    if names and names[0] in FLATE:
        fault, inflated = flate_fault(raw)
        if fault or len(names) == 1:  # a predictor: its rows' filter bytes are all that can be wrong (decoding
            return fault or _predictor_fault(parms, inflated)  # them is slow in Python)
    if names and all(n in GENERAL for n in names):
        decoded()
    if names and names[-1] in DCT and all(n in GENERAL for n in names[:-1]):
        if len(names) == 1:
            return jpeg_fault(raw)
        inflated_is_jpeg = len(names) == 2 and names[0] in FLATE and plain_jpeg(names, predicted)
        data = inflated if inflated_is_jpeg else decoded()
        return jpeg_fault(data) if data is not None else None
    return None


def flate_fault(raw: bytes) -> tuple[str | None, bytes]:
    """Why Flate data does not inflate, strictly (it must reach its end marker: ``qpdf --check`` fails on data
    that stops early, a single blank byte too), or None; and what it inflated to. No data at all is no fault: it
    inflates to nothing, for qpdf as for every reader (the rule of validation's
    :func:`~proceedings.pdf.decoding.inflate_size`)."""
    if not len(raw):
        return None, b""
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(raw)
    except zlib.error as exc:
        return f"{type(exc).__name__}: {exc}", b""
    return (None if inflater.eof else "the Flate data ends early"), inflated


def png_row(parms) -> int:
    """Bytes in one row of a PNG predictor's output, its filter-type byte included, from /DecodeParms (the
    dictionary, or None); 0 when there is no PNG predictor (TIFF predictor 2 and none: nothing to check).
    Raises ValueError when the row has no pixels."""
    if parms is None or int(parms.get("/Predictor", 1)) < 10:
        return 0
    columns, colors, bits = (int(parms.get(k, d))
                             for k, d in (("/Columns", 1), ("/Colors", 1), ("/BitsPerComponent", 8)))
    row = (columns * colors * bits + 7) // 8 + 1
    if row <= 1:
        raise ValueError("the predictor's /Columns, /Colors or /BitsPerComponent are not positive")
    return row


def row_fault(data: bytes | memoryview, row: int, start: int = 0) -> str | None:
    """Why PNG-predicted ``data`` (rows of ``row`` bytes; ``start``: where the data's first byte falls in the
    whole stream) has a row whose filter type is not 0–4, or None."""
    first = (-start) % row
    if max(data[first::row], default=0) <= 4:
        return None
    bad = next(i for i in range(first, len(data), row) if data[i] > 4)
    return f"PNG predictor row {(start + bad) // row}: unknown filter type {data[bad]}"


def _predictor_fault(parms, data: bytes) -> str | None:
    """Why Flate-inflated ``data`` does not undo its /DecodeParms predictor (``parms``: the dictionary, or None),
    or None (PNG predictors: each row starts with a filter type 0–4)."""
    try:
        row = png_row(parms)
    except ValueError as exc:
        return str(exc)
    return row_fault(data, row) if row else None


def plain_jpeg(names: list[str], predicted: bool) -> bool:
    """Whether a chain (:func:`filter_chain`) is a JPEG behind general-purpose filters only (none, Flate, LZW, an
    ASCII encoding, RunLength), none with a predictor (``predicted``: one has, or one that is no number):
    validation undoes them and reads the JPEG as ``qpdf --check`` does, and stamping, told so
    (:attr:`Verified.every`), does not decode it again."""
    return bool(names) and names[-1] in DCT and all(n in GENERAL for n in names[:-1]) and not predicted


def _get_object(value):
    return value.get_object() if value is not None else None


def page_stream_faults(page, resolve=_get_object) -> list[str]:
    """Why some content stream of ``page`` does not decode (empty when all of them do); ``resolve`` turns a
    reference into its object (pypdf's by default; the volume reader's when verifying the bound volume)."""
    from pypdf.generic import StreamObject

    faults: list[str] = []
    try:
        contents = resolve(page.get("/Contents"))
        items = list(contents) if isinstance(contents, list) else ([contents] if contents is not None else [])
        for item in items:
            obj = resolve(item)
            fault = stream_fault(obj) if isinstance(obj, StreamObject) else "a content item is not a stream"
            if fault:
                faults.append(fault)
    except Exception as exc:  # noqa: BLE001 - a page that cannot be read is a fault of its own
        faults.append(f"{type(exc).__name__}: {exc}")
    return faults


_TOKEN = re.compile(rb"""
    (?P<space>[\s\x00]+) | (?P<comment>%[^\r\n]*) | (?P<open><<|\[) | (?P<close>>>|\]) | (?P<hex><[0-9A-Fa-f\s\x00]*>)
  | (?P<name>/[^\s\x00()<>\[\]{}/%]*) | (?P<word>[^\s\x00()<>\[\]{}/%]+) | (?P<string>\() | (?P<brace>[{}])
  | (?P<bad>.)""", re.VERBOSE | re.DOTALL)
_PLAIN = {"plain": rb"[^()<>\[\]{}%]++", "comment": rb"%[^\r\n]*+", "hex": rb"<[0-9A-Fa-f\s\x00]*+>",
          "string": rb"\([^()\\]*+(?>(?:\\.[^()\\]*+)*)\)"}
_IN_ARRAY = rb"\[(?>(?:" + b"|".join(_PLAIN[k] for k in ("string", "plain", "hex", "comment")) + rb")*)\]"
_SPACED = rb"[^()<>\[\]{}%]*+"
_PAIR = rb"\([^()\\]*+\)" + _SPACED
_TEXT_ARRAY = (rb"\[" + _SPACED + rb"(?>(?:" + _PAIR * 2 + rb")*)(?>(?:" + _PAIR + b"|" + _PLAIN["string"] + _SPACED
               + rb")*)\]")
_PLAIN_RUN = re.compile(rb"(?>(?:" + _SPACED + rb"(?:" + b"|".join((_TEXT_ARRAY, _IN_ARRAY, *(_PLAIN[k] for k in (
    "string", "hex", "comment")))) + rb"))*)" + _SPACED, re.DOTALL)
"""Tokens that cannot be wrong on their own (spaces, names, words: numbers and operators, all in one run of bytes that
start no other token; comments; strings without unescaped parentheses; hex strings) and arrays of them (a ``TJ``
array): what nearly all page content is, skipped in one C-level match. Possessive, so a run that stops early never
backtracks: a class repeated possessively (``[...]*+``), a group repeated inside an atomic group (``(?>(?:...)*)``),
never ``(?:...)*+``, which Python 3.11.0–3.11.4 match wrongly (CPython gh-106052: Debian 12's Python took the ``<``
of ``<<`` for a hex string's). Each kind starts with characters no other kind starts with, so their order changes
nothing but speed. The engine's cost is in its loops' turns (a few hundred instructions each, a byte matched by a
class a few): a turn takes a plain run and what follows it, and in a ``TJ`` array of strings without escapes
(``[(Wo)80(rd)-333(is)]``) two strings and the numbers after them (a string with escapes: one); an array with a hex
string or a comment is left to the general array, whose turns take one token each."""
_STRING_STOP = re.compile(rb"[()\\]")
_BEFORE_ID = frozenset(b" \t\n\r\x0b\x0c\x00()<>[]{}/%")
_AFTER_ID = frozenset(b" \t\n\r\x0b\x0c\x00")


def inline_image(content: bytes) -> bool:
    """Whether ``content`` has an ``ID`` token (an inline image's data follows), or a word ``ID`` in a string:
    then tokens are read one by one. (``bytes.find`` runs at memory speed; a regular expression with a
    look-behind tries every byte.)"""
    at = content.find(b"ID")
    while at >= 0:
        if (at == 0 or content[at - 1] in _BEFORE_ID) and at + 2 < len(content) and content[at + 2] in _AFTER_ID:
            return True
        at = content.find(b"ID", at + 1)
    return False
_END_IMAGE = re.compile(rb"[\s\x00]EI(?=[\s\x00]|$)")


def lexical_fault(content: bytes) -> str | None:
    """Why decoded page content does not tokenize as PDF content (as ``qpdf --check`` reads it), or None.

    Unterminated strings, malformed hex strings, stray ``>`` or ``)``, unbalanced arrays and
    dictionaries, inline images without ``EI``.
    """
    stack: list[bytes] = []
    pos, end = 0, len(content)
    fast = not inline_image(content)  # runs of plain tokens can be skipped in one C-level match
    while pos < end:
        if fast:
            pos = _PLAIN_RUN.match(content, pos).end()
            if pos >= end:
                break
        match = _TOKEN.match(content, pos)
        kind, pos = match.lastgroup, match.end()
        if kind == "open":
            stack.append(b"]" if match.group() == b"[" else b">>")
        elif kind == "close":
            if not stack or stack.pop() != match.group():
                return f"unbalanced {match.group().decode()} at byte {match.start()}"
        elif kind == "string":
            depth = 1
            while depth:
                stop = _STRING_STOP.search(content, pos)
                if stop is None:
                    return f"unterminated string at byte {match.start()}"
                pos = stop.end() + (1 if stop.group() == b"\\" else 0)
                depth += {b"(": 1, b")": -1}.get(stop.group(), 0)
        elif kind == "word" and match.group() == b"ID":
            image_end = _END_IMAGE.search(content, pos)
            if image_end is None:
                return f"inline image without EI at byte {match.start()}"
            pos = image_end.end()
        elif kind == "bad":
            return f"unexpected {match.group()!r} at byte {match.start()}"
    return f"{len(stack)} unclosed array or dictionary" if stack else None


def fingerprint(raw: bytes | memoryview, row: int) -> tuple[int, bytes, int]:
    """A Flate stream's stored bytes and PNG predictor row (:func:`png_row`), in brief: how a stream already
    checked is known again (length and SHA-256: a CRC-32 a hostile file could match)."""
    return len(raw), hashlib.sha256(raw).digest()[:16], row


@dataclass(frozen=True)
class Verified:
    """Streams of Flate alone that validation inflated to their end, predictor rows and all (and, every stream
    checked, its JPEGs: :func:`plain_jpeg`), in the task that stamps the paper from the file it checked:
    :func:`check_part` does not decode them again."""

    prints: frozenset[tuple[int, bytes, int]] = frozenset()
    """Their fingerprints (:func:`fingerprint`), when only some were (those the page walk reached)."""
    every: bool = False
    """Every one in the file, and every JPEG of :func:`plain_jpeg` (nothing hashed): a part copied from it has no
    other."""
    contents: dict[tuple[int, int], bytes] = field(default_factory=dict, compare=False)
    """Content streams of Flate alone without a predictor, by object, as validation inflated them (what qpdf
    decodes them to): :func:`check_part` reads a page's content from here, on the file ``source`` only."""
    source: Any = field(default=None, compare=False)
    """The file (a pikepdf ``Pdf``) whose objects ``contents`` are: the paper stamped in the file as opened."""

    def knows(self, obj: Stream) -> bool:
        """Whether ``obj``, copied from the file checked, is a stream validation decoded to its end."""
        if not self.every and not self.prints:
            return False
        names, parms, predicted = filter_chain(obj)
        if self.every and plain_jpeg(names, predicted):
            return True
        if not flate_only(names):
            return False
        try:
            row = png_row(parms)
        except (ValueError, TypeError):
            return False
        return self.every or fingerprint(obj.get_raw_stream_buffer(), row) in self.prints


def check_part(pdf: Pdf, pages: list[int], verified: Verified = Verified(), *, written_only: bool = False) -> None:
    """Raise :class:`DamagedStream` when a stream of ``pdf`` (a pikepdf PDF being written) does not decode or a
    page's content (``pages``: indices) cannot be read: what ``qpdf --check`` would find in the volume. Entries
    of a page's contents that are not streams (which readers skip) are dropped first. ``verified``: streams
    validation inflated (in the same task, from the file ``pdf`` was copied from), not inflated again.
    ``written_only``: only the streams qpdf writes count, those the trailer reaches (a file stamped as opened
    holds objects it does not write: see :func:`~proceedings.pdf.pagecopy.keep_pages`)."""
    for index in pages:  # readers ignore what is not a stream in a page's contents: so does the volume
        page = pdf.pages[index].obj
        contents = page.get("/Contents")
        if isinstance(contents, Array):
            kept = [item for item in contents if isinstance(item, Stream)]
            if len(kept) != len(contents):
                page.Contents = Array(kept)
        elif contents is not None and not isinstance(contents, Stream):
            del page["/Contents"]
    unknown = [obj for obj in pdf.objects if isinstance(obj, Stream) and "/Filter" in obj and not verified.knows(obj)]
    if unknown and written_only:
        written = reached(pdf)
        unknown = [obj for obj in unknown if written is None or obj.objgen in written]
    for obj in unknown:
        fault = pike_stream_fault(obj)
        if fault:
            raise DamagedStream(f"a stream (object {obj.objgen[0]}) does not decode ({_unplaced(fault, pdf)})")
    held = verified.contents if verified.source is pdf else {}  # inflated by validation, not decoded again
    for number, index in enumerate(pages, 1):
        contents = pdf.pages[index].obj.get("/Contents")
        items = list(contents) if isinstance(contents, Array) else [contents] if contents is not None else []
        try:
            data = b"\n".join(_content(item, held) for item in items)
        except Exception as exc:  # noqa: BLE001 - a content stream qpdf cannot decode
            why = _unplaced(str(exc), pdf)
            raise DamagedStream(f"page {number}: the page's content cannot be read ({why})") from None
        fault = lexical_fault(data) if items else None
        if fault:
            raise DamagedStream(f"page {number}: the page's content cannot be read ({fault})")


def _content(stream: Stream, held: dict[tuple[int, int], bytes]) -> bytes:
    """A content stream's data as qpdf decodes it: as validation inflated it (``held``), or decoded now."""
    data = held.get(stream.objgen) if held else None
    return decoded(stream) if data is None else data


def _unplaced(message: str, pdf: Pdf) -> str:
    """qpdf's message without the file's name and the place in it it starts with (a stream read from the file
    as opened names it: a path, or ``stream <file>``; a copy's, read from memory, did not)."""
    return re.sub(re.escape(pdf.filename) + r" \([^)]*\): ", "", message, count=1)


_REFERENCE = re.compile(rb"\((?:[^\\)]|\\.)*\)|(\d+) (\d+) R\b", re.S)
"""A reference in qpdf's syntax, or a literal string (in which qpdf escapes every parenthesis) to pass over."""


def reached(pdf: Pdf) -> set[tuple[int, int]] | None:
    """The objects ``pdf``'s trailer reaches, which qpdf writes (and no other); None when one cannot be read."""
    seen: set[tuple[int, int]] = set()
    todo = [pdf.trailer]
    try:
        while todo:
            obj = todo.pop()
            text = obj.stream_dict.unparse() if isinstance(obj, Stream) else obj.unparse(resolved=True)
            if b" R" not in text:
                continue
            for ref in _REFERENCE.finditer(text):
                if ref.group(1) is not None and (objgen := (int(ref.group(1)), int(ref.group(2)))) not in seen:
                    seen.add(objgen)
                    found = pdf.get_object(objgen)
                    if found is not None:
                        todo.append(found)
    except Exception:  # noqa: BLE001 - qpdf could not write it either: every stream counts
        return None
    return seen

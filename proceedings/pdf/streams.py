"""Whether streams decode and page content reads: checked when a paper is stamped and when the volume is verified."""

from __future__ import annotations

import io
import re
import zlib

from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject


class DamagedStream(ValueError):
    """A stream of a paper does not decode, or a page's content does not read (it cannot go into the volume)."""


GENERAL = {"/FlateDecode", "/Fl", "/LZWDecode", "/LZW", "/ASCII85Decode", "/A85", "/ASCIIHexDecode", "/AHx",
           "/RunLengthDecode", "/RL"}
"""The general-purpose filters, which readers (and ``qpdf --check``) decode; image codecs are left to viewers."""


def stream_fault(stream) -> str | None:
    """Why a stream does not decode, or None when it does (strictly: Flate data must end)."""
    try:
        filters = stream.get("/Filter")
        filters = filters.get_object() if filters is not None else None
        names = [str(f) for f in filters] if isinstance(filters, list) else ([str(filters)] if filters else [])
        if names and names[0] in ("/FlateDecode", "/Fl"):
            inflater = zlib.decompressobj()
            inflated = inflater.decompress(stream._data)
            if not inflater.eof:
                return "the Flate data ends early"
            if len(names) == 1 and "/DecodeParms" not in stream:
                return None
            if len(names) == 1:  # a predictor: its rows' filter bytes are all that can be wrong (pypdf's own
                return _predictor_fault(stream.get("/DecodeParms"), inflated)  # decoding is slow in Python)
        if names and all(n in GENERAL for n in names):
            stream.get_data()
        if names and names[-1] in ("/DCTDecode", "/DCT") and all(n in GENERAL for n in names[:-1]):
            return jpeg_fault(stream.get_data() if len(names) > 1 else stream._data)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a fault
        return f"{type(exc).__name__}: {exc}"
    return None


def _predictor_fault(parms, data: bytes) -> str | None:
    """Why Flate-inflated ``data`` does not undo its /DecodeParms predictor, or None (PNG predictors: each row
    starts with a filter type 0–4; TIFF predictor 2 and none: nothing to check)."""
    parms = parms.get_object() if parms is not None else None
    if isinstance(parms, ArrayObject):
        parms = parms[0].get_object() if len(parms) else None
    if not isinstance(parms, DictionaryObject):
        return None
    predictor = int(parms.get("/Predictor", 1))
    if predictor < 10:
        return None
    columns, colors, bits = (int(parms.get(k, d))
                             for k, d in (("/Columns", 1), ("/Colors", 1), ("/BitsPerComponent", 8)))
    row = (columns * colors * bits + 7) // 8 + 1
    if row <= 1:
        return "the predictor's /Columns, /Colors or /BitsPerComponent are not positive"
    bad = next((i for i in range(0, len(data), row) if data[i] > 4), None)
    return None if bad is None else f"PNG predictor row {bad // row}: unknown filter type {data[bad]}"


def jpeg_fault(data: bytes) -> str | None:
    """Why JPEG data does not decode (as libjpeg reads it: a truncated image is only a warning), or None."""
    from PIL import Image  # ReportLab's dependency

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except Image.DecompressionBombError:
        return None  # too large to check here; the memory limit guards the readers
    except Exception as exc:  # noqa: BLE001 - any decoder failure
        return None if "truncated" in str(exc) else f"the JPEG image does not decode ({exc})"
    return None


def _get_object(value):
    return value.get_object() if value is not None else None


def page_stream_faults(page, resolve=_get_object) -> list[str]:
    """Why some content stream of ``page`` does not decode (empty when all of them do); ``resolve`` turns a
    reference into its object (pypdf's by default; the volume reader's when verifying the bound volume)."""
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
_SIMPLE = (rb"[\s\x00]++|%[^\r\n]*+|/[^\s\x00()<>\[\]{}/%]*+|[^\s\x00()<>\[\]{}/%]++"
           rb"|\((?:[^()\\]++|\\.)*+\)|<[0-9A-Fa-f\s\x00]*+>")
_PLAIN_RUN = re.compile(rb"(?:" + _SIMPLE + rb"|\[(?:" + _SIMPLE + rb")*+\])*+", re.DOTALL)
"""Tokens that cannot be wrong on their own (spaces, comments, names, words: numbers and operators; strings
without unescaped parentheses; hex strings) and arrays of them (a ``TJ`` array): what nearly all page content
is, skipped in one C-level match. Possessive, so a run that stops early never backtracks."""
_STRING_STOP = re.compile(rb"[()\\]")
_END_IMAGE = re.compile(rb"[\s\x00]EI(?=[\s\x00]|$)")


def lexical_fault(content: bytes) -> str | None:
    """Why decoded page content does not tokenize as PDF content (as ``qpdf --check`` reads it), or None.

    Unterminated strings, malformed hex strings, stray ``>`` or ``)``, unbalanced arrays and
    dictionaries, inline images without ``EI``.
    """
    stack: list[bytes] = []
    pos, end = 0, len(content)
    fast = b"ID" not in content  # no inline image: runs of plain tokens can be skipped in one C-level match
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


def _clean_name(value):
    return NameObject(value.replace("\x00", "")) if isinstance(value, NameObject) and "\x00" in value else value


def _drop_nul_names(objects: list) -> None:
    """Remove NUL characters from names (``/#00``, never valid: qpdf warns) in every object, in place."""
    for obj in objects:
        todo = [obj]
        while todo:
            item = todo.pop()
            if isinstance(item, DictionaryObject):
                for key in [k for k in item if "\x00" in k]:
                    item[NameObject(key.replace("\x00", "") or "/NUL")] = item.pop(key)
                for key, value in list(item.items()):
                    item[key] = _clean_name(value)
                    if isinstance(value, (DictionaryObject, ArrayObject)):
                        todo.append(value)
            elif isinstance(item, ArrayObject):
                for i, value in enumerate(item):
                    item[i] = _clean_name(value)
                    if isinstance(value, (DictionaryObject, ArrayObject)):
                        todo.append(value)


def check_part(writer, pages: list[int]) -> None:
    """Raise :class:`DamagedStream` when a stream of ``writer`` does not decode or a page's content
    (``pages``: indices) cannot be read: what ``qpdf --check`` would find in the volume. Entries of a
    page's contents that are not streams (which readers skip) are dropped first."""
    for index in pages:  # readers ignore what is not a stream in a page's contents: so does the volume
        page = writer.pages[index]
        contents = page.get("/Contents")
        items = contents.get_object() if contents is not None else None
        if isinstance(items, ArrayObject):
            kept = ArrayObject(item for item in items if isinstance(item.get_object(), StreamObject))
            if len(kept) != len(items):
                page[NameObject("/Contents")] = kept
        elif items is not None and not isinstance(items, StreamObject):
            del page["/Contents"]
    _drop_nul_names(writer._objects)
    for number, obj in enumerate(writer._objects, 1):
        if isinstance(obj, StreamObject) and "/Filter" in obj:
            fault = stream_fault(obj)
            if fault:
                raise DamagedStream(f"a stream (object {number}) does not decode ({fault})")
    for number, index in enumerate(pages, 1):
        contents = writer.pages[index].get_contents()
        fault = lexical_fault(contents.get_data()) if contents is not None else None
        if fault:
            raise DamagedStream(f"page {number}: the page's content cannot be read ({fault})")

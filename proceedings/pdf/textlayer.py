"""The text of every page with its geometry, read with PDFium (pypdfium2): fast enough for every page.

A page becomes *spans* (a run of text PDFium keeps together: one text object on one line) and *lines*
(spans on one baseline, close enough to be one line of one column). Every box is in displayed
coordinates (:mod:`proceedings.pdf.geometry`): points from the bottom-left corner as the page is shown.
pypdf stays the library that writes; this module only reads.
"""

from __future__ import annotations

import ctypes
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import pypdfium2 as pdfium
from pypdfium2 import raw

from proceedings.pdf import pdfiumcalls as fp
from proceedings.pdf.fontstyle import PageFonts
from proceedings.pdf.geometry import PageBox, Rect
from proceedings.pdf.spancuts import split_line
from proceedings.util.once import once

log = logging.getLogger(__name__)

MAX_SPANS = 20_000
"""Most spans read from one page (a page of millions of glyphs is read in part)."""


@dataclass(slots=True)
class Span:
    """Text PDFium keeps together, with its box."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    """Font size in points."""
    bold: bool
    font: str = ""
    """The font's base name, subset prefix removed."""

    @property
    def box(self) -> Rect:
        return (self.x0, self.y0, self.x1, self.y1)


@dataclass(init=False)
class Line:
    """Spans on one baseline of one column, left to right (never changed once made: its facts are cached)."""

    spans: list[Span]
    x0: float
    y0: float
    x1: float
    y1: float

    def __init__(self, spans: list[Span]) -> None:  # every line's box is read (reading order, margins): made here
        self.spans = spans
        first = spans[0]
        x0, y0, x1, y1 = first.x0, first.y0, first.x1, first.y1
        for s in spans[1:]:  # as min() and max() would: a value replaces the one so far when it compares beyond
            if s.x0 < x0:
                x0 = s.x0
            if s.y0 < y0:
                y0 = s.y0
            if s.x1 > x1:
                x1 = s.x1
            if s.y1 > y1:
                y1 = s.y1
        self.x0, self.y0, self.x1, self.y1 = x0, y0, x1, y1

    @once
    def text(self) -> str:
        spans = self.spans
        if len(spans) == 1:
            return _spaced(spans[0].text)
        parts: list[str] = []
        spaced = False  # whether the text so far ends with a space
        prev = None
        for span in spans:
            if prev is not None and not spaced and span.x0 - prev.x1 > 0.15 * max(span.size, 1):
                parts.append(" ")
                spaced = True
            if span.text:
                parts.append(span.text)
                spaced = span.text.endswith(" ")
            prev = span
        return _spaced("".join(parts))

    @property
    def box(self) -> Rect:
        return (self.x0, self.y0, self.x1, self.y1)

    @property
    def size(self) -> float:
        return max((s.size for s in self.spans), default=0.0)

    @property
    def bold(self) -> bool:
        return bool(self.spans) and all(s.bold for s in self.spans if s.text.strip())


def _spaced(text: str) -> str:
    """White space runs as one space, none at the ends: the text itself when it has no white space but single
    spaces inside (every other white space character is one ``isprintable`` refuses), not split and joined."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


@dataclass
class PageText:
    """One page: its displayed size, its spans and lines."""

    number: int
    width: float
    height: float
    rotate: int = 0
    spans: list[Span] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    error: str = ""
    figures: list[Rect] = field(default_factory=list)
    """Boxes of the images and embedded drawings (form XObjects) placed on the page, displayed coordinates."""
    _body_size: float | None = field(default=None, repr=False, compare=False)

    def has_letters(self, count: int) -> bool:
        """Whether the page has at least ``count`` letters (counted span by span until there are enough)."""
        found = 0
        for span in self.spans:
            found += len(_NOT_LETTER.sub("", span.text))
            if found >= count:
                return True
        return False

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def body_size(self) -> float:
        """The most common font size, weighted by characters (the body text's size)."""
        if self._body_size is not None:
            return self._body_size
        weights: dict[float, int] = {}
        for span in self.spans:
            key = round(span.size * 2) / 2
            weights[key] = weights.get(key, 0) + len(span.text)
        self._body_size = max(weights, key=lambda k: (weights[k], -k)) if weights else 0.0
        return self._body_size

    def content_box(self) -> Rect | None:
        """The box around every span with a letter or digit (None: no text)."""
        boxes = [s.box for s in self.spans if any(c.isalnum() for c in s.text)]
        if not boxes:
            return None
        return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                max(b[3] for b in boxes))


def _bounded_text(textpage: Any, rect: Rect) -> str:
    left, bottom, right, top = rect
    n = raw.FPDFText_GetBoundedText(textpage, left, top, right, bottom, None, 0)
    if n <= 0:
        return ""
    buf = ctypes.create_string_buffer(n * 2 + 2)
    got = raw.FPDFText_GetBoundedText(textpage, left, top, right, bottom,
                                      ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)), n)
    return buf.raw[: max(got, 0) * 2].decode("utf-16-le", errors="replace").replace("\x00", "")


def _page_text(tp: Any, count: int) -> str:
    """The page's text, one character per PDFium character index: a character outside the Basic Multilingual
    Plane (math italic 𝑥) takes two indices, so it stays two surrogates here (see :func:`_joined`)."""
    # a power of two, at least 2 * (count + 1) bytes: ctypes makes an array type for each length (a tenth of a
    # millisecond) and keeps it, so a few lengths over all pages, not a new one for each
    buf = ctypes.create_string_buffer(1 << (2 * count + 1).bit_length())
    got = max(raw.FPDFText_GetText(tp, 0, count, ctypes.cast(buf, _USHORTS)) - 1, 0)
    text = ctypes.string_at(buf, got * 2).decode("utf-16-le", "surrogatepass")
    if len(text) == got:
        return text
    return "".join(map(chr, memoryview(buf).cast("B").cast("H")[:got]))  # a surrogate pair became one character


_USHORTS = ctypes.POINTER(ctypes.c_ushort)


_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_LETTER = re.compile(r"[\W\d_]+")


def _joined(text: str) -> str:
    """Surrogate pairs made characters again."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", errors="replace")


_LINE = re.compile(r"[^\r\n]+")
"""A run of characters between PDFium's line breaks."""


def _runs(text: str) -> list[tuple[int, str]]:
    """(index, text) of each run of characters between PDFium's line breaks: the text split at its CR LF pairs
    when it has no other CR or LF (PDFium's own breaks only), not matched character by character."""
    breaks = text.count("\r\n")
    if text.count("\r") != breaks or text.count("\n") != breaks:
        return [(m.start(), m.group()) for m in _LINE.finditer(text)]
    out: list[tuple[int, str]] = []
    start = 0
    for run in text.split("\r\n"):
        if run:
            out.append((start, run))
        start += len(run) + 2
    return out


def page_box(page: Any) -> PageBox:
    """A pypdfium2 page's visible box and rotation. pypdfium2 reads a page's own /MediaBox and /CropBox only
    (US Letter when it has none): unless the page has both, the box is PDFium's own (the media box clipped by
    the crop box, either inherited from the page tree)."""
    media, crop = page.get_mediabox(fallback_ok=False), page.get_cropbox(fallback_ok=False)
    if media is None or crop is None:
        return PageBox.from_boxes(page.get_bbox(), None, page.get_rotation())
    return PageBox.from_boxes(media, crop, page.get_rotation())


def read_spans(page: Any, box: PageBox) -> list[Span]:
    """The spans of a pypdfium2 page, in content order, boxes in displayed coordinates.

    PDFium's text comes in one call; each of its lines is cut into the rectangles PDFium computes
    for it (one per text object), and a line with several is split by its characters' boxes.
    """
    textpage = page.get_textpage()
    try:
        tp = textpage.raw
        count = raw.FPDFText_CountChars(tp)
        if count <= 0:
            return []
        text = _page_text(tp, count)
        if len(text) != count:  # surrogate pairs: indices no longer match, take the slow way
            return _read_spans_bounded(tp, count, box)
        values = (ctypes.c_double * 4)()  # a rectangle's left, top, right, bottom, read as one list
        ref_left, ref_top, ref_right, ref_bottom = (ctypes.byref(values, 8 * k) for k in range(4))
        out: list[Span] = []
        surrogates = _SURROGATE.search(text) is not None  # surrogate pairs made characters again, if any
        style = PageFonts(tp).style
        handle = fp.handle(tp)
        count_rects, get_rect, add, visual = fp.count_rects, fp.get_rect, out.append, box.rect_to_visual
        for start, line in _runs(text):
            if len(out) >= MAX_SPANS:
                break
            length = len(line)
            rects: list[Rect] = []
            for i in range(count_rects(handle, start, length)):
                if get_rect(handle, i, ref_left, ref_top, ref_right, ref_bottom):
                    left, top, right, bottom = values[:]
                    rects.append((left, bottom, right, top))
            if not rects:
                continue
            if len(rects) == 1:
                pieces = [(start, line, rects[0])]
            else:
                pieces = split_line(handle, text, start, length, rects)
            for first, piece, rect in pieces:
                if not piece or piece.isspace():
                    continue
                size, bold, font = style(first)
                if size <= 0:
                    size = max(rect[3] - rect[1], 0.5)
                x0, y0, x1, y1 = visual(rect)
                add(Span(_joined(piece) if surrogates else piece, x0, y0, x1, y1, size, bold, font))
        return out
    finally:
        textpage.close()


def _read_spans_bounded(tp: Any, count: int, box: PageBox) -> list[Span]:
    rects = min(raw.FPDFText_CountRects(tp, 0, count), MAX_SPANS)
    left, top, right, bottom = (ctypes.c_double() for _ in range(4))
    refs = [ctypes.byref(v) for v in (left, top, right, bottom)]
    out: list[Span] = []
    style = PageFonts(tp).style
    for i in range(rects):
        if not raw.FPDFText_GetRect(tp, i, *refs):
            continue
        rect = (left.value, bottom.value, right.value, top.value)
        text = _bounded_text(tp, rect)
        if not text.strip():
            continue
        h = max(rect[3] - rect[1], 0.5)
        index = raw.FPDFText_GetCharIndexAtPos(tp, rect[0] + min(1.0, (rect[2] - rect[0]) / 2),
                                               (rect[1] + rect[3]) / 2, 1.0, h / 2)
        size, bold, font = style(index) if index >= 0 else (h, False, "")
        out.append(Span(text, *box.rect_to_visual(rect), size if size > 0 else h, bold, font))
    return out


MAX_OBJECTS = 20_000
"""Most page objects looked at for figures (a page of millions of path objects is looked at in part)."""


def read_figures(page: Any, box: PageBox) -> list[Rect]:
    """Boxes of the page's top-level images and form XObjects (included figures), displayed coordinates."""
    count = min(raw.FPDFPage_CountObjects(page.raw), MAX_OBJECTS)
    handle = fp.handle(page.raw)
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    refs = [ctypes.byref(v) for v in (left, bottom, right, top)]
    kinds = (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_FORM)
    out: list[Rect] = []
    for i in range(count):
        obj = fp.page_object(handle, i)
        if not obj or fp.object_type(obj) not in kinds:
            continue
        if fp.object_bounds(obj, *refs) and right.value - left.value > 2 and top.value - bottom.value > 2:
            out.append(box.rect_to_visual((left.value, bottom.value, right.value, top.value)))
    return out


def group_lines(spans: list[Span]) -> list[Line]:
    """Spans on one baseline that follow each other closely, as lines, top to bottom and left to right."""
    try:
        ordered = sorted(spans, key=_row_key)
    except (OverflowError, ValueError):  # a box not finite
        ordered = sorted(spans, key=_row_key_float)
    lines: list[Line] = []
    rows: list[list[Span]] = []
    for span in ordered:
        y0, y1, size = span.y0, span.y1, span.size
        reach = 0.35 * (size if size > 1.0 else 1.0) * 2  # never below 2 * tol: a row further away is passed by
        for row in rows[-3:]:  # the latest rows
            ref = row[-1]
            dy = abs(ref.y0 - y0)
            if dy > reach:
                continue
            least = ref.size if ref.size < size else size
            tol = 0.35 * least if least > 1.0 else 0.35
            if dy <= tol or dy <= 2 * tol and abs(ref.y1 - y1) <= tol:
                row.append(span)
                break
        else:
            rows.append([span])
    for row in rows:
        if len(row) == 1:  # most rows: one span, one line
            lines.append(Line(row))
            continue
        row.sort(key=_by_x)
        current = [row[0]]
        last = row[0]
        for span in row[1:]:
            most = max(span.size, last.size, 1.0)
            if span.x0 - last.x1 > 1.2 * most:
                lines.append(Line(current))
                current = [span]
            else:
                current.append(span)
            last = span
        lines.append(Line(current))
    return lines


_by_x = attrgetter("x0")


def _row_key(span: Span) -> tuple[float, float]:
    return (-round(span.y0), span.x0)  # as round(y0, 0) for a finite y0, without the float formatting it does


def _row_key_float(span: Span) -> tuple[float, float]:
    return (-round(span.y0, 0), span.x0)


def reading_order(lines: list[Line], width: float) -> list[Line]:
    """Lines column by column (left half, then right half), top to bottom: a phrase broken across two lines
    of one column reads on."""
    half = 0.5 * width - 2
    try:  # round(y0) as round(y0, 0) for a finite y0, without the float formatting it does
        return sorted(lines, key=lambda ln: (ln.x0 >= half, -round(ln.y0), ln.x0))
    except (OverflowError, ValueError):  # a box not finite
        return sorted(lines, key=lambda ln: (ln.x0 >= half, -round(ln.y0, 0), ln.x0))


class TextLayer:
    """Every page of one PDF, read once and on demand; never raises for a hostile page."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pdf = pdfium.PdfDocument(data)
        self.count = len(self._pdf)
        self._pages: dict[int, PageText] = {}
        self.figure_pages: set[int] | None = None
        """The pages that may show a figure (an image or form object), when known: the others' objects are not
        looked through for one (None: every page's are)."""

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, number: int) -> PageText:
        """Page ``number`` (1-based)."""
        if number not in self._pages:
            self._pages[number] = self._read(number)
        return self._pages[number]

    def __iter__(self) -> Iterator[PageText]:
        return (self[n] for n in range(1, self.count + 1))

    def _read(self, number: int) -> PageText:
        try:
            page = self._pdf[number - 1]
        except Exception as exc:  # noqa: BLE001 - a broken page object
            return PageText(number, 612, 792, error=f"{type(exc).__name__}: {exc}")
        try:
            box = page_box(page)
            width, height = box.visual
            out = PageText(number, width, height, box.rotate)
            try:
                out.spans = read_spans(page, box)
            except Exception as exc:  # noqa: BLE001 - hostile content streams
                out.error = f"{type(exc).__name__}: {exc}"
                log.debug("page %d: text not read: %s", number, out.error)
            out.lines = reading_order(group_lines(out.spans), width)
            try:
                if self.figure_pages is None or number in self.figure_pages:
                    out.figures = read_figures(page, box)
            except Exception as exc:  # noqa: BLE001 - a hostile page: no figure boxes
                log.debug("page %d: figures not read: %s", number, exc)
            return out
        finally:
            page.close()

    def close(self) -> None:
        self._pages.clear()
        self._pdf.close()


def open_layer(data: bytes) -> TextLayer | None:
    """The text layer of a PDF's bytes; None when PDFium cannot open it."""
    try:
        return TextLayer(data)
    except Exception as exc:  # noqa: BLE001 - PdfiumError, a password, a broken file
        log.debug("PDFium cannot open the file: %s", exc)
        return None

"""Page numbers and running footers stamped onto existing pages (pikepdf), leaving their content untouched.

One Form XObject holds the running footer and one subset font the digits and roman numerals;
each page gets two tiny streams around its own (compressed, unmodified) content streams:
``q`` before, and ``Q`` plus the stamp after.
"""

from __future__ import annotations

import copy
import io
import logging
from dataclasses import dataclass
from typing import Any

from pikepdf import Array, Dictionary, Pdf, Stream

from proceedings.pdf.geometry import PageBox, pikepdf_page_box
from proceedings.pdf.written import Ref, WrittenPart
from proceedings.typeset import fonts

log = logging.getLogger(__name__)

FOOTER_NAME = "/PrFooter"
NUMBER_FONT = "/PrNum"
NUMBER_SIZE = 9.0
FOOTER_SIZE = 7.5
SIDE_MARGIN = 54.0  # ACM sigconf text block starts 0.75in from the edge
BASELINE = 26.0  # inside the bottom margin, below the text block of a sigconf page
FRONT_BASELINE = 40.0
GLYPHS = "0123456789ivxlcdm"
FOOTER_GAP = 12.0
"""Least room between the running footer and the page number beside it."""
WIDEST_NUMBER = "88888"
"""The page number the footer leaves room for (so that it is one size on every page of a volume)."""


@dataclass
class StampResources:
    """The shared stamp objects, once inside one PDF being written."""

    footer: Stream
    font: Dictionary
    open_q: Stream


class Stamper:
    """Stamps page numbers (and the running footer) on pages of a pikepdf ``Pdf``."""

    def __init__(self, footer_text: str) -> None:
        data, self.footer_width, self._widths = _template(footer_text)
        self._template = Pdf.open(io.BytesIO(data))
        res = self._template.pages[0].obj.Resources
        self._footer = next(iter(res.XObject.values()))
        self._font = next(v for v in res.Font.values() if str(v.BaseFont).endswith("-Regular"))

    def number_width(self, number: str) -> float:
        """Points a page number takes, at the size it is stamped."""
        return sum(self._widths[ch] for ch in number) * NUMBER_SIZE / 1000

    def footer_scale(self, width: float) -> float:
        """How much the footer is scaled down to fit beside any page number on a page ``width`` wide (1: it fits)."""
        room = width - 2 * SIDE_MARGIN - FOOTER_GAP - self.number_width(WIDEST_NUMBER)
        return 1.0 if self.footer_width <= room else max(room, 1.0) / self.footer_width

    def install(self, pdf: Pdf) -> StampResources:
        """Copy the shared objects into ``pdf`` (once per PDF: pass the result to :meth:`stamp`)."""
        return StampResources(footer=pdf.copy_foreign(self._footer), font=pdf.copy_foreign(self._font),
                              open_q=pdf.make_stream(b"q\n"))

    def stamp(self, pdf: Pdf, res: StampResources, page_index: int, number: str, *, footer: bool,
              centred: bool = False) -> None:
        """Stamp ``number`` (and the footer) at the visual bottom of page ``page_index``."""
        page = pdf.pages[page_index].obj
        matrix, width = _visual_matrix(page)
        num_w = self.number_width(number)
        odd = number.isdigit() and int(number) % 2 == 1
        ops = [f"Q q {' '.join(_num(v) for v in matrix)} cm 0 g"]
        baseline = FRONT_BASELINE if centred else BASELINE
        if centred:
            num_x = (width - num_w) / 2
        else:
            num_x = width - SIDE_MARGIN - num_w if odd else SIDE_MARGIN
        if footer and self.footer_width:
            scale = self.footer_scale(width)
            foot_x = SIDE_MARGIN if odd else width - SIDE_MARGIN - self.footer_width * scale
            ops.append(f"q {_num(scale)} 0 0 {_num(scale)} {_num(foot_x)} {_num(baseline)} cm {FOOTER_NAME} Do Q")
        ops.append(f"BT {NUMBER_FONT} {_num(NUMBER_SIZE)} Tf {_num(num_x)} {_num(baseline)} Td ({number}) Tj ET Q\n")
        tail = pdf.make_stream(" ".join(ops).encode("ascii"))

        contents = page.get("/Contents")
        if isinstance(contents, Array):
            existing = list(contents)
        elif isinstance(contents, Stream):
            existing = [contents]
        else:
            existing = []
        page.Contents = Array([res.open_q, *existing, tail])

        old = page.get("/Resources")  # copied, not changed: pages may share it (shallow copies: direct objects)
        new = copy.copy(old) if isinstance(old, Dictionary) else Dictionary()
        for key, name, ref in (("/Font", NUMBER_FONT, res.font), ("/XObject", FOOTER_NAME, res.footer)):
            sub = new.get(key)
            merged = copy.copy(sub) if isinstance(sub, Dictionary) else Dictionary()
            merged[name] = ref
            new[key] = merged
        page.Resources = new


def shared_numbers(data: bytes) -> tuple[int, ...]:
    """The object numbers of the shared stamp objects (the ``q`` stream, the footer form, the number font and
    what they refer to) in a written part, in one order for every part (depth first from those three, keys
    sorted): binding writes them once and points every part's references at that copy. Empty when no page of
    the part is stamped. Read from the part's bytes ``data`` (:mod:`~proceedings.pdf.written`), not opened again."""
    part = WrittenPart(data)
    tree = part.resolve(part.resolve(part.trailer().get("/Root", {})).get("/Pages"))
    for ref in tree.get("/Kids", []) if isinstance(tree, dict) else []:
        page = part.resolve(ref)
        res = part.resolve(page.get("/Resources")) if isinstance(page, dict) else None
        contents = part.resolve(page.get("/Contents")) if isinstance(page, dict) else None
        fonts_ = part.resolve(res.get("/Font")) if isinstance(res, dict) else None
        forms = part.resolve(res.get("/XObject")) if isinstance(res, dict) else None
        if isinstance(fonts_, dict) and NUMBER_FONT in fonts_ and isinstance(contents, list) and forms:
            roots = [contents[0], forms[FOOTER_NAME], fonts_[NUMBER_FONT]]
            break
    else:
        return ()
    order: list[int] = []
    seen: set[int] = set()

    def visit(ref: Any, depth: int = 0) -> None:  # the stamp's own objects (the template's): a shallow graph
        if not isinstance(ref, Ref) or ref in seen:
            return
        seen.add(ref)
        order.append(int(ref))
        if depth < 32:
            for found in part.references(ref):  # as written: keys in order, depth first
                visit(found, depth + 1)

    for root in roots:
        visit(root)
    return tuple(order)


def _draw_template(footer_text: str) -> tuple[bytes, float, dict[str, float]]:
    """The footer form and the number font, drawn with ReportLab; the footer's width; glyph widths (1/1000 em)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    fonts.register()
    footer_width = stringWidth(footer_text, fonts.ITALIC, FOOTER_SIZE)
    buf = io.BytesIO()
    canv = Canvas(buf, pagesize=(612, 792), invariant=1, pageCompression=1, initialFontName=fonts.REGULAR)
    canv.beginForm("footer", lowerx=0, lowery=-3, upperx=max(footer_width, 1), uppery=FOOTER_SIZE + 2)
    canv.setFillGray(0.3)
    canv.setFont(fonts.ITALIC, FOOTER_SIZE)
    canv.drawString(0, 0, footer_text)
    canv.endForm()
    canv.doForm("footer")
    canv.setFont(fonts.REGULAR, NUMBER_SIZE)
    canv.drawString(0, 0, GLYPHS)
    canv.showPage()
    canv.save()
    return buf.getvalue(), footer_width, {ch: stringWidth(ch, fonts.REGULAR, 1000) for ch in GLYPHS}


_TEMPLATE_VERSION = 1


def _template(footer_text: str) -> tuple[bytes, float, dict[str, float]]:
    """:func:`_draw_template`, kept beside the font instances: later builds need no ReportLab to stamp."""
    import hashlib
    import json

    from proceedings.util.atomic import write_bytes

    key = hashlib.sha256(f"{_TEMPLATE_VERSION}\0{footer_text}".encode()).hexdigest()[:16]
    path = fonts.font_dir() / "stamps" / f"{key}.pdf"
    try:
        data = path.read_bytes()
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        return data, float(meta["footer_width"]), {k: float(v) for k, v in meta["widths"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    data, footer_width, widths = _draw_template(footer_text)
    try:
        write_bytes(path.with_suffix(".json"), json.dumps({"footer_width": footer_width, "widths": widths}).encode())
        write_bytes(path, data)
    except OSError:  # a read-only font folder: drawn again next time
        pass
    return data, footer_width, widths


def _num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _visual_matrix(page: Dictionary) -> tuple[tuple[float, ...], float]:
    """Matrix from visual coordinates (origin bottom-left as displayed) to user space; and visual width."""
    box = pikepdf_page_box(page) or PageBox(0.0, 0.0, 612.0, 792.0, 0)
    return box.from_visual_matrix(), box.visual[0]

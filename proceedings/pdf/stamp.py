"""Page numbers and running footers stamped onto existing pages, leaving their content untouched.

One Form XObject holds the running footer and one subset font the digits and roman numerals;
each page gets two tiny streams around its own (compressed, unmodified) content streams:
``q`` before, and ``Q`` plus the stamp after.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, IndirectObject, NameObject

from proceedings.pdf.geometry import PageBox, pypdf_page_box
from proceedings.typeset import fonts

log = logging.getLogger(__name__)

FOOTER_NAME = NameObject("/PrFooter")
NUMBER_FONT = NameObject("/PrNum")
NUMBER_SIZE = 9.0
FOOTER_SIZE = 7.5
SIDE_MARGIN = 54.0  # ACM sigconf text block starts 0.75in from the edge
BASELINE = 26.0  # inside the bottom margin, below the text block of a sigconf page
FRONT_BASELINE = 40.0
GLYPHS = "0123456789ivxlcdm"


@dataclass
class StampResources:
    """The shared stamp objects, once inside one writer."""

    footer: IndirectObject
    font: IndirectObject
    open_q: IndirectObject
    objects: tuple[int, int]
    """First and last object number of the shared objects in this writer (the same layout in every writer)."""


class Stamper:
    """Stamps page numbers (and the running footer) on pages of a PdfWriter."""

    def __init__(self, footer_text: str) -> None:
        data, self.footer_width, self._widths = _template(footer_text)
        self._template = PdfReader(io.BytesIO(data))
        res = self._template.pages[0]["/Resources"]
        self._footer = next(iter(res["/XObject"].values()))
        font_dict = res["/Font"]
        self._font = next(v for v in font_dict.values() if str(v.get_object()["/BaseFont"]).endswith("-Regular"))

    def install(self, writer: PdfWriter) -> StampResources:
        """Copy the shared objects into ``writer`` (once per writer; kept on the writer itself)."""
        res = getattr(writer, "_proceedings_stamp", None)
        if res is None:
            first = len(writer._objects) + 1
            q = DecodedStreamObject()
            q.set_data(b"q\n")
            footer = self._footer.get_object().clone(writer).indirect_reference
            font = self._font.get_object().clone(writer).indirect_reference
            open_q = writer._add_object(q)
            res = StampResources(footer=footer, font=font, open_q=open_q, objects=(first, len(writer._objects)))
            writer._proceedings_stamp = res
        return res

    def stamp(self, writer: PdfWriter, page_index: int, number: str, *, footer: bool, centred: bool = False) -> None:
        """Stamp ``number`` (and the footer) at the visual bottom of page ``page_index``."""
        res = self.install(writer)
        page = writer.pages[page_index]
        matrix, width = _visual_matrix(page)
        num_w = sum(self._widths[ch] for ch in number) * NUMBER_SIZE / 1000
        odd = number.isdigit() and int(number) % 2 == 1
        ops = [f"Q q {' '.join(_num(v) for v in matrix)} cm 0 g"]
        baseline = FRONT_BASELINE if centred else BASELINE
        if centred:
            num_x = (width - num_w) / 2
        else:
            num_x = width - SIDE_MARGIN - num_w if odd else SIDE_MARGIN
        if footer and self.footer_width:
            foot_x = SIDE_MARGIN if odd else width - SIDE_MARGIN - self.footer_width
            ops.append(f"q 1 0 0 1 {_num(foot_x)} {_num(baseline)} cm {FOOTER_NAME} Do Q")
        ops.append(f"BT {NUMBER_FONT} {_num(NUMBER_SIZE)} Tf {_num(num_x)} {_num(baseline)} Td ({number}) Tj ET Q\n")
        tail = DecodedStreamObject()
        tail.set_data(" ".join(ops).encode("ascii"))
        tail_ref = writer._add_object(tail)

        contents = page.get("/Contents")
        existing: list = []
        if contents is not None:
            resolved = contents.get_object()
            if isinstance(resolved, ArrayObject):
                existing = list(resolved)
            else:
                existing = [contents if isinstance(contents, IndirectObject) else writer._add_object(resolved)]
        page[NameObject("/Contents")] = ArrayObject([res.open_q, *existing, tail_ref])

        old = page.get("/Resources")
        old = old.get_object() if old is not None else DictionaryObject()
        new = DictionaryObject(old) if isinstance(old, DictionaryObject) else DictionaryObject()
        for key, name, ref in (("/Font", NUMBER_FONT, res.font), ("/XObject", FOOTER_NAME, res.footer)):
            sub = new.get(key)
            sub = sub.get_object() if sub is not None else None
            merged = DictionaryObject(sub) if isinstance(sub, DictionaryObject) else DictionaryObject()
            merged[name] = ref
            new[NameObject(key)] = merged
        page[NameObject("/Resources")] = new


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


def _visual_matrix(page) -> tuple[tuple[float, ...], float]:
    """Matrix from visual coordinates (origin bottom-left as displayed) to user space; and visual width."""
    box = pypdf_page_box(page) or PageBox(0.0, 0.0, 612.0, 792.0, 0)
    return box.from_visual_matrix(), box.visual[0]

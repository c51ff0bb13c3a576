"""Shared ReportLab typography of the pages the tool draws (front matter, author index)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from proceedings.text import xml_escape
from proceedings.typeset import fonts

INK = "#1a1a1a"
MUTED = "#555555"
INK_COLOR, MUTED_COLOR = colors.HexColor(INK), colors.HexColor(MUTED)
"""As ReportLab's colours: a style or a fill given a string parses it every time it is drawn."""
LINK = "#1f3f7a"
RULE = colors.HexColor("#9a9a9a")
"""The rules of the programme's and the preface's tables."""
TABLE_FONT = ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR)
"""A table style entry every table takes: else ReportLab sets Helvetica, a font not embedded."""


def page_size(name: str) -> tuple[float, float]:
    """Page size in points for a rules.page_size name."""
    return A4 if name == "a4" else LETTER


def esc(text: str) -> str:
    """Escape text for a ReportLab Paragraph; a letter, digit, mark of punctuation or symbol no font of the volume
    has is drawn as U+FFFD (�): left as it is, it would print as nothing, a gap no proof reader sees (the build
    warns, naming it: :func:`proceedings.typeset.glyphs.check_glyphs`)."""
    return xml_escape(fonts.visible(text or ""), quotes=True)


@dataclass
class Styles:
    """The paragraph styles of the volume, one serif family."""

    family: str = field(default_factory=fonts.register)

    def __post_init__(self) -> None:
        f = fonts
        base = ParagraphStyle("body", fontName=f.REGULAR, fontSize=10.5, leading=14.5, textColor=INK_COLOR,
                              alignment=TA_JUSTIFY, spaceAfter=7)
        self.body = base
        self.body_left = ParagraphStyle("body-left", parent=base, alignment=TA_LEFT)
        self.small = ParagraphStyle("small", parent=base, fontSize=9, leading=12.5, spaceAfter=6)
        self.h1 = ParagraphStyle("h1", parent=base, fontName=f.BOLD, fontSize=20, leading=25, alignment=TA_LEFT,
                                 spaceBefore=0, spaceAfter=20)
        self.h2 = ParagraphStyle("h2", parent=base, fontName=f.BOLD, fontSize=12.5, leading=16, alignment=TA_LEFT,
                                 spaceBefore=12, spaceAfter=5, keepWithNext=1)
        self.h3 = ParagraphStyle("h3", parent=self.h2, fontName=f.BOLD_ITALIC, fontSize=11, leading=14, spaceBefore=8)
        self.title = ParagraphStyle("title", parent=base, fontName=f.BOLD, fontSize=23, leading=29,
                                    alignment=TA_CENTER, spaceAfter=14)
        self.over_title = ParagraphStyle("over-title", parent=base, fontName=f.REGULAR, fontSize=11, leading=14,
                                         alignment=TA_CENTER, textColor=MUTED_COLOR, spaceAfter=10)
        self.subtitle = ParagraphStyle("subtitle", parent=base, fontName=f.REGULAR, fontSize=13, leading=17,
                                       alignment=TA_CENTER, spaceAfter=4)
        self.center = ParagraphStyle("center", parent=base, alignment=TA_CENTER, spaceAfter=2)
        self.center_italic = ParagraphStyle("center-italic", parent=self.center, fontName=f.ITALIC,
                                            fontSize=9.5, leading=12, textColor=MUTED_COLOR, spaceAfter=7)
        self.editor = ParagraphStyle("editor", parent=self.center, fontName=f.REGULAR, fontSize=11.5, leading=14,
                                     spaceAfter=0)
        self.role = ParagraphStyle("role", parent=self.h2, fontSize=11.5, spaceBefore=14, spaceAfter=6)
        self.person = ParagraphStyle("person", parent=base, alignment=TA_LEFT, spaceAfter=1, leading=13.5)
        self.affil = ParagraphStyle("affil", parent=self.person, fontName=f.ITALIC, fontSize=9.5, textColor=MUTED_COLOR,
                                    spaceAfter=6)
        self.session = ParagraphStyle("session", parent=self.h2, fontSize=11.5, spaceBefore=14, spaceAfter=6)
        self.toc_title = ParagraphStyle("toc-title", parent=base, alignment=TA_LEFT, fontSize=10.5, leading=13.5,
                                        spaceAfter=0)
        self.toc_authors = ParagraphStyle("toc-authors", parent=self.toc_title, fontName=f.ITALIC, fontSize=9.5,
                                          leading=12, textColor=MUTED_COLOR)
        self.index_letter = ParagraphStyle("index-letter", parent=self.h2, fontSize=12, spaceBefore=10, spaceAfter=3)
        self.index_entry = ParagraphStyle("index-entry", parent=base, alignment=TA_LEFT, fontSize=9.5, leading=12,
                                          leftIndent=12, firstLineIndent=-12, spaceAfter=1)
        self.notice = ParagraphStyle("notice", parent=base, fontSize=8.5, leading=11.5, alignment=TA_LEFT,
                                     spaceAfter=8)
        self.program_day = ParagraphStyle("program-day", parent=self.h2, fontSize=14, leading=18, spaceBefore=6,
                                          spaceAfter=8)
        self.program_session = ParagraphStyle("program-session", parent=self.toc_title, fontSize=11, leading=14)
        self.program_detail = ParagraphStyle("program-detail", parent=self.toc_authors, fontSize=9, leading=11.5,
                                             spaceAfter=4)
        self.program_time = ParagraphStyle("program-time", parent=self.toc_title, fontSize=9.5, leading=13.5)
        self.over_title_left = ParagraphStyle("over-title-left", parent=self.over_title, alignment=TA_LEFT,
                                              spaceAfter=4)
        self.sponsor_name = ParagraphStyle("sponsor-name", parent=self.center, fontSize=9, leading=11,
                                           spaceBefore=4)


class Mark(Flowable):
    """An invisible flowable that records the 0-based page index where it lands."""

    def __init__(self, key: str, sink: dict[str, int]) -> None:
        super().__init__()
        self.key, self.sink = key, sink
        self.width = self.height = 0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.sink.setdefault(self.key, self.canv.getPageNumber() - 1)


def build_pdf(story: list[Flowable], size: tuple[float, float], *, title: str, author: str,
              margins: tuple[float, float, float, float] = (1.0 * inch, 0.95 * inch, 1.0 * inch, 1.0 * inch),
              on_page: Callable | None = None, columns: int = 1, gutter: float = 0.3 * inch,
              first_page_header: float = 0.0) -> bytes:
    """Lay out ``story`` on pages of ``size`` (margins: left, top, right, bottom); return the PDF bytes.

    The bottom margin is left empty: page numbers are stamped there later by the merge stage.
    """
    left, top, right, bottom = margins
    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=size, leftMargin=left, rightMargin=right, topMargin=top,
                          bottomMargin=bottom, title=title, author=author, creator="proceedings",
                          invariant=1, pageCompression=1, initialFontName=fonts.REGULAR)
    width = (size[0] - left - right - gutter * (columns - 1)) / columns
    height = size[1] - top - bottom

    def frames(header: float) -> list[Frame]:
        out = []
        if header:
            out.append(Frame(left, size[1] - top - header, size[0] - left - right, header, id="header",
                             leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0))
        for i in range(columns):
            out.append(Frame(left + i * (width + gutter), bottom, width, height - header, id=f"col{i}",
                             leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0))
        return out

    hook = on_page or (lambda c, d: None)
    templates = [PageTemplate(id="page", frames=frames(0.0), onPage=hook)]
    if first_page_header:
        templates.insert(0, PageTemplate(id="first", frames=frames(first_page_header), onPage=hook,
                                         autoNextPageTemplate="page"))
    doc.addPageTemplates(templates)
    doc.build(story)
    return buf.getvalue()

"""Contents lines: title, dot leaders and page number, recording where they land so they become links."""

from __future__ import annotations

from reportlab.platypus import Flowable, Paragraph

from proceedings.stages.plan import Placed
from proceedings.typeset import fonts
from proceedings.typeset.frontdata import MAX_TOC_TITLE, TocLink, shorten, toc_authors
from proceedings.typeset.styles import MUTED_COLOR, Styles, esc


class TocEntry(Flowable):
    """One line of the table of contents: title, dot leaders, page number; authors below.

    A paper's entry records its rectangle, so the merge stage can make it a link to the paper.
    """

    NUMBER_WIDTH = 30.0

    def __init__(self, title: str, number: int | str, styles: Styles, *, authors: str = "",
                 paper_id: str | None = None, sink: list[TocLink] | None = None,
                 target_page: int | None = None) -> None:
        super().__init__()
        self.number, self.styles, self.paper_id, self.sink = number, styles, paper_id, sink
        self.target_page = target_page
        self.title = Paragraph(title, styles.toc_title)
        self.authors = Paragraph(authors, styles.toc_authors) if authors else None

    @classmethod
    def of_paper(cls, placed: Placed, styles: Styles, sink: list[TocLink]) -> TocEntry:
        paper = placed.paper
        authors = esc(toc_authors([a.name for a in paper.authors]))
        return cls(esc(shorten(paper.title, MAX_TOC_TITLE)), placed.first_page, styles, authors=authors,
                   paper_id=paper.id, sink=sink)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        text_width = avail_width - self.NUMBER_WIDTH - 12
        _, self.th = self.title.wrap(text_width, avail_height)
        self.ah = self.authors.wrap(text_width, avail_height)[1] + 2 if self.authors else 0
        self.height = self.th + self.ah
        return self.width, self.height

    def _last_line_end(self) -> float:
        lines = self.title.blPara.lines
        last = lines[-1]
        extra = last.extraSpace if hasattr(last, "extraSpace") else last[0]
        return self.title.width - extra if hasattr(self.title, "width") else 0.0

    def draw(self) -> None:
        canv = self.canv
        style = self.styles.toc_title
        # drawn in reading order (title, leader, number, authors) so extracted text reads as printed
        self.title.drawOn(canv, 0, self.height - self.th)
        n_lines = len(self.title.blPara.lines)
        baseline = self.height - style.fontSize - (n_lines - 1) * style.leading
        number = str(self.number)
        number_x = self.width - canv.stringWidth(number, fonts.REGULAR, style.fontSize)
        start, stop = self._last_line_end() + 6, number_x - 6
        dot, pitch = ".", 4.0
        count = int((stop - start) // pitch)
        if count >= 2:
            canv.saveState()
            text = canv.beginText(stop - count * pitch, baseline)
            text.setFont(fonts.REGULAR, style.fontSize - 1)
            text.setFillColor(MUTED_COLOR)
            text.setCharSpace(pitch - canv.stringWidth(dot, fonts.REGULAR, style.fontSize - 1))
            text.textOut(dot * count)
            canv.drawText(text)
            canv.restoreState()
        canv.setFont(fonts.REGULAR, style.fontSize)
        canv.setFillColor(style.textColor)
        canv.drawString(number_x, baseline, number)
        if self.authors:
            self.authors.drawOn(canv, 0, 0)
        if self.sink is not None and (self.paper_id is not None or self.target_page is not None):
            x0, y0 = canv.absolutePosition(0, 0)
            x1, y1 = canv.absolutePosition(self.width, self.height)
            self.sink.append(TocLink(canv.getPageNumber() - 1, (x0, y0, x1, y1), self.paper_id, self.target_page))


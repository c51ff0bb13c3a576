"""Stage 4, front matter: title page, copyright page, contents, preface and committees, with ReportLab."""

from __future__ import annotations

import logging
import re

from markdown_it import MarkdownIt
from reportlab.lib.units import inch
from reportlab.platypus import (
    CondPageBreak, Flowable, KeepTogether, ListFlowable, ListItem, PageBreak, Paragraph, Spacer,
    Table, TableStyle,
)

from proceedings.typeset import fonts
from proceedings.typeset.frontdata import SECTIONS, FrontMatter, TocLink
from proceedings.typeset.glyphs import check_glyphs
from proceedings.context import BuildContext
from proceedings.project.model import Person, Project
from proceedings.stages.plan import Placed, Plan
from proceedings.text import date_range, join_names, person_sort_key
from proceedings.typeset.styles import LINK, MUTED, Mark, Styles, build_pdf, esc, page_size

log = logging.getLogger(__name__)

__all__ = ["SECTIONS", "FrontMatter", "TocLink", "check_glyphs", "make_front_matter", "markdown_flowables"]


class TocEntry(Flowable):
    """One line of the table of contents: title, dot leaders, page number; authors below.

    A paper's entry records its rectangle, so the merge stage can make it a link to the paper.
    """

    NUMBER_WIDTH = 30.0

    def __init__(self, title: str, number: int, styles: Styles, *, authors: str = "", paper_id: str | None = None,
                 sink: list[TocLink] | None = None) -> None:
        super().__init__()
        self.number, self.styles, self.paper_id, self.sink = number, styles, paper_id, sink
        self.title = Paragraph(title, styles.toc_title)
        self.authors = Paragraph(authors, styles.toc_authors) if authors else None

    @classmethod
    def of_paper(cls, placed: Placed, styles: Styles, sink: list[TocLink]) -> "TocEntry":
        paper = placed.paper
        return cls(esc(paper.title), placed.first_page, styles, authors=esc(join_names([a.name for a in paper.authors])),
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
            text.setFillColor(MUTED)
            text.setCharSpace(pitch - canv.stringWidth(dot, fonts.REGULAR, style.fontSize - 1))
            text.textOut(dot * count)
            canv.drawText(text)
            canv.restoreState()
        canv.setFont(fonts.REGULAR, style.fontSize)
        canv.setFillColor(style.textColor)
        canv.drawString(number_x, baseline, number)
        if self.authors:
            self.authors.drawOn(canv, 0, 0)
        if self.sink is not None and self.paper_id is not None:
            x0, y0 = canv.absolutePosition(0, 0)
            x1, y1 = canv.absolutePosition(self.width, self.height)
            self.sink.append(TocLink(canv.getPageNumber() - 1, (x0, y0, x1, y1), self.paper_id))


# --------------------------------------------------------------------------- Markdown


_md = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable("replacements").enable("smartquotes")


_INLINE_TAGS = {"strong_open": "<b>", "strong_close": "</b>", "em_open": "<i>", "em_close": "</i>",
                "link_close": "</a>", "softbreak": " ", "hardbreak": "<br/>"}


def _inline(tokens) -> str:
    """ReportLab paragraph markup of a Markdown inline run."""
    out: list[str] = []
    for tok in tokens or []:
        if tok.type in _INLINE_TAGS:
            out.append(_INLINE_TAGS[tok.type])
        elif tok.type in ("text", "image"):
            out.append(esc(tok.content))
        elif tok.type == "code_inline":
            out.append(f"<font color='#333333'>{esc(tok.content)}</font>")
        elif tok.type == "link_open":
            href = tok.attrs.get("href", "")
            out.append(f'<a href="{esc(str(href))}" color="{LINK}">' if href else "<a>")
    return "".join(out)


def markdown_flowables(text: str, styles: Styles) -> tuple[str | None, list[Flowable]]:
    """Render a Markdown subset (headings, paragraphs, emphasis, lists, links, quotes) as flowables.

    Returns the first level-1 heading (used as the section title) and the flowables.
    """
    tokens = _md.parse(text)
    title: str | None = None
    story: list[Flowable] = []
    stack: list[list] = []  # open lists: [ordered, items]
    item_stack: list[list[Flowable]] = []
    quote = 0

    def emit(flowable: Flowable) -> None:
        (item_stack[-1] if item_stack else story).append(flowable)

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            content = _inline(tokens[i + 1].children)
            level = int(tok.tag[1])
            if level == 1 and title is None and not story:
                title = re.sub(r"<[^>]+>", "", content)
            else:
                emit(Paragraph(content, styles.h2 if level <= 2 else styles.h3))
            i += 3
            continue
        if tok.type == "paragraph_open":
            style = styles.body_left if item_stack else styles.body
            if quote:
                style = styles.small
            emit(Paragraph(_inline(tokens[i + 1].children), style))
            i += 3
            continue
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            stack.append([tok.type == "ordered_list_open", []])
        elif tok.type == "list_item_open":
            item_stack.append([])
        elif tok.type == "list_item_close":
            stack[-1][1].append(ListItem(item_stack.pop(), leftIndent=16))
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            ordered, items = stack.pop()
            lst = ListFlowable(items, bulletType="1" if ordered else "bullet", start="1" if ordered else "•",
                               bulletFontName=fonts.REGULAR, bulletFontSize=9.5, leftIndent=16, spaceAfter=6)
            emit(lst)
        elif tok.type == "blockquote_open":
            quote += 1
        elif tok.type == "blockquote_close":
            quote -= 1
        elif tok.type in ("fence", "code_block"):
            emit(Paragraph(esc(tok.content).replace("\n", "<br/>"), styles.small))
        elif tok.type == "hr":
            emit(Spacer(1, 10))
        i += 1
    return title, story


# --------------------------------------------------------------------------- sections


def _title_page(project: Project, styles: Styles) -> list[Flowable]:
    w = project.workshop
    story: list[Flowable] = [Spacer(1, 0.9 * inch), Paragraph("Proceedings of", styles.over_title)]
    story.append(Paragraph(esc(w.title), styles.title))
    story.append(Paragraph(esc(w.acronym), styles.subtitle))
    if w.conference:
        conf = w.conference + (f" ({w.conference_acronym})" if w.conference_acronym else "")
        story.append(Paragraph("co-located with " + esc(conf), styles.center_italic))
    story.append(Spacer(1, 6))
    story.append(Paragraph(esc(w.location), styles.center))
    story.append(Paragraph(esc(date_range(w.start_date, w.end_date)), styles.center))
    story.append(Spacer(1, 0.55 * inch))
    story.append(Paragraph("Edited by", styles.over_title))
    for editor in w.editors:
        block = [Paragraph(esc(editor.name), styles.editor)]
        block.append(Paragraph(esc(editor.affiliation or ""), styles.center_italic))
        story.append(KeepTogether(block))
    story.append(Spacer(1, 0.3 * inch))
    publisher = [Paragraph(f"<b>{esc(w.publisher)}</b>", styles.center)]
    if w.publisher_address:
        publisher.append(Paragraph(esc(w.publisher_address), styles.center_italic))
    story.append(KeepTogether(publisher))
    return story


ACM_NOTICE = (
    "Copyright © {year} by the Association for Computing Machinery, Inc. (ACM). Permission to make digital or "
    "hard copies of portions of this work for personal or classroom use is granted without fee provided that "
    "copies are not made or distributed for profit or commercial advantage and that copies bear this notice and "
    "the full citation on the first page. Copyrights for components of this work owned by others than ACM must "
    "be honored. Abstracting with credit is permitted. To copy otherwise, to republish, to post on servers or to "
    "redistribute to lists, requires prior specific permission and/or a fee. Request permission to republish "
    "from: Publications Dept., ACM, Inc. Fax +1 (212) 869-0481 or permissions@acm.org."
)
GENERIC_NOTICE = (
    "Copyright © {year} for the individual papers by the papers' authors. Copyright © {year} for the volume as "
    "a collection by its editors. The papers of this volume are published by {publisher}."
)


def _copyright_page(project: Project, styles: Styles) -> list[Flowable]:
    w = project.workshop
    story: list[Flowable] = []
    is_acm = w.publisher.strip().upper() in {"ACM", "ASSOCIATION FOR COMPUTING MACHINERY"}
    head = "The Association for Computing Machinery" if is_acm else w.publisher
    story.append(Paragraph(f"<b>{esc(head)}</b>", styles.notice))
    if is_acm:
        story.append(Paragraph("1601 Broadway, 10th Floor<br/>New York, New York 10019-7434, USA", styles.notice))
    elif w.publisher_address:
        story.append(Paragraph(esc(w.publisher_address), styles.notice))
    text = w.copyright or (ACM_NOTICE if is_acm else GENERIC_NOTICE).format(year=w.year, publisher=w.publisher)
    for para in re.split(r"\n\s*\n", text.strip()):
        story.append(Paragraph(esc(para).replace("\n", " "), styles.notice))
    ids = []
    if w.isbn:
        ids.append(f"ISBN: {esc(w.isbn)}")
    if w.doi:
        ids.append(f"DOI: https://doi.org/{esc(w.doi)}" if not w.doi.startswith("http") else f"DOI: {esc(w.doi)}")
    if w.series:
        ids.append(esc(w.series) + (f", volume {esc(w.volume)}" if w.volume else ""))
    if w.url:
        ids.append(f'<a href="{esc(w.url)}" color="{LINK}">{esc(w.url)}</a>')
    for line in ids:
        story.append(Paragraph(line, styles.notice))
    conf = f"{w.acronym}: {w.title}"
    story.append(Spacer(1, 8))
    story.append(Paragraph(f"<i>{esc(conf)}</i>", styles.notice))
    story.append(Paragraph(esc(f"{w.location}, {date_range(w.start_date, w.end_date)}"), styles.notice))
    return story


def _contents(plan: Plan, styles: Styles, sink: list[TocLink]) -> list[Flowable]:
    story: list[Flowable] = []
    for session, papers in plan.sessions():
        entries: list[Flowable] = [Spacer(1, 5)]
        for placed in papers:
            entries.append(TocEntry.of_paper(placed, styles, sink))
            entries.append(Spacer(1, 7))
        if session:
            story.append(CondPageBreak(1.2 * inch))
            story.append(Paragraph(esc(session), styles.session))
        story.extend(entries)
    story.append(Spacer(1, 4))
    story.append(TocEntry("<b>Author Index</b>", plan.index_first_page, styles))
    return story


def _person_cell(person: Person, styles: Styles) -> list[Flowable]:
    cells = [Paragraph(esc(person.name), styles.person)]
    affil = ", ".join(x for x in (person.affiliation, person.country) if x)
    if affil:
        cells.append(Paragraph(esc(affil), styles.affil))
    return cells


def _organizers(people: list[Person], styles: Styles) -> list[Flowable]:
    groups: dict[str, list[Person]] = {}
    for person in people:
        groups.setdefault(person.role or "Organizers", []).append(person)
    story: list[Flowable] = []
    for role, members in groups.items():
        block: list[Flowable] = [Paragraph(esc(role), styles.role)]
        for person in members:
            block.append(KeepTogether(_person_cell(person, styles)))
        story.extend(block)
    return story


def _committee(people: list[Person], styles: Styles, width: float) -> list[Flowable]:
    ordered = sorted(people, key=lambda p: person_sort_key(p.name, p.family))
    rows = [[Paragraph(esc(p.name), styles.person), Paragraph(esc(p.affiliation or ""), styles.affil)] for p in ordered]
    if not rows:
        return []
    table = Table(rows, colWidths=[width * 0.36, width * 0.64], repeatRows=0)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 6), ("TOPPADDING", (0, 0), (-1, -1), 1),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return [table]


def make_front_matter(project: Project, plan: Plan, ctx: BuildContext) -> FrontMatter:
    """Draw the front matter; page numbers are stamped later, at merge. (Glyphs: see :func:`check_glyphs`.)"""
    styles = Styles()
    size = page_size(project.workshop.rules.page_size)
    width = size[0] - 2 * inch
    marks: dict[str, int] = {}
    links: list[TocLink] = []
    titles = dict(SECTIONS)
    preface_title, preface = markdown_flowables(project.preface, styles) if project.preface.strip() else (None, [])
    if preface_title:
        titles["preface"] = preface_title

    def section(key: str, body: list[Flowable], heading: bool = True) -> list[Flowable]:
        head: list[Flowable] = [Mark(key, marks)]
        if heading:
            head.append(Paragraph(esc(titles[key]), styles.h1))
        return [*head, *body, PageBreak()]

    story: list[Flowable] = []
    story += section("title", _title_page(project, styles), heading=False)
    story += section("copyright", _copyright_page(project, styles), heading=False)
    story += section("contents", _contents(plan, styles, links))
    if preface:
        story += section("preface", preface)
    if project.organizers:
        story += section("organizers", _organizers(project.organizers, styles))
    if project.committee:
        story += section("committee", _committee(project.committee, styles, width))
    story.pop()  # no blank page after the last section
    w = project.workshop
    pdf = build_pdf(story, size, title=f"{w.acronym}: front matter", author=", ".join(e.name for e in w.editors))
    used = {k: titles[k] for k in marks}
    log.info("front matter: %d sections, %d contents links", len(marks), len(links))
    return FrontMatter(pdf=pdf, sections=dict(sorted(marks.items(), key=lambda kv: kv[1])), section_titles=used,
                       toc_links=links)


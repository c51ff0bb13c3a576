"""Stage 4, front matter: title page, copyright page, contents, preface and committees, with ReportLab."""

from __future__ import annotations

import logging
import re

from reportlab.lib.units import inch
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    KeepInFrame,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from proceedings.project.model import Person, Project
from proceedings.stages.plan import Plan
from proceedings.text import browser_link, date_range, person_sort_key, roman
from proceedings.typeset import fonts, program
from proceedings.typeset.frontdata import (
    FRONT_CONTENTS,
    INDEX_TARGET,
    MAX_TOC_TITLE,
    SECTIONS,
    FrontMatter,
    TocLink,
    shorten,
)
from proceedings.typeset.glyphs import check_glyphs
from proceedings.typeset.markdown import markdown_flowables
from proceedings.typeset.styles import LINK, MUTED_COLOR, Mark, Styles, build_pdf, esc, page_size
from proceedings.typeset.toc import TocEntry

log = logging.getLogger(__name__)

__all__ = ["SECTIONS", "FrontMatter", "TocLink", "check_glyphs", "draw_front_matter", "markdown_flowables"]


# --------------------------------------------------------------------------- sections


def _title_page(project: Project, styles: Styles) -> list[Flowable]:
    w = project.workshop
    art = program.logo(project)
    story: list[Flowable] = [Spacer(1, max(0.9 * inch - (art[0].drawHeight + 0.2 * inch if art else 0), 0)), *art,
                             Paragraph("Proceedings of", styles.over_title)]
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
        ids.append(f"DOI: https://doi.org/{esc(w.doi)}")  # loaded bare
    if w.series:
        ids.append(esc(w.series) + (f", volume {esc(w.volume)}" if w.volume else ""))
    if w.url:
        target = browser_link(w.url)
        ids.append(f'<a href="{esc(target)}" color="{LINK}">{esc(w.url.strip())}</a>' if target else esc(w.url))
    for line in ids:
        story.append(Paragraph(line, styles.notice))
    conf = f"{w.acronym}: {w.title}"
    story.append(Spacer(1, 8))
    story.append(Paragraph(f"<i>{esc(conf)}</i>", styles.notice))
    story.append(Paragraph(esc(f"{w.location}, {date_range(w.start_date, w.end_date)}"), styles.notice))
    return story


def _contents(plan: Plan, styles: Styles, sink: list[TocLink], front: list[tuple[str, int | None]]) -> list[Flowable]:
    """Front-matter sections (title, page, or None on the first pass), then the papers by session."""
    story: list[Flowable] = []
    for title, page in front:
        number = roman(page + 1) if page is not None else ""
        story.append(TocEntry(esc(shorten(title, MAX_TOC_TITLE)), number, styles, sink=sink, target_page=page))
        story.append(Spacer(1, 5))
    for run, (session, papers) in enumerate(plan.sessions()):
        entries: list[Flowable] = [Spacer(1, 5)]
        for placed in papers:
            entries.append(TocEntry.of_paper(placed, styles, sink))
            entries.append(Spacer(1, 7))
        if session:
            story.append(CondPageBreak(1.2 * inch))
            story.append(Paragraph(esc(session), styles.session))
        elif run:  # papers of no session after a session's: set apart by a rule, under no heading (as bookmarks)
            story.append(CondPageBreak(1.2 * inch))
            story.append(HRFlowable(width="100%", thickness=0.6, color=MUTED_COLOR, spaceBefore=10, spaceAfter=4))
        story.extend(entries)
    story.append(Spacer(1, 4))
    story.append(TocEntry("<b>Author Index</b>", plan.index_first_page, styles, paper_id=INDEX_TARGET, sink=sink))
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
    style = TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 6), ("TOPPADDING", (0, 0), (-1, -1), 1),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 0)])
    tables = []
    for start in range(0, len(rows), 40):  # tables of 40 rows: splitting one long table costs its square
        table = Table(rows[start:start + 40], colWidths=[width * 0.36, width * 0.64], repeatRows=0)
        table.setStyle(style)
        tables.append(table)
    return tables


def draw_front_matter(project: Project, plan: Plan) -> FrontMatter:
    """Draw the front matter; page numbers are stamped later, at merge. (Glyphs: see :func:`check_glyphs`.)

    Drawn until the front-matter pages the contents and programme print agree with where the sections
    land (twice, usually: the numbers do not change the layout).
    """
    styles = Styles()
    size = page_size(project.workshop.rules.page_size)
    width = size[0] - 2 * inch
    titles = dict(SECTIONS)
    talks = program.talks(project.program)
    for i, (_, _, item) in enumerate(talks):
        titles[program.talk_key(i)] = program.talk_title(item)
    # a preface of a heading and comments alone (the template's) is none: "while the file holds nothing else"
    preface_title, preface_body = markdown_flowables(project.preface, styles)
    has_preface = bool(preface_body)
    if has_preface:
        titles["preface"] = preface_title or titles["preface"]

    def compose(pages: dict[str, int], marks: dict[str, int], links: list[TocLink]) -> list[Flowable]:
        def section(key: str, body: list[Flowable], heading: bool = True) -> list[Flowable]:
            head: list[Flowable] = [Mark(key, marks)]
            if heading:
                head.append(Paragraph(esc(titles[key]), styles.h1))
            return [*head, *body, PageBreak()]

        present = {"preface": has_preface, "organizers": bool(project.organizers),
                   "committee": bool(project.committee), "program": bool(project.program),
                   "sponsors": bool(project.sponsors)}
        listed = [k for k in FRONT_CONTENTS if present[k]] + [program.talk_key(i) for i in range(len(talks))]
        listed += ["sponsors"] if present["sponsors"] else []
        story: list[Flowable] = []
        frame = size[1] - 1.95 * inch - 2  # build_pdf's margins: however many editors, one page
        flat = [f for block in _title_page(project, styles)
                for f in (block._content if isinstance(block, KeepTogether) else [block])]
        story += section("title", [KeepInFrame(width, frame, flat, mode="shrink")], heading=False)
        story += section("copyright", _copyright_page(project, styles), heading=False)
        story += section("contents", _contents(plan, styles, links, [(titles[k], pages.get(k)) for k in listed]))
        if has_preface:
            story += section("preface", markdown_flowables(project.preface, styles)[1])
        if project.organizers:
            story += section("organizers", _organizers(project.organizers, styles))
        if project.committee:
            story += section("committee", _committee(project.committee, styles, width))
        if project.program:
            talk_pages = {i: pages[program.talk_key(i)] for i in range(len(talks)) if program.talk_key(i) in pages}
            story += section("program", program.program_section(project, plan, styles, width, links, talk_pages))
        for i, (day, session, item) in enumerate(talks):
            story += section(program.talk_key(i), program.talk_page(day, session, item, styles), heading=False)
        if project.sponsors:
            story += section("sponsors", program.sponsors_section(project, styles, width))
        story.pop()  # no blank page after the last section
        return story

    w = project.workshop
    pages: dict[str, int] = {}
    for _ in range(4):
        marks: dict[str, int] = {}
        links: list[TocLink] = []
        pdf = build_pdf(compose(pages, marks, links), size, title=f"{w.acronym}: front matter",
                        author=", ".join(e.name for e in w.editors))
        if marks == pages:
            break
        pages = marks
    used = {k: titles[k] for k in marks}
    log.info("front matter: %d sections, %d contents links", len(marks), len(links))
    return FrontMatter(pdf=pdf, sections=dict(sorted(marks.items(), key=lambda kv: kv[1])), section_titles=used,
                       toc_links=links)

"""The programme, the keynote pages, the sponsors page and the title-page logo of the front matter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from proceedings.project.model import Project
from proceedings.project.program import (
    FRONT_MATTER,
    Day,
    Item,
    ProgramSession,
    day_heading,
    hhmm,
    talks,
)
from proceedings.stages.plan import Plan
from proceedings.text import browser_link, join_names, roman
from proceedings.typeset.markdown import markdown_flowables
from proceedings.typeset.styles import MUTED, RULE, TABLE_FONT, Styles, esc
from proceedings.typeset.toc import TocEntry, TocLink

TIME_COLUMN = 0.95 * inch
BAND = colors.HexColor("#ececec")


def talk_key(index: int) -> str:
    """The front-matter section key of the ``index``-th keynote or invited talk."""
    return f"talk-{index + 1}"


def talk_title(item: Item) -> str:
    """"Keynote: Title", as bookmarked and listed in the contents."""
    return f"{item.label}: {item.title}" if item.label else item.title or ""


def _span(start: dt.time | None, end: dt.time | None) -> str:
    return f"{hhmm(start)}–{hhmm(end)}" if start and end else hhmm(start)


def _item_cell(item: Item, project: Project, plan: Plan, styles: Styles, sink: list[TocLink],
               talk_pages: dict[int, int], talk_index: dict[int, int]) -> Flowable:
    """A paper with its authors and page (a link); a talk with its speaker and page; a break in italics."""
    if item.paper is not None:
        placed = next((p for p in plan.papers if p.paper.id == item.paper), None)
        paper = project.paper(item.paper)
        authors = esc(join_names([a.name for a in paper.authors])) if paper else ""
        if placed is None:  # left out of the volume: listed, without a page
            return Paragraph(f"{esc(paper.title if paper else item.paper)}<br/><i>{authors}</i>", styles.toc_title)
        return TocEntry.of_paper(placed, styles, sink)
    label = item.label
    title = f"{label}: <b>{esc(item.title or '')}</b>" if label else esc(item.title or "")
    who = ", ".join(esc(x) for x in (item.speaker, item.affiliation) if x)
    if item.kind_ == "break":
        return Paragraph(f"<i>{esc(item.title or '')}</i>", styles.toc_authors)
    index = talk_index.get(id(item))
    if index is not None:
        page = talk_pages.get(index)
        return TocEntry(title, roman(page + 1) if page is not None else "", styles, authors=who, sink=sink,
                        target_page=page)
    return Paragraph(title + (f"<br/><font color='{MUTED}'><i>{who}</i></font>" if who else ""), styles.toc_title)


def _session_table(day: Day, session: ProgramSession, project: Project, plan: Plan, styles: Styles,
                   width: float, sink: list[TocLink], talk_pages: dict[int, int],
                   talk_index: dict[int, int]) -> list[Flowable]:
    if not (session.items or session.room or session.chair):  # a break: one quiet line
        table = Table([[Paragraph(_span(session.start, session.end), styles.program_time),
                        Paragraph(f"<i>{esc(session.title)}</i>", styles.program_time)]],
                      colWidths=[TIME_COLUMN, width - TIME_COLUMN])
        table.setStyle(TableStyle([TABLE_FONT, ("LINEABOVE", (0, 0), (-1, 0), 0.4, RULE),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 4),
                                   ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
        return [table, Spacer(1, 10)]
    head = [Paragraph(f"<b>{esc(session.title)}</b>", styles.program_session)]
    details = [x for x in (session.room and esc(session.room),
                           session.chair and f"Chair: {esc(session.chair)}") if x]
    if details:
        head.append(Paragraph(" · ".join(details), styles.program_detail))
    rows: list[list] = [[Paragraph(f"<b>{_span(session.start, session.end)}</b>", styles.program_time), head]]
    for item in session.items:
        rows.append([Paragraph(_span(item.start, item.end), styles.program_time),
                     _item_cell(item, project, plan, styles, sink, talk_pages, talk_index)])
    table = Table(rows, colWidths=[TIME_COLUMN, width - TIME_COLUMN], repeatRows=1)
    table.setStyle(TableStyle([TABLE_FONT,
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), BAND),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, 0), 4), ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
        ("TOPPADDING", (0, 1), (-1, -1), 3), ("BOTTOMPADDING", (0, 1), (-1, -1), 4),
    ]))
    return [CondPageBreak(1.6 * inch), table, Spacer(1, 10)]


def program_section(project: Project, plan: Plan, styles: Styles, width: float, sink: list[TocLink],
                    talk_pages: dict[int, int]) -> list[Flowable]:
    """One block per day: its sessions with times, room and chair; papers with their pages; talks and breaks."""
    talk_index = {id(item): i for i, (_, _, item) in enumerate(talks(project.program))}
    story: list[Flowable] = []
    if project.workshop.timezone:
        story.append(Paragraph(f"All times are local ({esc(project.workshop.timezone)}).", styles.program_detail))
    for day in project.program:
        story.append(CondPageBreak(2.2 * inch))
        heading = day_heading(day.date) + (f": {day.title}" if day.title else "")
        story.append(Paragraph(esc(heading), styles.program_day))
        for session in day.sessions:
            story += _session_table(day, session, project, plan, styles, width, sink, talk_pages, talk_index)
    return story


def talk_page(day: Day, session: ProgramSession, item: Item, styles: Styles) -> list[Flowable]:
    """One keynote or invited talk: its kind above the title (unless the title begins with it: "Keynote: …"),
    speaker, affiliation, when, abstract and biography."""
    story: list[Flowable] = [Paragraph(esc(item.label), styles.over_title_left)] if item.label else []
    story.append(Paragraph(esc(item.title or ""), styles.h1))
    if item.speaker:
        story.append(Paragraph(f"<b>{esc(item.speaker)}</b>", styles.person))
    if item.affiliation:
        story.append(Paragraph(esc(item.affiliation), styles.affil))
    start, end = item.start or session.start, item.end or (None if item.start else session.end)
    when = f"{day_heading(day.date)}, {_span(start, end)}" + (f", {session.room}" if session.room else "")
    story.append(Paragraph(esc(when), styles.program_detail))
    for heading, text in (("Abstract", item.abstract), ("Biography", item.bio)):
        if text and text.strip():
            story.append(Paragraph(heading, styles.h2))
            story += markdown_flowables(text, styles)[1]
    return story


def fit_image(path: Path, max_width: float, max_height: float) -> Image:
    """An image scaled (never up beyond 2×) to fit the box, keeping its proportions."""
    from PIL import Image as PILImage

    with PILImage.open(path) as im:
        w, h = im.size
    scale = min(max_width / w, max_height / h, 2.0)
    return Image(str(path), width=w * scale, height=h * scale)


def logo(project: Project, max_height: float = 0.8 * inch) -> list[Flowable]:
    """The event's logo, centred, for the title page (nothing when there is none)."""
    if not project.workshop.logo:
        return []
    image = fit_image(project.root / FRONT_MATTER / project.workshop.logo, 3 * inch, max_height)
    image.hAlign = "CENTER"
    return [image, Spacer(1, 0.2 * inch)]


def sponsors_section(project: Project, styles: Styles, width: float) -> list[Flowable]:
    """The sponsors by level (levels in the order they first appear), logos in a grid; fewer, larger, first."""
    levels: dict[str, list] = {}
    for sponsor in project.sponsors:
        levels.setdefault(sponsor.level or "", []).append(sponsor)
    story: list[Flowable] = []
    for rank, (level, members) in enumerate(levels.items()):
        columns = min(2 + rank, 4)
        cell_w = width / columns
        cell_h = max(1.4 * inch - rank * 0.3 * inch, 0.6 * inch)
        cells = []
        for sponsor in members:
            cell: list[Flowable] = []
            if sponsor.logo:
                image = fit_image(project.root / FRONT_MATTER / sponsor.logo, cell_w - 24, cell_h)
                image.hAlign = "CENTER"
                cell.append(image)
            name = esc(sponsor.name)
            if sponsor.url:
                target = browser_link(sponsor.url)
                name = f'<a href="{esc(target)}">{name}</a>' if target else name
            cell.append(Paragraph(name, styles.sponsor_name))
            cells.append(cell)
        columns = min(columns, len(cells))  # a level with fewer sponsors than columns: centred, same size
        rows = [cells[i:i + columns] for i in range(0, len(cells), columns)]
        rows[-1] += [""] * (columns - len(rows[-1]))
        table = Table(rows, colWidths=[cell_w] * columns, hAlign="CENTER")
        table.setStyle(TableStyle([TABLE_FONT, ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                                   ("ALIGN", (0, 0), (-1, -1), "CENTER"), ("TOPPADDING", (0, 0), (-1, -1), 8),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 10)]))
        block: list[Flowable] = [Paragraph(esc(level), styles.role)] if level else []
        story.append(KeepTogether([*block, table]))
    return story

"""Text no font of the volume can draw, found before anything is drawn (no ReportLab needed once cached)."""

from __future__ import annotations

from proceedings.context import BuildContext
from proceedings.project.model import Project
from proceedings.text import join_names
from proceedings.typeset import fonts
from proceedings.typeset.frontdata import toc_authors


def check_glyphs(project: Project, ctx: BuildContext) -> None:
    """Warn, naming the character and where it is, for text no font of the volume can draw; and for
    author lists the table of contents shortens."""
    seen: set[str] = set()

    def look(where: str, text: str | None) -> None:
        new = [ch for ch in fonts.missing_glyphs(text or "") if ch not in seen]
        if not new:
            return
        seen.update(new)
        shown = [ch for ch in new if fonts.replaced(ch)]
        lost = [ch for ch in new if ch not in shown]  # marks, variation selectors: drawn as nothing
        for chars, effect in ((shown, f"the PDF shows {fonts.REPLACEMENT} in {{}} place"),
                              (lost, "the PDF leaves {} out")):
            if not chars:
                continue
            one = len(chars) == 1
            pronoun = ("its" if one else "their") if chars is shown else ("it" if one else "them")
            listed = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in chars)
            ctx.warn(f"{where}: no font of the volume has {'the character' if one else 'the characters'} "
                     f"{listed}: {effect.format(pronoun)} (write it in Latin letters, or leave it out)")

    w = project.workshop
    for key in ("title", "acronym", "conference", "location", "publisher", "copyright"):
        look(f"front_matter/workshop.yaml: {key}", getattr(w, key))
    for i, p in enumerate(w.editors):
        look(f"front_matter/workshop.yaml: editors[{i}]", f"{p.name} {p.affiliation or ''}")
    for fname, people in (("organizers", project.organizers), ("committee", project.committee)):
        for i, p in enumerate(people):
            look(f"front_matter/{fname}.yaml: [{i}]", f"{p.name} {p.affiliation or ''} {p.role or ''}")
    look("front_matter/preface.md", project.preface)
    for paper in project.papers:
        names = [a.name for a in paper.authors]
        if toc_authors(names) != join_names(names):
            ctx.warn(f"camera_ready/papers.yaml: paper {paper.id}: authors: {len(names)} authors; the table of "
                     "contents prints the first ones and \"et al.\" (the author index lists all)")
        look(f"camera_ready/papers.yaml: paper {paper.id}: title", paper.title)
        for j, a in enumerate(paper.authors):
            look(f"camera_ready/papers.yaml: paper {paper.id}: authors[{j}]", a.name)
        look(f"camera_ready/papers.yaml: paper {paper.id}: session", paper.session)
    for i, day in enumerate(project.program):
        for j, session in enumerate(day.sessions):
            look(f"front_matter/program.yaml: [{i}].sessions[{j}]", f"{day.title or ''} {session.title} "
                 f"{session.room or ''} {session.chair or ''}")
            for k, it in enumerate(session.items):
                look(f"front_matter/program.yaml: [{i}].sessions[{j}].items[{k}]", " ".join(
                    x or "" for x in (it.title, it.speaker, it.affiliation, it.abstract, it.bio)))
    for i, sponsor in enumerate(project.sponsors):
        look(f"front_matter/sponsors.yaml: [{i}]", f"{sponsor.name} {sponsor.level or ''}")

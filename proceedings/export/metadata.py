"""Stage 7, metadata: build/metadata.json, the volume's one machine-readable description."""

from __future__ import annotations

from typing import Any

from proceedings import __version__
from proceedings.context import BuildContext
from proceedings.export.names import person_fields
from proceedings.export.program import program_metadata
from proceedings.export.texchars import script, unprintable
from proceedings.findings import ValidationReport
from proceedings.project.model import PAPERS_FILE, WORKSHOP_FILE, Person, Project
from proceedings.stages.plan import Plan


def person_json(person: Person) -> dict[str, Any]:
    """A person as metadata.json records it: the fields of the project file, then the name parts
    every citation format is written from (family, given, suffix, family_first)."""
    data = person.model_dump(exclude_none=True, exclude_defaults=True)
    data.update(person_fields(person.name, person.family, person.suffix))
    return data


def unprintable_warnings(project: Project) -> list[str]:
    """A warning for each title and person with characters no 8-bit LaTeX font has (CJK, Cyrillic…):
    the .bib keeps them UTF-8, and pdflatex documents without fonts for them print "?"."""
    out = []

    def check(where: str, text: str) -> None:
        if chars := unprintable(text):
            codes = ", ".join(f"{c} U+{ord(c):04X}" for c in chars)
            out.append(f"{where}: {script(chars).lower()} characters ({codes}) stay UTF-8 in proceedings.bib: "
                       "pdflatex prints them only in a document with fonts for them, elsewhere '?'")

    for i, editor in enumerate(project.workshop.editors):
        check(f"{WORKSHOP_FILE}: editors[{i}] {editor.name!r}", editor.name)
    for paper in project.papers:
        check(f"{PAPERS_FILE}: paper {paper.id}: title", paper.title)
        for author in paper.authors:
            check(f"{PAPERS_FILE}: paper {paper.id} ({paper.title}): author {author.name!r}", author.name)
    return out


def make_metadata(project: Project, plan: Plan, report: ValidationReport, volume_pages: dict[str, int],
                  ctx: BuildContext) -> dict[str, Any]:
    """The content of metadata.json (pages as printed, papers in volume order)."""
    for message in unprintable_warnings(project):
        ctx.warn(message)
    w = project.workshop
    volume = {
        "title": w.title,
        "acronym": w.acronym,
        "conference": w.conference,
        "conference_acronym": w.conference_acronym,
        "location": w.location,
        "start_date": w.start_date.isoformat(),
        "end_date": w.end_date.isoformat(),
        "publication_date": w.published.isoformat(),
        "year": w.year,
        "publisher": w.publisher,
        "publisher_address": w.publisher_address,
        "editors": [e.name for e in w.editors],
        "editors_detail": [person_json(e) for e in w.editors],
        "isbn": w.isbn,
        "doi": w.doi,
        "url": w.url,
        "series": w.series,
        "volume": w.volume,
        "keywords": w.keywords,
        "acm_proceeding_id": w.acm_proceeding_id,
        "timezone": w.timezone,
        "pages": volume_pages,
        "build_date": ctx.build_time.isoformat().replace("+00:00", "Z"),
        "tool": f"proceedings {__version__}",
    }
    papers = []
    for placed in plan.papers:
        p = placed.paper
        papers.append({
            "id": p.id,
            "title": p.title,
            "authors": [a.name for a in p.authors],
            "authors_detail": [person_json(a) for a in p.authors],
            "first_page": placed.first_page,
            "last_page": placed.last_page,
            "pages": placed.pages,
            "sha256": placed.source.sha256,
            "file": p.file,
            "session": p.session,
            "doi": p.doi,
            "url": p.url,
            "abstract": p.abstract,
            "keywords": p.keywords,
        })
    placed_ids = {p.paper.id for p in plan.papers}
    excluded = [{"id": r.id, "file": r.file, "reasons": [f.message for f in r.errors]}
                for r in report.papers if r.id not in placed_ids]
    return {"volume": {k: v for k, v in volume.items() if v not in (None, [])}, "papers": papers, "excluded": excluded,
            **program_metadata(project, plan)}

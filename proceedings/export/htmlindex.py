"""HTML pages of the volume: build/index.html, and the CEUR-WS volume index (``bundle --profile ceur-ws``).

Both are rendered with jinja2 (autoescaped), from metadata.json only, and link only to files
that exist beside them, by relative, percent-encoded paths; neither loads anything from outside.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from proceedings.text import date_range, proceedings_title
from proceedings.util.atomic import write_text

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
INDEX_FILE = "index.html"

CITATION_LINKS = (("bib", "BibTeX"), ("ris", "RIS"), ("json", "CSL-JSON"), ("txt", "ACM Reference"))
"""Per-paper citation files of build/citations/, with the label of their link."""

VOLUME_LINKS = (
    ("proceedings.pdf", "Full volume (PDF)"),
    ("front_matter.pdf", "Front matter (PDF)"),
    ("proceedings.bib", "BibTeX of all papers"),
    ("metadata.json", "Metadata (JSON)"),
    ("program.ics", "Program (iCalendar)"),
    ("validation.html", "Validation report"),
)
"""Files of the whole volume linked from build/index.html when present."""


LAYOUT = {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}
"""How every template of the tool is laid out (its e-mail templates' too)."""


@functools.cache
def environment() -> jinja2.Environment:
    """The package's templates: HTML ones autoescaped, text ones not; absent optional fields render empty.

    One per process, so each template is compiled once (the caller must not change it).
    """
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                              autoescape=lambda name: name is not None and ".html" in name, **LAYOUT)


def compile_templates() -> None:
    """Compile the templates every build renders (index.html, the validation report) into :func:`environment`
    ahead of their use."""
    for name in ("index.html.j2", "validation.html.j2"):
        environment().get_template(name)


def href(path: str) -> str:
    """A relative link to ``path`` (forward slashes), percent-encoded so any paper id is safe."""
    return quote(path, safe="/")


@dataclass
class Link:
    """One link of a page."""

    href: str
    label: str


@dataclass
class PaperEntry:
    """One paper as the pages show it."""

    id: str
    title: str
    authors: list[str]
    pages: str
    pdf: str | None
    doi: str | None
    links: list[Link] = field(default_factory=list)


@dataclass
class Session:
    """A run of consecutive papers under one heading (``None``: no heading)."""

    title: str | None
    papers: list[PaperEntry]
    anchor: str | None = None
    """The id of its heading (``session-3``: the third session with a heading), None without one."""


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def when(volume: dict[str, Any]) -> str:
    """"April 28–29, 2025" from the volume's start and end dates."""
    start, end = _date(volume.get("start_date")), _date(volume.get("end_date"))
    if start is None:
        return ""
    return date_range(start, end or start)


def build_day(volume: dict[str, Any]) -> str:
    """The build date, YYYY-MM-DD."""
    return str(volume.get("build_date", ""))[:10]


def editors(volume: dict[str, Any]) -> list[dict[str, Any]]:
    """The editors as mappings with at least ``name`` (metadata.json ``editors_detail``, else ``editors``)."""
    detail = volume.get("editors_detail")
    if detail:
        return list(detail)
    return [{"name": name} for name in volume.get("editors", [])]


def page_range(paper: dict[str, Any], dash: str = "–") -> str:
    """"5–12", or "5" for a one-page paper."""
    first, last = paper.get("first_page"), paper.get("last_page")
    return str(first) if first == last else f"{first}{dash}{last}"


def sessions(metadata: dict[str, Any], out_dir: Path | None, pdf_name=None, dash: str = "–") -> list[Session]:
    """The volume's papers grouped by consecutive ``session``, with links to the files present in ``out_dir``.

    ``pdf_name(index, paper)`` names each paper's PDF (default ``papers/ID.pdf``); a PDF link is
    given only when that file exists under ``out_dir`` (``out_dir`` None: always).
    """
    groups: list[Session] = []
    for i, paper in enumerate(metadata.get("papers", []), 1):
        pid = str(paper["id"])
        pdf = pdf_name(i, paper) if pdf_name else f"papers/{pid}.pdf"
        if out_dir is not None and not (out_dir / pdf).is_file():
            pdf = None
        entry = PaperEntry(
            id=pid, title=paper["title"], authors=list(paper.get("authors", [])), pages=page_range(paper, dash),
            pdf=href(pdf) if pdf else None, doi=paper.get("doi"),
        )
        if pdf:
            entry.links.append(Link(href(pdf), "PDF"))
        if out_dir is not None:
            for ext, label in CITATION_LINKS:
                rel = f"citations/{pid}.{ext}"
                if (out_dir / rel).is_file():
                    entry.links.append(Link(href(rel), label))
        session = paper.get("session")
        if not groups or groups[-1].title != session:
            titled = sum(1 for g in groups if g.anchor)
            groups.append(Session(session, [], anchor=f"session-{titled + 1}" if session else None))
        groups[-1].papers.append(entry)
    return groups


def render_index(metadata: dict[str, Any], out_dir: Path) -> str:
    """The text of build/index.html: title block, editors, downloads, sessions with each paper's links."""
    volume = metadata["volume"]
    downloads = [Link(href(name), label) for name, label in VOLUME_LINKS if (out_dir / name).is_file()]
    groups = sessions(metadata, out_dir)
    template = environment().get_template("index.html.j2")
    from proceedings.export.program import program_view

    return template.render(
        program=program_view(metadata, out_dir, href),
        volume=volume, when=when(volume), editors=editors(volume), downloads=downloads, sessions=groups,
        paper_count=len(metadata.get("papers", [])), excluded=metadata.get("excluded", []),
        build_day=build_day(volume),
    )


def write_index_html(metadata: dict[str, Any], out_dir: Path) -> Path:
    """Write build/index.html (after metadata.json and the files it links to); return its path."""
    out_dir = Path(out_dir)
    path = out_dir / INDEX_FILE
    write_text(path, render_index(metadata, out_dir))
    log.info("wrote %s", path)
    return path


# --------------------------------------------------------------------------- CEUR-WS

CEUR_VOLUME_PLACEHOLDER = "Vol-XXXX"
"""CEUR-WS assigns the volume number on publication; its template keeps this placeholder until then."""
CEUR_URN_PLACEHOLDER = "urn:nbn:de:0074-XXXX-C"
"""The volume's URN, also assigned by CEUR-WS."""


def with_full_year(acronym: str, year: int | None) -> str:
    """CEUR-WS acronyms carry the full year: "EReL@MIR '25" -> "EReL@MIR 2025"."""
    if year is None or str(year) in acronym:
        return acronym
    bare = re.sub(r"\s*['’‘]?\s*\d{2}\s*$", "", acronym).strip() or acronym
    return f"{bare} {year}"


def ceur_paper_name(index: int) -> str:
    """The file name of the ``index``-th paper (from 1) in a CEUR-WS volume folder."""
    return f"paper{index}.pdf"


def render_ceur_index(metadata: dict[str, Any]) -> str:
    """The CEUR-WS volume ``index.html``: the template's markup classes, papers as paper1.pdf, paper2.pdf…"""
    volume = metadata["volume"]
    year = volume.get("year") or (_date(volume.get("start_date")) or dt.date(1980, 1, 1)).year
    people = editors(volume)
    affiliations: list[str] = []
    for person in people:
        aff = person.get("affiliation")
        if aff and aff not in affiliations:
            affiliations.append(aff)
    eds = [{"name": p["name"], "mark": affiliations.index(p["affiliation"]) + 1 if p.get("affiliation") else None}
           for p in people]
    colocated = volume.get("conference_acronym") or volume.get("conference")
    template = environment().get_template("ceur-index.html.j2")
    return template.render(
        volume=volume, year=year,
        acronym=with_full_year(volume["acronym"], year),
        full_title=proceedings_title(volume["title"]),
        colocated=with_full_year(colocated, year) if colocated else None,
        conference=volume.get("conference"),
        loctime=", ".join(x for x in (volume.get("location"), when(volume)) if x),
        editors=eds, affiliations=affiliations,
        sessions=sessions(metadata, None, pdf_name=lambda i, _p: ceur_paper_name(i), dash="-"),
        volnr=CEUR_VOLUME_PLACEHOLDER, urn=CEUR_URN_PLACEHOLDER,
        build_day=build_day(volume),
        submitter=people[0]["name"] if people else "",
    )

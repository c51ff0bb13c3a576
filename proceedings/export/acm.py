"""``bundle --profile acm``: the "enhanced CSV" that ACM's e-Rights system takes, one row per author.

An ACM workshop chair uploads it before the authors receive their rights forms. The columns, in
ACM's order and spelling (:data:`ACM_COLUMNS`), are those of ACM's proceedings instructions as
public EasyChair-to-e-Rights converters write them. Values come from the project and from the
built volume: ``proceeding ID`` from ``workshop.yaml`` ``acm_proceeding_id``; the paper type from
papers.yaml ``type`` (``default_paper_type`` when absent); names split into first / middle / last /
suffix; sections and sequence numbers from the volume order; pages as printed.
"""

from __future__ import annotations

import logging
from typing import Any

from proceedings.export.affiliations import affiliations, split_affiliation
from proceedings.export.tables import csv_bytes
from proceedings.project.model import Project
from proceedings.text import honorific, name_parts, valid_orcid

log = logging.getLogger(__name__)

ACM_CSV = "acm-erights.csv"
"""File name of the CSV in build/ and in the handoff."""

ACM_COLUMNS = (
    "proceeding ID", "event_tracking_number", "paper_type", "theTitle", "prefix", "first_name", "middle_name",
    "last_name", "suffix", "author_sequence_no", "contact_author", "ACM_profile_id", "ACM_client_no", "orcid",
    "email", "department_school_lab", "institution", "city", "state_province", "country",
    "secondary_department_school_lab", "secondary_institution", "secondary_city", "secondary_state_province",
    "secondary_country", "section_title", "section_seq_no", "published_article_number", "start_page", "end_page",
    "article_seq_no",
)
"""The header row of ACM's enhanced CSV, in ACM's order."""

ACM_PAPER_TYPES = {
    "full": "Full Paper", "long": "Full Paper", "short": "Short Paper", "demo": "Demo Paper",
    "poster": "Poster", "position": "Position Paper", "abstract": "Extended Abstract",
    "extended-abstract": "Extended Abstract", "keynote": "Keynote", "invited": "Invited Talk",
    "tutorial": "Tutorial", "doctoral": "Doctoral Consortium Paper", "panel": "Panel",
}
"""papers.yaml ``type`` values and the names ACM gives them (other values are kept as written)."""


def acm_paper_type(kind: str | None, default: str = "Full Paper") -> str:
    """ACM's name of a paper type ("short" -> "Short Paper"); ``default`` when none is given."""
    kind = (kind or "").strip()
    if not kind:
        return default
    return ACM_PAPER_TYPES.get(kind.lower(), kind[:1].upper() + kind[1:])


def contact_index(authors: list[dict[str, Any]]) -> int:
    """Position of the author marked ``corresponding``, else 0 (the first author)."""
    return next((i for i, a in enumerate(authors) if a.get("corresponding")), 0)


def _authors(project: Project | None, paper: dict[str, Any]) -> list[dict[str, Any]]:
    """The paper's authors as dictionaries of the model's fields (from papers.yaml when at hand)."""
    source = project.paper(str(paper["id"])) if project is not None else None
    if source is not None:
        return [a.model_dump() for a in source.authors]
    return list(paper.get("authors_detail") or [{"name": n} for n in paper.get("authors", [])])


def acm_rows(project: Project | None, metadata: dict[str, Any]) -> list[list[Any]]:
    """The rows of the CSV after its header: one per author, papers in volume order, authors in order."""
    w = project.workshop if project is not None else None
    proceeding_id = (w.acm_proceeding_id if w is not None else None) or ""
    default_type = w.default_paper_type if w is not None else "Full Paper"
    if not proceeding_id:
        log.warning("%s: the 'proceeding ID' column is empty: set acm_proceeding_id in workshop.yaml "
                    "(ACM's id of the proceedings) before uploading it", ACM_CSV)
    rows: list[list[Any]] = []
    sections: list[str] = []
    unreachable: list[str] = []
    previous: object = object()
    for article, paper in enumerate(metadata.get("papers", []), 1):
        session = paper.get("session") or ""
        if session and session != previous:
            sections.append(session)
        previous = session
        source = project.paper(str(paper["id"])) if project is not None else None
        kind = acm_paper_type(source.type if source is not None else None, default_type)
        authors = _authors(project, paper)
        contact = contact_index(authors)
        if authors and not (authors[contact].get("email") or "").strip():
            unreachable.append(str(paper["id"]))
        for n, a in enumerate(authors, 1):
            first, middle, last, suffix = name_parts(a["name"], a.get("family"), a.get("suffix"))
            title = honorific(a["name"], a.get("family"))  # its prefix column
            places = affiliations(a.get("affiliation")) or [""]  # "A, City, Country; B, …": the second is secondary
            primary = split_affiliation(places[0], a.get("country"))
            secondary = split_affiliation(places[1]) if len(places) > 1 else ("",) * 5
            rows.append([
                proceeding_id, paper["id"], kind, paper["title"], title, first, middle, last, suffix, n,
                "yes" if n - 1 == contact else "no", "", "", valid_orcid(a.get("orcid")) or "", a.get("email") or "",
                *primary, *secondary,
                session, len(sections) if session else "", "", paper["first_page"], paper["last_page"], article,
            ])
    if unreachable:
        log.warning("%s: the contact author of paper%s %s has no email: ACM sends its rights form by e-mail; set "
                    "email (and corresponding: true on the contact) in camera_ready/papers.yaml",
                    ACM_CSV, "s" if len(unreachable) > 1 else "", ", ".join(unreachable))
    return rows


def acm_csv(project: Project | None, metadata: dict[str, Any]) -> bytes:
    """ACM's enhanced CSV (UTF-8 without byte-order mark, so the header's first cell reads as ACM spells it)."""
    return csv_bytes([list(ACM_COLUMNS), *acm_rows(project, metadata)])

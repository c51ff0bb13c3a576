"""``bundle --profile crossref``: ``crossref.xml``, a Crossref deposit of the volume (schema 5.3.1).

One ``doi_batch`` with a ``conference``: the event (name, acronym, location, dates), the volume
(title, publisher, date, ISBN or ``noisbn``, its DOI and page when it has one) and one
``conference_paper`` per paper of the volume, in volume order: its authors in order (ORCID and
affiliation where known), title, pages as printed, DOI and landing page. DOIs and landing pages
come from papers.yaml or from the workshop's ``doi_pattern`` / ``paper_url_pattern`` (see
:mod:`proceedings.project.publishing`); the deposit is refused, naming every paper, when a paper has
neither. The head's timestamp and batch id come from the build time, so the same build gives
the same bytes.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import xml.etree.ElementTree as ET
from typing import Any

from proceedings.errors import InputError
from proceedings.export.affiliations import affiliations, split_affiliation
from proceedings.project.model import PAPERS_FILE, WORKSHOP_FILE, Person, Project
from proceedings.project.publishing import doi_fault
from proceedings.text import date_range, isbn_fault, name_parts, proceedings_title, slugify, valid_orcid

log = logging.getLogger(__name__)

CROSSREF_XML = "crossref.xml"
NS = "http://www.crossref.org/schema/5.3.1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
JATS = "http://www.ncbi.nlm.nih.gov/JATS1"
SCHEMA_LOCATION = f"{NS} https://www.crossref.org/schemas/crossref5.3.1.xsd"

_URL = re.compile(r"(?i)(https?|ftp)://\S+$")
_NAME_MAX = 60


def _el(parent: ET.Element, tag: str, text: Any = None, **attrs: str) -> ET.Element:
    """A child element (in the deposit's default namespace, declared on the root)."""
    child = ET.SubElement(parent, tag, attrs)
    if text is not None:
        child.text = str(text)
    return child


def build_time(metadata: dict[str, Any]) -> dt.datetime:
    """The build time of metadata.json (SOURCE_DATE_EPOCH when it was set)."""
    raw = str(metadata["volume"].get("build_date", "1980-01-01T00:00:00Z")).replace("Z", "+00:00")
    return dt.datetime.fromisoformat(raw).astimezone(dt.UTC)


def orcid_url(orcid: str | None) -> str | None:
    """"0000-0002-1825-0097" or its URL -> "https://orcid.org/0000-0002-1825-0097"; None when not an ORCID iD."""
    orcid = valid_orcid(orcid)
    return f"https://orcid.org/{orcid}" if orcid else None


def _name(text: str) -> str:
    """A name cell as the schema takes it: at most 60 characters, no '?'."""
    return text.replace("?", "").strip()[:_NAME_MAX].strip()


MAX_AFFILIATIONS = 5
"""Most institutions of one person in the deposit."""


def _place(text: str) -> str:
    """An institution's cell as the schema takes it: 2 to 255 characters ("" when shorter)."""
    text = text.strip()[:255].strip()
    return text if len(text) >= 2 else ""


def _person(parent: ET.Element, person: Person, first: bool, role: str) -> None:
    given, middle, family, suffix = name_parts(person.name, person.family, getattr(person, "suffix", None))
    node = _el(parent, "person_name", sequence="first" if first else "additional", contributor_role=role)
    given = _name(f"{given} {middle}".strip())
    if given:
        _el(node, "given_name", given)
    _el(node, "surname", _name(family) or _name(person.name))
    if suffix:
        _el(node, "suffix", suffix[:10])
    places = affiliations(person.affiliation)
    held = _el(node, "affiliations") if places else None
    for i, text in enumerate(places[:MAX_AFFILIATIONS]):  # the person's own country is their first one's
        department, name, city, state, country = split_affiliation(text, person.country if i == 0 else None)
        institution = _el(held, "institution")
        _el(institution, "institution_name", _place(name) or _place(text))
        place = _place(", ".join(x for x in (city, state, country) if x))
        if place:
            _el(institution, "institution_place", place)
        if _place(department):
            _el(institution, "institution_department", _place(department))
    orcid = orcid_url(person.orcid)
    if orcid:
        _el(node, "ORCID", orcid)


def _date(parent: ET.Element, tag: str, when: dt.date, **attrs: str) -> None:
    node = _el(parent, tag, **attrs)
    _el(node, "month", f"{when.month:02d}")
    _el(node, "day", f"{when.day:02d}")
    _el(node, "year", when.year)


def landing_page(paper: dict[str, Any], volume_url: str | None) -> str | None:
    """Where a paper's DOI resolves: its own ``url`` (or the pattern's), else the volume's page."""
    return paper.get("url") or volume_url


def _editors(conference: ET.Element, editors: list[Person]) -> None:
    if editors:
        contributors = _el(conference, "contributors")
        for i, editor in enumerate(editors):
            _person(contributors, editor, i == 0, "editor")


def _abstract(parent: ET.Element, text: str | None) -> None:
    """The abstract as JATS paragraphs (blank lines separate them)."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    if paragraphs:
        node = ET.SubElement(parent, "jats:abstract")
        for paragraph in paragraphs:
            ET.SubElement(node, "jats:p").text = paragraph


def deposit_problems(project: Project, metadata: dict[str, Any]) -> list[str]:
    """Why the volume cannot be deposited as it stands (each problem names its file, entry and field)."""
    w = project.workshop
    problems = [f"{WORKSHOP_FILE}: {field}: field required for a Crossref deposit ({what})"
                for field, what in (("depositor_name", "who deposits"),
                                    ("depositor_email", "where Crossref sends the result"))
                if not getattr(w, field)]
    if w.depositor_email and ("@" not in w.depositor_email or len(w.depositor_email) < 6):
        problems.append(f"{WORKSHOP_FILE}: depositor_email: {w.depositor_email!r} is not an e-mail address")
    why = isbn_fault(w.isbn) if w.isbn else None
    if why:
        problems.append(f"{WORKSHOP_FILE}: isbn: {w.isbn!r} {why}")
    if w.url and not _URL.match(w.url):
        problems.append(f"{WORKSHOP_FILE}: url: {w.url!r} is not a web address (https://…)")
    no_doi, bad_doi, no_url = [], [], []
    owner: dict[str, str] = {}
    for paper in metadata.get("papers", []):
        doi = paper.get("doi")
        if not doi:
            no_doi.append(str(paper["id"]))
        elif doi_fault(doi):
            bad_doi.append(f"{paper['id']} ({doi})")
        elif doi.casefold() in owner or doi.casefold() == (w.doi or "").casefold():
            bad_doi.append(f"{paper['id']} ({doi}, also the DOI of {owner.get(doi.casefold(), 'the volume')})")
        owner.setdefault((doi or "").casefold(), str(paper["id"]))
        if not _URL.match(landing_page(paper, w.url) or ""):
            no_url.append(str(paper["id"]))
    if no_doi:
        problems.append(f"{PAPERS_FILE}: papers {', '.join(no_doi)}: no doi, and {WORKSHOP_FILE} has no doi_pattern "
                        "(e.g. doi_pattern: \"10.5555/acronym.{id}\")")
    if bad_doi:
        problems.append(f"{PAPERS_FILE}: papers {', '.join(bad_doi)}: doi is not a DOI of its own (10.NNNN/…)")
    if no_url:
        problems.append(f"{PAPERS_FILE}: papers {', '.join(no_url)}: no url (landing page, https://…), and "
                        f"{WORKSHOP_FILE} has neither paper_url_pattern (e.g. \"https://example.org/acronym/{{id}}\") "
                        "nor url (the volume's page)")
    return problems


def crossref_xml(project: Project, metadata: dict[str, Any]) -> bytes:
    """The deposit, as UTF-8 XML bytes; raises :class:`InputError` listing every missing value."""
    problems = deposit_problems(project, metadata)
    if problems:
        raise InputError(f"cannot write {CROSSREF_XML}: {len(problems)} problem{'s' if len(problems) != 1 else ''}",
                         problems)
    w = project.workshop
    shared = [str(p["id"]) for p in metadata.get("papers", []) if not p.get("url")]
    if shared:
        log.warning("papers %s have no landing page of their own: their DOIs resolve to the volume's page %s "
                    "(set url in papers.yaml or paper_url_pattern in workshop.yaml)", ", ".join(shared), w.url)
    built = build_time(metadata)  # the deposit's own time (its batch id and timestamp); the papers' date is the event's
    published = w.published
    stamp = built.strftime("%Y%m%d%H%M%S") + "000"
    root = ET.Element("doi_batch", {"xmlns": NS, "xmlns:xsi": XSI, "xmlns:jats": JATS,
                                    "xsi:schemaLocation": SCHEMA_LOCATION, "version": "5.3.1"})
    head = _el(root, "head")
    _el(head, "doi_batch_id", f"{slugify(w.acronym)}-{stamp}"[:100])
    _el(head, "timestamp", stamp)
    depositor = _el(head, "depositor")
    _el(depositor, "depositor_name", w.depositor_name)
    _el(depositor, "email_address", w.depositor_email)
    _el(head, "registrant", w.registrant or w.publisher)

    conference = _el(_el(root, "body"), "conference")
    _editors(conference, w.editors)
    event = _el(conference, "event_metadata")
    _el(event, "conference_name", w.title if len(w.title) >= 3 else f"{w.title} ({w.acronym})")
    _el(event, "conference_acronym", w.acronym)
    _el(event, "conference_location", w.location)
    s, e = w.start_date, w.end_date
    _el(event, "conference_date", date_range(s, e), start_day=f"{s.day:02d}", start_month=f"{s.month:02d}",
        start_year=str(s.year), end_day=f"{e.day:02d}", end_month=f"{e.month:02d}", end_year=str(e.year))
    volume = _el(conference, "proceedings_metadata", language="en")
    _el(volume, "proceedings_title", proceedings_title(w.title))
    publisher = _el(volume, "publisher")
    _el(publisher, "publisher_name", w.publisher)
    if w.publisher_address:
        _el(publisher, "publisher_place", w.publisher_address)
    _date(volume, "publication_date", published, media_type="online")
    if w.isbn:
        _el(volume, "isbn", w.isbn)  # as loaded: without its label
    else:
        _el(volume, "noisbn", reason="simple_series" if w.series else "monograph")
    if w.doi and not w.url:
        log.warning("the volume's DOI %s is left out of %s: workshop.yaml has no url (its page) to resolve to",
                    w.doi, CROSSREF_XML)
    elif w.doi:
        doi_data = _el(volume, "doi_data")
        _el(doi_data, "doi", w.doi)
        _el(doi_data, "resource", w.url)

    for paper in metadata.get("papers", []):
        source = project.paper(str(paper["id"]))
        node = _el(conference, "conference_paper", publication_type="full_text")
        authors = source.authors if source is not None else [Person(name=n) for n in paper.get("authors", [])]
        contributors = _el(node, "contributors")
        for i, author in enumerate(authors):
            _person(contributors, author, i == 0, "author")
        _el(_el(node, "titles"), "title", paper["title"])
        _abstract(node, paper.get("abstract"))
        _date(node, "publication_date", published, media_type="online")
        pages = _el(node, "pages")
        _el(pages, "first_page", paper["first_page"])
        _el(pages, "last_page", paper["last_page"])
        doi_data = _el(node, "doi_data")
        _el(doi_data, "doi", paper["doi"])
        _el(doi_data, "resource", landing_page(paper, w.url))
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")

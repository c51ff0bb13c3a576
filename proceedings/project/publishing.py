"""Publisher metadata of ``workshop.yaml`` (:class:`PublisherFields`), and the DOIs and landing pages
derived from its patterns, in one place for every export.

``workshop.yaml`` may give ``doi_pattern: "10.5555/erelmir25.{id}"`` and
``paper_url_pattern: "https://example.org/erelmir25/{id}"``; a paper of papers.yaml without its own
``doi`` (or ``url``) gets the pattern with its id. The loader applies them, so metadata.json,
citations, BibTeX, the PDFs' metadata and the deposits all see the same values.
"""

from __future__ import annotations

import re
import string
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from pydantic import BaseModel, ConfigDict, field_validator

if TYPE_CHECKING:
    from proceedings.project.model import Paper, Workshop

DOI_RE = re.compile(r"10\.[0-9]{4,9}/\S{1,200}")
"""A DOI as Crossref accepts it (prefix 10.NNNN, then a suffix)."""

_RESOLVER = re.compile(r"(?i)^(?:https?://(?:(?:dx|www)\.)?doi\.org/|doi:\s*)")
"""What a DOI is pasted with: a resolver's address, or the label "doi:"."""


def bare_doi(text: str) -> str:
    """A DOI without the resolver or label it was pasted with: "https://doi.org/10.1145/x", "http://dx.doi.org/…",
    "doi:10.1145/x" -> "10.1145/x" (an address's %-escapes decoded)."""
    text = text.strip()
    found = _RESOLVER.match(text)
    if found is None:
        return text
    rest = text[found.end():]
    return unquote(rest) if found.group().lower().startswith("http") else rest


def doi_fault(doi: str) -> str | None:
    """Why ``doi`` (bare) is no DOI, or None: the one test of a DOI, at load and for a Crossref deposit."""
    return None if DOI_RE.fullmatch(doi) else "is not a DOI (10.NNNN/…, or https://doi.org/10.NNNN/…)"


def check_doi(value: str | None) -> str | None:
    """A ``doi`` field as stored: bare (:func:`bare_doi`), None when empty; a ValueError when it is no DOI."""
    doi = bare_doi(value) if value is not None else ""
    why = doi_fault(doi) if doi else None
    if why:
        raise ValueError(f"{value!r} {why}")
    return doi or None


_UNSAFE = re.compile(r"[^A-Za-z0-9._;()-]+")
"""Characters a DOI suffix had better not carry (Crossref recommends a-z, 0-9 and - . _ ; ( ))."""


def doi_id(paper_id: str) -> str:
    """A paper id as it goes into a derived DOI: "a b#%" -> "a-b"."""
    return _UNSAFE.sub("-", paper_id).strip("-") or "paper"


def check_pattern(value: str | None) -> str | None:
    """Refuse a pattern with a field other than ``{id}`` (or none at all)."""
    if value is None:
        return None
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a pattern ({exc})") from None
    if fields != {"id"}:
        raise ValueError(f"{value!r} must contain {{id}} (the paper id) and no other {{field}}")
    try:
        value.format(id="1")  # a format spec or conversion a text id cannot take: {id:d}, {id!z}
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{value!r} is not a pattern for a paper id ({exc}); write {{id}} alone") from None
    return value


class PublisherFields(BaseModel):
    """The fields of ``workshop.yaml`` that the bundle profiles acm and crossref read."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    acm_proceeding_id: str | None = None
    """ACM's id of the proceedings in its e-Rights system (first column of the ACM CSV)."""
    default_paper_type: str = "Full Paper"
    """ACM paper type of papers without a ``type`` in papers.yaml."""
    doi_pattern: str | None = None
    """DOI of papers without one, with ``{id}`` for the paper id: "10.5555/erelmir25.{id}"."""
    paper_url_pattern: str | None = None
    """Landing page of papers without a ``url``, with ``{id}``: "https://example.org/erelmir25/{id}"."""
    depositor_name: str | None = None
    """Crossref deposit: who deposits (name), e.g. the chair or the publisher's DOI service."""
    depositor_email: str | None = None
    """Crossref deposit: where Crossref sends the deposit's result."""
    registrant: str | None = None
    """Crossref deposit: the organisation owning the DOI prefix (default: the publisher)."""

    @field_validator("doi_pattern", "paper_url_pattern")
    @classmethod
    def _id_pattern(cls, value: str | None) -> str | None:
        return check_pattern(value)

    @field_validator("doi_pattern")
    @classmethod
    def _doi_pattern(cls, value: str | None) -> str | None:
        if value is None:
            return None
        example = bare_doi(value.format(id="1"))
        why = doi_fault(example)
        if why:
            raise ValueError(f"{value!r} makes DOIs like {example!r}, which {why}")
        return bare_doi(value)

    @field_validator("acm_proceeding_id", mode="before")
    @classmethod
    def _number_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) else value


def derive_dois(workshop: Workshop | None, papers: list[Paper]) -> list[Paper]:
    """``papers`` with DOIs and landing pages filled in from the workshop's patterns where absent (whether each DOI
    is its paper's own is :func:`proceedings.project.loading._doi_clashes`' to say)."""
    if workshop is None or not (workshop.doi_pattern or workshop.paper_url_pattern):
        return papers
    out = []
    for paper in papers:
        update = {}
        if not paper.doi and workshop.doi_pattern:
            update["doi"] = workshop.doi_pattern.format(id=doi_id(paper.id))
        if not paper.url and workshop.paper_url_pattern:
            update["url"] = workshop.paper_url_pattern.format(id=quote(paper.id, safe=""))
        out.append(paper.model_copy(update=update) if update else paper)
    return out

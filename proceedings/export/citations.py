"""Stage 8, citations: build/proceedings.bib and, per paper, BibTeX, RIS, CSL-JSON and ACM Reference Format.

Everything is rendered from the metadata dict that the build writes to metadata.json, so the
pages of every export are the pages of the merged volume and nothing else, and every fact an
export shows (dates, place, publisher's address, series) is a fact of metadata.json.

The event: BibTeX writes ``series = {<acronym>}`` (or the volume's series) and the place of the
event as ``city``, which ACM-Reference-Format.bst prints after the booktitle ("(Sydney, NSW,
Australia) (EReL@MIR ’25)") and biblatex ignores, and as ``venue`` + ``eventdate``, which biblatex
prints. Not ``location``: biblatex reads that as the publisher's place (it would print "Sydney:
ACM" and drop ``address``). A .bib whose text needs a LaTeX fallback for some characters starts
with their ``@preamble`` (:mod:`proceedings.export.texchars`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from proceedings.errors import InputError, UnknownPaperError
from proceedings.export import names as _names
from proceedings.export.acmref import acm_reference, event_dates, published
from proceedings.export.latex import clean, to_latex
from proceedings.export.texchars import preamble
from proceedings.text import ascii_fold, unique_name
from proceedings.text import proceedings_title as _proceedings_title
from proceedings.util.atomic import Staging, sweep_for
from proceedings.util.owned import prune

log = logging.getLogger(__name__)

FORMATS = {"bibtex": "bib", "ris": "ris", "csl-json": "json", "acm": "txt"}
"""Export format → file extension under build/citations/."""

BIB_FILE = "proceedings.bib"
CITATIONS_DIR = "citations"

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_STOPWORDS = frozenset(
    "a an the on of for in to with and or at by from into onto over under via vs versus is are be "
    "do does how what why when where which who can its it as not no than that this these those toward towards "
    "using".split()
)


# --------------------------------------------------------------------------- shared pieces


def proceedings_title(title: str) -> str:
    """"The 1st Workshop on X" → "Proceedings of the 1st Workshop on X" (white space cleaned)."""
    return _proceedings_title(clean(title))


def _people(detail: list[dict[str, Any]] | None, names: list[str] | None) -> list[_names.Name]:
    return _names.people(detail, names)


def _pages(paper: dict[str, Any], sep: str) -> str:
    first, last = paper["first_page"], paper["last_page"]
    return str(first) if first == last else f"{first}{sep}{last}"


def _verbatim(value: str | None) -> str | None:
    """A DOI or URL as a braced BibTeX field, verbatim (url and doi are not LaTeX-decoded by styles):
    white space, braces and backslashes percent-encoded."""
    value = clean(value or "")
    if not value:
        return None
    return "{" + "".join({"{": "%7B", "}": "%7D", "\\": "%5C", " ": "%20"}.get(c, c) for c in value) + "}"


# --------------------------------------------------------------------------- keys


def _key_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower())


def citation_keys(metadata: dict[str, Any]) -> dict[str, str]:
    """Paper id → BibTeX key: first author's family name, year, first significant title word.

    ASCII, stable for the same metadata, unique (``-2``, ``-3``… on clashes, in volume order),
    never equal to :func:`volume_key`.
    """
    year = published(metadata["volume"]).year  # as their year field
    taken = {volume_key(metadata)}
    keys: dict[str, str] = {}
    for paper in metadata["papers"]:
        people = _people(paper.get("authors_detail"), paper.get("authors"))
        family = _key_word(people[0].family) if people else ""
        words = [w for w in re.split(r"[^a-z0-9]+", ascii_fold(paper["title"]).lower()) if w]
        word = next((w for w in words if w not in _STOPWORDS and not w.isdigit()), "")
        keys[paper["id"]] = unique_name(f"{family or 'paper'}{year}{word}", taken)
    return keys


def volume_key(metadata: dict[str, Any]) -> str:
    """BibTeX key of the volume: its acronym without the year, then the year it is published ("erelmir2025")."""
    volume = metadata["volume"]
    acronym = re.sub(r"\s*(?:'\d\d|\d{4})\s*$", "", volume.get("acronym", ""))
    return f"{_key_word(acronym) or 'proceedings'}{published(volume).year}"


# --------------------------------------------------------------------------- BibTeX


def _bib_entry(kind: str, key: str, fields: Iterable[tuple[str, str | None]]) -> str:
    lines = [f"@{kind}{{{key},"]
    present = [(name, value) for name, value in fields if value]
    width = max(len(name) for name, _ in present)
    for i, (name, value) in enumerate(present):
        comma = "," if i < len(present) - 1 else ""
        lines.append(f"  {name.ljust(width)} = {value}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _braced(text: str | None, **options: bool) -> str | None:
    if not text or not clean(text):
        return None
    return "{" + to_latex(text, **options) + "}"


def _bib_names(people: list[_names.Name]) -> str | None:
    if not people:
        return None
    return "{" + " and ".join(_names.bibtex(p) for p in people) + "}"


def _bib_volume_fields(volume: dict[str, Any]) -> list[tuple[str, str | None]]:
    """The fields a volume gives its own entry and each paper's."""
    date, (start, end) = published(volume), event_dates(volume)
    return [
        ("editor", _bib_names(_people(volume.get("editors_detail"), volume.get("editors")))),
        ("publisher", _braced(volume.get("publisher"))),
        ("address", _braced(volume.get("publisher_address"))),
        ("year", f"{{{date.year}}}"),
        ("month", _MONTHS[date.month - 1]),
        ("city", _braced(volume.get("location"))),
        ("venue", _braced(volume.get("location"))),
        ("eventdate", f"{{{start.isoformat()}/{end.isoformat()}}}" if end != start else f"{{{start.isoformat()}}}"),
        ("series", _braced(volume.get("series") or volume.get("acronym"), protect=True)),
        ("volume", _braced(volume.get("volume"))),
        ("isbn", _braced(volume.get("isbn"))),
    ]


def _keywords(words: list[str] | None) -> str | None:
    words = [clean(w) for w in words or [] if clean(w)]
    return "{" + ", ".join(to_latex(w) for w in words) + "}" if words else None


def bibtex_volume(metadata: dict[str, Any]) -> str:
    """The ``@proceedings`` entry of the volume."""
    volume = metadata["volume"]
    title = proceedings_title(volume["title"])
    fields = [
        ("title", _braced(title, protect=True)),
        ("booktitle", _braced(title, protect=True)),
        *_bib_volume_fields(volume),
        ("doi", _verbatim(volume.get("doi"))),
        ("url", _verbatim(volume.get("url"))),
        ("keywords", _keywords(volume.get("keywords"))),
    ]
    return _bib_entry("proceedings", volume_key(metadata), fields)


def bibtex_paper(metadata: dict[str, Any], paper: dict[str, Any], key: str,
                 volume_fields: list[tuple[str, str | None]] | None = None) -> str:
    """The ``@inproceedings`` entry of one paper (self-contained: no crossref). ``volume_fields``: the volume's
    (:func:`_bib_volume_fields`), when the caller writes many papers' entries and made them once."""
    volume = metadata["volume"]
    fields = [
        ("author", _bib_names(_people(paper.get("authors_detail"), paper.get("authors")))),
        ("title", _braced(paper["title"], protect=True)),
        ("booktitle", _braced(proceedings_title(volume["title"]), protect=True)),
        *(volume_fields if volume_fields is not None else _bib_volume_fields(volume)),
        ("pages", "{" + _pages(paper, "--") + "}"),
        ("numpages", f"{{{paper['last_page'] - paper['first_page'] + 1}}}"),
        ("doi", _verbatim(paper.get("doi"))),
        ("url", _verbatim(paper.get("url"))),
        ("abstract", _braced(paper.get("abstract"))),
        ("keywords", _keywords(paper.get("keywords"))),
    ]
    return _bib_entry("inproceedings", key, fields)


# --------------------------------------------------------------------------- RIS


def ris_paper(metadata: dict[str, Any], paper: dict[str, Any], key: str) -> str:
    """One RIS record (``TY  - CONF`` … ``ER  - ``)."""
    volume = metadata["volume"]
    date = published(volume)
    lines: list[tuple[str, str | None]] = [("TY", "CONF"), ("ID", key)]
    for person in _people(paper.get("authors_detail"), paper.get("authors")):
        lines.append(("AU", _names.ris(person)))
    lines += [("TI", paper["title"]), ("T2", proceedings_title(volume["title"]))]
    for person in _people(volume.get("editors_detail"), volume.get("editors")):
        lines.append(("A2", _names.ris(person)))
    lines += [
        ("T3", volume.get("series") or volume.get("acronym")), ("VL", volume.get("volume")),
        ("PY", str(date.year)), ("DA", f"{date:%Y/%m/%d}"),
        ("SP", str(paper["first_page"])), ("EP", str(paper["last_page"])),
        ("PB", volume.get("publisher")), ("CY", volume.get("publisher_address")),
        ("SN", volume.get("isbn")),
        ("DO", paper.get("doi")), ("UR", paper.get("url")), ("AB", paper.get("abstract")),
    ]
    lines += [("KW", k) for k in paper.get("keywords") or []]
    body = "".join(f"{tag}  - {clean(value)}\n" for tag, value in lines if value and clean(value))
    return body + "ER  - \n"


# --------------------------------------------------------------------------- CSL-JSON


def _csl_names(people: list[_names.Name]) -> list[dict[str, Any]]:
    return [_names.csl(p) for p in people]


def _csl_date(date: dt.date) -> list[int]:
    return [date.year, date.month, date.day]


def csl_paper(metadata: dict[str, Any], paper: dict[str, Any], key: str) -> dict[str, Any]:
    """One CSL-JSON item of type ``paper-conference``."""
    volume = metadata["volume"]
    date, (start, end) = published(volume), event_dates(volume)
    item: dict[str, Any] = {
        "id": key,
        "type": "paper-conference",
        "title": clean(paper["title"]),
        "author": _csl_names(_people(paper.get("authors_detail"), paper.get("authors"))),
        "editor": _csl_names(_people(volume.get("editors_detail"), volume.get("editors"))),
        "container-title": proceedings_title(volume["title"]),
        "container-title-short": clean(volume.get("acronym") or ""),
        "collection-title": clean(volume.get("series") or volume.get("acronym") or ""),
        "volume": clean(volume.get("volume") or ""),
        "event": clean(volume["title"]),
        "event-place": clean(volume.get("location") or ""),
        "event-date": {"date-parts": [_csl_date(start), _csl_date(end)] if end != start else [_csl_date(start)]},
        "publisher": clean(volume.get("publisher") or ""),
        "publisher-place": clean(volume.get("publisher_address") or ""),
        "page": _pages(paper, "-"),
        "page-first": str(paper["first_page"]),
        "number-of-pages": str(paper["last_page"] - paper["first_page"] + 1),
        "issued": {"date-parts": [[date.year, date.month, date.day]]},
        "ISBN": clean(volume.get("isbn") or ""),
        "DOI": clean(paper.get("doi") or ""),
        "URL": clean(paper.get("url") or ""),
        "abstract": clean(paper.get("abstract") or ""),
        "keyword": ", ".join(clean(k) for k in paper.get("keywords") or [] if clean(k)),
    }
    return {k: v for k, v in item.items() if v not in ("", [])}


def csl_json(metadata: dict[str, Any], paper: dict[str, Any], key: str) -> str:
    """The CSL-JSON file of one paper: an array holding its one item."""
    return json.dumps([csl_paper(metadata, paper, key)], indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- entry points


def _paper(metadata: dict[str, Any], paper_id: str) -> dict[str, Any]:
    for paper in metadata["papers"]:
        if paper["id"] == paper_id:
            return paper
    known = [p["id"] for p in metadata["papers"]]
    excluded = {e["id"]: e for e in metadata.get("excluded", [])}
    if paper_id in excluded:
        raise UnknownPaperError(
            f"paper {paper_id!r} is left out of the volume, so it has no pages to cite",
            [*(excluded[paper_id].get("reasons") or []), "papers in the volume: " + ", ".join(known)])
    raise UnknownPaperError(f"no paper with id {paper_id!r}", ["known ids: " + ", ".join(known)])


def _with_preamble(entries: str) -> str:
    """BibTeX text headed by the @preamble its characters need (none for most)."""
    head = preamble(entries)
    return f"{head}\n{entries}" if head else entries


def _render(metadata: dict[str, Any], paper: dict[str, Any], key: str, fmt: str) -> str:
    if fmt == "bibtex":
        return _with_preamble(bibtex_paper(metadata, paper, key))
    if fmt == "ris":
        return ris_paper(metadata, paper, key)
    if fmt == "csl-json":
        return csl_json(metadata, paper, key)
    return acm_reference(metadata, paper)


def render_citation(metadata: dict[str, Any], paper_id: str, fmt: str) -> str:
    """The text of one paper's citation in ``fmt`` (bibtex, ris, csl-json, acm): the bytes of its file."""
    if fmt not in FORMATS:
        raise InputError(f"unknown citation format {fmt!r} (known: {', '.join(FORMATS)})")
    paper = _paper(metadata, paper_id)
    return _render(metadata, paper, citation_keys(metadata)[paper_id], fmt)


def _bibliography(metadata: dict[str, Any], entries: Iterable[str]) -> str:
    return _with_preamble("\n".join([bibtex_volume(metadata), *entries]))


def render_bibliography(metadata: dict[str, Any]) -> str:
    """The text of proceedings.bib: the volume's ``@proceedings``, then each paper's ``@inproceedings``."""
    keys, shared = citation_keys(metadata), _bib_volume_fields(metadata["volume"])
    return _bibliography(metadata, (bibtex_paper(metadata, p, keys[p["id"]], shared) for p in metadata["papers"]))


def _citation_file(paper_id: str, ext: str) -> str:
    return f"{CITATIONS_DIR}/{paper_id}.{ext}"


def citation_files(metadata: dict[str, Any]) -> list[str]:
    """Every file :func:`render_citations` makes, by path in the output folder."""
    return [BIB_FILE, *(_citation_file(p["id"], ext) for p in metadata["papers"] for ext in FORMATS.values())]


def render_citations(metadata: dict[str, Any]) -> dict[str, str]:
    """The text of proceedings.bib and of every citations/ID.{bib,ris,json,txt}, by path in the output folder
    (a function of the metadata alone: it may run in another process while the volume is bound)."""
    keys = citation_keys(metadata)
    # each paper's BibTeX entry is both its citations/ID.bib and its part of proceedings.bib: rendered once
    shared = _bib_volume_fields(metadata["volume"])
    entries = {p["id"]: bibtex_paper(metadata, p, keys[p["id"]], shared) for p in metadata["papers"]}
    texts = {BIB_FILE: _bibliography(metadata, entries.values())}
    for paper in metadata["papers"]:
        pid = paper["id"]
        for fmt, ext in FORMATS.items():
            texts[_citation_file(pid, ext)] = (
                _with_preamble(entries[pid]) if fmt == "bibtex" else _render(metadata, paper, keys[pid], fmt))
    return texts


def stage_citations(metadata: dict[str, Any], out_dir: Path, staging: Staging) -> None:
    """Render every citation file (:func:`render_citations`) and write it beside its final path under ``out_dir``
    (renamed into place by ``staging``; it may run in another process while the volume is bound); a file holding
    its text already is left as it is."""
    for rel, text in render_citations(metadata).items():
        staging.write(Path(out_dir) / rel, text.encode("utf-8"))


def sweep_citations(metadata: dict[str, Any], out_dir: Path) -> None:
    """Remove what a process that stopped while staging the citations left beside their final paths."""
    sweep_for(Path(out_dir) / rel for rel in citation_files(metadata))


def placed_citations(metadata: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """Once :func:`stage_citations`' files are in place: drop stale citation files; the outputs."""
    out_dir = Path(out_dir)
    files = citation_files(metadata)
    outputs: dict[str, Path] = {"bibtex" if rel == BIB_FILE else rel: out_dir / rel for rel in files}
    folder = out_dir / CITATIONS_DIR
    written = {rel.split("/", 1)[1] for rel in files if rel != BIB_FILE}
    for old in prune(out_dir, CITATIONS_DIR, written):
        log.info("removed stale citation file %s", old)
    outputs["citations"] = folder
    log.info("wrote %s and %d citation files", out_dir / BIB_FILE, len(written))
    return outputs


def write_citations(metadata: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """Write build/proceedings.bib and build/citations/ID.{bib,ris,json,txt} at once (a build stages them while
    the volume is bound: see :func:`stage_citations`); drop stale citation files."""
    staging = Staging()
    try:
        stage_citations(metadata, out_dir, staging)
        staging.commit()
    finally:
        staging.discard()
    return placed_citations(metadata, out_dir)

"""``proceedings bundle``: the publisher handoff archive, and its ACM and CEUR-WS profiles.

``build/<acronym-slug>-handoff.zip`` holds the built volume, its metadata, citations, validation
report, HTML index, a README.txt for the publisher and SHA256SUMS. The archive is reproducible:
entries sorted, every timestamp the build's date (SOURCE_DATE_EPOCH when set, else metadata.json
``volume.build_date``), mode 0644, deflate at level 9; written atomically.

Profiles add to it:

- ``acm``: ``acm-erights.csv``, ACM's e-Rights "enhanced CSV", one row per author
  (:mod:`proceedings.export.acm`);
- ``crossref``: ``crossref.xml``, a Crossref deposit, schema 5.3.1 (:mod:`proceedings.export.crossref`);
- ``ceur-ws``: a CEUR-WS volume folder, ``build/ceur-ws/`` (``index.html`` after the CEUR-WS
  volume template, papers as ``paper1.pdf``, ``paper2.pdf``… in volume order), carried in the
  handoff under ``ceur-ws/`` and zipped alone as ``build/<acronym-slug>-ceur-ws.zip`` with the
  folder ``<acronym-slug>/`` inside, as CEUR-WS.org asks for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from proceedings.context import epoch_date
from proceedings.errors import BuildError, InputError, RuleViolation
from proceedings.export.acm import ACM_CSV, acm_csv
from proceedings.export.crossref import CROSSREF_XML, crossref_xml
from proceedings.export.htmlindex import (
    CEUR_VOLUME_PLACEHOLDER,
    INDEX_FILE,
    ceur_paper_name,
    environment,
    render_ceur_index,
    when,
    write_index_html,
)
from proceedings.export.program import ICS_FILE, LOGO_NAME, SPONSOR_DIR
from proceedings.export.tables import csv_bytes
from proceedings.project.model import Project
from proceedings.stages.gather import sha256_file
from proceedings.text import slugify
from proceedings.util.atomic import atomic_open, read_json, write_bytes

log = logging.getLogger(__name__)

PROFILES = ("generic", "acm", "ceur-ws", "crossref")
"""The kinds of bundle ``--profile`` names."""

ZIP_LEVEL = 9
"""Deflate level of every entry (fixed, for identical bytes)."""
FILE_MODE = 0o100644
"""Unix mode stored with every entry: a regular file, rw-r--r--."""
MANIFEST = "SHA256SUMS"
README = "README.txt"
METADATA_CSV = "metadata.csv"
CEUR_DIR = "ceur-ws"

METADATA_COLUMNS = ("id", "title", "authors", "first_page", "last_page", "pages", "session", "doi", "sha256", "file")
"""Columns of metadata.csv, one row per paper of the volume."""

_REQUIRED = ("proceedings.pdf", "front_matter.pdf", "metadata.json", "validation.json")
_OPTIONAL = ("proceedings.bib", "validation.html")

_DESCRIPTIONS = {
    "proceedings.pdf": "the whole volume: front matter, papers, author index",
    "front_matter.pdf": "the front matter alone (roman page numbers)",
    "papers/": "each paper exactly as stamped in the volume (papers/ID.pdf)",
    "proceedings.bib": "BibTeX: the volume and every paper with its pages",
    "citations/": "per paper: BibTeX (.bib), RIS (.ris), CSL-JSON (.json), ACM Reference Format (.txt)",
    "metadata.json": "the volume and every paper, machine-readable",
    METADATA_CSV: "one row per paper (see below)",
    "validation.json": "every paper's validation findings",
    "validation.html": "the same, as a page to read",
    "validation/": "pictures of the pages with problems, the place framed in red (shown in validation.html)",
    INDEX_FILE: "the volume's contents with links to every file, for a browser",
    ACM_CSV: "ACM e-Rights enhanced CSV, one row per author (see below)",
    CROSSREF_XML: "Crossref deposit of the volume and its papers, schema 5.3.1 (see below)",
    ICS_FILE: "the event's programme as an iCalendar file (RFC 5545), linked from index.html",
    f"{LOGO_NAME}.png": "the event's logo (index.html)", f"{LOGO_NAME}.jpg": "the event's logo (index.html)",
    f"{LOGO_NAME}.jpeg": "the event's logo (index.html)", f"{LOGO_NAME}.gif": "the event's logo (index.html)",
    f"{SPONSOR_DIR}/": "the sponsors' logos (index.html)",
    f"{CEUR_DIR}/": "the CEUR-WS volume folder: index.html and paper1.pdf, paper2.pdf, ...",
    README: "this file",
    MANIFEST: "the SHA-256 digest of every other file",
}


@dataclass
class BundleResult:
    """What ``bundle`` wrote."""

    path: Path
    """The handoff archive."""
    entries: list[str]
    """Its entries, sorted."""
    rebuilt: bool
    """Whether the volume was built first."""
    errors: int
    """Validation errors in the bundled volume (non-zero only with ``allow_errors``)."""
    extra: dict[str, Path] = field(default_factory=dict)
    """Other outputs: metadata.csv, the ACM CSV, the CEUR-WS folder and zip."""


# --------------------------------------------------------------------------- the build it bundles


def errors_of(report: dict[str, Any]) -> list[str]:
    """Every error finding of validation.json, as "ID (file): rule: message"."""
    lines = []
    for paper in report.get("papers", []):
        for f in paper.get("findings", []):
            if f.get("severity") == "error":
                page = f" (page {f['page']})" if f.get("page") else ""
                lines.append(f"{paper['id']} ({paper.get('file', '')}): {f.get('rule')}{page}: {f.get('message')}")
    return lines


# --------------------------------------------------------------------------- tables


def metadata_csv(metadata: dict[str, Any]) -> bytes:
    """metadata.csv: one row per paper of the volume (UTF-8, RFC 4180)."""
    rows: list[list[Any]] = [list(METADATA_COLUMNS)]
    for p in metadata.get("papers", []):
        rows.append([p["id"], p["title"], "; ".join(p.get("authors", [])), p.get("first_page"), p.get("last_page"),
                     p.get("pages"), p.get("session"), p.get("doi"), p.get("sha256"), p.get("file")])
    return csv_bytes(rows)


# --------------------------------------------------------------------------- archives


def zip_date(metadata: dict[str, Any]) -> tuple[int, int, int, int, int, int]:
    """The timestamp of every entry: SOURCE_DATE_EPOCH when set, else the build date (UTC, 1980 at the earliest)."""
    when_ = epoch_date()
    if when_ is None:
        try:
            when_ = dt.datetime.fromisoformat(str(metadata["volume"]["build_date"]).replace("Z", "+00:00"))
        except (KeyError, ValueError):
            when_ = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
    when_ = when_.astimezone(dt.UTC)
    if when_.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    if when_.year > 2107:
        return (2107, 12, 31, 23, 59, 58)
    return (when_.year, when_.month, when_.day, when_.hour, when_.minute, when_.second)


Content = bytes | Path


def _data(content: Content) -> bytes:
    return content if isinstance(content, bytes) else content.read_bytes()


def sha256sums(entries: dict[str, Content]) -> bytes:
    """SHA256SUMS of the entries, sorted by name, in the format ``sha256sum -c`` reads."""
    lines = []
    for name in sorted(entries):
        content = entries[name]
        digest = hashlib.sha256(content).hexdigest() if isinstance(content, bytes) else sha256_file(content)
        lines.append(f"{digest}  {name}\n")
    return "".join(lines).encode("utf-8")


def write_zip(path: Path, entries: dict[str, Content], date_time: tuple[int, int, int, int, int, int]) -> None:
    """Write a reproducible zip atomically: entries sorted, one timestamp, mode 0644, deflate level 9."""
    with atomic_open(path) as handle, zipfile.ZipFile(handle, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.create_system = 3
            info.external_attr = FILE_MODE << 16
            archive.writestr(info, _data(entries[name]), compress_type=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL)
    log.info("wrote %s (%d entries)", path, len(entries))


def _sync_folder(folder: Path, files: dict[str, Content]) -> None:
    """Make ``folder``, the bundle's own (what is uploaded as it stands), hold exactly ``files`` (written
    atomically; other files removed, whoever left them)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in sorted(files.items()):
        write_bytes(folder / name, _data(content))
    for old in sorted(folder.iterdir()):
        if old.is_file() and old.name not in files:
            old.unlink()


# --------------------------------------------------------------------------- the command


def handoff_name(acronym: str) -> str:
    """"EReL@MIR '25" -> "erel-mir-25-handoff.zip"."""
    return f"{slugify(acronym)}-handoff.zip"


def _contents(names: Iterable[str]) -> list[tuple[str, str]]:
    groups: dict[str, str] = {}
    for name in sorted(names):
        key = name.split("/", 1)[0] + "/" if "/" in name else name
        groups.setdefault(key, _DESCRIPTIONS.get(key, ""))
    return sorted(groups.items())


def render_readme(metadata: dict[str, Any], report: dict[str, Any], names: Iterable[str], profile: str,
                  ceur_zip: str | None = None, ceur_names: list[str] | None = None) -> str:
    """The README.txt of the bundle: what is inside, counts, pages, the tool's version and build date."""
    volume = metadata["volume"]
    errors = errors_of(report)
    warnings = sum(1 for p in report.get("papers", []) for f in p.get("findings", []) if f.get("severity") == "warning")
    papers = [{**p, "pages": f"{p['first_page']}-{p['last_page']}"} for p in metadata.get("papers", [])]
    return environment().get_template("README.txt.j2").render(
        volume=volume, when=when(volume), editors=volume.get("editors", []), papers=papers,
        excluded=metadata.get("excluded", []), summary={"errors": len(errors), "warnings": warnings},
        error_lines=errors, contents=_contents(names), profile=profile, acm_csv=ACM_CSV, crossref_xml=CROSSREF_XML,
        ceur_zip=ceur_zip or "", ceur_names=ceur_names or [], ceur_volnr=CEUR_VOLUME_PLACEHOLDER,
        year=volume.get("year", ""),
    )


def check_profile(profile: str) -> None:
    """Refuse an unknown bundle profile (exit 2)."""
    if profile not in PROFILES:
        raise InputError(f"unknown bundle profile {profile!r}; one of {', '.join(PROFILES)}")


def bundle(project: Project, out: Path, profile: str = "generic", allow_errors: bool = False,
           rebuilt: bool = False) -> BundleResult:
    """Write the handoff archive of the current build in ``out`` (and the profile's extras).

    Raises :class:`RuleViolation` while any paper has a validation error, unless ``allow_errors``.
    """
    check_profile(profile)
    metadata = read_json(out / "metadata.json")
    report = read_json(out / "validation.json")
    if not isinstance(metadata, dict) or not isinstance(report, dict):
        raise BuildError(f"{out}: metadata.json or validation.json cannot be read after the build")
    errors = errors_of(report)
    if errors and not allow_errors:
        papers = [str(p["id"]) for p in report.get("papers", [])  # in volume order, as validated
                  if any(f.get("severity") == "error" for f in p.get("findings", []))]
        raise RuleViolation(
            f"bundle refused: {len(errors)} validation error{'s' if len(errors) != 1 else ''} in "
            f"{len(papers)} paper{'s' if len(papers) != 1 else ''} ({', '.join(papers)}); "
            "fix them or pass --allow-errors", errors)
    if errors:
        log.warning("bundling with %d validation errors (--allow-errors)", len(errors))

    extra: dict[str, Path] = {}
    write_bytes(out / METADATA_CSV, metadata_csv(metadata))
    extra["metadata_csv"] = out / METADATA_CSV
    write_index_html(metadata, out)

    entries: dict[str, Content] = {}
    for name in (*_REQUIRED, *_OPTIONAL, METADATA_CSV, INDEX_FILE):
        if (out / name).is_file():
            entries[name] = out / name
        elif name in _OPTIONAL:
            log.warning("%s is absent; the bundle goes without it", out / name)
    for paper in metadata.get("papers", []):
        pdf = out / "papers" / f"{paper['id']}.pdf"
        if not pdf.is_file():
            raise BuildError(f"{pdf} is missing after the build")
        entries[f"papers/{paper['id']}.pdf"] = pdf
    for picture in sorted({f["image"] for p in report.get("papers", []) for f in p.get("findings", [])
                           if isinstance(f, dict) and isinstance(f.get("image"), str)}):
        if (out / picture).is_file():  # validation.html shows them
            entries[picture] = out / picture
    ids = {str(p["id"]) for p in metadata.get("papers", [])}
    for cite in sorted((out / "citations").iterdir()) if (out / "citations").is_dir() else []:
        if cite.is_file() and cite.stem in ids:
            entries[f"citations/{cite.name}"] = cite

    for name in (ICS_FILE, *(asset["target"] for asset in metadata.get("assets", []))):
        if (out / name).is_file():  # the programme's calendar, the logo and sponsor logos beside index.html
            entries[name] = out / name

    ceur_zip_name = None
    ceur_names: list[str] = []
    if profile == "acm":
        write_bytes(out / ACM_CSV, acm_csv(project, metadata))
        extra["acm_csv"] = out / ACM_CSV
        entries[ACM_CSV] = out / ACM_CSV
    elif profile == "crossref":
        write_bytes(out / CROSSREF_XML, crossref_xml(project, metadata))
        extra["crossref_xml"] = out / CROSSREF_XML
        entries[CROSSREF_XML] = out / CROSSREF_XML
    elif profile == "ceur-ws":
        ceur: dict[str, Content] = {INDEX_FILE: render_ceur_index(metadata).encode("utf-8")}
        for i, paper in enumerate(metadata.get("papers", []), 1):
            ceur_names.append(ceur_paper_name(i))
            ceur[ceur_paper_name(i)] = out / "papers" / f"{paper['id']}.pdf"
        _sync_folder(out / CEUR_DIR, ceur)
        extra["ceur_folder"] = out / CEUR_DIR
        folder_name = slugify(metadata["volume"]["acronym"])
        ceur_zip_name = f"{folder_name}-ceur-ws.zip"
        write_zip(out / ceur_zip_name, {f"{folder_name}/{name}": out / CEUR_DIR / name for name in ceur},
                  zip_date(metadata))
        extra["ceur_zip"] = out / ceur_zip_name
        for name in ceur:
            entries[f"{CEUR_DIR}/{name}"] = out / CEUR_DIR / name

    names = [*entries, README, MANIFEST]
    entries[README] = render_readme(metadata, report, names, profile, ceur_zip_name, ceur_names).encode("utf-8")
    entries[MANIFEST] = sha256sums(entries)
    path = out / handoff_name(metadata["volume"]["acronym"])
    write_zip(path, entries, zip_date(metadata))
    return BundleResult(path, sorted(entries), rebuilt, len(errors), extra)


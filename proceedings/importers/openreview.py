"""OpenReview exports: a JSON dump of API v2 notes (``{"notes": [...]}``, a bare list, or JSON lines).

A note (``openreview.api.Note.to_json()``)::

    {"id": "aBc1", "number": 17, "forum": "aBc1", "content": {
        "title": {"value": "..."}, "authors": {"value": ["Ann Lee", ...]},
        "authorids": {"value": ["~Ann_Lee1", "bob@example.org", ...]},
        "abstract": {"value": "..."}, "keywords": {"value": ["...", ...]},
        "venue": {"value": "EReL@MIR 2025 Accepted Paper"},
        "venueid": {"value": "ACM.org/TheWebConf/2025/Workshop/EReL_MIR"}, "pdf": {"value": "/pdf/<hash>.pdf"}}}

Accepted notes carry the venue's own id as ``venueid``; the others carry ``<venue id>/Submission``,
``/Rejected_Submission``, ``/Withdrawn_Submission`` or ``/Desk_Rejected_Submission``. API v1 notes (plain
content values) are read too. Notes hold no affiliations: an optional dump of profiles
(``openreview.Profile.to_json()``: ``{"id": "~Ann_Lee1", "content": {"names": [...], "emails": [...],
"history": [{"institution": {"name": ...}, "end": null}, ...]}}``) supplies them, and emails.

Before the venue's post-decision stage has run, every note still carries ``<venue id>/Submission``; a dump
made with the replies (``details="replies"``) then gives the decisions ("Accept (Poster)", "Reject"), which
are used instead, as for EasyChair.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any

from proceedings.errors import InputError
from proceedings.importers.common import (
    Export,
    ImportedAuthor,
    ImportedPaper,
    Status,
    classify,
    clean,
    clean_block,
    export_reader,
    read_text,
    split_keywords,
)

log = logging.getLogger(__name__)

_NOT_ACCEPTED = ("/submission", "/rejected_submission", "/withdrawn_submission", "/desk_rejected_submission",
                 "/rejected", "/withdrawn", "/desk_rejected", "/blind_submission")


def _load_json(path: Path, what: str) -> Any:
    if not path.is_file():
        raise InputError(f"{path}: {what} file not found")
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if len(lines) > 1:
            try:  # JSON lines: one note per line
                return [json.loads(ln) for ln in lines]
            except json.JSONDecodeError:
                pass
        raise InputError(f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})") from None


def _items(data: Any, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        for key in keys:
            if isinstance(data.get(key), list):
                return [d for d in data[key] if isinstance(d, dict)]
        values = list(data.values())
        if values and all(isinstance(v, dict) for v in values):  # {"id": {...}, ...}
            return values
        return [data] if "content" in data else []
    if isinstance(data, list):
        return [d for d in data if isinstance(d, dict)]
    return []


def value(content: dict[str, Any], key: str) -> Any:
    """A content field of a note: ``{"value": x}`` (API v2) or ``x`` (API v1)."""
    field = content.get(key)
    if isinstance(field, dict) and "value" in field:
        return field["value"]
    return field


def _rejected_id(venueid: str) -> bool:
    folded = venueid.casefold()
    return folded.endswith(_NOT_ACCEPTED) or "withdrawn" in folded or "rejected" in folded


def _status(venueid: str, accepted_id: str) -> Status:
    folded = venueid.casefold()
    if folded.strip().rstrip("/") == accepted_id.casefold().strip().rstrip("/"):
        return Status.accepted
    if "withdrawn" in folded:
        return Status.withdrawn
    if "rejected" in folded:
        return Status.rejected
    return Status.undecided


def accepted_venue_id(notes: list[dict[str, Any]]) -> str:
    """The venue id of the accepted notes: the most common one that is not a submission/rejected/withdrawn id."""
    ids = Counter(str(value(n.get("content") or {}, "venueid") or "") for n in notes)
    candidates = [(count, vid) for vid, count in ids.items() if vid and not _rejected_id(vid)]
    if not candidates:
        seen = ", ".join(sorted(v for v in ids if v)) or "none"
        raise InputError(f"no accepted notes: no venue id other than submitted/rejected/withdrawn ones "
                         f"(venue ids seen: {seen}); give the accepted papers' venue id with --venue-id")
    candidates.sort(key=lambda c: (-c[0], c[1]))
    if len(candidates) > 1 and candidates[0][0] == candidates[1][0]:
        tied = ", ".join(v for c, v in candidates if c == candidates[0][0])
        raise InputError(f"several venue ids are equally common ({tied}); choose one with --venue-id")
    return candidates[0][1]


def decision_of(note: dict[str, Any]) -> str | None:
    """The decision posted in reply to a note, when the dump has replies (``details={"replies": [...]}``)."""
    details = note.get("details") or {}
    for key in ("replies", "directReplies"):
        for reply in details.get(key) or []:
            if not isinstance(reply, dict):
                continue
            invitations = reply.get("invitations") or [reply.get("invitation") or ""]
            if any(str(i).endswith(("/-/Decision", "/Decision")) for i in invitations):
                decision = value(reply.get("content") or {}, "decision")
                if isinstance(decision, str) and decision.strip():
                    return clean(decision)
    return None


class _Profiles:
    """Affiliations and emails from a dump of OpenReview profiles, by profile id (any of its names) and email."""

    def __init__(self, profiles: list[dict[str, Any]]) -> None:
        self.by_key: dict[str, tuple[str | None, str | None]] = {}
        for profile in profiles:
            content = profile.get("content") or {}
            emails = [e for e in (content.get("emails") or []) if isinstance(e, str) and "@" in e]
            preferred = content.get("preferredEmail") or content.get("preferred_email")
            usable = [e for e in (preferred, *emails) if isinstance(e, str) and "@" in e and "*" not in e]
            email = usable[0] if usable else None  # public dumps mask addresses (****@pw.edu.pl): none written
            info = (self._affiliation(content.get("history") or []), email)
            keys = [profile.get("id")] + [n.get("username") for n in content.get("names") or []
                                          if isinstance(n, dict)] + emails
            for key in keys:
                if isinstance(key, str) and key:
                    self.by_key.setdefault(key.casefold(), info)

    @staticmethod
    def _affiliation(history: list[Any]) -> str | None:
        """The current institution: an entry without an end year, else the latest one."""
        best: tuple[float, float, str] | None = None
        for entry in history:
            if not isinstance(entry, dict):
                continue
            institution = entry.get("institution") or {}
            name = clean(institution.get("name") if isinstance(institution, dict) else institution)
            if not name:
                continue
            end = entry.get("end")
            rank = (float("inf") if end in (None, "") else float(end) if str(end).isdigit() else 0.0,
                    float(entry["start"]) if str(entry.get("start") or "").isdigit() else 0.0, name)
            if best is None or rank[:2] > best[:2]:
                best = rank
        return best[2] if best else None

    def get(self, key: str | None) -> tuple[str | None, str | None]:
        return self.by_key.get(key.casefold(), (None, None)) if key else (None, None)


def _authors(content: dict[str, Any], profiles: _Profiles | None) -> list[ImportedAuthor]:
    names = [clean(n) for n in (value(content, "authors") or []) if clean(n)]
    ids = [clean(i) for i in (value(content, "authorids") or [])]
    out: list[ImportedAuthor] = []
    seen: set[str] = set()
    for i, name in enumerate(names):
        aid = ids[i] if i < len(ids) else ""
        key = (aid or name).casefold()
        if key in seen:
            continue
        seen.add(key)
        affiliation, email = profiles.get(aid) if profiles else (None, None)
        if "@" in aid and "*" not in aid:  # an address given as the id, unless masked
            email = aid
        out.append(ImportedAuthor(name=name, affiliation=affiliation, email=email))
    return out


@export_reader("an OpenReview profiles dump")
def _read_profiles(path: Path) -> _Profiles:
    """The profiles file given beside the notes (what it holds that is unforeseen is its own to fix, named)."""
    return _Profiles(_items(_load_json(path, "profiles"), ("profiles", "results")))


@export_reader("an OpenReview export (a JSON dump of notes)")
def read_openreview(notes_file: Path, venue_id: str | None = None, profiles_file: Path | None = None) -> Export:
    """Read a JSON dump of OpenReview notes; accepted are those whose ``venueid`` is ``venue_id`` (default: the
    most common venue id that is not a submitted, rejected or withdrawn one)."""
    notes_file = Path(notes_file)
    notes = _items(_load_json(notes_file, "notes"), ("notes", "submissions", "results"))
    if not notes:
        raise InputError(f"{notes_file}: no notes found (expected {{\"notes\": [...]}} or a list of notes)")
    profiles = None
    files = [notes_file.name]
    export_notes: list[str] = []
    if profiles_file is None:  # as EasyChair's import without its authors export: said, not left to be found
        export_notes.append("no profiles dump: notes hold no affiliations, so none are written (give a JSON dump "
                            "of the authors' OpenReview profiles with --profiles)")
    else:
        profiles = _read_profiles(Path(profiles_file))
        files.append(Path(profiles_file).name)
    decisions = {id(n): decision_of(n) for n in notes}
    accepted_id: str | None = venue_id
    if accepted_id is None:
        try:
            accepted_id = accepted_venue_id(notes)
        except InputError:
            if not any(decisions.values()):
                raise
            log.info("no venue id of accepted papers yet: the decisions replied to the notes are used")
    if accepted_id:
        log.info("accepted papers: venue id %s", accepted_id)
    papers: list[ImportedPaper] = []
    seen: set[str] = set()
    for note in notes:
        content = note.get("content") or {}
        number = note.get("number")
        pid = str(number) if isinstance(number, int) and not isinstance(number, bool) else clean(note.get("id"))
        if not pid or pid in seen:
            continue
        seen.add(pid)
        venueid = str(value(content, "venueid") or "")
        decision = decisions[id(note)]
        if accepted_id:
            status = _status(venueid, accepted_id)
        elif "rejected" in venueid.casefold():
            status = Status.rejected
        else:
            status = classify(decision or "", "withdrawn" in venueid.casefold())
        authors = _authors(content, profiles)
        if status is Status.accepted and not authors:
            export_notes.append(f"note {pid}: no authors in the dump (anonymous?)")
        hints = []
        pdf = value(content, "pdf")
        if isinstance(pdf, str) and pdf.strip():
            hints.append(pdf.rstrip("/").rsplit("/", 1)[-1])
        for key in ("id", "forum"):
            if isinstance(note.get(key), str):
                hints.append(note[key] + ".pdf")
        papers.append(ImportedPaper(
            id=pid, title=clean(value(content, "title")), authors=authors, status=status,
            decision=str((decision if not accepted_id else None) or value(content, "venue") or venueid or ""),
            abstract=clean_block(value(content, "abstract")) or None,
            keywords=split_keywords(value(content, "keywords")), file_hints=hints,
        ))
    if not any(p.accepted for p in papers):
        seen_ids = ", ".join(sorted({str(value(n.get("content") or {}, "venueid") or "") for n in notes} - {""}))
        if not accepted_id:
            raise InputError(f"{notes_file}: no note has an accepting decision (decisions seen: "
                             f"{', '.join(sorted({d for d in decisions.values() if d})) or 'none'})")
        raise InputError(f"{notes_file}: no note has venue id {accepted_id!r} (venue ids seen: {seen_ids or 'none'})")
    for note in export_notes:
        log.info("%s", note)
    return Export(source="OpenReview", files=files, papers=papers, notes=export_notes)

"""The programme outside the PDF: its part of metadata.json, the logos beside index.html, and program.ics.

program.ics (RFC 5545) holds one VEVENT per session and one per item with a time of its own, in
UTC (converted from workshop.yaml ``timezone``; floating local times when there is none). It is
deterministic: DTSTAMP is the build time (SOURCE_DATE_EPOCH), UIDs are derived from the event, day,
time and title.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import shutil
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from proceedings.project.model import Project
from proceedings.project.program import (
    FRONT_MATTER,
    TALK_KINDS,
    asset_digests,
    day_heading,
    hhmm,
)
from proceedings.stages.plan import Plan
from proceedings.text import browser_link, slugify, unique_name
from proceedings.util.atomic import write_bytes

log = logging.getLogger(__name__)

ICS_FILE = "program.ics"
LOGO_NAME = "logo"
SPONSOR_DIR = "sponsors"


def program_metadata(project: Project, plan: Plan) -> dict[str, Any]:
    """``program``, ``sponsors`` and ``assets`` (logo files to copy) of metadata.json; empty when there are none."""
    placed = {p.paper.id: p for p in plan.papers}
    days = []
    for day in project.program:
        sessions = []
        for session in day.sessions:
            items = []
            for item in session.items:
                entry: dict[str, Any] = {"kind": item.kind_, "start": hhmm(item.start) or None,
                                         "end": hhmm(item.end) or None}
                if item.paper is not None:
                    paper = project.paper(item.paper)
                    entry.update(paper=item.paper, title=paper.title if paper else item.paper,
                                 authors=[a.name for a in paper.authors] if paper else [])
                    if item.paper in placed:
                        entry.update(first_page=placed[item.paper].first_page, last_page=placed[item.paper].last_page)
                else:
                    entry.update(title=item.title, label=item.label or None, speaker=item.speaker,
                                 affiliation=item.affiliation, abstract=item.abstract, bio=item.bio, url=item.url)
                items.append({k: v for k, v in entry.items() if v not in (None, "", [])})
            sessions.append({k: v for k, v in {
                "title": session.title, "start": hhmm(session.start), "end": hhmm(session.end),
                "room": session.room, "chair": session.chair, "items": items}.items() if v not in (None, "")})
        days.append({k: v for k, v in {"date": day.date.isoformat(), "title": day.title,
                                       "sessions": sessions}.items() if v is not None})
    digests = asset_digests(project)
    assets = []
    if project.workshop.logo:
        assets.append({"source": f"{FRONT_MATTER}/{project.workshop.logo}",
                       "target": LOGO_NAME + Path(project.workshop.logo).suffix.lower(),
                       "sha256": digests[project.workshop.logo]})
    sponsors = []
    for i, sponsor in enumerate(project.sponsors, 1):
        entry = {k: v for k, v in sponsor.model_dump().items() if v is not None and k != "logo"}
        if sponsor.logo:
            target = f"{SPONSOR_DIR}/{i:02d}-{slugify(sponsor.name) or 'sponsor'}{Path(sponsor.logo).suffix.lower()}"
            assets.append({"source": f"{FRONT_MATTER}/{sponsor.logo}", "target": target,
                           "sha256": digests[sponsor.logo]})
            entry["logo"] = target
        sponsors.append(entry)
    out: dict[str, Any] = {}
    if days:
        out["program"] = {"timezone": project.workshop.timezone, "days": days} if project.workshop.timezone \
            else {"days": days}
    if sponsors:
        out["sponsors"] = sponsors
    if assets:
        out["assets"] = assets
    return out


def _markdown(text: str | None) -> Markup | None:
    """Markdown as HTML; HTML comments left out, other raw HTML in it escaped, unsafe link schemes dropped
    (markdown-it)."""
    if not text:
        return None
    from proceedings.typeset.mdparse import parser, without_comments

    return Markup(parser().render(without_comments(text)))


def program_view(metadata: dict[str, Any], out_dir: Path, href) -> dict[str, Any]:
    """What index.html shows of the programme: days with their sessions, each paper with links to the files
    present in ``out_dir``; the talks with abstracts; sponsors by level; the logo."""
    days = []
    anchors: set[str] = set()  # two talks may share a title, or have titles of no Latin letters

    for day in (metadata.get("program") or {}).get("days", []):
        date = dt.date.fromisoformat(day["date"])
        sessions = []
        for session in day["sessions"]:
            items = []
            for item in session.get("items", []):
                links = []
                if item.get("paper"):
                    pid = item["paper"]
                    for rel, label in ((f"papers/{pid}.pdf", "PDF"), (f"citations/{pid}.bib", "BibTeX")):
                        if (out_dir / rel).is_file():
                            links.append({"href": href(rel), "label": label})
                pages = item.get("first_page")
                if pages is not None and item.get("last_page") != pages:
                    pages = f"{pages}–{item['last_page']}"
                # a keynote or invited talk has a page of its own in the front matter (abstract or not): here too
                talk = item.get("kind") in TALK_KINDS or item.get("abstract") or item.get("bio")
                items.append({**item, "links": links, "pages": pages,
                              "time": "–".join(x for x in (item.get("start"), item.get("end")) if x),
                              "anchor": unique_name(f"talk-{slugify(item['title'])}", anchors) if talk else None})
            sessions.append({**session, "items": items, "time": f"{session['start']}–{session['end']}"})
        days.append({"heading": day_heading(date), "title": day.get("title"),
                     "date": day["date"], "sessions": sessions})
    talks = [{**i, "abstract_html": _markdown(i.get("abstract")), "bio_html": _markdown(i.get("bio"))}
             for d in days for s in d["sessions"] for i in s["items"] if i["anchor"]]
    levels: dict[str, list] = {}
    for sponsor in metadata.get("sponsors", []):
        logo = sponsor.get("logo")
        levels.setdefault(sponsor.get("level") or "", []).append(
            {**sponsor, "logo": href(logo) if logo and (out_dir / logo).is_file() else None,
             "url": browser_link(sponsor.get("url"))})  # a script or a path is printed as the name alone, as in the PDF
    logo = next((a["target"] for a in metadata.get("assets", []) if a["target"].startswith(LOGO_NAME + ".")), None)
    heading = "Keynotes and invited talks" if all(t["kind"] in TALK_KINDS for t in talks) else "Talks"
    return {"days": days, "talks": talks, "talks_heading": heading, "sponsor_levels": list(levels.items()),
            "timezone": (metadata.get("program") or {}).get("timezone"),
            "logo": href(logo) if logo and (out_dir / logo).is_file() else None,
            "ics": href(ICS_FILE) if (out_dir / ICS_FILE).is_file() else None}


# --------------------------------------------------------------------------- iCalendar


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with CRLF and a space (RFC 5545 §3.1), never inside a character."""
    out, current = [], b""
    for ch in line:
        encoded = ch.encode("utf-8")
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def _stamp(moment: dt.datetime, zone: ZoneInfo | None) -> str:
    if zone is None:
        return moment.strftime("%Y%m%dT%H%M%S")  # floating: local wherever it is read
    return moment.replace(tzinfo=zone).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def render_ics(metadata: dict[str, Any]) -> str:
    """The text of program.ics for metadata.json's programme."""
    volume, program = metadata["volume"], metadata.get("program") or {}
    zone = ZoneInfo(program["timezone"]) if program.get("timezone") else None
    build = dt.datetime.fromisoformat(str(volume.get("build_date", "1980-01-01T00:00:00Z")).replace("Z", "+00:00"))
    dtstamp = build.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    slug = slugify(volume["acronym"]) or "event"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//proceedings//{volume.get('tool', 'proceedings')}//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{_escape(volume['acronym'])}"]
    if zone is not None:
        lines.append(f"X-WR-TIMEZONE:{program['timezone']}")
    uids: set[str] = set()

    def event(date: dt.date, start: str, end: str, summary: str, description: str, room: str | None) -> None:
        end = max(start, end)  # an item that starts as its session ends: a moment, not a negative span
        begin = dt.datetime.combine(date, dt.time.fromisoformat(start))
        finish = dt.datetime.combine(date, dt.time.fromisoformat(end))
        key = f"{slug}|{date}|{start}|{summary}"
        uid = hashlib.sha256(key.encode()).hexdigest()[:20]
        if uid in uids:  # the same title at the same time in parallel sessions: told apart by room, then order
            uid = hashlib.sha256(f"{key}|{room or ''}".encode()).hexdigest()[:20]
        uid = unique_name(uid, uids)
        location = ", ".join(x for x in (room, volume.get("location")) if x)
        lines.extend(["BEGIN:VEVENT", f"UID:{uid}-{slug}@proceedings.invalid", f"DTSTAMP:{dtstamp}",
                      f"DTSTART:{_stamp(begin, zone)}", f"DTEND:{_stamp(finish, zone)}",
                      f"SUMMARY:{_escape(summary)}"])
        if location:
            lines.append(f"LOCATION:{_escape(location)}")
        if description:
            lines.append(f"DESCRIPTION:{_escape(description)}")
        lines.append("END:VEVENT")

    for day in program.get("days", []):
        date = dt.date.fromisoformat(day["date"])
        for session in day["sessions"]:
            about = []
            if session.get("chair"):
                about.append(f"Chair: {session['chair']}")
            for item in session.get("items", []):
                when = f"{item['start']} " if item.get("start") else ""
                who = ", ".join(item.get("authors") or [x for x in (item.get("speaker"),) if x])
                about.append(f"{when}{item['title']}" + (f" ({who})" if who else ""))
            event(date, session["start"], session["end"], f"{volume['acronym']}: {session['title']}",
                  "\n".join(about), session.get("room"))
            timed = [item for item in session.get("items", []) if item.get("start")]
            for n, item in enumerate(timed):
                end = item.get("end") or (timed[n + 1]["start"] if n + 1 < len(timed) else session["end"])
                label = f"{item['label']}: " if item.get("label") else ""
                who = ", ".join(item.get("authors") or [x for x in (item.get("speaker"), item.get("affiliation")) if x])
                pages = f"Pages {item['first_page']}–{item['last_page']} of the proceedings." \
                    if item.get("first_page") else ""
                event(date, item["start"], end, f"{label}{item['title']}",
                      "\n".join(x for x in (who, f"Session: {session['title']}", pages, item.get("abstract")) if x),
                      session.get("room"))
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def write_program_files(metadata: dict[str, Any], project_root: Path, out_dir: Path) -> dict[str, Path]:
    """Copy the logos beside index.html and write program.ics; return what was written."""
    out: dict[str, Path] = {}
    for asset in metadata.get("assets", []):
        target = out_dir / asset["target"]
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        shutil.copyfile(project_root / asset["source"], tmp)
        tmp.replace(target)
        out[f"asset:{asset['target']}"] = target
    path = out_dir / ICS_FILE
    if metadata.get("program"):
        write_bytes(path, render_ics(metadata).encode("utf-8"))
        out["program_ics"] = path
    elif path.is_file():  # the programme was removed since the last build
        path.unlink()
    return out

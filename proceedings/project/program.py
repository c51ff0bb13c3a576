"""The event's programme (``front_matter/program.yaml``), its sponsors (``sponsors.yaml``) and logos.

Loaded after the papers, so every problem — an unknown paper id, sessions out of order or
overlapping, a day outside the workshop's dates, a logo that is missing or no image — is
reported with the rest, as ``file: entry.field: message``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from proceedings.project.files import id_text
from proceedings.project.files import read_yaml as _read_yaml
from proceedings.project.files import validate_into as _validate
from proceedings.text import match_fold

if TYPE_CHECKING:
    from proceedings.project.model import Paper, Workshop

PROGRAM_FILE = "front_matter/program.yaml"
SPONSORS_FILE = "front_matter/sponsors.yaml"
FRONT_MATTER = "front_matter"

Kind = Literal["paper", "keynote", "invited", "break", "panel", "other"]
TALK_KINDS = ("keynote", "invited")
"""Items that get a page of their own in the front matter (abstract, bio)."""
KIND_LABELS = {"keynote": "Keynote", "invited": "Invited Talk", "panel": "Panel", "break": "", "other": "",
               "paper": ""}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def parse_time(value: Any) -> Any:
    """"HH:MM" → time. YAML 1.1 reads an unquoted 10:30 as the base-60 integer 630: taken back as 10:30."""
    if isinstance(value, bool) or value is None or isinstance(value, dt.time):
        return value
    if isinstance(value, int):
        hours, minutes = divmod(value, 60)
        if 0 <= hours < 24:
            return dt.time(hours, minutes)
        raise ValueError(f"not a time of day (HH:MM): {value!r}")
    if isinstance(value, str):
        match = re.fullmatch(r"([0-9]{1,2}):([0-5][0-9])", value.strip())  # not "9:5", "09:005", "٠٩:٠٠"
        if match and int(match[1]) < 24:
            return dt.time(int(match[1]), int(match[2]))
    raise ValueError(f"not a time of day (HH:MM): {value!r}")


def hhmm(value: dt.time | None) -> str:
    """"09:05"; empty for no time."""
    return value.strftime("%H:%M") if value else ""


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def day_heading(date: dt.date) -> str:
    """"Monday, April 28, 2025" (English, whatever the locale)."""
    return f"{WEEKDAYS[date.weekday()]}, {MONTHS[date.month - 1]} {date.day}, {date.year}"


def check_timezone(value: str | None) -> str | None:
    """An IANA time zone name known to zoneinfo ("Australia/Sydney"), else ValueError."""
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        raise ValueError(f"unknown time zone {value[:100]!r} (an IANA name such as Australia/Sydney)") from None
    return value


class _Timed(_Model):
    start: dt.time | None = None
    """Start, "HH:MM" in the event's time zone."""
    end: dt.time | None = None
    """End, "HH:MM"."""

    @field_validator("start", "end", mode="before")
    @classmethod
    def _time(cls, value: Any) -> Any:
        return parse_time(value)


class Item(_Timed):
    """One entry of a session: a paper of papers.yaml, or a talk, break, panel…"""

    paper: str | None = None
    """Id of a paper of camera_ready/papers.yaml; its title, authors and pages come from there."""
    title: str | None = None
    """Title of a talk, break or panel (a paper's own title when ``paper`` is given)."""
    kind: Kind | None = None
    """keynote, invited, break, panel or other; ``paper`` when ``paper`` is given."""
    speaker: str | None = None
    """Who speaks (keynotes, invited talks), or a paper's presenter."""
    affiliation: str | None = None
    """The speaker's institution."""
    abstract: str | None = None
    """Abstract of the talk (Markdown), printed on its page."""
    bio: str | None = None
    """The speaker's biography (Markdown), printed on the talk's page."""
    url: str | None = None
    """Slides or recording."""

    @field_validator("paper", mode="before")
    @classmethod
    def _paper_id(cls, value: Any) -> Any:
        return id_text(value)

    @model_validator(mode="after")
    def _what(self) -> Item:
        if self.paper is None and not self.title:
            raise ValueError("an item needs a paper id (paper: ID) or a title")
        if self.paper is not None and self.kind not in (None, "paper"):
            raise ValueError(f"an item with a paper is a paper, not a {self.kind}")
        return self

    @property
    def kind_(self) -> str:
        """The kind, defaulted: ``paper`` for papers, ``other`` for anything else."""
        return self.kind or ("paper" if self.paper is not None else "other")

    @property
    def label(self) -> str:
        """What is printed before the title ("Keynote"): nothing when the title begins with it as a word already."""
        label, title = KIND_LABELS[self.kind_], match_fold(self.title or "")
        return "" if label and re.match(re.escape(match_fold(label)) + r"(?!\w)", title) else label


class ProgramSession(_Timed):
    """A session: a block of time with a title, room and chair."""

    title: str = Field(min_length=1)
    start: dt.time
    end: dt.time
    chair: str | None = None
    """Session chair, as printed."""
    room: str | None = None
    """Room, as printed."""
    items: list[Item] = Field(default_factory=list)


class Day(_Model):
    """One day of the event."""

    date: dt.date
    """ISO date, between the workshop's start_date and end_date."""
    title: str | None = None
    """An optional heading for the day ("Day 1: Efficiency")."""
    sessions: list[ProgramSession] = Field(min_length=1)

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"not an ISO date (YYYY-MM-DD): {value!r}") from None
        return value


class Sponsor(_Model):
    """A sponsor (``front_matter/sponsors.yaml``)."""

    name: str = Field(min_length=1)
    logo: str | None = None
    """An image (PNG, JPEG, GIF) relative to front_matter/."""
    level: str | None = None
    """"Gold", "Silver"…: levels are printed in the order they first appear."""
    url: str | None = None


# --------------------------------------------------------------------------- loading


def image_problem(root: Path, rel: str) -> str | None:
    """Why ``rel`` (relative to front_matter/) is not an image the volume can print, or None."""
    try:
        base = (root / FRONT_MATTER).resolve()
        path = (base / rel).resolve()
        if Path(rel).is_absolute() or (path != base and base not in path.parents):
            return f"{rel!r} points outside front_matter/"
        if not path.is_file():
            return f"{rel!r}: file not found in front_matter/"
    except (OSError, RuntimeError) as exc:  # a name too long, a symbolic link loop (RuntimeError before 3.13)
        return f"{rel[:100]!r} cannot be read: {getattr(exc, 'strerror', None) or exc}"
    if _sound_image(path):
        return None
    from PIL import Image, UnidentifiedImageError  # what is wrong with it, in Pillow's words

    from proceedings.pdf.jpeg import jpeg_fault

    try:
        with Image.open(path) as image:
            image.verify()
            kind = image.format
    except Image.DecompressionBombError as exc:
        return f"{rel!r} is too large an image to print ({exc}); give a smaller one"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        return f"{rel!r} is not an image that can be printed (PNG, JPEG or GIF): {exc}"
    if kind not in ("PNG", "JPEG", "MPO", "GIF"):  # MPO: a JPEG with more pictures after it (phones, cameras)
        return f"{rel!r} is a {kind} image; give a PNG, JPEG or GIF"
    fault = jpeg_fault(path.read_bytes()) if kind in ("JPEG", "MPO") else None  # printed as it is
    return f"{rel!r} cannot be printed: {fault}; export it again" if fault else None


def _sound_image(path: Path) -> bool:
    """Whether the file is plainly a sound PNG (every chunk's CRC right, up to IEND), JPEG (markers up to a frame
    header, the end marker last) or GIF, read without Pillow (whose import costs a tenth of a second on every
    build). A JPEG not plainly sound is decoded (:func:`image_problem`): ``qpdf --check`` fails on one cut short."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        pos = 8
        while pos + 12 <= len(data):
            length = int.from_bytes(data[pos:pos + 4], "big")
            kind, end = data[pos + 4:pos + 8], pos + 8 + length
            if end + 4 > len(data) or zlib.crc32(data[pos + 4:end]) != int.from_bytes(data[end:end + 4], "big"):
                return False
            if kind == b"IEND":
                return True
            pos = end + 4
        return False
    if data.startswith(b"\xff\xd8"):
        pos = 2
        while pos + 4 <= len(data) and data[pos] == 0xFF:
            marker = data[pos + 1]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a frame header: its size, components
                return pos + 10 <= len(data) and data.endswith(b"\xff\xd9")
            pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
        return False
    return data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 13 and data.rstrip(b"\x00").endswith(b";")


def asset_digests(project: Any) -> dict[str, str]:
    """sha256 of the logo and every sponsor logo, by path relative to front_matter/ (cache keys)."""
    names = [project.workshop.logo] + [s.logo for s in project.sponsors]
    out = {}
    for name in sorted({n for n in names if n}):
        out[name] = hashlib.sha256((project.root / FRONT_MATTER / name).read_bytes()).hexdigest()
    return out


def _span(t: _Timed) -> str:
    return f"{hhmm(t.start)}–{hhmm(t.end)}"


def _venue(room: str | None) -> str | None:
    """A room as compared: case and runs of spaces ignored ("Room 1" is "room  1"); None for no room."""
    return " ".join(room.split()).casefold() if room else None


Child = tuple[str, _Timed, str, str | None]
"""label, the entry, its name, its room as written (None: it has the whole venue)."""


def _clash(start: dt.time, venue: str | None, busy: dict[str | None, Child]) -> Child | None:
    """The earlier entry still running at ``start`` in ``venue`` (:func:`_venue`), or None. ``busy`` holds, by
    venue, the earlier entry there that ends last (key None: those without a room). An entry without a room takes
    the whole venue: it clashes with any entry; one with a room, with one in that room or without a room."""
    rivals = busy.values() if venue is None else [busy[k] for k in (venue, None) if k in busy]
    running = [r for r in rivals if start < (r[1].end or dt.time.min)]
    return max(running, key=lambda r: r[1].end or dt.time.min) if running else None


def _why(room: str | None, other: str | None) -> str:
    """Why two entries may not share their time: the same room, or one of them has the whole venue."""
    if room and other:
        return f" in the same room ({other!r})"
    if not (room or other):
        return ""
    return "; an entry without a room takes the whole venue (give each a room to run them in parallel)"


def _check_times(where: str, owner: _Timed, children: list[Child], problems: list[str]) -> None:
    """Each child ends after it starts, lies within ``owner`` (when timed), starts no earlier than the previous,
    and overlaps no earlier child in its room (parallel sessions in different rooms may share their times)."""
    previous: Child | None = None
    busy: dict[str | None, Child] = {}
    for entry in children:
        label, child, name, room = entry
        if child.start is None:
            if child.end is not None:
                problems.append(f"{PROGRAM_FILE}: {label}.start: an end ({hhmm(child.end)}) needs a start")
            continue
        if child.end is not None and child.end <= child.start:
            problems.append(f"{PROGRAM_FILE}: {label}.end: {hhmm(child.end)} is not after its start "
                            f"{hhmm(child.start)}")
            continue
        if owner.start is not None and owner.end is not None and not (
                owner.start <= child.start < owner.end and (child.end or child.start) <= owner.end):
            problems.append(f"{PROGRAM_FILE}: {label}.start: {_span(child).strip('–')} lies outside {where} "
                            f"({_span(owner)})")
        venue = _venue(room)
        clash = _clash(child.start, venue, busy)
        if previous is not None and child.start < previous[1].start:
            problems.append(f"{PROGRAM_FILE}: {label}.start: {hhmm(child.start)} is before {previous[0]} "
                            f"{previous[2]!r} ({hhmm(previous[1].start)}); list entries in time order")
        elif clash is not None:
            problems.append(f"{PROGRAM_FILE}: {label}.start: {name!r} ({_span(child).strip('–')}) overlaps "
                            f"{clash[0]} {clash[2]!r} ({_span(clash[1])}){_why(room, clash[3])}")
        previous = entry
        if child.end is not None and (venue not in busy or (busy[venue][1].end or dt.time.min) < child.end):
            busy[venue] = entry


def _check_program(days: list[Day], workshop: Workshop | None, papers: list[Paper] | None,
                   problems: list[str], notices: list[str]) -> None:
    ids = {p.id: p for p in papers or []}
    used: dict[str, str] = {}
    seen_dates: dict[dt.date, int] = {}
    for i, day in enumerate(days):
        if workshop is not None and not workshop.start_date <= day.date <= workshop.end_date:
            problems.append(f"{PROGRAM_FILE}: [{i}].date: {day.date} is outside the workshop's dates "
                            f"({workshop.start_date} to {workshop.end_date}, workshop.yaml)")
        if day.date in seen_dates:
            problems.append(f"{PROGRAM_FILE}: [{i}].date: {day.date} is already day [{seen_dates[day.date]}]; "
                            "put all of a day's sessions under one date")
        elif seen_dates and day.date < max(seen_dates):
            problems.append(f"{PROGRAM_FILE}: [{i}].date: {day.date} comes after {max(seen_dates)}; "
                            "list the days in order")
        seen_dates.setdefault(day.date, i)
        sessions = [(f"[{i}].sessions[{j}]", s, s.title, s.room) for j, s in enumerate(day.sessions)]
        _check_times(f"day [{i}]", _Timed(), sessions, problems)
        for j, session in enumerate(day.sessions):
            items: list[Child] = []
            for k, item in enumerate(session.items):
                label = f"[{i}].sessions[{j}].items[{k}]"
                if item.paper is not None and papers is not None:
                    if item.paper not in ids:
                        problems.append(f"{PROGRAM_FILE}: {label}.paper: unknown paper id {item.paper!r} "
                                        "(not in camera_ready/papers.yaml)")
                    elif item.paper in used:
                        problems.append(f"{PROGRAM_FILE}: {label}.paper: paper {item.paper!r} is already in "
                                        f"{used[item.paper]}")
                    else:
                        used[item.paper] = label
                name = item.title or (ids[item.paper].title if item.paper in ids else f"paper {item.paper}")
                items.append((label, item, name, None))  # one room: the session's
            _check_times(f"its session [{i}].sessions[{j}]", session, items, problems)
    missing = [p.id for p in papers or [] if p.id not in used]
    if missing:
        notices.append(f"{PROGRAM_FILE}: paper{'s' if len(missing) > 1 else ''} {', '.join(missing)} of "
                       "camera_ready/papers.yaml in no session of the programme")


def _fit_sample(days: list[Day], workshop: Workshop | None, papers: list[Paper] | None,
                notices: list[str]) -> list[Day]:
    """A programme marked ``sample: true`` (``{sample: true, days: [...]}``) follows the project it is copied
    into: its items naming papers that papers.yaml does not have, and its days outside the workshop's dates,
    are left out with a warning instead of failing the build. A real programme gets no such leniency."""
    ids = {p.id for p in papers} if papers is not None else None
    kept: list[Day] = []
    dropped_items = dropped_days = 0
    for day in days:
        if workshop is not None and not workshop.start_date <= day.date <= workshop.end_date:
            dropped_days += 1
            continue
        sessions = []
        for session in day.sessions:
            items = [it for it in session.items if it.paper is None or ids is None or it.paper in ids]
            dropped_items += len(session.items) - len(items)
            sessions.append(session.model_copy(update={"items": items}))
        kept.append(day.model_copy(update={"sessions": sessions}))
    if dropped_items or dropped_days:
        notices.append(f"{PROGRAM_FILE}: sample programme: {dropped_items} item(s) naming papers not in "
                       f"camera_ready/papers.yaml and {dropped_days} day(s) outside the workshop's dates left out")
    return kept


def _list_of(data: Any, rel: str, key: str, what: str, problems: list[str]) -> list | None:
    if isinstance(data, dict) and isinstance(data.get(key), list):
        data = data[key]
    if not isinstance(data, list):
        problems.append(f"{rel}: (top level): expected a list of {what}, got {type(data).__name__}")
        return None
    return data


def load_program(root: Path, workshop: Workshop | None, papers: list[Paper] | None, problems: list[str],
                 notices: list[str]) -> tuple[list[Day], list[Sponsor]]:
    """Read program.yaml and sponsors.yaml (both optional) and check them and every logo.

    ``papers`` None: papers.yaml has problems of its own, so paper ids are not checked.
    """
    days: list[Day] = []
    raw = _read_yaml(root, PROGRAM_FILE, problems, required=False, verbatim=("paper",))  # as papers.yaml's id
    entries = _list_of(raw, PROGRAM_FILE, "days", "days", problems) if raw is not None else []
    for i, entry in enumerate(entries or []):
        day = _validate(Day, entry, PROGRAM_FILE, f"[{i}]", problems, notices)
        if day is not None:
            days.append(day)
    if days and len(days) == len(entries or []):
        if isinstance(raw, dict) and raw.get("sample") is True:
            notices.append(f"{PROGRAM_FILE}: a sample programme (sample: true): its sessions, times, rooms and talks "
                           "are invented, and go into the volume, index.html and program.ics; write the real "
                           "programme without 'sample: true', or delete the file")
            days = _fit_sample(days, workshop, papers, notices)
        _check_program(days, workshop, papers, problems, notices)
    sponsors: list[Sponsor] = []
    raw = _read_yaml(root, SPONSORS_FILE, problems, required=False)
    entries = _list_of(raw, SPONSORS_FILE, "sponsors", "sponsors", problems) if raw is not None else []
    for i, entry in enumerate(entries or []):
        sponsor = _validate(Sponsor, entry, SPONSORS_FILE, f"[{i}]", problems, notices)
        if sponsor is None:
            continue
        why = image_problem(root, sponsor.logo) if sponsor.logo else None
        if why:
            problems.append(f"{SPONSORS_FILE}: [{i}].logo: {why}")
        sponsors.append(sponsor)
    if workshop is not None and workshop.logo:
        why = image_problem(root, workshop.logo)
        if why:
            problems.append(f"front_matter/workshop.yaml: logo: {why}")
        elif SAMPLE_MARK in _head(root / FRONT_MATTER / workshop.logo):
            notices.append(f"front_matter/workshop.yaml: logo: {workshop.logo!r} is the sample logo (it says SAMPLE "
                           "LOGO on the title page and index.html); give the workshop's own, or remove 'logo'")
    return days, sponsors


SAMPLE_KEY = "proceedings-sample"
"""The PNG text chunk the repository's sample logo carries (``tools/make_samples.py`` writes it)."""
SAMPLE_MARK = b"tEXt" + SAMPLE_KEY.encode() + b"\x00"


def _head(path: Path) -> bytes:
    """The first 4 KiB of a file (a PNG's text chunks come before its image data), empty when unreadable."""
    try:
        with path.open("rb") as handle:
            return handle.read(4096)
    except OSError:
        return b""


def talks(days: list[Day]) -> list[tuple[Day, ProgramSession, Item]]:
    """The keynotes and invited talks, in programme order."""
    return [(d, s, it) for d in days for s in d.sessions for it in s.items if it.kind_ in TALK_KINDS]

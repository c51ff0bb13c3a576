"""Loading a project folder into its model (:mod:`proceedings.project.model`): every file read and checked, every
problem collected and reported together, each as ``file: entry.field: message``."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from proceedings.errors import ProjectFileError
from proceedings.project import inputs
from proceedings.project.files import read_yaml as _read_yaml
from proceedings.project.files import validate_into as _validate
from proceedings.project.model import (
    CAMERA_READY,
    COMMITTEE_FILE,
    ORGANIZERS_FILE,
    PAPERS_FILE,
    PREFACE_FILE,
    WORKSHOP_FILE,
    Paper,
    Person,
    Project,
    Workshop,
)
from proceedings.project.program import load_program
from proceedings.project.publishing import derive_dois
from proceedings.text import family_name, isbn_fault, match_fold, orcid_fault


def _persons(root: Path, rel: str, problems: list[str], notices: list[str]) -> list[Person]:
    data = _read_yaml(root, rel, problems, required=False)
    if data is None:
        return []
    if isinstance(data, dict) and len(data) == 1 and isinstance(next(iter(data.values())), list):
        data = next(iter(data.values()))  # allow "members: [...]"
    if not isinstance(data, list):
        problems.append(f"{rel}: (top level): expected a list of persons, got {type(data).__name__}")
        return []
    if not inputs.check_count(rel, data, inputs.MAX_PERSONS, "persons", problems):
        return []
    out = []
    for i, item in enumerate(data):
        person = _validate(Person, item, rel, f"[{i}]", problems, notices)
        if person is not None:
            out.append(person)
    _person_notices(out, rel, "", notices)
    return out


def _part_of(family: str, name: str) -> bool:
    """Whether ``family`` is words of ``name`` in a row (accents and case aside), or, for a name written without
    spaces ("李明"), a part of it."""
    words, within = re.findall(r"\w+", match_fold(family)), re.findall(r"\w+", match_fold(name))
    if len(within) == 1:
        return "".join(words) in within[0]
    return any(within[i:i + len(words)] == words for i in range(len(within) - len(words) + 1))


def _person_notices(people: list[Person], rel: str, where: str, notices: list[str]) -> None:
    """A notice for each ``family`` that is not part of the person's ``name`` (a typo, or another person's):
    the name prints as written, but sorts and is cited by that family name; and for each ``orcid`` that is no ORCID
    iD (its form, or a mistyped digit): the publisher's metadata leaves it out."""
    for i, person in enumerate(people):
        family = family_name(person.name, person.family) if person.family else ""
        if family and not _part_of(family, person.name):
            notices.append(f"{rel}: {where}[{i}].family: {person.family!r} is not part of the name {person.name!r}; "
                           "the name prints as written, but sorts and is cited under that family name")
        why = orcid_fault(person.orcid) if person.orcid else None
        if why:
            notices.append(f"{rel}: {where}[{i}].orcid: {person.orcid!r} {why}; the Crossref deposit and ACM's "
                           "metadata leave it out")


def _resolve_inside(root: Path, rel_file: str) -> str | None:
    """Why ``rel_file`` is not a usable file inside camera_ready/, or None when it is."""
    base = (root / CAMERA_READY).resolve()
    if os.path.isabs(rel_file) or rel_file.startswith(("/", "\\")) or (len(rel_file) > 1 and rel_file[1] == ":"):
        return "is an absolute path; give it relative to camera_ready/"
    candidate = base / rel_file
    try:
        real = candidate.resolve()
    except (OSError, RuntimeError) as exc:
        return f"cannot be resolved ({exc})"
    if real != base and base not in real.parents:
        how = " (through a symbolic link)" if ".." not in Path(rel_file).parts else ""
        return "points outside camera_ready/" + how
    if not real.exists():
        return "file not found in camera_ready/"
    if not real.is_file():
        return "is not a file"
    try:
        with real.open("rb"):
            pass
    except OSError as exc:  # no permission to read it
        return f"cannot be read ({exc.strerror or exc})"
    return None


def _doi_clashes(entries: list[tuple[str, Paper, Paper]], volume_doi: str | None, problems: list[str]) -> None:
    """A problem for each paper whose DOI is not its own: the volume's, or an earlier entry's (letter case aside),
    as written or derived from ``doi_pattern``. ``entries``: (label, paper as written, with its DOI derived)."""
    dois: dict[str, tuple[str, Paper]] = {}  # folded DOI -> the entry that has it
    for label, written, paper in entries:
        key = (paper.doi or "").casefold()
        if not key:
            continue
        if key == (volume_doi or "").casefold():
            why = f"{paper.doi!r} is the DOI of the volume ({WORKSHOP_FILE} doi); each paper needs its own"
        elif key in dois and not written.doi:
            entry, other = dois[key]
            why = (f"derived from doi_pattern as {paper.doi}, which paper {other.id} already has (entry {entry}); "
                   "give one of them its own doi")
        elif key in dois:
            entry, other = dois[key]
            case = f" ({other.doi!r}: DOIs ignore letter case)" if other.doi != paper.doi else ""
            why = f"{paper.doi!r} is also the DOI of entry {entry}{case}; each paper needs its own"
        else:
            dois[key] = (label, paper)
            continue
        problems.append(f"{PAPERS_FILE}: {label}.doi: {why}")


def _session_notices(entries: list[tuple[str, Paper]], notices: list[str]) -> None:
    """One notice for each run of papers without a ``session`` that follows a session's papers: most likely its
    sessions were forgotten (papers appended by a re-import); the contents set such a run apart, under no heading."""
    i = 0
    while i < len(entries):
        end = i
        while end < len(entries) and not entries[end][1].session:
            end += 1
        if end > i and i > 0:
            first, *rest = [label for label, _ in entries[i:end]]
            also = f" (nor for {', '.join(rest[:5])}{', …' if len(rest) > 5 else ''})" if rest else ""
            them, each = ("them", "each its") if rest else ("it", "it its")
            notices.append(f"{PAPERS_FILE}: {first}.session: not given{also}, while the papers before are in session "
                           f"{entries[i - 1][1].session!r}: the contents set {them} apart below a rule and the "
                           f"bookmarks list {them} at top level, in no session; give {each} session if it has one")
        i = max(end, i + 1)


def _papers(root: Path, problems: list[str], notices: list[str], workshop: Workshop | None = None) -> list[Paper]:
    """papers.yaml's papers, their DOIs and landing pages derived from ``workshop``'s patterns where absent."""
    before = len(problems)
    data = _read_yaml(root, PAPERS_FILE, problems, verbatim=("id",))  # id: 017 is "017"
    if data is None and len(problems) > before:
        return []  # missing or unparseable, already reported
    if isinstance(data, dict) and isinstance(data.get("papers"), list):
        data = data["papers"]
    if not isinstance(data, list):
        problems.append(f"{PAPERS_FILE}: (top level): expected a list of papers, got {type(data).__name__}")
        return []
    if not data:
        problems.append(f"{PAPERS_FILE}: (top level): no papers listed; add an entry with id, title, authors and file "
                        "for each accepted paper (or run 'proceedings import')")
        return []
    if not inputs.check_count(PAPERS_FILE, data, inputs.MAX_PAPERS, "papers", problems):
        return []
    papers: list[Paper] = []
    labels: list[str] = []
    folded: dict[str, tuple[int, str, str]] = {}  # id, composed and case-folded -> entry's index, label and id
    files: dict[Path, str] = {}
    for i, item in enumerate(data):
        label = f"[{i}]"
        if isinstance(item, dict) and isinstance(item.get("id"), (str, int)) and not isinstance(item.get("id"), bool):
            shown = str(item["id"]) if len(str(item["id"])) <= 40 else str(item["id"])[:40] + "…"
            label = f"[{i}] (id {shown})"
        paper = _validate(Paper, item, PAPERS_FILE, label, problems, notices)
        if paper is None:
            continue
        _person_notices(paper.authors, PAPERS_FILE, f"{label}.authors", notices)
        first, entry, pid = folded.setdefault(unicodedata.normalize("NFC", paper.id).casefold(), (i, label, paper.id))
        if first != i and pid == paper.id:
            problems.append(f"{PAPERS_FILE}: {label}.id: duplicate id {paper.id!r} (first used by entry [{first}])")
            continue
        if first != i:  # one file where letter case, or how é is written (macOS), makes no difference
            how = ("only in letter case" if pid.casefold() == paper.id.casefold()
                   else "only in how its accented letters are written (one character or a letter and an accent)")
            problems.append(f"{PAPERS_FILE}: {label}.id: id {paper.id!r} differs from the id {pid!r} of entry "
                            f"{entry} {how}: papers/{pid}.pdf and papers/{paper.id}.pdf would "
                            "be one file on Windows and macOS; give one of them another id")
            continue
        why = _resolve_inside(root, paper.file)
        if why:
            problems.append(f"{PAPERS_FILE}: {label}.file: {paper.file!r} {why}")
            continue
        real = (root / CAMERA_READY / paper.file).resolve()
        if real in files:  # the same PDF twice would print the paper twice
            problems.append(f"{PAPERS_FILE}: {label}.file: {paper.file!r} is also the file of entry {files[real]}; "
                            "each paper needs its own PDF")
            continue
        files[real] = label
        papers.append(paper)
        labels.append(label)
    _session_notices(list(zip(labels, papers)), notices)
    derived = derive_dois(workshop, papers)
    _doi_clashes(list(zip(labels, papers, derived)), workshop.doi if workshop else None, problems)
    return derived


_FRONT_FILES = ((ORGANIZERS_FILE, "Organizing Committee page", "write an empty list, [],"),
                (COMMITTEE_FILE, "Program Committee page", "write an empty list, [],"),
                (PREFACE_FILE, "preface", "leave the file empty"))
"""The front matter's optional files: (path, what it makes, how to say it has none)."""


def load_project(root: Path) -> Project:
    """Read and check every project file under ``root``; raise one error listing every problem."""
    root = Path(root)
    problems: list[str] = []
    notices: list[str] = []
    if not root.is_dir():
        raise ProjectFileError(f"{root}: project folder not found")
    before = len(problems)
    raw = _read_yaml(root, WORKSHOP_FILE, problems)
    if raw is None and len(problems) == before:  # there, and empty (or comments only): every field is missing
        raw = {}
    workshop = None
    if raw is not None:
        if isinstance(raw, dict):
            workshop = _validate(Workshop, raw, WORKSHOP_FILE, "", problems, notices)
            if workshop is not None:
                _person_notices(workshop.editors, WORKSHOP_FILE, "editors", notices)
                why = isbn_fault(workshop.isbn) if workshop.isbn else None
                if why:
                    notices.append(f"{WORKSHOP_FILE}: isbn: {workshop.isbn!r} {why}")
        else:
            problems.append(f"{WORKSHOP_FILE}: (top level): expected a mapping of fields, got {type(raw).__name__}")
    organizers = _persons(root, ORGANIZERS_FILE, problems, notices)
    committee = _persons(root, COMMITTEE_FILE, problems, notices)
    for rel, what, empty in _FRONT_FILES:
        if not (root / rel).exists() and not (root / rel).is_symlink():  # forgotten, or not copied; an empty
            # file says there is none (a link to nothing is a problem of its own)
            notices.append(f"{rel}: not found, so the front matter has no {what} ({empty} if there is none)")
    preface_path = root / PREFACE_FILE
    preface = ""
    why = None if preface_path.is_file() else inputs.not_a_file(preface_path, PREFACE_FILE)
    if why:  # as every other project file: not dropped unsaid
        problems.append(why)
    if preface_path.is_file():
        try:
            preface = preface_path.read_text(encoding="utf-8-sig")
        except (UnicodeDecodeError, OSError) as exc:
            problems.append(f"{PREFACE_FILE}: cannot be read as UTF-8 text ({exc})")
        if len(preface) > inputs.MAX_PREFACE:
            problems.append(f"{PREFACE_FILE}: {len(preface):,} characters, more than the limit of "
                            f"{inputs.MAX_PREFACE:,}")
        preface, removed = inputs.strip_controls(preface)
        if removed:
            notices.append(f"{PREFACE_FILE}: control characters removed ({', '.join(removed)})")
    before = len(problems)
    papers = _papers(root, problems, notices, workshop)
    known = papers if len(problems) == before else None  # papers.yaml's own problems come first
    program, sponsors = load_program(root, workshop, known, problems, notices)
    if program and workshop is not None and not workshop.timezone:
        notices.append(f"{WORKSHOP_FILE}: timezone: not given, so program.ics holds floating times (a calendar shows "
                       "09:00 as 09:00 wherever its reader is); give the event's zone, as timezone: Australia/Sydney")
    if problems or workshop is None:
        n = len(problems)
        raise ProjectFileError(f"{root}: {n} problem{'s' if n != 1 else ''} in the project files", problems)
    return Project(
        root=root, workshop=workshop, organizers=organizers, committee=committee, preface=preface, papers=papers,
        program=program, sponsors=sponsors, notices=notices,
    )

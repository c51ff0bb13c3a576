"""EasyChair exports: the submissions and authors tables, as CSV files or as sheets of one XLSX workbook.

EasyChair's "conference data" download writes (CSV files or workbook sheets "Submissions", "Authors"…)::

    submission.csv / Submissions:  #, title, authors, submitted, last updated, form fields, keywords,
                                   decision, notified, reviews sent, abstract, deleted?
                                   (multi-track events add "track #", "track name")
    author.csv / Authors:          submission #, first name, last name, email, country, affiliation,
                                   Web page, person #, corresponding?

Headers are matched whatever their case, spacing and punctuation ("Submission #" = "submission #"), and a few
other names are understood ("paper id", "given name", "institution"…). Keywords are one per line in a cell;
"deleted?" = yes marks a withdrawn submission. One author row per author and submission, in author order.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

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
    split_affiliations,
    split_author_names,
    split_keywords,
    submission_id,
    truthy,
)
from proceedings.importers.tabular import HeaderTest, Table, is_xlsx, pick_sheet, read_csv, read_xlsx
from proceedings.text import family_name, match_fold, split_suffix

log = logging.getLogger(__name__)

# Column aliases, normalised (see tabular.norm_header), the usual EasyChair name first.
SUB_ID = ("number", "submissionnumber", "submission", "submissionid", "paperid", "papernumber", "paper", "id")
SUB_TITLE = ("title", "papertitle", "submissiontitle")
SUB_AUTHORS = ("authors", "authorlist", "author")
SUB_KEYWORDS = ("keywords", "keyword", "authorkeywords", "keyphrases")
SUB_DECISION = ("decision", "finaldecision", "acceptancedecision", "acceptance", "status", "outcome")
SUB_ABSTRACT = ("abstract", "summary")
SUB_DELETED = ("deleted", "isdeleted", "withdrawn", "iswithdrawn")

AU_SUB = ("submissionnumber", "submission", "submissionid", "paperid", "papernumber", "paper")
AU_FIRST = ("firstname", "givenname", "givennames", "forename", "first")
AU_LAST = ("lastname", "familyname", "surname", "last")
AU_NAME = ("name", "fullname", "authorname", "author")
AU_EMAIL = ("email", "emailaddress", "mail")
AU_COUNTRY = ("country", "countryregion")
AU_AFFILIATION = ("affiliation", "affiliations", "organization", "organisation", "institution", "company")
AU_PERSON = ("personnumber", "personid", "person", "authorid", "userid")
AU_CORRESPONDING = ("corresponding", "correspondingauthor", "iscorresponding", "contactauthor")
AU_POSITION = ("authorposition", "position", "authororder", "order", "rank", "sequence", "seq")


def _submissions_header(keys: set[str]) -> bool:
    return bool(keys & set(SUB_ID)) and bool(keys & set(SUB_TITLE))


def _authors_header(keys: set[str]) -> bool:
    named = bool(keys & set(AU_NAME)) or (bool(keys & set(AU_FIRST)) and bool(keys & set(AU_LAST)))
    return bool(keys & set(AU_SUB)) and named and not keys & set(SUB_TITLE)


def _get(row: dict[str, str], column: str | None) -> str:
    return row.get(column, "") if column else ""


@dataclass
class _AuthorRow:
    keys: set[str]
    author: ImportedAuthor
    position: float | None
    row: int


def _author_keys(row: dict[str, str], col_person: str | None, author: ImportedAuthor) -> set[str]:
    """What identifies a person within one submission: EasyChair's person #, the email, the folded name."""
    keys = {"name:" + match_fold(author.name)}
    person = clean(_get(row, col_person))
    if person:
        keys.add("person:" + person)
    if author.email:
        keys.add("email:" + author.email.casefold())
    return keys


def _same_person(a: set[str], b: set[str]) -> bool:
    """Same person # or email; or the same name when neither person # nor email tells them apart (two
    co-authors may share a name)."""
    if any(k in b for k in a if not k.startswith("name:")):
        return True
    for kind in ("person:", "email:"):
        if {k for k in a if k.startswith(kind)} and {k for k in b if k.startswith(kind)}:
            return False  # both known, and different
    return bool(a & b)


def _submission_ids(cell: str) -> list[str]:
    """The submissions an author row is for: one number, or several ("3, 17") in a per-person list."""
    if re.fullmatch(r"\s*\d+(\s*[,;/]\s*\d+|\s+\d+)+\s*", cell):
        return [submission_id(n) for n in re.findall(r"\d+", cell)]
    sub = submission_id(cell)
    return [sub] if sub else []


def _read_authors(table: Table, notes: dict[str, list[str]]) -> dict[str, list[ImportedAuthor]]:
    """Authors by submission id: in row (or position column) order, each person once; ``notes`` gets what
    was odd, by submission id."""
    col_sub = table.column(AU_SUB)
    col_first, col_last, col_name = table.column(AU_FIRST), table.column(AU_LAST), table.column(AU_NAME)
    col_position, col_person = table.column(AU_POSITION), table.column(AU_PERSON)
    col_affiliation, col_email = table.column(AU_AFFILIATION), table.column(AU_EMAIL)
    col_country, col_corresponding = table.column(AU_COUNTRY), table.column(AU_CORRESPONDING)
    rows: dict[str, list[_AuthorRow]] = {}
    for n, row in enumerate(table.rows):
        subs = _submission_ids(_get(row, col_sub))
        if not subs:
            continue
        last = clean(_get(row, col_last))
        name = clean(" ".join(p for p in (clean(_get(row, col_first)), last) if p))
        suffix = split_suffix(name)[1]  # "King Jr." in the last-name column: the family is King
        core = last[:-len(suffix)].rstrip(" ,") if suffix and last.endswith(suffix) else last
        family = core if core and family_name(name) != core else None  # "José María" "Álvarez Pérez"
        if not name:
            name = clean(_get(row, col_name))
        if not name:
            for sub in subs:
                notes.setdefault(sub, []).append(f"{table.name}: row {table.first_row + n}: an author of "
                                                 f"submission {sub} has no name; left out")
            continue
        author = ImportedAuthor(
            name=name,
            affiliation=split_affiliations(_get(row, col_affiliation)),
            email=clean(_get(row, col_email)) or None,
            country=clean(_get(row, col_country)) or None,
            corresponding=truthy(_get(row, col_corresponding)),
            family=family,
        )
        try:
            position = float(clean(_get(row, col_position))) if col_position else None
        except ValueError:
            position = None
        keys = _author_keys(row, col_person, author)
        for sub in subs:
            rows.setdefault(sub, []).append(_AuthorRow(keys, replace(author), position, n))
    out: dict[str, list[ImportedAuthor]] = {}
    for sub, items in rows.items():
        if col_position:
            items.sort(key=lambda r: (r.position is None, r.position or 0.0, r.row))
        kept: list[_AuthorRow] = []
        for item in items:
            first = next((k for k in kept if _same_person(k.keys, item.keys)), None)
            if first is None:
                kept.append(item)
                continue
            notes.setdefault(sub, []).append(f"submission {sub}: author {item.author.name} is listed twice; "
                                             "kept once")
            first.keys |= item.keys
            a, b = first.author, item.author
            if b.affiliation and b.affiliation != a.affiliation:
                a.affiliation = split_affiliations("\n".join(x for x in (a.affiliation, b.affiliation) if x))
            a.email = a.email or b.email
            a.family = a.family or b.family
            a.country = a.country or b.country
            a.corresponding = a.corresponding or b.corresponding
        out[sub] = [r.author for r in kept]
    return out


def _in_listed_order(authors: list[ImportedAuthor], listed: str) -> list[ImportedAuthor]:
    """The authors in the order of the submission's "authors" cell, when both name the same people."""
    names = [match_fold(n) for n in split_author_names(listed)]
    if len(names) != len(authors) or sorted(names) != sorted(match_fold(a.name) for a in authors):
        return authors
    order: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        order.setdefault(name, []).append(i)
    return sorted(authors, key=lambda a: order[match_fold(a.name)].pop(0))


def _load(path: Path, what: str) -> dict[str, list[list[object]]] | None:
    """The sheets of an XLSX export; None for a CSV file."""
    if not path.is_file():
        raise InputError(f"{path}: {what} file not found")
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(f"{path}: an old Excel .xls workbook; save it as .xlsx or CSV and import that")
    return read_xlsx(path) if is_xlsx(path) else None


def _find(path: Path, sheets: dict[str, list[list[object]]] | None, sheet: str, fits: HeaderTest) -> Table | None:
    """The table whose header ``fits``: a sheet of the workbook (``sheet`` preferred), else the CSV file."""
    return pick_sheet(path, sheets, sheet, fits) if sheets is not None else read_csv(path, fits)


def _submissions_table(path: Path) -> tuple[Table, Table | None]:
    """The submissions table, and the authors table when the same workbook has one."""
    sheets = _load(path, "submissions")
    table = _find(path, sheets, "Submissions", _submissions_header)
    if table is None:
        hint = ""
        if _find(path, sheets, "Authors", _authors_header) is not None:
            hint = " (this looks like the authors export: give it with --authors)"
        raise InputError(f"{path}: no header row with the submission number ('#') and 'title' columns; "
                         f"is this EasyChair's submissions export?{hint}")
    return table, (pick_sheet(path, sheets, "Authors", _authors_header) if sheets is not None else None)


@export_reader("an EasyChair authors export")
def _authors_table(path: Path) -> Table:
    """The authors export given beside the submissions (what it holds that is unforeseen is its own to fix)."""
    table = _find(path, _load(path, "authors"), "Authors", _authors_header)
    if table is None:
        raise InputError(f"{path}: no header row with 'submission #' and 'first name'/'last name' (or 'name') "
                         "columns; is this EasyChair's authors export?")
    return table


@export_reader("an EasyChair export (submissions CSV or XLSX)")
def read_easychair(submissions: Path, authors: Path | None = None,
                   decisions: Sequence[str] | None = None) -> Export:
    """Read EasyChair's submissions export (CSV, or an XLSX with a Submissions sheet and, optionally, an
    Authors sheet) and authors export; ``decisions`` are the exact decisions that count as accepted
    (default: any decision beginning with "accept")."""
    submissions, authors = Path(submissions), Path(authors) if authors else None
    table, authors_table = _submissions_table(submissions)
    files = [submissions.name]
    if authors is not None:
        authors_table = _authors_table(authors)
        files.append(authors.name)
    notes: list[str] = []
    author_notes: dict[str, list[str]] = {}
    by_submission = _read_authors(authors_table, author_notes) if authors_table is not None else {}
    if authors_table is None:
        notes.append("no authors export: author names come from the submissions' 'authors' column, without "
                     "affiliations or emails (give EasyChair's author.csv with --authors)")
    col_id, col_title = table.column(SUB_ID), table.column(SUB_TITLE)
    col_decision, col_deleted = table.column(SUB_DECISION), table.column(SUB_DELETED)
    col_authors, col_abstract = table.column(SUB_AUTHORS), table.column(SUB_ABSTRACT)
    col_keywords = table.column(SUB_KEYWORDS)
    # authors put in the order of the 'authors' cell, unless the authors export numbers their positions
    reorder = bool(col_authors) and not (authors_table and authors_table.column(AU_POSITION))
    if col_decision is None:
        notes.append(f"{table.name}: no 'decision' column: every submission not deleted counts as accepted")
    papers: list[ImportedPaper] = []
    seen: set[str] = set()
    for n, row in enumerate(table.rows):
        pid = submission_id(_get(row, col_id))
        if not pid:
            continue
        if pid in seen:
            notes.append(f"{table.name}: row {table.first_row + n}: submission {pid} listed again; ignored")
            continue
        seen.add(pid)
        decision = clean(_get(row, col_decision))
        deleted = truthy(_get(row, col_deleted))
        status = classify(decision, deleted, decisions) if col_decision else (
            Status.withdrawn if deleted else Status.accepted)
        listed = _get(row, col_authors)
        people = by_submission.get(pid)
        if people:
            if reorder:
                people = _in_listed_order(people, listed)
        else:
            people = [ImportedAuthor(name=n) for n in split_author_names(listed)]
            if status is Status.accepted and authors_table is not None:
                notes.append(f"submission {pid}: not in the authors export; names taken from the 'authors' column")
        title = clean(_get(row, col_title))
        if status is Status.accepted:
            notes.extend(author_notes.get(pid, []))
        if status is Status.accepted and not title:
            notes.append(f"submission {pid}: no title in the export")
        if status is Status.accepted and not people:
            notes.append(f"submission {pid}: no authors in the export")
        papers.append(ImportedPaper(
            id=pid, title=title, authors=people, status=status,
            decision="deleted" if deleted else decision,
            abstract=clean_block(_get(row, col_abstract)) or None,
            keywords=split_keywords(_get(row, col_keywords)),
        ))
    if not any(p.accepted for p in papers):
        seen_decisions = sorted({p.decision for p in papers if p.decision})
        raise InputError(f"{table.name}: no accepted submission among {len(papers)}"
                         + (f" (decisions seen: {', '.join(seen_decisions)})" if seen_decisions else "")
                         + ("; name the accepting decisions with --decision" if decisions else ""))
    for note in notes:
        log.info("%s", note)
    return Export(source="EasyChair", files=files, papers=papers, notes=notes)

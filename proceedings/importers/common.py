"""What every importer produces, and the text clean-up they share."""

from __future__ import annotations

import ast
import codecs
import functools
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from proceedings.errors import InputError
from proceedings.text import match_fold

log = logging.getLogger(__name__)


class Status(str, Enum):
    """Where a submission stands."""

    accepted = "accepted"
    rejected = "rejected"
    withdrawn = "withdrawn"
    undecided = "undecided"


@dataclass
class ImportedAuthor:
    """One author of one submission, as the export gives it."""

    name: str
    affiliation: str | None = None
    email: str | None = None
    country: str | None = None
    corresponding: bool = False
    family: str | None = None
    """The family name the export gives, when it is not what ``name`` alone says ("Álvarez Pérez")."""

    def to_yaml(self) -> dict[str, object]:
        """The papers.yaml person mapping (empty fields left out)."""
        out: dict[str, object] = {"name": self.name}
        for key in ("family", "affiliation", "email", "country"):
            value = getattr(self, key)
            if value:
                out[key] = value
        if self.corresponding:
            out["corresponding"] = True
        return out


@dataclass
class ImportedPaper:
    """One submission of an export."""

    id: str
    title: str
    authors: list[ImportedAuthor]
    status: Status
    decision: str = ""
    """The decision as the export words it ("accept", "Rejected_Submission"…)."""
    abstract: str | None = None
    keywords: list[str] = field(default_factory=list)
    file_hints: list[str] = field(default_factory=list)
    """Extra file names the camera-ready PDF may have (besides the submission number)."""

    @property
    def accepted(self) -> bool:
        return self.status is Status.accepted

    @property
    def type(self) -> str | None:
        """The paper type its decision names ("accept as short paper": short), for papers.yaml ``type``."""
        return paper_type(self.decision) if self.accepted else None

    def to_yaml(self, file: str) -> dict[str, object]:
        """The papers.yaml entry for this paper, its PDF being ``file``."""
        out: dict[str, object] = {"id": self.id, "title": self.title,
                                  "authors": [a.to_yaml() for a in self.authors], "file": file}
        if self.type:
            out["type"] = self.type
        if self.abstract:
            out["abstract"] = self.abstract
        if self.keywords:
            out["keywords"] = list(self.keywords)
        return out


@dataclass
class Export:
    """Every submission of one export, accepted or not, in export order."""

    source: str
    """"EasyChair" or "OpenReview"."""
    files: list[str]
    """The export files read (names for the papers.yaml header)."""
    papers: list[ImportedPaper]
    notes: list[str] = field(default_factory=list)
    """Things the reader noticed and the chair should know (duplicates dropped, missing data…)."""

    @property
    def accepted(self) -> list[ImportedPaper]:
        return [p for p in self.papers if p.accepted]


# --------------------------------------------------------------------------- decisions


def classify(decision: str, deleted: bool, accept: Sequence[str] | None = None) -> Status:
    """A decision cell as a status: "accept", "ACCEPT", "Accept (poster)" are accepted unless ``accept`` lists
    the exact decisions to keep; "withdrawn" or a deleted submission is withdrawn; "reject…" rejected."""
    folded = match_fold(decision)
    if deleted or "withdr" in folded or folded in {"deleted", "retracted"}:
        return Status.withdrawn
    if accept is not None:
        if folded in {match_fold(a) for a in accept}:
            return Status.accepted
    elif re.match(r"accept", folded):
        return Status.accepted
    if "reject" in folded:
        return Status.rejected
    return Status.undecided


_TYPE_WORDS = {"short": "short", "full": "full", "long": "full", "demo": "demo", "demonstration": "demo",
               "position": "position"}
"""Words of a decision that name a paper type, and the papers.yaml ``type`` they give (ACM: "Short Paper"…)."""


def paper_type(decision: str) -> str | None:
    """The paper type a decision names: "accept as short paper", "Accept (Short)", OpenReview's venue "EReL@MIR
    2025 Short Paper" -> "short"; None when it names none or several ("accept"; "Accept (poster)" is a way to
    present, not a type)."""
    words = set(re.findall(r"[a-z]+", match_fold(decision)))
    kinds = {kind for word, kind in _TYPE_WORDS.items() if word in words}
    return kinds.pop() if len(kinds) == 1 else None


# --------------------------------------------------------------------------- text clean-up


def clean(value: object) -> str:
    """A cell as one trimmed line: white space (newlines too) collapsed."""
    if value is None:
        return ""
    return re.sub(r"\s+", " ", str(value).replace("\u00a0", " ")).strip()


def clean_block(value: object) -> str:
    """A multi-line cell (an abstract): line endings normalised, lines trimmed, blank runs collapsed."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _distinct(items: Iterable[str]) -> list[str]:
    """The non-empty items, each once (compared by :func:`match_fold`), in their order."""
    out: list[str] = []
    seen: set[str] = set()
    for item in items:
        key = match_fold(item)
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def split_affiliations(value: object) -> str | None:
    """One affiliation string from a cell that may hold several (newline- or ';'-separated): "A; B"."""
    return "; ".join(_distinct(clean(part) for part in re.split(r"[\n\r;]+", str(value or "")))) or None


def split_keywords(value: object) -> list[str]:
    """Keywords from a cell: one per line (EasyChair), or ';'/','-separated, or a list literal."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = [clean(v) for v in value]
    else:
        text = str(value).strip()
        if text.startswith("[") and text.endswith("]"):
            try:
                parsed = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                parsed = None
            if isinstance(parsed, list):
                return split_keywords(parsed)
        lines = [ln for ln in re.split(r"[\r\n]+", text) if ln.strip()]
        if len(lines) <= 1:
            lines = re.split(r"[;,]", text)
        items = [clean(v) for v in lines]
    return _distinct(items)


def split_author_names(value: str) -> list[str]:
    """EasyChair's author string "A, B and C" as ["A", "B", "C"]."""
    text = clean(value)
    if not text:
        return []
    head, sep, last = text.rpartition(" and ")
    names = [n.strip() for n in (head if sep else text).split(",")]
    if sep:
        names.append(last.strip())
    return [n for n in names if n]


def truthy(value: object) -> bool:
    """A yes/no cell: "yes", "true", "1", "x", "✓"."""
    return clean(value).casefold() in {"yes", "y", "true", "1", "x", "✓", "✔", "deleted", "withdrawn"}


def submission_id(value: object) -> str:
    """A submission number as papers.yaml writes it: 17, 17.0, " 17 " -> "17"."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = clean(value)
    if re.fullmatch(r"0*\d+(\.0+)?", text):
        return text.split(".")[0].lstrip("0") or "0"  # as written: a 400-digit number is no float
    return text


F = TypeVar("F", bound=Callable[..., Any])


def export_reader(what: str) -> Callable[[F], F]:
    """Decorate the reader of an export (its first argument the file): whatever the file holds that the reader
    did not foresee (a cell of the wrong type, a structure nested past recursion, a workbook that is none) is the
    file's to fix, exit 2 naming it and ``what`` it should be, never an internal error."""
    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def read(path: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return fn(path, *args, **kwargs)
            except (InputError, OSError):
                raise
            except Exception as exc:  # noqa: BLE001 - see above
                raise InputError(f"{path}: cannot be read as {what} ({type(exc).__name__}: {str(exc)[:200]})") \
                    from None
        return read  # type: ignore[return-value]
    return wrap


def read_text(path: Path) -> str:
    """A text export: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 with a warning."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")  # an odd last byte: a cut file, its last character lost
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    log.warning("%s is not UTF-8; read it as Windows-1252 (check accented names)", path.name)
    return data.decode("cp1252", errors="replace")

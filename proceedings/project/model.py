"""The typed model of a project folder, each field with its docstring (read by
:func:`proceedings.project.loading.load_project`).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from proceedings.project.files import id_text
from proceedings.project.program import Day, Sponsor, check_timezone
from proceedings.project.publishing import PublisherFields, check_doi
from proceedings.text import bare_isbn, bare_orcid, family_name, given_names, name_suffix

log = logging.getLogger(__name__)

WORKSHOP_FILE = "front_matter/workshop.yaml"
ORGANIZERS_FILE = "front_matter/organizers.yaml"
COMMITTEE_FILE = "front_matter/committee.yaml"
PREFACE_FILE = "front_matter/preface.md"
PAPERS_FILE = "camera_ready/papers.yaml"
CAMERA_READY = "camera_ready"

Doi = Annotated[str | None, AfterValidator(check_doi)]
"""A ``doi`` field: stored bare, refused when it is no DOI (:func:`~proceedings.project.publishing.check_doi`)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Person(_Model):
    """An editor, organizer, committee member or author.

    Limits (checked at load, :mod:`proceedings.project.inputs`): ``name`` and ``family`` 300 characters,
    ``affiliation`` 500, ``role`` 200, any other field 2,000; control characters are removed.
    """

    name: str = Field(min_length=1)
    """As printed, in the person's own order and casing: "Joemon M. Jose", "Nguyễn Thị Minh Khai"."""
    family: str | None = None
    """The family name, when it is not the last word of ``name`` ("Álvarez Pérez", "Nguyễn")."""
    suffix: str | None = None
    """A generational suffix ("Jr.", "III"); read from ``name`` ("Martin Luther King, Jr.") when absent."""
    affiliation: str | None = None
    """Institution, as printed: "University of Glasgow"."""
    role: str | None = None
    """Role in the organizing committee: "General Chair", "Program Chair"…"""
    email: str | None = None
    """Contact address."""
    url: str | None = None
    """Home page."""
    orcid: str | None = None
    """ORCID iD, bare: 0000-0002-1825-0097 (given so or as https://orcid.org/0000-0002-1825-0097)."""
    country: str | None = None
    """Country of the affiliation."""
    corresponding: bool = False
    """Whether this author is the corresponding author (publisher metadata)."""

    @field_validator("family", "suffix")
    @classmethod
    def _family_in_name(cls, value: str | None) -> str | None:
        if value is not None and not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("orcid")
    @classmethod
    def _orcid(cls, value: str | None) -> str | None:
        return (bare_orcid(value) or None) if value is not None else None  # one that is no iD: a notice at load

    @field_validator("email")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is not None and (len(value.splitlines()) > 1 or "\t" in value):  # it goes into a To: header
            raise ValueError("an e-mail address holds no line break or tab")
        return value

    @property
    def family_name(self) -> str:
        """The family name: ``family`` when given, else the last word of ``name``."""
        return family_name(self.name, self.family)

    @property
    def given_names(self) -> str:
        """Everything in ``name`` but the family name."""
        return given_names(self.name, self.family)

    @property
    def name_suffix(self) -> str:
        """The generational suffix: ``suffix`` when given, else the one written in ``name`` or ``family``."""
        return self.suffix or name_suffix(self.name, self.family)


PageSize = Literal["letter", "a4"]


class Rules(_Model):
    """Validation settings of the venue (``workshop.yaml`` ``rules``)."""

    min_pages: int = Field(default=4, ge=0)
    """Fewest body pages (references excluded); the profile's when not given."""
    max_pages: int = Field(default=8, ge=1)
    """Most body pages (references excluded; appendices after them count); the profile's when not given."""
    page_size: PageSize = "letter"
    """The paper size every page must have: ``letter`` or ``a4``; the profile's when not given."""
    profile: str = "acm-sigconf"
    """The venue profile (:mod:`proceedings.venues`): ``acm-sigconf``, ``ieee-conference``, ``lncs``,
    ``generic``, or the import path of a module that registers one."""
    checks: list[str] = Field(default_factory=list)
    """Import paths of modules that register extra checks (:mod:`proceedings.checks.registry`)."""
    time_limit: float = Field(default=60.0, gt=0, le=3600)
    """Seconds one paper may take to check before it becomes a finding (at most an hour)."""
    memory_limit_mb: int = Field(default=1024, ge=64, le=65536)
    """Memory one paper's check may use, in MiB, before it becomes a finding (at most 64 GiB)."""

    @model_validator(mode="after")
    def _ordered(self) -> Rules:
        from proceedings import venues  # the profiles are light; imported here to keep the model's imports few

        try:
            venue = venues.get(self.profile)
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        if self.checks:
            from proceedings.checks import registry

            registry.load(self.checks)  # a module that cannot be imported is a ValueError naming it
        given = set(self.model_fields_set)
        for key in ("min_pages", "max_pages", "page_size"):
            if key not in given:
                object.__setattr__(self, key, getattr(venue, key))
        if given & {"min_pages", "max_pages"} == {"max_pages"} and self.min_pages > self.max_pages:
            object.__setattr__(self, "min_pages", self.max_pages)  # one limit given: the profile's other gives way
        if given & {"min_pages", "max_pages"} == {"min_pages"} and self.min_pages > self.max_pages:
            object.__setattr__(self, "max_pages", self.min_pages)
        if self.min_pages > self.max_pages:
            raise ValueError(f"min_pages ({self.min_pages}) is greater than max_pages ({self.max_pages})")
        return self


class Workshop(_Model, PublisherFields):
    """The volume and its event (``front_matter/workshop.yaml``).

    Limits (checked at load): ``title`` 1,000 characters, ``acronym`` 200, ``copyright`` 20,000, any other
    text 2,000; ``editors`` and ``keywords`` 200 items; control characters are removed.
    """

    title: str = Field(min_length=1)
    """Full title of the event."""
    acronym: str = Field(min_length=1)
    """Short name printed in running footers and citations: "EReL@MIR '25"."""
    conference: str | None = None
    """The hosting conference: "The ACM Web Conference 2025"."""
    conference_acronym: str | None = None
    """Its short name: "WWW '25"."""
    location: str = Field(min_length=1)
    """City, region, country."""
    start_date: dt.date
    """First day (ISO date)."""
    end_date: dt.date
    """Last day (ISO date)."""
    publication_date: dt.date | None = None
    """The day the proceedings are published (ISO date): the citations' year and month and Crossref's
    ``publication_date``; the first day when absent."""
    publisher: str = Field(min_length=1)
    """"ACM"."""
    publisher_address: str | None = None
    """"New York, NY, USA"."""
    editors: list[Person] = Field(min_length=1)
    """The volume's editors."""
    isbn: str | None = None
    """ISBN of the volume, as every output prints it: its label and odd spaces left out ("ISBN 979-8-4007-1331-6"
    is "979-8-4007-1331-6")."""
    doi: Doi = None
    """DOI of the volume, bare ("https://doi.org/10.1145/x" is "10.1145/x")."""
    url: str | None = None
    """Web page of the event."""
    series: str | None = None
    """Series the volume belongs to."""
    volume: str | None = None
    """Volume number in the series."""
    copyright: str | None = None
    """Text of the copyright page; a standard notice is printed when absent."""
    subject: str | None = None
    """PDF subject; derived from the title when absent."""
    keywords: list[str] = Field(default_factory=list)
    """PDF and BibTeX keywords of the volume."""
    rules: Rules = Field(default_factory=Rules)
    """Validation settings."""
    logo: str | None = None
    """The event's logo, an image relative to front_matter/ (title page, index.html)."""
    timezone: str | None = None
    """IANA time zone of the programme's times ("Australia/Sydney"); program.ics gives UTC times from it."""

    _timezone = field_validator("timezone")(classmethod(lambda cls, v: check_timezone(v)))

    @field_validator("start_date", "end_date", "publication_date", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"not an ISO date (YYYY-MM-DD): {value!r}") from None
        return value

    @field_validator("isbn", "doi", "url", "series", "volume", mode="before")
    @classmethod
    def _stringify(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) else value

    @field_validator("isbn")
    @classmethod
    def _bare_isbn(cls, value: str | None) -> str | None:
        return bare_isbn(value) or None if value is not None else None

    @model_validator(mode="after")
    def _dates_ordered(self) -> Workshop:
        if self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        return self

    @property
    def year(self) -> int:
        """Year of the event."""
        return self.start_date.year

    @property
    def published(self) -> dt.date:
        """The day the proceedings are published: ``publication_date``, else the first day (what every citation and
        the Crossref deposit date the papers by)."""
        return self.publication_date or self.start_date


MAX_ID_BYTES = 180
"""Most bytes of a paper's id in UTF-8 (the names of its files add up to 75 more, within the 255 a name holds)."""
WINDOWS_DEVICES = frozenset(["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
                            + [f"{port}{n}" for port in ("COM", "LPT") for n in "123456789¹²³"])
"""Names Windows keeps for devices, whatever their case and extension (nul.txt is NUL): no file can have one."""


class Paper(_Model):
    """One accepted paper of ``camera_ready/papers.yaml``.

    Limits (checked at load): ``id`` 100 characters (a long integer is read as text), ``title`` 1,000,
    ``session`` 300, ``file`` 500, ``abstract`` 20,000, any other text 2,000; ``authors`` 1,000 persons;
    no two papers share a ``file``; control characters are removed. At most 5,000 papers.
    """

    id: str = Field(min_length=1)
    """Unique id, as the submission system numbered it ("17")."""
    title: str = Field(min_length=1)
    """As it should be printed; any Unicode and LaTeX specials allowed."""
    authors: list[Person] = Field(min_length=1)
    """The authors, in order."""
    file: str = Field(min_length=1)
    """The PDF, relative to camera_ready/."""
    abstract: str | None = None
    """The abstract (citation exports)."""
    keywords: list[str] = Field(default_factory=list)
    """Keywords (citation exports)."""
    session: str | None = None
    """Session heading in the table of contents."""
    doi: Doi = None
    """DOI of the paper, bare ("https://doi.org/10.1145/x" is "10.1145/x"); no other paper's, nor the volume's."""
    url: str | None = None
    """Landing page of the paper."""
    type: str | None = None
    """Paper type for the publisher's metadata ("full", "short", "demo"…); workshop ``default_paper_type`` if absent."""

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_string(cls, value: Any) -> Any:
        return id_text(value)

    @field_validator("id")
    @classmethod
    def _safe_id(cls, value: str) -> str:
        bad = set(value) & set('/\\:*?"<>|\0') or any(ord(c) < 32 for c in value)
        if bad or value in {".", ".."}:
            raise ValueError(f"id {value!r} cannot name a file (no / \\ : * ? \" < > | or control characters)")
        if value.split(".")[0].rstrip(" ").upper() in WINDOWS_DEVICES:
            raise ValueError(f"id {value!r} cannot name a file on Windows (CON, PRN, AUX, NUL, COM1…COM9 and "
                             "LPT1…LPT9 name devices there, whatever their case or extension)")
        size = len(value.encode("utf-8"))
        if size > MAX_ID_BYTES:  # file names hold 255 bytes: papers/ID.pdf, validation/ID-p3-rule.png, …
            raise ValueError(f"id is {size} bytes long in UTF-8, more than the {MAX_ID_BYTES} a file name built "
                             "from it can hold (papers/ID.pdf); give a shorter one")
        return value

    @field_validator("keywords", mode="before")
    @classmethod
    def _keyword_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [k.strip() for k in value.replace(";", ",").split(",") if k.strip()]
        return value

    @field_validator("doi", "url", mode="before")
    @classmethod
    def _str(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) else value


class Project(_Model):
    """A whole project folder, loaded and checked."""

    root: Path
    """The project folder."""
    workshop: Workshop
    """front_matter/workshop.yaml."""
    organizers: list[Person]
    """front_matter/organizers.yaml."""
    committee: list[Person]
    """front_matter/committee.yaml."""
    preface: str
    """front_matter/preface.md (Markdown); empty when absent."""
    papers: list[Paper]
    """camera_ready/papers.yaml, in volume order."""
    program: list[Day] = Field(default_factory=list)
    """front_matter/program.yaml: the days of the event (see proceedings.project.program)."""
    sponsors: list[Sponsor] = Field(default_factory=list)
    """front_matter/sponsors.yaml."""
    notices: list[str] = Field(default_factory=list)
    """Warnings of the loader (unknown fields ignored)."""

    def pdf_path(self, paper: Paper) -> Path:
        """The camera-ready file of ``paper``."""
        return self.root / CAMERA_READY / paper.file

    def paper(self, paper_id: str) -> Paper | None:
        """The paper with this id, if any."""
        return next((p for p in self.papers if p.id == paper_id), None)

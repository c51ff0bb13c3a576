"""What the validate stage reports: findings per paper, and the report of the whole volume."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem of one paper."""

    rule: str
    """Stable rule id, e.g. ``page-size``."""
    severity: Severity
    """``error`` breaks the venue's rules; ``warning`` asks for a look."""
    page: int | None
    """1-based page of the camera-ready file where it applies (None: the whole file)."""
    message: str
    """What is wrong, for the chair."""
    fix: str = ""
    """How the author fixes it."""
    box: tuple[float, float, float, float] | None = None
    """The offending region on ``page``: ``(x0, y0, x1, y1)`` in PDF points, in the page's own user space
    (the coordinates of its content stream: origin at the bottom left of the media box, before ``/Rotate``)."""
    image: str | None = None
    """A picture of ``page`` with ``box`` drawn, relative to the output folder (``validation/ID-p3-rule.png``)."""

    def __post_init__(self) -> None:
        if self.box is not None:  # JSON gives a list: keep the finding hashable
            object.__setattr__(self, "box", tuple(round(float(v), 2) for v in self.box))

    def to_json(self) -> dict[str, Any]:
        """The finding as JSON; ``box`` and ``image`` only when known."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("box", "image") and value is None:
                continue
            out[f.name] = list(value) if f.name == "box" else value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        """A finding from :meth:`to_json`'s output (unknown keys ignored)."""
        known = {k: v for k, v in data.items() if k in ("rule", "severity", "page", "message", "fix", "image")}
        box = data.get("box")
        return cls(**known, box=tuple(float(v) for v in box[:4]) if box else None)


@dataclass
class PaperReport:
    """Everything validation learnt about one camera-ready file."""

    id: str
    """Paper id of papers.yaml."""
    file: str
    """Path relative to camera_ready/."""
    sha256: str = ""
    """Digest of the file's bytes."""
    pages: int | None = None
    """Total pages; None when the file cannot be read."""
    body_pages: int | None = None
    """Pages before the references."""
    usable: bool = False
    """Whether the file can be merged into the volume."""
    findings: list[Finding] = field(default_factory=list)
    """Problems found."""
    references_page: int | None = None
    """Page whose heading opens the references (None: not found)."""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "file": self.file,
            "sha256": self.sha256,
            "pages": self.pages,
            "body_pages": self.body_pages,
            "references_page": self.references_page,
            "in_volume": self.usable,
            "findings": [f.to_json() for f in self.findings],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PaperReport:
        return cls(
            id=data["id"], file=data["file"], sha256=data.get("sha256", ""), pages=data.get("pages"),
            body_pages=data.get("body_pages"), usable=bool(data.get("in_volume")),
            findings=[Finding.from_json(f) for f in data.get("findings", [])],
            references_page=data.get("references_page"),
        )


@dataclass
class ValidationReport:
    """The findings of every paper of papers.yaml, in volume order."""

    papers: list[PaperReport]

    def by_id(self, paper_id: str) -> PaperReport:
        return next(p for p in self.papers if p.id == paper_id)

    @property
    def broken(self) -> list[tuple[str, list[str]]]:
        """Each paper with an error, and the rules it broke (each once, in order of finding), in volume order."""
        return [(p.id, list(dict.fromkeys(f.rule for f in p.errors))) for p in self.papers if p.errors]

    @property
    def error_count(self) -> int:
        return sum(len(p.errors) for p in self.papers)

    @property
    def warning_count(self) -> int:
        return sum(len(p.warnings) for p in self.papers)

    def to_json(self) -> dict[str, Any]:
        return {
            "papers": [p.to_json() for p in self.papers],
            "summary": {
                "papers": len(self.papers),
                "errors": self.error_count,
                "warnings": self.warning_count,
                "papers_with_errors": sum(1 for p in self.papers if p.errors),
                "papers_not_in_volume": [p.id for p in self.papers if not p.usable],
            },
        }

"""Structural checks of one camera-ready PDF: opening, encryption, page sizes, fonts, active content.

Every function here takes a hostile file for granted: any pypdf call may raise anything, any
dictionary may be cyclic, any count may be absurd. Walks carry a set of visited objects and a
budget, and a failure becomes a finding (or is skipped) rather than an exception.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from proceedings.findings import Finding
from proceedings.pdf.geometry import PageBox, pypdf_page_box
from proceedings.project.model import Rules
from proceedings.util.tolerant import tolerant

log = logging.getLogger(__name__)

PAGE_SIZES: dict[str, tuple[float, float]] = {
    "letter": (612.0, 792.0),
    "a4": (595.276, 841.89),
}
"""Width and height in points of the page sizes a venue may require."""

SIZE_NAMES: dict[str, tuple[float, float]] = {
    "US Letter": (612.0, 792.0),
    "A4": (595.276, 841.89),
    "US Legal": (612.0, 1008.0),
    "A3": (841.89, 1190.55),
    "A5": (419.53, 595.276),
    "B5": (498.9, 708.66),
    "the ACM journal size": (486.0, 720.0),
}
"""Known paper sizes, to name a wrong size in a message."""

TOLERANCE = 2.0
"""Points a page may differ from the required size."""

WALK_BUDGET = 20_000
"""Most PDF objects a single walk visits before it gives up (cyclic or absurd files)."""

_EMBEDDED_KEYS = ("/FontFile", "/FontFile2", "/FontFile3")


def resolve(obj: Any) -> Any:
    """The direct object behind ``obj`` (None when the reference is broken)."""
    try:
        while isinstance(obj, IndirectObject):
            obj = obj.get_object()
        return obj
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - a broken reference is as good as none
        return None


def get(obj: Any, key: str) -> Any:
    """``obj[key]`` resolved, or None for anything that is not there or not a dictionary."""
    obj = resolve(obj)
    if not isinstance(obj, DictionaryObject):
        return None
    return tolerant(lambda: resolve(obj.get(key)), None)


def name_of(obj: Any) -> str:
    """A PDF name or string as text, without its slash ("" when absent)."""
    obj = resolve(obj)
    if obj is None:
        return ""
    return tolerant(lambda: str(obj).lstrip("/"), "")


def items(obj: Any) -> Iterator[tuple[str, Any]]:
    """The (key, value) pairs of a dictionary, values unresolved; nothing for anything else."""
    obj = resolve(obj)
    if not isinstance(obj, DictionaryObject):
        return
    try:
        keys = list(obj.keys())
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001
        return
    for key in keys:
        try:
            yield str(key), obj.get(key)
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001
            continue


def elements(obj: Any, limit: int = WALK_BUDGET) -> list[Any]:
    """The elements of an array (unresolved), at most ``limit``; [] for anything else."""
    obj = resolve(obj)
    if not isinstance(obj, ArrayObject):
        return []
    return tolerant(lambda: list(obj[:limit]), [])


def page_ranges(pages: list[int]) -> str:
    """"1–3, 5" for [1, 2, 3, 5]."""
    out: list[str] = []
    run: list[int] = []
    for p in sorted(set(pages)):
        if run and p == run[-1] + 1:
            run.append(p)
            continue
        if run:
            out.append(f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [p]
    if run:
        out.append(f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]))
    return ", ".join(out)


def on_pages(pages: list[int]) -> str:
    """"page 3", "pages 1–3, 5"."""
    return ("page " if len(set(pages)) == 1 else "pages ") + page_ranges(pages)


def plural(n: int, word: str) -> str:
    """"1 page", "3 pages"."""
    return f"{n} {word}" + ("" if n == 1 else "s")


# --------------------------------------------------------------------------- opening


@dataclass
class Opened:
    """The outcome of opening a file."""

    reader: PdfReader | None
    pages: int | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """Readable, decrypted and with at least one page."""
        return self.reader is not None and bool(self.pages)


def open_pdf(path: Any) -> Opened:
    """Open ``path`` with pypdf; decrypt an empty user password; count pages."""
    findings: list[Finding] = []
    try:
        reader = PdfReader(path, strict=False)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a hostile file may raise anything
        return Opened(None, None, [_unreadable(exc)])
    try:
        encrypted = bool(reader.is_encrypted)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001
        return Opened(None, None, [_unreadable(exc)])
    if encrypted:
        try:
            opened = bool(reader.decrypt(""))
            why = "it needs a password to open"
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - unsupported algorithm, missing crypto library, broken dictionary
            opened = False
            why = f"it cannot be decrypted ({_short(exc)})"
        if not opened:
            return Opened(None, None, [Finding(
                "encrypted", "error", None, f"The file is encrypted and {why}, so it cannot be checked or merged.",
                "Export the PDF again without a password or any security settings (no encryption).")])
        findings.append(Finding(
            "encrypted", "error", None,
            "The file is encrypted (it opens without a password, but carries permission restrictions).",
            "Export the PDF again with security settings off: no password, no permissions, no encryption."))
    try:
        count = len(reader.pages)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001
        findings.append(_unreadable(exc, "its page tree is broken"))
        return Opened(None, None, findings)
    if count == 0:
        findings.append(Finding("no-pages", "error", None, "The PDF has no pages.",
                                "Send the complete paper: export the PDF again from the source."))
    return Opened(reader, count, findings)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "…"


def _unreadable(exc: BaseException, what: str = "") -> Finding:
    why = what or "it is damaged or not a PDF"
    return Finding("unreadable", "error", None, f"The PDF cannot be read: {why} ({_short(exc)}).",
                   "Export the PDF again from the source (LaTeX: pdflatex or lualatex) and check that it opens.")


# --------------------------------------------------------------------------- page geometry


def page_box(page: Any) -> PageBox | None:
    """The visible box and rotation of a page (see :mod:`proceedings.pdf.geometry`); None when unreadable."""
    return pypdf_page_box(page)


def size_name(width: float, height: float) -> str:
    """"A4 (595 × 842 pt)", "US Letter, landscape (792 × 612 pt)", "486 × 720 pt"."""
    dims = f"{width:.0f} × {height:.0f} pt"
    for name, (w, h) in SIZE_NAMES.items():
        if abs(width - w) <= TOLERANCE and abs(height - h) <= TOLERANCE:
            return f"{name} ({dims})"
        if abs(width - h) <= TOLERANCE and abs(height - w) <= TOLERANCE:
            return f"{name}, landscape ({dims})"
    return dims


def check_page_sizes(reader: PdfReader, count: int, rules: Rules) -> list[Finding]:
    """One error listing every page whose displayed size is not the venue's (±2 pt)."""
    want_w, want_h = PAGE_SIZES[rules.page_size]
    wrong: dict[str, list[int]] = {}
    unreadable: list[int] = []
    for number in range(1, count + 1):
        box = tolerant(lambda n=number: page_box(reader.pages[n - 1]), None)
        if box is None:
            unreadable.append(number)
            continue
        w, h = box.visual
        if abs(w - want_w) > TOLERANCE or abs(h - want_h) > TOLERANCE:
            wrong.setdefault(size_name(w, h), []).append(number)
    want = size_name(want_w, want_h)
    out = []
    if wrong:
        first = min(p for pages in wrong.values() for p in pages)
        parts = [f"{'page' if len(p) == 1 else 'pages'} {page_ranges(p)} {'is' if len(p) == 1 else 'are'} {name}"
                 for name, p in sorted(wrong.items(), key=lambda kv: min(kv[1]))]
        out.append(Finding(
            "page-size", "error", first, f"Wrong page size: {'; '.join(parts)}; the venue requires {want}.",
            f"Set the paper size to {want.split(' (')[0]} (acmart sigconf: \\documentclass[sigconf]{{acmart}} "
            "without a4paper or other geometry changes) and export again; do not scale or rotate pages."))
    if unreadable:
        out.append(Finding(
            "page-size", "error", unreadable[0],
            f"The size of {'page' if len(unreadable) == 1 else 'pages'} {page_ranges(unreadable)} cannot be read "
            "(broken /MediaBox).", "Export the PDF again from the source."))
    return out


# --------------------------------------------------------------------------- fonts


@dataclass
class FontReport:
    """Fonts met on the pages: base name -> first page using it."""

    count: int = 0
    not_embedded: dict[str, int] = field(default_factory=dict)
    type3: dict[str, int] = field(default_factory=dict)
    type3_fonts: list[tuple[int, Any]] = field(default_factory=list)
    """(first page, font dictionary) of every Type 3 font, for :mod:`proceedings.checks.type3`."""


def _font_name(font: Any) -> str:
    name = name_of(get(font, "/BaseFont")) or name_of(get(font, "/Name"))
    if len(name) > 7 and name[6] == "+" and name[:6].isupper() and name[:6].isalpha():
        name = name[7:]  # subset prefix ABCDEF+
    return name or "(unnamed font)"


def _is_embedded(font: Any) -> bool:
    subtype = name_of(get(font, "/Subtype"))
    if subtype == "Type0":
        descendants = elements(get(font, "/DescendantFonts"), 4)
        if not descendants:
            return False
        return all(_is_embedded(d) for d in descendants)
    descriptor = get(font, "/FontDescriptor")
    if not isinstance(descriptor, DictionaryObject):
        return False
    return any(get(descriptor, key) is not None for key in _EMBEDDED_KEYS)


def ref_key(obj: Any) -> tuple[int, int] | int:
    if isinstance(obj, IndirectObject):
        return (obj.idnum, obj.generation)
    return id(obj)


class _FontWalker:
    def __init__(self) -> None:
        self.report = FontReport()
        self.seen_resources: set[Any] = set()
        self.seen_fonts: set[Any] = set()
        self.budget = WALK_BUDGET

    def resources(self, res: Any, page: int, depth: int = 0) -> None:
        if depth > 32 or self.budget <= 0:
            return
        key = ref_key(res)
        if key in self.seen_resources:
            return
        self.seen_resources.add(key)
        self.budget -= 1
        res = resolve(res)
        if not isinstance(res, DictionaryObject):
            return
        for _, ref in items(get(res, "/Font")):
            self.font(ref, page, depth)
        for _, ref in items(get(res, "/XObject")):
            self.budget -= 1
            if self.budget <= 0:
                break
            xobj = resolve(ref)
            if name_of(get(xobj, "/Subtype")) == "Form":
                inner = xobj.get("/Resources") if isinstance(xobj, DictionaryObject) else None
                if inner is not None:
                    self.resources(inner, page, depth + 1)
        for _, ref in items(get(res, "/Pattern")):
            pattern = resolve(ref)
            if isinstance(pattern, DictionaryObject) and pattern.get("/Resources") is not None:
                self.resources(pattern.get("/Resources"), page, depth + 1)

    def font(self, ref: Any, page: int, depth: int) -> None:
        key = ref_key(ref)
        if key in self.seen_fonts:
            return
        self.seen_fonts.add(key)
        self.budget -= 1
        font = resolve(ref)
        if not isinstance(font, DictionaryObject):
            return
        self.report.count += 1
        name = _font_name(font)
        if name_of(get(font, "/Subtype")) == "Type3":
            self.report.type3.setdefault(name, page)
            self.report.type3_fonts.append((page, font))
            inner = font.get("/Resources")
            if inner is not None:
                self.resources(inner, page, depth + 1)
        elif not _is_embedded(font):
            self.report.not_embedded.setdefault(name, page)


def walk_fonts(reader: PdfReader, count: int) -> FontReport:
    """Every font of every page's resources, through form XObjects, patterns and Type 3 resources."""
    walker = _FontWalker()
    for number in range(1, count + 1):
        try:
            page = reader.pages[number - 1]
            res = page.get("/Resources")
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001
            continue
        if res is not None:
            walker.resources(res, number)
        if walker.budget <= 0:
            break
    return walker.report


def _font_list(fonts: dict[str, int], limit: int = 6) -> str:
    names = sorted(fonts, key=lambda n: (fonts[n], n))
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def check_fonts(report: FontReport) -> list[Finding]:
    """Errors for fonts not embedded (Type 3 fonts: :func:`proceedings.checks.type3.check_type3`)."""
    out = []
    if report.not_embedded:
        first = min(report.not_embedded.values())
        n = len(report.not_embedded)
        out.append(Finding(
            "fonts-embedded", "error", first,
            f"{plural(n, 'font')} not embedded (first used on page {first}): {_font_list(report.not_embedded)}.",
            "Embed every font: with pdflatex use the Type 1 fonts acmart loads (no \\usepackage{times}); from Word, "
            "tick 'Embed fonts in the file' / use 'Save as PDF' with 'ISO 19005-1 (PDF/A)'; for figures, embed "
            "fonts when exporting them (or convert text to outlines)."))
    return out

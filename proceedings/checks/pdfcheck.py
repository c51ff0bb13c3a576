"""Structural checks of one camera-ready PDF: page sizes and fonts, and the helpers every walk uses.

The file is opened with pikepdf (qpdf: :mod:`proceedings.checks.opening`), which resolves references
as they are read: a value is the object itself, and ``objgen`` tells where an indirect one lives.
Every function here takes a hostile file for granted: any call may raise anything, any dictionary
may be cyclic, any count may be absurd. Walks carry a set of visited objects and a budget, and a
failure becomes a finding (or is skipped) rather than an exception.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Pdf, Stream

from proceedings.findings import Finding
from proceedings.pdf.geometry import PageBox, pikepdf_page_box
from proceedings.project.model import Rules
from proceedings.text import some_of
from proceedings.util.tolerant import tolerant
from proceedings.venues import EMBED_OTHERS, PAGE_SIZES

log = logging.getLogger(__name__)

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

DICTS = (Dictionary, Stream)
"""What has keys: a stream's dictionary is read through the stream."""
CONTAINERS = (Dictionary, Stream, Array)
"""What a walk descends into; anything else (numbers, names, strings, null) is a leaf."""


def get(obj: Any, key: str) -> Any:
    """``obj[key]``, or None for anything that is not there or not a dictionary (or a stream). For a key most
    dictionaries have: one that most lack is read by :func:`get_rare`."""
    if not isinstance(obj, DICTS):
        return None
    try:  # as util.tolerant, without a function made and called for each of the thousands of keys a paper has
        return obj.get(key)
    except (MemoryError, RecursionError):
        raise
    except Exception:  # noqa: BLE001 - a hostile file may make a reader raise anything
        return None


def get_rare(obj: Any, key: str) -> Any:
    """:func:`get` for a key most dictionaries lack (``/AA``, ``/Next``, ``/CropBox``): asked for first, since
    pikepdf's ``get`` of a missing key raises a KeyError in C++ and catches it, which costs six times the question
    (qpdf's ``hasKey``, which ``get`` asks too: a key whose value is null is missing for both)."""
    if not isinstance(obj, DICTS):
        return None
    try:
        return obj.get(key) if key in obj else None
    except (MemoryError, RecursionError):
        raise
    except Exception:  # noqa: BLE001 - a hostile file may make a reader raise anything
        return None


def has(obj: Any, key: str) -> bool:
    """Whether ``get(obj, key)`` is not None, without reading the value (False for anything but a dictionary or a
    stream, and when asking raises)."""
    if not isinstance(obj, DICTS):
        return False
    try:
        return key in obj
    except (MemoryError, RecursionError):
        raise
    except Exception:  # noqa: BLE001 - a hostile file may make a reader raise anything
        return False


def name_of(obj: Any) -> str:
    """A PDF name or string as text, without its slash ("" when absent)."""
    if obj is None:
        return ""
    try:  # as util.tolerant (without a function made for each name)
        return str(obj).lstrip("/")
    except (MemoryError, RecursionError):
        raise
    except Exception:  # noqa: BLE001
        return ""


def items(obj: Any) -> Iterator[tuple[str, Any]]:
    """The (key, value) pairs of a dictionary (or a stream's), keys in qpdf's (sorted) order; nothing for
    anything else."""
    if not isinstance(obj, DICTS):
        return iter(())
    try:
        return iter(list(obj.items()))
    except (MemoryError, RecursionError):
        raise
    except Exception:  # noqa: BLE001
        return iter(())


def elements(obj: Any, limit: int = WALK_BUDGET) -> list[Any]:
    """The elements of an array, at most ``limit``; [] for anything else."""
    if not isinstance(obj, Array):
        return []
    try:
        return list(islice(obj, limit))
    except (MemoryError, RecursionError):
        raise
    except Exception:  # noqa: BLE001
        return []


def is_indirect(obj: Any) -> bool:
    """Whether ``obj`` is a pikepdf object that lives in the file's table (False when asking raises)."""
    try:
        return obj.is_indirect
    except (MemoryError, RecursionError):
        raise
    except Exception:  # noqa: BLE001
        return False


def ref_key(obj: Any) -> tuple[int, int] | int:
    """Where ``obj`` lives: (number, generation) of an indirect object, else the identity of the Python object
    (pikepdf makes a new one on every access: keep it alive while its key is kept, as :class:`Visited` does)."""
    if isinstance(obj, pikepdf.Object) and is_indirect(obj):
        return obj.objgen
    return id(obj)


class Visited:
    """The objects a walk has met, indirect ones by number and direct ones by identity (held on to)."""

    def __init__(self) -> None:
        self._keys: set[Any] = set()
        self._held: list[Any] = []

    def first(self, obj: Any) -> bool:
        """Whether ``obj`` is met for the first time (it is remembered)."""
        key = ref_key(obj)
        if key in self._keys:
            return False
        self._keys.add(key)
        if isinstance(key, int):
            self._held.append(obj)
        return True


def has_xobjects(resources: Any) -> bool:
    """Whether a page's resources may name an XObject (an image or a drawing it may place): an /XObject entry that is
    anything but an empty dictionary."""
    found = get_rare(resources, "/XObject")
    return found is not None and not (isinstance(found, Dictionary) and not found.keys())


def page_attribute(page: Any, key: str) -> Any:
    """``page[key]``, else the value of the nearest /Pages node above that has it (``key``: /Resources,
    /MediaBox, /CropBox or /Rotate, which pages inherit); None when neither has it."""
    node, seen = page, set()
    for _ in range(100):
        value = get_rare(node, key)  # the key is inherited, or the page has it: a /Pages node seldom does
        if value is not None or not isinstance(node, DICTS):
            return value
        parent = get_rare(node, "/Parent")  # the root has none
        key_of = ref_key(parent)
        if parent is None or key_of in seen:
            return None
        seen.add(key_of)
        node = parent
    return None


def page_object(pdf: Pdf, number: int) -> Any:
    """The dictionary of page ``number`` (1-based); raises when the page cannot be read."""
    return pdf.pages[number - 1].obj


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


# --------------------------------------------------------------------------- page geometry


def page_box(page: Any) -> PageBox | None:
    """The visible box and rotation of a page dictionary, inherited boxes and rotation included (see
    :mod:`proceedings.pdf.geometry`); None when its media box cannot be read."""
    return pikepdf_page_box(page, page_attribute)


def size_name(width: float, height: float) -> str:
    """"A4 (595 × 842 pt)", "US Letter, landscape (792 × 612 pt)", "486 × 720 pt"."""
    dims = f"{width:.0f} × {height:.0f} pt"
    for name, (w, h) in SIZE_NAMES.items():
        if abs(width - w) <= TOLERANCE and abs(height - h) <= TOLERANCE:
            return f"{name} ({dims})"
        if abs(width - h) <= TOLERANCE and abs(height - w) <= TOLERANCE:
            return f"{name}, landscape ({dims})"
    return dims


def check_page_sizes(pdf: Pdf, count: int, rules: Rules) -> list[Finding]:
    """One error listing every page whose displayed size is not the venue's (±2 pt)."""
    want_w, want_h = PAGE_SIZES[rules.page_size]
    wrong: dict[str, list[int]] = {}
    unreadable: list[int] = []
    for number in range(1, count + 1):
        box = tolerant(lambda n=number: page_box(page_object(pdf, n)), None)
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
            f"Set the paper size to {want.split(' (')[0]} in the document class or page setup (no geometry "
            "changes) and export again; do not scale or rotate pages."))
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


def _is_embedded(font: Any, subtype: str | None = None) -> bool:
    """Whether the font's program is in the file (``subtype``: its /Subtype, when already read)."""
    if subtype is None:
        subtype = name_of(get(font, "/Subtype"))
    if subtype == "Type0":
        descendants = elements(get(font, "/DescendantFonts"), 4)
        if not descendants:
            return False
        return all(_is_embedded(d) for d in descendants)
    descriptor = get(font, "/FontDescriptor")
    if not isinstance(descriptor, DICTS):
        return False
    return any(has(descriptor, key) for key in _EMBEDDED_KEYS)  # asked for, not read


class _FontWalker:
    def __init__(self) -> None:
        self.report = FontReport()
        self.seen_resources = Visited()
        self.seen_fonts = Visited()
        self.budget = WALK_BUDGET

    def resources(self, res: Any, page: int, depth: int = 0) -> None:
        if depth > 32 or self.budget <= 0:
            return
        if not self.seen_resources.first(res):
            return
        self.budget -= 1
        if not isinstance(res, DICTS):
            return
        for _, font in items(get(res, "/Font")):
            self.font(font, page, depth)
        for _, xobj in items(get_rare(res, "/XObject")):  # a page of text has none
            self.budget -= 1
            if self.budget <= 0:
                break
            if name_of(get(xobj, "/Subtype")) == "Form":
                inner = get(xobj, "/Resources")
                if inner is not None:
                    self.resources(inner, page, depth + 1)
        for _, pattern in items(get(res, "/Pattern")):
            inner = get(pattern, "/Resources")
            if inner is not None:
                self.resources(inner, page, depth + 1)

    def font(self, font: Any, page: int, depth: int) -> None:
        if not self.seen_fonts.first(font):
            return
        self.budget -= 1
        if not isinstance(font, DICTS):
            return
        self.report.count += 1
        name = _font_name(font)
        subtype = name_of(get(font, "/Subtype"))
        if subtype == "Type3":
            self.report.type3.setdefault(name, page)
            self.report.type3_fonts.append((page, font))
            inner = get(font, "/Resources")
            if inner is not None:
                self.resources(inner, page, depth + 1)
        elif not _is_embedded(font, subtype):
            self.report.not_embedded.setdefault(name, page)


def walk_fonts(pdf: Pdf, count: int) -> FontReport:
    """Every font of every page's resources (inherited ones too), through form XObjects, patterns and Type 3
    resources."""
    walker = _FontWalker()
    for number in range(1, count + 1):
        try:
            res = page_attribute(page_object(pdf, number), "/Resources")
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
    return some_of(sorted(fonts, key=lambda n: (fonts[n], n)), limit)


EMBED_FIX = ("Embed every font: with pdflatex, keep the template's own fonts (Type 1, which pdflatex embeds); "
             + EMBED_OTHERS)
"""How a font not embedded is fixed, in no template's words (a profile may say it in its own: ``fixes``)."""


def check_fonts(report: FontReport, fix: str) -> list[Finding]:
    """Errors for fonts not embedded, ``fix`` said how to mend them (Type 3 fonts:
    :func:`proceedings.checks.type3.check_type3`)."""
    out = []
    if report.not_embedded:
        first = min(report.not_embedded.values())
        n = len(report.not_embedded)
        out.append(Finding(
            "fonts-embedded", "error", first,
            f"{plural(n, 'font')} not embedded (first used on page {first}): {_font_list(report.not_embedded)}.",
            fix))
    return out

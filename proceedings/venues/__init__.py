"""Venue profiles: what a venue's template looks like, one module per profile.

A profile (:class:`Venue`) holds the page size, text block, stamp zone, page limits, placeholder list,
rights-block expectations and fix hints of one template. ``rules.profile`` in workshop.yaml names a
registered profile (``acm-sigconf``, ``ieee-conference``, ``lncs``, ``generic``) or the import path of a
module that registers one (``mypackage.venue``); ``rules`` keys override its page size and limits.
A new profile is one new module calling :func:`register`.
"""

from __future__ import annotations

import importlib
import logging
import re
from dataclasses import dataclass, field, replace
from importlib.metadata import entry_points

from proceedings.pdf.geometry import Rect

log = logging.getLogger(__name__)

PAGE_SIZES: dict[str, tuple[float, float]] = {"letter": (612.0, 792.0), "a4": (595.276, 841.89)}
"""Width and height in points of the page sizes a venue may require."""

EMBED_OTHERS = ("from Word, tick 'Embed fonts in the file' / use 'Save as PDF' with 'ISO 19005-1 (PDF/A)'; for "
                "figures, embed fonts when exporting them (or convert text to outlines).")
"""How a font not embedded is fixed outside LaTeX: the end of every profile's ``fonts-embedded`` fix."""


@dataclass(frozen=True)
class RightsBlock:
    """What page 1 must carry: each entry a label and a pattern over its folded text (see ``checks.text.fold``)."""

    required: tuple[tuple[str, str], ...]
    fix: str


@dataclass(frozen=True)
class Venue:
    """One venue's template and rules."""

    id: str
    """``acm-sigconf``: the value of ``rules.profile``."""
    name: str
    """"ACM sigconf (acmart)": how messages name the template."""
    page_size: str = "letter"
    min_pages: int = 4
    max_pages: int = 8
    text_block: Rect | None = None
    """Where content belongs on a page of ``page_size``, displayed points (None: not checked)."""
    margin_tolerance: float = 9.0
    """How far past the text block content may reach before it is in the margin."""
    stamp_zone: float = 40.0
    """Height of the strip at the bottom of every page where the page number is stamped."""
    layout: str | None = None
    """The layout id :mod:`proceedings.checks.layout` must recognise (None: any layout passes)."""
    placeholders: tuple[tuple[str, str], ...] = ()
    """(label, pattern over folded text) of the template's sample values an author must replace."""
    rights_block: RightsBlock | None = None
    own_page_numbers: str = "error"
    """The severity of ``page-numbers``, a paper's own page numbers: "warning" where the template prints them
    as its authors are told to use it (llncs with ``runningheads``), "error" where they are an option of one's own."""
    fixes: dict[str, str] = field(default_factory=dict)
    """Rule id -> how the author fixes it, in this template's words."""

    def fix(self, rule: str, default: str = "") -> str:
        return self.fixes.get(rule, default)

    def placeholder_patterns(self) -> list[tuple[str, re.Pattern[str]]]:
        return [(label, re.compile(pattern)) for label, pattern in self.placeholders]


_REGISTRY: dict[str, Venue] = {}
BUILTIN = ("acm_sigconf", "ieee_conference", "lncs", "generic")
ENTRY_POINTS = "proceedings.venues"
"""Entry-point group through which installed packages register profiles."""


def register(venue: Venue) -> Venue:
    """Make ``venue`` selectable as ``rules.profile: <venue.id>``; returns it (use at module level)."""
    _REGISTRY[venue.id] = venue
    return venue


def _load_builtins() -> None:
    if all(name.replace("_", "-") in _REGISTRY for name in BUILTIN):
        return
    for name in BUILTIN:
        importlib.import_module(f"{__name__}.{name}")
    try:
        eps = entry_points(group=ENTRY_POINTS)
    except Exception:  # noqa: BLE001 - broken metadata of some installed package
        eps = ()
    for ep in eps:
        try:
            ep.load()
        except Exception:  # one broken plug-in does not stop the others
            log.warning("venue profile plug-in %s cannot be loaded", ep.name, exc_info=True)


def names() -> list[str]:
    """Every registered profile id."""
    _load_builtins()
    return sorted(_REGISTRY)


def get(profile: str) -> Venue:
    """The profile named ``profile``: a registered id, or ``package.module`` (which registers it) or
    ``package.module:attribute``. Raises ValueError naming the known profiles."""
    _load_builtins()
    if profile in _REGISTRY:
        return _REGISTRY[profile]
    module, _, attr = profile.partition(":")
    if re.fullmatch(r"[A-Za-z_][\w.]*", module):
        before = set(_REGISTRY)
        try:
            loaded = importlib.import_module(module)
        except Exception as exc:  # any failure of a plug-in's import is the chair's input to fix
            missing = getattr(exc, "name", None) if isinstance(exc, ModuleNotFoundError) else None
            if missing is not None and (missing == module or module.startswith(f"{missing}.")):
                raise ValueError(_unknown(profile)) from None  # no such module: no such profile either
            raise ValueError(f"profile {profile!r}: cannot import {module} ({type(exc).__name__}: {exc})") from exc
        if attr:
            venue = getattr(loaded, attr, None)
            if not isinstance(venue, Venue):
                raise ValueError(f"profile {profile!r}: {module}.{attr} is not a Venue")
            return venue
        new = [_REGISTRY[k] for k in _REGISTRY if k not in before]
        if profile in _REGISTRY:
            return _REGISTRY[profile]
        if len(new) == 1:
            _REGISTRY[profile] = new[0]
            return new[0]
        raise ValueError(f"profile {profile!r}: the module registers {len(new)} profiles, not one")
    raise ValueError(_unknown(profile))


def _unknown(profile: str) -> str:
    return (f"unknown profile {profile!r}; known profiles: {', '.join(names())} (or a profile of your own: the "
            "import path of the module that registers it)")


def effective(profile: str, overrides: dict[str, object]) -> Venue:
    """The profile with ``rules`` keys (page_size, min_pages, max_pages) that the chair set applied."""
    venue = get(profile)
    keys = {k: v for k, v in overrides.items() if k in ("page_size", "min_pages", "max_pages") and v is not None}
    if keys.get("page_size") and keys["page_size"] != venue.page_size:
        keys["text_block"] = None  # the template's text block is known on its own paper size only
    return replace(venue, **keys) if keys else venue

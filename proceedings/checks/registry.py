"""Checks as registered objects: each has an id, a title, a version and a ``run`` that returns findings.

Built-in checks register themselves exactly as a third party would: a module that calls
:func:`register` (or uses the :func:`check` decorator) at import. Extra modules are named in
``rules.checks`` (import paths) or installed under the entry-point group ``proceedings.checks``.
A check's ``version`` keys its cached results: bump it when the check finds something different,
and only its own results are computed again.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from proceedings.checks.paper import Paper
    from proceedings.findings import Finding

log = logging.getLogger(__name__)

ENTRY_POINTS = "proceedings.checks"
BUILTIN = (
    "page_size", "fonts", "active_content", "text_present", "title_authors", "line_numbers", "draft_footer",
    "review_marks", "anonymous", "placeholders", "bottom_margin", "page_numbers", "margins", "overprint", "template",
    "rights_block", "language", "length",
)
"""Built-in check modules of this package, in the order their findings are listed."""


@dataclass(frozen=True)
class Check:
    """One registered check."""

    id: str
    title: str
    version: str
    run: Callable[[Paper], Iterable[Finding]]
    needs_text: bool = True
    """Skipped when the paper has no text layer (a scan): the ``no-text`` finding says so once."""


_REGISTRY: dict[str, Check] = {}
_PLUGINS_LOADED = False


def register(item: Check) -> Check:
    """Add (or replace) a check; returns it."""
    _REGISTRY[item.id] = item
    return item


def check(id: str, title: str, version: str = "1", *, needs_text: bool = True):
    """Decorator: register ``run(paper) -> findings`` as a check."""
    def wrap(run: Callable[[Paper], Iterable[Finding]]) -> Callable[[Paper], Iterable[Finding]]:
        register(Check(id, title, version, run, needs_text))
        return run
    return wrap


def _import(name: str) -> None:
    try:
        importlib.import_module(name)
    except Exception as exc:  # any failure of a plug-in's import is the chair's input to fix
        raise ValueError(f"check module {name!r} cannot be imported ({type(exc).__name__}: {exc})") from exc


def load(extra: Sequence[str] = ()) -> list[Check]:
    """Every check: the built-ins, installed plug-ins, then the modules of ``rules.checks``."""
    global _PLUGINS_LOADED
    for name in BUILTIN:
        module = f"proceedings.checks.{name}"
        if sys.modules.get(module) is None:  # imported once a process: asking importlib again costs as much
            importlib.import_module(module)
    if not _PLUGINS_LOADED:  # reading every installed package's metadata is slow: once per process
        _PLUGINS_LOADED = True
        try:
            eps = list(entry_points(group=ENTRY_POINTS))
        except Exception:  # noqa: BLE001 - broken metadata of an unrelated package
            eps = []
        for ep in eps:
            try:
                ep.load()
            except Exception:  # one broken plug-in does not stop validation
                log.warning("check plug-in %s cannot be loaded", ep.name, exc_info=True)
    for name in extra:
        _import(name)
    order = {f"proceedings.checks.{name}": i for i, name in enumerate(BUILTIN)}
    # a stable sort keeps registration order within a module (comparing checks by value to find it costs 10×)
    return sorted(_REGISTRY.values(), key=lambda c: order.get(getattr(c.run, "__module__", ""), len(BUILTIN)))


def versions(extra: Sequence[str] = (), known: Path | None = None) -> dict[str, str]:
    """Check id -> version, for cache keys.

    ``known``: a JSON file where the versions of the built-in checks are kept for the code that has them
    (:func:`~proceedings.util.cache.code_version`). When only built-in checks apply and none is loaded yet (no
    ``extra`` module, no installed plug-in, nothing registered in this process), they are read from there and
    no check is imported: a build whose every result is cached loads no PDF library.
    """
    from proceedings.util.atomic import read_json, write_cache_json
    from proceedings.util.cache import code_version

    builtin_only = not extra and not _REGISTRY and not _installed()  # nothing loaded or registered in-process yet
    if known is not None and builtin_only:
        kept = read_json(known)
        if isinstance(kept, dict) and kept.get("code") == code_version() and isinstance(kept.get("versions"), dict):
            return kept["versions"]
    found = {c.id: c.version for c in load(extra)}
    if known is not None and builtin_only:
        try:
            write_cache_json(known, {"code": code_version(), "versions": found})
        except OSError as exc:  # a read-only output folder: the checks are imported again next time
            log.debug("check versions not kept: %s", exc)
    return found


def _installed() -> bool:
    """Whether any check plug-in is installed (entry points of :data:`ENTRY_POINTS`)."""
    try:
        return bool(list(entry_points(group=ENTRY_POINTS)))
    except Exception:  # noqa: BLE001 - broken metadata of an unrelated package: load() says so
        return True

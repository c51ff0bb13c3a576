"""What a run is given (frozen :class:`Options`) and what it carries along (:class:`BuildContext`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager as ContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from proceedings.util.timings import Timings

log = logging.getLogger(__name__)

Advance = Callable[[int], None]
"""Moves a progress bar on by some steps."""


class Progress(Protocol):
    """Shows one stage's progress: ``with progress("validating", 40) as advance: advance(1)``.

    The library shows nothing by default; the CLI injects a rich progress bar on a terminal.
    """

    def __call__(self, description: str, total: int) -> ContextManager[Advance]: ...


@contextlib.contextmanager
def no_progress(description: str, total: int) -> Iterator[Advance]:
    """The default :class:`Progress`: shows nothing."""
    yield lambda n=1: None


@dataclass(frozen=True)
class Options:
    """How a run behaves, set once by its caller (the CLI or a program using :mod:`proceedings.api`)."""

    out_dir: Path | None = None
    """Where outputs go; None: ``PROJECT/build``."""
    strict: bool = False
    """Warnings fail the run too (:meth:`~proceedings.api.BuildResult.raise_for_status`)."""
    jobs: int = 0
    """Worker processes for validation and stamping; 0: one per core."""
    use_cache: bool = True
    """Reuse results cached by content in ``OUT/.cache`` (validation, stamped papers, front matter)."""
    progress: Progress = no_progress
    """How stages show their progress; silent by default."""


def epoch_date() -> dt.datetime | None:
    """SOURCE_DATE_EPOCH as a time, or None when it is unset or not a number of seconds."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        return dt.datetime.fromtimestamp(int(raw), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        log.warning("SOURCE_DATE_EPOCH=%r is not a number of seconds; ignored", raw)
        return None


def source_date(inputs: list[Path] | None = None) -> dt.datetime:
    """The build time: SOURCE_DATE_EPOCH when set, else the newest input's modification time.

    Either way the same inputs give the same bytes; the wall clock is never read.
    """
    fixed = epoch_date()
    if fixed is not None:
        return fixed
    newest = 0.0
    for path in inputs or []:
        try:
            newest = max(newest, path.stat().st_mtime)
        except OSError:
            continue
    return dt.datetime.fromtimestamp(int(newest), tz=dt.UTC)


@dataclass
class BuildContext:
    """One run: its folders and options, the time written into outputs, and the warnings it raised."""

    project_dir: Path
    """The project folder."""
    options: Options = field(default_factory=Options)
    """The caller's options (frozen)."""
    build_time: dt.datetime = field(default_factory=lambda: dt.datetime(1980, 1, 1, tzinfo=dt.UTC))
    """The time written into outputs (see :func:`source_date`); set by the gather stage."""
    warnings: list[str] = field(default_factory=list)
    """Warnings raised by stages (besides the papers' findings), for --strict."""

    timings: Timings | None = None
    """Wall and CPU time per stage, when asked for (``build --timings``)."""

    @property
    def out_dir(self) -> Path:
        """Where outputs go."""
        return Path(self.options.out_dir) if self.options.out_dir is not None else self.project_dir / "build"

    @property
    def strict(self) -> bool:
        """Warnings fail the run too."""
        return self.options.strict

    @property
    def jobs(self) -> int:
        """Worker processes; 0 = one per core."""
        return self.options.jobs

    @property
    def use_cache(self) -> bool:
        """Reuse cached results."""
        return self.options.use_cache

    def warn(self, message: str) -> None:
        """Record and log a warning."""
        self.warnings.append(message)
        log.warning(message)

    def progress(self, description: str, total: int) -> ContextManager[Advance]:
        """A progress display for one stage (see :class:`Progress`); silent for a single step."""
        if total <= 1:
            return no_progress(description, total)
        return self.options.progress(description, total)


def make_context(project_dir: Path, out_dir: Path | None = None, **options: object) -> BuildContext:
    """A run's context from a project folder and :class:`Options` fields (``strict=True``, ``jobs=2``…)."""
    return BuildContext(Path(project_dir), Options(out_dir=out_dir, **options))  # type: ignore[arg-type]

"""The build context handed to every stage: where to write, the clock, progress and warnings."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from proceedings.util.timings import Timings

log = logging.getLogger(__name__)


def epoch_date() -> dt.datetime | None:
    """SOURCE_DATE_EPOCH as a time, or None when it is unset or not a number of seconds."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        return dt.datetime.fromtimestamp(int(raw), tz=dt.timezone.utc)
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
    return dt.datetime.fromtimestamp(int(newest), tz=dt.timezone.utc)


@dataclass
class BuildContext:
    """What every stage needs besides its input."""

    project_dir: Path
    """The project folder."""
    out_dir: Path
    """Where outputs go (default: project_dir/build)."""
    quiet: bool = False
    """No progress bars."""
    strict: bool = False
    """Warnings fail the run at its end."""
    jobs: int = 0
    """Worker processes for validation; 0 = one per core."""
    use_cache: bool = True
    """Reuse validation results cached by content."""
    build_time: dt.datetime = field(default_factory=lambda: dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc))
    """The time written into outputs (see :func:`source_date`)."""
    warnings: list[str] = field(default_factory=list)
    """Warnings raised by stages, for --strict."""
    timings: Timings | None = None
    """Wall and CPU time per stage, when asked for (``build --timings``)."""

    @property
    def show_progress(self) -> bool:
        """Progress bars go to stderr only when it is a terminal and not --quiet."""
        return not self.quiet and sys.stderr.isatty()

    def warn(self, message: str) -> None:
        """Record and log a warning."""
        self.warnings.append(message)
        log.warning(message)

    @contextlib.contextmanager
    def progress(self, description: str, total: int) -> Iterator[Callable[[int], None]]:
        """A progress bar for one stage; yields ``advance(n)``. Silent when not shown."""
        if not self.show_progress or total <= 1:
            yield lambda n=1: None
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=Console(stderr=True), transient=True,
        ) as bar:
            task = bar.add_task(description, total=total)
            yield lambda n=1: bar.advance(task, n)

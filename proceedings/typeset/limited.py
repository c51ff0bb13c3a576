"""Drawing under the venue's time and memory limits, as validation is.

The front matter and the author index are drawn from user input (titles, author lists, the
preface): drawing runs in a worker process (:mod:`proceedings.util.workers`). Past the limit, or
when ReportLab cannot lay a part out, the build stops with an input error (exit 2) that says which
part and why, never an internal error; a full or read-only disk is an output error (exit 74).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from proceedings.errors import InputError
from proceedings.project.model import Rules
from proceedings.util.outputs import raise_if_machine
from proceedings.util.workers import run_one

T = TypeVar("T")

MIN_SECONDS = 60.0
"""Drawing gets at least this long, whatever the venue's (per paper) validation limit."""


class DrawingTimeout(InputError):
    """Drawing ran past the venue's time limit (drawn again, it would only take as long)."""


def _layout_failure(detail: str) -> bool:
    return detail.startswith(("LayoutError", "RecursionError"))


def seconds_for(rules: Rules) -> float:
    """How long drawing may take under ``rules`` (at least :data:`MIN_SECONDS`)."""
    return max(MIN_SECONDS, rules.time_limit)


_HINT = "shorten the longest titles, author lists, committee lists or the preface (front_matter/preface.md)"


TIMEOUT_PREFIX = f"{DrawingTimeout.__name__}: "
"""How a worker reports a :class:`DrawingTimeout` raised in its task."""


def timeout_error(what: str, seconds: float) -> DrawingTimeout:
    """The error of ``what`` drawn past ``seconds``."""
    return DrawingTimeout(f"{what} could not be drawn within {seconds:g} s; {_HINT}")


def draw(fn: Callable[..., T], args: tuple, rules: Rules, what: str, out_dir: Path | None = None,
         *, parts: int = 1) -> T:
    """``fn(*args)`` in a worker under ``rules``' limits; ``what`` names the part in messages (``parts`` of them,
    each given the time one part may take)."""
    seconds = seconds_for(rules) * parts
    outcome = run_one(fn, args, time_limit=seconds, memory_mb=rules.memory_limit_mb, what=f"drawing {what}")
    if outcome.status == "ok":
        return outcome.value
    raise_if_machine(outcome.value if outcome.status == "error" else None, out_dir)
    if outcome.status == "timeout":
        raise timeout_error(what, seconds)
    if outcome.status == "error" and outcome.detail.startswith(TIMEOUT_PREFIX):  # one part past its own limit
        raise DrawingTimeout(outcome.detail.removeprefix(TIMEOUT_PREFIX))
    if outcome.status == "memory":
        raise InputError(f"{what} could not be drawn within {rules.memory_limit_mb} MiB of memory; {_HINT}")
    if outcome.status == "error" and _layout_failure(outcome.detail):
        detail = re.sub(r" at 0x[0-9a-fA-F]+", "", outcome.detail)  # no memory address: the same every run
        raise InputError(f"{what} cannot be laid out ({detail[:300]}); {_HINT}")
    raise RuntimeError(f"drawing {what} failed: {outcome.detail}")

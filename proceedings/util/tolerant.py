"""Reading hostile files: a failure of any kind becomes a default value, but running out of memory never does
(the worker's memory limit turns that into a finding of its own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def tolerant(call: Callable[[], T], default: T) -> T:
    """``call()``, or ``default`` when it raises anything but :class:`MemoryError` (or a recursion too deep)."""
    try:
        return call()
    except (MemoryError, RecursionError):
        raise
    except Exception:  # noqa: BLE001 - a hostile file may make a reader raise anything
        return default

"""A small content-keyed cache in the build folder (``build/.cache``): safe to delete at any time.

Entries are keyed by a digest of everything they depend on, the tool's version included, so a
changed input, rule or version simply misses. Values are our own pickles, written atomically.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
from collections.abc import Callable
from typing import Any, TypeVar

from proceedings import __version__
from proceedings.atomic import write_bytes
from proceedings.context import BuildContext

log = logging.getLogger(__name__)
T = TypeVar("T")


def digest(*parts: Any) -> str:
    """A stable digest of JSON-serialisable parts (and the tool's version)."""
    text = json.dumps([__version__, *parts], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def memo(ctx: BuildContext, name: str, key: str, compute: Callable[[], T]) -> T:
    """``compute()``, or its value from the last build when ``key`` is unchanged."""
    path = ctx.out_dir / ".cache" / f"{name}.pickle"
    if ctx.use_cache:
        try:
            stored_key, value = pickle.loads(path.read_bytes())  # noqa: S301 - our own cache file
            if stored_key == key:
                log.info("%s: unchanged, reused", name)
                return value
        except (OSError, pickle.UnpicklingError, ValueError, EOFError, AttributeError, ImportError, TypeError):
            pass
    value = compute()
    write_bytes(path, pickle.dumps((key, value), protocol=4))
    return value

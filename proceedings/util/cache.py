"""A small content-keyed cache in the build folder (``build/.cache``): safe to delete at any time.

Entries are keyed by a digest of everything they depend on, the tool's version included, so a
changed input, rule or version simply misses. Values are our own pickles, written atomically.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from proceedings import __version__
from proceedings.context import BuildContext
from proceedings.util.atomic import write_bytes

log = logging.getLogger(__name__)
T = TypeVar("T")


@functools.cache
def code_version() -> str:
    """The tool's version and a digest of its own code and templates: any change misses every cache."""
    package = Path(__file__).resolve().parent.parent
    digest_ = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in {".py", ".j2", ".yaml", ".md"} and path.is_file():
            digest_.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return f"{__version__}+{digest_.hexdigest()[:12]}"


def digest(*parts: Any) -> str:
    """A stable digest of JSON-serialisable parts (and the tool's code version)."""
    text = json.dumps([code_version(), *parts], sort_keys=True, ensure_ascii=False, default=str)
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

"""A small content-keyed cache in the build folder (``build/.cache``): safe to delete at any time.

Entries are keyed by a digest of everything they depend on, the tool's version included, so a
changed input, rule or version simply misses. Values are our own pickles, written atomically,
stored with the sha256 of their bytes: an entry damaged on disk (bit rot, a truncated write) is
discarded and rebuilt, never used.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import pickle
import zlib
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


def memo(ctx: BuildContext, name: str, key: str, compute: Callable[[], T], *, shared: bool = False) -> T:
    """``compute()``, or its value from the last build when ``key`` is unchanged.

    ``shared``: a pure value (no file written beside it), also kept in the shared cache
    (``$PROCEEDINGS_CACHE_DIR/memo/``) for any output folder that asks with the same key.
    """
    path = ctx.out_dir / ".cache" / f"{name}.pickle"
    common = shared_dir("memo") if shared else None
    elsewhere = common / f"{name}-{key}.pickle" if common is not None else None
    if ctx.use_cache:
        for where in (path, elsewhere):
            if where is not None and where.exists():
                value = _load(where, key)
                if value is not _MISSING:
                    if where is elsewhere:
                        write_bytes(path, where.read_bytes())
                    log.info("%s: unchanged, reused", name)
                    return value
    value = compute()
    blob = pickle.dumps(value, protocol=4)
    entry = pickle.dumps((key, hashlib.sha256(blob).hexdigest(), blob), protocol=4)
    write_bytes(path, entry)
    if elsewhere is not None:
        try:
            write_bytes(elsewhere, entry)
        except OSError as exc:
            log.debug("cannot write the shared cache %s: %s", elsewhere, exc)
    return value


_MISSING = object()


def _load(path: Path, key: str) -> Any:
    """The value stored at ``path`` under ``key``; _MISSING when it is another key's or damaged (logged)."""
    try:
        stored_key, sha, blob = pickle.loads(path.read_bytes())  # noqa: S301 - our own cache file
        if stored_key != key:
            return _MISSING
        if hashlib.sha256(blob).hexdigest() != sha:
            raise ValueError("sha256 mismatch")
        return pickle.loads(blob)  # noqa: S301 - our own cache file, its sha256 checked above
    except Exception as exc:  # noqa: BLE001 - any damage: rebuild
        log.warning("cache entry %s is damaged (%s); discarded and rebuilt", path.name, exc or type(exc).__name__)
        return _MISSING


SHARED_CACHE_ENV = "PROCEEDINGS_CACHE_DIR"
"""A folder of results that serve every output folder (other builds, CI runs); unset: none."""


def shared_dir(kind: str) -> Path | None:
    """The shared cache's folder for ``kind`` (``validation``, ``memo``), when :data:`SHARED_CACHE_ENV` is set."""
    import os

    folder = os.environ.get(SHARED_CACHE_ENV)
    return Path(folder) / kind if folder else None


def seal(entry: dict[str, Any]) -> dict[str, Any]:
    """``entry`` with the sha256 of its canonical JSON (``"sealed"``), for a JSON cache file."""
    entry = json.loads(json.dumps(entry, ensure_ascii=False))  # as it reads back: tuples as lists, keys as text
    text = json.dumps(entry, sort_keys=True, ensure_ascii=False)
    return {**entry, "sealed": hashlib.sha256(text.encode("utf-8")).hexdigest()}


def unseal(entry: Any, name: str) -> dict[str, Any] | None:
    """The entry :func:`seal` wrote, or None (with a log line) when it is not intact."""
    if not isinstance(entry, dict) or not isinstance(entry.get("sealed"), str):
        log.warning("cache entry %s is damaged (no seal); discarded and rebuilt", name)
        return None
    body = {k: v for k, v in entry.items() if k != "sealed"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False)
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != entry["sealed"]:
        log.warning("cache entry %s is damaged (sha256 mismatch); discarded and rebuilt", name)
        return None
    return body


def crc32_file(path: Path) -> str:
    """The CRC-32 of a file's bytes (hex): what tells a cached file that rotted on disk from the one written,
    at a third of sha256's cost (a warm build checks every cached stamped paper this way)."""
    value = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            value = zlib.crc32(block, value)
    return f"{value:08x}"


def file_fingerprint(path: Path) -> list[int]:
    """Size and modification time of a file this tool wrote (empty when it is missing): a quick sign that it was
    replaced or edited, kept when the output folder is copied with its times."""
    try:
        st = path.stat()
    except OSError:
        return []
    return [st.st_size, st.st_mtime_ns]


def file_stamp(path: Path) -> list[int]:
    """Size, modification and change times and inode of a file (empty when it is missing): any write changes the
    change time, which no program can set back, and a replacement the inode."""
    try:
        st = path.stat()
    except OSError:
        return []
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def crc32_hex(data: bytes) -> str:
    """The CRC-32 of ``data`` as :func:`crc32_file` writes it."""
    return f"{zlib.crc32(data):08x}"


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
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from proceedings import __version__
from proceedings.context import BuildContext
from proceedings.util.atomic import write_bytes
from proceedings.util.fastzlib import zlib

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
    """``compute()`` (never None), or its value from the last build when ``key`` is unchanged.

    ``shared``: a pure value (no file written beside it), also kept in the shared cache
    (``$PROCEEDINGS_CACHE_DIR/memo/``) for any output folder that asks with the same key.
    """
    value = memo_peek(ctx, name, key, shared=shared)
    if value is not None:
        log.info("%s: unchanged, reused", name)
        return value
    return memo_keep(ctx, name, key, compute(), shared=shared)


def memo_keep(ctx: BuildContext, name: str, key: str, value: T, *, shared: bool = False) -> T:
    """Keep ``value`` as :func:`memo` keeps what it computed (for a caller that looked with :func:`memo_peek`)."""
    blob = pickle.dumps(value, protocol=4)
    path, elsewhere = _memo_paths(ctx, name, key, shared)
    write_through(path, elsewhere, pickle.dumps((key, hashlib.sha256(blob).hexdigest(), blob), protocol=4))
    return value


def memo_peek(ctx: BuildContext, name: str, key: str, *, shared: bool = False) -> Any:
    """The value :func:`memo` keeps for ``name`` under ``key``, without computing it; None when it has none (or
    the cache is not used)."""
    if not ctx.use_cache:
        return None
    path, elsewhere = _memo_paths(ctx, name, key, shared)
    return read_through(path, elsewhere, lambda raw, file: _unpickle(raw, key, file))


def _memo_paths(ctx: BuildContext, name: str, key: str, shared: bool) -> tuple[Path, Path | None]:
    """Where :func:`memo` keeps ``name``: in the output folder, and in the shared cache when ``shared``."""
    common = shared_dir("memo") if shared else None
    return ctx.out_dir / ".cache" / f"{name}.pickle", common / f"{name}-{key}.pickle" if common is not None else None


def _unpickle(raw: bytes, key: str, name: str) -> Any:
    """The value a :func:`memo` entry holds under ``key``; None when it is another key's or damaged (logged)."""
    try:
        stored_key, sha, blob = pickle.loads(raw)  # noqa: S301 - our own cache file
        if stored_key != key:
            return None
        if hashlib.sha256(blob).hexdigest() != sha:
            raise ValueError("sha256 mismatch")
        return pickle.loads(blob)  # noqa: S301 - our own cache file, its sha256 checked above
    except Exception as exc:  # noqa: BLE001 - any damage: rebuild
        log.warning("cache entry %s is damaged (%s); discarded and rebuilt", name, exc or type(exc).__name__)
        return None


SHARED_CACHE_ENV = "PROCEEDINGS_CACHE_DIR"
"""A folder of results that serve every output folder (other builds, CI runs); unset: none."""


def shared_dir(kind: str) -> Path | None:
    """The shared cache's folder for ``kind`` (``validation``, ``memo``), when :data:`SHARED_CACHE_ENV` is set."""
    import os

    folder = os.environ.get(SHARED_CACHE_ENV)
    return Path(folder) / kind if folder else None


def read_through(own: Path, shared: Path | None, load: Callable[[bytes, str], T | None]) -> T | None:
    """What ``load(bytes, file name)`` makes of the entry at ``own``, else of the one at ``shared`` (then copied
    to ``own``, as it is); None when neither holds one."""
    for where in (own, shared):
        if where is None:
            continue
        try:
            raw = where.read_bytes()
        except OSError:
            continue
        value = load(raw, where.name)
        if value is not None:
            if where is shared:
                try:
                    write_bytes(own, raw)
                except OSError as exc:
                    log.debug("cannot copy %s into the output folder's cache: %s", where, exc)
            return value
    return None


def write_through(own: Path, shared: Path | None, data: bytes) -> None:
    """Write a cache entry at ``own`` and, when there is one, at ``shared`` (which is skipped if unwritable)."""
    write_bytes(own, data)
    if shared is not None:
        try:
            write_bytes(shared, data)
        except OSError as exc:
            log.debug("cannot write the shared cache %s: %s", shared, exc)


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
    at a third of sha256's cost."""
    with path.open("rb") as handle:
        return f"{crc32_range(handle)[0]:08x}"


def crc32_range(handle: BinaryIO, start: int = 0, length: int | None = None) -> tuple[int, int]:
    """The CRC-32 of ``length`` bytes of ``handle`` from ``start`` (to its end when None), read a MiB at a time;
    and how many bytes there were."""
    handle.seek(start)
    value, done = 0, 0
    while length is None or done < length:
        block = handle.read(1 << 20 if length is None else min(length - done, 1 << 20))
        if not block:
            break
        value, done = zlib.crc32(block, value), done + len(block)
    return value, done


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


"""Outputs are written beside their final path, then renamed: never half-written at the final path."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

log = logging.getLogger(__name__)

IO_THREADS = 4
"""Files read, hashed or written at once by threads (reads, hashlib, zlib and writes let go of the GIL): a cold
build of 1,000 papers hashes and publishes over a gigabyte each."""


@contextlib.contextmanager
def atomic_open(path: Path, readable: bool = False) -> Iterator[BinaryIO]:
    """Open a temporary file beside ``path`` (``readable``: for reading back too); on success it replaces ``path``,
    on failure it is removed.

    A killed or failed build leaves the old file or none, never a torn one. (No fsync: it guards
    against power loss, not against a failed build, and costs seconds over thousands of files.)
    """
    path = Path(path)
    with _temporary(path, readable) as (handle, tmp):
        yield handle
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _temporary(path: Path, readable: bool = False) -> Iterator[tuple[BinaryIO, str]]:
    """A new temporary file beside ``path``, open for writing (``readable``: and reading), and its name: readable by
    all once written, removed when writing it fails."""
    fd, tmp = _beside(path)
    try:
        with os.fdopen(fd, "w+b" if readable else "wb") as handle:  # the file mkstemp opened (not by name again)
            handle.raw.name = tmp  # type: ignore[attr-defined]  # as a file opened by name says (bind reads it)
            yield handle, tmp
        os.chmod(tmp, 0o644)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _beside(path: Path) -> tuple[int, str]:
    """A new temporary file beside ``path`` (its folder made): its descriptor and name (``.NAME.*.tmp``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)


def _holds(path: Path, data: bytes) -> bool:
    """Whether the file at ``path`` holds exactly ``data``."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def write_bytes(path: Path, data: bytes) -> None:
    """Atomically write bytes (a file that already holds exactly these bytes is left alone)."""
    path = Path(path)
    if not _holds(path, data):
        with atomic_open(path) as handle:
            handle.write(data)


class Staging:
    """Files made ready beside their final paths while the build goes on, put in place together once it has
    succeeded (:meth:`commit`), else dropped (:meth:`discard`): written under temporary names, or moved from where
    they are kept (:meth:`move`). Threads may stage at once."""

    def __init__(self) -> None:
        self.files: list[tuple[str, Path, str]] = []
        """(file, final path, how it is put there: "write", "move" or "held") of every file staged, in order."""

    def write(self, path: Path, data: bytes, *, anew: bool = False) -> bool:
        """Write ``data`` for ``path``; False when ``path`` holds exactly these bytes already (nothing written),
        unless ``anew``."""
        path = Path(path)
        if not anew and _holds(path, data):
            return False
        with self.open(path) as handle:
            handle.write(data)
        return True

    @contextlib.contextmanager
    def open(self, path: Path) -> Iterator[BinaryIO]:
        """A file for ``path`` to write (as :func:`atomic_open` opens one), put in place on :meth:`commit`; removed at
        once when writing it fails."""
        path = Path(path)
        entry: tuple[str, Path, str] | None = None
        try:
            with _temporary(path) as (handle, tmp):
                entry = (tmp, path, "write")
                self.files.append(entry)
                yield handle
        except BaseException:
            if entry is not None:
                self.files.remove(entry)
            raise

    def pending(self, path: Path) -> Path | None:
        """The file staged for ``path`` and not yet put in place (None when there is none)."""
        return next((Path(tmp) for tmp, final, _ in reversed(self.files) if final == Path(path)), None)

    def adopt(self, files: list[tuple[str, Path, str]]) -> None:
        """Take on the files another process staged (its :attr:`files`), as if written here."""
        self.files.extend(files)

    def move(self, source: Path, path: Path, *, held: bool = False) -> None:
        """Move ``source`` to ``path`` on commit (renamed, not copied: one file system); left where it is when the
        build fails. ``held``: ``path`` holds ``source``'s bytes already, and is left as it is (its time and inode:
        a mirror sees no change); ``source`` is removed."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.files.append((str(source), Path(path), "held" if held else "move"))

    def commit(self) -> None:
        """Put every file staged in place; SIGINT and SIGTERM wait until they all are (see :func:`held_signals`)."""
        done = 0
        with held_signals():
            try:
                for tmp, path, how in self.files:
                    if how == "write":
                        os.replace(tmp, path)
                    elif how == "move":
                        _move(Path(tmp), path)
                    else:
                        Path(tmp).unlink(missing_ok=True)
                    done += 1
            finally:
                del self.files[:done]

    def discard(self) -> None:
        """Remove every file written and not put in place (files to move stay where they are)."""
        while self.files:
            tmp, _, how = self.files.pop()
            if how == "write":
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    """SIGINT and SIGTERM held back while the body runs, then acted on as they would have been: files put in place
    together are all put there, or none. Held in the main thread only (Python runs every signal handler there,
    whichever thread the signal reached), and not where a signal is ignored."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous: dict[int, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(signum)
        if callable(handler) or handler == signal.SIG_DFL:
            previous[signum] = signal.signal(signum, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if caught:
            handler = previous[caught[0]]
            if callable(handler):
                handler(caught[0], None)  # raises, as it would have (KeyboardInterrupt, a command's own)
            else:
                signal.raise_signal(caught[0])  # the default action: the process ends, its files all in place


def _move(source: Path, path: Path) -> None:
    """Rename ``source`` to ``path``; copied beside ``path`` and renamed there when it is on another file system
    (``papers/`` a link to another disk)."""
    import errno
    import shutil

    try:
        os.replace(source, path)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        with atomic_open(path) as handle, source.open("rb") as data:
            shutil.copyfileobj(data, handle, 1 << 20)
        with contextlib.suppress(OSError):  # the time it had, where the file system keeps it (to the second, or not)
            os.utime(path, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns))
        source.unlink()
        return
    if source.exists() and source.samefile(path):
        source.unlink()  # a hard link moved onto its other name: rename() leaves both


def write_text(path: Path, text: str) -> None:
    """Atomically write UTF-8 text."""
    write_bytes(path, text.encode("utf-8"))


def read_json(path: Path) -> Any:
    """The JSON in ``path``, or None when it is missing or not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def json_bytes(data: Any, pretty: bool = True) -> bytes:
    """``data`` as the JSON files this tool writes hold it: UTF-8, not ASCII-escaped; pretty for a reader (an
    output), compact for the cache (json's C encoder writes only compact JSON: an order of magnitude faster)."""
    text = json.dumps(data, indent=2, ensure_ascii=False) if pretty else json.dumps(
        data, ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def write_json(path: Path, data: Any) -> None:
    """Atomically write key-stable JSON for a reader: pretty, UTF-8, not ASCII-escaped."""
    write_bytes(path, json_bytes(data))


def write_cache_json(path: Path, data: Any) -> None:
    """Atomically write JSON only this tool reads back (under ``.cache/``): compact, which is far faster."""
    write_bytes(path, json_bytes(data, pretty=False))


TEMPORARY_NAME = re.compile(r"^\.(.+)\.[a-z0-9_]{8}\.tmp$")
"""The name :func:`atomic_open` gives a temporary file (``tempfile.mkstemp``: eight random characters): the final
path's name is its group 1."""


_HELD = threading.local()
"""``folders``: the output folders whose lock this thread holds (:func:`exclusive` is re-entered by a bundle that
builds; another thread of the process waits as another process does)."""


@contextlib.contextmanager
def exclusive(folder: Path) -> Iterator[None]:
    """Hold ``folder``'s lock (``.cache/lock``) while the block runs: another build, validation or bundle into the
    same folder waits for it, rather than finding the files this one moves or sweeps away. ``folder`` exists (see
    :func:`proceedings.pipeline.held`); held already by this thread: nothing more. (No lock where there is no
    ``fcntl``, or where the lock file cannot be made: the writes that follow then answer for the folder.)"""
    key = Path(folder).resolve()
    try:
        import fcntl
    except ImportError:  # not POSIX
        fcntl = None  # type: ignore[assignment]
    held: set[Path] = _HELD.__dict__.setdefault("folders", set())
    if fcntl is None or key in held:
        yield
        return
    try:
        (key / ".cache").mkdir(exist_ok=True)
        handle = open(key / ".cache" / "lock", "ab")  # held across the yield, closed below
    except OSError as exc:
        log.debug("no lock on %s: %s", folder, exc)
        yield
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("another build is writing into %s: waiting for it to finish", folder)
            fcntl.flock(handle, fcntl.LOCK_EX)
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)
            fcntl.flock(handle, fcntl.LOCK_UN)


def sweep(folder: Path) -> int:
    """Remove the temporary files a killed build left under ``folder`` (``.NAME.*.tmp``); return how many."""
    removed = 0
    for path in Path(folder).rglob(".*.tmp"):
        if TEMPORARY_NAME.match(path.name) and path.is_file() and not path.is_symlink():
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
    return removed


def sweep_for(paths: Iterable[Path]) -> None:
    """Remove the temporary files left beside ``paths`` by a process that died writing them (each folder read
    once)."""
    wanted: dict[Path, set[str]] = {}
    for path in paths:
        wanted.setdefault(Path(path).parent, set()).add(Path(path).name)
    for folder, names in wanted.items():
        with contextlib.suppress(OSError):
            for entry in os.scandir(folder):
                found = TEMPORARY_NAME.match(entry.name)
                if found and found.group(1) in names and entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)

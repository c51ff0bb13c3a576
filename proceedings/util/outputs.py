"""Failures of the machine, told apart from failures of the input.

A full disk, a read-only folder or a quota is not a paper's fault: such an ``OSError`` becomes an
:class:`~proceedings.errors.OutputError` (exit 74, "cannot write build/: read-only file system"),
never a finding and never an internal error. An error reading an input stays the input's.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from proceedings.errors import InputError, OutputError
from proceedings.util.atomic import TEMPORARY_NAME

F = TypeVar("F", bound=Callable[..., Any])

ALWAYS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG}
"""Errors that only a write can raise: the machine's, wherever they happen."""
ON_OUTPUT = {errno.EACCES, errno.EPERM, errno.EIO, errno.ENOTDIR, errno.EEXIST, errno.EISDIR}
"""Errors that are the machine's when they concern a path under the output folder."""
UNUSABLE = {errno.EACCES, errno.EPERM, errno.ENOENT, errno.ENOTDIR, errno.EISDIR}
"""Errors that, on a path outside the output folder, say a path given cannot be used: the input's (exit 2). Under it
they are the machine's (:data:`ON_OUTPUT`) or this tool's own (a file of its cache gone: an internal error)."""
UNUSABLE_NAMES = {errno.ENAMETOOLONG, errno.ELOOP}
"""Errors that say a path given cannot be used wherever it is (a paper's name past the limit, with the project in
the output folder too): names this tool makes are never so."""


def inside(path: Any, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or under it, links resolved (False for a path that cannot be resolved)."""
    if not path:
        return False
    try:
        real, base = Path(os.fsdecode(path)).resolve(), Path(folder).resolve()
    except (OSError, RuntimeError, TypeError, ValueError):
        return False
    return real == base or base in real.parents


def is_machine_error(exc: BaseException, out_dir: Path | None = None) -> bool:
    """Whether ``exc`` is the machine refusing a write (not the input being bad)."""
    if not isinstance(exc, OSError) or exc.errno is None:
        return False
    if exc.errno in ALWAYS:
        return True
    return exc.errno in ON_OUTPUT and out_dir is not None and (
        inside(exc.filename, out_dir) or inside(exc.filename2, out_dir))


def output_error(exc: OSError, out_dir: Path | None) -> OutputError:
    """The user's message for a machine error: which folder, and why (strerror, lower case)."""
    why = (exc.strerror or os.strerror(exc.errno or 0) or "error").lower()
    where = f"{out_dir}/" if out_dir is not None else (os.fsdecode(exc.filename) if exc.filename else "the output")
    target = _written(exc)
    problems = [f"while writing {target}"] if target and out_dir is not None else []
    return OutputError(f"cannot write {where}: {why}", problems)


def _written(exc: OSError) -> str | None:
    """The output a failed write was for: a move's destination rather than its source (a stamped part of the cache
    moved to ``papers/``), and a temporary file's final path."""
    name = exc.filename2 or exc.filename
    if not name:
        return None
    path = Path(os.fsdecode(name))
    found = TEMPORARY_NAME.match(path.name)
    return str(path.with_name(found.group(1)) if found else path)


@contextlib.contextmanager
def writing(out_dir: Path | None) -> Iterator[None]:
    """Turn the machine's ``OSError`` inside the block into :class:`OutputError`, and a path given that cannot be
    used (a name too long, a symbolic link loop, no permission, not there) into :class:`InputError` naming it."""
    try:
        yield
    except OSError as exc:
        if is_machine_error(exc, out_dir):
            raise output_error(exc, out_dir) from None
        if exc.filename and (exc.errno in UNUSABLE_NAMES or exc.errno in UNUSABLE and not (
                out_dir is not None and inside(exc.filename, out_dir))):
            why = (exc.strerror or os.strerror(exc.errno or 0)).lower()
            raise InputError(f"{_short(os.fsdecode(exc.filename))}: {why}") from None
        raise


def prepare(out_dir: Path) -> None:
    """Make the output folder; one that cannot be made (no such parent, a name too long, a file in the way) is the
    machine's answer to where the outputs were asked to go (exit 74)."""
    try:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, out_dir) from None


def _short(path: str) -> str:
    """A path as a message shows it (one of thousands of characters cut in the middle)."""
    return path if len(path) <= 200 else f"{path[:120]}…{path[-60:]}"


def guarded(fn: F) -> F:
    """Decorate a stage ``fn(what, ctx, ...)`` (``what``: the project folder, or the project gathered): the
    machine's errors under ``ctx.out_dir`` exit 74."""

    @functools.wraps(fn)
    def run(what: Any, ctx: Any, *args: Any, **kwargs: Any) -> Any:
        with writing(getattr(ctx, "out_dir", None)):
            return fn(what, ctx, *args, **kwargs)

    return run  # type: ignore[return-value]


def raise_if_machine(detail: Any, out_dir: Path | None) -> None:
    """Raise :class:`OutputError` when a worker's failure ``detail`` (see ``inworker.os_failure``) was the machine's."""
    if isinstance(detail, tuple) and len(detail) == 4 and detail[0] == "oserror":
        _, code, strerror, filename = detail
        exc = OSError(code, strerror, filename) if filename else OSError(code, strerror)
        if is_machine_error(exc, out_dir):
            raise output_error(exc, out_dir)

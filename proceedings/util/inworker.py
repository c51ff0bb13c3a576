"""What runs inside a worker process of :mod:`proceedings.util.workers`: its loop, its limits, and what a task
says to the parent while it runs (its result so far, a message, a question)."""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing.connection
import os
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from proceedings.util.heap import keep_freed_memory

log = logging.getLogger(__name__)


def _address_space() -> int:
    """Bytes of virtual memory this process maps now (0 when unknown)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space at its present size plus ``megabytes`` MiB (where supported)."""
    try:
        import resource
    except ImportError:  # not on this platform
        return
    baseline = _address_space()
    if not baseline:  # not Linux: the address space says little there (macOS maps far more than it uses)
        return
    limit = baseline + megabytes * 1024 * 1024
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError, OverflowError) as exc:
        log.debug("cannot limit memory: %s", exc)


def os_failure(exc: BaseException) -> tuple | None:
    """An ``OSError`` as plain data for the parent (which decides whether it was the machine's)."""
    if isinstance(exc, OSError) and exc.errno is not None:
        filename = os.fsdecode(exc.filename) if exc.filename is not None else None
        return ("oserror", exc.errno, exc.strerror or "", filename)
    return None


def die_with_parent() -> None:
    """Ask the kernel to kill this worker when its parent dies (Linux), and watch the parent besides. SIGTERM ends
    it as it would any process when the fork inherited the command line's handler (``parent_only``), any other (a
    library host's) left as it was; Ctrl-C (sent to the terminal's whole group) is the parent's to act on, not
    raised here (a worker's traceback, or its paper failed) where Python's own handler would raise it."""
    import signal

    if getattr(signal.getsignal(signal.SIGTERM), "parent_only", False):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # the parent stops this worker
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError, ImportError):  # not Linux: the watchdog alone
        pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    import threading

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


_PARTIAL: Callable[[Any], None] | None = None
"""In a worker, while a task runs: sends that task's result so far to the parent."""
_TALK: Callable[[Any, bool], Any] | None = None
"""In a worker (or :func:`run_inline`), while a task runs: tells the parent something of that task, and with a
true second argument waits for its answer (see :func:`tell_parent`, :func:`ask_parent`)."""


def result_so_far(value: Any) -> None:
    """From inside a task: ``value`` stands as the task's result should the rest of it time out, run out of memory
    or crash (work after the task's own, whose failure is not the input's). Nothing outside a worker."""
    if _PARTIAL is not None:
        _PARTIAL(value)


def tell_parent(value: Any) -> None:
    """From inside a task: hand ``value`` to the parent's ``on_message`` now, while the task goes on (nothing
    outside a task; a message that cannot be sent is dropped: the parent must do without it)."""
    if _TALK is not None:
        try:
            _TALK(value, False)
        except Exception:
            log.debug("a message of the task could not be sent", exc_info=True)


def ask_parent(value: Any) -> Any:
    """From inside a task: the parent's ``on_message`` answer to ``value`` (the task waits for it); None outside
    a task, or when the parent cannot be asked."""
    if _TALK is None:
        return None
    try:
        return _TALK(value, True)
    except Exception:
        log.debug("the parent could not be asked", exc_info=True)
        return None


@contextlib.contextmanager
def talking_to(handler: Callable[[Any, bool], Any] | None) -> Iterator[None]:
    """While a task runs in this process (not in a worker): what it tells or asks goes to ``handler(value,
    answer)``."""
    global _TALK
    _TALK = handler
    try:
        yield
    finally:
        _TALK = None


def _talk(conn: multiprocessing.connection.Connection, key: str, value: Any, answer: bool) -> Any:
    conn.send((key, "ask" if answer else "tell", value, ""))
    return conn.recv() if answer else None


def _worker_main(conn: multiprocessing.connection.Connection, fn: Callable[..., Any], memory_mb: int) -> None:
    """Loop of a worker: receive (key, args), send (key, status, value)."""
    die_with_parent()
    warnings.simplefilter("ignore")  # a hostile file's warnings are findings, not errors of ours
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    limit_memory(memory_mb)
    keep_freed_memory()  # a paper's memory reused by the next, not faulted in again
    gc.freeze()  # what the parent made (modules, the project) lives as long as this process: the collector's
    while True:  # passes over a paper's objects no longer walk it
        try:
            message = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if message is None:
            return
        key, args = message
        status, value, detail = "ok", None, ""
        global _PARTIAL, _TALK
        _PARTIAL = lambda partial, key=key: _send_partial(conn, key, partial)
        _TALK = lambda value, answer, key=key: _talk(conn, key, value, answer)
        try:
            value = fn(*args)
        except MemoryError:
            status, detail = "memory", "out of memory"
        except RecursionError as exc:
            status, detail = "error", f"RecursionError: {exc}"
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which decides
            status, value, detail = "error", os_failure(exc), f"{type(exc).__name__}: {exc}"
        _PARTIAL = _TALK = None
        # outside the except blocks: the traceback, and the memory its frames hold, is gone
        if status == "memory":
            gc.collect()
        if not _send(conn, (key, status, value, detail)) or status == "memory":
            return  # after running out of memory the heap may be in a bad state: a fresh worker takes over


def _send_partial(conn: multiprocessing.connection.Connection, key: str, value: Any) -> None:
    """Send a task's result so far; one that cannot be sent is no result (the task goes on, its own result comes)."""
    try:
        conn.send((key, "partial", value, ""))
    except Exception:  # noqa: BLE001
        log.debug("the result so far of %s could not be sent", key)


def _send(conn: multiprocessing.connection.Connection, message: tuple) -> bool:
    try:
        conn.send(message)
        return True
    except MemoryError:
        try:
            conn.send((message[0], "memory", None, "out of memory sending the result"))
        except Exception:  # noqa: BLE001
            pass
        return False
    except Exception:  # noqa: BLE001 - parent gone, or an unpicklable value
        try:
            conn.send((message[0], "error", None, "the result could not be sent back"))
        except Exception:  # noqa: BLE001
            pass
        return False

"""Run one function over many inputs in worker processes, each input under a time and memory limit.

A hostile PDF can make a reader loop, recurse or inflate a decompression bomb. Each input runs in a worker process
whose address space is capped (``RLIMIT_AS``) and whose task is timed by the parent: past the time limit the worker
is killed and replaced, and the input gets an outcome ``timeout``; a ``MemoryError`` or a dead worker gives
``memory`` or ``crash``. The other inputs go on. Workers are forked from this process when it runs no other thread
(instant), else from a ``forkserver`` (safe with threads, e.g. a progress bar's).
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from proceedings.util.inworker import _worker_main, os_failure, talking_to

log = logging.getLogger(__name__)

_PRELOAD = ["proceedings.stages.validate", "proceedings.checks.builtin", "proceedings.stages.parts"]


@dataclass(frozen=True)
class Outcome:
    """What became of one input."""

    key: str
    status: str
    """``ok``, ``error`` (the function raised), ``timeout``, ``memory`` or ``crash``."""
    value: Any = None
    """The function's return value when ``ok``; for an ``error`` that was an ``OSError``, its :func:`os_failure` data
    (the parent tells the machine's faults from the input's)."""
    detail: str = ""
    """What went wrong otherwise."""


_IMPORTING: list[Any] = []
"""The thread of :func:`import_meanwhile`, while it may run."""


def import_meanwhile(names: Iterable[str]) -> None:
    """Import modules in a thread of this process, which goes on meanwhile (waiting for its workers, this process
    lets the thread run; a worker that finishes is handed its next task at once, not after the imports). A name
    ``module:function`` also calls the module's ``function()`` once imported (what the module will need made
    ahead, as compiled templates). A module that does not import is left to be imported where it is needed, and
    to fail there.

    Every process started from here waits for the thread first (:func:`_settle`): a module half imported by
    another thread would stay locked in the child."""
    import importlib
    import threading

    def run() -> None:
        for name in names:
            module, _, function = name.partition(":")
            try:
                imported = importlib.import_module(module)
                if function:
                    getattr(imported, function)()
            except Exception as exc:  # noqa: BLE001 - imported again, and reported, where it is needed
                log.debug("%s not imported ahead: %s", name, exc)

    _settle()
    thread = threading.Thread(target=run, name="proceedings-imports", daemon=True)
    _IMPORTING.append(thread)
    thread.start()


def _settle() -> None:
    """Wait for :func:`import_meanwhile`'s thread (before a process is started from this one)."""
    while _IMPORTING:
        _IMPORTING.pop().join()


def process_context() -> multiprocessing.context.BaseContext:
    """How processes are started from here: forked when this process runs no other thread (instant), else from a
    ``forkserver`` (safe with threads) where there is one, else spawned."""
    import threading

    _settle()  # no thread importing: a fork is safe, and instant
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")  # no other thread to be caught mid-lock: fork is instant
    if sys.platform.startswith("linux") and "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


class _Worker:
    def __init__(self, ctx: multiprocessing.context.BaseContext, fn: Callable[..., Any], memory_mb: int) -> None:
        _settle()
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_worker_main, args=(child, fn, memory_mb), daemon=True,
                                   name="proceedings-check")
        self.process.start()  # as everywhere with multiprocessing, a calling script needs a __main__ guard
        child.close()
        self.task: tuple[str, float, float] | None = None
        """(key, when it started, its time limit) of the task running."""
        self.partial: Any = None
        """What that task sent as its result so far (see :func:`~proceedings.util.inworker.result_so_far`)."""

    def assign(self, key: str, args: tuple, limit: float) -> None:
        self.conn.send((key, args))
        self.task = (key, time.monotonic(), limit)
        self.partial = None

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.join(5)
        except Exception:  # noqa: BLE001
            pass
        self.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except Exception:  # noqa: BLE001
            pass
        self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2)
        self.close()

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001
            pass
        try:
            self.process.close()
        except Exception:  # noqa: BLE001
            pass


def pool_size(jobs: int, tasks: int) -> int:
    """Workers for ``tasks`` inputs: ``jobs`` (0 = one per core), never more than the inputs."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(jobs if jobs > 0 else cores, tasks))


def run_limited(fn: Callable[..., Any], tasks: Iterable[tuple[str, tuple] | tuple[str, tuple, float]], *,
                jobs: int, time_limit: float,
                memory_mb: int, on_done: Callable[[Outcome], None] | None = None,
                count: int | None = None,
                on_message: Callable[[str, Any], Any] | None = None) -> dict[str, Outcome]:
    """Run ``fn(*args)`` for every ``(key, args)`` in worker processes; one Outcome per key.

    ``fn`` must be a module-level function (it is pickled by reference). Each call gets ``time_limit`` seconds and
    ``memory_mb`` MiB beyond the worker's own baseline. ``tasks`` is read one task ahead, while the workers run (a
    generator may work out each task's arguments then): a worker that sends its result is handed the next task
    before ``on_done`` sees that result. ``count``: how many it holds, when it is not a list. A task ``(key, args,
    seconds)`` has a time limit of its own. ``on_message(key, value)``: what a task tells
    (:func:`~proceedings.util.inworker.tell_parent`) or asks (:func:`~proceedings.util.inworker.ask_parent`: its
    return value is the answer) while it runs."""
    queue = _Lookahead(tasks)
    results: dict[str, Outcome] = {}
    if not queue:
        return results
    ctx = process_context()
    size = pool_size(jobs, count if count is not None else len(tasks))  # type: ignore[arg-type]
    workers: list[_Worker] = []

    def finish(outcome: Outcome, partial: Any = None) -> None:
        if outcome.status != "ok" and partial is not None:  # the task's own work was done: its result stands
            outcome = Outcome(outcome.key, "ok", partial, f"{outcome.status} after its result: {outcome.detail}")
        results[outcome.key] = outcome
        if on_done is not None:
            on_done(outcome)

    def replace(i: int) -> _Worker:
        """Kill worker ``i``, dropping its task, and start a fresh one in its place."""
        workers[i].task = None
        workers[i].kill()
        workers[i] = _Worker(ctx, fn, memory_mb)
        return workers[i]

    def feed(i: int) -> None:
        """Hand worker ``i`` the next task, when it is free and there is one."""
        if workers[i].task is not None or not queue:
            return
        key, args, *own = queue.popleft()
        limit = own[0] if own else time_limit
        try:
            workers[i].assign(key, args, limit)
        except Exception as exc:  # noqa: BLE001 - a dead worker: replace it and retry once
            try:
                replace(i).assign(key, args, limit)
            except Exception:  # noqa: BLE001
                finish(Outcome(key, "crash", detail=f"cannot start a worker: {exc}"))
                workers[i].task = None

    try:
        workers = [_Worker(ctx, fn, memory_mb) for _ in range(size)]
        while queue or any(w.task for w in workers):
            for i in range(len(workers)):
                feed(i)
            queue.prepare()  # the next task worked out while the workers run: a worker that finishes gets it at once
            busy = [w for w in workers if w.task is not None]
            if not busy:
                continue
            now = time.monotonic()
            wait = max(0.0, min(start + limit - now for _, start, limit in (w.task for w in busy)))  # type: ignore[misc]
            handles = [w.conn for w in busy] + [w.process.sentinel for w in busy]
            ready = set(multiprocessing.connection.wait(handles, timeout=wait + 0.01))
            now = time.monotonic()
            for i, w in enumerate(workers):
                if w.task is None:
                    continue
                key, start, limit = w.task
                if w.conn in ready:
                    try:
                        _, status, value, detail = w.conn.recv()
                    except (EOFError, OSError):
                        status, value, detail = "crash", None, "the worker died"
                    except Exception as exc:  # noqa: BLE001 - a result that does not unpickle
                        status, value, detail = "error", None, f"{type(exc).__name__}: {exc}"
                    if status == "partial":
                        w.partial = value
                        continue
                    if status in ("tell", "ask"):
                        answer = on_message(key, value) if on_message is not None else None
                        if status == "ask":
                            try:
                                w.conn.send(answer)
                            except Exception:  # noqa: BLE001 - a dead worker: its sentinel says so next
                                log.debug("task %s: no answer sent", key)
                        continue
                    w.task, partial = None, w.partial
                    if status in ("memory", "crash") or not w.process.is_alive():
                        replace(i)
                    else:
                        feed(i)  # its next task first, then this one's result handled, while the worker runs
                    finish(Outcome(key, status, value, detail), partial)
                elif w.process.sentinel in ready or not w.process.is_alive():
                    code, partial = w.process.exitcode, w.partial
                    replace(i)
                    status = "memory" if code in (-9, 137) else "crash"
                    finish(Outcome(key, status, None, f"the worker stopped (exit code {code})"), partial)
                elif now - start >= limit:
                    partial = w.partial
                    replace(i)
                    finish(Outcome(key, "timeout", None, f"stopped after {limit:g} s"), partial)
    finally:
        for w in workers:
            if w.task is not None:
                w.kill()
            else:
                w.stop()
    return results


def run_one(fn: Callable[..., Any], args: tuple, *, time_limit: float, memory_mb: int, what: str) -> Outcome:
    """``fn(*args)`` in a worker process under the limits; in this process, without them, where no worker can be
    started (``what`` names the work in that warning)."""
    tasks = [("one", args)]
    try:
        return run_limited(fn, tasks, jobs=1, time_limit=time_limit, memory_mb=memory_mb)["one"]
    except (OSError, ImportError, RuntimeError) as exc:  # no worker processes here
        log.warning("cannot start a worker process (%s); %s in this process, without limits", exc, what)
        return run_inline(fn, tasks)["one"]


def call(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``: the function of a pool whose tasks are of several kinds (each task's arguments start with
    the module-level function to run)."""
    return fn(*args)


class _Lookahead:
    """The tasks not yet handed out, read from their iterable one at a time (true while any is left). The next
    task is read when asked whether there is one, not when the last was handed out: a worker starts on its task
    before the next one is worked out."""

    _NONE = object()

    def __init__(self, tasks: Iterable[tuple]) -> None:
        self._items: Iterator[tuple] = iter(tasks)
        self._next: Any = self._NONE

    def __bool__(self) -> bool:
        return self.prepare()

    def prepare(self) -> bool:
        """Work out the next task now, if it is not yet; whether there is one."""
        if self._next is self._NONE:
            self._next = next(self._items, None)
        return self._next is not None

    def popleft(self) -> tuple:
        if not self:
            raise IndexError("no task left")
        item, self._next = self._next, self._NONE
        return item


def run_inline(fn: Callable[..., Any], tasks: Iterable[tuple], on_done: Callable[[Outcome], None] | None = None,
               on_message: Callable[[str, Any], Any] | None = None) -> dict[str, Outcome]:
    """The same in this process, without limits (when worker processes cannot be started)."""
    results: dict[str, Outcome] = {}
    for key, args, *_ in tasks:
        handler = (lambda value, answer, key=key: on_message(key, value)) if on_message is not None else None
        try:
            with warnings.catch_warnings(), talking_to(handler):
                warnings.simplefilter("ignore")
                outcome = Outcome(key, "ok", fn(*args))
        except MemoryError:
            outcome = Outcome(key, "memory", detail="out of memory")
        except Exception as exc:  # noqa: BLE001
            outcome = Outcome(key, "error", os_failure(exc), detail=f"{type(exc).__name__}: {exc}")
        results[key] = outcome
        if on_done is not None:
            on_done(outcome)
    return results

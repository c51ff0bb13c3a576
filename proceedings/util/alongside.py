"""One function run in another process while this one goes on (the citations rendered and written while the volume
is bound): forked when this process can fork, else run here when its value is asked for."""

from __future__ import annotations

import contextlib
import multiprocessing.connection
from collections.abc import Callable, Iterator
from typing import Any

from proceedings.util import workers
from proceedings.util.inworker import die_with_parent


class AlongsideStopped(RuntimeError):
    """The other process stopped without an answer (killed, out of memory), or its answer cannot be read."""


@contextlib.contextmanager
def alongside(fn: Callable[..., Any], *args: Any) -> Iterator[Callable[[], Any]]:
    """Run ``fn(*args)`` in a forked process while the ``with`` block runs in this one; the block calls what it is
    given for ``fn``'s value (``fn``'s exception is raised there; :class:`AlongsideStopped` when the other process
    died first). Where this process cannot fork (a thread runs here, or another system), ``fn`` runs here when its
    value is asked for. Leaving the block without asking stops the other process; so does this one's death."""
    ctx = workers.process_context()
    answer: list[tuple[str, Any]] = []  # what fn gave, once known: asked again, the same

    def reply(status: str, result: Any) -> Any:
        answer.append((status, result))
        if status == "error":
            raise result
        return result

    if ctx.get_start_method() != "fork":
        def here() -> Any:
            if answer:
                return reply(*answer.pop())
            try:
                result = fn(*args)
            except Exception as exc:  # noqa: BLE001 - kept, and raised again if asked again
                return reply("error", exc)
            return reply("ok", result)
        yield here
        return
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_alongside_main, args=(send, fn, args), daemon=True, name="proceedings-alongside")
    process.start()
    send.close()

    def value() -> Any:
        if answer:
            return reply(*answer.pop())
        try:
            status, result = receive.recv()
        except EOFError:
            process.join()
            status, result = "error", AlongsideStopped(f"the process running {fn.__name__} stopped "
                                                       f"(exit code {process.exitcode})")
        except Exception as exc:  # noqa: BLE001 - a result that does not unpickle
            status, result = "error", AlongsideStopped(f"the result of {fn.__name__} cannot be read ({exc})")
        process.join()
        return reply(status, result)

    try:
        yield value
    finally:
        if not answer:
            process.kill()
        process.join()
        process.close()
        receive.close()


def _alongside_main(conn: multiprocessing.connection.Connection, fn: Callable[..., Any], args: tuple) -> None:
    die_with_parent()  # a parent killed mid-way leaves no process behind, blocked on a full pipe
    try:
        message: tuple[str, Any] = ("ok", fn(*args))
    except BaseException as exc:  # noqa: BLE001 - raised in the parent
        message = ("error", exc)
    try:
        conn.send(message)
    except Exception as exc:  # noqa: BLE001 - a value or exception that does not pickle
        conn.send(("error", AlongsideStopped(f"the result of {fn.__name__} cannot be sent "
                                             f"({type(message[1]).__name__}: {message[1]}; {exc})")))

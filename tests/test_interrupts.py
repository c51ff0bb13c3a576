"""Stopping a command (SIGTERM, Ctrl-C) stops it, wherever in Python the signal lands."""

from __future__ import annotations

import os
import signal
import sys
import weakref

import pytest
import typer

from proceedings.cli import common
from proceedings.errors import ExitCode
from proceedings.util.workers import run_limited


class _Thing:
    pass


def test_sigterm_raised_inside_a_weakref_callback_still_stops_the_command(capsys):
    """Python drops an exception raised in a weakref callback or a finalizer ("Exception ignored in ...", a
    traceback on stderr): SIGTERM landing there let the command run on to its end and exit 0 as if never stopped."""
    went_on = []

    def action() -> None:
        thing = _Thing()
        ref = weakref.ref(thing, lambda _: signal.raise_signal(signal.SIGTERM))
        del thing  # the callback runs, and SIGTERM's handler raises in it
        went_on.append(ref)

    with pytest.raises(typer.Exit) as stopped:
        common.run(action)
    assert stopped.value.exit_code == ExitCode.TERMINATED
    captured = capsys.readouterr()
    assert "Exception ignored" not in captured.err and "Traceback" not in captured.err
    assert "terminated" in captured.err


def test_a_dropped_exception_of_the_command_own_is_still_reported(monkeypatch):
    """The hook that catches a dropped SIGTERM leaves every other dropped exception to the hook it found."""
    seen: list = []
    monkeypatch.setattr(sys, "unraisablehook", seen.append)

    def action() -> None:
        thing = _Thing()
        ref = weakref.ref(thing, lambda _: 1 / 0)
        del thing
        assert ref() is None

    common.run(action)
    assert [u.exc_type for u in seen] == [ZeroDivisionError]
    assert sys.unraisablehook == seen.append


def _interrupted_then_done() -> str:
    signal.raise_signal(signal.SIGINT)  # Ctrl-C reaches every process of the terminal's group, workers too
    return "done"


def test_ctrl_c_reaching_a_worker_is_the_parent_to_act_on():
    """A worker raised Ctrl-C's KeyboardInterrupt: its paper failed ("error: KeyboardInterrupt"), or, landing as it
    sent a result, a worker's traceback was printed beside the command's "interrupted"."""
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    outcome = run_limited(_interrupted_then_done, [("a", ())], jobs=1, time_limit=60, memory_mb=512)["a"]
    assert (outcome.status, outcome.value) == ("ok", "done")


def test_sigterm_reaching_a_process_forked_before_it_took_its_own_handler_ends_it_quietly():
    """``timeout`` and CI runners send SIGTERM to the whole group: a worker just forked, still on the command's
    handler, raised Terminated in multiprocessing's bootstrap, which printed a traceback beside "terminated"."""
    with common._sigterm_raises():
        pid = os.fork()
        if pid == 0:  # the child: ended by the signal, or else by os._exit, never back into pytest
            try:
                signal.raise_signal(signal.SIGTERM)
                os._exit(0)
            except BaseException:  # noqa: BLE001
                os._exit(3)
        _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM


"""What every command shares: the consoles, logging to stderr, progress bars, options, and the one place
where the exception tree (:mod:`proceedings.errors`) becomes exit statuses."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from proceedings.context import Advance, Progress, no_progress
from proceedings.errors import ExitCode, ProceedingsError
from proceedings.util.outputs import writing

if TYPE_CHECKING:
    from rich.console import Console


class _Console:
    """A rich console made when something is first printed (a quiet build that prints nothing imports no rich)."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console, name)


out = _Console(highlight=False, soft_wrap=True)
err = _Console(stderr=True, highlight=False, soft_wrap=True)

ProjectOpt = Annotated[Path, typer.Option("--project", "-p", help="The project folder.", show_default=True)]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: PROJECT/build).")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Warnings fail the run too (exit 1).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars, fewer messages.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Say what each stage does.")]
JobsOpt = Annotated[int, typer.Option("--jobs", "-j", help="Worker processes (0: one per core).")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Ignore cached results.")]


class _StderrHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        level = record.levelname.lower()
        style = {"warning": "yellow", "error": "red"}.get(level, "dim")
        err.print(f"[{style}]{level}:[/{style}] {record.getMessage()}", markup=True, highlight=False)


def setup_logging(verbose: bool, quiet: bool) -> None:
    """The library's log records on stderr: warnings by default, stage by stage with -v, errors only with -q."""
    root = logging.getLogger("proceedings")
    root.handlers[:] = [_StderrHandler()]
    root.setLevel(logging.INFO if verbose else logging.ERROR if quiet else logging.WARNING)
    root.propagate = False
    # pypdf's own complaints about broken files are findings of ours, not terminal noise
    logging.getLogger("pypdf").setLevel(logging.ERROR if not verbose else logging.WARNING)


@contextlib.contextmanager
def _rich_progress(description: str, total: int) -> Iterator[Advance]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err.console, transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


def progress_for(quiet: bool) -> Progress:
    """Progress bars on stderr when it is a terminal and not --quiet; else none."""
    return _rich_progress if not quiet and sys.stderr.isatty() else no_progress


class Terminated(BaseException):
    """SIGTERM, raised where the command is (as Ctrl-C raises KeyboardInterrupt): what it wrote beside its outputs
    is removed on the way out, and the processes it started stop with it."""


class _RaiseTerminated:
    """SIGTERM's handler while a command runs. A process forked meanwhile (a worker) takes the default back, and
    only from this handler: a program using the library keeps its own for its workers too. Reaching such a process
    before it has (``timeout`` and CI runners signal the whole group), it acts as the default: the process ends,
    without the traceback multiprocessing prints for an exception there."""

    parent_only = True
    fired = False
    """Whether SIGTERM came while the command ran (raised, or lost where Python drops exceptions)."""
    pid = 0
    """The command's process."""

    def __call__(self, signum: int, frame: Any) -> None:
        import signal

        if os.getpid() != self.pid:  # a process forked from the command's, not yet on its own handler
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)
            return
        self.fired = True
        raise Terminated


_terminated = _RaiseTerminated()


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """SIGTERM raises :class:`Terminated` while the command runs (in the main thread, unless it is ignored, as
    ``nohup`` and some supervisors leave it; elsewhere left as it is)."""
    import signal

    previous: Any = None
    installed = False
    _terminated.fired, _terminated.pid = False, os.getpid()
    try:
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_IGN:
            previous, installed = signal.signal(signal.SIGTERM, _terminated), True
    except ValueError:  # not the main thread: signals are not ours to take
        pass
    hook = sys.unraisablehook
    sys.unraisablehook = _stop_again(hook)
    try:
        yield
    finally:
        sys.unraisablehook = hook
        if installed:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _stop_again(hook: Callable[[Any], None]) -> Callable[[Any], None]:
    """An unraisable hook: SIGTERM's :class:`Terminated` or Ctrl-C's KeyboardInterrupt raised where Python drops
    exceptions (a weakref callback, a finalizer: "Exception ignored in ...") is not printed, and its signal is made
    pending again from a new thread, once this one has left the hook (raised in the hook, it would be dropped
    again), to be raised where the command runs; the command would otherwise run on as if never stopped (and
    should it be dropped again, :func:`run` still ends as stopped, once the command is done)."""
    import _thread
    import signal

    def again(unraisable: Any) -> None:
        kind = unraisable.exc_type
        signum = (signal.SIGTERM if kind is not None and issubclass(kind, Terminated) else
                  signal.SIGINT if kind is not None and issubclass(kind, KeyboardInterrupt) else None)
        if signum is None:
            hook(unraisable)
            return
        # not threading.Thread: its start() waits for the thread, and the signal would be raised in the hook.
        # A handler no longer Python's by then (the command over): interrupt_main does nothing, or Python skips it
        _thread.start_new_thread(_thread.interrupt_main, (signum,))

    return again


def run(action: Callable[[], Any]) -> None:
    """Run a command body; turn the tool's exceptions into messages and exit statuses."""
    try:
        with _sigterm_raises(), writing(None):  # a full or read-only disk anywhere: OutputError, exit 74
            action()
            if _terminated.fired:  # raised, and lost nonetheless (caught by code not ours): stopped all the same
                raise Terminated
    except Terminated:
        err.print("terminated")
        raise typer.Exit(int(ExitCode.TERMINATED)) from None
    except ProceedingsError as exc:
        err.print(f"[bold red]error:[/bold red] {exc.message}", markup=True, highlight=False)
        for problem in exc.problems:
            err.print(f"  {problem}", markup=False, highlight=False)
        raise typer.Exit(int(exc.exit_code)) from None
    except KeyboardInterrupt:
        err.print("interrupted")
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except Exception as exc:  # a bug of ours: one message, the traceback on request
        if os.environ.get("PROCEEDINGS_DEBUG"):
            raise
        err.print(f"[bold red]internal error:[/bold red] {type(exc).__name__}: {exc}", markup=True, highlight=False)
        err.print("  this is a bug in proceedings; run again with PROCEEDINGS_DEBUG=1 for the traceback",
                  markup=False, highlight=False)
        raise typer.Exit(int(ExitCode.INTERNAL)) from None

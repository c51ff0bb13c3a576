"""The exception tree. Each class carries the exit status the CLI turns it into (:class:`ExitCode`)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from pathlib import Path


class ExitCode(enum.IntEnum):
    """The exit statuses of the command line (``../shared/spec/project-format.md``)."""

    OK = 0
    """All went well."""
    RULES = 1
    """A paper breaks a rule (every output is still written), or --strict saw warnings."""
    INPUT = 2
    """The input cannot be used: bad YAML, a missing field, a missing PDF."""
    INCONSISTENT = 3
    """The volume failed its own consistency check (a bug of ours: nothing is published)."""
    INTERNAL = 70
    """An internal error (EX_SOFTWARE): a bug of ours."""
    OUTPUT = 74
    """An output cannot be written (EX_IOERR): read-only folder, disk full."""
    INTERRUPTED = 130
    """Interrupted by the user (Ctrl-C)."""
    TERMINATED = 143
    """Stopped by SIGTERM (a cancelled CI job, ``docker stop``, ``timeout``): 128 + 15, as a shell reports it."""


class ProceedingsError(Exception):
    """Base of every error the tool reports to its user (never a traceback)."""

    exit_code: ExitCode = ExitCode.INPUT

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    @property
    def exit_status(self) -> int:
        """The exit status the command line ends with for this error (``exit_code`` as a plain int)."""
        return int(self.exit_code)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return "\n".join([self.message, *("  " + p for p in self.problems)])


class InputError(ProceedingsError):
    """The project cannot be used as given: bad YAML, a missing field, a missing PDF, an unknown option."""

    exit_code = ExitCode.INPUT


class ProjectFileError(InputError):
    """One or more problems in the project files, each as 'file: entry.field: message'."""


class UnknownPaperError(InputError):
    """A command named a paper id the project does not have."""


class RuleViolation(ProceedingsError):
    """A paper breaks a rule (the outputs are still written), or --strict saw warnings."""

    exit_code = ExitCode.RULES


class BuildError(ProceedingsError):
    """The tool's own consistency check failed: the outputs disagree with each other."""

    exit_code = ExitCode.INCONSISTENT


class BindError(BuildError):
    """The volume could not be assembled from its stamped parts."""


class DamagedPart(ProceedingsError):
    """A cached stamped part (a paper's, the front matter's, the author index's) whose bytes are not those
    recorded when it was written (bit rot), found as it is read: the orchestrator writes it again, never blaming
    the paper (caught there)."""

    exit_code = ExitCode.INCONSISTENT

    def __init__(self, path: Path) -> None:
        super().__init__(f"the cached part {path} is damaged")
        self.path = path


class OutputError(ProceedingsError):
    """An output cannot be written (read-only folder, disk full): the machine's fault, never a paper's."""

    exit_code = ExitCode.OUTPUT


class StampFailure(ProceedingsError):
    """Papers that passed validation yet cannot be copied into the volume (caught by the orchestrator).

    ``failures`` maps each paper id to the reason; the orchestrator reports them and binds without them.
    """

    exit_code = ExitCode.RULES

    def __init__(self, failures: dict[str, str]) -> None:
        super().__init__(f"{len(failures)} paper(s) could not be copied into the volume",
                         [f"{pid}: {why}" for pid, why in failures.items()])
        self.failures = failures


NAMED_PAPERS = 10
"""Papers with errors named in the message of :func:`raise_for_rules` (the rest are counted)."""


def raise_for_rules(what: str, errors: int, warnings: int, strict: bool,
                    broken: Sequence[tuple[str, Sequence[str]]] = ()) -> None:
    """Raise :class:`RuleViolation` when papers broke rules, or (``strict``) when there were warnings.
    ``broken``: each paper with an error and the rules it broke, named in the message (which is all a quiet
    command prints)."""
    if errors:
        named = "; ".join(f"paper {pid}: {', '.join(rules)}" for pid, rules in broken[:NAMED_PAPERS])
        if len(broken) > NAMED_PAPERS:
            named += f"; and {len(broken) - NAMED_PAPERS} more"
        raise RuleViolation(f"{what}: {errors} error{'s' if errors != 1 else ''} in the papers"
                            + (f" ({named})" if named else "") + "; outputs written, see validation.html")
    if strict and warnings:
        raise RuleViolation(f"{what}: {warnings} warning{'s' if warnings != 1 else ''} and --strict is on")

"""The exception tree. Each class carries the exit status the CLI turns it into."""

from __future__ import annotations


class ProceedingsError(Exception):
    """Base of every error the tool reports to its user (never a traceback)."""

    exit_code = 2

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return "\n".join([self.message, *("  " + p for p in self.problems)])


class InputError(ProceedingsError):
    """The project cannot be used as given: bad YAML, a missing field, a missing PDF."""

    exit_code = 2


class ProjectFileError(InputError):
    """One or more problems in the project files, each as 'file: entry.field: message'."""


class UnknownPaperError(InputError):
    """A command named a paper id the project does not have."""


class RuleViolation(ProceedingsError):
    """A paper breaks a rule (the outputs are still written), or --strict saw warnings."""

    exit_code = 1


class BuildError(ProceedingsError):
    """The tool's own consistency check failed: the outputs disagree with each other."""

    exit_code = 3


class OutputError(ProceedingsError):
    """An output cannot be written (read-only folder, disk full): the machine's fault, never a paper's."""

    exit_code = 74

"""The command line: a thin layer over :mod:`proceedings.api` (typer and rich live only here)."""

from proceedings.cli.app import app, main

__all__ = ["app", "main"]

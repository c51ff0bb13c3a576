"""``proceedings init``: a new project folder from commented templates (``proceedings/templates/init``)."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from proceedings.errors import InputError
from proceedings.project.model import COMMITTEE_FILE, ORGANIZERS_FILE, PAPERS_FILE, PREFACE_FILE, WORKSHOP_FILE
from proceedings.util.atomic import write_bytes
from proceedings.util.outputs import writing

log = logging.getLogger(__name__)

FILES = (WORKSHOP_FILE, ORGANIZERS_FILE, COMMITTEE_FILE, PREFACE_FILE, PAPERS_FILE)
"""The project files ``init`` writes, relative to the project folder."""


def template(rel: str) -> bytes:
    """The template of project file ``rel``."""
    return resources.files("proceedings").joinpath("templates", "init", Path(rel).name).read_bytes()


def init_project(directory: Path, force: bool = False) -> list[Path]:
    """Write the project files into ``directory`` (created if needed) and return them.

    Refuses (``InputError``) when any of them exists already, unless ``force``; PDFs are never touched.
    """
    directory = Path(directory)
    with writing(directory):  # a name too long, a symbolic link loop: said as such
        exists = directory.exists()
    if exists and not directory.is_dir():
        raise InputError(f"{directory}: exists and is not a folder")
    present = [rel for rel in FILES if (directory / rel).exists()]
    if present and not force:
        raise InputError(f"{directory}: already a project ({', '.join(present)} exist); nothing written",
                         ["use --force to overwrite these files with the templates (PDFs are kept)"])
    written = []
    with writing(directory):  # a folder that cannot be made or written: the machine's (exit 74)
        for rel in FILES:
            path = directory / rel
            write_bytes(path, template(rel))
            log.info("wrote %s", path)
            written.append(path)
    return written

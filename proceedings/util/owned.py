"""Files this tool placed in folders it shares with the chair's own: only those are ever removed as stale.

An output folder may already hold files of other origins (``--out ../website`` with its own ``papers/``); a build
removes a file left by an earlier build (a paper dropped from papers.yaml, a finding mended) only when a record says
this tool placed it there. The records are kept under ``.cache/owned/``, one per folder, and are read whether or not
the build uses its cache: they are not results, they say what may be deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from proceedings.util.atomic import read_json, write_cache_json

log = logging.getLogger(__name__)

RECORDS = Path(".cache") / "owned"
"""Under the output folder: ``FOLDER.json`` (``/`` written as ``--``), the sorted names placed in it."""


def _record(out_dir: Path, folder: str) -> Path:
    return Path(out_dir) / RECORDS / f"{folder.replace('/', '--')}.json"


def prune(out_dir: Path, folder: str, keep: Iterable[str]) -> list[Path]:
    """Remove from ``out_dir/folder`` each file an earlier build recorded placing there that is not in ``keep``
    (names, placed by this build), then record ``keep`` and any that could not be removed (a PDF open in a viewer on
    Windows: tried again next build); the files removed. Any other file is left alone."""
    placed = set(keep)  # and below, what could not be removed
    earlier = read_json(_record(out_dir, folder))
    names = {n for n in earlier if isinstance(n, str)} if isinstance(earlier, list) else set()
    removed: list[Path] = []
    for name in sorted(names - placed):
        path = Path(out_dir) / folder / name
        if Path(name).name != name or not path.is_file() or path.is_symlink():
            continue  # a record edited by hand names nothing outside the folder
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:  # left as it is: a stale file does not harm the outputs
            log.warning("cannot remove %s, left from an earlier build: %s", path, exc.strerror or exc)
            placed.add(name)  # still this tool's: removed by a later build
            continue
        removed.append(path)
    if placed != names:
        try:
            write_cache_json(_record(out_dir, folder), sorted(placed))
        except OSError as exc:  # the files are in place: an unrecorded one is only never removed
            log.debug("%s: what was placed is not recorded: %s", folder, exc)
    return removed


def adopt(out_dir: Path, folder: str, names: Iterable[str]) -> None:
    """Record ``names`` as placed in ``out_dir/folder`` when nothing is recorded for it: what a version before these
    records placed there, as it said elsewhere (see :func:`~proceedings.pipeline.held`)."""
    record = _record(out_dir, folder)
    if record.exists():
        return
    try:
        write_cache_json(record, sorted(set(names)))
    except OSError as exc:  # the first prune then removes nothing it was not told of
        log.debug("%s: what an earlier version placed is not recorded: %s", folder, exc)

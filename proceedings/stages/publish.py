"""Publishing: the verified parts put at their final paths (``papers/ID.pdf``, ``front_matter.pdf``).

Everything is made ready beside its final path while the volume is bound and verified (:func:`stage`; the volume
too, by binding), and put in place together once it has passed (:func:`publish`): never torn, never published for a
volume that failed, and never a new volume beside the last build's papers (SIGINT and SIGTERM wait until every file
is in place). A
paper's stamped part is moved from the cache to ``papers/ID.pdf`` (later builds find it there: see
:class:`~proceedings.stages.papercache.PaperCache`), never copied: the volume's papers are written once more, not
twice. The front matter's public part is copied (the cache keeps its own).
"""

from __future__ import annotations

import filecmp
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from proceedings.context import BuildContext
from proceedings.errors import DamagedPart
from proceedings.stages.stamp import Volume
from proceedings.util.atomic import IO_THREADS, Staging, read_json, write_cache_json
from proceedings.util.cache import crc32_hex, file_fingerprint, file_stamp
from proceedings.util.owned import prune

log = logging.getLogger(__name__)


@dataclass
class Publication:
    """The parts made ready to publish by :func:`stage`."""

    out: Path
    known: dict[str, list]
    """What the last build recorded of each published file: name -> [file stamp…, the part's checksum]."""
    published: dict[str, list] = field(default_factory=dict)
    """The records of files left as they were."""
    placed: list[tuple[str, Path, str | None]] = field(default_factory=list)
    """(name, final path, checksum) of each file put in place now, or found holding the part's bytes already."""
    keep: set[str] = field(default_factory=set)
    """The papers' file names (any other this tool placed in papers/ is stale)."""
    moved: dict[Path, tuple[Path, list[int]]] = field(default_factory=dict)
    """Stamped part -> (its published path, its size and time before the move), for each part moved (or found
    published already)."""


def stage(volume: Volume, ctx: BuildContext, staging: Staging) -> Publication:
    """Make the parts ready at their final paths, papers/ID.pdf and front_matter.pdf (run while the volume is
    bound): each paper stamped since it was last published is to be moved there (unless the file there holds its
    bytes already: then it stays as it is, and the part is removed), the front matter copied.

    A published file is left alone while it is untouched since it was published (its
    :func:`~proceedings.util.cache.file_stamp` as recorded: any write changes it) and its part's checksum is the one
    recorded; else it is read, and must have its part's checksum. A part read for the first time in this build
    (kept from an earlier one, and not stamped in this) is checked so before it moves. Raises
    :class:`DamagedPart` when a part does not have its checksum (it is stamped again): bit rot in the cache never
    reaches a published file, and an edited or damaged published paper is published again.
    """
    out = ctx.out_dir
    known = (read_json(out / ".cache" / "published.json") if ctx.use_cache else None) or {}
    publication = Publication(out, known, keep={f"{p.paper_id}.pdf" for p in volume.papers})
    pairs = [(0, volume.parts[0].with_name("front_matter.pdf"), out / "front_matter.pdf")]
    pairs += [(index, part, out / "papers" / f"{pages.paper_id}.pdf")
              for index, (part, pages) in enumerate(zip(volume.parts[1:], volume.papers), 1)]
    checks, moves = [], []
    for index, part, target in pairs:
        name, crc = target.relative_to(out).as_posix(), volume.checksums.get(part)
        if index and part != target:  # a paper's part, to be moved into place
            if index not in volume.fresh:
                checks.append((part, crc, None))
            moves.append((part, target, known.get(name) == [*file_stamp(target), crc] if crc else False))
            publication.moved[part] = (target, file_fingerprint(part))
            publication.placed.append((name, target, crc))
        elif crc is not None and isinstance(known.get(name), list) and known[name] == [*file_stamp(target), crc]:
            publication.published[name] = known[name]
        else:  # the front matter, copied; or a published paper written since it was recorded
            checks.append((part, crc, (staging, target) if not index else None))
            publication.placed.append((name, target, crc))
    with ThreadPoolExecutor(max_workers=IO_THREADS) as pool:
        list(pool.map(lambda item: _check(*item), checks))
        for part, target, held in pool.map(lambda m: (m[0], m[1], m[2] or _same(m[0], m[1])), moves):
            staging.move(part, target, held=held)
    return publication


def _same(part: Path, target: Path) -> bool:
    """Whether the published file ``target`` holds ``part``'s bytes already (a paper stamped again as it was: it
    stays as it is, its time and inode too, and a mirror sees no change)."""
    try:
        return target.stat().st_size == part.stat().st_size and filecmp.cmp(part, target, shallow=False)
    except OSError:
        return False


def _check(source: Path, crc: str | None, copy: tuple[Staging, Path] | None) -> None:
    """Read a part and check its checksum; and, ``copy`` given, write it for that path (a file of its own: a hard
    link to ``source`` there, left by an older version or a deduplicating tool, is written anew)."""
    data = source.read_bytes()
    if crc is not None and crc32_hex(data) != crc:  # bit rot in the cache never reaches a published file
        raise DamagedPart(source)
    if copy is not None:
        staging, target = copy
        try:
            linked = target.samefile(source)
        except OSError:
            linked = False
        staging.write(target, data, anew=linked)


def publish(publication: Publication, staging: Staging) -> dict[str, Path]:
    """Put everything staged in place (the volume has passed verification); record what was published and remove
    the papers no longer in the volume."""
    out = publication.out
    staging.commit()
    published = dict(publication.published)
    for name, target, crc in publication.placed:
        if crc is not None:
            published[name] = [*file_stamp(target), crc]
    published = dict(sorted(published.items()))
    if published != publication.known:
        try:
            write_cache_json(out / ".cache" / "published.json", published)
        except OSError as exc:  # the files are in place; they are compared again next time
            log.debug("published files not recorded: %s", exc)
    prune(out, "papers", publication.keep)  # papers no longer in the volume; the chair's own files stay
    return {"front_matter": out / "front_matter.pdf", "papers": out / "papers"}

"""Publishing: the verified parts copied to their final paths (``papers/ID.pdf``, ``front_matter.pdf``).

Each file is copied, never linked (damage to the cache must not reach a published file). The copies are written
beside their final paths while the volume is bound and verified (:func:`stage`), and renamed into place once it
has passed (:func:`publish`): never torn, and never published for a volume that failed.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from proceedings.context import BuildContext
from proceedings.errors import DamagedPart
from proceedings.stages.stamp import Volume
from proceedings.util.atomic import IO_THREADS, Staging, read_json, write_json
from proceedings.util.cache import crc32_hex, file_stamp

log = logging.getLogger(__name__)


@dataclass
class Publication:
    """The parts made ready to publish by :func:`stage`."""

    out: Path
    known: dict[str, list]
    """What the last build recorded: published name -> [file stamp…, the part's checksum]."""
    order: list[str]
    """Every published name, in volume order."""
    published: dict[str, list] = field(default_factory=dict)
    """The records of files left as they were."""
    copied: list[tuple[str, Path, str | None]] = field(default_factory=list)
    """(name, final path, checksum) of each file staged or found holding the part's bytes already."""
    keep: set[str] = field(default_factory=set)
    """The papers' file names (any other PDF in papers/ is stale)."""


def stage(volume: Volume, ctx: BuildContext, staging: Staging) -> Publication:
    """Copy the parts beside their final paths, papers/ID.pdf and front_matter.pdf (run while the volume is bound).

    A file this tool published before is left alone while it is untouched (its
    :func:`~proceedings.util.cache.file_stamp` as recorded) and its part's checksum is the one it was copied from;
    any other file holding the same bytes too. Raises :class:`DamagedPart` when a part no longer has its checksum.
    """
    out = ctx.out_dir
    known = (read_json(out / ".cache" / "published.json") if ctx.use_cache else None) or {}
    front = volume.parts[0].with_name("front_matter.pdf")
    pairs = [(front, out / "front_matter.pdf")]
    pairs += [(part, out / "papers" / f"{pages.paper_id}.pdf") for part, pages in zip(volume.parts[1:], volume.papers)]
    publication = Publication(out, known, [target.relative_to(out).as_posix() for _, target in pairs],
                              keep={f"{p.paper_id}.pdf" for p in volume.papers})
    todo = []
    for source, target in pairs:
        name, crc = target.relative_to(out).as_posix(), volume.checksums.get(source)
        if crc is not None and isinstance(known.get(name), list) and known[name] == [*file_stamp(target), crc]:
            publication.published[name] = known[name]
        else:
            todo.append((name, source, target, crc))
    with ThreadPoolExecutor(max_workers=IO_THREADS) as pool:
        list(pool.map(lambda t: _stage_one(t[1], t[2], t[3], staging), todo))
    publication.copied = [(name, target, crc) for name, _, target, crc in todo]
    return publication


def _stage_one(source: Path, target: Path, crc: str | None, staging: Staging) -> None:
    """Copy one part beside its published path unless that file of its own holds its bytes already."""
    data = source.read_bytes()
    if crc is not None and crc32_hex(data) != crc:  # bit rot in the cache never reaches a published file
        raise DamagedPart(source)
    try:
        linked = target.samefile(source)  # a hard link into the cache, left by an older version: replaced
    except OSError:
        linked = False
    staging.write(target, data, anew=linked)


def publish(publication: Publication, staging: Staging) -> dict[str, Path]:
    """Rename the staged copies into place (the volume has passed verification); record what was published and
    remove the papers no longer in the volume."""
    out = publication.out
    staging.commit()
    published = dict(publication.published)
    for name, target, crc in publication.copied:
        if crc is not None:
            published[name] = [*file_stamp(target), crc]
    published = {name: published[name] for name in publication.order if name in published}
    if published != publication.known:
        try:
            write_json(out / ".cache" / "published.json", published, pretty=False)
        except OSError as exc:  # the files are in place; they are compared again next time
            log.debug("published files not recorded: %s", exc)
    for stale in (out / "papers").glob("*.pdf"):
        if stale.name not in publication.keep:
            stale.unlink()
    return {"front_matter": out / "front_matter.pdf", "papers": out / "papers"}

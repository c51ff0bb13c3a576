"""Publishing: the verified parts put at their final paths (``papers/ID.pdf``, ``front_matter.pdf``).

Everything is made ready beside its final path while the volume is bound and verified (:func:`stage`), and put
in place once it has passed (:func:`publish`): never torn, and never published for a volume that failed. A
paper's stamped part is moved from the cache to ``papers/ID.pdf`` (later builds find it there: see
:class:`~proceedings.stages.stamp.PaperCache`), never copied: the volume's papers are written once more, not
twice. The front matter's public part is copied (the cache keeps its own).
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
    """What the last build recorded of the copied files: name -> [file stamp…, the part's checksum]."""
    published: dict[str, list] = field(default_factory=dict)
    """The records of copied files left as they were."""
    copied: list[tuple[str, Path, str | None]] = field(default_factory=list)
    """(name, final path, checksum) of each file copied, or found holding the part's bytes already."""
    keep: set[str] = field(default_factory=set)
    """The papers' file names (any other PDF in papers/ is stale)."""
    moved: dict[Path, Path] = field(default_factory=dict)
    """Stamped part -> its published path, for each part moved."""


def stage(volume: Volume, ctx: BuildContext, staging: Staging) -> Publication:
    """Make the parts ready at their final paths, papers/ID.pdf and front_matter.pdf (run while the volume is
    bound): each paper stamped since it was last published is to be moved there, the front matter copied.

    The front matter's file is left alone while it is untouched since this tool copied it (its
    :func:`~proceedings.util.cache.file_stamp` as recorded) and its part's checksum is the one it was copied from,
    or while it holds the same bytes. A part read for the first time in this build (kept from an earlier one, and
    not stamped in this) is checked against its checksum first. Raises :class:`DamagedPart` when a part no longer
    has its checksum: bit rot in the cache never reaches a published file.
    """
    out = ctx.out_dir
    known = (read_json(out / ".cache" / "published.json") if ctx.use_cache else None) or {}
    publication = Publication(out, known, keep={f"{p.paper_id}.pdf" for p in volume.papers})
    front, target = volume.parts[0].with_name("front_matter.pdf"), out / "front_matter.pdf"
    name, crc = "front_matter.pdf", volume.checksums.get(front)
    if crc is not None and isinstance(known.get(name), list) and known[name] == [*file_stamp(target), crc]:
        publication.published[name] = known[name]
    else:
        _check(front, crc, staging, target)
        publication.copied.append((name, target, crc))
    moves = [(index, part, out / "papers" / f"{pages.paper_id}.pdf")
             for index, (part, pages) in enumerate(zip(volume.parts[1:], volume.papers), 1)]
    unread = [(part, volume.checksums.get(part)) for index, part, target in moves
              if part != target and index not in volume.fresh]
    with ThreadPoolExecutor(max_workers=IO_THREADS) as pool:
        list(pool.map(lambda item: _check(*item), unread))
    for _, part, target in moves:
        if part != target:
            staging.move(part, target)
            publication.moved[part] = target
    return publication


def _check(source: Path, crc: str | None, staging: Staging | None = None, target: Path | None = None) -> None:
    """Read a part and check its checksum; and write it for ``target`` with ``staging`` when given."""
    data = source.read_bytes()
    if crc is not None and crc32_hex(data) != crc:  # bit rot in the cache never reaches a published file
        raise DamagedPart(source)
    if staging is not None and target is not None:
        staging.write(target, data)


def publish(publication: Publication, staging: Staging) -> dict[str, Path]:
    """Put everything staged in place (the volume has passed verification); record what was copied and remove the
    papers no longer in the volume."""
    out = publication.out
    staging.commit()
    published = dict(publication.published)
    for name, target, crc in publication.copied:
        if crc is not None:
            published[name] = [*file_stamp(target), crc]
    if published != publication.known:
        try:
            write_json(out / ".cache" / "published.json", published, pretty=False)
        except OSError as exc:  # the files are in place; they are compared again next time
            log.debug("published files not recorded: %s", exc)
    for stale in (out / "papers").glob("*.pdf"):
        if stale.name not in publication.keep:
            stale.unlink()
    return {"front_matter": out / "front_matter.pdf", "papers": out / "papers"}

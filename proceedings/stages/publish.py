"""Publishing: the verified parts copied to their final paths (``papers/ID.pdf``, ``front_matter.pdf``).

Each file is copied, never linked (damage to the cache must not reach a published file), beside its final
path and renamed into place, so it is never torn.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from proceedings.context import BuildContext
from proceedings.errors import DamagedPart
from proceedings.stages.stamp import Volume
from proceedings.util.atomic import IO_THREADS, atomic_open, read_json, write_json
from proceedings.util.cache import crc32_hex, file_stamp

log = logging.getLogger(__name__)


def publish(volume: Volume, ctx: BuildContext) -> dict[str, Path]:
    """Put the verified parts at their final paths: papers/ID.pdf and front_matter.pdf.

    Each file is copied (never linked: damage to the cache must not reach a published file) beside
    its final path and renamed into place, so it is never torn. A file this tool published before is
    left alone while it is untouched (its :func:`~proceedings.util.cache.file_stamp` as recorded) and its
    part's checksum is the one it was copied from; any other file holding the same bytes too.
    """
    out = ctx.out_dir
    record = out / ".cache" / "published.json"
    known = (read_json(record) if ctx.use_cache else None) or {}
    front = volume.parts[0].with_name("front_matter.pdf")
    pairs = [(front, out / "front_matter.pdf")]
    pairs += [(part, out / "papers" / f"{pages.paper_id}.pdf") for part, pages in zip(volume.parts[1:], volume.papers)]
    published: dict[str, list] = {}
    todo = []
    for source, target in pairs:
        name, crc = target.relative_to(out).as_posix(), volume.checksums.get(source)
        if crc is not None and isinstance(known.get(name), list) and known[name] == [*file_stamp(target), crc]:
            published[name] = known[name]
        else:
            todo.append((name, source, target, crc))
    with ThreadPoolExecutor(max_workers=IO_THREADS) as pool:
        for name, stamp in zip([t[0] for t in todo], pool.map(lambda t: _publish_one(*t[1:]), todo)):
            if stamp is not None:
                published[name] = stamp
    order = [target.relative_to(out).as_posix() for _, target in pairs]
    published = {name: published[name] for name in order if name in published}
    if published != known:
        try:
            write_json(record, published, pretty=False)
        except OSError as exc:  # the files are in place; they are compared again next time
            log.debug("published files not recorded: %s", exc)
    keep = {f"{p.paper_id}.pdf" for p in volume.papers}
    for stale in (out / "papers").glob("*.pdf"):
        if stale.name not in keep:
            stale.unlink()
    return {"front_matter": out / "front_matter.pdf", "papers": out / "papers"}


def _publish_one(source: Path, target: Path, crc: str | None) -> list | None:
    """Copy one part to its published path unless it holds those bytes already; its record (None without a
    checksum). Raises :class:`DamagedPart` when the part no longer has its checksum."""
    data = source.read_bytes()
    if crc is not None and crc32_hex(data) != crc:  # bit rot in the cache never reaches a published file
        raise DamagedPart(source)
    if not _holds(target, source, data):
        with atomic_open(target) as handle:
            handle.write(data)
    return None if crc is None else [*file_stamp(target), crc]


def _holds(target: Path, source: Path, data: bytes) -> bool:
    """Whether ``target`` is a file of its own holding ``data`` (``source``'s bytes; a hard link into the cache,
    left by an older version, is removed)."""
    try:
        if os.path.samefile(source, target):
            target.unlink()
            return False
        return target.stat().st_size == len(data) and target.read_bytes() == data
    except OSError:
        return False

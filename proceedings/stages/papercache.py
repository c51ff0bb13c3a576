"""The stamped papers kept between builds: each paper's part is reused while its source, numbering and stamp are
unchanged (see :mod:`proceedings.stages.stamp`), found under the cache or where it was published."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any

from proceedings.context import BuildContext
from proceedings.util.cache import file_fingerprint
from proceedings.util.journal import Journal

log = logging.getLogger(__name__)


class PaperCache:
    """Stamped papers are reused while their source, numbering and stamp are unchanged.

    A paper is stamped into ``.cache/stamped/ID.pdf``; once the volume made with it has passed verification, that
    file is moved to its published path, ``papers/ID.pdf`` (see :mod:`proceedings.stages.publish`), where later
    builds find it: a cached part is looked for in both places, and is the one recorded only with the size and
    time it was written with (a published file edited or replaced is stamped again, and published again). The
    records are kept in one journal, ``.cache/stamped.jsonl``."""

    def __init__(self, ctx: BuildContext) -> None:
        self.dir = ctx.out_dir / ".cache" / "stamped"
        self.records = Journal(ctx.out_dir / ".cache" / "stamped.jsonl")
        self.published = ctx.out_dir / "papers"
        self.enabled = ctx.use_cache
        self.layouts: dict[str, dict] = {}
        """Paper id → its part's layout (:meth:`~proceedings.stages.bind.Part.layout`), from the cache or just
        written."""
        self.fresh: dict[str, str] = {}
        """Paper id → key of the part written in this build (used even when the cache is not)."""
        self.keys: dict[tuple[str, int, int], tuple[str, Any]] = {}
        """(paper id, first page, pages) → its stamp key and metadata, as worked out once in this build (see
        :func:`~proceedings.stages.stamp.paper_key`: a digest of a paper's metadata costs a third of a millisecond,
        on the path every build waits on)."""

    def get(self, paper_id: str, key: str) -> dict | None:
        """The cached entry, with the stamped part's path as ``part``, when its key matches and the part is the one
        recorded: same size and time (a quick sign that it was replaced or edited), kept under the cache or
        published. Bit rot is caught where the part is read (bind, publish: its CRC-32 against ``crc32``), so a
        build that reads no part reads none to check it."""
        if not (self.enabled or self.fresh.get(paper_id) == key):
            return None
        places = [folder / f"{paper_id}.pdf" for folder in (self.dir, self.published)]
        if not any(place.exists() for place in places):
            return None
        try:
            entry = self.records.get(paper_id)
            if entry is None or entry["key"] != key:
                return None
            for place in places:
                if file_fingerprint(place) == entry["output"]:
                    return {**entry, "part": place}
        except (OSError, ValueError, KeyError, TypeError):
            return None
        log.warning("paper %s: its stamped copy (papers/%s.pdf once published) was replaced or edited; stamped again",
                    paper_id, paper_id)
        return None

    def relocated(self, moved: dict[Path, tuple[Path, list[int]]]) -> None:
        """Parts moved to where they are published (part -> (its new path, its size and time before)): a record
        whose size and time the move did not keep (``papers/`` on another disk) is brought up to date."""
        for target, before in moved.values():
            after = file_fingerprint(target)
            if not after or after == before:
                continue
            try:
                entry = self.records.get(target.stem)
                if entry is not None and entry.get("output") == before:
                    self.records.put(target.stem, {**entry, "output": after})
            except OSError as exc:  # not recorded: the paper is stamped again next time
                log.debug("paper %s: its move not recorded: %s", target.stem, exc)

    def put(self, paper_id: str, key: str, out: Path, pages: int, removed: Counter, shared: tuple[int, ...],
            crc: str, layout: dict) -> str:
        """Record a freshly stamped part (its CRC-32 and layout as the worker that wrote it found them); its
        CRC-32."""
        self.records.put(paper_id, {"key": key, "output": file_fingerprint(out), "crc32": crc, "pages": pages,
                                    "removed": dict(sorted(removed.items())), "shared": list(shared),
                                    "layout": layout})
        self.layouts[paper_id] = layout
        self.fresh[paper_id] = key
        return crc


def forget_part(ctx: BuildContext, path: Path) -> str:
    """Drop the record of a cached part found damaged as it was read (a paper's stamped copy, or a file of the
    front matter's or the author index's part): the next merge writes it again. What it was, for messages."""
    cache = PaperCache(ctx)
    if path.parent in (cache.dir, cache.published):  # kept under the cache, or published
        cache.records.drop(path.stem)
        return f"paper {path.stem}"
    name = "index" if path.name == "index.pdf" else "front"
    (ctx.out_dir / ".cache" / "parts" / f"{name}.json").unlink(missing_ok=True)
    return "the author index" if name == "index" else "the front matter"

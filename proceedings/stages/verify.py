"""Stage 6, verify: read the written volume back; its pages, contents, bookmarks and metadata must agree."""

from __future__ import annotations

import logging
from pathlib import Path

from pypdf import PdfReader

from proceedings.errors import BuildError
from proceedings.stages.stamp import Volume
from proceedings.stages.plan import Plan

log = logging.getLogger(__name__)


def _tail(page) -> bytes:
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    try:
        last = contents[-1].get_object() if isinstance(contents, list) else contents
        return last.get_data() if last is not None else b""
    except Exception:  # noqa: BLE001
        return b""


def verify(path: Path, volume: Volume, plan: Plan, metadata: dict) -> None:
    """Raise BuildError listing every disagreement between the volume and what was planned.

    The volume is read from its file as needed, never into memory whole (``PdfReader(path)`` would
    load it all: a 1,000-paper volume is about 1 GB).
    """
    with open(path, "rb") as handle:
        _verify(PdfReader(handle), path, volume, plan, metadata)


def _verify(reader: PdfReader, path: Path, volume: Volume, plan: Plan, metadata: dict) -> None:
    labels = reader.page_labels
    problems: list[str] = []
    if len(reader.pages) != volume.page_count:
        problems.append(f"volume has {len(reader.pages)} pages, {volume.page_count} were assembled")
    meta = {p["id"]: p for p in metadata["papers"]}
    for placed, pages in zip(plan.papers, volume.papers):
        pid = placed.paper.id
        last_index = pages.first_index + pages.count - 1
        for index, number in ((pages.first_index, placed.first_page), (last_index, placed.last_page)):
            if labels[index] != str(number):
                problems.append(f"paper {pid}: page label {labels[index]!r} at index {index}, expected {number}")
            if f"({number}) Tj".encode() not in _tail(reader.pages[index]):
                problems.append(f"paper {pid}: page {number} is not stamped with its number")
        entry = meta.get(pid)
        if not entry or (entry["first_page"], entry["last_page"]) != (placed.first_page, placed.last_page):
            problems.append(f"paper {pid}: metadata.json pages {entry and (entry['first_page'], entry['last_page'])}"
                            f" differ from the volume's {placed.first_page}–{placed.last_page}")
    firsts = {p.first_index: p.paper_id for p in volume.papers}
    toc_targets: dict[str, int] = {}
    for index in range(volume.front_pages):
        for annot in reader.pages[index].get("/Annots", []) or []:
            annot = annot.get_object()
            dest = annot.get("/Dest")
            if dest is None or annot.get("/Subtype") != "/Link":
                continue
            target = reader.get_page_number(dest[0].get_object())
            if target in firsts:
                toc_targets[firsts[target]] = target
    bookmarks: set[tuple[int, str]] = set()

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                bookmarks.add((reader.get_destination_page_number(item), item.title))

    walk(reader.outline)
    for pages, placed in zip(volume.papers, plan.papers):
        if toc_targets.get(pages.paper_id) != pages.first_index:
            problems.append(f"paper {pages.paper_id}: no contents link to its first page (index {pages.first_index})")
        if (pages.first_index, placed.paper.title) not in bookmarks:
            problems.append(f"paper {pages.paper_id}: no bookmark with its title on its first page")
    if problems:
        raise BuildError(f"{path}: the volume disagrees with itself", problems)
    log.info("verified %s: %d pages, %d papers", path, len(reader.pages), len(plan.papers))

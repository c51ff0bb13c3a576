"""Stage 6, verify: read the written volume back; its pages, contents, bookmarks and metadata must agree.

The volume is read with :class:`~proceedings.pdf.volumereader.VolumeReader`, one object at a time
from the file: only the pages checked (each paper's first and last, the front matter's), the
page-label tree and the bookmarks are read, so memory does not grow with the volume.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from proceedings.errors import BuildError
from proceedings.pdf.streams import flate_fault, page_stream_faults
from proceedings.pdf.volumereader import VolumeFormatError, VolumeReader
from proceedings.stages.bind import Written
from proceedings.stages.plan import Plan
from proceedings.stages.stamp import Volume
from proceedings.text import roman
from proceedings.util.cache import crc32_range

log = logging.getLogger(__name__)


_CONTENTS_ARRAY = re.compile(rb"/Contents\s*\[([\d\sR]*)\]")
_STREAM_HEAD = re.compile(rb"\d+ 0 obj\s*<<([^<>]*)>>\s*stream\r?\n")
_ENDSTREAM = re.compile(rb"\r?\n?endstream")
_FLATE = rb"(?:/Filter\s*(?:/FlateDecode|\[\s*/FlateDecode\s*\])\s*)"
_SIMPLE_STREAM = re.compile(rb"\s*(" + _FLATE + rb")?/Length\s+(\d+)\s*(" + _FLATE + rb")?$")
"""A stream dictionary with a direct /Length and at most the Flate filter."""


def _stamp_text(reader: VolumeReader, num: int) -> bytes | None:
    """The last content stream of page object ``num`` read straight from the bytes bind wrote (a page's stamp is
    a small unfiltered stream after its own content); None when the page is not laid out so (then parsed)."""
    streams = _raw_contents(reader, num)
    return streams[-1][0] if streams and not streams[-1][1] else None


def _raw_contents(reader: VolumeReader, num: int) -> list[tuple[bytes, bool]] | None:
    """The content streams of page object ``num`` read straight from the bytes bind wrote, as (data as stored,
    whether Flate-encoded), when laid out as stamping writes them (an array of streams whose dictionaries hold a
    direct /Length and at most /Filter /FlateDecode); None for any other layout (then the page is parsed)."""
    page = reader.raw(num)
    found = _CONTENTS_ARRAY.search(page) if page is not None else None
    if not found:
        return None
    streams = []
    for ref in re.findall(rb"(\d+) 0 R", found.group(1)):
        data = reader.raw(int(ref))
        head = _STREAM_HEAD.match(data) if data is not None else None
        simple = _SIMPLE_STREAM.match(head.group(1)) if head else None
        if not simple:
            return None
        end = head.end() + int(simple.group(2))
        if not _ENDSTREAM.match(data, end):
            return None
        streams.append((data[head.end():end], bool(simple.group(1) or simple.group(3))))
    return streams


def _tail(reader: VolumeReader, page) -> bytes:
    """The page's last content stream, decoded (where the stamp is)."""
    try:
        contents = reader.resolve(page.get("/Contents"))
        last = reader.resolve(contents[-1]) if isinstance(contents, list) else contents
        return last.get_data() if last is not None else b""
    except Exception:  # noqa: BLE001 - a page that cannot be read is reported as not stamped
        return b""


def _label(nums: list, index: int) -> str:
    """The page label of page ``index`` from a flat /PageLabels /Nums array."""
    start, spec = 0, None
    for at in range(0, len(nums) - 1, 2):
        if int(nums[at]) <= index:
            start, spec = int(nums[at]), nums[at + 1].get_object()
    if spec is None:
        return str(index + 1)
    n = int(spec.get("/St", 1)) + index - start
    style = spec.get("/S")
    text = {"/D": str(n), "/r": roman(n), "/R": roman(n).upper()}.get(style, "")
    return str(spec.get("/P", "")) + text


def verify(path: Path, volume: Volume, plan: Plan, metadata: dict, trusted: dict[int, Written] | None = None) -> None:
    """Raise BuildError listing every disagreement between the volume and what was planned.

    ``trusted``: parts (by index in ``volume.parts``) whose content streams need not be decoded again, with
    where bind wrote them. (A stamped part had its streams checked as it was stamped, in this build or an earlier
    one; bind copies stream data as it is, from a part whose checksum it checked as it read it, or from the last
    volume unread: the bytes of such a part must read back with the CRC-32 recorded when they were first written.
    The bytes bind wrote from memory in this build are not read back: they would be read from the page cache they
    were just written to, which proves nothing.)
    """
    trusted = trusted or {}
    with open(path, "rb") as handle:
        try:
            reader = VolumeReader(handle)
            problems = _written_problems(handle, trusted)
            problems += _problems(reader, volume, plan, metadata, _pages_of(volume, trusted))
        except (VolumeFormatError, KeyError, TypeError, ValueError, AttributeError) as exc:
            problems = [f"the volume cannot be read back: {type(exc).__name__}: {exc}"]
    if problems:
        raise BuildError(f"{path}: the volume disagrees with itself", problems)
    log.info("verified %s: %d pages, %d papers", path, volume.page_count, len(plan.papers))


def _written_problems(handle, trusted: dict[int, Written]) -> list[str]:
    """Trusted parts copied from the last volume whose bytes in the file are not those first written."""
    problems = []
    for index, where in sorted(trusted.items()):
        if not where.reused:
            continue
        crc, length = crc32_range(handle, where.start, where.end - where.start)
        if length != where.end - where.start or crc != where.crc32:
            problems.append(f"part {index}: the bytes copied from the last volume differ from those first written"
                            " (damaged since)")
    return problems


def _pages_of(volume: Volume, parts: dict[int, Written]) -> set[int]:
    """Page indices of the volume that belong to the given parts (front matter, papers, author index)."""
    ranges = [(0, volume.front_pages), *((p.first_index, p.count) for p in volume.papers),
              (volume.index_first_index, volume.index_pages)]
    return {first + k for i in parts if 0 <= i < len(ranges) for first, count in [ranges[i]] for k in range(count)}


def _problems(reader: VolumeReader, volume: Volume, plan: Plan, metadata: dict,
              skip: set[int] | frozenset[int] = frozenset()) -> list[str]:
    catalog = reader.resolve(reader.trailer["/Root"])
    kids = [ref.idnum for ref in reader.resolve(reader.resolve(catalog["/Pages"])["/Kids"])]
    index_of = {num: i for i, num in enumerate(kids)}
    nums = list(reader.resolve(reader.resolve(catalog["/PageLabels"])["/Nums"]))
    problems: list[str] = []
    if len(kids) != volume.page_count:
        problems.append(f"volume has {len(kids)} pages, {volume.page_count} were assembled")
    meta = {p["id"]: p for p in metadata["papers"]}
    for placed, pages in zip(plan.papers, volume.papers):
        pid = placed.paper.id
        last_index = pages.first_index + pages.count - 1
        for index, number in ((pages.first_index, placed.first_page), (last_index, placed.last_page)):
            label = _label(nums, index)
            if label != str(number):
                problems.append(f"paper {pid}: page label {label!r} at index {index}, expected {number}")
            if index >= len(kids):
                problems.append(f"paper {pid}: page {number} is not stamped with its number")
                continue
            quick = _stamp_text(reader, kids[index])
            text = quick if quick is not None else _tail(reader, reader.get_object(kids[index]))
            if f"({number}) Tj".encode() not in text:
                problems.append(f"paper {pid}: page {number} is not stamped with its number")
        entry = meta.get(pid)
        if not entry or (entry["first_page"], entry["last_page"]) != (placed.first_page, placed.last_page):
            problems.append(f"paper {pid}: metadata.json pages {entry and (entry['first_page'], entry['last_page'])}"
                            f" differ from the volume's {placed.first_page}–{placed.last_page}")
    firsts = {p.first_index: p.paper_id for p in volume.papers}
    toc_targets: dict[str, int] = {}
    for index in range(min(volume.front_pages, len(kids))):
        page = reader.get_object(kids[index])
        for annot in reader.resolve(page.get("/Annots")) or []:
            annot = reader.resolve(annot)
            dest = reader.resolve(annot.get("/Dest"))
            if dest is None or annot.get("/Subtype") != "/Link":
                continue
            target = index_of.get(dest[0].idnum)
            if target in firsts:
                toc_targets[firsts[target]] = target
    bookmarks = _bookmarks(reader, catalog, index_of)
    for pages, placed in zip(volume.papers, plan.papers):
        if toc_targets.get(pages.paper_id) != pages.first_index:
            problems.append(f"paper {pages.paper_id}: no contents link to its first page (index {pages.first_index})")
        if (pages.first_index, placed.paper.title) not in bookmarks:
            problems.append(f"paper {pages.paper_id}: no bookmark with its title on its first page")
    problems += _page_streams(reader, kids, skip)
    return problems


_ITEM = re.compile(rb"\d+ 0 obj\s*<< /Title <FEFF((?:[0-9A-F]{4})*)> /Parent \d+ 0 R /Dest \[ (\d+) 0 R /Fit \]"
                   rb"(?: /Prev \d+ 0 R)?(?: /Next (\d+) 0 R)?(?: /First (\d+) 0 R /Last \d+ 0 R /Count \d+)?"
                   rb" >>\s*endobj")
"""An outline item as bind writes it: title (UTF-16BE, as hex), destination page, next item, first child."""


def _bookmarks(reader: VolumeReader, catalog, index_of: dict[int, int]) -> set[tuple[int, str]]:
    """(page index, title) of every bookmark, walked from /Outlines (each item read once, then dropped): read
    straight from the bytes bind wrote, or parsed when laid out otherwise."""
    found: set[tuple[int, str]] = set()
    outlines = reader.resolve(catalog.get("/Outlines"))
    first = outlines.get("/First") if outlines is not None else None
    todo = [first.idnum] if first is not None else []
    seen: set[int] = set()
    while todo:
        num = todo.pop()
        if num in seen:  # a loop would be a bug of bind's; never walked twice
            continue
        seen.add(num)
        raw = reader.raw(num)
        item = _ITEM.match(raw) if raw is not None else None
        if item is not None:
            title, page, *more = item.groups()
            found.add((index_of.get(int(page), -1), bytes.fromhex(title.decode()).decode("utf-16-be", "replace")))
            todo += (int(ref) for ref in more if ref is not None)
            continue
        parsed = reader.get_object(num)
        dest = reader.resolve(parsed.get("/Dest"))
        if dest is not None:
            found.add((index_of.get(dest[0].idnum, -1), str(parsed.get("/Title", ""))))
        todo += (parsed.get(key).idnum for key in ("/Next", "/First") if parsed.get(key) is not None)
    return found


SPLIT_PAGES = 400
"""Pages to decode from which two processes decode them, half each (the second core is otherwise idle once the
papers are checked)."""


def _page_streams(reader: VolumeReader, kids: list[int], skip: set[int] | frozenset[int]) -> list[str]:
    """:func:`_stream_problems` of every page but those in ``skip``: half of them in another process, while this
    one reads the other half (in this one after it, where it cannot fork or the other process dies)."""
    todo = [index for index in range(len(kids)) if index not in skip]
    half = len(todo) // 2 if len(todo) >= SPLIT_PAGES else len(todo)
    if half == len(todo):
        return _stream_problems(reader, kids, todo)
    from proceedings.util.alongside import AlongsideStopped, alongside

    with alongside(_stream_problems_in, reader.handle.name, kids, todo[half:]) as other:
        problems = _stream_problems(reader, kids, todo[:half])
        try:
            return problems + other()
        except AlongsideStopped as exc:
            log.debug("content streams read here: %s", exc)
            return problems + _stream_problems(reader, kids, todo[half:])


def _stream_problems_in(path: str, kids: list[int], indices: list[int]) -> list[str]:
    """:func:`_stream_problems`, read from the volume at ``path``."""
    with open(path, "rb") as handle:
        return _stream_problems(VolumeReader(handle), kids, indices)


def _stream_problems(reader: VolumeReader, kids: list[int], indices: list[int]) -> list[str]:
    """Every page of these ``indices`` whose content streams do not decode, one page read at a time (stamping
    refused papers with such streams, so any here is damage done since: the volume is not published)."""
    problems = []
    for index in indices:
        num = kids[index]
        faults = _quick_faults(reader, num)
        if faults is None:
            faults = page_stream_faults(reader.get_object(num), reader.resolve)
        if faults:
            problems.append(f"page index {index}: a content stream does not decode ({faults[0]})")
    return problems


def _quick_faults(reader: VolumeReader, num: int) -> list[str] | None:
    """:func:`~proceedings.pdf.streams.page_stream_faults` of page object ``num`` from its streams as
    :func:`_raw_contents` reads them; None when it cannot (then the page is parsed)."""
    streams = _raw_contents(reader, num)
    if streams is None:
        return None
    faults = (flate_fault(data)[0] for data, flate in streams if flate)
    return [fault for fault in faults if fault]

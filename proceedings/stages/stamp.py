"""Stage 5, merge: every part stamped on its own, then the volume bound from the parts.

Each paper is copied (links kept, active content removed), stamped with its page numbers and the
running footer, and written as ``papers/ID.pdf``; that file is cached by content and reused while
nothing it depends on changes. The front matter and the author index are stamped the same way.
The volume is then bound from these parts byte for byte (``bind.py``), so a rebuild after one
paper changed restamps that paper only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from proceedings import __version__
from proceedings.context import BuildContext, source_date
from proceedings.errors import BuildError, StampFailure
from proceedings.pdf.xmp import DocumentMetadata, xmp_packet
from proceedings.project.model import Project
from proceedings.stages.bind import OutlineItem, Part, bind, file_id, read_part
from proceedings.stages.gather import input_files
from proceedings.stages.papercache import PaperCache
from proceedings.stages.plan import Placed, Plan
from proceedings.stages.reuse import PreviousVolume
from proceedings.text import date_range, proceedings_title
from proceedings.typeset.frontdata import INDEX_TARGET, FrontMatter
from proceedings.util.atomic import Staging, json_bytes, read_json, write_cache_json
from proceedings.util.cache import crc32_file, digest, file_fingerprint, memo, seal, unseal
from proceedings.util.outputs import raise_if_machine

if TYPE_CHECKING:
    from proceedings.util.workers import Outcome

log = logging.getLogger(__name__)

STAMP_VERSION = 7  # bump when stamping or copying changes what a part contains (7: a long footer scaled)


@dataclass
class PaperPages:
    """Where one paper landed in the volume."""

    paper_id: str
    first_index: int
    """0-based index of its first page in the volume."""
    count: int
    first_page: int
    """Printed number of its first page."""


@dataclass
class Volume:
    """The stamped parts and the map of the volume they make."""

    front_pages: int
    papers: list[PaperPages]
    index_first_index: int
    index_pages: int
    parts: list[Path] = field(default_factory=list)
    """Front matter part, each paper's stamped part (published as papers/ID.pdf), index part, in order."""
    outline: list[OutlineItem] = field(default_factory=list)
    removed: dict[str, Counter] = field(default_factory=dict)
    """Paper id → what the sanitizer removed."""
    restamped: int = 0
    """How many papers were stamped in this build (the others came from the cache)."""
    shared: list[tuple[int, ...]] = field(default_factory=list)
    """Each part's shared stamp objects (see bind.Part.shared)."""
    checksums: dict[Path, str] = field(default_factory=dict)
    """File → CRC-32, for every part and front_matter.pdf, as recorded or written in this build: what bind and
    publish compare a part's bytes with when they read them, and what the bound volume is keyed by."""
    layouts: list[dict | None] = field(default_factory=list)
    """Each part's layout when known without reading it (see bind.Part.layout)."""
    fresh: set[int] = field(default_factory=set)
    """Indices in ``parts`` of the parts stamped in this build (the others come from the cache)."""

    @property
    def page_count(self) -> int:
        return self.index_first_index + self.index_pages

    def relocate(self, moved: dict[Path, Path]) -> None:
        """Parts moved (published, see :mod:`proceedings.stages.publish`) are found at their new paths."""
        self.parts = [moved.get(p, p) for p in self.parts]
        self.checksums = {moved.get(p, p): crc for p, crc in self.checksums.items()}


def footer_text(project: Project) -> str:
    """The running footer: acronym, conference, place and dates."""
    w = project.workshop
    where = f"{w.location}, {date_range(w.start_date, w.end_date)}"
    host = w.conference_acronym or w.conference
    return f"{w.acronym} · co-located with {host}, {where}" if host else f"{w.acronym} · {where}"


def pdf_date(moment: dt.datetime) -> str:
    return moment.strftime("D:%Y%m%d%H%M%S+00'00'")


def _front_date(project: Project) -> str:
    """The front matter part's date: SOURCE_DATE_EPOCH when set, else the newest time of the files it is made
    from (front_matter/ and papers.yaml, not the camera-ready files), so a corrected paper does not restamp it."""
    papers = {project.pdf_path(p) for p in project.papers}
    return pdf_date(source_date([f for f in input_files(project) if f not in papers]))


def _paper_date(placed: Placed) -> str:
    """A paper part's date: SOURCE_DATE_EPOCH when set, else its own file's time (so it caches on its own)."""
    return pdf_date(source_date([placed.source.path]))


def paper_metadata(placed: Placed, project: Project) -> DocumentMetadata:
    """What papers/ID.pdf says about itself (document information and XMP), pages as printed."""
    p, w = placed.paper, project.workshop
    in_series = ", ".join(part for part in (w.series, w.volume and f"vol. {w.volume}") if part)
    return DocumentMetadata(
        title=p.title, creators=[a.name for a in p.authors], keywords=list(p.keywords), doi=p.doi,
        description=", ".join(part for part in (f"{proceedings_title(w.title)} ({w.acronym})", in_series,
                                                 f"pages {placed.first_page}–{placed.last_page}") if part),
        when=source_date([placed.source.path]), tool=f"proceedings {__version__}",
        first_page=placed.first_page, last_page=placed.last_page, publication=proceedings_title(w.title),
        isbn=w.isbn, volume=w.volume)


def paper_key(placed: Placed, project: Project, footer: str) -> tuple[str, DocumentMetadata]:
    """The stamp cache key of a placed paper, and the metadata its stamped copy carries."""
    p, meta = placed.paper, paper_metadata(placed, project)
    return digest("stamp", STAMP_VERSION, placed.source.sha256, placed.first_page, footer, _paper_date(placed),
                  project.workshop.acronym, p.title, [a.name for a in p.authors], meta), meta


def _stamp_all(todo: list[tuple[Placed, Path, DocumentMetadata, str]], project: Project, ctx: BuildContext,
               footer: str, advance) -> dict[str, tuple[int, Counter, tuple[int, ...], str, dict]]:
    """Stamp papers in worker processes (both cores, each paper under the time and memory limits): each one's
    pages, removals, shared stamp objects, CRC-32 and layout."""
    from proceedings.pdf.streams import Verified
    from proceedings.util.workers import run_inline, run_limited

    rules = project.workshop.rules
    tasks = [(placed.paper.id, (str(placed.source.path), placed.first_page, str(target), footer, meta, Verified(),
                                None, key)) for placed, target, meta, key in todo]
    done: dict[str, Outcome] = {}

    def finished(outcome: Outcome) -> None:
        done[outcome.key] = outcome
        advance(1)

    from proceedings.stages.parts import stamp_paper

    try:  # always in workers: a paper that passed validation is still user input
        outcomes = run_limited(stamp_paper, tasks, jobs=ctx.jobs, time_limit=rules.time_limit,
                               memory_mb=rules.memory_limit_mb, on_done=finished)
    except (OSError, ImportError, RuntimeError) as exc:  # no worker processes here
        log.warning("cannot start worker processes (%s); stamping in this process, without limits", exc)
        outcomes = run_inline(stamp_paper, [t for t in tasks if t[0] not in done], on_done=lambda o: advance(1))
        outcomes.update(done)
    for o in outcomes.values():  # a full or read-only disk is the machine's fault, never the paper's
        raise_if_machine(o.value if o.status == "error" else None, ctx.out_dir)
    failures = {k: _reason(o) for k, o in outcomes.items() if o.status != "ok"}
    if failures:
        raise StampFailure(failures)
    return {k: (o.value[0], Counter(o.value[1]), tuple(o.value[2]), o.value[3], o.value[4])
            for k, o in outcomes.items()}


def _reason(outcome: Outcome) -> str:
    """Why a paper could not be stamped, for its finding (a damaged stream says so itself)."""
    if outcome.status == "error":
        return outcome.detail.removeprefix("DamagedStream: ") or "the copy failed"
    return f"the copy was stopped ({outcome.detail or outcome.status})"  # out of memory, after N s, worker died


def merge(project: Project, plan: Plan, front: FrontMatter, index_pdf: bytes, ctx: BuildContext,
          cache: PaperCache | None = None) -> Volume:
    """Stamp every part: papers/ID.pdf (cached), front_matter.pdf, and the author index. ``cache``: the stamped
    papers' cache, when this build already wrote some (see :mod:`proceedings.stages.ahead`)."""
    out = ctx.out_dir
    parts_dir = out / ".cache" / "parts"
    footer = footer_text(project)
    w = project.workshop
    date = _front_date(project)
    front_part = parts_dir / "front.pdf"
    checksums: dict[Path, str] = {}
    editors = [e.name for e in w.editors]
    front_key = digest("front-part", STAMP_VERSION, hashlib.sha256(front.pdf).hexdigest(), front.sections,
                       front.toc_links, footer, w.title, w.acronym, editors, date)
    front_pages, front_shared, front_made = _cached_part(
        ctx, "front", front_key, [front_part, parts_dir / "front_matter.pdf"], checksums,
        lambda: _parts().front_parts(front, footer, w.acronym, editors, date, front_part,
                                     parts_dir / "front_matter.pdf"))

    cache = cache or PaperCache(ctx)
    papers: list[PaperPages] = []
    paper_parts: list[Path] = []
    shared_ranges: list[tuple[int, ...]] = []
    removed: dict[str, Counter] = {}
    results: dict[str, tuple[int, Counter, tuple[int, ...]]] = {}
    todo: list[tuple[Placed, Path, DocumentMetadata, str]] = []
    keys: dict[str, str] = {}
    where: dict[str, Path] = {}  # paper id -> its stamped part
    with ctx.progress("stamp", len(plan.papers)) as advance:
        for placed in plan.papers:
            target = cache.dir / f"{placed.paper.id}.pdf"
            key, meta = cache.keys.get((placed.paper.id, placed.first_page, placed.pages)) \
                or paper_key(placed, project, footer)
            keys[placed.paper.id] = key
            hit = cache.get(placed.paper.id, key)
            if hit:
                results[placed.paper.id] = (hit["pages"], Counter(hit["removed"]), tuple(hit["shared"]))
                checksums[hit["part"]] = hit["crc32"]
                where[placed.paper.id] = hit["part"]
                if isinstance(hit.get("layout"), dict):
                    cache.layouts[placed.paper.id] = hit["layout"]
                advance(1)
            else:
                todo.append((placed, target, meta, key))
        fresh = _stamp_all(todo, project, ctx, footer, advance) if todo else {}
    for placed, target, _, _ in todo:
        count, counter, shared, crc, layout = fresh.pop(placed.paper.id)
        checksums[target] = cache.put(placed.paper.id, keys[placed.paper.id], target, count, counter, shared, crc,
                                      layout)
        where[placed.paper.id] = target
        results[placed.paper.id] = (count, counter, shared)
    restamped_ids = set(cache.fresh) & {  # stamped in this build (put() records it): here, or in the task that
        placed.paper.id for placed in plan.papers}  # checked it
    restamped = len(restamped_ids)
    index = front_pages
    for placed in plan.papers:
        count, counter, shared = results[placed.paper.id]
        if count != placed.pages:
            raise StampFailure({placed.paper.id: f"{count} pages stamped, {placed.pages} planned"})
        papers.append(PaperPages(placed.paper.id, index, count, placed.first_page))
        paper_parts.append(where[placed.paper.id])
        shared_ranges.append(shared)
        if counter:
            removed[placed.paper.id] = counter
        index += count
    index_part = parts_dir / "index.pdf"
    index_key = digest("index-part", STAMP_VERSION, hashlib.sha256(index_pdf).hexdigest(), footer,
                       plan.index_first_page)
    index_pages, index_shared, index_made = _cached_part(
        ctx, "index", index_key, [index_part], checksums,
        lambda: _parts().index_part(index_pdf, footer, plan.index_first_page, index_part))
    volume = Volume(front_pages=front_pages, papers=papers, index_first_index=index, index_pages=index_pages,
                    parts=[front_part, *paper_parts, index_part], removed=removed, restamped=restamped,
                    shared=[front_shared, *shared_ranges, index_shared], checksums=checksums,
                    layouts=[None, *(cache.layouts.get(p.paper_id) for p in papers), None])
    volume.fresh = ({0} if front_made else set()) | ({len(volume.parts) - 1} if index_made else set()) | {
        i + 1 for i, p in enumerate(papers) if p.paper_id in restamped_ids}
    volume.outline = _outline(volume, plan, front)
    log.info("stamped %d papers (%d from the cache)", len(papers), len(papers) - restamped)
    return volume


def check_footer(project: Project, ctx: BuildContext) -> None:
    """Warn when the running footer does not fit beside the page numbers at its size (it is scaled down to):
    once a build, whatever is stamped again."""
    from proceedings.pdf.stamp import FOOTER_SIZE
    from proceedings.venues import PAGE_SIZES

    w, footer = project.workshop, footer_text(project)
    width = PAGE_SIZES[w.rules.page_size][0]
    scale = memo(ctx, "footer-scale", digest("footer-scale", footer, width),
                 lambda: _parts().stamper_for(footer).footer_scale(width))
    if scale < 1:
        hint = ", or give conference_acronym" if w.conference and not w.conference_acronym else ""
        ctx.warn(f"front_matter/workshop.yaml: the running footer, {footer!r}, is too long to fit beside the page "
                 f"numbers: it is printed at {FOOTER_SIZE * scale:.1f} pt, not {FOOTER_SIZE} pt; shorten the "
                 f"acronym or the location{hint}")


def _parts():
    """The module that writes parts (pikepdf): imported only when something is stamped."""
    from proceedings.stages import parts

    return parts


def _cached_part(ctx: BuildContext, name: str, key: str, files: list[Path], checksums: dict[Path, str],
                 make: Callable[[], tuple[int, tuple[int, ...]]]) -> tuple[int, tuple[int, ...], bool]:
    """The front matter's or the index's part: (pages, shared stamp objects, whether written now), written
    again only when ``key`` changed or one of its ``files`` no longer has the checksum recorded (bit rot, an
    edit). Each file's CRC-32 goes into ``checksums``."""
    record = ctx.out_dir / ".cache" / "parts" / f"{name}.json"
    if ctx.use_cache and record.exists():
        entry = unseal(read_json(record), record.name)
        try:
            crcs = [crc32_file(f) for f in files]
            if entry and entry["key"] == key and crcs == entry["crc32"]:
                checksums.update(zip(files, crcs))
                return entry["pages"], tuple(entry["shared"]), False
        except (OSError, KeyError, TypeError):
            pass
    pages, shared = make()
    crcs = [crc32_file(f) for f in files]
    checksums.update(zip(files, crcs))
    write_cache_json(record, seal({"key": key, "crc32": crcs, "pages": pages, "shared": list(shared)}))
    return pages, shared, True


def _outline(volume: Volume, plan: Plan, front: FrontMatter) -> list[OutlineItem]:
    items = [OutlineItem(front.section_titles[key], 0, index) for key, index in front.sections.items()]
    part_of = {p.paper_id: i + 1 for i, p in enumerate(volume.papers)}
    for session, placed_list in plan.sessions():
        children = [OutlineItem(p.paper.title, part_of[p.paper.id], 0) for p in placed_list]
        if session:
            items.append(OutlineItem(session, children[0].part, 0, children))
        else:
            items.extend(children)
    items.append(OutlineItem("Author Index", len(volume.parts) - 1, 0))
    return items


def volume_metadata(project: Project, ctx: BuildContext) -> DocumentMetadata:
    """What proceedings.pdf says about itself (document information and XMP)."""
    w = project.workshop
    return DocumentMetadata(
        title=f"{proceedings_title(w.title)} ({w.acronym})", creators=[e.name for e in w.editors],
        description=w.subject or f"{w.acronym}, {w.location}, {date_range(w.start_date, w.end_date)}",
        keywords=list(w.keywords or [w.acronym]), doi=w.doi, isbn=w.isbn, volume=w.volume, when=ctx.build_time,
        tool=f"proceedings {__version__}", publication=proceedings_title(w.title),
        producer=f"proceedings {__version__} (qpdf, ReportLab)")


def bind_volume(volume: Volume, project: Project, plan: Plan, ctx: BuildContext, staging: Staging,
                check=None) -> tuple[Path, str]:
    """Bind the parts into build/proceedings.pdf, put in place with the files ``staging`` holds (checked before:
    ``check(path, written, key)``, with where each part went and the digest of everything the volume is made of);
    return its path and that digest."""
    first, labels, meta, ident = _volume_facts(volume, project, plan, ctx)
    info = meta.info()
    path = ctx.out_dir / "proceedings.pdf"
    marker = ctx.out_dir / ".cache" / "bound.json"
    key = _bind_key(volume, first, labels, info, ident)
    if ctx.use_cache and _unchanged(marker, key, path):
        log.info("volume unchanged (same parts, same plan): not bound again")
        return path, key
    layouts = volume.layouts or [None] * len(volume.parts)
    parts: list[Part] = [Part.from_layout(p, shared, layout) if layout  # byte ranges read as each is copied
                         else read_part(p, shared, keep_offsets=False)
                         for p, shared, layout in zip(volume.parts, volume.shared, layouts)]
    identities = [volume.checksums.get(p) for p in volume.parts]
    previous = PreviousVolume.open(path, read_json(marker)) if ctx.use_cache else None

    def bind_from(last: PreviousVolume | None) -> list:
        return bind(parts, paper_first=first, outline=volume.outline, labels=labels, info=info, file_id=ident,
                    out_path=path, check=(lambda tmp, written: check(tmp, written, key)) if check else None,
                    xmp=xmp_packet(meta), identities=identities, previous=last,
                    opener=staging.open)

    try:
        written = bind_from(previous)
    except BuildError as exc:
        if previous is None:
            raise
        # the last volume's copy of a part did not read back as recorded (changed since it was written)
        log.warning("the last volume could not be reused (%s); binding every part again", exc.problems[:1])
        previous.close()
        previous = None
        written = bind_from(None)
    finally:
        if previous is not None:
            previous.close()
    bound = staging.pending(path) or path  # its size and time as it will be in place
    record = {"key": key, "output": file_fingerprint(bound),
              "parts": {w.context: [w.start, w.end, w.crc32] for w in written if w.context}}
    staging.write(marker, json_bytes(record, pretty=False))  # in place with the volume: a build stopped before
    return path, key  # leaves the last volume and its record as they were


def _volume_facts(volume: Volume, project: Project, plan: Plan, ctx: BuildContext,
                  ) -> tuple[dict[str, tuple[int, int]], list[tuple[int, bytes]], DocumentMetadata, bytes]:
    """What binding takes besides the parts: each paper's first page, the page labels, the volume's metadata and
    its file identifier."""
    first = {p.paper_id: (i + 1, 0) for i, p in enumerate(volume.papers)}
    if volume.index_pages:  # the contents line of the author index leads to its first page
        first[INDEX_TARGET] = (len(volume.papers) + 1, 0)
    labels = [(0, b"<< /S /r >>"), (volume.front_pages, b"<< /S /D /St 1 >>")]
    ident = file_id(__version__, project.workshop.title, *(p.source.sha256 for p in plan.papers),
                    pdf_date(ctx.build_time))
    return first, labels, volume_metadata(project, ctx), ident


def volume_key(volume: Volume, project: Project, plan: Plan, ctx: BuildContext) -> str:
    """The digest of everything the volume is made of, its parts found where they are now (see
    :func:`bind_volume`)."""
    first, labels, meta, ident = _volume_facts(volume, project, plan, ctx)
    return _bind_key(volume, first, labels, meta.info(), ident)


def _bind_key(volume: Volume, first: dict, labels: list, info: dict, ident: bytes) -> str:
    """Everything the bound volume is made of: each part (its checksum, and its size and time, which change
    whenever it is written again) and the plan."""
    parts = [[volume.checksums.get(p), *file_fingerprint(p)] for p in volume.parts]  # a move keeps size and time
    return digest("bound", [p.name for p in volume.parts], parts, volume.shared, first, labels, info, ident.hex(),
                  volume.outline, volume.page_count)


def _unchanged(marker: Path, key: str, path: Path) -> bool:
    """The volume at ``path`` is the one bound (and verified) from ``key``, untouched since."""
    try:
        entry = json.loads(marker.read_text(encoding="utf-8"))
        return entry["key"] == key and entry["output"] == file_fingerprint(path)
    except (OSError, ValueError, KeyError, TypeError):
        return False

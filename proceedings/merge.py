"""Stage 5, merge: one paginated volume, each paper's pages stamped, links kept, active content removed."""

from __future__ import annotations

import hashlib
import io
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject, ByteStringObject, DictionaryObject, FloatObject, IndirectObject, NameObject, NumberObject,
    TextStringObject,
)

from proceedings import __version__
from proceedings.atomic import atomic_open
from proceedings.context import BuildContext
from proceedings.frontmatter import FrontMatter
from proceedings.models import Project
from proceedings.plan import Plan
from proceedings.stamp import Stamper
from proceedings.text import date_range, roman

log = logging.getLogger(__name__)

SAFE_URI_SCHEMES = ("http://", "https://", "mailto:", "ftp://", "ftps://", "doi:")
DROPPED_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D", "/Popup"}
PAGE_KEYS_DROPPED = ("/Annots", "/B", "/AA", "/StructParents", "/Thumb", "/PieceInfo", "/Metadata")


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
    """The merged volume, still in memory, with the map of its parts."""

    writer: PdfWriter
    front_pages: int
    papers: list[PaperPages]
    index_first_index: int
    index_pages: int
    outline: list[tuple[str, int, int]] = field(default_factory=list)
    """(title, page index, depth) of every bookmark, in order."""
    removed: dict[str, Counter] = field(default_factory=dict)
    """Paper id → what the sanitizer removed."""

    @property
    def page_count(self) -> int:
        return len(self.writer.pages)


# --------------------------------------------------------------------------- copying pages safely


class _Dests:
    """Resolves a source document's destinations to pages being copied."""

    def __init__(self, doc, pages: list, page_map: dict[int, IndirectObject]) -> None:
        self.doc, self.pages, self.page_map = doc, pages, page_map
        self._named: dict[str, ArrayObject] | None = None

    def _named_dests(self) -> dict[str, ArrayObject]:
        if self._named is None:
            self._named = {}
            try:
                for name, dest in self.doc.named_destinations.items():
                    self._named[str(name)] = dest.dest_array
            except Exception as exc:  # noqa: BLE001 - broken name trees lose their links, nothing else
                log.debug("named destinations unreadable: %s", exc)
        return self._named

    def resolve(self, dest) -> ArrayObject | None:
        """An explicit destination in the target writer, or None when it leads outside the copied pages."""
        try:
            dest = dest.get_object() if dest is not None else None
            if isinstance(dest, (str, bytes)):
                dest = self._named_dests().get(dest.decode("latin-1") if isinstance(dest, bytes) else str(dest))
            if isinstance(dest, DictionaryObject) and "/D" in dest:
                dest = dest["/D"].get_object()
            if not isinstance(dest, ArrayObject) or not dest:
                return None
            target = dest[0]
            if isinstance(target, NumberObject) or isinstance(target, int):
                idx = int(target)
                ref = self.pages[idx].indirect_reference if 0 <= idx < len(self.pages) else None
            else:
                ref = target if isinstance(target, IndirectObject) else getattr(target, "indirect_reference", None)
            new = self.page_map.get(ref.idnum) if ref is not None else None
            if new is None:
                return None
            rest = [v if not isinstance(v, IndirectObject) else v.get_object() for v in list(dest)[1:]]
            rest = [v for v in rest if isinstance(v, (NameObject, NumberObject, FloatObject)) or v is None
                    or type(v).__name__ == "NullObject"]
            if not rest:
                rest = [NameObject("/Fit")]
            return ArrayObject([new, *rest])
        except Exception as exc:  # noqa: BLE001
            log.debug("destination unreadable: %s", exc)
            return None


def _uri_of(action: DictionaryObject) -> str | None:
    uri = action.get("/URI")
    if uri is None:
        return None
    uri = uri.get_object()
    text = uri.decode("latin-1", "replace") if isinstance(uri, bytes) else str(uri)
    return text.strip()


def _safe_action(action, dests: _Dests, removed: Counter) -> tuple[str, object] | None:
    """('dest', array) or ('uri', text) for a harmless action; None (counted) otherwise."""
    action = action.get_object() if action is not None else None
    if not isinstance(action, DictionaryObject):
        return None
    kind = str(action.get("/S", ""))
    if kind == "/GoTo":
        target = dests.resolve(action.get("/D"))
        return ("dest", target) if target is not None else None
    if kind == "/URI":
        uri = _uri_of(action)
        if uri and uri.lower().startswith(SAFE_URI_SCHEMES):
            return ("uri", uri)
        removed[f"link to a non-web address ({(uri or '')[:40]})"] += 1
        return None
    removed[f"{kind.lstrip('/') or 'unknown'} action"] += 1
    return None


def copy_pages(writer: PdfWriter, doc, indices: list[int] | None, removed: Counter) -> list[int]:
    """Copy pages of ``doc`` (a reader, or a writer) into ``writer``; return their new indices.

    Internal links are rewritten as explicit destinations to the copied pages (so names never clash
    between papers); web and mail links are kept; JavaScript, launch and other actions, additional
    actions, attachments and rich media are removed and counted in ``removed``.
    """
    pages = doc.pages
    indices = list(range(len(pages))) if indices is None else indices
    start = len(writer.pages)
    page_map: dict[int, IndirectObject] = {}
    copied = []
    for i in indices:
        src = pages[i]
        if "/AA" in src:
            removed["page additional action (/AA)"] += 1
        new = writer.add_page(src, excluded_keys=PAGE_KEYS_DROPPED)
        if src.indirect_reference is not None:
            page_map[src.indirect_reference.idnum] = new.indirect_reference
        copied.append((src, new))
    dests = _Dests(doc, pages, page_map)
    for src, new in copied:
        annots = _annotations(src, writer, new, dests, removed)
        if annots:
            new[NameObject("/Annots")] = annots
    return list(range(start, start + len(copied)))


def _annotations(src, writer: PdfWriter, new_page, dests: _Dests, removed: Counter) -> ArrayObject:
    out = ArrayObject()
    try:
        annots = src.get("/Annots")
        annots = annots.get_object() if annots is not None else []
        if not isinstance(annots, ArrayObject):
            return out
    except Exception:  # noqa: BLE001
        return out
    for ref in annots:
        try:
            annot = ref.get_object()
            if not isinstance(annot, DictionaryObject):
                continue
            subtype = str(annot.get("/Subtype", ""))
            if subtype in DROPPED_ANNOTATIONS:
                if subtype != "/Popup":
                    removed[f"{subtype.lstrip('/')} annotation"] += 1
                continue
            if "/AA" in annot:
                removed["annotation additional action (/AA)"] += 1
            clone = annot.clone(writer, force_duplicate=True,
                                ignore_fields=("/P", "/Parent", "/Popup", "/AA", "/A", "/Dest", "/IRT", "/StructParent"))
            clone = clone.get_object()
            clone[NameObject("/P")] = new_page.indirect_reference
            if subtype == "/Link":
                if "/Dest" in annot:
                    target = dests.resolve(annot["/Dest"])
                    if target is None:
                        continue
                    clone[NameObject("/Dest")] = target
                elif "/A" in annot:
                    safe = _safe_action(annot["/A"], dests, removed)
                    if safe is None:
                        continue
                    kind, value = safe
                    if kind == "dest":
                        clone[NameObject("/Dest")] = value
                    else:
                        clone[NameObject("/A")] = DictionaryObject(
                            {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject(value)})
                else:
                    continue
            elif "/A" in annot:
                safe = _safe_action(annot["/A"], dests, removed)
                if safe and safe[0] == "uri":
                    clone[NameObject("/A")] = DictionaryObject(
                        {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject(safe[1])})
            out.append(clone.indirect_reference if clone.indirect_reference else writer._add_object(clone))
        except Exception as exc:  # noqa: BLE001 - a broken annotation is dropped, the page is kept
            log.debug("annotation dropped: %s", exc)
    return out


def open_pdf(path: Path) -> PdfReader:
    """Open a camera-ready file for copying (decrypting an empty user password)."""
    reader = PdfReader(path, strict=False)
    if reader.is_encrypted:
        reader.decrypt("")
    return reader


# --------------------------------------------------------------------------- the volume


def footer_text(project: Project) -> str:
    """The running footer: acronym, conference, place and dates."""
    w = project.workshop
    parts = [w.acronym]
    if w.conference_acronym or w.conference:
        parts.append(f"co-located with {w.conference_acronym or w.conference}")
    parts.append(f"{w.location}, {date_range(w.start_date, w.end_date)}")
    return " · ".join([parts[0], ", ".join(parts[1:])]) if len(parts) > 1 else parts[0]


def file_id(*parts: str) -> ArrayObject:
    """A deterministic PDF /ID from the given parts."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()[:16]
    return ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])


def pdf_date(ctx: BuildContext) -> str:
    return ctx.build_time.strftime("D:%Y%m%d%H%M%S+00'00'")


def merge(project: Project, plan: Plan, front: FrontMatter, index_pdf: bytes, ctx: BuildContext) -> Volume:
    """Assemble front matter, stamped papers and the author index into one writer."""
    writer = PdfWriter()
    stamper = Stamper(footer_text(project))
    fm_reader = PdfReader(io.BytesIO(front.pdf))
    front_pages = len(copy_pages(writer, fm_reader, None, Counter()))
    for i in range(front_pages):
        if i != front.sections.get("title", -1):
            stamper.stamp(writer, i, roman(i + 1), footer=False, centred=True)

    papers: list[PaperPages] = []
    removed: dict[str, Counter] = {}
    with ctx.progress("merge", len(plan.papers)) as advance:
        for placed in plan.papers:
            counter: Counter = Counter()
            reader = open_pdf(placed.source.path)
            new = copy_pages(writer, reader, None, counter)
            for k, index in enumerate(new):
                stamper.stamp(writer, index, str(placed.first_page + k), footer=True)
            papers.append(PaperPages(placed.paper.id, new[0], len(new), placed.first_page))
            if counter:
                removed[placed.paper.id] = counter
            advance(1)

    index_reader = PdfReader(io.BytesIO(index_pdf))
    index_new = copy_pages(writer, index_reader, None, Counter())
    for k, index in enumerate(index_new):
        stamper.stamp(writer, index, str(plan.index_first_page + k), footer=True)

    volume = Volume(writer=writer, front_pages=front_pages, papers=papers, index_first_index=index_new[0],
                    index_pages=len(index_new), removed=removed)
    _toc_links(volume, front)
    _outline(volume, project, plan, front)
    _labels(volume)
    _metadata(volume, project, plan, ctx)
    return volume


def _toc_links(volume: Volume, front: FrontMatter) -> None:
    writer = volume.writer
    first = {p.paper_id: p.first_index for p in volume.papers}
    for link in front.toc_links:
        target = writer.pages[first[link.paper_id]].indirect_reference
        annot = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(round(v, 2)) for v in link.rect]),
            NameObject("/Border"): ArrayObject([NumberObject(0)] * 3),
            NameObject("/Dest"): ArrayObject([target, NameObject("/Fit")]),
        })
        page = writer.pages[link.page_index]
        ref = writer._add_object(annot)
        annot[NameObject("/P")] = page.indirect_reference
        annots = page.get("/Annots")
        annots = annots.get_object() if annots is not None else None
        if not isinstance(annots, ArrayObject):
            annots = ArrayObject()
            page[NameObject("/Annots")] = annots
        annots.append(ref)


def _outline(volume: Volume, project: Project, plan: Plan, front: FrontMatter) -> None:
    writer = volume.writer
    for key, index in front.sections.items():
        writer.add_outline_item(title=front.section_titles[key], page_number=index)
        volume.outline.append((front.section_titles[key], index, 0))
    by_id = {p.paper_id: p for p in volume.papers}
    for session, placed_list in plan.sessions():
        parent = None
        if session:
            first = by_id[placed_list[0].paper.id].first_index
            parent = writer.add_outline_item(title=session, page_number=first)
            volume.outline.append((session, first, 0))
        for placed in placed_list:
            index = by_id[placed.paper.id].first_index
            writer.add_outline_item(title=placed.paper.title, page_number=index, parent=parent)
            volume.outline.append((placed.paper.title, index, 1 if parent else 0))
    writer.add_outline_item(title="Author Index", page_number=volume.index_first_index)
    volume.outline.append(("Author Index", volume.index_first_index, 0))
    writer.page_mode = "/UseOutlines"


def _labels(volume: Volume) -> None:
    writer = volume.writer
    writer.set_page_label(0, volume.front_pages - 1, style="/r", start=1)
    writer.set_page_label(volume.front_pages, volume.page_count - 1, style="/D", start=1)


def _metadata(volume: Volume, project: Project, plan: Plan, ctx: BuildContext) -> None:
    w = project.workshop
    editors = "; ".join(e.name for e in w.editors)
    date = pdf_date(ctx)
    volume.writer.add_metadata({
        "/Title": f"Proceedings of {w.title} ({w.acronym})",
        "/Author": editors,
        "/Subject": w.subject or f"{w.acronym}, {w.location}, {date_range(w.start_date, w.end_date)}",
        "/Keywords": ", ".join(w.keywords or [w.acronym]),
        "/Creator": f"proceedings {__version__}",
        "/Producer": f"proceedings {__version__} (pypdf, ReportLab)",
        "/CreationDate": date,
        "/ModDate": date,
    })
    volume.writer._root_object[NameObject("/Lang")] = TextStringObject("en")
    volume.writer._ID = file_id(__version__, w.title, *(p.source.sha256 for p in plan.papers), date)


# --------------------------------------------------------------------------- writing


def write_pdf(writer: PdfWriter, path: Path, check=None) -> None:
    """Write atomically; ``check(tmp_path)`` may refuse the file before it takes the final name."""
    with atomic_open(path) as handle:
        writer.write(handle)
        if check is not None:
            handle.flush()
            check(Path(handle.name))


def extract(volume: Volume, indices: list[int], metadata: dict[str, str], id_parts: list[str],
            keep_internal: bool = True) -> PdfWriter:
    """A new writer with some pages of the volume, exactly as stamped (links among them kept)."""
    writer = PdfWriter()
    copy_pages(writer, volume.writer, indices, Counter())
    writer.add_metadata(metadata)
    writer._ID = file_id(*id_parts)
    return writer


def write_outputs(volume: Volume, project: Project, plan: Plan, ctx: BuildContext, check=None) -> dict[str, Path]:
    """build/proceedings.pdf (checked by ``check`` before it is published), front_matter.pdf, papers/ID.pdf."""
    out = ctx.out_dir
    paths = {"volume": out / "proceedings.pdf", "front_matter": out / "front_matter.pdf"}
    write_pdf(volume.writer, paths["volume"], check)
    w = project.workshop
    date = pdf_date(ctx)
    base = {"/Creator": f"proceedings {__version__}", "/CreationDate": date, "/ModDate": date}
    front = extract(volume, list(range(volume.front_pages)),
                    {**base, "/Title": f"{w.acronym}: Front Matter", "/Author": "; ".join(e.name for e in w.editors)},
                    [__version__, "front", w.title, date])
    front.set_page_label(0, volume.front_pages - 1, style="/r", start=1)
    write_pdf(front, paths["front_matter"])
    placed = {p.paper.id: p for p in plan.papers}
    with ctx.progress("papers", len(volume.papers)) as advance:
        for pages in volume.papers:
            paper = placed[pages.paper_id]
            one = extract(volume, list(range(pages.first_index, pages.first_index + pages.count)), {
                **base, "/Title": paper.paper.title, "/Author": "; ".join(a.name for a in paper.paper.authors),
                "/Subject": f"{w.acronym}, pages {paper.first_page}–{paper.last_page}",
            }, [__version__, "paper", pages.paper_id, paper.source.sha256, str(pages.first_page)])
            one.set_page_label(0, pages.count - 1, style="/D", start=pages.first_page)
            write_pdf(one, out / "papers" / f"{pages.paper_id}.pdf")
            advance(1)
    wanted = {f"{p.paper_id}.pdf" for p in volume.papers}
    for stale in (out / "papers").glob("*.pdf"):
        if stale.name not in wanted:
            stale.unlink()
    return paths

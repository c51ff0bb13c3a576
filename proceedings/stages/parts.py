"""Stamped parts written with pikepdf (qpdf): each paper (``papers/ID.pdf``), the front matter and the author index.

:mod:`proceedings.stages.stamp` decides what to stamp and keeps the results; this module does the writing,
and is imported only when something is stamped (a build whose parts are all cached never loads it).
Every part is written the way :mod:`proceedings.stages.bind` reads it: a classic cross-reference table,
no object streams, one flat page tree, streams as they came (never decoded or compressed again).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from proceedings import __version__
from proceedings.pdf.pagecopy import copy_pages, keep_pages, open_pdf
from proceedings.pdf.stamp import Stamper, shared_numbers
from proceedings.pdf.streams import Verified, check_part
from proceedings.pdf.xmp import DocumentMetadata, describe
from proceedings.stages.bind import read_part
from proceedings.text import roman
from proceedings.util.atomic import atomic_open
from proceedings.util.cache import crc32_hex

if TYPE_CHECKING:
    from proceedings.typeset.frontdata import FrontMatter


def save(pdf: Pdf, path: Path, version: str = "1.4", made_of: str = "") -> bytes:
    """Write ``pdf`` atomically as binding expects it (at least PDF ``version``); the bytes written. Its /ID is
    ``made_of`` (a digest of everything the file is made from, such as a stamped paper's cache key) when given,
    else made from the bytes written. qpdf writes to the file itself, then the bytes are read back: its thousands of
    small writes into a growing in-memory buffer cost twice that."""
    if "/ID" in pdf.trailer:  # qpdf would keep its first half: the /ID is made anew, whole
        del pdf.trailer.ID
    with atomic_open(path, readable=True) as handle:
        try:
            pdf.save(handle, min_version=version, object_stream_mode=pikepdf.ObjectStreamMode.disable,
                     compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none,
                     static_id=True, fix_metadata_version=False)
        except OSError as exc:  # pikepdf gives the file object as the error's file name: a write's error names none
            raise OSError(exc.errno, exc.strerror) from None
        handle.seek(0)
        return identified(handle, made_of)


_STATIC_ID = b"/ID [<31415926535897932384626433832795><31415926535897932384626433832795>]"
"""The trailer's /ID qpdf writes when asked for a static one."""


def identified(handle: BinaryIO, made_of: str = "") -> bytes:
    """The file qpdf wrote to ``handle`` (open for reading and writing, at its start) with its static /ID, given an
    /ID of the hex digest ``made_of`` or, without one, made from its bytes (deterministic either way, as qpdf's own
    ``deterministic_id``, whose MD5 pass over the file costs three times a SHA-256; a digest in hand costs none);
    the file's bytes as they now are."""
    data = b"" if made_of else handle.read()  # a digest in hand: the file is read once, as changed
    size = len(data) if not made_of else handle.seek(0, 2)
    tail_at = max(0, size - 4096)
    if made_of:
        handle.seek(tail_at)
    tail = handle.read() if made_of else data[tail_at:]
    at = tail.rfind(_STATIC_ID, max(0, tail.rfind(b"trailer")))  # in the trailer, nowhere else
    if at < 0:
        raise ValueError("the written file has no static /ID in its trailer")
    at += tail_at
    ident = b"<" + (made_of or hashlib.sha256(data).hexdigest())[:32].encode("ascii") + b">"
    given = b"/ID [" + ident + ident + b"]"  # as long as the static one: the file is changed in place
    handle.seek(at)
    handle.write(given)
    if made_of:
        handle.seek(0)
        return handle.read()
    return b"".join((data[:at], given, data[at + len(_STATIC_ID):]))


def page_labels(pdf: Pdf, style: str, start: int) -> None:
    """One page-label range for the whole part: ``style`` ("/D", "/r") from ``start``."""
    pdf.Root.PageLabels = Dictionary(Nums=Array([0, Dictionary(S=Name(style), St=start)]))


_STAMPERS: dict[str, Stamper] = {}


def stamper_for(footer: str) -> Stamper:
    """The stamper of a running footer (its font and footer objects are made once per process)."""
    stamper = _STAMPERS.get(footer)
    if stamper is None:
        stamper = _STAMPERS[footer] = Stamper(footer)
    return stamper


def stamp_paper(path: str, first_page: int, out: str, footer: str, meta: DocumentMetadata,
                verified: Verified = Verified(), opened: Pdf | None = None, made_of: str = "",
                ) -> tuple[int, dict[str, int], tuple[int, ...], str, dict]:
    """Make one paper safe, stamp its page numbers and footer, write it to ``out`` (run in a worker).

    Returns its page count, what the sanitizer removed, the object numbers of the shared stamp objects, and the
    written file's CRC-32 and layout (:meth:`~proceedings.stages.bind.Part.layout`): known here, from the bytes
    in hand, the main process never reads the part to learn them. ``verified``: streams the task already
    inflated (see :func:`~proceedings.pdf.streams.check_part`); ``opened``: the file as the task opened it, which
    is then the caller's to close; ``made_of``: the paper's stamp cache key, its /ID (see :func:`save`). The file as
    opened becomes the part (:func:`~proceedings.pdf.pagecopy.keep_pages`:
    nothing is copied), so ``opened`` is of no other use after.
    """
    stamper = stamper_for(footer)
    removed: Counter = Counter()
    with contextlib.nullcontext(opened) if opened is not None else open_pdf(Path(path)) as pdf:
        new = keep_pages(pdf, removed)
        check_part(pdf, new, verified, written_only=True)  # a stream that does not decode never reaches the volume
        res = stamper.install(pdf)
        for k, index in enumerate(new):
            stamper.stamp(pdf, res, index, str(first_page + k), footer=True)
        describe(pdf, meta)  # title, authors, pages, DOI: document information and XMP
        page_labels(pdf, "/D", first_page)
        data = save(pdf, Path(out), max(pdf.pdf_version, "1.3"), made_of)  # at least a new file's version
    shared, layout = written_facts(Path(out), data)
    return len(new), dict(removed), shared, crc32_hex(data), layout


def written_facts(path: Path, data: bytes) -> tuple[tuple[int, ...], dict]:
    """The shared stamp objects' numbers (:func:`~proceedings.pdf.stamp.shared_numbers`) and the layout
    (:meth:`~proceedings.stages.bind.Part.layout`) of the part just written to ``path`` (its bytes ``data``): what
    bind would read of it, read here once, by the worker that wrote it."""
    shared = shared_numbers(data)
    return shared, read_part(path, shared, keep_offsets=False, data=data).layout()


def front_parts(front: FrontMatter, footer: str, acronym: str, editors: list[str], date: str,
                internal: Path, public: Path) -> tuple[int, tuple[int, ...]]:
    """The front matter, stamped i, ii, …: one part with contents links (to placeholders), one without."""
    with open_pdf(io.BytesIO(front.pdf)) as source:  # open until saved: copied streams' data is read from it then
        pdf = Pdf.new()
        pages = copy_pages(pdf, source, Counter())
        _stamp_front(pdf, pages, front, footer)
        pdf.trailer.Info = pdf.make_indirect(Dictionary({
            "/Title": pikepdf.String(f"{acronym}: Front Matter"), "/Author": pikepdf.String("; ".join(editors)),
            "/Creator": pikepdf.String(f"proceedings {__version__}"), "/CreationDate": pikepdf.String(date),
            "/ModDate": pikepdf.String(date)}))
        page_labels(pdf, "/r", 1)
        save(pdf, public)
        _link_contents(pdf, front)
        return len(pages), shared_numbers(save(pdf, internal))


def _stamp_front(pdf: Pdf, pages: list[int], front: FrontMatter, footer: str) -> None:
    """Roman page numbers, centred, on every front-matter page but the title page."""
    stamper = stamper_for(footer)
    res = stamper.install(pdf)
    for i in pages:
        if i != front.sections.get("title", -1):
            stamper.stamp(pdf, res, i, roman(i + 1), footer=False, centred=True)


def _link_contents(pdf: Pdf, front: FrontMatter) -> None:
    """The table of contents' links: to a front-matter page of this part, or to a placeholder
    ``<< /ProcTarget (paper id) >>`` that binding turns into the paper's first page."""
    placeholders: dict[str, Dictionary] = {}
    for link in front.toc_links:
        if link.target_page is not None:
            target = pdf.pages[link.target_page].obj
        else:
            if link.paper_id not in placeholders:
                placeholders[link.paper_id] = pdf.make_indirect(  # the id's UTF-8 bytes: bind reads them back
                    Dictionary(ProcTarget=pikepdf.String(link.paper_id.encode("utf-8"))))
            target = placeholders[link.paper_id]
        annot = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link,
                                             Rect=Array([round(v, 2) for v in link.rect]), Border=Array([0, 0, 0]),
                                             Dest=Array([target, Name.Fit])))
        page = pdf.pages[link.page_index].obj
        if not isinstance(page.get("/Annots"), Array):
            page.Annots = Array()
        page.Annots.append(annot)


def index_part(index_pdf: bytes, footer: str, first_page: int, out: Path) -> tuple[int, tuple[int, ...]]:
    """The author index, stamped with its page numbers and the running footer."""
    stamper = stamper_for(footer)
    pdf = Pdf.new()
    with open_pdf(io.BytesIO(index_pdf)) as source:  # open until saved
        pages = copy_pages(pdf, source, Counter())
        res = stamper.install(pdf)
        for k, i in enumerate(pages):
            stamper.stamp(pdf, res, i, str(first_page + k), footer=True)
        return len(pages), shared_numbers(save(pdf, out))


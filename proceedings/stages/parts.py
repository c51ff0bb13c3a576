"""Stamped parts written with pypdf: each paper (``papers/ID.pdf``), the front matter and the author index.

:mod:`proceedings.stages.stamp` decides what to stamp and keeps the results; this module does the writing,
and is imported only when something is stamped (a build whose parts are all cached never loads pypdf).
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from proceedings import __version__
from proceedings.pdf.pagecopy import copy_pages, open_pdf
from proceedings.pdf.stamp import Stamper
from proceedings.pdf.streams import check_part
from proceedings.pdf.xmp import DocumentMetadata, describe
from proceedings.stages.bind import file_id
from proceedings.text import roman
from proceedings.util.atomic import atomic_open

if TYPE_CHECKING:
    from proceedings.typeset.frontdata import FrontMatter


def id_array(*parts: str) -> ArrayObject:
    """A PDF /ID array (both halves the same) from the given strings."""
    digest = file_id(*parts)
    return ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])


def write_pdf(writer: PdfWriter, path: Path) -> None:
    """Write atomically."""
    with atomic_open(path) as handle:
        writer.write(handle)


_STAMPERS: dict[str, Stamper] = {}


def stamper_for(footer: str) -> Stamper:
    """The stamper of a running footer (its font and footer objects are made once per process)."""
    stamper = _STAMPERS.get(footer)
    if stamper is None:
        stamper = _STAMPERS[footer] = Stamper(footer)
    return stamper


def stamp_paper(path: str, first_page: int, out: str, acronym: str, date: str, title: str, authors: list[str],
                footer: str, paper_id: str, sha256: str,
                meta: DocumentMetadata) -> tuple[int, dict[str, int], tuple[int, int]]:
    """Copy one paper safely, stamp its page numbers and footer, write it to ``out`` (run in a worker).

    Returns its page count, what the sanitizer removed, and the range of the shared stamp objects.
    """
    stamper = stamper_for(footer)
    removed: Counter = Counter()
    writer = PdfWriter()
    new = copy_pages(writer, open_pdf(Path(path)), removed)
    check_part(writer, new)  # a stream that does not decode never reaches the volume
    for k, index in enumerate(new):
        stamper.stamp(writer, index, str(first_page + k), footer=True)
    describe(writer, meta)  # title, authors, pages, DOI: document information and XMP
    writer.set_page_label(0, len(new) - 1, style="/D", start=first_page)
    writer._ID = id_array(__version__, "paper", paper_id, sha256, str(first_page), date)
    write_pdf(writer, Path(out))
    return len(new), dict(removed), stamper.install(writer).objects


def front_parts(front: FrontMatter, footer: str, title: str, acronym: str, editors: list[str], date: str,
                internal: Path, public: Path) -> tuple[int, tuple[int, int]]:
    """The front matter, stamped i, ii, …: one part with contents links (to placeholders), one without."""
    stamper = stamper_for(footer)
    writer = PdfWriter()
    pages = copy_pages(writer, PdfReader(io.BytesIO(front.pdf)), Counter())
    for i in pages:
        if i != front.sections.get("title", -1):
            stamper.stamp(writer, i, roman(i + 1), footer=False, centred=True)
    writer.add_metadata({"/Title": f"{acronym}: Front Matter", "/Author": "; ".join(editors),
                         "/Creator": f"proceedings {__version__}", "/CreationDate": date, "/ModDate": date})
    writer.set_page_label(0, len(pages) - 1, style="/r", start=1)
    writer._ID = id_array(__version__, "front", title, date)
    write_pdf(writer, public)
    placeholders: dict[str, object] = {}
    for link in front.toc_links:
        if link.target_page is not None:  # a front-matter section: a page of this part
            target = writer.pages[link.target_page].indirect_reference
        elif link.paper_id not in placeholders:
            placeholders[link.paper_id] = writer._add_object(
                DictionaryObject({NameObject("/ProcTarget"): TextStringObject(link.paper_id)}))
        annot = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(round(v, 2)) for v in link.rect]),
            NameObject("/Border"): ArrayObject([NumberObject(0)] * 3),
            NameObject("/Dest"): ArrayObject([target if link.target_page is not None else placeholders[link.paper_id],
                                              NameObject("/Fit")]),
        })
        page = writer.pages[link.page_index]
        annots = page.get("/Annots")
        annots = annots.get_object() if annots is not None else None
        if not isinstance(annots, ArrayObject):
            annots = ArrayObject()
            page[NameObject("/Annots")] = annots
        annots.append(writer._add_object(annot))
    write_pdf(writer, internal)
    return len(pages), stamper.install(writer).objects


def index_part(index_pdf: bytes, footer: str, first_page: int, out: Path) -> tuple[int, tuple[int, int]]:
    """The author index, stamped with its page numbers and the running footer."""
    stamper = stamper_for(footer)
    writer = PdfWriter()
    pages = copy_pages(writer, PdfReader(io.BytesIO(index_pdf)), Counter())
    for k, i in enumerate(pages):
        stamper.stamp(writer, i, str(first_page + k), footer=True)
    writer._ID = id_array(__version__, "index", str(first_page))
    write_pdf(writer, out)
    return len(pages), stamper.install(writer).objects

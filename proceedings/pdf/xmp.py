"""XMP metadata packets: what a PDF says about itself, in Dublin Core, PRISM, XMP and PDF terms.

:func:`xmp_packet` returns the bytes of one packet (UTF-8, padded for in-place edits, ending
``<?xpacket end="w"?>``) for a catalog's ``/Metadata`` stream: ``dc:title`` (rdf:Alt),
``dc:creator`` (the authors as an ordered rdf:Seq), ``dc:description``, ``dc:subject``
(keywords), ``prism:doi``, ``prism:startingPage`` / ``prism:endingPage``,
``prism:publicationName``, ``prism:volume``, ``prism:isbn``, the ``xmp`` dates and
``pdf:Keywords``/``pdf:Producer``. The same inputs give the same bytes (no clock, no random ids).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from proceedings.text import xml_escape

if TYPE_CHECKING:
    from pikepdf import Pdf

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "prism": "http://prismstandard.org/namespaces/basic/2.0/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
}
"""Prefixes and namespaces of the packet."""

_PADDING = 2000
"""Bytes of white space before the packet's end, so that a tool may edit it in place."""


@dataclass(frozen=True)
class DocumentMetadata:
    """What a PDF says about itself."""

    title: str
    creators: list[str]
    description: str
    when: dt.datetime
    tool: str
    keywords: list[str] = field(default_factory=list)
    doi: str | None = None
    first_page: int | None = None
    last_page: int | None = None
    publication: str | None = None
    """prism:publicationName: the volume a paper appears in (or the volume's own title)."""
    isbn: str | None = None
    """prism:isbn: the volume's ISBN."""
    volume: str | None = None
    """prism:volume: the volume's number in its series."""
    producer: str | None = None
    """pdf:Producer and /Producer; ``tool`` when absent."""

    def info(self) -> dict[str, str]:
        """The document information dictionary that agrees with the packet (keys without the slash; ``DOI`` is not
        one of the standard keys, as publishers add it, so that a reader of the dictionary alone finds it)."""
        date = self.when.strftime("D:%Y%m%d%H%M%S+00'00'")
        entries = {"Title": self.title, "Author": "; ".join(self.creators), "Subject": self.description,
                   "Keywords": ", ".join(self.keywords), "DOI": self.doi or "", "Creator": self.tool,
                   "Producer": self.producer or self.tool, "CreationDate": date, "ModDate": date}
        return {k: v for k, v in entries.items() if v}


def _text(tag: str, value: object) -> str:
    return f"   <{tag}>{xml_escape(str(value))}</{tag}>\n"


def _lang_alt(tag: str, value: str) -> str:
    return (f"   <{tag}><rdf:Alt><rdf:li xml:lang=\"x-default\">{xml_escape(value)}</rdf:li></rdf:Alt></{tag}>\n")


def _list(tag: str, kind: str, values: list[str]) -> str:
    items = "".join(f"<rdf:li>{xml_escape(v)}</rdf:li>" for v in values)
    return f"   <{tag}><rdf:{kind}>{items}</rdf:{kind}></{tag}>\n"


def xmp_packet(meta: DocumentMetadata) -> bytes:
    """The XMP packet of ``meta`` as UTF-8 bytes."""
    when = meta.when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ident = uuid.uuid5(uuid.NAMESPACE_URL, "\x1f".join([meta.title, *meta.creators, meta.doi or "", when]))
    body = _lang_alt("dc:title", meta.title)
    if meta.creators:
        body += _list("dc:creator", "Seq", meta.creators)
    if meta.description:
        body += _lang_alt("dc:description", meta.description)
    if meta.keywords:
        body += _list("dc:subject", "Bag", meta.keywords)
        body += _text("pdf:Keywords", ", ".join(meta.keywords))
    body += _text("dc:format", "application/pdf")
    if meta.doi:
        body += _text("dc:identifier", f"doi:{meta.doi}") + _text("prism:doi", meta.doi)
        body += _text("prism:url", f"https://doi.org/{meta.doi}")
    if meta.publication:
        body += _text("prism:publicationName", meta.publication)
    if meta.volume:
        body += _text("prism:volume", meta.volume)
    if meta.isbn:
        body += _text("prism:isbn", meta.isbn)
    if meta.first_page is not None:
        body += _text("prism:startingPage", meta.first_page)
    if meta.last_page is not None:
        body += _text("prism:endingPage", meta.last_page)
        body += _text("prism:pageRange", f"{meta.first_page}-{meta.last_page}")
    for tag in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
        body += _text(tag, when)
    body += _text("xmp:CreatorTool", meta.tool) + _text("pdf:Producer", meta.producer or meta.tool)
    body += _text("xmpMM:DocumentID", f"uuid:{ident}") + _text("xmpMM:InstanceID", f"uuid:{ident}")
    namespaces = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items() if k not in ("x", "rdf"))
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        f'<x:xmpmeta xmlns:x="{NS["x"]}">\n'
        f' <rdf:RDF xmlns:rdf="{NS["rdf"]}">\n'
        f'  <rdf:Description rdf:about="" {namespaces}>\n'
        f"{body}"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
    )
    padding = (" " * 99 + "\n") * (_PADDING // 100)
    return (packet + padding + '<?xpacket end="w"?>').encode("utf-8")


def describe(pdf: Pdf, meta: DocumentMetadata) -> None:
    """Give a PDF being written (pikepdf) its document information and its XMP packet, which agree: the packet
    is a ``/Type /Metadata /Subtype /XML`` stream, never compressed, as XMP asks."""
    from pikepdf import Dictionary, Name, String

    pdf.trailer.Info = pdf.make_indirect(Dictionary({f"/{k}": String(v) for k, v in meta.info().items()}))
    stream = pdf.make_stream(xmp_packet(meta))
    stream.Type, stream.Subtype = Name.Metadata, Name.XML
    pdf.Root.Metadata = stream

"""Copying pages safely: links kept as explicit destinations, active content removed and counted."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

log = logging.getLogger(__name__)

SAFE_URI_SCHEMES = ("http://", "https://", "mailto:", "ftp://", "ftps://", "doi:")
DROPPED_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D", "/Popup"}
PAGE_KEYS_DROPPED = ("/Annots", "/B", "/AA", "/StructParents", "/Thumb", "/PieceInfo", "/Metadata")


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


def copy_pages(writer: PdfWriter, doc: PdfReader, removed: Counter) -> list[int]:
    """Copy every page of ``doc`` into ``writer``; return their new indices.

    Internal links are rewritten as explicit destinations to the copied pages (so names never clash
    between papers); web and mail links are kept; JavaScript, launch and other actions, additional
    actions, attachments and rich media are removed and counted in ``removed``.
    """
    pages = doc.pages
    start = len(writer.pages)
    page_map: dict[int, IndirectObject] = {}
    copied = []
    for src in pages:
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


_NOT_COPIED = ("/P", "/Parent", "/Popup", "/AA", "/A", "/Dest", "/IRT", "/StructParent")
_LINK_KEYS = ("/Type", "/Subtype", "/Rect", "/Border", "/BS", "/C", "/H", "/QuadPoints", "/F", "/NM", "/Contents", "/M")


def _direct(value, depth: int = 0) -> bool:
    """Whether a value holds no indirect reference (so it can be written into another file as it is)."""
    if isinstance(value, IndirectObject) or depth > 4:
        return False
    if isinstance(value, ArrayObject):
        return all(_direct(v, depth + 1) for v in value)
    if isinstance(value, DictionaryObject):
        return all(_direct(v, depth + 1) for v in value.values())
    return True


def _link_copy(annot: DictionaryObject) -> DictionaryObject | None:
    """A link annotation's plain fields, without pypdf's general cloning (links are most annotations)."""
    copy = DictionaryObject()
    for key in _LINK_KEYS:
        value = annot.get(key)
        if value is None:
            continue
        if not _direct(value):
            return None  # unusual: let the general clone handle it
        copy[NameObject(key)] = value
    if set(annot.keys()) - set(_LINK_KEYS) - set(_NOT_COPIED):
        return None  # something else (appearance streams…): clone it properly
    return copy


def _target(annot: DictionaryObject, subtype: str, dests: _Dests, removed: Counter) -> tuple[str, object] | None:
    """Where the copy of an annotation leads: ("/Dest", explicit destination) or ("/A", a URI action).

    None when it leads nowhere, or nowhere safe (the unsafe action is counted in ``removed``); only
    links may turn their action into a destination.
    """
    if subtype == "/Link" and "/Dest" in annot:
        dest = dests.resolve(annot["/Dest"])
        return ("/Dest", dest) if dest is not None else None
    if "/A" not in annot:
        return None
    safe = _safe_action(annot["/A"], dests, removed)
    if safe is None or (safe[0] == "dest" and subtype != "/Link"):
        return None
    kind, value = safe
    if kind == "dest":
        return ("/Dest", value)
    return ("/A", DictionaryObject({NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject(value)}))


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
            target = _target(annot, subtype, dests, removed)
            if subtype == "/Link" and target is None:
                continue  # a link that leads nowhere safe is not copied at all
            clone = _link_copy(annot) if subtype == "/Link" else None
            if clone is None:
                clone = annot.clone(writer, force_duplicate=True, ignore_fields=_NOT_COPIED).get_object()
            clone[NameObject("/P")] = new_page.indirect_reference
            if target is not None:
                clone[NameObject(target[0])] = target[1]
            ref = getattr(clone, "indirect_reference", None)
            out.append(ref if ref is not None else writer._add_object(clone))
        except Exception as exc:  # noqa: BLE001 - a broken annotation is dropped, the page is kept
            log.debug("annotation dropped: %s", exc)
    return out


def open_pdf(path: Path) -> PdfReader:
    """Open a camera-ready file for copying (decrypting an empty user password)."""
    reader = PdfReader(path, strict=False)
    if reader.is_encrypted:
        reader.decrypt("")
    return reader

"""Pages made safe to publish (with pikepdf): copied into another file (qpdf's copier), or kept in the file as
opened, alone under a new catalog. Links are kept as explicit destinations, active content is removed and counted."""

from __future__ import annotations

import copy
import logging
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from proceedings.text import web_link

log = logging.getLogger(__name__)

DROPPED_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D", "/Popup"}
PAGE_KEYS_DROPPED = ("/Annots", "/B", "/AA", "/StructParents", "/Thumb", "/PieceInfo", "/Metadata")
_NOT_COPIED = ("/P", "/Parent", "/Popup", "/AA", "/A", "/Dest", "/IRT", "/StructParent")
INHERITED = ("/MediaBox", "/CropBox", "/Resources", "/Rotate")
"""What a page inherits from the page tree."""


class _Dests:
    """Resolves a source document's destinations to pages being copied."""

    def __init__(self, doc: Pdf, pages: list[Dictionary], page_map: dict[tuple[int, int], Dictionary]) -> None:
        self.doc, self.pages, self.page_map = doc, pages, page_map
        self._named: dict[str, Any] | None = None
        self._by_name: dict[str, Array | None] = {}
        """A named destination resolved (one array, set on every link to it: qpdf writes it where each is)."""

    def _named_dests(self) -> dict[str, Any]:
        if self._named is None:
            self._named = {}
            try:
                old = self.doc.Root.get("/Dests")  # PDF 1.1: a dictionary of names
                if isinstance(old, Dictionary):
                    self._named.update((str(k).lstrip("/"), v) for k, v in old.items())
                names = self.doc.Root.get("/Names")
                tree = names.get("/Dests") if isinstance(names, Dictionary) else None
                if isinstance(tree, Dictionary):
                    self._named.update((str(k), v) for k, v in pikepdf.NameTree(tree).items())
            except Exception as exc:  # noqa: BLE001 - broken name trees lose their links, nothing else
                log.debug("named destinations unreadable: %s", exc)
        return self._named

    def resolve(self, dest: Any) -> Array | None:
        """An explicit destination in the target, or None when it leads outside the copied pages (a named one is
        looked up once, however many links lead to it)."""
        if isinstance(dest, (pikepdf.String, Name)):
            try:
                text = str(dest)
            except Exception as exc:  # noqa: BLE001 - a string that is no text
                log.debug("destination unreadable: %s", exc)
                return None
            name = text.lstrip("/") if isinstance(dest, Name) else text
            if name not in self._by_name:
                self._by_name[name] = self._explicit(self._named_dests().get(name))
            return self._by_name[name]
        return self._explicit(dest)

    def _explicit(self, dest: Any) -> Array | None:
        """:meth:`resolve` of a destination that is not a name."""
        try:
            if isinstance(dest, Dictionary) and "/D" in dest:
                dest = dest["/D"]
            if not isinstance(dest, Array) or not len(dest):
                return None
            target = dest[0]
            if isinstance(target, int) and not isinstance(target, bool):
                page = self.pages[target] if 0 <= target < len(self.pages) else None
            else:
                page = target if isinstance(target, Dictionary) and target.is_indirect else None
            new = self.page_map.get(page.objgen) if page is not None else None
            if new is None:
                return None
            rest = [v for v in list(dest)[1:]
                    if v is None or isinstance(v, Name) or isinstance(v, (int, Decimal)) and not isinstance(v, bool)]
            return Array([new, *rest]) if rest else Array([new, Name.Fit])
        except Exception as exc:  # noqa: BLE001
            log.debug("destination unreadable: %s", exc)
            return None


def _text(value: Any) -> str:
    """A PDF string or name as text ("" for anything else)."""
    if isinstance(value, pikepdf.String):
        try:
            return str(value)
        except Exception:  # noqa: BLE001 - undecodable bytes
            return bytes(value).decode("latin-1", "replace")
    return str(value) if isinstance(value, Name) else ""


def _safe_action(action: Any, dests: _Dests, removed: Counter) -> tuple[str, Any] | None:
    """('dest', array) or ('uri', text) for a harmless action; None (counted) otherwise."""
    if not isinstance(action, Dictionary):
        return None
    kind = _text(action.get("/S"))
    if kind == "/GoTo":
        target = dests.resolve(action.get("/D"))
        return ("dest", target) if target is not None else None
    if kind == "/URI":
        uri = _text(action.get("/URI")).strip()
        if web_link(uri):
            return ("uri", uri)
        removed[f"link to a non-web address ({uri[:40]})"] += 1
        return None
    removed[f"{kind.lstrip('/') or 'unknown'} action"] += 1
    return None


def copy_pages(pdf: Pdf, doc: Pdf, removed: Counter) -> list[int]:
    """Copy every page of ``doc`` into ``pdf``; return their new indices.

    Internal links are rewritten as explicit destinations to the copied pages (so names never clash
    between papers); web and mail links are kept; JavaScript, launch and other actions, additional
    actions, attachments and rich media are removed and counted in ``removed``. ``doc`` is changed
    on the way (its pages lose the keys not copied): it is not written again. A copied page takes what it
    inherited from the page tree with it (qpdf sets it on the page; :func:`open_pdf` asks for that too).
    """
    _left_behind(doc, removed)
    sources = [page.obj for page in doc.pages]
    start = len(pdf.pages)
    page_map: dict[tuple[int, int], Dictionary] = {}
    copied: list[tuple[Any, Dictionary]] = []
    for src in sources:
        annots = _stripped(src, removed)
        pdf.pages.append(pikepdf.Page(src))
        new = pdf.pages[-1].obj
        page_map[src.objgen] = new
        copied.append((annots, new))
    dests = _Dests(doc, sources, page_map)
    seen: set[tuple[int, int]] = set()
    for annots, new in copied:
        out = _annotations(annots, pdf, new, dests, removed, seen)
        if out:
            new.Annots = out
    return list(range(start, start + len(copied)))


def keep_pages(doc: Pdf, removed: Counter) -> list[int]:
    """Make ``doc`` hold its pages alone, made safe as :func:`copy_pages` makes their copies; return their indices.

    The file as opened becomes the part (nothing is copied): each page has what it inherited set on it (as
    :func:`open_pdf` does) and loses the keys a copy leaves behind, its annotations are what a copy's would be
    (an indirect one on two pages is kept on the first, copied for the other), and the document gets a new catalog
    of one flat page tree and a trailer of nothing else (the old catalog is emptied). qpdf writes only what the
    new trailer reaches: what a copy of the pages would hold.
    """
    _left_behind(doc, removed)
    pages = [page.obj for page in doc.pages]
    _inherit(doc, pages)
    found = [_stripped(page, removed) for page in pages]
    dests = _Dests(doc, pages, {page.objgen: page for page in pages})
    plans = [(page, _plan(annots, dests, removed)) for page, annots in zip(pages, found)]  # all read, then changed
    kept: set[tuple[int, int]] = set()
    for page, plan in plans:
        out = _annotations_kept(doc, page, plan, kept)
        if out:
            page.Annots = Array(out)
    _new_catalog(doc, pages)
    return list(range(len(pages)))


def _stripped(page: Dictionary, removed: Counter) -> Any:
    """A page's /Annots, the page having lost the keys a copy leaves behind (its keys read once; its /AA counted)."""
    keys = page.keys()
    if "/AA" in keys:
        removed["page additional action (/AA)"] += 1
    annots = page.get("/Annots")
    for key in keys.intersection(PAGE_KEYS_DROPPED):
        del page[key]
    return annots


def _inherit(doc: Pdf, pages: list[Dictionary]) -> None:
    """Set on each page what it inherits from the nearest /Pages node above that has it (as readers look it up);
    a dictionary or an array that pages share becomes one indirect object."""
    shared: dict[tuple[tuple[int, int], str], Any] = {}
    for page in pages:
        missing = [key for key in INHERITED if key not in page]
        node, seen = page.get("/Parent"), set()
        while missing and isinstance(node, Dictionary) and node.is_indirect and node.objgen not in seen:
            seen.add(node.objgen)
            for key in [key for key in missing if key in node]:
                value = node[key]
                if isinstance(value, (Dictionary, Array)) and not value.is_indirect:
                    if (node.objgen, key) not in shared:
                        shared[node.objgen, key] = doc.make_indirect(copy.copy(value))
                    value = shared[node.objgen, key]
                page[key] = value
                missing.remove(key)
            node = node.get("/Parent")


Plan = list[tuple[Dictionary, set[str], tuple[str, Any] | None]]
"""The annotations of a page that are kept, each with its keys and where it leads."""


def _plan(annots: Any, dests: _Dests, removed: Counter) -> Plan:
    """The annotations of a page that are kept, their keys (read once), and where each leads (see :func:`_kept`)."""
    plan = []
    for annot in annots if isinstance(annots, Array) else ():
        try:
            keys = annot.keys() if isinstance(annot, Dictionary) else set()
            kept, target = _kept(annot, dests, removed, keys)
            if kept:
                plan.append((annot, keys, target))
        except Exception as exc:  # noqa: BLE001 - a broken annotation is dropped, the page is kept
            log.debug("annotation dropped: %s", exc)
    return plan


def _annotations_kept(doc: Pdf, page: Dictionary, plan: Plan, kept: set[tuple[int, int]]) -> list[Dictionary]:
    """A page's annotations as :func:`_plan` keeps them, without the keys a copy leaves behind (an indirect one
    loses them itself, wherever else it is found: on another page, that page has a copy of its own). Its keys are
    as the plan read them: nothing has changed it since (only annotations met before it, which are other objects,
    and the pages' /Annots)."""
    out = []
    for annot, keys, target in plan:
        try:
            if annot.is_indirect and annot.objgen not in kept:
                kept.add(annot.objgen)
                for key in keys.intersection(_NOT_COPIED):
                    del annot[key]
                own = annot
            else:
                own = doc.make_indirect(Dictionary({k: v for k, v in annot.items() if k not in _NOT_COPIED}))
            own.P = page
            if target is not None:
                own[target[0]] = target[1]
            out.append(own)
        except Exception as exc:  # noqa: BLE001
            log.debug("annotation dropped: %s", exc)
    return out


def _new_catalog(doc: Pdf, pages: list[Dictionary]) -> None:
    """Give ``doc`` a catalog of ``pages`` alone, in one flat page tree, and a trailer of that catalog alone (and
    /Size); the old catalog is emptied (anything left that refers to it finds nothing there)."""
    old = doc.trailer.get("/Root")
    tree = doc.make_indirect(Dictionary(Type=Name.Pages, Kids=Array(pages), Count=len(pages)))
    for page in pages:
        page.Parent = tree
    for key in list(doc.trailer.keys()):
        del doc.trailer[key]
    doc.trailer.Size = 0  # qpdf writes the number it gives the table
    doc.trailer.Root = doc.make_indirect(Dictionary(Type=Name.Catalog, Pages=tree))
    if isinstance(old, Dictionary) and old.is_indirect and old.objgen not in {page.objgen for page in pages}:
        for key in list(old.keys()):
            del old[key]


MAX_FIELDS = 5000
"""Most form fields looked at for signatures (a hostile form of millions is looked at in part)."""


def _left_behind(doc: Pdf, removed: Counter) -> None:
    """Count what the paper holds outside its pages, which a copy of its pages leaves behind: attachments and
    scripts of the document, its open action, and its digital signatures (no longer valid: the file changes)."""
    try:
        root = doc.Root
        names = root.get("/Names")
        if isinstance(names, Dictionary):
            for key, what in (("/EmbeddedFiles", "attached file"), ("/JavaScript", "document JavaScript")):
                tree = names.get(key)
                if isinstance(tree, Dictionary):
                    count = sum(1 for _ in zip(range(MAX_FIELDS), pikepdf.NameTree(tree).keys()))
                    if count:
                        removed[what] += count
        action = root.get("/OpenAction")
        if isinstance(action, Dictionary):  # going to a page is no harm, unless more actions are chained to it
            kind = _text(action.get("/S"))
            if kind not in ("", "/GoTo"):
                removed[f"{kind.lstrip('/')} action run when the file is opened"] += 1
            elif "/Next" in action:
                removed["actions chained to the open action (/Next)"] += 1
        if "/AA" in root:
            removed["document additional action (/AA)"] += 1
        form = root.get("/AcroForm")
        fields = form.get("/Fields") if isinstance(form, Dictionary) else None
        if isinstance(fields, Array):
            signed = sum(1 for field in list(fields)[:MAX_FIELDS]
                         if isinstance(field, Dictionary) and field.get("/FT") == Name.Sig and "/V" in field)
            if signed:
                removed["digital signature (no longer valid once the paper is stamped)"] += signed
    except Exception as exc:  # noqa: BLE001 - a broken catalog: nothing counted, nothing of it copied either
        log.debug("document-level content not counted: %s", exc)


def _foreign(pdf: Pdf, value: Any, depth: int = 0) -> Any:
    """``value`` of another file, made part of ``pdf`` (indirect objects copied with what they refer to)."""
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return pdf.copy_foreign(value)
    if depth > 32:
        return None
    if isinstance(value, Dictionary):
        return Dictionary({k: _foreign(pdf, v, depth + 1) for k, v in value.items()})
    if isinstance(value, Array):
        return Array([_foreign(pdf, v, depth + 1) for v in value])
    return value


def _target(annot: Dictionary, subtype: str, dests: _Dests, removed: Counter, keys: set[str]) -> tuple[str, Any] | None:
    """Where the copy of an annotation leads: ("/Dest", explicit destination) or ("/A", a URI action).

    None when it leads nowhere, or nowhere safe (the unsafe action is counted in ``removed``); only
    links may turn their action into a destination. ``keys``: the annotation's.
    """
    if subtype == "/Link" and "/Dest" in keys:
        dest = dests.resolve(annot["/Dest"])
        return ("/Dest", dest) if dest is not None else None
    if "/A" not in keys:
        return None
    safe = _safe_action(annot["/A"], dests, removed)
    if safe is None or (safe[0] == "dest" and subtype != "/Link"):
        return None
    kind, value = safe
    if kind == "dest":
        return ("/Dest", value)
    return ("/A", Dictionary(S=Name.URI, URI=pikepdf.String(value)))


def _clone(pdf: Pdf, annot: Dictionary, copied: set[tuple[int, int]]) -> Dictionary:
    """A copy of an annotation in ``pdf`` without the keys not copied: qpdf copies it whole (those keys set aside
    meanwhile: they lead to pages), and only once (an annotation on two pages is copied key by key the second
    time: qpdf would give the same copy)."""
    if annot.is_indirect and annot.objgen not in copied:
        copied.add(annot.objgen)
        kept = {k: annot[k] for k in _NOT_COPIED if k in annot}
        for key in kept:
            del annot[key]
        try:
            clone = pdf.copy_foreign(annot)
        finally:
            for key, value in kept.items():
                annot[key] = value
        for key in _NOT_COPIED:  # qpdf's earlier copy, when the page reaches the annotation by another key too,
            if key in clone:  # has them all (a JavaScript /A among them)
                del clone[key]
        return clone
    return pdf.make_indirect(Dictionary({k: _foreign(pdf, v) for k, v in annot.items() if k not in _NOT_COPIED}))


def _kept(annot: Any, dests: _Dests, removed: Counter,
          keys: set[str] | None = None) -> tuple[bool, tuple[str, Any] | None]:
    """Whether an annotation is kept, and where it then leads (see :func:`_target`); what it loses is counted.
    ``keys``: the annotation's, when read already."""
    if not isinstance(annot, Dictionary):
        return False, None
    keys = annot.keys() if keys is None else keys
    subtype = _text(annot.get("/Subtype"))
    if subtype in DROPPED_ANNOTATIONS:
        if subtype != "/Popup":
            removed[f"{subtype.lstrip('/')} annotation"] += 1
        return False, None
    if "/AA" in keys:
        removed["annotation additional action (/AA)"] += 1
    target = _target(annot, subtype, dests, removed, keys)
    return not (subtype == "/Link" and target is None), target  # a link that leads nowhere safe is not kept at all


def _annotations(annots: Any, pdf: Pdf, new_page: Dictionary, dests: _Dests, removed: Counter,
                 copied: set[tuple[int, int]]) -> Array:
    out = Array()
    if not isinstance(annots, Array):
        return out
    for annot in annots:
        try:
            kept, target = _kept(annot, dests, removed)
            if not kept:
                continue
            clone = _clone(pdf, annot, copied)
            clone.P = new_page
            if target is not None:
                clone[target[0]] = target[1]
            out.append(clone)
        except Exception as exc:  # noqa: BLE001 - a broken annotation is dropped, the page is kept
            log.debug("annotation dropped: %s", exc)
    return out


def open_pdf(path: Path | Any) -> Pdf:
    """Open a PDF (a path or a binary stream) for copying: an empty user password opens it, and attributes its
    pages inherit from the page tree (/MediaBox, /CropBox, /Resources, /Rotate) are set on each page."""
    return Pdf.open(path, inherit_page_attributes=True)

"""Active content: scripts, launch and other actions, attachments, rich media and XFA, found by walking the
document from its catalog and its pages (read-only; the stamp stage removes what is found)."""

from __future__ import annotations

import re
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from proceedings.checks.pdfcheck import WALK_BUDGET, elements, get, items, name_of, ref_key, resolve
from proceedings.findings import Finding
from proceedings.util.tolerant import tolerant

_BAD_ACTIONS = {
    "JavaScript": "javascript",
    "Launch": "launch-action",
    "RichMediaExecute": "rich-media",
    "Rendition": "rich-media",
    "Movie": "rich-media",
    "Sound": "rich-media",
}
_MEDIA_ANNOTS = {"RichMedia", "Screen", "Movie", "Sound", "3D"}

_ACTIVE_TEXT = {
    "javascript": ("JavaScript", "Remove the JavaScript (document scripts, form field scripts, button actions); "
                                 "export the PDF again from the source without interactive features."),
    "launch-action": ("an action that launches a file or program",
                      "Remove the link or button that launches a file or program; link to a web page instead."),
    "open-action": ("an action run when the file is opened (other than going to a page)",
                    "Remove the open action (the document should simply open on page 1)."),
    "embedded-file": ("embedded (attached) files",
                      "Remove the attachments; publish supplementary material separately."),
    "rich-media": ("rich media (video, sound, 3D or Flash content)",
                   "Replace embedded media with a still image and a link to the media online."),
    "xfa": ("an XFA form", "Export the PDF again without forms (XFA forms are not allowed in proceedings)."),
}


class _ActiveWalker:
    def __init__(self) -> None:
        self.found: dict[str, tuple[int | None, int]] = {}
        self.seen: set[Any] = set()
        self.budget = WALK_BUDGET

    def hit(self, rule: str, page: int | None) -> None:
        first, n = self.found.get(rule, (page, 0))
        if first is None or (page is not None and page < first):
            first = page
        self.found[rule] = (first, n + 1)

    def action(self, ref: Any, page: int | None, open_action: bool = False, depth: int = 0) -> None:
        """An action dictionary and its /Next chain."""
        if depth > 16 or self.budget <= 0:
            return
        key = ref_key(ref)
        if isinstance(ref, IndirectObject):
            if key in self.seen:
                return
            self.seen.add(key)
        self.budget -= 1
        act = resolve(ref)
        if isinstance(act, ArrayObject):  # a destination (open action) or an array of /Next actions
            if not open_action:
                for nxt in elements(act, 64):
                    self.action(nxt, page, False, depth + 1)
            return
        if not isinstance(act, DictionaryObject):
            return
        kind = name_of(get(act, "/S"))
        if kind in _BAD_ACTIONS:
            self.hit(_BAD_ACTIONS[kind], page)
        elif open_action and kind and kind != "GoTo":
            self.hit("open-action", page)
        nxt = act.get("/Next")
        if nxt is not None:
            self.action(nxt, page, open_action, depth + 1)

    def additional(self, aa: Any, page: int | None) -> None:
        for _, ref in items(aa):
            self.action(ref, page)

    def annotations(self, page_obj: Any, page: int) -> None:
        for ref in elements(get(page_obj, "/Annots"), 5000):
            self.budget -= 1
            if self.budget <= 0:
                return
            annot = resolve(ref)
            if not isinstance(annot, DictionaryObject):
                continue
            subtype = name_of(get(annot, "/Subtype"))
            if subtype == "FileAttachment":
                self.hit("embedded-file", page)
            elif subtype in _MEDIA_ANNOTS:
                self.hit("rich-media", page)
            if annot.get("/A") is not None:
                self.action(annot.get("/A"), page)
            if annot.get("/AA") is not None:
                self.additional(annot.get("/AA"), page)

    def fields(self, ref: Any, depth: int = 0) -> None:
        if depth > 32 or self.budget <= 0:
            return
        key = ref_key(ref)
        if key in self.seen:
            return
        self.seen.add(key)
        self.budget -= 1
        fld = resolve(ref)
        if not isinstance(fld, DictionaryObject):
            return
        if fld.get("/A") is not None:
            self.action(fld.get("/A"), None)
        if fld.get("/AA") is not None:
            self.additional(fld.get("/AA"), None)
        for kid in elements(get(fld, "/Kids"), 5000):
            self.fields(kid, depth + 1)


def _name_tree_has_entries(tree: Any, depth: int = 0, seen: set | None = None) -> bool:
    """Whether a name tree holds at least one entry (cycle-safe)."""
    seen = set() if seen is None else seen
    if depth > 32:
        return False
    key = ref_key(tree)
    if key in seen:
        return False
    seen.add(key)
    node = resolve(tree)
    if not isinstance(node, DictionaryObject):
        return False
    if elements(get(node, "/Names"), 2):
        return True
    return any(_name_tree_has_entries(kid, depth + 1, seen) for kid in elements(get(node, "/Kids"), 256))


_ACTIVE_TOKENS = re.compile(
    rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia\w*|XFA|FileAttachment|Screen|Movie|Sound|Rendition|3D|AA"
    rb"|OpenAction(?!\s*\[))(?![A-Za-z0-9])")  # an open action that is a plain destination is harmless
_ESCAPED_NAME = re.compile(rb"/[!-~]*#[0-9A-Fa-f]{2}")


def may_have_active_content(data: bytes, reader: PdfReader | None = None) -> bool:
    """False only when the file's bytes prove it has no active content (then the walk is skipped).

    Every dictionary is either plain text in the file or inside an object stream; a file whose
    text and object streams name none of the keys and types that active content needs (and hide no
    name behind # escapes) has none.
    """
    if _ACTIVE_TOKENS.search(data) or _ESCAPED_NAME.search(data):
        return True
    if b"/ObjStm" not in data:
        return False
    streams = None if reader is None else tolerant(lambda: {entry[0] for entry in reader.xref_objStm.values()}, None)
    if streams is None:
        return True
    for number in sorted(streams)[:10_000]:
        try:
            inner = resolve(IndirectObject(number, 0, reader)).get_data()
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001 - a broken object stream: walk to be sure
            return True
        if _ACTIVE_TOKENS.search(inner) or _ESCAPED_NAME.search(inner):
            return True
    return False


def check_active_content(reader: PdfReader, count: int) -> list[Finding]:
    """Errors for JavaScript, launch and non-GoTo open actions, attachments, rich media and XFA."""
    walker = _ActiveWalker()
    root = tolerant(lambda: reader.trailer.get("/Root"), None)
    names = get(root, "/Names")
    if _name_tree_has_entries(get(names, "/JavaScript")):
        walker.hit("javascript", None)
    if _name_tree_has_entries(get(names, "/EmbeddedFiles")):
        walker.hit("embedded-file", None)
    open_action = get(root, "/OpenAction") if root is not None else None
    if open_action is not None:
        walker.action(resolve(root).get("/OpenAction"), None, open_action=True)
    if get(root, "/AA") is not None:
        walker.additional(get(root, "/AA"), None)
    acroform = get(root, "/AcroForm")
    if acroform is not None:
        if get(acroform, "/XFA") is not None:
            walker.hit("xfa", None)
        for ref in elements(get(acroform, "/Fields"), 5000):
            walker.fields(ref)
    for number in range(1, count + 1):
        if walker.budget <= 0:
            break
        try:
            page = reader.pages[number - 1]
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001
            continue
        if get(page, "/AA") is not None:
            walker.additional(get(page, "/AA"), number)
        walker.annotations(page, number)
    out = []
    for rule in ("javascript", "launch-action", "open-action", "embedded-file", "rich-media", "xfa"):
        if rule not in walker.found:
            continue
        page, n = walker.found[rule]
        what, fix = _ACTIVE_TEXT[rule]
        where = f" (first on page {page})" if page else ""
        times = f" ({n}×)" if n > 1 else ""
        out.append(Finding(rule, "error", page,
                           f"The PDF contains {what}{times}{where}; the volume cannot carry it (the merge "
                           "removes it).", fix))
    return out

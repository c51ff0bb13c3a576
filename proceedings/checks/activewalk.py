"""Active content: scripts, launch and other actions, attachments, rich media and XFA, found by walking the
document from its catalog and its pages (read-only; the stamp stage removes what is found).

The walk reads qpdf's objects (a few hundred on a paper with links: well under a millisecond), so
every file is walked; with pypdf, a scan of the file's bytes and object streams for the names
active content needs used to decide first whether to walk at all.
"""

from __future__ import annotations

from typing import Any

from pikepdf import Array, Pdf

from proceedings.checks.pdfcheck import (
    DICTS,
    WALK_BUDGET,
    Visited,
    elements,
    get,
    get_rare,
    is_indirect,
    items,
    name_of,
    page_object,
)
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
        self.seen = Visited()
        self.budget = WALK_BUDGET

    def hit(self, rule: str, page: int | None) -> None:
        first, n = self.found.get(rule, (page, 0))
        if first is None or (page is not None and page < first):
            first = page
        self.found[rule] = (first, n + 1)

    def action(self, act: Any, page: int | None, open_action: bool = False, depth: int = 0) -> None:
        """An action dictionary and its /Next chain."""
        if depth > 16 or self.budget <= 0:
            return
        if is_indirect(act) and not self.seen.first(act):
            return
        self.budget -= 1
        if isinstance(act, Array):  # a destination (open action) or an array of /Next actions
            if not open_action:
                for nxt in elements(act, 64):
                    self.action(nxt, page, False, depth + 1)
            return
        if not isinstance(act, DICTS):
            return
        kind = name_of(get(act, "/S"))
        if kind in _BAD_ACTIONS:
            self.hit(_BAD_ACTIONS[kind], page)
        elif open_action and kind and kind != "GoTo":
            self.hit("open-action", page)
        nxt = get_rare(act, "/Next")  # a chain of actions is rare
        if nxt is not None:
            self.action(nxt, page, open_action, depth + 1)

    def additional(self, aa: Any, page: int | None) -> None:
        for _, ref in items(aa):
            self.action(ref, page)

    def annotations(self, page_obj: Any, page: int) -> None:
        for annot in elements(get(page_obj, "/Annots"), 5000):
            self.budget -= 1
            if self.budget <= 0:
                return
            if not isinstance(annot, DICTS):
                continue
            subtype = name_of(get(annot, "/Subtype"))
            if subtype == "FileAttachment":
                self.hit("embedded-file", page)
            elif subtype in _MEDIA_ANNOTS:
                self.hit("rich-media", page)
            act, more = get(annot, "/A"), get_rare(annot, "/AA")  # a link has an action, seldom more
            if act is not None:
                self.action(act, page)
            if more is not None:
                self.additional(more, page)

    def fields(self, fld: Any, depth: int = 0) -> None:
        if depth > 32 or self.budget <= 0:
            return
        if not self.seen.first(fld):
            return
        self.budget -= 1
        if not isinstance(fld, DICTS):
            return
        act, more = get_rare(fld, "/A"), get_rare(fld, "/AA")
        if act is not None:
            self.action(act, None)
        if more is not None:
            self.additional(more, None)
        for kid in elements(get(fld, "/Kids"), 5000):
            self.fields(kid, depth + 1)


def _name_tree_has_entries(node: Any, depth: int = 0, seen: Visited | None = None) -> bool:
    """Whether a name tree holds at least one entry (cycle-safe)."""
    seen = Visited() if seen is None else seen
    if depth > 32:
        return False
    if not seen.first(node):
        return False
    if not isinstance(node, DICTS):
        return False
    if elements(get(node, "/Names"), 2):
        return True
    return any(_name_tree_has_entries(kid, depth + 1, seen) for kid in elements(get(node, "/Kids"), 256))


def check_active_content(pdf: Pdf, count: int) -> list[Finding]:
    """Errors for JavaScript, launch and non-GoTo open actions, attachments, rich media and XFA."""
    walker = _ActiveWalker()
    root = tolerant(lambda: pdf.trailer.get("/Root"), None)
    names = get(root, "/Names")
    if _name_tree_has_entries(get_rare(names, "/JavaScript")):
        walker.hit("javascript", None)
    if _name_tree_has_entries(get_rare(names, "/EmbeddedFiles")):
        walker.hit("embedded-file", None)
    open_action = get(root, "/OpenAction")
    if open_action is not None:
        walker.action(open_action, None, open_action=True)
    more = get_rare(root, "/AA")
    if more is not None:
        walker.additional(more, None)
    acroform = get_rare(root, "/AcroForm")
    if acroform is not None:
        if get_rare(acroform, "/XFA") is not None:
            walker.hit("xfa", None)
        for ref in elements(get(acroform, "/Fields"), 5000):
            walker.fields(ref)
    for number in range(1, count + 1):
        if walker.budget <= 0:
            break
        try:
            page = page_object(pdf, number)
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001
            continue
        more = get_rare(page, "/AA")
        if more is not None:
            walker.additional(more, number)
        walker.annotations(page, number)
    out = []
    for rule in ("javascript", "launch-action", "open-action", "embedded-file", "rich-media", "xfa"):
        if rule not in walker.found:
            continue
        page, n = walker.found[rule]
        what, fix = _ACTIVE_TEXT[rule]
        where = f" (first on page {page})" if page else ""
        times = f" ({n}×)" if n > 1 else ""
        out.append(Finding("active-content", "error", page,
                           f"The PDF contains {what}{times}{where}; the volume cannot carry it (the merge "
                           "removes it).", fix))
    return out

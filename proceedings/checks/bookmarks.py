"""Where the references probably start, by the paper's own links: bookmarks and bibliography anchors.

The outline and the named destinations are read with pikepdf by the rules validation has always
read them by (pypdf's): the outline from /Outlines /First through /First and /Next, a cycle cut
where it closes (unlike pypdf, an item is read once even when two parents share it: pypdf's copy of
what was visited for each level made a hostile outline quadratic), failing as a whole past 100
levels or 100,000 entries, on a named-destination tree
that cannot be read, or on an item whose action or /Count is not what it must be; named
destinations from the catalog's /Dests dictionary, else from the /Names /Dests name tree. A
destination leads to a page by the page's object number; one with a fit type unknown (and
arguments) leads to page 1.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pikepdf
from pikepdf import Array, Pdf

from proceedings.checks.pdfcheck import DICTS, get, has, is_indirect, ref_key
from proceedings.checks.textcheck import HEADING_WORDS, fold
from proceedings.util.tolerant import tolerant

MAX_DEPTH = 100
"""Levels of an outline or a name tree past which it is not read at all."""
MAX_ENTRIES = 100_000
"""Outline items, or name tree nodes, past which the outline or the names are not read at all."""

_FITS = frozenset(("/XYZ", "/Fit", "/FitB", "/FitH", "/FitBH", "/FitV", "/FitBV", "/FitR"))
_PREFIXES = ("cite.", "bib.", "bib")
"""Names of bibliography anchors (hyperref's cite.*, natbib's and biblatex's bib*)."""


class _Unreadable(Exception):
    """The outline, or the named destinations, cannot be read as a whole."""


class _Reader:
    """One document's destinations: which page (0-based index) each leads to."""

    def __init__(self, pdf: Pdf, count: int) -> None:
        self.count = count
        self.root = tolerant(lambda: pdf.Root, None)
        self.page_index: dict[int, int] = {}
        for index in range(count):
            page = tolerant(lambda i=index: pdf.pages[i].obj, None)
            if page is not None and page.is_indirect:
                self.page_index[page.objgen[0]] = index
        self.held: list[Any] = []  # direct objects keyed by identity while a walk runs

    def key(self, obj: Any) -> Any:
        self.held.append(obj)
        return ref_key(obj)

    def page_of(self, dest: Any) -> int | None:
        """The page an explicit destination leads to (None: nowhere, or not to a page of this document)."""
        if not isinstance(dest, Array):
            return None
        size = len(dest)
        if size < 2:
            return None
        target, fit = dest[0], dest[1]
        if size > 2 and _text(fit) not in _FITS:
            return 0 if self.count else None
        if isinstance(target, int) and not isinstance(target, bool):
            return self.page_index.get(target)  # a number is taken for a page's object number
        if isinstance(target, pikepdf.Object) and is_indirect(target):
            return self.page_index.get(target.objgen[0])
        return None

    # ----------------------------------------------------------------- named destinations

    def named(self) -> dict[str, int | None]:
        """Name -> page of every named destination, in the order they are found; raises :class:`_Unreadable`."""
        found: dict[str, int | None] = {}
        root = self.root
        tree = None
        if has(root, "/Dests"):
            tree = get(root, "/Dests")
        elif isinstance(get(root, "/Names"), DICTS) and has(get(root, "/Names"), "/Dests"):
            tree = get(get(root, "/Names"), "/Dests")
        if tree is not None and not isinstance(tree, DICTS):
            return found
        self._tree(tree, found, set(), 0, [0])
        return found

    def _tree(self, tree: Any, found: dict[str, int | None], visited: set, depth: int, entries: list[int]) -> None:
        if tree is None:
            return
        if depth > MAX_DEPTH:
            raise _Unreadable("the named destinations are nested too deep")
        if not isinstance(tree, DICTS):
            raise _Unreadable("a node of the named destinations is not a dictionary")
        if not self._first_visit(tree, visited, entries, "named destinations"):
            return
        if has(tree, "/Kids"):
            kids = get(tree, "/Kids")
            for kid in kids if isinstance(kids, Array) else ():
                self._tree(kid, found, visited, depth + 1, entries)
        elif has(tree, "/Names"):
            names = get(tree, "/Names")
            pairs = list(names) if isinstance(names, Array) else []
            i = 0
            while i < len(pairs):
                name, i = pairs[i], i + 1
                if not isinstance(name, (pikepdf.Name, pikepdf.String)):
                    continue
                if i >= len(pairs):
                    break
                value, i = pairs[i], i + 1
                if not isinstance(value, DICTS):
                    found[_text(name)] = self.page_of(value)
                    continue
                dest = get(value, "/D")  # read at once (a destination dictionary has one): not None, it is there
                if dest is not None or has(value, "/D"):
                    found[_text(name)] = self.page_of(dest)
        else:  # a /Dests dictionary of the catalog (PDF 1.1): names are its keys, slash and all
            for name, value in tolerant(lambda: list(tree.items()), []):
                if not isinstance(value, DICTS) or has(value, "/D"):
                    found[name] = self.page_of(_explicit(value))

    def _first_visit(self, node: Any, visited: set, entries: list[int], what: str) -> bool:
        """Whether ``node`` is met for the first time; each first meeting counts against :data:`MAX_ENTRIES`
        (past it: :class:`_Unreadable`, "too many ``what``")."""
        key = self.key(node)
        if key in visited:
            return False
        visited.add(key)
        entries[0] += 1
        if entries[0] > MAX_ENTRIES:
            raise _Unreadable(f"too many {what}")
        return True

    # ----------------------------------------------------------------- outline

    def outline(self, named: dict[str, int | None]) -> list[Any]:
        """The outline as nested lists of (title, page) (a list follows the item it is under); raises."""
        lines = get(self.root, "/Outlines")
        if not isinstance(lines, DICTS):
            return []
        out: list[Any] = []
        self._items(get(lines, "/First"), out, set(), 0, [0], named)
        return out

    def _items(self, node: Any, out: list[Any], visited: set, depth: int, entries: list[int],
               named: dict[str, int | None]) -> None:
        if node is None:
            return
        if depth > MAX_DEPTH:
            raise _Unreadable("the outline is nested too deep")
        while True:
            if not self._first_visit(node, visited, entries, "outline items"):
                break
            if not isinstance(node, DICTS):
                break
            out.append(self._item(node, named))
            if has(node, "/First"):
                inner: list[Any] = []
                self._items(get(node, "/First"), inner, visited, depth + 1, entries, named)  # each item read once
                # (a copy of what was visited for each level of children made a hostile outline quadratic)
                if inner:
                    out.append(inner)
            if not has(node, "/Next"):
                break
            node = get(node, "/Next")

    def _item(self, node: Any, named: dict[str, int | None]) -> tuple[str, int | None]:
        title = _text(get(node, "/Title")) if has(node, "/Title") else ""
        dest = None
        if has(node, "/A"):
            action = get(node, "/A")
            if isinstance(action, DICTS):
                if _text(get(action, "/S")) == "/GoTo" and has(action, "/D"):
                    dest = get(action, "/D")
            elif not isinstance(action, (Array, pikepdf.Name, pikepdf.String)):
                raise _Unreadable("an outline item's action is not a dictionary")
        elif has(node, "/Dest"):
            dest = get(node, "/Dest")
            if isinstance(dest, DICTS) and has(dest, "/D"):
                dest = get(dest, "/D")
        if has(node, "/Count"):
            count = get(node, "/Count")
            if not isinstance(count, (int, Decimal)) or isinstance(count, bool):
                raise _Unreadable("an outline item's /Count is not a number")
        if isinstance(dest, Array):
            return title, self.page_of(dest)
        if isinstance(dest, (pikepdf.Name, pikepdf.String)):
            return title, named.get(_text(dest))
        return title, None


def _text(value: Any) -> str:
    """A name ("/GoTo") or string as text; "" for anything else."""
    if isinstance(value, pikepdf.String):
        try:  # as util.tolerant, without a function made for each name
            text = str(value)
        except (MemoryError, RecursionError):
            raise
        except Exception:  # noqa: BLE001 - a hostile file may make a reader raise anything
            text = ""
        return text or tolerant(lambda: bytes(value).decode("latin-1"), "")
    return str(value) if isinstance(value, pikepdf.Name) else ""


def hint_pages(pdf: Pdf, count: int) -> list[int]:
    """Pages where the references probably start: bookmarks named so, the first bibliography anchor."""
    reader = _Reader(pdf, count)
    named = tolerant(reader.named, None)
    outline = tolerant(lambda: reader.outline(named)[:500], []) if named is not None else []
    hints: list[int] = []
    stack = [outline]
    seen = 0
    while stack and seen < 1000:
        level = stack.pop()
        for item in level:
            seen += 1
            if isinstance(item, list):
                stack.append(item[:500])
                continue
            title, number = item
            if re.sub(r"[\W\d_]+", "", fold(title)) in HEADING_WORDS and number is not None and 0 <= number < count:
                hints.append(number + 1)
    first = None
    for name, number in list((named or {}).items())[:20000]:
        if name.startswith(_PREFIXES) and number is not None and 0 <= number < count and (
                first is None or number < first):
            first = number
    if first is not None:
        hints.extend([first + 1, first])
    return [h for h in dict.fromkeys(hints) if 1 <= h <= count]


def _explicit(value: Any) -> Any:
    """A destination as its array: a dictionary's /D, anything else as it is."""
    return get(value, "/D") if isinstance(value, DICTS) else value

"""The Markdown parser of the preface and the talks' abstracts and biographies, in the PDF and in index.html."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

DELIMITER_ROW = re.compile(r"\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*")
"""A table's delimiter row (``|---|:--:|``; with a bar, as every table's has), as a line of text when its table
is not one (header and delimiter rows with unlike numbers of cells)."""
_BREAKS = ("softbreak", "hardbreak")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def without_comments(text: str) -> str:
    """Markdown with its HTML comments (``<!-- ... -->``, over several lines too) left out: notes to whoever edits
    the file (the preface template's), never printed; any other raw HTML stays, printed as text."""
    return _COMMENT.sub("", text)


def _keep_delimiter_rows(state: StateCore) -> None:
    """Hide from the typographer (``---`` to an em dash) each line of text that is a table's delimiter row."""
    for block in state.tokens:
        line = block.children or []
        for n, tok in enumerate(line):
            if tok.type == "text" and "|" in tok.content and DELIMITER_ROW.fullmatch(tok.content) and (
                    n == 0 or line[n - 1].type in _BREAKS) and (n + 1 == len(line) or line[n + 1].type in _BREAKS):
                tok.type = "text_kept"


def _restore_delimiter_rows(state: StateCore) -> None:
    """The lines :func:`_keep_delimiter_rows` hid are text again, for the renderers."""
    for block in state.tokens:
        for tok in block.children or []:
            if tok.type == "text_kept":
                tok.type = "text"


def parser() -> MarkdownIt:
    """CommonMark with GitHub's tables, raw HTML as text (never obeyed; unsafe link schemes dropped) and the
    typographer (quotes, dashes), which leaves a table's delimiter row as written. Nested past maxNesting,
    markdown-it would drop the text."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": True, "maxNesting": 200}).enable(
        ["table", "replacements", "smartquotes"])
    md.core.ruler.before("replacements", "keep_delimiter_rows", _keep_delimiter_rows)
    md.core.ruler.after("smartquotes", "restore_delimiter_rows", _restore_delimiter_rows)
    return md

"""A Markdown subset (headings, paragraphs, emphasis, lists, links, quotes) as ReportLab flowables."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from reportlab.platypus import Flowable, ListFlowable, ListItem, Paragraph, Spacer

from proceedings.text import web_link
from proceedings.typeset import fonts
from proceedings.typeset.styles import LINK, Styles, esc

_md = MarkdownIt("commonmark", {"html": False, "typographer": True, "maxNesting": 200}).enable(
    "replacements").enable("smartquotes")  # nested past maxNesting, markdown-it would drop the text

MAX_LIST_DEPTH = 6
"""Lists nested deeper than this are printed at this depth, each item a paragraph with a dash: each level
indents its text, and a page has room for only so many."""


_INLINE_TAGS = {"strong_open": "<b>", "strong_close": "</b>", "em_open": "<i>", "em_close": "</i>",
                "link_close": "</a>", "softbreak": " ", "hardbreak": "<br/>"}


def _inline(tokens) -> str:
    """ReportLab paragraph markup of a Markdown inline run."""
    out: list[str] = []
    for tok in tokens or []:
        if tok.type in _INLINE_TAGS:
            out.append(_INLINE_TAGS[tok.type])
        elif tok.type in ("text", "image"):
            out.append(esc(tok.content))
        elif tok.type == "code_inline":
            out.append(f"<font color='#333333'>{esc(tok.content)}</font>")
        elif tok.type == "link_open":
            href = web_link(str(tok.attrs.get("href") or ""))  # "#section", "notes.html": the text, not linked
            out.append(f'<a href="{esc(href)}" color="{LINK}">' if href else "<a>")
    return "".join(out)


def _inline_chunks(tokens, limit: int = 2_000) -> list[str]:
    """The markup of an inline run, cut at line breaks outside any emphasis or link into pieces of about
    ``limit`` characters: ReportLab's time to split one paragraph across pages grows with its square."""
    pieces: list[str] = []
    start = depth = length = 0
    tokens = list(tokens or [])
    for i, tok in enumerate(tokens):
        depth += 1 if tok.type.endswith("_open") else -1 if tok.type.endswith("_close") else 0
        length += len(tok.content)
        if tok.type in ("softbreak", "hardbreak") and depth == 0 and length > limit:
            pieces.append(_inline(tokens[start:i]))
            start, length = i + 1, 0
    pieces.append(_inline(tokens[start:]))
    return [p for p in pieces if p.strip()] or [""]


def markdown_flowables(text: str, styles: Styles) -> tuple[str | None, list[Flowable]]:
    """Render a Markdown subset (headings, paragraphs, emphasis, lists, links, quotes) as flowables.

    Returns the first level-1 heading (used as the section title) and the flowables.
    """
    tokens = _md.parse(text)
    title: str | None = None
    story: list[Flowable] = []
    stack: list[list] = []  # open lists: [ordered, items]
    item_stack: list[list[Flowable]] = []
    quote = 0
    deep_item = False  # an item too deep to be listed opened: its first paragraph not yet written

    def emit(flowable: Flowable) -> None:
        (item_stack[-1] if item_stack else story).append(flowable)

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            content = _inline(tokens[i + 1].children)
            level = int(tok.tag[1])
            if level == 1 and title is None and not story:
                title = re.sub(r"<[^>]+>", "", content)
            else:
                emit(Paragraph(content, styles.h2 if level <= 2 else styles.h3))
            i += 3
            continue
        if tok.type == "paragraph_open":
            style = styles.body_left if item_stack else styles.body
            if quote:
                style = styles.small
            for n, piece in enumerate(_inline_chunks(tokens[i + 1].children)):
                dashed = deep_item and n == 0  # an item too deep: a paragraph of the one it is in, dashed once
                emit(Paragraph(("– " if dashed else "") + piece, style))
            deep_item = False
            i += 3
            continue
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            stack.append([tok.type == "ordered_list_open", []])
        elif tok.type == "list_item_open" and len(stack) <= MAX_LIST_DEPTH:
            item_stack.append([])
        elif tok.type == "list_item_open":
            deep_item = True
        elif tok.type == "list_item_close" and len(stack) <= MAX_LIST_DEPTH:
            content = item_stack.pop()
            stack[-1][1].append(ListItem(content or [Paragraph("", styles.body_left)], leftIndent=16))
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            ordered, items = stack.pop()
            if items:
                emit(ListFlowable(items, bulletType="1" if ordered else "bullet", start="1" if ordered else "•",
                                  bulletFontName=fonts.REGULAR, bulletFontSize=9.5, leftIndent=16, spaceAfter=6))
        elif tok.type == "blockquote_open":
            quote += 1
        elif tok.type == "blockquote_close":
            quote -= 1
        elif tok.type in ("fence", "code_block"):
            emit(Paragraph(esc(tok.content).replace("\n", "<br/>"), styles.small))
        elif tok.type == "hr":
            emit(Spacer(1, 10))
        i += 1
    return title, story

"""A Markdown subset (headings, paragraphs, emphasis, lists, links, quotes, tables) as ReportLab flowables."""

from __future__ import annotations

import re

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, ListFlowable, ListItem, Paragraph, Spacer, Table, TableStyle

from proceedings.text import web_link
from proceedings.typeset import fonts
from proceedings.typeset.mdparse import parser, without_comments
from proceedings.typeset.styles import LINK, RULE, TABLE_FONT, Styles, esc

_md = parser()

MAX_TABLE_COLUMNS = 12
"""A table with more columns is printed a row to a paragraph, its cells parted by bars: in narrower columns each
line would hold a few letters."""
TABLE_PIECE_ROWS = 500
"""A long table is typeset as tables of this many rows, each under the header row: ReportLab's time to lay a
table over pages grows with the square of its rows (16,000 rows: 25 s in one table, 4 s in pieces)."""
MAX_REPEATED_HEAD = 144.0
"""A header row taller than this (points) is not repeated after a page break, but split as any row."""
CELL_PADDING = 4.0
_ALIGN = {"text-align:left": TA_LEFT, "text-align:center": TA_CENTER, "text-align:right": TA_RIGHT}

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


def _table_rows(tokens, i: int) -> tuple[list[list[tuple[list, int]]], int]:
    """The rows of the table opening at ``tokens[i]``, its header first, each cell its inline tokens and its
    alignment; and the index of the table's end."""
    rows: list[list[tuple[list, int]]] = []
    while tokens[i].type != "table_close":
        tok = tokens[i]
        if tok.type == "tr_open":
            rows.append([])
        elif tok.type in ("th_open", "td_open"):
            rows[-1].append((tokens[i + 1].children or [], _ALIGN.get(str(tok.attrs.get("style", "")), TA_LEFT)))
        i += 1
    return rows, i


def _rows_as_text(rows: list[list[tuple[list, int]]], style: ParagraphStyle, limit: int = 2_000) -> list[Flowable]:
    """A table too wide for columns: each row a paragraph (or more, of about ``limit`` characters), the header's
    in bold, its cells parted by bars."""
    out: list[Flowable] = []
    for n, row in enumerate(rows):
        line: list[str] = []
        for children, _ in row:
            line.append(f"<b>{_inline(children)}</b>" if n == 0 else _inline(children))
            if sum(len(x) for x in line) > limit:
                out.append(Paragraph(" | ".join(line), style))
                line = []
        if line:
            out.append(Paragraph(" | ".join(line), style))
    return out


class _FitTable(Table):
    """A table whose columns share the width it is given (a list item's is narrower than the page's), from
    ``measures``: each column's widest word and widest cell on one line, in points, padding included."""

    measures: tuple[list[float], list[float]] | None = None  # the parts a page break splits off have widths

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self.measures is not None:
            self._argW = self._colWidths = share_width(*self.measures, availWidth)
        size = super().wrap(availWidth, availHeight)
        if self.repeatRows and self._rowHeights[0] > MAX_REPEATED_HEAD:  # else a page break cannot split it
            self.repeatRows = 0
        return size


def share_width(least: list[float], want: list[float], width: float) -> list[float]:
    """Column widths filling ``width``: every cell on one line when they fit (the width shared as they ask),
    else each column its widest word (no more than an equal share; a longer word is split) and the rest shared
    as the columns' longer cells need."""
    least = [max(min(x, width / len(least)), 2 * CELL_PADDING + 1) for x in least]  # never narrower than padding
    need = [max(w - x, 0.0) for w, x in zip(want, least)]
    spare = width - sum(least)
    if spare <= 0:  # columns too many for the width (a table deep in a narrow frame): as narrow as they may be
        return least
    if sum(need) <= spare:
        return [width * w / sum(want) for w in want]
    return [x + spare * n / sum(need) for x, n in zip(least, need)]


def _measures(rows: list[list[tuple[list, int]]], looks: list[ParagraphStyle]) -> tuple[list[float], list[float]]:
    """Each column's widest word and widest cell, on one line, in its row's font (header, body), padded."""
    least = [2 * CELL_PADDING] * len(rows[0])
    want = list(least)
    for n, row in enumerate(rows):
        look = looks[min(n, 1)]
        for c, (children, _) in enumerate(row):
            text = "".join(t.content for t in children if t.type in ("text", "code_inline"))
            words = [stringWidth(w, look.fontName, look.fontSize) for w in text.split()] or [0.0]
            least[c] = max(least[c], max(words) + 2 * CELL_PADDING)
            want[c] = max(want[c], sum(words) + len(words) * look.fontSize * 0.25 + 2 * CELL_PADDING)
    return least, want


def _table(rows: list[list[tuple[list, int]]], styles: Styles) -> list[Flowable]:
    """A Markdown table: its header row in bold, repeated after a page break; cells aligned as the delimiter row
    says; a row too tall for a page split. A long one as tables of :data:`TABLE_PIECE_ROWS` rows, each under the
    header, all with the same columns."""
    columns = len(rows[0])
    if columns > MAX_TABLE_COLUMNS:
        return _rows_as_text(rows, styles.small)
    size = 9.0 if columns <= 6 else 8.0
    base = ParagraphStyle("table-cell", parent=styles.small, fontSize=size, leading=size + 2.5, spaceAfter=0)
    heads = ParagraphStyle("table-head", parent=base, fontName=fonts.BOLD)
    looks = {(look, align): ParagraphStyle(f"{look.name}-{align}", parent=look, alignment=align)
             for look in (heads, base) for align in _ALIGN.values()}
    cells = [[Paragraph(_inline(children), looks[heads if n == 0 else base, align]) for children, align in row]
             for n, row in enumerate(rows)]
    measures = _measures(rows, [heads, base])
    everywhere = ((0, 0), (-1, -1))
    look = TableStyle([TABLE_FONT, ("VALIGN", *everywhere, "TOP"),
                       ("LINEABOVE", (0, 0), (-1, 0), 0.8, RULE), ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
                       ("LEFTPADDING", *everywhere, CELL_PADDING), ("RIGHTPADDING", *everywhere, CELL_PADDING),
                       ("TOPPADDING", *everywhere, 2), ("BOTTOMPADDING", *everywhere, 3)])
    body = cells[1:]
    story: list[Flowable] = []
    for k in range(0, max(len(body), 1), TABLE_PIECE_ROWS):
        table = _FitTable([cells[0], *body[k:k + TABLE_PIECE_ROWS]], repeatRows=1, splitInRow=1, style=look)
        table.measures = measures
        story.append(table)
    story[-1].setStyle([("LINEBELOW", (0, -1), (-1, -1), 0.8, RULE)])
    story.append(Spacer(1, 8))
    return story


def markdown_flowables(text: str, styles: Styles) -> tuple[str | None, list[Flowable]]:
    """Render a Markdown subset (headings, paragraphs, emphasis, lists, links, quotes, tables) as flowables.

    Returns the first level-1 heading (used as the section title) and the flowables; HTML comments are left out.
    """
    tokens = _md.parse(without_comments(text))
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
        elif tok.type == "table_open":
            rows, i = _table_rows(tokens, i)
            for flowable in _table(rows, styles):
                emit(flowable)
        elif tok.type == "hr":
            emit(Spacer(1, 10))
        i += 1
    return title, story

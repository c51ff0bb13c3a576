"""GitHub's pipe tables in the preface and the talks: typeset as tables, whatever their size, the typographer
kept off their delimiter rows."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

from proceedings.typeset import markdown
from proceedings.typeset.mdparse import parser
from proceedings.typeset.styles import Styles
from tests.conftest import build_project, copy_repo_build

TABLE = ("| Track | Papers | Chair |\n|-------|-------:|:-----:|\n"
         "| *Efficient* representations | 4 | **Junchen Fu** |\n"
         "| Retrieval and `recommendation` | 6 | [Xin Xin](https://example.org/xin) |\n")


def _tables(story) -> list[Table]:
    return [f for f in story if isinstance(f, Table)]


def _draw(story, path: Path) -> list[str]:
    """The story drawn on Letter pages; the text of each page."""
    SimpleDocTemplate(str(path)).build(story)
    return [page.extract_text() for page in PdfReader(path).pages]


def test_a_pipe_table_is_a_table_with_a_bold_header_aligned_cells_and_inline_markup():
    _, story = markdown.markdown_flowables("Before.\n\n" + TABLE + "\nAfter.\n", Styles())
    (table,) = _tables(story)
    cells = table._cellvalues
    assert [[c.text for c in row] for row in cells] == [
        ["Track", "Papers", "Chair"],
        ["<i>Efficient</i> representations", "4", "<b>Junchen Fu</b>"],
        ["Retrieval and <font color='#333333'>recommendation</font>", "6",
         '<a href="https://example.org/xin" color="#1f3f7a">Xin Xin</a>']]
    assert table.repeatRows == 1 and all("Bold" in c.style.fontName for c in cells[0])
    assert [c.style.alignment for c in cells[1]] == [0, 2, 1]  # left, right, centre: as the delimiter row says
    texts = [f.text for f in story if isinstance(f, Paragraph)]
    assert texts == ["Before.", "After."]


def test_the_typographer_leaves_a_delimiter_row_as_written():
    """Header and delimiter rows with unlike numbers of cells are no table: the lines print as written, the
    delimiter row without em dashes; dashes elsewhere, in a cell too, are still typeset."""
    text = "| a | b |\n|---|---|---|\n| x | y |\n\nThanks to **Alice** ---\nand Bob -- all.\n\n| c -- d |\n|---|\n"
    _, story = markdown.markdown_flowables(text, Styles())
    paragraphs = [f.text for f in story if isinstance(f, Paragraph)]
    assert paragraphs == ["| a | b | |---|---|---| | x | y |", "Thanks to <b>Alice</b> — and Bob – all."]
    assert _tables(story)[0]._cellvalues[0][0].text == "c – d"
    html = parser().render(text)  # index.html's talks
    assert "|---|---|---|" in html and "<th>c – d</th>" in html


def test_tables_long_wide_and_tall_are_laid_out(tmp_path: Path):
    """A table over pages repeats its header; one with more columns than fit prints a row to a paragraph; a row
    taller than a page (a cell of 8,000 words, a header of as many), a word wider than its column, a table in a
    list item: all drawn."""
    long = "| No. | Paper |\n|---|---|\n" + "".join(f"| {r} | A paper of row {r} |\n" for r in range(200))
    wide = ("|" + "|".join(f"h{c}" for c in range(20)) + "|\n|" + "---|" * 20 + "\n|"
            + "|".join(f"v{c}" for c in range(20)) + "|\n")
    tall = "| a | b |\n|---|---|\n| " + "word " * 8000 + "| " + "W" * 3000 + " |\n"
    head = "| " + "head " * 8000 + "| b |\n|---|---|\n| x | y |\n"
    nested = "- an item\n\n  | p | q |\n  |---|---|\n  | nested-r | nested-s |\n"
    _, story = markdown.markdown_flowables("\n".join([long, wide, tall, head, nested]), Styles())
    pages = _draw(story, tmp_path / "tables.pdf")
    long_pages = [p for p in pages if "A paper of row" in p]
    assert len(long_pages) > 2 and all(re.search(r"No\.\s*Paper", p) for p in long_pages)
    assert "A paper of row 199" in long_pages[-1]
    assert "h0 | h1 |" in "".join(pages) and "v18 | v19" in "".join(pages)
    assert len(pages) > len(long_pages) + 10  # the tall row and the tall header run over pages
    assert re.search(r"nested-r\s+nested-s", pages[-1])


def test_a_long_table_is_typeset_in_pieces_with_one_set_of_columns(monkeypatch):
    monkeypatch.setattr(markdown, "TABLE_PIECE_ROWS", 10)
    rows = "".join(f"| {r} | {'x' * (r + 1)} |\n" for r in range(25))
    _, story = markdown.markdown_flowables("| a | b |\n|---|---|\n" + rows, Styles())
    pieces = _tables(story)
    assert [len(t._cellvalues) for t in pieces] == [11, 11, 6]  # each under the header
    widths = [t.wrap(400, 800) and t._colWidths for t in pieces]
    assert widths[0] == widths[1] == widths[2] and abs(sum(widths[0]) - 400) < 0.01


def test_columns_share_the_width_as_their_cells_ask():
    narrow = markdown.share_width([50] * 12, [80] * 12, 60)  # twelve columns in 60 pt: never less than the padding
    assert min(narrow) > 2 * markdown.CELL_PADDING
    assert markdown.share_width([20, 20], [100, 50], 300) == [200, 100]  # all fit on one line: shared as asked
    widths = markdown.share_width([20, 500], [400, 500], 300)  # a long word: no more than an equal share
    assert widths == [20 + 130 * 380 / 730, 150 + 130 * 350 / 730]


def test_a_preface_table_is_printed_as_a_table(repo_build, tmp_path: Path):
    project, _ = copy_repo_build(repo_build, tmp_path / "p")
    (project / "front_matter/preface.md").write_text(f"# Preface\n\nThe sessions:\n\n{TABLE}\nWelcome.\n",
                                                     encoding="utf-8")
    result = build_project(project)
    reader = PdfReader(result.outputs["front_matter"])
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert re.search(r"Track\s+Papers\s+Chair", text) and re.search(r"Efficient representations\s+4", text)
    assert "|" not in text and "—" not in text and "---" not in text
    uris = [a.get_object()["/A"]["/URI"] for p in reader.pages for a in p.get("/Annots") or []
            if a.get_object().get("/A") is not None]
    assert "https://example.org/xin" in uris

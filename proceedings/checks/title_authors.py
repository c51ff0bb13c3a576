"""``title`` and ``authors``: page 1 shows the title and every author of papers.yaml (warnings)."""

from collections.abc import Iterable

from proceedings.checks.paper import Paper
from proceedings.checks.registry import check
from proceedings.checks.textcheck import alnum_key, author_on_page, fold, words_of
from proceedings.findings import Finding
from proceedings.pdf.textlayer import PageText


def check_title_authors(page1: PageText, title: str, authors: Iterable[tuple[str, str | None]],
                        folded: str | None = None) -> list[Finding]:
    """Warnings when the title or an author of papers.yaml is not on page 1 (``folded``: its text folded already,
    as :attr:`~proceedings.checks.paper.Paper.folded` has it)."""
    text = fold(page1.text) if folded is None else folded
    page_tokens = words_of(text)
    page_key = "".join(page_tokens)  # alnum_key(page1.text), without a second pass over the page
    out = []
    title_key = alnum_key(title)
    if title_key and title_key not in page_key:
        out.append(Finding(
            "title", "warning", 1, f"The title in papers.yaml, \"{title}\", is not on page 1 as given.",
            "Make the paper's title and the title in papers.yaml the same (wording, spelling); tell the chair "
            "if papers.yaml is wrong."))
    missing = [name for name, family in authors if not author_on_page(name, family, page_tokens, page_key)]
    if missing:
        out.append(Finding(
            "authors", "warning", 1,
            f"{'Author' if len(missing) == 1 else 'Authors'} of papers.yaml not found on page 1: "
            + ", ".join(missing) + ("" if missing[-1].endswith(".") else "."),  # "… King Jr." ends with its stop
            "List every author on page 1 as in papers.yaml (same spelling); tell the chair if papers.yaml is wrong."))
    return out


@check("title-authors", "Title and authors on page 1", "2")
def run(paper: Paper):
    page1 = paper.page(1)
    if page1 is None:
        return []
    return check_title_authors(page1, paper.title, paper.authors, paper.folded.get(page1.number))

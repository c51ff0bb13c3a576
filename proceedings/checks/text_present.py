"""``no-text``: a paper must have a text layer (not a scan or a print-to-image)."""

from proceedings.checks.paper import Paper
from proceedings.checks.pdfcheck import plural
from proceedings.checks.registry import check
from proceedings.findings import Finding


@check("no-text", "Text layer", "2", needs_text=False)
def run(paper: Paper):
    if paper.has_text:
        return []
    why = "it uses no fonts at all" if not paper.has_fonts else "no page has any text"
    return [Finding(
        "no-text", "error", 1,
        f"The PDF has no extractable text ({why}): it looks like a scanned or printed-to-image paper "
        f"({plural(paper.count, 'page')}).",
        "Export the PDF directly from LaTeX or your word processor (not by scanning, printing to an image, "
        "or 'print as image'), so that its text can be searched, indexed and read aloud.")]

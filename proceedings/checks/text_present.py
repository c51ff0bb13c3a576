"""``no-text``: a paper must have a text layer (not a scan or a print-to-image)."""

from proceedings.checks.paper import MIN_LETTERS, Paper
from proceedings.checks.pdfcheck import plural
from proceedings.checks.registry import check
from proceedings.findings import Finding


@check("no-text", "Text layer", "3", needs_text=False)
def run(paper: Paper):
    if paper.has_text:
        return []
    if not paper.has_fonts:
        what = "no extractable text (it uses no fonts at all)"
    elif any(page.has_letters(1) for page in paper.pages):
        what = f"almost no extractable text (no page has {MIN_LETTERS} letters)"
    else:
        what = "no extractable text (no page has any)"
    return [Finding(
        "no-text", "error", 1,
        f"The PDF has {what}: it looks like a scanned or printed-to-image paper ({plural(paper.count, 'page')}).",
        "Export the PDF directly from LaTeX or your word processor (not by scanning, printing to an image, "
        "or 'print as image'), so that its text can be searched, indexed and read aloud.")]

"""``fonts-embedded`` and ``type3-fonts``: every font is embedded; bitmap Type 3 fonts are reported."""

from proceedings.checks.paper import Paper
from proceedings.checks.pdfcheck import check_fonts
from proceedings.checks.registry import check


@check("fonts", "Fonts", "1", needs_text=False)
def run(paper: Paper):
    return check_fonts(paper.fonts) if paper.fonts is not None else []

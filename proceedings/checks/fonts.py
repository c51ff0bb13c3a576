"""``fonts-embedded`` and ``type3-fonts``: every font is embedded; bitmap Type 3 fonts are reported."""

from proceedings.checks.paper import Paper
from proceedings.checks.pdfcheck import EMBED_FIX, check_fonts
from proceedings.checks.registry import check
from proceedings.checks.type3 import check_type3


@check("fonts", "Fonts", "3", needs_text=False)
def run(paper: Paper):
    if paper.fonts is None:
        return []
    return [*check_fonts(paper.fonts, paper.venue.fix("fonts-embedded", EMBED_FIX)), *check_type3(paper.fonts)]

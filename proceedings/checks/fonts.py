"""``fonts-embedded`` and ``type3-fonts``: every font is embedded; bitmap Type 3 fonts are reported."""

from proceedings.checks.paper import Paper
from proceedings.checks.pdfcheck import check_fonts
from proceedings.checks.registry import check
from proceedings.checks.type3 import check_type3


@check("fonts", "Fonts", "2", needs_text=False)
def run(paper: Paper):
    return [*check_fonts(paper.fonts), *check_type3(paper.fonts)] if paper.fonts is not None else []

"""``fonts-embedded`` and ``type3-fonts``: every font is embedded; bitmap Type 3 fonts are reported."""

from dataclasses import replace

from proceedings.checks.paper import Paper
from proceedings.checks.pdfcheck import check_fonts
from proceedings.checks.registry import check
from proceedings.checks.type3 import check_type3


@check("fonts", "Fonts", "3", needs_text=False)
def run(paper: Paper):
    if paper.fonts is None:
        return []
    fix = paper.venue.fix("fonts-embedded")
    missing = [replace(f, fix=fix) if fix else f for f in check_fonts(paper.fonts)]
    return [*missing, *check_type3(paper.fonts)]

"""``page-size``: every page has the venue's paper size, /Rotate honoured."""

from proceedings.checks.paper import Paper
from proceedings.checks.pdfcheck import check_page_sizes
from proceedings.checks.registry import check


@check("page-size", "Page size", "3", needs_text=False)
def run(paper: Paper):
    findings = check_page_sizes(paper.pdf, paper.count, paper.rules)
    fix = paper.venue.fix("page-size")
    return [f if not fix or f.message.endswith("(broken /MediaBox).") else _with_fix(f, fix) for f in findings]


def _with_fix(finding, fix: str):
    from dataclasses import replace

    return replace(finding, fix=fix + " Do not scale or rotate pages.")

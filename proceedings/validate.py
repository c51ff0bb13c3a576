"""Stage 2, validate: check every camera-ready file against the venue's rules."""

from __future__ import annotations

import logging

from pypdf import PdfReader

from proceedings.context import BuildContext
from proceedings.findings import Finding, PaperReport, ValidationReport
from proceedings.gather import Gathered, Source

log = logging.getLogger(__name__)


def check_paper(source: Source) -> PaperReport:
    """Open one file and report what is wrong with it."""
    report = PaperReport(id=source.paper.id, file=source.paper.file, sha256=source.sha256)
    try:
        reader = PdfReader(source.path, strict=False)
        if reader.is_encrypted:
            report.findings.append(Finding("encrypted", "error", None, "the file is encrypted",
                                           "export the PDF again without a password or permissions"))
            if not reader.decrypt(""):
                report.findings.append(Finding("unreadable", "error", None, "the file needs a password to open",
                                               "send a PDF without a password"))
                return report
        report.pages = len(reader.pages)
    except Exception as exc:  # noqa: BLE001 - any failure of a hostile file is a finding
        report.findings.append(Finding("unreadable", "error", None, f"the PDF cannot be read: {exc}",
                                       "export the PDF again from the source"))
        return report
    if report.pages == 0:
        report.findings.append(Finding("no-pages", "error", None, "the PDF has no pages", "send the complete paper"))
        return report
    report.usable = True
    return report


def validate(gathered: Gathered, ctx: BuildContext) -> ValidationReport:
    """Check every paper; a bad paper never stops the others."""
    reports = []
    with ctx.progress("validate", len(gathered.sources)) as advance:
        for source in gathered.sources:
            reports.append(check_paper(source))
            advance(1)
    return ValidationReport(papers=reports)

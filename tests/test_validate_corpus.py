"""The validate stage on PDFs no one on this project wrote: acmart's own samples and the awkward corpus.

Both folders live in ../shared/corpus (read-only); the tests skip with a reason when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from proceedings.context import make_context
from proceedings.export.report import RULE_TITLES
from proceedings.findings import Finding, PaperReport
from proceedings.project.model import Rules
from proceedings.stages.gather import gather
from proceedings.stages.validate import check_file, validate
from tests.conftest import ACMART, AWKWARD, need
from tests.test_validate import active_kinds

HOPE = "The Name of the Title Is Hope"
TROVATO = [("Ben Trovato", None), ("G.K.M. Tobin", None), ("Lars Thørväld", None), ("Valerie Béranger", None),
           ("Aparna Patel", None), ("Huifen Chan", None), ("Charles Palmer", None), ("John Smith", None),
           ("Julius P. Kumquat", None)]


def check(path: Path, title: str = HOPE, authors=TROVATO) -> PaperReport:
    data = check_file(str(path), Rules().model_dump(mode="json"), title, list(authors))
    return PaperReport(id="x", file=path.name, pages=data["pages"], body_pages=data["body_pages"],
                       usable=data["usable"], references_page=data["references_page"],
                       findings=[Finding.from_json(f) for f in data["findings"]])


def errors(report: PaperReport) -> list[str]:
    return [f.rule for f in report.errors]


# --------------------------------------------------------------------------- acmart's own samples


def test_sigconf_sample_fails_only_for_its_placeholders():
    report = check(need(ACMART / "sample-sigconf.pdf"))
    assert errors(report) == ["placeholders", "rights-block"]  # the template's values in its rights block
    assert report.warnings == []
    message = report.errors[0].message
    for placeholder in ("Conference acronym 'XX", "Woodstock", "XXXXXXX.XXXXXXX", "978-1-4503-XXXX-X",
                        "Make sure to enter the correct conference title"):  # across a line break
        assert placeholder in message
    assert (report.pages, report.body_pages, report.references_page) == (6, 5, 5)  # page 5 starts with body


def test_manuscript_sample_fails_for_its_line_numbers_once():
    report = check(need(ACMART / "sample-manuscript.pdf"))
    assert errors(report).count("line-numbers") == 1
    assert "page-size" not in errors(report) and "template" in errors(report)  # one column: manuscript
    assert "length" in errors(report)  # 9 pages up to REFERENCES (mid page 9) and the appendix after them
    assert report.body_pages == 9


def test_authordraft_sample_fails_for_its_draft_footer():
    report = check(need(ACMART / "sample-authordraft.pdf"))
    assert "draft-footer" in errors(report)
    footer = next(f for f in report.errors if f.rule == "draft-footer")
    assert "on pages 1–6" in footer.message, footer.message  # every page: a line cut where PDFium cuts it
    assert "length" not in errors(report) and "page-size" not in errors(report)


def test_acmsmall_sample_fails_for_its_page_size():
    report = check(need(ACMART / "sample-acmsmall.pdf"))
    size = [f for f in report.errors if f.rule == "page-size"]
    assert len(size) == 1 and "486 × 720 pt" in size[0].message
    assert "line-numbers" not in errors(report) and "template" in errors(report)
    assert report.body_pages == 8


def test_no_acmart_sample_is_called_unembedded_or_foreign():
    for pdf in sorted(need(ACMART).glob("*.pdf")):
        report = check(pdf)
        rules = {f.rule for f in report.findings}
        assert not rules & {"fonts-embedded", "language", "title", "authors", "no-text", "unreadable"}, pdf.name


def test_tracemonkey_a_real_14_page_acm_paper_fails_for_length():
    report = check(need(AWKWARD / "pdfjs-tracemonkey.pdf"), "Trace-based Just-in-Time Type Specialization for "
                   "Dynamic Languages", [("Andreas Gal", None), ("Brendan Eich", None), ("Mike Shaver", None)])
    assert errors(report) == ["template", "length"]  # and it is in the obsolete ACM layout of 2009
    assert (report.pages, report.body_pages, report.references_page) == (14, 14, 14)
    assert report.warnings == []


# --------------------------------------------------------------------------- the awkward corpus


@pytest.fixture(scope="module")
def awkward(tmp_path_factory: pytest.TempPathFactory):
    """All 60 awkward files as one project, validated by the real stage (workers, limits).

    The project test_hostile builds (once per run); validating it again reads the stage's cache.
    """
    from tests.test_hostile import awkward_project

    project, _, _ = awkward_project(tmp_path_factory)
    ctx = make_context(project, project / "build")
    report = validate(gather(project, ctx), ctx)
    return {p.file: p for p in report.papers}


def _manifest() -> dict[str, dict[str, str]]:
    lines = (need(AWKWARD) / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    return {row.split("\t")[0]: dict(zip(header, row.split("\t"))) for row in lines[1:] if row.strip()}


@pytest.mark.slow
def test_every_awkward_file_gets_findings_or_passes(awkward):
    assert len(awkward) == len(list(AWKWARD.glob("*.pdf"))) == 60
    for name, report in awkward.items():
        for f in report.findings:
            assert f.severity in ("error", "warning") and f.message and f.fix, (name, f)
            assert f.rule in RULE_TITLES, (name, f.rule)
            assert f.rule not in ("timeout", "memory", "check-failed"), (name, f)
        if report.usable:
            assert report.pages and report.pages >= 1, name
        else:
            assert report.errors, name


DAMAGED = {"qpdf-damaged-stream.pdf", "pdfjs-poppler-90-0-fuzzed.pdf"}
"""Files with a stream that does not decode (qpdf --check fails on them)."""


@pytest.mark.slow
def test_awkward_files_that_break_readers_get_errors(awkward):
    for name, row in _manifest().items():
        opens = row["pypdf_7.1.0_opens"]
        report = awkward[name]
        if opens.startswith("NO"):  # pypdf fails somewhere on them: we must not pass them
            assert report.errors and (not report.usable or report.pages), name
        elif "decrypted with ''" in opens:
            assert report.usable and "encrypted" in {f.rule for f in report.errors}, name
        elif "encrypted" in opens:
            assert not report.usable and "encrypted" in {f.rule for f in report.errors}, name
        elif name in DAMAGED:  # they open, but a stream does not decode: left out of the volume
            assert not report.usable and "damaged-stream" in {f.rule for f in report.errors}, name
        elif name != "qpdf-empty.pdf":
            assert report.usable, name


@pytest.mark.slow
def test_awkward_files_get_the_findings_they_are_there_for(awkward):
    def rules(name: str) -> set[str]:
        return {f.rule for f in awkward[name].findings}

    assert "length" in rules("pdfjs-tracemonkey.pdf") and awkward["pdfjs-tracemonkey.pdf"].body_pages == 14
    signed = next(f for f in awkward["qpdf-digitally-signed.pdf"].findings if f.rule == "no-text")
    assert "almost no extractable text (no page has 8 letters)" in signed.message  # "Potato": some, not none
    for name in ("pdfjs-js-authors.pdf", "pdfjs-js-buttons.pdf"):
        assert "javascript" in active_kinds(awkward[name]), name
    for name in ("pypdf-attachment.pdf", "sf-with-attachment.pdf", "pdfjs-annotation-fileattachment.pdf"):
        assert "embedded-file" in active_kinds(awkward[name]), name
    for name in ("pdfjs-standard_fonts.pdf", "pdfjs-mixedfonts.pdf", "pdfjs-TAMReview.pdf"):
        assert "fonts-embedded" in rules(name)
    for name in ("pdfjs-simpletype3font.pdf", "pdfjs-ContentStreamCycleType3insideType3.pdf"):
        assert "type3-fonts" in rules(name)
    for name in DAMAGED:
        assert "damaged-stream" in rules(name) and not awkward[name].usable
    assert "no-pages" in rules("qpdf-empty.pdf")
    assert "page-numbers" not in rules("qpdf-append-xref-loop.pdf")  # "Potato 1" alone on page 2: no running head
    for name in ("pypdf-r2-user-password.pdf", "qpdf-20-pages.pdf", "sf-libreoffice-writer-password.pdf"):
        assert "encrypted" in rules(name) and not awkward[name].usable
    for name in ("pypdf-r2-empty-password.pdf", "pypdf-r6-owner-password.pdf"):
        assert "encrypted" in rules(name) and awkward[name].usable
    # rotation honoured: habibi's 90/270 pages are A4 landscape as shown, its 0/180 ones A4 portrait
    habibi = next(f for f in awkward["sf-habibi-rotated.pdf"].findings if f.rule == "page-size")
    assert "A4, landscape" in habibi.message and "A4 (" in habibi.message
    assert awkward["pdfjs-sizes.pdf"].findings[0].page == 2  # page 1 is Letter
    assert "A4" in next(f.message for f in awkward["sf-libre-office-writer-a4.pdf"].findings if f.rule == "page-size")
    assert "placeholders" in rules("sf-libre-office-writer-a4.pdf")  # a body of Lorem ipsum

"""The validate stage on papers made by the sample generator, one defect each, and on hand-made PDFs.

Every paper is checked by the real code; the defects are drawn the way real files show them.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import unicodedata
import zlib
from pathlib import Path

import pikepdf
import pytest
import yaml
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from proceedings.checks import paper as paper_module
from proceedings.checks.line_numbers import number_column
from proceedings.checks.textcheck import author_on_page, guess_language, is_references_heading, raw_heading
from proceedings.checks.title_authors import check_title_authors
from proceedings.context import make_context
from proceedings.findings import PaperReport
from proceedings.pdf.textlayer import Line, PageText, Span, TextLayer, group_lines
from proceedings.project.model import Rules
from proceedings.stages import validate as validate_module
from proceedings.stages.gather import gather
from proceedings.stages.results import CACHE_FILE
from proceedings.stages.validate import check_file, validate
from proceedings.util.journal import Journal
from proceedings.util.workers import run_limited
from tests.conftest import EPOCH, REPO, copy_project, no_shared_cache, shared_once
from tools.samples import SampleAuthor, SamplePaper, write_paper

TITLE = "Efficient Retrieval with Tiny Models: A “Quick” Study"
AUTHORS = (SampleAuthor("Zoë Østergaard", "Aarhus University", "zoe@cs.au.dk"),
           SampleAuthor("José María Álvarez Pérez", "Universidad de Granada", "jm@ugr.es"))
YAML_AUTHORS = [("Zoë Østergaard", None), ("José María Álvarez Pérez", "Álvarez Pérez")]

DEFECTS = {
    # defect: (errors, warnings) the paper must get, and nothing else
    "line-numbers": ({"line-numbers"}, set()),
    "anonymous": ({"anonymous"}, {"authors"}),
    "submission-id": ({"submission-id"}, set()),
    "draft-footer": ({"draft-footer"}, set()),
    "placeholders": ({"placeholders", "rights-block"}, set()),  # the template's values in the rights block
    "javascript": ({"active-content"}, set()),  # the contract's rule id; the message says which kind
    "launch-action": ({"active-content"}, set()),
    "embedded-file": ({"active-content"}, set()),
    "unembedded-font": ({"fonts-embedded"}, set()),
    "a4": ({"page-size"}, set()),
    "bottom-margin-text": ({"bottom-margin"}, set()),  # the stamped page number would print over it
    "scanned": ({"no-text"}, set()),
    "non-english": (set(), {"language"}),
    "encrypted": ({"encrypted"}, set()),
    "references-in-body": (set(), set()),
}


def spec(body: int = 6, refs: int = 1, defects: frozenset[str] = frozenset(), seed: int = 3) -> SamplePaper:
    return SamplePaper(TITLE, AUTHORS, body_pages=body, ref_pages=refs, seed=seed, defects=defects)


@pytest.fixture(scope="session")
def papers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Sample papers: clean ones of several lengths and one per defect (written once for the whole run)."""
    def make(base: Path) -> dict[str, Path]:
        specs = {
            "clean-8+4": spec(8, 4),
            "long-9+1": spec(9, 1),
            "short-3+1": spec(3, 1),
            "no-references": spec(5, 0),
            **{name: spec(4, 1, defects=frozenset({name})) for name in DEFECTS},  # 5 pages: drawn faster
        }
        out = {}
        for name, s in specs.items():
            out[name] = base / f"{name}.pdf"
            write_paper(out[name], s)
        return out

    return shared_once(tmp_path_factory, "validate-samples", make)


def check(path: Path, title: str = TITLE, authors=YAML_AUTHORS, **rules) -> PaperReport:
    data = check_file(str(path), Rules(**rules).model_dump(mode="json"), title, list(authors))
    json.dumps(data)  # what a worker sends back is plain data
    return validate_module._report(_Source(path), data)


class _Paper:
    id = "1"
    file = "x.pdf"
    title = TITLE
    authors: list = []


class _Source:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.paper = _Paper()
        self.sha256 = ""


def rules_of(report: PaperReport, severity: str) -> set[str]:
    return {f.rule for f in report.findings if f.severity == severity}


# --------------------------------------------------------------------------- length


def test_clean_paper_of_8_body_pages_and_4_of_references_passes(papers):
    report = check(papers["clean-8+4"])
    assert report.findings == []
    assert (report.pages, report.body_pages, report.references_page, report.usable) == (12, 8, 9, True)


def test_nine_body_pages_fail_for_length(papers):
    report = check(papers["long-9+1"])
    assert rules_of(report, "error") == {"length"}
    assert report.body_pages == 9 and report.pages == 10
    finding = report.errors[0]
    assert "9 pages before the references" in finding.message and "8 pages" in finding.message
    assert finding.fix


def test_a_four_page_file_with_three_body_pages_fails(papers):
    report = check(papers["short-3+1"])
    assert report.pages == 4 and report.body_pages == 3
    assert rules_of(report, "error") == {"length"}
    assert "too short" in report.errors[0].message


def test_limits_come_from_the_rules(papers):
    assert check(papers["long-9+1"], max_pages=9).findings == []
    assert rules_of(check(papers["clean-8+4"], min_pages=1, max_pages=7), "error") == {"length"}


def test_without_a_references_heading_every_page_is_body(papers):
    report = check(papers["no-references"])
    assert report.findings == [] and report.body_pages == report.pages == 5
    over = check(papers["no-references"], min_pages=1, max_pages=4)
    assert "no \"References\" heading" in over.errors[0].message


def test_a_body_line_saying_references_is_not_the_heading(papers):
    report = check(papers["references-in-body"])
    assert report.findings == []
    assert report.body_pages == 4 and report.references_page == 5


@pytest.mark.parametrize("name", ["clean-8+4", "long-9+1", "short-3+1", "references-in-body", "no-references"])
def test_the_raw_stream_path_agrees_with_the_text_layer(papers, name, monkeypatch: pytest.MonkeyPatch):
    """When the text layer shows no heading (text in odd encodings), the raw content streams and the bookmarks
    and bibliography anchors find the same references page."""
    layer = check(papers[name])
    monkeypatch.setattr(paper_module, "find_heading", lambda page: None)
    raw = check(papers[name])
    assert raw.references_page == layer.references_page


# --------------------------------------------------------------------------- one defect each


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_each_defect_is_found_and_nothing_else(papers, defect):
    errors, warnings = DEFECTS[defect]
    report = check(papers[defect])
    assert rules_of(report, "error") == errors, report.findings
    assert rules_of(report, "warning") == warnings, report.findings
    for finding in report.findings:
        assert finding.message and finding.fix
        assert finding.severity in ("error", "warning")


ACTIVE = {"javascript": "The PDF contains JavaScript", "launch-action": "launches a file or program",
          "embedded-file": "embedded (attached) files", "open-action": "run when the file is opened",
          "rich-media": "rich media", "xfa": "an XFA form"}
"""What the ``active-content`` finding says of each kind of active content."""


def active_kinds(report: PaperReport) -> set[str]:
    """The kinds of active content the report's ``active-content`` errors name."""
    messages = [f.message for f in report.errors if f.rule == "active-content"]
    return {kind for kind, words in ACTIVE.items() if any(words in m for m in messages)}


@pytest.mark.parametrize("defect", ["javascript", "launch-action", "embedded-file"])
def test_active_content_is_one_rule_that_names_its_kind(papers, defect):
    assert active_kinds(check(papers[defect])) == {defect}


@pytest.mark.parametrize("anonymous", [False, True])
def test_a_title_that_begins_with_anonymous_authors_is_no_author_block(tmp_path: Path, anonymous: bool):
    """A camera-ready titled "Anonymous Authors and …" with its real authors passes; the review version of it is
    caught, framed on its author block, not on the title."""
    title = "Anonymous Authors and Open Peer Review in IR"
    path = tmp_path / "paper.pdf"
    write_paper(path, SamplePaper(title, AUTHORS, body_pages=4, ref_pages=1, seed=3,
                                  defects=frozenset({"anonymous"}) if anonymous else frozenset()))
    report = check(path, title=title)
    found = [f for f in report.findings if f.rule == "anonymous"]
    assert len(found) == (1 if anonymous else 0), report.findings
    if anonymous:
        title_line = next(ln for ln in TextLayer(path.read_bytes())[1].lines if ln.text.startswith("Anonymous Authors"))
        assert found[0].box[3] < title_line.y0  # below the title: the author block


def test_line_numbers_are_reported_once(papers):
    report = check(papers["line-numbers"])
    assert [f.rule for f in report.findings] == ["line-numbers"]
    assert report.findings[0].page == 1


def test_a4_is_named_as_such(papers):
    finding = check(papers["a4"]).errors[0]
    assert "A4" in finding.message and "US Letter" in finding.message and finding.page == 1


@pytest.mark.parametrize("profile", ["acm-sigconf", "ieee-conference", "lncs", "generic"])
def test_each_fix_is_said_in_the_venues_words(papers, profile):
    """How to fix a finding names the venue's own template, and no template where the venue has none: an IEEE or
    LNCS author was told to remove acmart's options, to use acmart's fonts or its paper size."""
    fixes = {f.rule: f.fix for name in ("anonymous", "unembedded-font", "a4")
             for f in check(papers[name], profile=profile).errors}
    assert {"anonymous", "fonts-embedded"} <= set(fixes), fixes
    named = {"acm-sigconf": "acmart", "ieee-conference": "IEEEtran", "lncs": "llncs"}.get(profile)
    for rule, fix in fixes.items():
        others = [t for t in ("acmart", "IEEEtran", "llncs") if t != named]
        assert not [t for t in others if t in fix], (rule, fix)
    acm_options = "'anonymous' and 'review' options"  # acmart's review mode: no other class has them
    assert (acm_options in fixes["anonymous"]) == (profile == "acm-sigconf"), fixes["anonymous"]


def test_two_lines_of_body_above_the_references_start_a_page_a_running_header_does_not():
    """The contract: a body that runs onto page 9 above the References heading is over the limit: two lines of
    it were not counted (three were needed), while a running header repeated on the pages near it is no body.
    IEEEtran centres its heading in the column: lines of that column left of it are no earlier column."""
    from types import SimpleNamespace

    from proceedings.checks.length import body_pages
    from proceedings.checks.paper import Heading

    def page(number: int, *lines: tuple[str, float, float, float]) -> PageText:
        return PageText(number, 612, 792, lines=[Line([Span(t, x0, y, x1, y + 7, 7, False)]) for t, x0, x1, y in lines])

    header = ("Short Title of the Paper, Authors", 54, 300, 730)
    pages = [page(n, header, ("body text of a page, a whole line of it", 54, 300, 600)) for n in range(1, 9)]
    heading = Heading(9, 660, 54)  # REFERENCES, centred at 147, in the column starting at 54

    def length(*lines) -> int:
        ninth = page(9, header, ("[1] A. Author, a reference, 2020.", 54, 140, 600), *lines)
        paper = SimpleNamespace(references=heading, count=9, notes={}, page=lambda n: [*pages, ninth][n - 1])
        return body_pages(paper)

    assert length() == 8  # the header and a short reference line left of the centred heading: no body
    named = [page(n, (f"Workshop on Retrieval 2025 - {n} Section {n}", 54, 300, 710),
                  ("body text of a page, a whole line of it", 54, 300, 600)) for n in range(1, 9)]
    ninth = page(9, ("Workshop on Retrieval 2025 - References", 54, 300, 710),
                 ("[1] A. Author, a reference, 2020.", 54, 140, 600))
    paper = SimpleNamespace(references=heading, count=9, notes={}, page=lambda n: [*named, ninth][n - 1])
    assert body_pages(paper) == 8  # a header naming its section: the top line, beginning as the others' do
    for p in (*named, ninth):  # captions of figures at the top of pages begin alike too, and are body
        p.lines[0].spans[0].text = "Figure " + p.lines[0].spans[0].text
        p.lines[0] = Line(p.lines[0].spans)
    paper.notes.clear()  # the same paper's pages changed: found again
    assert body_pages(paper) == 9
    centred = page(9, ("REFERENCES", 147, 202, 733), ("[1] A. Author, a reference, as wide as its column", 54, 300, 717),
                   ("right column text of the same page", 318, 560, 717))
    assert paper_module._column_left(centred, centred.lines[0]) == 54  # its column's edge, not its own
    assert length(("and to streaming updates without retraining", 54, 300, 690),
                  ("the encoders.", 54, 110, 681)) == 9  # two lines of body above the heading


def test_an_encrypted_paper_that_opens_is_an_error_but_usable(papers):
    report = check(papers["encrypted"])
    assert report.usable and report.pages == 5


def test_a_scanned_paper_has_no_text_and_no_length_guess(papers):
    report = check(papers["scanned"])
    assert report.usable and report.body_pages is None


def test_missing_title_and_author_are_warnings_that_name_them(papers):
    report = check(papers["clean-8+4"], title="A Completely Different Title",
                   authors=[*YAML_AUTHORS, ("Grace Hopper", None)])
    assert rules_of(report, "error") == set()
    messages = {f.rule: f.message for f in report.warnings}
    assert set(messages) == {"title", "authors"}
    assert "A Completely Different Title" in messages["title"]
    assert "Grace Hopper" in messages["authors"] and "Østergaard" not in messages["authors"]


def test_title_and_authors_compare_folded(papers):
    # accents, case, quotes and dashes do not count
    report = check(papers["clean-8+4"], title='EFFICIENT RETRIEVAL WITH TINY MODELS: A "QUICK" STUDY',
                   authors=[("Zoe Ostergaard", None), ("Jose Maria Alvarez Perez", "Alvarez Perez")])
    assert report.findings == []


def test_a_page_folds_line_by_line_whatever_its_white_space():
    """A page's folded text (the phrase checks search it) is each line folded, white space runs as one space, line
    breaks kept: also where folding itself makes spaces (a diaeresis alone) or the text has other white space."""
    import random

    from proceedings.checks.textcheck import _one_space, fold_lines
    from proceedings.text import ascii_fold

    def by_line(text: str) -> str:
        text = ascii_fold(unicodedata.normalize("NFKC", text)).casefold()
        return "\n".join(_one_space(line) for line in text.split("\n"))

    pieces = ["Word", "é", " ", "  ", "\n", "\t", "\u00a0", "\u2003", "\u00a8", "\ufb01", "\x1c", "\u3000", "x"]
    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        assert fold_lines(text) == by_line(text), repr(text)
    assert fold_lines("Draft  Copy\n \u00a8x") == "draft copy\n x"


def test_generic_profile_skips_the_acm_template_checks(papers):
    assert check(papers["placeholders"], profile="generic").findings == []


# --------------------------------------------------------------------------- hand-made PDFs


def _pdf(writer: PdfWriter, path: Path) -> Path:
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def test_page_size_honours_rotate(tmp_path: Path):
    writer = PdfWriter()
    writer.add_blank_page(792, 612).rotate(90)   # landscape sheet shown as portrait Letter: fine
    writer.add_blank_page(612, 792).rotate(90)   # portrait sheet shown as landscape: wrong
    writer.add_blank_page(612.8, 791.5)          # within 2 pt
    report = check(_pdf(writer, tmp_path / "rot.pdf"))
    size = [f for f in report.findings if f.rule == "page-size"]
    assert len(size) == 1 and size[0].page == 2
    assert "page 2 is US Letter, landscape" in size[0].message


def _font(writer: PdfWriter, subtype: str, name: str, **extra) -> object:
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/" + subtype),
                             NameObject("/BaseFont"): NameObject("/" + name)})
    font.update({NameObject("/" + k): v for k, v in extra.items()})
    return writer._add_object(font)


def test_fonts_are_followed_through_type0_and_cyclic_form_xobjects(tmp_path: Path):
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    descendant = _font(writer, "CIDFontType2", "ABCDEF+NotoSans",
                       FontDescriptor=DictionaryObject({NameObject("/FontName"): NameObject("/NotoSans")}))
    type0 = _font(writer, "Type0", "ABCDEF+NotoSans", DescendantFonts=ArrayObject([descendant]))
    form = DecodedStreamObject()
    form.set_data(b"BT /F2 9 Tf (x) Tj ET")
    form_ref = writer._add_object(form)
    form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): ArrayObject([NumberObject(0)] * 4),
                 NameObject("/Resources"): DictionaryObject({
                     NameObject("/Font"): DictionaryObject({NameObject("/F2"): type0}),
                     NameObject("/XObject"): DictionaryObject({NameObject("/Me"): form_ref})})})  # a cycle
    page[NameObject("/Resources")] = DictionaryObject({
        NameObject("/XObject"): DictionaryObject({NameObject("/Fm"): form_ref}),
        NameObject("/Font"): DictionaryObject({NameObject("/F3"): _font(writer, "Type3", "Bitmap")})})
    report = check(_pdf(writer, tmp_path / "fonts.pdf"))
    fonts = next(f for f in report.findings if f.rule == "fonts-embedded")
    assert "NotoSans" in fonts.message and "ABCDEF+" not in fonts.message
    assert any(f.rule == "type3-fonts" and f.severity == "warning" for f in report.findings)


def test_fonts_and_sizes_inherited_from_the_page_tree_are_checked(tmp_path: Path):
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    for _ in range(2):
        page = pdf.add_blank_page(page_size=(612, 792))
        del page.obj["/Resources"], page.obj["/MediaBox"]
        page.obj.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 700 Td (Hello) Tj ET")
    pdf.Root.Pages.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    pdf.Root.Pages.MediaBox = pikepdf.Array([0, 0, 595, 842])
    pdf.save(tmp_path / "inherits.pdf")
    report = check(tmp_path / "inherits.pdf")
    fonts = next(f for f in report.findings if f.rule == "fonts-embedded")
    assert "Helvetica" in fonts.message and fonts.page == 1
    size = next(f for f in report.findings if f.rule == "page-size")
    assert "pages 1–2 are A4" in size.message


def _action(kind: str, **extra) -> DictionaryObject:
    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    action.update({NameObject("/" + k): v for k, v in extra.items()})
    return action


@pytest.mark.parametrize("open_action, rule", [
    (_action("/URI", URI=TextStringObject("https://example.org")), "open-action"),
    (_action("/GoTo", D=ArrayObject([NumberObject(0), NameObject("/Fit")])), None),
    (_action("/GoTo", Next=_action("/JavaScript", JS=TextStringObject("app.alert(1)"))), "javascript"),
])
def test_open_actions(tmp_path: Path, open_action, rule):
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer._root_object[NameObject("/OpenAction")] = open_action
    report = check(_pdf(writer, tmp_path / "open.pdf"))
    assert rules_of(report, "error") - {"no-text"} == ({"active-content"} if rule else set())
    assert active_kinds(report) == ({rule} if rule else set())


def test_xfa_and_rich_media(tmp_path: Path):
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({
        NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): TextStringObject("<xdp/>")})
    writer.add_annotation(0, DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/RichMedia"),
        NameObject("/Rect"): ArrayObject([FloatObject(0)] * 4)}))
    report = check(_pdf(writer, tmp_path / "xfa.pdf"))
    assert "active-content" in rules_of(report, "error") and {"xfa", "rich-media"} <= active_kinds(report)


def test_validation_reads_no_pdf_with_pypdf():
    """The structural checks read with pikepdf: checking a real paper does not even import pypdf (its filters
    are loaded only for the rare ASCII, run-length and LZW streams)."""
    code = ("import sys\nfrom proceedings.stages.validate import check_file\nfrom proceedings.project.model import Rules\n"
            f"result = check_file({str(REPO / 'camera_ready' / 'erelmir25-01.pdf')!r}, Rules().model_dump(mode='json'), "
            "'A title', [])\n"
            "print(result['usable'], result['pages'], 'pypdf' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    usable, pages, imported = done.stdout.split()
    assert usable == "True" and int(pages) >= 4 and imported == "False", done.stdout + done.stderr


def test_unreadable_and_empty_files(tmp_path: Path):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4\nthis is not a PDF at all\n")
    report = check(junk)
    assert rules_of(report, "error") == {"unreadable"} and not report.usable and report.pages is None
    assert report.findings[0].message.startswith("The PDF cannot be read: it is damaged or not a PDF (")
    assert "stream" not in report.findings[0].message and "0x" not in report.findings[0].message  # qpdf's own why
    writer = PdfWriter()
    empty = _pdf(writer, tmp_path / "empty.pdf")
    report = check(empty)
    assert rules_of(report, "error") == {"no-pages"} and not report.usable and report.pages == 0


def test_a_paper_needing_a_password_is_not_usable(tmp_path: Path, papers):
    writer = PdfWriter(clone_from=str(papers["clean-8+4"]))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    report = check(_pdf(writer, tmp_path / "locked.pdf"))
    assert rules_of(report, "error") == {"encrypted"} and not report.usable
    assert "password" in report.errors[0].message


# --------------------------------------------------------------------------- text checks, unit by unit


def _line(text: str, x: float = 54, y: float = 400, size: float = 9, bold: bool = False) -> Line:
    return Line([Span(text, x, y, x + 0.5 * size * len(text), y + size, size, bold)])


def _page(lines: list[Line]) -> PageText:
    spans = [s for line in lines for s in line.spans]
    return PageText(1, 612, 792, spans=spans, lines=group_lines(spans))


def find_line_numbers(page: PageText) -> bool:
    return bool(number_column(page))


@pytest.mark.parametrize("text, size, bold, heading", [
    ("REFERENCES", 10.9, False, True),
    ("References", 9, True, True),
    ("7 References", 12, False, True),
    ("VII. REFERENCES", 10, False, True),
    ("R E F E R E N C E S", 10, False, True),
    ("Bibliography", 12, False, True),
    ("References to prior work are given in Section 2.", 9, False, False),
    ("references", 9, True, False),
    ("Reference:", 12, False, False),
    ("References", 5, False, False),   # a figure label, far smaller than the body
])
def test_references_heading(text, size, bold, heading):
    assert is_references_heading(_line(text, size=size, bold=bold), 9.0) is heading


def test_raw_heading_reads_kerned_tj_arrays(tmp_path: Path):
    pdf = pikepdf.new()
    for content in (b"BT /F1 10 Tf 54 700 Td [(Refer)18(ences)]TJ ET",
                    b"BT /F1 9 Tf 54 700 Td (References to prior work are in Section 2.) Tj ET",
                    b"BT /F1 10 Tf 54 700 Td <5245464552454e434553> Tj ET",
                    [b"BT /F1 10 Tf 54 700 Td [(Refer)18", None, b"(ences)]TJ ET"],  # one array in two streams
                    [b"BT /F1 10 Tf 54 700 Td (Ref) Tj", b"(erences) Tj ET"]):  # two strings: not one heading
        page = pdf.add_blank_page(page_size=(612, 792))
        parts = content if isinstance(content, list) else [content]
        streams = [pdf.make_stream(zlib.compress(part), Filter=pikepdf.Name.FlateDecode) if part else None
                   for part in parts]
        page.obj.Contents = pikepdf.Array(streams) if isinstance(content, list) else streams[0]
    buf = io.BytesIO()
    pdf.save(buf)
    with pikepdf.Pdf.open(io.BytesIO(buf.getvalue())) as saved:
        assert [raw_heading(saved, n) for n in (1, 2, 3, 4, 5)] == [True, False, True, True, False]


def _numbered(x: float, start: int = 1, count: int = 40) -> list[Line]:
    return [_line(str(start + i), x=x, y=740 - i * 11, size=6) for i in range(count)]


def _body(x: float = 54) -> list[Line]:
    return [_line("The body text of the column goes on here.", x=x, y=740 - i * 11) for i in range(40)]


def test_line_numbers_in_either_margin():
    assert find_line_numbers(_page(_body() + _numbered(28)))
    assert find_line_numbers(_page(_body() + _numbered(570, start=59)))


def test_a_table_of_ranks_is_not_line_numbers():
    assert not find_line_numbers(_page(_body() + _numbered(54)))         # aligned with the text column
    assert not find_line_numbers(_page(_body() + _numbered(300)))        # inside the page
    assert not find_line_numbers(_page(_body() + _numbered(28, count=6)))  # too few
    assert not find_line_numbers(_page(_body() + _numbered(28, count=14)))  # a numbered code listing
    assert not find_line_numbers(_page(_body() + [_line(str(n), x=28, y=740 - i * 11, size=6)  # a contents page
                                                  for i, n in enumerate((2, 2, 6, 9, 11, 14, 17, 22, 24, 24, 29))]))


ENGLISH = ("We propose a method for the retrieval of images that is based on the distillation of a large model "
           "into a small one. The results show that the small model is as accurate as the large one, while it "
           "is ten times faster. In this paper we also study the effect of quantization on the index, and we "
           "find that it can be reduced to a quarter of its size with no loss. ") * 3
GERMAN = ("Wir schlagen eine Methode für die Suche von Bildern vor, die auf der Destillation eines großen Modells "
          "in ein kleines beruht. Die Ergebnisse zeigen, dass das kleine Modell so genau ist wie das große, "
          "während es zehnmal schneller ist. Außerdem untersuchen wir die Wirkung der Quantisierung auf den "
          "Index und stellen fest, dass er auf ein Viertel seiner Größe verkleinert werden kann. ") * 3


def test_language_guess():
    assert guess_language(ENGLISH)[0] == "en"
    assert guess_language(GERMAN)[0] == "de"
    assert guess_language("Lorem ipsum dolor sit amet, consetetur sadipscing elitr, sed diam. " * 20)[0] == "lorem"
    assert guess_language("深度学习模型的高效检索方法研究。" * 40)[0] == "non-latin"
    assert guess_language("Short text.") is None
    assert guess_language("/g18/g152/g135 " * 200) is None  # glyph codes, not words
    assert guess_language("Recall@10 NDCG@10 MRR CLIP SigLIP BLIP ViT-B/16 " * 40)[0] == "en"  # a table: no alarm


def _lines_of(text: str, y0: float = 700, numbered: bool = False) -> list[Line]:
    """Lines of 12 words, 11 pt apart; ``numbered``: each with its line number on its own, in the left margin."""
    words = text.split()
    lines = [_line(" ".join(words[i:i + 12]), y=y0 - 11 * (i // 12)) for i in range(0, len(words), 12)]
    return [*lines, *(_line(str(k), x=20, y=line.y0) for k, line in enumerate(lines, 1))] if numbered else lines


@pytest.mark.parametrize(("pages", "numbered", "flagged"), [
    ([ENGLISH * 4] + [GERMAN * 4] * 7, False, True),  # an English abstract, then German: the sample spans every page
    ([ENGLISH * 4] * 7 + [GERMAN * 4], False, False),  # one German page (a quoted passage) among English ones
    ([GERMAN * 4] * 4, True, True),  # number, text, number, text…: every other line alone would be numbers only
])
def test_language_check_reads_a_sample_spread_over_the_body(pages, numbered, flagged):
    from types import SimpleNamespace

    from proceedings import venues
    from proceedings.checks import language
    texts = [_page(_lines_of(text, numbered=numbered)) for text in pages]
    for number, page in enumerate(texts, 1):
        page.number = number
    assert sum(len(line.text) for page in texts for line in page.lines) > language.SAMPLE_CHARS  # a sample is read
    paper = SimpleNamespace(pages=texts, references=None, venue=venues.get("acm-sigconf"))
    findings = language.run(paper)
    assert bool(findings) == flagged and (not flagged or "German" in findings[0].message)


def test_author_matching():
    text = "Zoë Østergaard∗ and J. M. ÁLVAREZ PÉREZ, University of Granada; Li Wei"
    from proceedings.checks.textcheck import alnum_key, tokens
    toks, key = tokens(text), alnum_key(text)
    assert author_on_page("Zoe Ostergaard", None, toks, key)
    assert author_on_page("José María Álvarez Pérez", "Álvarez Pérez", toks, key)  # initials
    assert author_on_page("Wei Li", "Li", toks, key)                                # family name first
    assert not author_on_page("Ada Li", None, toks, key)


def test_title_with_hyphenation_across_lines():
    page = _page([_line("Efficient Multi-"), _line("modal Retrieval"), _line("Ada Lovelace")])
    assert check_title_authors(page, "Efficient Multimodal Retrieval", [("Ada Lovelace", None)]) == []


def test_a_missing_author_whose_name_ends_in_a_stop_is_named_with_one():
    page = _page([_line("Efficient Multimodal Retrieval"), _line("Ada Lovelace")])
    found = check_title_authors(page, "Efficient Multimodal Retrieval", [("Ada Lovelace", None),
                                                                         ("Martin Luther King Jr.", None)])
    assert [f.message for f in found] == ["Author of papers.yaml not found on page 1: Martin Luther King Jr."]


# --------------------------------------------------------------------------- limits and workers


def test_a_slow_task_is_killed_and_the_others_go_on():
    results = run_limited(time.sleep, [("slow", (30,)), ("fast", (0,)), ("after", (0,))],
                          jobs=1, time_limit=0.5, memory_mb=256)
    assert results["slow"].status == "timeout"
    assert results["fast"].status == "ok" and results["after"].status == "ok"


def test_a_memory_hog_is_stopped_and_the_others_go_on():
    results = run_limited(bytearray, [("hog", (4_000_000_000,)), ("small", (10,))], jobs=2, time_limit=30,
                          memory_mb=64)
    assert results["hog"].status == "memory"
    assert results["small"].status == "ok" and results["small"].value == bytearray(10)


def _bomb(path: Path, megabytes: int = 70) -> Path:
    """A page whose content stream inflates from ~100 KB to ``megabytes`` MB of drawing operators."""
    comp = zlib.compress(b"0 0 m " * (megabytes * 1024 * 1024 // 6), 9)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(comp) + comp + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def _project(tmp_path: Path, pdfs: dict[str, Path], rules: dict | None = None) -> Path:
    project = copy_project(tmp_path / "p")
    (project / "front_matter/program.yaml").unlink()  # it names the repository's papers, replaced here
    camera = project / "camera_ready"
    for old in camera.glob("*.pdf"):
        old.unlink()
    entries = []
    for pid, pdf in pdfs.items():
        (camera / f"{pid}.pdf").write_bytes(pdf.read_bytes())
        entries.append({"id": pid, "title": TITLE, "file": f"{pid}.pdf",
                        "authors": [{"name": "Zoë Østergaard", "email": "zoe@cs.au.dk"},
                                    {"name": "José María Álvarez Pérez", "family": "Álvarez Pérez"}]})
    (camera / "papers.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    if rules:
        workshop = project / "front_matter" / "workshop.yaml"
        data = yaml.safe_load(workshop.read_text(encoding="utf-8"))
        data["rules"] = {**(data.get("rules") or {}), **rules}
        workshop.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return project


def _validate(project: Path, **kwargs):
    ctx = make_context(project, project / "build", **kwargs)
    return validate(gather(project, ctx), ctx)


def test_a_decompression_bomb_becomes_a_finding(tmp_path: Path, papers):
    bomb = _bomb(tmp_path / "bomb.pdf")
    project = _project(tmp_path, {"bomb": bomb, "ok": papers["clean-8+4"]},
                       rules={"memory_limit_mb": 64, "max_pages": 8, "time_limit": 60})
    report = _validate(project, jobs=2)
    bad = report.by_id("bomb")
    assert [f.rule for f in bad.findings] == ["memory"] and not bad.usable
    assert report.by_id("ok").findings == [] and report.by_id("ok").usable


def test_a_paper_over_the_time_limit_becomes_a_finding(tmp_path: Path, papers):
    # every page is read (4 pages ≈ 0.1 s, well inside the limit on a loaded machine); the slow file inflates to
    # 200 MB of drawing operators (under the 256 MiB a stream may inflate to before it is a decompression bomb)
    project = _project(tmp_path, {"slow": _bomb(tmp_path / "slow.pdf", 200), "ok": papers["short-3+1"]},
                       rules={"time_limit": 1.0, "memory_limit_mb": 4096})
    report = _validate(project, jobs=1)
    slow = report.by_id("slow")
    assert [f.rule for f in slow.findings] == ["timeout"] and not slow.usable
    assert "1 s" in slow.findings[0].message
    assert report.by_id("ok").usable


# --------------------------------------------------------------------------- cache


def test_results_are_cached_by_content_rules_and_paper(tmp_path: Path, papers, monkeypatch: pytest.MonkeyPatch):
    no_shared_cache(monkeypatch)  # the output folder's own cache is under test
    project = _project(tmp_path, {"a": papers["long-9+1"], "b": papers["clean-8+4"]})
    first = _validate(project)
    cache = project / "build" / CACHE_FILE
    assert len(Journal(cache).keys()) == 2

    def no_workers(*args, **kwargs):
        raise AssertionError("the cache should have answered")

    monkeypatch.setattr(validate_module, "run_limited", no_workers)
    again = _validate(project)
    assert again.to_json() == first.to_json()
    with pytest.raises(AssertionError):
        _validate(project, use_cache=False)
    monkeypatch.undo()
    no_shared_cache(monkeypatch)

    # a changed title is a different question: page 1 is checked again
    papers_yaml = project / "camera_ready" / "papers.yaml"
    entries = yaml.safe_load(papers_yaml.read_text(encoding="utf-8"))
    entries[1]["title"] = "Another Title"
    papers_yaml.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    changed = _validate(project)
    assert {f.rule for f in changed.by_id("b").findings} == {"title"}
    assert len(Journal(cache).keys()) == 3

    # a corrupt cache entry is ignored, a deleted cache is rebuilt
    lines = cache.read_bytes().splitlines(keepends=True)
    cache.write_bytes(b"".join(line.split(b"\t")[0] + b'\t{not json\n' for line in lines))
    assert _validate(project).to_json() == changed.to_json()
    cache.unlink()
    assert _validate(project).to_json() == changed.to_json()


def test_a_shared_cache_serves_another_output_folder(tmp_path: Path, papers, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PROCEEDINGS_CACHE_DIR", str(tmp_path / "shared"))
    one = _project(tmp_path / "one", {"a": papers["long-9+1"]})
    two = _project(tmp_path / "two", {"a": papers["long-9+1"]})
    first = _validate(one)
    assert len(list((tmp_path / "shared" / "validation").glob("*.json"))) == 1

    def no_workers(*args, **kwargs):
        raise AssertionError("the shared cache should have answered")

    monkeypatch.setattr(validate_module, "run_limited", no_workers)
    assert _validate(two).to_json() == first.to_json()  # another project and output folder, the same paper
    assert len(Journal(two / "build" / CACHE_FILE).keys()) == 1  # and now in its own cache too
    with pytest.raises(AssertionError):
        _validate(two, use_cache=False)  # --no-cache reads neither
    monkeypatch.delenv("PROCEEDINGS_CACHE_DIR")
    (two / "build" / CACHE_FILE).unlink()
    with pytest.raises(AssertionError):
        _validate(two)  # unset: only the output folder's own cache counts


# --------------------------------------------------------------------------- the repository and the command


def test_the_repository_project_has_no_errors(repo_build):
    report = repo_build.report  # validated from nothing: the run's one build of the repository's project
    assert report.error_count == 0, [(p.id, f.message) for p in report.papers for f in p.errors]
    assert all(p.usable and p.body_pages and p.references_page for p in report.papers)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "proceedings", *args], capture_output=True, text=True,
                          env=env, timeout=600)


def test_cli_exit_status_strict_json_and_emails(tmp_path: Path, papers):
    warn_only = _project(tmp_path / "w", {"1": papers["non-english"], "2": papers["clean-8+4"]})
    done = run_cli("validate", "--project", str(warn_only), "--emails", str(tmp_path / "mail"))
    assert done.returncode == 0, done.stderr
    assert "language" in done.stdout and "Traceback" not in done.stderr
    assert sorted(p.name for p in (tmp_path / "mail").iterdir()) == ["1.txt"]
    strict = run_cli("validate", "--project", str(warn_only), "--strict")
    assert strict.returncode == 1

    failing = _project(tmp_path / "e", {"1": papers["long-9+1"], "2": papers["clean-8+4"]})
    done = run_cli("validate", "--project", str(failing), "--format", "json")
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert [p["id"] for p in data["papers"]] == ["1", "2"]
    assert [f["rule"] for f in data["papers"][0]["findings"]] == ["length"]
    assert (failing / "build" / "validation.html").is_file()
    quiet = run_cli("validate", "--project", str(failing), "--quiet")  # all it prints: which paper broke which rule
    assert quiet.returncode == 1 and "paper 1: length" in quiet.stderr, quiet.stderr
    assert "paper 2" not in quiet.stderr


def test_the_text_a_pattern_needs_is_in_every_match():
    """Pages are searched for a pattern only when they hold the plain text every match of it contains."""
    import random
    import re

    from proceedings.checks.textcheck import required_text
    from proceedings.venues.acm_sigconf import PLACEHOLDERS

    needs = {label: required_text(re.compile(pattern)) for label, pattern in PLACEHOLDERS}
    assert needs["XXXXXXX.XXXXXXX"] == "xxxxxxx" and needs["10.1145/nnnnnnn.nnnnnnn"] == "10.1145/nnnnnnn.nnnnnnn"
    assert required_text(re.compile(r"a|b")) == "" and required_text(re.compile("abc", re.IGNORECASE)) == ""
    rng = random.Random(5)
    for pattern in [p for _, p in PLACEHOLDERS] + [r"ab{2,5}c", r"a+b", r"x{3}y?z", r"(?:ab|cd)ef", r"mn*o"]:
        compiled = re.compile(pattern)
        need = required_text(compiled)
        for _ in range(3000):
            text = "".join(rng.choice("abcdefmnoxyz '.-1045/") for _ in range(rng.randint(0, 14)))
            assert compiled.search(text) is None or need in text, (pattern, need, text)


def test_a_font_name_longer_than_the_buffer_is_its_own():
    """PDFium writes no font name longer than the buffer it is given: such a span is not given the name (and the
    bold look) of the span read before it."""
    import pypdfium2 as pdfium
    from pikepdf import Dictionary, Name

    from proceedings.pdf.textlayer import page_box, read_spans

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(612, 792))
    long = "Plain" + "x" * 150
    page = pdf.pages[0].obj
    page.Resources = Dictionary(Font=Dictionary(
        F1=Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name("/Helvetica-Bold")),
        F2=Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name("/" + long))))
    page.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 700 Td (Heading) Tj ET BT /F2 12 Tf 72 600 Td (Body) Tj ET")
    buffer = io.BytesIO()
    pdf.save(buffer)
    document = pdfium.PdfDocument(buffer.getvalue())
    spans = {span.text: span for span in read_spans(document[0], page_box(document[0]))}
    assert spans["Heading"].bold and spans["Heading"].font == "Helvetica-Bold"
    assert spans["Body"].font == long and not spans["Body"].bold


def _table_page(path: Path, slanted: bool) -> Path:
    """A page of text with a table whose column heads are slanted 45° (``slanted``), or set level and too wide,
    each printed over the next."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont("Times-Roman", 10)
    for y in range(720, 400, -12):
        c.drawString(72, y, "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.")
    c.setFont("Times-Roman", 9)
    for i, head in enumerate(["Top-1 accuracy", "Mean precision", "Recall at 10", "Macro F1 score"]):
        c.saveState()
        c.translate(200 + i * 26, 300)
        if slanted:
            c.rotate(45)
        c.drawString(0, 0, head)
        c.restoreState()
    c.save()
    return path


def test_overprint_finds_text_over_text_and_leaves_slanted_heads_alone(tmp_path: Path):
    """Column heads slanted 45° have upright boxes that overlap, no letter touching: no finding (it was an error);
    the same heads set level, each over the next, are one."""
    slanted = check(_table_page(tmp_path / "slanted.pdf", True), profile="generic")
    level = check(_table_page(tmp_path / "level.pdf", False), profile="generic")
    assert "overprint" not in rules_of(slanted, "error")
    assert "overprint" in rules_of(level, "error")


@pytest.mark.parametrize("line, block", [
    ("anonymous author(s)", True), ("anonymous authors, anonymous institution", True), ("anonymous authors", True),
    ("anonymous submission 1234", True), ("anonymous author1", True),
    ("anonymous authors and open peer review in ir", False), ("anonymous authors are common", False),
    ("anonymous submission #1234", True), ("anonymous authors*1", True), ("anonymous submission paper id: 42", True),
    ("anonymous author - anonymous institution", True), ("anonymous authors\nanonymous institution", True),
    ("anonymous authorship in peer review", False), ("anonymous submissions are reviewed", False),
])
def test_the_anonymous_author_block_is_told_from_a_title_that_begins_alike(line: str, block: bool):
    from proceedings.checks.anonymous import PATTERN

    assert bool(PATTERN.search(line)) is block


@pytest.mark.parametrize("text, mark", [
    ("Unpublished working draft. Not for distribution.", True), ("Unpublished working\xa0draft.", True),
    ("Unpublished  working draft.", True), ("Not for distribution.", True),
    ("An unpublished working paper", False), ("Distribution shift in retrieval", False),
])
def test_one_test_of_the_draft_watermark_serves_every_rule(text: str, mark: bool):
    """bottom-margin, margins and overprint leave the same spans alone (overprint had a copy of its own that a
    no-break space or a double space got past)."""
    from proceedings.checks.textcheck import is_draft_mark

    assert is_draft_mark(text) is mark

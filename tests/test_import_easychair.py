"""`proceedings import easychair`: EasyChair's CSV and XLSX exports into camera_ready/papers.yaml."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml
from reportlab.pdfgen import canvas
from typer.testing import CliRunner

from proceedings.cli import app
from proceedings.importers.common import split_affiliations, split_author_names, split_keywords
from proceedings.importers.easychair import classify, read_easychair
from proceedings.importers.pdfs import match, numbers_in_name
from proceedings.importers.tabular import norm_header
from proceedings.project.loading import load_project

DATA = Path(__file__).parent / "data" / "import"
EC = DATA / "easychair"
runner = CliRunner()

WORKSHOP = """\
title: "The 1st Workshop on Efficient Representation Learning for Multimodal Information Retrieval"
acronym: "EReL@MIR '25"
location: "Sydney, NSW, Australia"
start_date: 2025-04-28
end_date: 2025-04-29
publisher: "ACM"
editors:
  - {name: "Joemon M. Jose", affiliation: "University of Glasgow"}
"""


def pdf(path: Path) -> Path:
    page = canvas.Canvas(str(path), pagesize=(612, 792))
    page.drawString(72, 720, path.stem)
    page.save()
    return path


def new_project(tmp_path: Path, pdfs: tuple[str, ...] = ("3.pdf", "paper7.pdf", "EReL2025_paper_17.pdf",
                                                         "paper99.pdf")) -> Path:
    project = tmp_path / "project"
    assert runner.invoke(app, ["init", str(project)]).exit_code == 0
    (project / "front_matter/workshop.yaml").write_text(WORKSHOP, encoding="utf-8")
    for name in pdfs:
        pdf(project / "camera_ready" / name)
    return project


def run_import(project: Path, *args: str):
    return runner.invoke(app, ["import", "easychair", "--project", str(project), *args])


def papers(project: Path) -> list[dict]:
    return yaml.safe_load((project / "camera_ready/papers.yaml").read_text(encoding="utf-8"))


def csv_args(folder: Path = EC) -> list[str]:
    return ["--submissions", str(folder / "submission.csv"), "--authors", str(folder / "author.csv")]


# --------------------------------------------------------------------------- first import


def test_csv_exports_become_papers_yaml(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    result = run_import(project, *csv_args())
    assert result.exit_code == 0, result.output
    entries = papers(project)
    # accepted only ("accept", "ACCEPT", "Accept (poster)"); not rejected, undecided, withdrawn or deleted
    assert [e["id"] for e in entries] == ["3", "7", "17", "23"]
    first = entries[0]
    assert first["title"] == "Quantized CLIP Embeddings for Efficient Multimodal Retrieval"
    assert [a["name"] for a in first["authors"]] == ["Junchen Fu", "Xuri Ge", "Joemon M. Jose"]
    assert first["authors"][0] == {"name": "Junchen Fu", "affiliation": "University of Glasgow",
                                   "email": "j.fu.3@research.gla.ac.uk", "country": "United Kingdom",
                                   "corresponding": True}
    assert first["authors"][1]["affiliation"] == "Shandong University; University of Glasgow"
    assert first["keywords"] == ["multimodal retrieval", "quantization", "CLIP"]
    assert first["abstract"].startswith('We study "post-training" quantization')
    assert first["abstract"].endswith("98% of recall.\nCode is public.")
    assert "session" not in first and "family" not in first["authors"][0]

    special = entries[1]
    assert special["title"] == "Sparse & Dense: 50% Fewer FLOPs for $k$-NN Search in #Multimodal_Spaces"
    # Ioannis Arapakis is listed twice for submission 7: once in papers.yaml
    assert [a["name"] for a in special["authors"]] == ["Nguyễn Thị Minh Khai", "Ioannis Arapakis", "Hui Li"]
    assert special["authors"][1]["affiliation"] == "Telefónica Scientific Research"
    assert "listed twice" in result.output
    assert entries[2]["authors"][0]["affiliation"] == "Universidad de Sevilla; University of Glasgow"

    # PDFs matched by submission number; the others listed
    assert [e["file"] for e in entries] == ["3.pdf", "paper7.pdf", "EReL2025_paper_17.pdf", "23.pdf"]
    assert "papers without a PDF in camera_ready/ (1)" in result.output and "23: 23.pdf" in result.output
    assert "match no paper (1)" in result.output and "paper99.pdf" in result.output
    assert "8 submissions, 4 accepted (1 rejected, 1 undecided, 2 withdrawn)" in result.output

    text = (project / "camera_ready/papers.yaml").read_text(encoding="utf-8")
    assert text.startswith("#"), "the header comment is kept"


def test_imported_project_loads_and_its_papers_are_valid(tmp_path: Path) -> None:
    project = new_project(tmp_path, ("3.pdf", "paper7.pdf", "EReL2025_paper_17.pdf", "paper_023.pdf"))
    result = run_import(project, *csv_args())
    assert result.exit_code == 0, result.output
    loaded = load_project(project)
    assert [p.id for p in loaded.papers] == ["3", "7", "17", "23"]
    assert loaded.papers[3].file == "paper_023.pdf"
    assert loaded.papers[0].authors[0].corresponding
    assert loaded.papers[2].authors[0].family_name == "Álvarez Pérez", "the export's last name, two words"
    assert loaded.papers[2].authors[1].family is None, "one word, the last of the name: no family written"
    assert loaded.papers[1].keywords == ["nearest neighbour search", "efficiency"]


def test_single_xlsx_workbook_gives_the_same_papers(tmp_path: Path) -> None:
    book = tmp_path / "EReL2025_data.xlsx"
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for sheet, name in (("Submissions", "submission.csv"), ("Authors", "author.csv")):
        ws = workbook.create_sheet(sheet)
        rows = list(csv.reader(io.StringIO((EC / name).read_text(encoding="utf-8-sig"), newline="")))
        ws.append(rows[0])
        for row in rows[1:]:
            cells: list[object] = []
            for header, cell in zip(rows[0], row):
                if header in ("#", "submission #", "person #"):
                    cells.append(int(cell))  # numbers, as EasyChair writes them
                elif header in ("submitted", "last updated"):
                    cells.append(dt.datetime.fromisoformat(cell))
                else:
                    cells.append(cell or None)
            ws.append(cells)
    reviews = workbook.create_sheet("Reviews")
    reviews.append(["#", "submission #", "member #", "member name", "number", "version", "text", "scores",
                    "total score", "reviewer first name", "reviewer last name", "reviewer email",
                    "reviewer person #", "date", "time", "attitude"])
    reviews.append([1, 3, 7, 4, "Hui Li", 1, "Fine.", "overall evaluation: 2", 2, None, None, None, None,
                    dt.date(2025, 2, 10), "10:00", None])
    workbook.save(book)
    workbook.close()

    from_csv = new_project(tmp_path / "a")
    assert run_import(from_csv, *csv_args()).exit_code == 0
    from_xlsx = new_project(tmp_path / "b")
    result = run_import(from_xlsx, "--submissions", str(book))
    assert result.exit_code == 0, result.output
    assert papers(from_xlsx) == papers(from_csv)
    assert "Imported from EasyChair (EReL2025_data.xlsx)" in (from_xlsx / "camera_ready/papers.yaml").read_text(
        encoding="utf-8")


def test_semicolon_windows_1252_export_with_author_positions(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    result = run_import(project, *csv_args(DATA / "easychair-semicolon"))
    assert result.exit_code == 0, result.output
    assert "Windows-1252" in result.output
    entries = papers(project)
    assert [e["id"] for e in entries] == ["3", "17"]
    assert entries[0]["title"] == "Quantised CLIP Embeddings for Efficient Multimodal Retrieval"
    # rows are in reverse order in the file; the "Author position" column orders them
    assert [a["name"] for a in entries[0]["authors"]] == ["Junchen Fu", "Xuri Ge", "Joemon M. José"]
    assert [a["name"] for a in entries[1]["authors"]] == ["Ana Alvarez Pérez", "Yue Feng", "Xin Xin"]
    assert entries[1]["authors"][0]["affiliation"] == "Universidad de Sevilla; University of Glasgow"


def test_submissions_alone_give_names_without_affiliations(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    result = run_import(project, "--submissions", str(EC / "submission.csv"))
    assert result.exit_code == 0, result.output
    assert "no authors export" in result.output
    first = papers(project)[0]
    assert first["authors"] == [{"name": "Junchen Fu"}, {"name": "Xuri Ge"}, {"name": "Joemon M. Jose"}]


def test_decision_option_names_the_accepting_decisions(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    result = run_import(project, *csv_args(), "--decision", "accept (POSTER)")
    assert result.exit_code == 0, result.output
    assert [e["id"] for e in papers(project)] == ["17"]


# --------------------------------------------------------------------------- re-import


def _edited_exports(tmp_path: Path) -> Path:
    """The fixture exports after more decisions: 23 now rejected, 25 accepted, 7's abstract revised."""
    folder = tmp_path / "later"
    folder.mkdir()
    rows = list(csv.reader(io.StringIO((EC / "submission.csv").read_text(encoding="utf-8-sig"), newline="")))
    for row in rows[1:]:
        if row[0] == "23":
            row[7] = "reject"
        if row[0] == "7":
            row[10] = "A revised abstract."
    rows.append(["25", "Late but Accepted", "Xuri Ge", "2025-01-26 10:00", "2025-01-26 10:00", "", "late",
                 "accept", "yes", "yes", "Late.", "no"])
    authors = list(csv.reader(io.StringIO((EC / "author.csv").read_text(encoding="utf-8-sig"), newline="")))
    authors.append(["25", "Xuri", "Ge", "xurigexmu@gmail.com", "China", "Shandong University", "", "102", "yes"])
    for name, table in (("submission.csv", rows), ("author.csv", authors)):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(table)
        (folder / name).write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return folder


CHAIR_EDITED = """\
# Our volume. Keep the keynote paper first!
- id: "17"
  title: Lightweight Adapters for Cross-Modal Recommendation
  session: Keynote papers   # chosen at the PC meeting
  authors:
    - {name: "Ana Álvarez Pérez", family: "Álvarez Pérez", affiliation: "Universidad de Sevilla"}
  file: EReL2025_paper_17.pdf

- id: '3'
  title: "Quantized {CLIP} Embeddings for Efficient Multimodal Retrieval"
  authors:
    - {name: Junchen Fu, affiliation: University of Glasgow, email: j.fu.3@research.gla.ac.uk}
    - {name: Xuri Ge, affiliation: Shandong University; University of Glasgow, email: xurigexmu@gmail.com}
    - {name: Joemon M. Jose, affiliation: University of Glasgow, email: joemon.jose@glasgow.ac.uk}
  file: 3.pdf
  session: Efficiency

- id: 7
  title: "Sparse & Dense: 50% Fewer FLOPs for $k$-NN Search in #Multimodal_Spaces"
  authors:
    - name: Nguyễn Thị Minh Khai
    - name: Ioannis Arapakis
    - name: Hui Li
  file: paper7.pdf
  session: Efficiency

- id: '23'
  title: Distilling Multimodal Rankers
  authors: [{name: Haitao Yu}]
  file: 23.pdf
# end of the list
"""


def test_reimport_keeps_the_chairs_edits_order_and_comments(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    target = project / "camera_ready/papers.yaml"
    target.write_text(CHAIR_EDITED, encoding="utf-8")
    result = run_import(project, *csv_args(_edited_exports(tmp_path)))
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert text.startswith(CHAIR_EDITED), "every byte the chair wrote is kept, new papers come after"
    entries = papers(project)
    assert [str(e["id"]) for e in entries] == ["17", "3", "7", "23", "25"]
    assert entries[4]["authors"] == [{"name": "Xuri Ge", "affiliation": "Shandong University",
                                      "email": "xurigexmu@gmail.com", "country": "China", "corresponding": True}]
    assert entries[4]["file"] == "25.pdf"
    out = result.output
    assert "1 added, 4 already there" in out
    assert "3: title: export has 'Quantized CLIP Embeddings for Efficient Multimodal Retrieval'" in out
    assert "7: abstract: only in the export" in out
    assert "17: authors: export has Ana Álvarez Pérez, Yue Feng, Xin Xin" in out
    assert "23: rejected (decision: reject)" in out
    assert "25: 25.pdf" in out and "23: 23.pdf" in out  # still without PDFs


def test_reimport_without_changes_writes_nothing(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    assert run_import(project, *csv_args()).exit_code == 0
    target = project / "camera_ready/papers.yaml"
    before = target.read_bytes()
    again = run_import(project, *csv_args())
    assert again.exit_code == 0, again.output
    assert "0 added, 4 already there; unchanged" in again.output
    assert "differs in the export" not in again.output
    assert target.read_bytes() == before


def test_dry_run_shows_the_diff_and_writes_nothing(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    assert run_import(project, *csv_args()).exit_code == 0
    target = project / "camera_ready/papers.yaml"
    before = target.read_bytes()
    result = run_import(project, *csv_args(_edited_exports(tmp_path)), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "--- a/camera_ready/papers.yaml" in result.output
    assert "+++ b/camera_ready/papers.yaml" in result.output
    assert "+- id: '25'" in result.output
    assert "+  title: Late but Accepted" in result.output
    assert "would be written" in result.output
    assert target.read_bytes() == before
    assert not list(target.parent.glob(".papers.yaml.*")), "no temporary file left behind"


def test_a_pdf_arriving_later_replaces_the_missing_placeholder(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    assert run_import(project, *csv_args()).exit_code == 0
    assert papers(project)[3]["file"] == "23.pdf"
    pdf(project / "camera_ready" / "EReL2025_paper_23.pdf")
    result = run_import(project, *csv_args())
    assert result.exit_code == 0, result.output
    assert papers(project)[3]["file"] == "EReL2025_paper_23.pdf"
    assert "23: EReL2025_paper_23.pdf (was 23.pdf)" in result.output
    assert "without a PDF" not in result.output
    load_project(project)


def test_import_into_a_papers_mapping_and_a_comment_only_file(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    target = project / "camera_ready/papers.yaml"
    target.write_text("papers:\n  - id: 3\n    title: Mine\n    authors: [{name: A B}]\n    file: 3.pdf\n",
                      encoding="utf-8")
    assert run_import(project, *csv_args()).exit_code == 0
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert [str(p["id"]) for p in data["papers"]] == ["3", "7", "17", "23"]
    assert data["papers"][0]["title"] == "Mine"
    target.write_text("# nothing yet\n", encoding="utf-8")
    assert run_import(project, *csv_args()).exit_code == 0
    assert [e["id"] for e in papers(project)] == ["3", "7", "17", "23"]
    assert target.read_text(encoding="utf-8").startswith("# nothing yet\n")


# --------------------------------------------------------------------------- bad input: exit 2, a message


@pytest.mark.parametrize("args, message", [
    (["--submissions", "nope.csv"], "submissions file not found"),
    (["--submissions", str(EC / "author.csv")], "looks like the authors export"),
    (["--submissions", str(EC / "submission.csv"), "--authors", str(EC / "submission.csv")],
     "is this EasyChair's authors export"),
    (["--submissions", str(EC / "submission.csv"), "--decision", "strong accept"], "no accepted submission"),
])
def test_unusable_exports_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    project = new_project(tmp_path)
    before = (project / "camera_ready/papers.yaml").read_bytes()
    result = run_import(project, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert (project / "camera_ready/papers.yaml").read_bytes() == before


def test_broken_papers_yaml_and_missing_project_exit_2(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    (project / "camera_ready/papers.yaml").write_text("- id: 3\n  title: [unclosed\n", encoding="utf-8")
    result = run_import(project, *csv_args())
    assert result.exit_code == 2
    assert "camera_ready/papers.yaml: line" in result.output and "fix it before importing" in result.output
    (project / "camera_ready/papers.yaml").write_text("- id: 3\n  pages: 0b_\n", encoding="utf-8")  # no number
    result = run_import(project, *csv_args())  # it was an internal error, exit 70, where the build says exit 2
    assert result.exit_code == 2, result.output
    assert "camera_ready/papers.yaml: a value cannot be read" in result.output and "fix it before" in result.output
    missing = run_import(tmp_path / "nowhere", *csv_args())
    assert missing.exit_code == 2
    assert "project folder not found" in missing.output


def test_old_xls_is_refused_clearly(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    xls = tmp_path / "submissions.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    result = run_import(project, "--submissions", str(xls))
    assert result.exit_code == 2
    assert "save it as .xlsx or CSV" in result.output


# --------------------------------------------------------------------------- the pieces


def test_headers_are_matched_loosely() -> None:
    assert norm_header("#") == "number"
    assert norm_header("\ufeffSubmission #") == norm_header("submission #") == "submissionnumber"
    assert norm_header("Corresponding?") == "corresponding"
    assert norm_header("First Name") == norm_header("first_name") == "firstname"


def test_decisions() -> None:
    assert classify("accept", False).value == "accepted"
    assert classify("ACCEPT", False).value == "accepted"
    assert classify("Accept (poster)", False).value == "accepted"
    assert classify("accept", True).value == "withdrawn"
    assert classify("reject", False).value == "rejected"
    assert classify("desk reject", False).value == "rejected"
    assert classify("probably accept", False).value == "undecided"
    assert classify("no decision", False).value == "undecided"
    assert classify("withdrawn", False).value == "withdrawn"
    assert classify("Accept (poster)", False, ["accept"]).value == "undecided"


def test_cells() -> None:
    assert split_author_names("Carmen Green, Charlene Contreras and Andrew Kaiser") == [
        "Carmen Green", "Charlene Contreras", "Andrew Kaiser"]
    assert split_author_names("Alicia Lambert and Kevin Williams") == ["Alicia Lambert", "Kevin Williams"]
    assert split_keywords("race\nopportunity\r\nhim\n") == ["race", "opportunity", "him"]
    assert split_keywords("['beyond', 'make']") == ["beyond", "make"]
    assert split_keywords("a; b, c") == ["a", "b", "c"]
    assert split_affiliations("A\nB;  A ") == "A; B"


def test_pdf_names() -> None:
    for name in ("17", "paper17", "EReL2025_paper_17", "paper_017", "Submission-17-final", "p17", "17_camera_ready"):
        assert "17" in [n for n, _ in numbers_in_name(name)], name
    assert numbers_in_name("EReL2025") == []
    found = match([("17", []), ("3", []), ("5", [])],
                  ["17.pdf", "paper17.pdf", "paper_3.pdf", "sub3.pdf", "notes.pdf"])
    assert found.files == {"17": "17.pdf"}
    assert found.ambiguous == {"3": ["paper_3.pdf", "sub3.pdf"]}


def test_reader_api(tmp_path: Path) -> None:
    copy = tmp_path / "submission.csv"
    shutil.copy(EC / "submission.csv", copy)
    export = read_easychair(copy, EC / "author.csv")
    assert export.source == "EasyChair"
    assert [p.id for p in export.accepted] == ["3", "7", "17", "23"]
    assert {p.id: p.status.value for p in export.papers}["9"] == "withdrawn"


def test_windows_line_endings_of_papers_yaml_are_kept(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    target = project / "camera_ready/papers.yaml"
    mine = "# mine\r\n- id: 3\r\n  title: Mine\r\n  authors: [{name: A B}]\r\n  file: 3.pdf\r\n"
    target.write_bytes(mine.encode("utf-8"))
    assert run_import(project, *csv_args()).exit_code == 0
    data = target.read_bytes()
    assert data.startswith(mine.encode("utf-8"))
    assert b"\n" not in data.replace(b"\r\n", b""), "no bare line feeds mixed in"
    assert [str(e["id"]) for e in papers(project)] == ["3", "7", "17", "23"]


def test_author_rows_for_several_submissions_and_namesakes(tmp_path: Path) -> None:
    subs = tmp_path / "submission.csv"
    subs.write_text("#,title,authors,decision\n1,One,\"Wei Wang, Wei Wang and Ann Lee\",accept\n"
                    "2,Two,Ann Lee and Bo Li,accept\n", encoding="utf-8")
    authors = tmp_path / "author.csv"
    authors.write_text("submission #,first name,last name,email,affiliation,person #\n"
                       "1,Wei,Wang,wei1@a.cn,A University,1\n1,Wei,Wang,wei2@b.cn,B University,2\n"
                       "\"1, 2\",Ann,Lee,ann@c.org,C Institute,3\n2,Bo,Li,,D Lab,4\n2,Bo,Li,,D Lab,4\n",
                       encoding="utf-8")
    export = read_easychair(subs, authors)
    one, two = export.accepted
    assert [(a.name, a.email) for a in one.authors] == [
        ("Wei Wang", "wei1@a.cn"), ("Wei Wang", "wei2@b.cn"), ("Ann Lee", "ann@c.org")]
    assert [a.name for a in two.authors] == ["Ann Lee", "Bo Li"]
    assert export.notes == ["submission 2: author Bo Li is listed twice; kept once"]


def test_flow_style_papers_yaml_is_rewritten_whole(tmp_path: Path) -> None:
    project = new_project(tmp_path, ("3.pdf", "paper_23.pdf"))
    target = project / "camera_ready/papers.yaml"
    target.write_text("# my list\n[{id: 23, title: Mine, authors: [{name: A B}], file: missing.pdf}]\n",
                      encoding="utf-8")
    result = run_import(project, *csv_args())
    assert result.exit_code == 0, result.output
    assert "rewritten whole" in result.output or "whole (comments inside it lost)" in result.output
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# my list\n")
    entries = papers(project)
    assert [str(e["id"]) for e in entries] == ["23", "3", "7", "17"]
    assert entries[0]["title"] == "Mine" and entries[0]["file"] == "paper_23.pdf"


def test_a_submission_number_of_hundreds_of_digits_is_text_not_a_float(tmp_path: Path):
    """A 400-digit '#' was turned into a float and failed (OverflowError: exit 70); it stays the digits it is."""
    from proceedings.importers.easychair import read_easychair

    path = tmp_path / "submissions.csv"
    number = "9" * 400
    path.write_text(f"#,title,authors,keywords,decision,abstract\n{number},T,A B,k,accept,x\n007,U,C D,k,accept,y\n",
                    encoding="utf-8")
    export = read_easychair(path)
    assert [p.id for p in export.papers] == [number, "7"]


def test_a_suffix_in_the_last_name_column_is_no_family_name(tmp_path: Path) -> None:
    """EasyChair's last name "King Jr." holds a suffix: the family is King (the name says so), as it is for a last
    name of two words with one ("Álvarez Pérez Jr."), whose family the name does not say."""
    from proceedings.text import name_parts

    subs = tmp_path / "submission.csv"
    subs.write_text("#,title,authors,decision\n1,One,\"Martin Luther King Jr. and Ana Álvarez Pérez Jr.\",accept\n",
                    encoding="utf-8")
    authors = tmp_path / "author.csv"
    authors.write_text("submission #,first name,last name,email,affiliation,person #\n"
                       "1,Martin Luther,King Jr.,mlk@a.org,A University,1\n"
                       "1,Ana,Álvarez Pérez Jr.,ana@b.es,B University,2\n", encoding="utf-8")
    king, ana = read_easychair(subs, authors).accepted[0].authors
    assert (king.name, king.family) == ("Martin Luther King Jr.", None)
    assert name_parts(king.name, king.family) == ("Martin", "Luther", "King", "Jr.")
    assert (ana.name, ana.family) == ("Ana Álvarez Pérez Jr.", "Álvarez Pérez")
    assert name_parts(ana.name, ana.family) == ("Ana", "", "Álvarez Pérez", "Jr.")


def test_an_unquoted_id_of_papers_yaml_is_read_as_the_build_reads_it(tmp_path: Path) -> None:
    """``id: 017`` written by hand is the chair's submission 17 (the build reads it as "017"), not octal 15: the
    import keeps the entry and adds no second one for submission 17."""
    project = new_project(tmp_path)
    (project / "camera_ready/papers.yaml").write_text(
        "- id: 017\n  title: Hand-written\n  authors: [{name: Ada Lovelace}]\n  file: EReL2025_paper_17.pdf\n",
        encoding="utf-8")
    result = run_import(project, *csv_args())
    assert result.exit_code == 0, result.output
    ids = [str(e["id"]) for e in yaml.load((project / "camera_ready/papers.yaml").read_text(encoding="utf-8"),
                                           Loader=yaml.BaseLoader)]  # noqa: S506 - every value as written, no tags
    assert ids.count("017") == 1 and "17" not in ids and "15" not in ids, ids
    assert ids == ["017", "3", "7", "23"]

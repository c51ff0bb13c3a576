"""``proceedings check FILE.pdf...`` and ``type3-fonts``: real pdflatex papers, one set in T1 Computer Modern
with METAFONT bitmaps (pdfTeX made to miss cm-super), checked through the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from proceedings.checks.standalone import check_files
from proceedings.cli import app
from tests.conftest import AWKWARD, EPOCH, REPO, need
from tests.texarticles import AUTHORS, TITLE, bitmap_font_env, compile_tex

T1_BITMAP = r"""\documentclass[letterpaper]{article}
\usepackage[T1]{fontenc}
\usepackage[letterpaper]{geometry}
\pagestyle{empty}
\begin{document}
Bitmap fonts in a paper: T1 Computer Modern, compiled where no scalable version of it is found.
\textbf{Lietuvi\k{u} kalbos institutas}: in T1 an ogonek sits where OT1 has its ligatures, the first of an office.
\end{document}
"""


@pytest.fixture(scope="module")
def bitmap_paper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("t1-bitmap")
    return compile_tex(T1_BITMAP, folder, bitmap_font_env(folder))


runner = CliRunner()


def run_check(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "proceedings", "check", *args], capture_output=True, text=True,
                          env=env, timeout=300, check=False)


def test_check_prints_the_findings_of_each_file_and_exits_1_on_errors(bitmap_paper, tex_papers):
    done = run_check(str(tex_papers["clean"]), str(bitmap_paper), "--title", TITLE, "--authors", "; ".join(AUTHORS),
                     "--format", "json", "--profile", "generic")  # article-class papers: no template rules
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "2 errors" in done.stderr
    papers = json.loads(done.stdout)["papers"]
    assert [p["file"] for p in papers] == [str(tex_papers["clean"]), str(bitmap_paper)]
    assert papers[0]["findings"] == []
    found = {(f["rule"], f["severity"], f["page"]) for f in papers[1]["findings"]}
    assert found == {("type3-fonts", "error", 1), ("length", "error", None), ("title", "warning", 1),
                     ("authors", "warning", 1)}
    type3 = next(f for f in papers[1]["findings"] if f["rule"] == "type3-fonts")
    assert "ecrm1000" in type3["message"] and "Computer Modern Roman 10 pt" in type3["message"]
    assert "F33" not in type3["message"] and "cm-super" in type3["message"] and "lmodern" in type3["fix"]
    authors = next(f for f in papers[1]["findings"] if f["rule"] == "authors")
    assert "papers.yaml" not in authors["message"] and "Ada Lovelace" in authors["message"]


def test_check_exits_0_on_a_good_paper_and_shows_a_table(tex_papers):
    done = runner.invoke(app, ["check", str(tex_papers["clean"]), "--title", TITLE, "--authors", "; ".join(AUTHORS),
                               "--profile", "generic"])
    assert done.exit_code == 0, done.output
    assert "no problems" in done.stdout and "5 pages" in done.stdout


def test_check_takes_the_venues_page_limits(tex_papers):
    """A venue of other limits than its profile's (LNCS volumes of 12 to 16 pages): --min-pages and --max-pages."""
    args = ["check", str(tex_papers["clean"]), "--title", TITLE, "--authors", "; ".join(AUTHORS), "--profile",
            "generic"]
    over = runner.invoke(app, [*args, "--max-pages", "3"])  # the profile's minimum of 4 gives way
    assert over.exit_code == 1 and "the limit is 3 pages of content" in over.stdout, over.output
    short = runner.invoke(app, [*args, "--min-pages", "12"])
    assert short.exit_code == 1 and "the venue asks for 12 pages" in short.stdout, short.output
    short = runner.invoke(app, [*args, "--min-pages", "12", "--max-pages", "16"])
    assert short.exit_code == 1 and "the venue asks for 12–16 pages" in short.stdout, short.output
    wrong = runner.invoke(app, [*args, "--max-pages", "0"])
    assert wrong.exit_code == 2 and "--max-pages" in wrong.stderr and "Traceback" not in wrong.output
    crossed = runner.invoke(app, [*args, "--min-pages", "10", "--max-pages", "5"])
    assert crossed.exit_code == 2 and "--min-pages/--max-pages: " in crossed.stderr, crossed.stderr


def test_check_exits_2_for_a_missing_file_or_profile(tex_papers, tmp_path: Path):
    done = runner.invoke(app, ["check", str(tex_papers["clean"]), str(tmp_path / "missing.pdf")])
    assert done.exit_code == 2 and "missing.pdf: no such file" in done.stderr and "Traceback" not in done.output
    done = runner.invoke(app, ["check", str(tex_papers["clean"]), "--profile", "no-such-venue"])
    assert done.exit_code == 2 and "--profile" in done.stderr and "Traceback" not in done.output


def test_type3_fonts_drawn_as_paths_are_a_warning_and_pictures_an_error():
    vector, emoji = check_files([need(AWKWARD) / "pdfjs-simpletype3font.pdf", AWKWARD / "sf-google-doc-document.pdf"],
                                profile="generic")
    (found,) = [f for f in vector.findings if f.rule == "type3-fonts"]
    assert (found.severity, found.page) == ("warning", 1) and "outlines, not bitmaps" in found.message
    (found,) = [f for f in emoji.findings if f.rule == "type3-fonts"]
    assert (found.severity, found.page) == ("error", 1) and "NotoColorEmoji" in found.message


def test_check_draws_the_pictures_of_located_findings(tex_papers, tmp_path: Path):
    done = runner.invoke(app, ["check", str(tex_papers["number-p1"]), "--title", TITLE, "--authors",
                               "; ".join(AUTHORS), "--pictures", str(tmp_path / "pics"), "--profile", "generic"])
    assert done.exit_code == 1, done.output  # text where the page number is stamped is an error
    assert "bottom-margin" in done.stdout
    picture = tmp_path / "pics" / "validation" / "paper.pdf-p1-bottom-margin.png"
    assert f"picture: {picture}" in done.stdout.replace("\n    ", " ").replace("\n", "")
    assert picture.read_bytes().startswith(b"\x89PNG")


OT1_BITMAP = T1_BITMAP.replace("\\usepackage[T1]{fontenc}\n", "").replace("\\k{u}", "u").replace(
    "T1 Computer Modern", "OT1 Computer Modern, the first file of every efficient office")  # fi, ffi ligatures


def test_bitmap_computer_modern_in_ot1_is_not_blamed_on_cm_super(tmp_path: Path):
    """Computer Modern itself (OT1, no fontenc) as bitmaps: the machine lacks its Type 1 version. The EC fonts'
    letters have its widths, and the finding named them and blamed a missing cm-super."""
    pdf = compile_tex(OT1_BITMAP, tmp_path, bitmap_font_env(tmp_path, dropped=("cm",)))
    (report,) = check_files([pdf], profile="generic")
    (finding,) = [f for f in report.findings if f.rule == "type3-fonts"]
    assert finding.severity == "error" and "OT1" in finding.message and "ecrm" not in finding.message
    assert "cm-super" not in finding.fix and "lmodern" in finding.fix

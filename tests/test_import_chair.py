"""`proceedings import` as a new chair meets it: decisions that name a paper type, decisions no one foresaw, and
entries the chair took out of papers.yaml (exports written as EasyChair writes them: BOM, CRLF, quoted cells)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml
from reportlab.pdfgen import canvas
from typer.testing import CliRunner

from proceedings.cli import app

runner = CliRunner()

HEADER = ["#", "track #", "track name", "title", "authors", "submitted", "last updated", "form fields", "keywords",
          "decision", "notified", "reviews sent", "abstract", "deleted?"]


def _csv(path: Path, rows: list[list[str]]) -> Path:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + text.getvalue().encode("utf-8"))
    return path


def _submissions(tmp_path: Path, decisions: dict[str, str]) -> Path:
    rows = [HEADER] + [[pid, "1", "Main", f"Paper {pid}", f"Author {pid}", "2025-01-20 13:02", "2025-01-24 09:41",
                        "(Paper type) Full paper", "retrieval", decision, "yes", "yes", "An abstract\non two lines.",
                        "no"] for pid, decision in decisions.items()]
    return _csv(tmp_path / "submission.csv", rows)


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    assert runner.invoke(app, ["init", str(project)]).exit_code == 0
    page = canvas.Canvas(str(project / "camera_ready" / "paper3.pdf"), pagesize=(612, 792))
    page.drawString(72, 720, "camera ready")
    page.save()
    return project


def _import(project: Path, submissions: Path, *args: str):
    return runner.invoke(app, ["import", "easychair", "--project", str(project), "--submissions", str(submissions),
                               *args])


def _papers(project: Path) -> list[dict]:
    return yaml.safe_load((project / "camera_ready/papers.yaml").read_text(encoding="utf-8"))


def test_a_decision_naming_the_paper_type_gives_its_type(tmp_path: Path) -> None:
    """"accept as short paper" is accepted, and short: the ACM e-Rights CSV must not call it a Full Paper."""
    project = _project(tmp_path)
    subs = _submissions(tmp_path, {"3": "accept as short paper", "4": "Accept (full paper)", "5": "accept",
                                   "6": "Accept (poster)", "7": "reject (short paper)"})
    result = _import(project, subs)
    assert result.exit_code == 0, result.output
    entries = {e["id"]: e for e in _papers(project)}
    assert sorted(entries) == ["3", "4", "5", "6"]
    assert entries["3"]["type"] == "short" and entries["4"]["type"] == "full"
    assert "type" not in entries["5"] and "type" not in entries["6"], "no type the decision does not name"

    # the chair's own type is kept on re-import, and the export's other one reported
    path = project / "camera_ready/papers.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("type: short", "type: demo"), encoding="utf-8")
    result = _import(project, subs)
    assert result.exit_code == 0, result.output
    assert _papers(project)[0]["type"] == "demo"
    assert "3: type: export has 'short' (decision: accept as short paper)" in result.output
    path.write_text(path.read_text(encoding="utf-8").replace("type: demo", "type: Short Paper"), encoding="utf-8")
    assert "type:" not in _import(project, subs).output, "ACM's name of the same type is no difference"


def test_submissions_of_a_decision_no_one_foresaw_are_named(tmp_path: Path) -> None:
    """A decision worded "Short paper" (not beginning with "accept") is no accepted one: the paper is not imported,
    and the chair is told which papers, with which decision, and how to take them in."""
    project = _project(tmp_path)
    subs = _submissions(tmp_path, {"3": "accept", "21": "Short paper", "22": "no decision", "23": "Short paper",
                                   "30": "reject"})
    result = _import(project, subs)
    assert result.exit_code == 0, result.output
    assert [e["id"] for e in _papers(project)] == ["3"]
    assert "5 submissions, 1 accepted (1 rejected, 3 undecided)" in result.output
    assert "'Short paper': 21, 23" in result.output and "'no decision': 22" in result.output
    assert "--decision" in result.output

    result = _import(project, subs, "--decision", "accept", "--decision", "Short paper")
    assert result.exit_code == 0, result.output
    assert [e["id"] for e in _papers(project)] == ["3", "21", "23"]
    assert "'Short paper'" not in result.output


def test_an_entry_the_chair_commented_out_is_not_brought_back(tmp_path: Path) -> None:
    """The natural way to take a paper out of the volume (no camera-ready came) is to comment its entry out: a
    re-import must not append it again, and says so; an entry deleted outright comes back, named."""
    project = _project(tmp_path)
    subs = _submissions(tmp_path, {"3": "accept", "40": "accept", "41": "accept"})
    assert _import(project, subs).exit_code == 0
    path = project / "camera_ready/papers.yaml"
    text = path.read_text(encoding="utf-8")
    at_40, at_41 = text.index("- id: '40'"), text.index("- id: '41'")
    commented = "".join("# " + line + "\n" for line in text[at_40:at_41].splitlines())
    path.write_text(text[:at_40] + commented, encoding="utf-8")  # 40 commented out, 41 deleted

    result = _import(project, subs)
    assert result.exit_code == 0, result.output
    assert [e["id"] for e in _papers(project)] == ["3", "41"]
    assert "# - id: '40'" in path.read_text(encoding="utf-8")
    assert "commented out in papers.yaml, so not added" in result.output and "40: Paper 40" in result.output
    assert "added at the end" in result.output and "41: Paper 41" in result.output
    assert runner.invoke(app, ["import", "easychair", "--project", str(project), "--submissions", str(subs),
                               "--dry-run"]).output.count("- id: '40'") == 0


def test_an_openreview_import_without_profiles_says_it_has_no_affiliations(tmp_path: Path) -> None:
    """OpenReview's notes hold no affiliations: without --profiles the chair is told, as EasyChair's import
    without its authors export tells, rather than finding a front matter and an ACM CSV without institutions."""
    project = _project(tmp_path)
    notes = Path(__file__).parent / "data" / "import" / "openreview"
    args = ["import", "openreview", "--project", str(project), "--notes", str(notes / "notes.json"), "--dry-run"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "note: no profiles dump: notes hold no affiliations" in result.output and "--profiles" in result.output
    result = runner.invoke(app, [*args, "--profiles", str(notes / "profiles.json")])
    assert result.exit_code == 0, result.output
    assert "no profiles dump" not in result.output

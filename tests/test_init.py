"""`proceedings init`: a commented project whose build says what to fill in."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pypdf import PdfReader
from reportlab.pdfgen import canvas
from typer.testing import CliRunner

from proceedings.cli import app
from proceedings.project.init import FILES
from proceedings.project.loading import load_project

runner = CliRunner()


def _init(directory: Path, *args: str):
    return runner.invoke(app, ["init", str(directory), *args])


def _pdf(path: Path) -> None:
    page = canvas.Canvas(str(path), pagesize=(612, 792))
    page.drawString(72, 720, "camera ready")
    page.save()


def test_init_writes_commented_templates(tmp_path: Path) -> None:
    project = tmp_path / "erel"
    result = _init(project)
    assert result.exit_code == 0, result.output
    for rel in FILES:
        path = project / rel
        assert path.is_file(), rel
        text = path.read_text(encoding="utf-8")
        assert text.lstrip().startswith("#"), f"{rel} opens with an explanatory comment"
        if rel.endswith(".yaml"):
            yaml.safe_load(text)  # valid YAML
    assert yaml.safe_load((project / "camera_ready/papers.yaml").read_text(encoding="utf-8")) == []
    assert yaml.safe_load((project / "front_matter/organizers.yaml").read_text(encoding="utf-8")) == []
    assert (project / "camera_ready").is_dir()


def test_build_on_a_fresh_project_explains_what_is_missing(tmp_path: Path) -> None:
    project = tmp_path / "fresh"
    assert _init(project).exit_code == 0
    result = runner.invoke(app, ["build", "--project", str(project)])
    assert result.exit_code == 2, result.output
    output = result.output
    assert "Traceback" not in output
    for field in ("title", "acronym", "location", "start_date", "end_date", "editors"):
        assert f"front_matter/workshop.yaml: {field}: field required" in output, output
    assert not (project / "build" / "proceedings.pdf").exists()


def test_build_with_front_matter_filled_asks_for_papers(tmp_path: Path) -> None:
    project = tmp_path / "half"
    assert _init(project).exit_code == 0
    (project / "front_matter/workshop.yaml").write_text(_uncommented_workshop(project), encoding="utf-8")
    result = runner.invoke(app, ["validate", "--project", str(project)])
    assert result.exit_code == 2, result.output
    assert "camera_ready/papers.yaml: (top level): no papers listed" in result.output


def _uncommented_workshop(project: Path) -> str:
    """workshop.yaml with its commented required fields (and example editors) switched on."""
    lines = []
    for line in (project / "front_matter/workshop.yaml").read_text(encoding="utf-8").splitlines():
        if re.match(r"# (title|acronym|conference|conference_acronym|location|start_date|end_date|editors):", line) \
                or re.match(r"#   (- |  )[a-z]", line):
            line = line[2:]
        lines.append(line)
    return "\n".join(lines) + "\n"


def _uncommented_list(text: str) -> str:
    """A list template with its example entries (from the first "# - ") switched on and its [] dropped."""
    lines, example = [], False
    for line in text.splitlines():
        example = example or line.startswith("# - ")
        if line.strip() == "[]":
            continue
        lines.append(line[2:] if example and re.match(r"# (- |  )", line) else line)
    return "\n".join(lines) + "\n"


def test_template_examples_are_valid_once_uncommented(tmp_path: Path) -> None:
    project = tmp_path / "filled"
    assert _init(project).exit_code == 0
    fm = project / "front_matter"
    (fm / "workshop.yaml").write_text(_uncommented_workshop(project), encoding="utf-8")
    for name in ("organizers.yaml", "committee.yaml"):
        (fm / name).write_text(_uncommented_list((fm / name).read_text(encoding="utf-8")), encoding="utf-8")
    papers = project / "camera_ready/papers.yaml"
    papers.write_text(_uncommented_list(papers.read_text(encoding="utf-8")), encoding="utf-8")
    _pdf(project / "camera_ready/17.pdf")
    loaded = load_project(project)
    assert loaded.workshop.acronym == "EReL@MIR '25"
    assert [e.name for e in loaded.workshop.editors] == ["Joemon M. Jose", "Ana Álvarez Pérez"]
    assert loaded.workshop.editors[1].family_name == "Álvarez Pérez"
    assert [o.role for o in loaded.organizers] == ["General Chair", "Program Chair"]
    assert len(loaded.committee) == 2
    assert [p.id for p in loaded.papers] == ["17"]
    assert loaded.preface.strip().startswith("# Preface")


def test_init_refuses_an_existing_project_unless_forced(tmp_path: Path) -> None:
    project = tmp_path / "mine"
    assert _init(project).exit_code == 0
    workshop = project / "front_matter/workshop.yaml"
    workshop.write_text("title: mine\n", encoding="utf-8")
    _pdf(project / "camera_ready/3.pdf")

    again = _init(project)
    assert again.exit_code == 2
    assert "already a project" in again.output and "--force" in again.output
    assert workshop.read_text(encoding="utf-8") == "title: mine\n"

    forced = _init(project, "--force")
    assert forced.exit_code == 0, forced.output
    assert workshop.read_text(encoding="utf-8") != "title: mine\n"
    assert (project / "camera_ready/3.pdf").is_file(), "PDFs are never touched"


def test_init_into_an_existing_empty_folder_and_onto_a_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _init(empty).exit_code == 0
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    result = _init(a_file)
    assert result.exit_code == 2
    assert "not a folder" in result.output



def _front_text(project: Path) -> str:
    result = runner.invoke(app, ["build", "--project", str(project), "--quiet"])
    assert result.exit_code in (0, 1), result.output  # 1: the one-line stand-in paper breaks the venue's rules
    reader = PdfReader(str(project / "build/front_matter.pdf"))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_preface_template_makes_no_preface_and_comments_are_not_printed(tmp_path: Path) -> None:
    """The template's preface.md is a heading and an HTML comment saying "Nothing in this comment is printed;
    while the file holds nothing else, the volume has no preface": the comment must not be printed as text,
    nor a preface page of the heading alone be made; a comment beside real text is left out of it."""
    project = tmp_path / "preface"
    assert _init(project).exit_code == 0
    (project / "front_matter/workshop.yaml").write_text(_uncommented_workshop(project), encoding="utf-8")
    papers = project / "camera_ready/papers.yaml"
    papers.write_text(_uncommented_list(papers.read_text(encoding="utf-8")), encoding="utf-8")
    _pdf(project / "camera_ready/17.pdf")
    text = _front_text(project)
    assert "Nothing in this comment" not in text and "<!" not in text
    assert "Preface" not in text  # neither a page nor a line of the contents

    preface = project / "front_matter/preface.md"
    preface.write_text(preface.read_text(encoding="utf-8") + "\nWelcome to the workshop.\n\n<!-- a note\n\n"
                       "to self -->\nSee you in Sydney.\n", encoding="utf-8")
    text = _front_text(project)
    assert "Welcome to the workshop." in text and "See you in Sydney." in text
    assert "Preface" in text
    assert "Nothing in this comment" not in text and "a note" not in text and "to self" not in text

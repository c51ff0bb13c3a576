"""`proceedings import openreview`: a JSON dump of OpenReview API v2 notes into camera_ready/papers.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from proceedings.cli import app
from proceedings.importers.openreview import accepted_venue_id, read_openreview
from proceedings.project.loading import load_project
from tests.test_import_easychair import new_project, papers  # shared project helpers

DATA = Path(__file__).parent / "data" / "import" / "openreview"
NOTES = DATA / "notes.json"
PROFILES = DATA / "profiles.json"
VENUE = "ACM.org/TheWebConf/2025/Workshop/EReL_MIR"
runner = CliRunner()


def run_import(project: Path, *args: str):
    return runner.invoke(app, ["import", "openreview", "--project", str(project), *args])


# the PDF of note 21 keeps the name OpenReview's /pdf/ link gives it
HASHED = "mn5bv4cx3z0a1b2c3d4e5f60718293a4b5c6d7e8f9.pdf"


def test_accepted_notes_become_papers_yaml(tmp_path: Path) -> None:
    project = new_project(tmp_path, ("4.pdf", "paper_12.pdf", HASHED, "Withdrawn_15.pdf"))
    result = run_import(project, "--notes", str(NOTES), "--profiles", str(PROFILES))
    assert result.exit_code == 0, result.output
    entries = papers(project)
    # accepted: venueid is the venue's own id; rejected, withdrawn, desk rejected and under review are not
    assert [e["id"] for e in entries] == ["4", "12", "21"]
    assert "7 submissions, 3 accepted (2 rejected, 1 undecided, 1 withdrawn)" in result.output

    first = entries[0]
    assert first["title"] == "Token Pruning for Fast Video-Text Retrieval"
    # Junchen Fu appears twice in the note's authors: once here; affiliation: the current one of the profile
    assert first["authors"] == [
        {"name": "Junchen Fu", "affiliation": "University of Glasgow", "email": "j.fu.3@research.gla.ac.uk"},
        {"name": "Joemon M. Jose", "affiliation": "University of Glasgow"},
    ]
    assert first["abstract"] == "We prune tokens.\n\nVideos are long."
    assert first["keywords"] == ["video retrieval", "token pruning"]

    second = entries[1]
    assert second["title"] == "Sparse & Dense: $k$-NN at 50% of the Cost"
    assert second["authors"][0] == {"name": "Nguyễn Thị Minh Khai"}  # no profile in the dump
    assert second["authors"][1] == {"name": "Ioannis Arapakis", "email": "ioannis.arapakis@telefonica.com"}
    assert second["authors"][2]["affiliation"] == "Shandong University"

    assert [e["file"] for e in entries] == ["4.pdf", "paper_12.pdf", HASHED]
    assert "match no paper (1)" in result.output and "Withdrawn_15.pdf" in result.output
    assert "without a PDF" not in result.output

    loaded = load_project(project)
    assert [p.id for p in loaded.papers] == ["4", "12", "21"]
    assert loaded.papers[2].authors[0].name == "Ana Álvarez Pérez"


def test_profiles_are_optional(tmp_path: Path) -> None:
    project = new_project(tmp_path, ())
    result = run_import(project, "--notes", str(NOTES))
    assert result.exit_code == 0, result.output
    entries = papers(project)
    assert entries[0]["authors"] == [{"name": "Junchen Fu"}, {"name": "Joemon M. Jose"}]
    assert [e["file"] for e in entries] == ["4.pdf", "12.pdf", "21.pdf"]
    assert "papers without a PDF in camera_ready/ (3)" in result.output


def test_masked_addresses_of_a_public_dump_are_not_written(tmp_path: Path) -> None:
    """OpenReview's public profiles show addresses masked (****@gla.ac.uk): none is written as an author's."""
    import json

    dump = json.loads(PROFILES.read_text(encoding="utf-8"))
    for profile in dump["profiles"]:
        content = profile["content"]
        content["emails"] = ["****@" + e.split("@", 1)[1] for e in content.get("emails", [])]
        content.pop("preferredEmail", None)
    masked = tmp_path / "masked.json"
    masked.write_text(json.dumps(dump), encoding="utf-8")
    project = new_project(tmp_path, ("4.pdf", "paper_12.pdf", HASHED))
    result = run_import(project, "--notes", str(NOTES), "--profiles", str(masked))
    assert result.exit_code == 0, result.output
    entries = papers(project)
    assert entries[0]["authors"][0] == {"name": "Junchen Fu", "affiliation": "University of Glasgow"}
    assert not [a for e in entries for a in e["authors"] if "*" in a.get("email", "")]


def test_bare_list_and_json_lines_dumps(tmp_path: Path) -> None:
    notes = json.loads(NOTES.read_text(encoding="utf-8"))["notes"]
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(notes), encoding="utf-8")
    lines = tmp_path / "notes.jsonl"
    lines.write_text("".join(json.dumps(n) + "\n" for n in notes), encoding="utf-8")
    for dump in (bare, lines):
        export = read_openreview(dump)
        assert [p.id for p in export.accepted] == ["4", "12", "21"], dump.name


def test_venue_id_chooses_the_accepted_notes(tmp_path: Path) -> None:
    project = new_project(tmp_path, ())
    result = run_import(project, "--notes", str(NOTES), "--venue-id", f"{VENUE}/Rejected_Submission")
    assert result.exit_code == 0, result.output
    assert [e["id"] for e in papers(project)] == ["8"]

    other = new_project(tmp_path / "other", ())
    wrong = run_import(other, "--notes", str(NOTES), "--venue-id", "ICLR.cc/2025/Conference")
    assert wrong.exit_code == 2
    assert "no note has venue id 'ICLR.cc/2025/Conference'" in wrong.output
    assert VENUE in wrong.output


def test_api_v1_notes_with_plain_content(tmp_path: Path) -> None:
    notes = tmp_path / "v1.json"
    notes.write_text(json.dumps([
        {"id": "a1", "number": 2, "content": {"title": "Plain Title", "authors": ["Ann Lee"],
                                               "authorids": ["ann@example.org"], "venueid": "W/2024",
                                               "keywords": "one, two"}},
        {"id": "b2", "number": 3, "content": {"title": "Rejected", "authors": ["Bo Li"],
                                               "authorids": ["~Bo_Li1"], "venueid": "W/2024/Rejected_Submission"}},
    ]), encoding="utf-8")
    export = read_openreview(notes)
    assert [(p.id, p.title, p.keywords) for p in export.accepted] == [("2", "Plain Title", ["one", "two"])]
    assert export.accepted[0].authors[0].email == "ann@example.org"


def test_reimport_merges_and_dry_run_writes_nothing(tmp_path: Path) -> None:
    project = new_project(tmp_path, ("4.pdf",))
    target = project / "camera_ready/papers.yaml"
    target.write_text("# chair's order\n- id: 21\n  title: Adapters (final title)\n  authors: [{name: Ana Álvarez Pérez},"
                      " {name: Yue Feng}]\n  file: 21.pdf\n  session: Recommendation\n", encoding="utf-8")
    before = target.read_bytes()
    dry = run_import(project, "--notes", str(NOTES), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert target.read_bytes() == before
    assert "+- id: '4'" in dry.output and "+- id: '12'" in dry.output
    assert "21: title: export has 'Lightweight Adapters for Cross-Modal Recommendation'" in dry.output

    result = run_import(project, "--notes", str(NOTES))
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(before)
    entries = papers(project)
    assert [str(e["id"]) for e in entries] == ["21", "4", "12"]
    assert entries[0]["title"] == "Adapters (final title)" and entries[0]["session"] == "Recommendation"


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ('{"notes": []}', "no notes found"),
    (json.dumps({"notes": [{"number": 1, "content": {"title": {"value": "T"},
                                                       "venueid": {"value": "V/Submission"}}}]}),
     "no accepted notes"),
])
def test_unusable_dumps_exit_2(tmp_path: Path, content: str, message: str) -> None:
    project = new_project(tmp_path, ())
    notes = tmp_path / "notes.json"
    notes.write_text(content, encoding="utf-8")
    result = run_import(project, "--notes", str(notes))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_most_common_accepted_venue_id() -> None:
    notes = json.loads(NOTES.read_text(encoding="utf-8"))["notes"]
    assert accepted_venue_id(notes) == VENUE


def test_decisions_in_replies_when_venue_ids_are_not_final(tmp_path: Path) -> None:
    """Before the post-decision stage every note is '<venue>/Submission'; the Decision replies decide."""
    def note(number: int, decision: str | None, venueid: str = f"{VENUE}/Submission") -> dict:
        replies = []
        if decision:
            replies.append({"id": f"d{number}", "invitations": [f"{VENUE}/Submission{number}/-/Decision"],
                            "content": {"decision": {"value": decision}, "comment": {"value": "..."}}})
        replies.append({"id": f"r{number}", "invitations": [f"{VENUE}/Submission{number}/-/Official_Review"],
                        "content": {"rating": {"value": 8}}})
        return {"id": f"n{number}", "number": number, "details": {"replies": replies},
                "content": {"title": {"value": f"Paper {number}"}, "authors": {"value": ["Ann Lee"]},
                            "authorids": {"value": ["~Ann_Lee1"]}, "venueid": {"value": venueid}}}
    dump = tmp_path / "notes.json"
    dump.write_text(json.dumps({"notes": [note(1, "Accept (Oral)"), note(2, "Reject"), note(3, None),
                                          note(4, "Accept (Poster)"),
                                          note(5, "Accept (Poster)", f"{VENUE}/Withdrawn_Submission")]}),
                    encoding="utf-8")
    export = read_openreview(dump)
    assert [p.id for p in export.accepted] == ["1", "4"]
    assert {p.id: p.status.value for p in export.papers} == {
        "1": "accepted", "2": "rejected", "3": "undecided", "4": "accepted", "5": "withdrawn"}


@pytest.mark.parametrize("notes", [
    [{"content": [1]}],
    [{"content": "x"}],
    [{"number": 1, "details": [1], "content": {"title": {"value": "T"}}}],
    [{"number": 1, "content": {"title": {"value": "T"}, "authors": {"value": 5}, "venueid": {"value": "V/C"}}}],
    "[" * 100_000 + "]" * 100_000,
])
def test_a_dump_of_unforeseen_shapes_is_an_input_error_naming_the_file(tmp_path: Path, notes):
    """Whatever a notes file holds, it is the file's to fix: exit 2 naming it (each was an internal error)."""
    from proceedings.errors import InputError

    path = tmp_path / "notes.json"
    path.write_text(notes if isinstance(notes, str) else json.dumps(notes), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_openreview(path)
    assert str(path) in str(caught.value) and caught.value.exit_code == 2


@pytest.mark.parametrize("profiles", [[{"id": "~A_B1", "content": 5}], {"profiles": [{"content": {"names": 5}}]}])
def test_an_unforeseen_profiles_file_is_named_not_the_notes(tmp_path: Path, profiles) -> None:
    """A profiles dump of an unforeseen shape is that file's to fix: the message names it, not the notes file
    (it named the notes, which were fine)."""
    from proceedings.errors import InputError

    path = tmp_path / "profiles.json"
    path.write_text(json.dumps(profiles), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_openreview(NOTES, VENUE, path)
    assert str(caught.value).startswith(f"{path}:") and str(NOTES) not in str(caught.value)

"""Bad project files: exit status 2, one clear message per problem, all at once, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from proceedings.errors import ProjectFileError
from proceedings.project.loading import load_project
from tests.conftest import copy_project


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    env.pop("PROCEEDINGS_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "proceedings", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "proj")


def papers(project: Path) -> list[dict]:
    return yaml.safe_load((project / "camera_ready/papers.yaml").read_text(encoding="utf-8"))


def write_papers(project: Path, data) -> None:
    (project / "camera_ready/papers.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def problems(project: Path) -> list[str]:
    with pytest.raises(ProjectFileError) as info:
        load_project(project)
    return info.value.problems


def test_repository_project_loads():
    project = load_project(Path(__file__).resolve().parents[1])
    assert len(project.committee) == 9 and len(project.organizers) == 8
    assert 8 <= len(project.papers) <= 12


def test_a_front_matter_file_left_out_is_told_an_empty_one_says_there_is_none(project: Path):
    assert not [n for n in load_project(project).notices if "not found" in n]
    (project / "front_matter/committee.yaml").unlink()
    (project / "front_matter/preface.md").write_text("", encoding="utf-8")
    notices = [n for n in load_project(project).notices if "not found" in n]
    assert notices == ["front_matter/committee.yaml: not found, so the front matter has no Program Committee page "
                       "(write an empty list, [], if there is none)"]


def test_yaml_syntax_error_names_line_and_column(project: Path):
    path = project / "front_matter/workshop.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nbroken: [unclosed\n", encoding="utf-8")
    (msg,) = problems(project)
    assert msg.startswith("front_matter/workshop.yaml: line ")
    assert "column" in msg


def test_missing_and_mistyped_fields_are_all_reported(project: Path):
    path = project / "front_matter/workshop.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["location"]
    data["editors"][1] = {"affiliation": "Nowhere"}
    data["start_date"] = "28 April 2025"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    entries = papers(project)
    del entries[2]["title"]
    entries[3]["authors"] = "Somebody"
    write_papers(project, entries)
    found = problems(project)
    assert "front_matter/workshop.yaml: location: field required" in found
    assert "front_matter/workshop.yaml: editors[1].name: field required" in found
    assert any(p.startswith("front_matter/workshop.yaml: start_date: not an ISO date") for p in found)
    assert any(p.startswith(f"camera_ready/papers.yaml: [2] (id {entries[2]['id']}).title: field required")
               for p in found)
    assert any(p.startswith(f"camera_ready/papers.yaml: [3] (id {entries[3]['id']}).authors:") for p in found)


def test_duplicate_ids(project: Path):
    entries = papers(project)
    entries[1]["id"] = entries[0]["id"]
    write_papers(project, entries)
    (msg,) = problems(project)
    assert f"duplicate id {entries[0]['id']!r}" in msg and "[1]" in msg


def test_an_unquoted_id_is_the_text_the_chair_wrote(project: Path):
    """YAML 1.1 reads 017 as octal 15, 0x1A as 26, 1_0_0 as 100 and 12:30 as 750: an id is what was written."""
    path = project / "camera_ready/papers.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in (("1", "017"), ("2", "0x1A"), ("3", "1_0_0"), ("4", "010"), ("5", "17"), ("6", "1.50")):
        text = text.replace(f'- id: "{old}"\n', f"- id: {new}\n", 1)
    path.write_text(text, encoding="utf-8")
    assert [p.id for p in load_project(project).papers][:7] == ["017", "0x1A", "1_0_0", "010", "17", "1.50", "7"]
    result = run_cli("cite", "017", "--project", str(project))
    assert result.returncode == 0 and "erelmir25.01" in result.stdout, result.stderr
    path.write_text(text.replace("- id: 017\n", "- id: 12:30\n"), encoding="utf-8")
    (msg,) = problems(project)
    assert msg.startswith("camera_ready/papers.yaml: [0] (id 12:30).id: id '12:30' cannot name a file"), msg


def test_ids_that_are_one_file_name_on_windows_or_macos_are_refused(project: Path):
    entries = papers(project)
    for entry, pid in zip(entries, ("a", "A", "nul.txt", "COM1", "lpt9.tar.gz", "Con", "aux ", "CONSOLE", "com10")):
        entry["id"] = pid
    write_papers(project, entries)
    device = "cannot name a file on Windows (CON, PRN, AUX, NUL, COM1…COM9 and LPT1…LPT9 name devices there"
    found = problems(project)
    assert found[0] == ("camera_ready/papers.yaml: [1] (id A).id: id 'A' differs from the id 'a' of entry [0] (id a) "
                        "only in letter case: papers/a.pdf and papers/A.pdf would be one file on Windows and macOS; "
                        "give one of them another id")
    assert [p.split(": ", 2)[1] for p in found[1:]] == ["[2] (id nul.txt).id", "[3] (id COM1).id",
                                                       "[4] (id lpt9.tar.gz).id", "[5] (id Con).id", "[6] (id aux ).id"]
    assert all(device in p for p in found[1:]), found
    entries = papers(project)[:2]
    entries[0]["id"], entries[1]["id"] = "Müller", "Mu\u0308ller"  # ü as one character, and as u and its accent
    write_papers(project, entries)
    (msg,) = problems(project)
    assert msg.startswith("camera_ready/papers.yaml: [1] (id Mu\u0308ller).id: id 'Mu\u0308ller' differs from the "
                          "id 'Müller' of entry [0] (id Müller) only in how its accented letters are written"), msg


def test_an_id_too_long_for_a_file_name_is_refused_by_its_entry(project: Path):
    entries = papers(project)
    entries[1]["id"] = "中" * 90  # 90 characters, 270 bytes: papers/ID.pdf cannot be made
    entries[2]["id"] = "中" * 60  # 180 bytes: it can
    write_papers(project, entries)
    (msg,) = problems(project)
    assert msg.startswith("camera_ready/papers.yaml: [1] (id ") and "id is 270 bytes long in UTF-8" in msg, msg


def test_a_family_name_not_in_the_name_is_told(project: Path):
    entries = papers(project)
    entries[0]["authors"][0]["family"] = "Nothere"  # a typo, or another person's
    entries[1]["authors"][0] = {"name": "Martin Luther King, Jr.", "family": "King, Jr."}  # its suffix aside: in it
    entries[2]["authors"][0] = {"name": "Anna Schmidt", "family": "Schmid"}  # a letter dropped: not a word of it
    entries[3]["authors"][0] = {"name": "李明", "family": "李"}  # a name without spaces: a part of it
    write_papers(project, entries)
    told = [n for n in load_project(project).notices if ".family:" in n]
    assert len(told) == 2 and told[0].startswith("camera_ready/papers.yaml: [0] (id ") and "'Nothere'" in told[0]
    assert ".authors[0].family: 'Nothere' is not part of the name" in told[0] and "'Schmid'" in told[1]


def test_a_folder_or_an_unreadable_file_where_a_file_should_be(project: Path, monkeypatch):
    entries = papers(project)
    locked = project / "camera_ready" / entries[1]["file"]
    real_open = Path.open

    def refusing(self: Path, *args, **kwargs):  # as for a user without permission (the tests may run as root)
        if self == locked.resolve():
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing)
    (msg,) = problems(project)
    assert msg == f"camera_ready/papers.yaml: [1] (id {entries[1]['id']}).file: {entries[1]['file']!r} cannot be read " \
                  "(Permission denied)", msg
    monkeypatch.undo()
    (project / "camera_ready" / "papers.yaml").unlink()
    (project / "camera_ready" / "papers.yaml").mkdir()
    assert problems(project) == ["camera_ready/papers.yaml: not a file"]


def test_an_email_with_a_line_break_is_refused(project: Path):
    """An address goes into the To: header of validate --emails: a line break in it would add headers (Bcc:)."""
    entries = papers(project)
    for brk in ("\n", "\u2028", "\u2029"):  # line breaks str.splitlines knows (C1 controls are removed at load)
        entries[2]["authors"][0]["email"] = f"soren@example.org{brk}Bcc: attacker@evil.example"
        write_papers(project, entries)
        (msg,) = problems(project)
        assert msg.startswith("camera_ready/papers.yaml: [2] (id ") and msg.endswith(
            ".authors[0].email: an e-mail address holds no line break or tab"), msg


def test_an_orcid_is_checked_and_kept_bare(project: Path):
    """'1234' went raw into ACM's CSV (and silently out of the Crossref deposit); a mistyped digit was deposited.
    An ORCID iD that is none is told (a warning: the volume is still built) and left out of the publisher's data."""
    from proceedings.export.acm import acm_rows
    from proceedings.export.crossref import orcid_url

    entries = papers(project)
    entries[0]["authors"][0]["orcid"] = "1234"
    entries[0]["authors"][1]["orcid"] = "0000-0002-1825-009X"  # its check character is 7
    write_papers(project, entries)
    workshop = project / "front_matter/workshop.yaml"
    text = workshop.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["editors"][0]["orcid"] = "0000-0002-1825-0098"
    workshop.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    loaded = load_project(project)
    told = [n for n in loaded.notices if ".orcid: " in n]
    assert told == [
        "front_matter/workshop.yaml: editors[0].orcid: '0000-0002-1825-0098' has a wrong check character: it should "
        "end in 7 (a mistyped digit?); the Crossref deposit and ACM's metadata leave it out",
        "camera_ready/papers.yaml: [0] (id 1).authors[0].orcid: '1234' is not an ORCID iD (0000-0000-0000-000X, or "
        "https://orcid.org/0000-0000-0000-000X); the Crossref deposit and ACM's metadata leave it out",
        "camera_ready/papers.yaml: [0] (id 1).authors[1].orcid: '0000-0002-1825-009X' has a wrong check character: "
        "it should end in 7 (a mistyped digit?); the Crossref deposit and ACM's metadata leave it out"], told
    assert [orcid_url(a.orcid) for a in loaded.papers[0].authors[:2]] == [None, None]
    first = loaded.papers[0]
    rows = acm_rows(loaded, {"papers": [{"id": first.id, "title": first.title, "first_page": 1, "last_page": 4}]})
    assert [row[13] for row in rows[:2]] == ["", ""]  # ACM's orcid column
    workshop.write_text(text, encoding="utf-8")
    entries[0]["authors"][0]["orcid"] = "https://orcid.org/0000-0002-1694-233x"
    entries[0]["authors"][1]["orcid"] = "0000-0002-1825-0097"
    write_papers(project, entries)
    loaded = load_project(project)
    assert [a.orcid for a in loaded.papers[0].authors[:3]] == ["0000-0002-1694-233X", "0000-0002-1825-0097", None]
    assert not [n for n in loaded.notices if ".orcid: " in n]
    first = loaded.papers[0]
    rows = acm_rows(loaded, {"papers": [{"id": first.id, "title": first.title, "first_page": 1, "last_page": 4}]})
    assert [row[13] for row in rows[:2]] == ["0000-0002-1694-233X", "0000-0002-1825-0097"]


def test_a_programme_without_a_time_zone_is_told(project: Path):
    """program.ics of a workshop without ``timezone`` holds floating times: a calendar elsewhere shows them wrong."""
    assert not [n for n in load_project(project).notices if "timezone" in n]
    workshop = project / "front_matter" / "workshop.yaml"
    workshop.write_text("\n".join(line for line in workshop.read_text(encoding="utf-8").splitlines()
                                   if not line.startswith("timezone:")) + "\n", encoding="utf-8")
    told = [n for n in load_project(project).notices if "timezone" in n]
    assert len(told) == 1 and told[0].startswith("front_matter/workshop.yaml: timezone: not given"), told


def test_an_isbn_with_a_wrong_check_digit_is_told(project: Path):
    workshop = project / "front_matter" / "workshop.yaml"
    text = workshop.read_text(encoding="utf-8")
    workshop.write_text(text + '\nisbn: "978-1-4007-1331-6"\n', encoding="utf-8")  # the check digit is 8
    told = [n for n in load_project(project).notices if "isbn" in n]
    assert told == ["front_matter/workshop.yaml: isbn: '978-1-4007-1331-6' has a wrong check digit: it should end "
                    "in 8 (a mistyped digit?)"], told
    for good in ("978-1-4007-1331-8", "ISBN 979-8-4007-1331-6", "0-8044-2957-x"):  # a label, a small x: still good
        workshop.write_text(text + f'\nisbn: "{good}"\n', encoding="utf-8")
        assert not [n for n in load_project(project).notices if "isbn" in n], good
    workshop.write_text(text + '\nisbn: "1613-0073"\n', encoding="utf-8")
    assert "looks like an ISSN" in next(n for n in load_project(project).notices if "isbn" in n)
    workshop.write_text(text + '\nisbn: "to appear, ask the publisher"\n', encoding="utf-8")  # printed as written
    loaded = load_project(project)
    assert loaded.workshop.isbn == "to appear, ask the publisher" and any("isbn" in n for n in loaded.notices)


def test_a_derived_doi_is_checked_as_a_written_one(project: Path):
    """A DOI written for one paper that doi_pattern makes for an earlier one, and a volume DOI that the pattern makes
    for a paper, loaded without a word: only a Crossref bundle, after a whole build, refused them."""
    workshop = project / "front_matter/workshop.yaml"
    workshop.write_text(workshop.read_text(encoding="utf-8") + '\ndoi_pattern: "10.5555/x.{id}"\ndoi: "10.5555/x.3"\n',
                        encoding="utf-8")
    entries = papers(project)
    for entry in entries:
        entry.pop("doi", None)
    entries[1]["doi"] = "10.5555/x.1"  # paper 1's, as the pattern makes it
    write_papers(project, entries)
    assert problems(project) == [
        "camera_ready/papers.yaml: [1] (id 2).doi: '10.5555/x.1' is also the DOI of entry [0] (id 1); each paper "
        "needs its own",
        "camera_ready/papers.yaml: [2] (id 3).doi: '10.5555/x.3' is the DOI of the volume (front_matter/workshop.yaml "
        "doi); each paper needs its own"]


def test_a_papers_doi_is_a_doi_of_its_own(project: Path):
    """Not checked at load, a bad or shared DOI reached the .bib, RIS, CSL and PDFs; only a Crossref bundle refused it."""
    workshop = project / "front_matter/workshop.yaml"
    text = workshop.read_text(encoding="utf-8")
    workshop.write_text(text + '\ndoi: "https://doi.org/10.5555/ERELMIR25"\n', encoding="utf-8")
    entries = papers(project)
    entries[0]["doi"] = "not-a-doi"
    entries[2]["doi"] = entries[1]["doi"].upper()  # DOIs ignore letter case
    entries[3]["doi"] = "10.5555/erelmir25"  # the volume's
    write_papers(project, entries)
    assert problems(project) == [
        "camera_ready/papers.yaml: [0] (id 1).doi: 'not-a-doi' is not a DOI (10.NNNN/…, or https://doi.org/10.NNNN/…)",
        "camera_ready/papers.yaml: [2] (id 3).doi: '10.5555/ERELMIR25.02' is also the DOI of entry [1] (id 2) "
        "('10.5555/erelmir25.02': DOIs ignore letter case); each paper needs its own",
        "camera_ready/papers.yaml: [3] (id 4).doi: '10.5555/erelmir25' is the DOI of the volume "
        "(front_matter/workshop.yaml doi); each paper needs its own"]
    result = run_cli("validate", "--project", str(project))
    assert result.returncode == 2 and "[0] (id 1).doi: 'not-a-doi' is not a DOI" in result.stderr, result.stderr
    pasted = ("https://doi.org/10.1145/3701716.3717001", "http://dx.doi.org/10.1145/3701716.3717002",
              "doi:10.1145/3701716.3717003", "https://doi.org/10.1002/(SICI)1097-4571(199806)49:8%3C693::AID-ASI4%3E3.0.CO;2-0")
    for entry, doi in zip(entries, pasted):
        entry["doi"] = doi
    write_papers(project, entries)
    loaded = load_project(project)
    assert [p.doi for p in loaded.papers[:4]] == [
        "10.1145/3701716.3717001", "10.1145/3701716.3717002", "10.1145/3701716.3717003",
        "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0"]
    assert loaded.workshop.doi == "10.5555/ERELMIR25"
    workshop.write_text(text + "\ndoi: erelmir25\n", encoding="utf-8")
    assert problems(project) == [
        "front_matter/workshop.yaml: doi: 'erelmir25' is not a DOI (10.NNNN/…, or https://doi.org/10.NNNN/…)"]


def test_one_page_limit_given_moves_the_profiles_other():
    """``rules: {profile: lncs, min_pages: 12}`` in workshop.yaml, as ``check --min-pages 12``: the profile's
    maximum (8) gives way; both given out of order stays an error."""
    from proceedings.project.model import Rules

    assert (Rules.model_validate({"profile": "lncs", "min_pages": 12}).max_pages,
            Rules.model_validate({"max_pages": 3}).min_pages) == (12, 3)
    with pytest.raises(ValueError, match="min_pages"):
        Rules.model_validate({"min_pages": 10, "max_pages": 5})


def test_missing_pdf(project: Path):
    entries = papers(project)
    entries[0]["file"] = "nowhere.pdf"
    write_papers(project, entries)
    (msg,) = problems(project)
    assert msg == f"camera_ready/papers.yaml: [0] (id {entries[0]['id']}).file: 'nowhere.pdf' file not found in camera_ready/"


@pytest.mark.parametrize("bad", ["../front_matter/workshop.yaml", "/etc/passwd", "sub/../../x.pdf"])
def test_file_outside_camera_ready(project: Path, bad: str):
    entries = papers(project)
    entries[0]["file"] = bad
    write_papers(project, entries)
    (msg,) = problems(project)
    assert "outside camera_ready" in msg or "absolute path" in msg


def test_symlink_out_of_camera_ready(project: Path, tmp_path: Path):
    outside = tmp_path / "elsewhere.pdf"
    outside.write_bytes((project / "camera_ready" / papers(project)[0]["file"]).read_bytes())
    (project / "camera_ready/link.pdf").symlink_to(outside)
    entries = papers(project)
    entries[0]["file"] = "link.pdf"
    write_papers(project, entries)
    (msg,) = problems(project)
    assert "outside camera_ready/ (through a symbolic link)" in msg


def test_cli_reports_every_problem_with_exit_2_and_no_traceback(project: Path):
    entries = papers(project)
    entries[0]["file"] = "missing.pdf"
    entries[1]["id"] = entries[2]["id"]
    del entries[4]["authors"]
    write_papers(project, entries)
    result = run_cli("build", "--project", str(project))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "3 problems" in result.stderr
    assert "missing.pdf" in result.stderr and "duplicate id" in result.stderr and "authors: field required" in result.stderr
    assert not (project / "build" / "proceedings.pdf").exists()


def test_cli_missing_project_folder(tmp_path: Path):
    result = run_cli("build", "--project", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "project folder not found" in result.stderr and "Traceback" not in result.stderr


def test_duplicate_yaml_keys_are_refused(project: Path):
    path = project / "front_matter/workshop.yaml"
    path.write_text(path.read_text(encoding="utf-8") + '\ntitle: "Again"\n', encoding="utf-8")
    (msg,) = problems(project)
    assert "duplicate key 'title'" in msg


def test_unknown_fields_are_ignored_with_a_warning(project: Path):
    entries = papers(project)
    entries[0]["track"] = "main"
    entries[1]["authors"][0]["photo"] = "me.jpg"
    write_papers(project, entries)
    loaded = load_project(project)
    assert f"camera_ready/papers.yaml: [0] (id {entries[0]['id']}).track: unknown field, ignored (a typo?)" in loaded.notices
    assert any(".authors[0].photo: unknown field" in n for n in loaded.notices)


def test_a_typo_of_a_required_field_names_both(project: Path):
    path = project / "front_matter/workshop.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["titel"] = data.pop("title")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    found = problems(project)
    assert "front_matter/workshop.yaml: title: field required" in found
    assert "front_matter/workshop.yaml: titel: unknown field (a typo?)" in found


@pytest.mark.parametrize("name", ["preface.md", "organizers.yaml", "committee.yaml", "program.yaml", "sponsors.yaml"])
def test_an_optional_front_matter_file_there_but_unusable_is_a_problem(project: Path, name: str):
    """A folder named preface.md left the volume without its preface, unsaid (every YAML file said "not a file"),
    and a symbolic link to nothing (a file not copied along) dropped the programme or the sponsors unsaid."""
    path = project / "front_matter" / name
    path.unlink(missing_ok=True)
    path.mkdir()
    assert problems(project) == [f"front_matter/{name}: not a file"]
    path.rmdir()
    path.symlink_to("elsewhere/" + name)
    assert problems(project) == [f"front_matter/{name}: a symbolic link to 'elsewhere/{name}', which is not there"]

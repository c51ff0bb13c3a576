"""``proceedings bundle``: the handoff zip, its manifest, its index pages, the ACM and CEUR-WS profiles.

Every test unzips what the real command wrote and reads it back.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from proceedings import api
from proceedings.errors import RuleViolation
from proceedings.export.acm import ACM_CSV
from proceedings.export.bundle import MANIFEST, handoff_name
from tests.conftest import EPOCH
from tests.test_htmlindex import (
    AUTHORS,
    IDS,
    SESSIONS,
    TITLES,
    assert_no_outside_resources,
    awkward_project,
    link_targets,
    parse_strict,
    texts_of_class,
)

ZIP = handoff_name("EReL@MIR '25")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.run([sys.executable, "-m", "proceedings", *args], capture_output=True, text=True, env=env,
                          timeout=600)


def make_bundle(project: Path, out: Path | None = None, **kwargs):
    return api.bundle(project, out or project / "build", **kwargs)


def unzip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def manifest(files: dict[str, bytes]) -> dict[str, str]:
    lines = files[MANIFEST].decode("utf-8").splitlines()
    out = {}
    for line in lines:
        digest, name = line.split("  ", 1)
        out[name] = digest
    return out


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory):
    """The awkward project, bundled with each profile.

    The generic bundle builds the project; the other profiles bundle a copy of that build (in a folder of their
    own), not a build of the same inputs again. test_same_inputs_give_the_same_bytes builds for every profile
    from nothing and compares.
    """
    base = tmp_path_factory.mktemp("bundle")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        project = awkward_project(base / "p")
        results = {"generic": make_bundle(project, base / "generic", profile="generic")}
        for profile in ("acm", "ceur-ws"):
            shutil.copytree(base / "generic", base / profile)
            results[profile] = make_bundle(project, base / profile, profile=profile)
    return project, base, results


# --------------------------------------------------------------------------- the archive


def test_bundle_holds_the_volume_and_every_listed_output(bundled):
    project, base, results = bundled
    result = results["generic"]
    assert result.path == base / "generic" / ZIP and result.rebuilt
    files = unzip(result.path)
    assert list(files) == sorted(files)
    expected = {"proceedings.pdf", "front_matter.pdf", "metadata.json", "metadata.csv", "validation.json",
                "validation.html", "index.html", "README.txt", MANIFEST, "logo.png"}  # the workshop's (sample) logo
    expected |= {f"papers/{pid}.pdf" for pid in IDS}
    built = base / "generic"
    if (built / "proceedings.bib").is_file():  # citations: proceedings.bib and citations/ID.*
        expected |= {"proceedings.bib"} | {f"citations/{p.name}" for p in (built / "citations").iterdir()}
        assert {f"citations/{pid}.{ext}" for pid in IDS for ext in ("bib", "ris", "json", "txt")} <= expected
    assert set(files) == expected
    for name, data in files.items():
        if name not in {"README.txt", MANIFEST}:
            assert data == (built / name).read_bytes(), name
    assert len(PdfReader(io.BytesIO(files["proceedings.pdf"])).pages) == json.loads(files["metadata.json"])[
        "volume"]["pages"]["total"]


def test_every_manifest_line_verifies(bundled, tmp_path: Path):
    _, _, results = bundled
    for result in results.values():
        files = unzip(result.path)
        sums = manifest(files)
        assert set(sums) == set(files) - {MANIFEST}
        assert list(sums) == sorted(sums)
        for name, digest in sums.items():
            assert hashlib.sha256(files[name]).hexdigest() == digest, name
    if shutil.which("sha256sum"):
        folder = tmp_path / "x"
        with zipfile.ZipFile(results["ceur-ws"].path) as archive:
            archive.extractall(folder)
        check = subprocess.run(["sha256sum", "--strict", "-c", MANIFEST], cwd=folder, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        assert check.stdout.count(": OK") == len(manifest(unzip(results["ceur-ws"].path)))


def test_entries_have_fixed_times_modes_and_compression(bundled):
    _, _, results = bundled
    for path in [r.path for r in results.values()] + [results["ceur-ws"].extra["ceur_zip"]]:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                assert info.date_time == (2025, 4, 28, 0, 0, 0)
                assert info.external_attr >> 16 == 0o100644
                assert info.create_system == 3
                assert info.compress_type == zipfile.ZIP_DEFLATED
            assert archive.testzip() is None


def test_same_inputs_give_the_same_bytes(bundled, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    project, base, results = bundled
    # a fresh copy of the project elsewhere, built and bundled from nothing, without the validation cache
    copy = tmp_path / "elsewhere"
    shutil.copytree(project / "front_matter", copy / "front_matter")
    shutil.copytree(project / "camera_ready", copy / "camera_ready")
    for profile, result in results.items():
        again = make_bundle(copy, tmp_path / profile, profile=profile)
        assert again.path.read_bytes() == result.path.read_bytes(), profile
    ceur = results["ceur-ws"].extra["ceur_zip"]
    assert (tmp_path / "ceur-ws" / ceur.name).read_bytes() == ceur.read_bytes()
    # bundling again over an existing build gives the same bytes too, without building
    again = make_bundle(project, base / "generic")
    assert not again.rebuilt and again.path.read_bytes() == results["generic"].path.read_bytes()


def test_zip_dates_come_from_the_build_date_without_source_date_epoch(bundled, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    project, base, _ = bundled
    out = tmp_path / "out"
    shutil.copytree(base / "generic", out)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert not api.is_current(project, out)  # the build time would now be the newest input's mtime
    for path in project.rglob("*"):  # ... which is the time the build was made for: current again
        if path.is_file():
            os.utime(path, (int(EPOCH), int(EPOCH)))
    assert api.is_current(project, out)
    result = make_bundle(project, out)
    assert not result.rebuilt
    with zipfile.ZipFile(result.path) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2025, 4, 28, 0, 0, 0)}
    assert metadata["volume"]["build_date"] == "2025-04-28T00:00:00Z"


# --------------------------------------------------------------------------- the pages in it


def test_every_link_of_both_index_pages_resolves_in_the_bundle(bundled):
    _, _, results = bundled
    files = unzip(results["ceur-ws"].path)
    for page in ("index.html", "ceur-ws/index.html"):
        html = files[page].decode("utf-8")
        parse_strict(html)
        assert_no_outside_resources(html)
        folder = page.rpartition("/")[0]
        targets = link_targets(html)
        assert targets
        for target in targets:
            name = f"{folder}/{target}" if folder else target
            assert name in files, f"{page} links to {target}, which the bundle lacks"
    index = link_targets(files["index.html"].decode("utf-8"))
    for pid in IDS:  # every paper of the volume is named in the index, with its PDF
        assert f"papers/{pid}.pdf" in index
    for name in files:  # every citation file of the bundle is linked from the index
        if name.startswith("citations/"):
            assert name in index


def test_every_file_the_readme_names_is_in_the_bundle(bundled):
    _, _, results = bundled
    for profile, result in results.items():
        files = unzip(result.path)
        readme = files["README.txt"].decode("utf-8")
        listed = readme.split("What is inside\n--------------\n", 1)[1].split("\n\n", 1)[0].splitlines()
        for line in listed:
            name = line.split()[0]
            if name.endswith("/"):
                assert any(f.startswith(name) for f in files), (profile, name)
            else:
                assert name in files, (profile, name)
        groups = {n.split("/", 1)[0] + "/" if "/" in n else n for n in files}
        assert {line.split()[0] for line in listed} == groups
        for pid in IDS:
            assert f"papers/{pid}.pdf" in readme and f"papers/{pid}.pdf" in files


def test_readme_tells_counts_pages_version_and_date(bundled):
    project, _, results = bundled
    files = unzip(results["generic"].path)
    readme = files["README.txt"].decode("utf-8")
    metadata = json.loads(files["metadata.json"])
    pages = metadata["volume"]["pages"]
    assert "Papers in the volume:  3" in readme
    assert f"Pages, whole volume:   {pages['total']}" in readme
    assert f"Pages, front matter:   {pages['front_matter']}" in readme
    assert "proceedings 0.1.0" in readme and metadata["volume"]["tool"] in readme
    assert "Built 2025-04-28T00:00:00Z" in readme
    assert "sha256sum -c SHA256SUMS" in readme
    for title in TITLES:  # a text file: titles as they are, not escaped
        assert title in readme


def test_titles_and_names_escaped_and_right(bundled):
    _, _, results = bundled
    files = unzip(results["ceur-ws"].path)
    index = parse_strict(files["index.html"].decode("utf-8"))
    assert texts_of_class(index, "title") == TITLES
    assert texts_of_class(index, "authors") == [", ".join(a["name"] for a in authors) for authors in AUTHORS]
    ceur = parse_strict(files["ceur-ws/index.html"].decode("utf-8"))
    assert texts_of_class(ceur, "CEURTITLE") == TITLES
    assert texts_of_class(ceur, "CEURAUTHOR") == [a["name"] for authors in AUTHORS for a in authors]
    rows = list(csv.DictReader(io.StringIO(files["metadata.csv"].decode("utf-8"))))
    assert [r["title"] for r in rows] == TITLES
    assert [r["authors"] for r in rows] == ["; ".join(a["name"] for a in authors) for authors in AUTHORS]
    for raw in (files["index.html"], files["ceur-ws/index.html"]):
        assert b"<script>" not in raw and b"<b>bold" not in raw and b"<Lovelace>" not in raw


def test_metadata_csv_has_one_row_per_paper(bundled):
    _, _, results = bundled
    files = unzip(results["generic"].path)
    assert not files["metadata.csv"].startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(files["metadata.csv"].decode("utf-8"))))
    assert rows[0] == ["id", "title", "authors", "first_page", "last_page", "pages", "session", "doi", "sha256", "file"]
    metadata = json.loads(files["metadata.json"])
    for row, paper in zip(rows[1:], metadata["papers"], strict=True):
        assert row[0] == paper["id"]
        assert [int(row[3]), int(row[4]), int(row[5])] == [paper["first_page"], paper["last_page"], paper["pages"]]
        assert row[6] == (paper.get("session") or "") and row[7] == (paper.get("doi") or "")
        assert row[8] == paper["sha256"] and row[9] == paper["file"]
    assert rows[1][6] == SESSIONS[0] and rows[3][7] == "10.1145/3700000.3700017"


# --------------------------------------------------------------------------- profiles


def test_acm_profile_adds_the_erights_csv(bundled):
    _, base, results = bundled
    files = unzip(results["acm"].path)
    raw = files[ACM_CSV]
    assert not raw.startswith(b"\xef\xbb\xbf")  # the header's first cell must read "proceeding ID"
    assert raw == (base / "acm" / ACM_CSV).read_bytes()
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert list(rows[0])[:2] == ["proceeding ID", "event_tracking_number"]
    assert [r["event_tracking_number"] for r in rows] == ["1", "1", "a b#%", "a b#%", "17"]
    assert [r["paper_type"] for r in rows] == ["Short Paper"] * 2 + ["Full Paper"] * 2 + ["Demo Paper"]
    assert [r["theTitle"] for r in rows] == [TITLES[0]] * 2 + [TITLES[1]] * 2 + [TITLES[2]]
    assert [r["contact_author"] for r in rows] == ["no", "yes", "yes", "no", "yes"]  # marked, else the first
    assert [(r["first_name"], r["middle_name"], r["last_name"]) for r in rows[:4]] == [  # as the model splits them
        ("Nguyễn", "Thị Minh", "Khai"), ("Zoë", "", "O'Brien"), ("José", "", "Álvarez Pérez"),
        ("Ada", "<Lovelace> &", "Co")]
    assert rows[0]["institution"] == "Đại học <Bách> & Khoa" and rows[1]["email"] == "zoe@example.ie"
    assert [r["section_title"] for r in rows] == [SESSIONS[0]] * 4 + [SESSIONS[2]]
    assert [r["section_seq_no"] for r in rows] == ["1"] * 4 + ["2"]
    metadata = json.loads(files["metadata.json"])
    by_id = {p["id"]: p for p in metadata["papers"]}
    for row in rows:
        paper = by_id[row["event_tracking_number"]]
        assert (row["start_page"], row["end_page"]) == (str(paper["first_page"]), str(paper["last_page"]))
    assert ACM_CSV in manifest(files)
    assert "ACM e-Rights" in files["README.txt"].decode("utf-8")


def test_ceur_profile_writes_a_volume_folder_and_zip(bundled):
    _, base, results = bundled
    result = results["ceur-ws"]
    folder = base / "ceur-ws" / "ceur-ws"
    assert result.extra["ceur_folder"] == folder
    assert sorted(p.name for p in folder.iterdir()) == ["index.html", "paper1.pdf", "paper2.pdf", "paper3.pdf"]
    for i, pid in enumerate(IDS, 1):  # paperN.pdf in volume order, each the paper as stamped
        assert (folder / f"paper{i}.pdf").read_bytes() == (base / "ceur-ws" / "papers" / f"{pid}.pdf").read_bytes()
    ceur_zip = unzip(result.extra["ceur_zip"])
    assert result.extra["ceur_zip"].name == "erel-mir-25-ceur-ws.zip"
    assert sorted(ceur_zip) == ["erel-mir-25/index.html", "erel-mir-25/paper1.pdf", "erel-mir-25/paper2.pdf",
                                "erel-mir-25/paper3.pdf"]
    for name, data in ceur_zip.items():
        assert data == (folder / name.split("/", 1)[1]).read_bytes()
    html = ceur_zip["erel-mir-25/index.html"].decode("utf-8")
    for target in link_targets(html):
        assert f"erel-mir-25/{target}" in ceur_zip
    for cls in ("CEURVOLACRONYM", "CEURVOLTITLE", "CEURFULLTITLE", "CEURLOCTIME", "CEURVOLEDITOR", "CEURSESSION",
                "CEURTITLE", "CEURAUTHOR", "CEURPAGES", "CEURPUBDATE", "CEURVOLNR", "CEURURN", "CEURCOLOCATED"):
        assert f'class="{cls}' in html, cls
    assert "Vol-XXXX" in html and "Copyright &copy; 2025 for the individual papers" in html
    assert "CC BY 4.0" in html
    assert "ceur-ws/" in unzip(result.path)["README.txt"].decode("utf-8")


def test_ceur_folder_drops_papers_of_an_earlier_bundle(bundled, tmp_path: Path):
    """ceur-ws/ is uploaded as it stands: it holds the volume's files and nothing else, recorded or not."""
    _, base, _ = bundled
    out = tmp_path / "out"
    shutil.copytree(base / "ceur-ws", out)
    (out / "ceur-ws" / "paper9.pdf").write_bytes(b"old")
    project = bundled[0]
    make_bundle(project, out, profile="ceur-ws")
    assert not (out / "ceur-ws" / "paper9.pdf").exists()


# --------------------------------------------------------------------------- refusing, rebuilding


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The awkward project plus a paper whose PDF cannot be read (a validation error)."""
    project = awkward_project(tmp_path / "p")
    (project / "camera_ready" / "broken.pdf").write_bytes(b"%PDF-1.7\nthis is not a PDF\n")
    papers = yaml.safe_load((project / "camera_ready" / "papers.yaml").read_text(encoding="utf-8"))
    papers.insert(1, {"id": "B-7", "title": "Broken", "authors": [{"name": "Eve"}], "file": "broken.pdf"})
    (project / "camera_ready" / "papers.yaml").write_text(yaml.safe_dump(papers, allow_unicode=True), encoding="utf-8")
    return project


def test_refuses_while_a_paper_has_an_error(broken: Path):
    with pytest.raises(RuleViolation) as caught:
        make_bundle(broken)
    report = json.loads((broken / "build" / "validation.json").read_text(encoding="utf-8"))
    rules = {f["rule"] for p in report["papers"] if p["id"] == "B-7" for f in p["findings"] if f["severity"] == "error"}
    assert rules
    assert "B-7" in caught.value.message and "--allow-errors" in caught.value.message
    assert all(any(line.startswith(f"B-7 (broken.pdf): {rule}") for line in caught.value.problems) for rule in rules)
    assert not (broken / "build" / ZIP).exists()


def test_cli_exit_1_names_papers_and_rules_then_allow_errors(broken: Path):
    refused = run_cli("bundle", "--project", str(broken))
    assert refused.returncode == 1, refused.stderr
    assert "B-7" in refused.stderr and "broken.pdf" in refused.stderr and "--allow-errors" in refused.stderr
    assert not (broken / "build" / ZIP).exists()
    allowed = run_cli("bundle", "--project", str(broken), "--allow-errors", "--profile", "acm")
    assert allowed.returncode == 0, allowed.stderr
    files = unzip(broken / "build" / ZIP)
    readme = files["README.txt"].decode("utf-8")
    assert "BUNDLED WITH VALIDATION ERRORS" in readme and "B-7 (broken.pdf)" in readme
    assert "Papers left out:       1" in readme
    assert "papers/B-7.pdf" not in files and ACM_CSV in files
    assert set(manifest(files)) == set(files) - {MANIFEST}


def test_cli_rejects_an_unknown_profile(tmp_path: Path):
    result = run_cli("bundle", "--project", str(tmp_path), "--profile", "springer")
    assert result.returncode == 2
    assert "springer" in result.stderr


def test_bundle_builds_when_the_build_is_stale(bundled, tmp_path: Path):
    source, base, _ = bundled
    project = tmp_path / "p"  # a copy of the project and of its build (the generic bundle's)
    shutil.copytree(source / "front_matter", project / "front_matter")
    shutil.copytree(source / "camera_ready", project / "camera_ready")
    shutil.copytree(base / "generic", project / "build")
    assert api.is_current(project)
    first = make_bundle(project)
    assert not first.rebuilt
    papers_yaml = project / "camera_ready" / "papers.yaml"
    papers = yaml.safe_load(papers_yaml.read_text(encoding="utf-8"))
    papers[0]["title"] = "A new title & more"
    papers_yaml.write_text(yaml.safe_dump(papers, allow_unicode=True), encoding="utf-8")
    os.utime(papers_yaml, (2_000_000_000, 2_000_000_000))
    assert not api.is_current(project)
    second = make_bundle(project)
    assert second.rebuilt
    files = unzip(second.path)
    assert json.loads(files["metadata.json"])["papers"][0]["title"] == "A new title & more"
    assert texts_of_class(parse_strict(files["index.html"].decode("utf-8")), "title")[0] == "A new title & more"


def test_cli_bundle_without_a_build(tmp_path: Path):
    project = awkward_project(tmp_path / "p")
    result = run_cli("bundle", "--project", str(project), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / ZIP).is_file() and (tmp_path / "out" / "index.html").is_file()
    assert str(tmp_path / "out" / ZIP) in result.stdout

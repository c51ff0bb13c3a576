"""Every awkward real-world PDF as a camera-ready paper of one project: the build finishes, loses nothing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pypdf import PdfReader

from tests.conftest import AWKWARD, build_project, make_project, need, shared_once
from tests.test_sanitize import ACTIVE, raw_objects

pytestmark = pytest.mark.slow


def awkward_project(tmp_path_factory: pytest.TempPathFactory):
    """The 60 awkward files as one built project, made once per run (test_validate_corpus reads it too)."""
    need(AWKWARD)
    files = sorted(AWKWARD.glob("*.pdf"))

    def make(folder):
        project = make_project(folder / "p", files, session="Whatever authors send")
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("SOURCE_DATE_EPOCH", "1745798400")
            result = build_project(project)
        return project, files, result

    return shared_once(tmp_path_factory, "awkward-project", make)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    return awkward_project(tmp_path_factory)


def test_every_paper_is_reported_and_none_is_lost(hostile):
    project, files, result = hostile
    report = json.loads((project / "build/validation.json").read_text(encoding="utf-8"))
    meta = json.loads((project / "build/metadata.json").read_text(encoding="utf-8"))
    ids = [str(i) for i in range(1, len(files) + 1)]
    assert [p["id"] for p in report["papers"]] == ids
    in_volume = {p["id"] for p in meta["papers"]}
    excluded = {e["id"]: e for e in meta["excluded"]}
    assert in_volume | set(excluded) == set(ids) and not in_volume & set(excluded)
    for paper in report["papers"]:
        if paper["id"] in excluded:
            assert any(f["severity"] == "error" for f in paper["findings"]), paper
            assert excluded[paper["id"]]["reasons"]
    assert len(in_volume) >= 35  # most files are readable and make it into the volume


def test_the_volume_holds_every_readable_paper_and_nothing_active(hostile):
    project, _, result = hostile
    volume = PdfReader(project / "build/proceedings.pdf")
    assert len(volume.pages) == result.volume.page_count
    for pages in result.volume.papers:
        assert volume.page_labels[pages.first_index] == str(pages.first_page)
    raw = raw_objects(project / "build/proceedings.pdf")
    for marker in ACTIVE:
        assert marker not in raw, marker


def test_cli_exit_status_is_1_with_no_traceback(hostile):
    project, _, _ = hostile
    proc = subprocess.run([sys.executable, "-m", "proceedings", "build", "--project", str(project), "-q"],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr + proc.stdout

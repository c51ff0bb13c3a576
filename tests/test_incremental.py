"""Cached and incremental builds give exactly the bytes of a cold build of the same inputs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from tests.conftest import build_project, copy_project
from tests.test_reproducible import digests
from tools.samples import SampleAuthor, SamplePaper, write_paper


def _rewrite(project: Path, index: int, *, extra_pages: int = 0, seed: int = 4242) -> None:
    entries = yaml.safe_load((project / "camera_ready/papers.yaml").read_text(encoding="utf-8"))
    entry = entries[index]
    path = project / "camera_ready" / entry["file"]
    pages = len(PdfReader(path).pages) + extra_pages
    spec = SamplePaper(title=entry["title"], authors=tuple(SampleAuthor(a["name"]) for a in entry["authors"]),
                       body_pages=pages - 1, ref_pages=1, seed=seed)
    write_paper(path, spec)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "p")


def test_warm_rebuild_reuses_everything_and_changes_nothing(project: Path, tmp_path: Path):
    first = build_project(project, tmp_path / "out")
    before = digests(tmp_path / "out")
    again = build_project(project, tmp_path / "out")
    assert again.volume.restamped == 0 and first.volume.restamped == len(first.plan.papers)
    assert digests(tmp_path / "out") == before


def test_one_paper_changed_restamps_it_alone_and_equals_a_cold_build(project: Path, tmp_path: Path):
    build_project(project, tmp_path / "warm")
    _rewrite(project, 3)
    result = build_project(project, tmp_path / "warm")
    assert result.volume.restamped == 1
    build_project(project, tmp_path / "cold", use_cache=False)
    assert digests(tmp_path / "warm") == digests(tmp_path / "cold")


def test_page_count_change_shifts_later_papers_and_equals_a_cold_build(project: Path, tmp_path: Path):
    first = build_project(project, tmp_path / "warm")
    _rewrite(project, 2, extra_pages=1)
    result = build_project(project, tmp_path / "warm")
    assert result.plan.papers[3].first_page == first.plan.papers[3].first_page + 1
    assert result.volume.restamped == len(result.plan.papers) - 2
    build_project(project, tmp_path / "cold", use_cache=False)
    assert digests(tmp_path / "warm") == digests(tmp_path / "cold")


def test_title_change_reaches_contents_bookmarks_and_citations(project: Path, tmp_path: Path):
    build_project(project, tmp_path / "warm")
    papers = project / "camera_ready/papers.yaml"
    entries = yaml.safe_load(papers.read_text(encoding="utf-8"))
    entries[0]["title"] = "A Renamed Paper on Token Pruning"
    papers.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    build_project(project, tmp_path / "warm")
    build_project(project, tmp_path / "cold", use_cache=False)
    assert digests(tmp_path / "warm") == digests(tmp_path / "cold")
    assert "A Renamed Paper" in (tmp_path / "warm/proceedings.bib").read_text(encoding="utf-8")
    volume = PdfReader(tmp_path / "warm/proceedings.pdf")
    assert "A Renamed Paper on Token Pruning" in volume.pages[2].extract_text()


def test_deleting_the_cache_is_safe(project: Path, tmp_path: Path):
    import shutil

    build_project(project, tmp_path / "out")
    before = digests(tmp_path / "out")
    shutil.rmtree(tmp_path / "out" / ".cache")
    build_project(project, tmp_path / "out")
    assert digests(tmp_path / "out") == before


def test_a_hand_edited_output_paper_is_replaced(project: Path, tmp_path: Path):
    build_project(project, tmp_path / "out")
    before = digests(tmp_path / "out")
    paper = tmp_path / "out" / "papers" / "1.pdf"
    with paper.open("r+b") as handle:  # edited in place: it shares nothing with the cached part
        handle.seek(0, 2)
        handle.write(b"\n% edited by hand\n")
    result = build_project(project, tmp_path / "out")
    assert result.volume.restamped == 0
    assert digests(tmp_path / "out") == before


def test_a_rebuild_copies_the_unchanged_parts_from_the_last_volume(project: Path, tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture):
    """Parts bind would write as last time (at least the papers before the changed one: same bytes, same object
    numbers; the front matter too unless the changed paper's object count moves the pages its contents link to)
    are copied from the last volume; the volume is still byte for byte a cold build's."""
    import logging
    import re

    build_project(project, tmp_path / "warm")
    _rewrite(project, 3)
    with caplog.at_level(logging.INFO, logger="proceedings.stages.bind"):
        build_project(project, tmp_path / "warm")
    copied = re.search(r"bound (\d+) parts \((\d+) copied from the last volume\)", caplog.text)
    assert copied and 3 <= int(copied.group(2)) < int(copied.group(1)), caplog.text  # papers 1–3 at least
    build_project(project, tmp_path / "cold", use_cache=False)
    assert (tmp_path / "warm/proceedings.pdf").read_bytes() == (tmp_path / "cold/proceedings.pdf").read_bytes()
    check = subprocess.run(["qpdf", "--check", str(tmp_path / "warm/proceedings.pdf")], capture_output=True,
                           check=False)
    assert check.returncode in (0, 3) if shutil.which("qpdf") else True  # 3: warnings only

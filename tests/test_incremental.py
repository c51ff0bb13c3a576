"""Cached and incremental builds give exactly the bytes of a cold build of the same inputs.

Each test starts from a copy of the run's one cold build of the repository's project (``repo_build``, cache
included) and compares what it rebuilds with that build, or with a cold build of the changed inputs made here.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from tests.conftest import build_project, copy_project, copy_repo_build
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
def warm(repo_build, tmp_path: Path) -> tuple[Path, Path]:
    """(project, out): a copy of the repository's project and of its cold build, to change and rebuild."""
    return copy_repo_build(repo_build, tmp_path / "p", tmp_path / "out")


def test_warm_rebuild_reuses_everything_and_changes_nothing(repo_build, warm, monkeypatch: pytest.MonkeyPatch):
    """Nothing is stamped again, nothing changes, and once the copied folder's published files are recorded
    again, no cached stamped paper is even read (each is checked for bit rot where it is read: bind, publish)."""
    project, out = warm
    before = digests(out)
    assert before == digests(repo_build.outputs["volume"].parent)
    build_project(project, out)  # a copied folder: its published files are compared with their parts once
    read: list[str] = []
    real_open, real_read = Path.open, Path.read_bytes

    def spy(path: Path) -> None:
        if path.parent.name in ("stamped", "papers") and path.suffix == ".pdf":  # a part: cached, or published
            read.append(path.name)

    monkeypatch.setattr(Path, "open", lambda self, *a, **k: (spy(self), real_open(self, *a, **k))[1])
    monkeypatch.setattr(Path, "read_bytes", lambda self: (spy(self), real_read(self))[1])
    again = build_project(project, out)
    monkeypatch.undo()
    assert read == []
    assert again.volume.restamped == 0 and repo_build.volume.restamped == len(repo_build.plan.papers)
    assert digests(out) == before


def test_one_paper_changed_restamps_it_alone_and_equals_a_cold_build(warm, tmp_path: Path,
                                                                    caplog: pytest.LogCaptureFixture,
                                                                    monkeypatch: pytest.MonkeyPatch):
    """Only the changed paper is stamped again, and nothing is drawn (its pages and title are the same); bind
    copies from the last volume the parts it would write as last time: every other paper, before and after it
    (object numbers are given in whole slots, so its new object count moves no later part), and the front
    matter too unless the changed paper's first page moved within its slot; and every output is byte for byte a
    cold build's."""
    import logging
    import re

    from proceedings.stages.ahead import StampAhead

    project, out = warm
    _rewrite(project, 3)
    drawn: list = []
    real_drawings = StampAhead.drawings
    with monkeypatch.context() as patch, caplog.at_level(logging.INFO, logger="proceedings.stages.bind"):
        patch.setattr(StampAhead, "drawings", lambda self, taken: drawn.extend(real_drawings(self, taken)) or [])
        result = build_project(project, out)
    assert result.volume.restamped == 1 and drawn == []
    copied = re.search(r"bound (\d+) parts \((\d+) copied from the last volume\)", caplog.text)
    parts, taken = (int(copied.group(1)), int(copied.group(2))) if copied else (0, 0)
    assert parts - 2 <= taken < parts, caplog.text  # all but the changed paper (and maybe the front matter)
    build_project(project, tmp_path / "cold", use_cache=False)
    assert digests(out) == digests(tmp_path / "cold")
    if shutil.which("qpdf"):
        check = subprocess.run(["qpdf", "--check", str(out / "proceedings.pdf")], capture_output=True, check=False)
        assert check.returncode == 0, check.stdout


def test_page_count_change_shifts_later_papers_and_equals_a_cold_build(repo_build, warm, tmp_path: Path):
    project, out = warm
    first = repo_build
    _rewrite(project, 2, extra_pages=1)
    result = build_project(project, out)
    assert result.plan.papers[3].first_page == first.plan.papers[3].first_page + 1
    assert result.volume.restamped == len(result.plan.papers) - 2
    build_project(project, tmp_path / "cold", use_cache=False)
    assert digests(out) == digests(tmp_path / "cold")


def test_title_change_reaches_contents_bookmarks_and_citations(warm, tmp_path: Path):
    project, out = warm
    papers = project / "camera_ready/papers.yaml"
    entries = yaml.safe_load(papers.read_text(encoding="utf-8"))
    entries[0]["title"] = "A Renamed Paper on Token Pruning"
    papers.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    build_project(project, out)
    build_project(project, tmp_path / "cold", use_cache=False)
    assert digests(out) == digests(tmp_path / "cold")
    assert "A Renamed Paper" in (out / "proceedings.bib").read_text(encoding="utf-8")
    volume = PdfReader(out / "proceedings.pdf")
    assert "A Renamed Paper on Token Pruning" in volume.pages[2].extract_text()


def test_deleting_the_cache_is_safe(warm):
    import shutil

    project, out = warm
    before = digests(out)
    shutil.rmtree(out / ".cache")
    build_project(project, out)
    assert digests(out) == before


def test_papers_stamped_again_as_they_were_are_not_replaced(warm):
    """Rebuilt without the cache (or after it was lost), each paper is stamped again to the same bytes: the
    published files stay as they are, times and inodes too, so that a mirror (rsync, HTTP Last-Modified) sees
    nothing changed; and the next build finds every stamped part there."""
    project, out = warm
    before = {p.name: p.stat() for p in (out / "papers").glob("*.pdf")}
    digest = digests(out)
    build_project(project, out, use_cache=False)
    shutil.rmtree(out / ".cache")
    build_project(project, out)
    after = {p.name: p.stat() for p in (out / "papers").glob("*.pdf")}
    assert {n: (s.st_ino, s.st_mtime_ns) for n, s in after.items()} == {
        n: (s.st_ino, s.st_mtime_ns) for n, s in before.items()}
    assert digests(out) == digest
    assert build_project(project, out).volume.restamped == 0


def test_after_a_build_without_the_cache_the_next_build_binds_nothing(warm, monkeypatch: pytest.MonkeyPatch):
    """The papers stamped again to the bytes already published stay there with their own times: the volume bound
    from them is known as bound and verified where they are, and a build with nothing changed does neither again."""
    import proceedings.stages.stamp as stamp_stage
    import proceedings.stages.verify as verify_stage

    project, out = warm
    build_project(project, out, use_cache=False)
    digest = digests(out)

    def never(*args, **kwargs):
        raise AssertionError("bound or verified again with nothing changed")

    monkeypatch.setattr(stamp_stage, "bind", never)
    monkeypatch.setattr(verify_stage, "verify", never)
    result = build_project(project, out)
    assert result.volume.restamped == 0 and digests(out) == digest


def test_a_hand_edited_output_paper_is_replaced(warm):
    """A published paper is where later builds find its stamped part: edited by hand, it is stamped again (no other
    paper is), and published as it was."""
    project, out = warm
    before = digests(out)
    paper = out / "papers" / "1.pdf"
    with paper.open("r+b") as handle:  # edited in place
        handle.seek(0, 2)
        handle.write(b"\n% edited by hand\n")
    result = build_project(project, out)
    assert result.volume.restamped == 1
    assert digests(out) == before


def test_a_copied_build_folder_writes_its_exports_into_itself(warm, repo_build):
    """The export cache names its files relative to the output folder: a copied folder whose citation files were
    deleted gets them back in itself (not in the folder it was copied from), and the result points there."""
    project, out = warm
    for path in (out / "citations").glob("*"):
        path.unlink()
    (out / "proceedings.bib").unlink()
    result = build_project(project, out)
    assert result.outputs["bibtex"] == out / "proceedings.bib" and result.outputs["bibtex"].is_file()
    assert sorted(p.name for p in (out / "citations").glob("*")) == sorted(
        p.name for p in (repo_build.outputs["volume"].parent / "citations").glob("*"))


def test_a_shared_cache_draws_the_same_front_matter_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """With PROCEEDINGS_CACHE_DIR, the front matter and author index drawn for one output folder serve another
    asking with the same facts (the drawing is a pure function of them); --no-cache reads neither."""
    from proceedings.stages import draw

    monkeypatch.setenv("PROCEEDINGS_CACHE_DIR", str(tmp_path / "shared"))
    project = copy_project(tmp_path / "p")
    first = build_project(project, tmp_path / "one")
    assert sorted(p.name.split("-")[0] for p in (tmp_path / "shared" / "memo").iterdir()) == ["author", "front"]

    def never(*args):
        raise AssertionError("drawn again")

    monkeypatch.setattr(draw, "_limited", never)  # drawn by the stage
    monkeypatch.setattr(draw, "drawing", never)  # drawn ahead, in a worker forked from this process
    again = build_project(project, tmp_path / "two")  # another output folder: nothing drawn
    assert digests(tmp_path / "two") == digests(tmp_path / "one")
    assert again.volume.page_count == first.volume.page_count
    with pytest.raises(AssertionError, match="drawn again"):
        build_project(project, tmp_path / "three", use_cache=False)

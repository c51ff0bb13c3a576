"""Stamping ahead: each paper is stamped in the worker task that checks it, numbered as the volume will most
likely number it; the stamp stage stamps only the papers whose guess was wrong, and the volume is byte for byte
the one the stamp stage alone makes."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader

from proceedings.checks.streams import Damaged, inflate_size
from proceedings.stages import ahead as ahead_module
from proceedings.stages import draw
from proceedings.stages import stamp as stamp_stage
from proceedings.stages.ahead import StampAhead
from tests.conftest import build_project, copy_project, no_shared_cache
from tests.test_reproducible import digests
from tests.test_streams import flip_bits
from tests.texarticles import make_tex_project


def _spy_stamp_stage(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the papers the stamp stage itself stamps (not stamped ahead, or stamped under a wrong guess)."""
    stamped: list[str] = []
    real = stamp_stage._stamp_all

    def spy(todo, *args, **kwargs):
        stamped.extend(item[0].paper.id for item in todo)
        return real(todo, *args, **kwargs)

    monkeypatch.setattr(stamp_stage, "_stamp_all", spy)
    return stamped


def test_every_paper_is_stamped_where_it_is_checked_and_the_volume_is_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The papers are stamped, and the front matter and author index drawn, in the validation's worker tasks:
    the stages after it have nothing left to do, and the outputs are those the stages make on their own."""
    no_shared_cache(monkeypatch)  # every paper checked in this build (a shared cache would answer for them)
    ahead_project = copy_project(tmp_path / "ahead")
    by_stage = _spy_stamp_stage(monkeypatch)
    keyed: list[str] = []  # each paper's stamp key is worked out once, where it is placed, and reused by the stage
    real_key = stamp_stage.paper_key
    with monkeypatch.context() as patch:
        patch.setattr(draw, "_limited", lambda *args: pytest.fail("drawn by the draw stage"))
        patch.setattr(stamp_stage, "paper_key", lambda placed, *a: keyed.append(placed.paper.id) or real_key(placed, *a))
        patch.setattr(ahead_module, "paper_key", stamp_stage.paper_key)
        ahead = build_project(ahead_project)
    assert by_stage == [] and ahead.volume.restamped == len(ahead.plan.papers) > 1
    assert ahead.report.error_count == 0
    assert sorted(keyed) == sorted(p.paper.id for p in ahead.plan.papers)

    monkeypatch.setattr(StampAhead, "placement", lambda self, paper_id: None)  # no paper placed ahead
    stage_project = copy_project(tmp_path / "stage")
    staged = build_project(stage_project)
    assert sorted(by_stage) == sorted(p.paper.id for p in staged.plan.papers)  # all of them, this time
    assert digests(ahead_project / "build") == digests(stage_project / "build")


def test_a_paper_id_that_looks_like_a_working_name_collides_with_nothing(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch):
    """Papers "1" and "1.ahead": each is stamped once, ahead, into a place of its own (a copy stamped ahead was
    once written beside the kept copies, where paper "1.ahead" keeps its own)."""
    no_shared_cache(monkeypatch)
    project = copy_project(tmp_path / "p")
    listing = project / "camera_ready" / "papers.yaml"
    listing.write_text(listing.read_text(encoding="utf-8").replace('- id: "2"', '- id: "1.ahead"', 1),
                       encoding="utf-8")
    by_stage = _spy_stamp_stage(monkeypatch)
    for run in range(3):  # cold builds: the two tasks finish in either order
        result = build_project(project, tmp_path / f"out{run}")
        assert by_stage == [] and result.report.error_count == 0
        assert {"1", "1.ahead"} <= {p.paper.id for p in result.plan.papers}


def test_papers_after_one_left_out_are_stamped_again_with_their_real_numbers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tex_papers):
    clean = tex_papers["clean"]
    damaged = flip_bits(clean, 2, tmp_path / "damaged.pdf")  # counted like any paper, left out once checked
    no_shared_cache(monkeypatch)
    project = make_tex_project(tmp_path / "p", {"a": clean, "b": damaged, "c": tex_papers["number-p1"]})
    by_stage = _spy_stamp_stage(monkeypatch)
    result = build_project(project)

    assert [p.paper.id for p in result.plan.papers] == ["a", "c"]
    pages_a = len(PdfReader(clean).pages)
    assert by_stage == ["c"]  # "a" was stamped ahead as planned; "c" was guessed after "b"'s pages
    assert result.volume.restamped == 2
    copy = PdfReader(project / "build" / "papers" / "c.pdf")
    assert copy.page_labels[0] == str(pages_a + 1)
    assert str(pages_a + 1) in copy.pages[0].extract_text().split()
    assert copy.metadata["/Subject"].endswith(f"pages {pages_a + 1}–{pages_a + len(copy.pages)}")
    stamped = project / "build" / ".cache" / "stamped"  # kept, then published (moved), or dropped: nothing beside
    assert sorted(p.name for p in stamped.glob("*.pdf")) == []
    assert sorted(p.name for p in (project / "build" / "papers").glob("*.pdf")) == ["a.pdf", "c.pdf"]


def _png_rows(rows: int, width: int, bad: int | None = None) -> bytes:
    """zlib data of ``rows`` PNG-predicted rows of ``width`` bytes (filter type 0; ``bad``: that row's is 9)."""
    data = bytearray()
    for i in range(rows):
        data.append(9 if i == bad else 0)
        data.extend(bytes((i + j) % 251 for j in range(width)))
    return zlib.compress(bytes(data))


def test_validation_finds_a_png_predictor_row_qpdf_cannot_undo_past_the_first_chunk():
    assert inflate_size(_png_rows(5000, 300), row=301)[0] == 5000 * 301
    with pytest.raises(Damaged, match="PNG predictor row 4000: unknown filter type 9"):
        inflate_size(_png_rows(5000, 300, bad=4000), row=301)  # 1.2 MB in: past the first 1 MiB inflated
    with pytest.raises(Damaged, match="PNG predictor row 0: unknown filter type 9"):
        inflate_size(_png_rows(3, 300, bad=0), row=301)


@pytest.mark.parametrize("written", [False, True], ids=["before-writing", "after-writing"])
def test_stamping_ahead_that_runs_past_the_limit_blames_no_paper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                written: bool):
    """Checking and stamping share a worker task and its time limit: a stamp that runs over it leaves the check's
    result standing (no timeout finding), and the stamp stage stamps the paper again; a copy the task had written
    meanwhile is not left in the cache."""
    import time

    import yaml

    from proceedings.stages import parts

    no_shared_cache(monkeypatch)
    project = copy_project(tmp_path / "p")
    workshop = project / "front_matter" / "workshop.yaml"
    data = yaml.safe_load(workshop.read_text(encoding="utf-8"))
    data["rules"]["time_limit"] = 2
    workshop.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    real = parts.stamp_paper

    def slow_ahead(*args, **kwargs):  # only when stamping from the file the checks opened: in the checking task
        ahead = len(args) > 6 and args[6] is not None
        if ahead and not written:
            time.sleep(30)
        done = real(*args, **kwargs)
        if ahead:
            time.sleep(30)
        return done

    monkeypatch.setattr(parts, "stamp_paper", slow_ahead)  # the workers fork from this process: they have it too
    by_stage = _spy_stamp_stage(monkeypatch)
    result = build_project(project)
    assert result.report.error_count == 0 and not any(f.rule == "timeout" for p in result.report.papers
                                                      for f in p.findings)
    assert sorted(by_stage) == sorted(p.paper.id for p in result.plan.papers) and len(by_stage) > 1
    assert not list((project / "build" / ".cache" / "ahead").glob("*.pdf"))


def test_a_paper_is_placed_once_every_paper_before_it_is_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The tasks tell their papers' pages as they open them, in any order; a paper asking for its place before a
    paper ahead of it is counted gets none (the stamp stage stamps it), and once counted, the page after them."""
    from proceedings.context import make_context
    from proceedings.stages.gather import gather

    no_shared_cache(monkeypatch)
    project = copy_project(tmp_path / "p")
    ctx = make_context(project, tmp_path / "out")
    gathered = gather(project, ctx)
    first, second, *rest = gathered.sources
    assert rest  # a third paper
    ahead = StampAhead(gathered, ctx)
    jobs = [ahead.job(source) for source in gathered.sources]
    assert len({job.out for job in jobs}) == len(jobs)
    ahead.heard(second.paper.id, ("pages", 5))
    assert ahead.heard(second.paper.id, ("place", None)) is None  # the first paper's pages are not known yet
    ahead.heard(first.paper.id, ("pages", 3))
    ahead.heard(first.paper.id, ("pages", 9))  # told twice (counted here meanwhile): the first count stands
    placed = ahead.heard(second.paper.id, ("place", None))
    assert placed is not None and placed.first_page == 4 and placed.meta.first_page == 4 and placed.key
    assert [(p.paper.id, p.first_page, p.pages) for p in ahead.plan] == [(first.paper.id, 1, 3),
                                                                         (second.paper.id, 4, 5)]
    ahead.record(rest[0], {}, None)  # its task failed before telling: left out
    assert ahead.heard(rest[0].paper.id, ("place", None)) is None
    if len(rest) > 1:
        ahead.heard(rest[1].paper.id, ("pages", 2))
        assert ahead.heard(rest[1].paper.id, ("place", None)).first_page == 9

"""verify reads the bound volume back one object at a time, and finds what disagrees with the plan."""

from __future__ import annotations

import copy
import shutil

import pytest
from pypdf import PdfReader

from proceedings.errors import BuildError
from proceedings.pdf.volumereader import VolumeFormatError, VolumeReader
from proceedings.stages.verify import verify


def _args(repo_build):
    return repo_build.volume, repo_build.plan, repo_build.metadata


def test_the_built_volume_verifies_and_reads_alike(repo_build):
    path = repo_build.outputs["volume"]
    verify(path, *_args(repo_build))
    with open(path, "rb") as handle:
        reader = VolumeReader(handle)
        catalog = reader.resolve(reader.trailer["/Root"])
        kids = reader.resolve(catalog["/Pages"])["/Kids"]
        expected = PdfReader(path)
        assert len(kids) == len(expected.pages)
        assert [k.idnum for k in kids] == [p.indirect_reference.idnum for p in expected.pages]


def test_a_wrong_page_number_is_found(repo_build, tmp_path):
    path = tmp_path / "v.pdf"
    data = repo_build.outputs["volume"].read_bytes()
    assert data.count(b"(1) Tj") == 1  # the stamp of page 1, in an uncompressed stream
    path.write_bytes(data.replace(b"(1) Tj", b"(7) Tj"))  # same length: every offset still right
    first = repo_build.plan.papers[0].paper.id
    with pytest.raises(BuildError) as caught:
        verify(path, *_args(repo_build))
    assert f"paper {first}: page 1 is not stamped with its number" in caught.value.problems


def test_metadata_that_disagrees_is_found(repo_build):
    volume, plan, metadata = _args(repo_build)
    wrong = copy.deepcopy(metadata)
    wrong["papers"][1]["first_page"] += 1
    with pytest.raises(BuildError) as caught:
        verify(repo_build.outputs["volume"], volume, plan, wrong)
    assert any("metadata.json pages" in p for p in caught.value.problems)


def test_a_file_not_bound_by_us_is_refused(repo_build, tmp_path):
    src = next(iter(sorted((repo_build.outputs["papers"]).glob("*.pdf"))))
    shutil.copyfile(src, tmp_path / "p.pdf")
    with open(tmp_path / "p.pdf", "rb") as handle:  # a stamped paper: pypdf's layout, a table not ours to trust
        try:
            reader = VolumeReader(handle)
        except VolumeFormatError:
            return
        reader.get_object(reader.trailer.raw_get("/Root").idnum)  # readable where it is well formed
    with pytest.raises(BuildError):
        verify(tmp_path / "p.pdf", *_args(repo_build))


def test_the_pages_to_decode_are_what_is_split_between_two_processes(monkeypatch: pytest.MonkeyPatch):
    """Verification's two processes share the pages left to decode (those of parts stamped in this build), not the
    volume's page indices: a build that stamped one paper again does not fork for pages it skips."""
    import multiprocessing

    from proceedings.stages import verify
    from proceedings.util import workers

    calls: list[list[int]] = []
    monkeypatch.setattr(verify, "_stream_problems", lambda reader, kids, indices: calls.append(indices) or [])
    monkeypatch.setattr(workers, "process_context", lambda: multiprocessing.get_context("spawn"))  # asked here
    monkeypatch.setattr(verify, "_stream_problems_in", lambda path, kids, indices: verify._stream_problems(
        None, kids, indices))
    reader = type("Reader", (), {"handle": type("Handle", (), {"name": "volume.pdf"})()})()
    kids, skip = list(range(100, 200)), set(range(100)) - {7, 40, 95}
    monkeypatch.setattr(verify, "SPLIT_PAGES", 3)
    assert verify._page_streams(reader, kids, skip) == [] and calls == [[7], [40, 95]]
    calls.clear()
    monkeypatch.setattr(verify, "SPLIT_PAGES", 4)
    assert verify._page_streams(reader, kids, skip) == [] and calls == [[7, 40, 95]]


@pytest.mark.parametrize("layout", ["as bound", "laid out otherwise"])
def test_a_bookmark_with_another_title_is_found(repo_build, tmp_path, layout: str):
    """Bookmarks are read straight from the bytes bind wrote, or parsed when laid out otherwise: either way a
    paper's bookmark whose title is not the paper's is found, and a sound one is not."""
    from proceedings.stages.bind import pdf_text

    placed = repo_build.plan.papers[0]
    title = pdf_text(placed.paper.title)
    data = repo_build.outputs["volume"].read_bytes()
    assert data.count(b"/Title " + title) == 1
    if layout != "as bound":  # the same bytes but one space, so every offset still holds
        data = data.replace(b"/Title " + title, b"/Title\n" + title)
    path = tmp_path / "v.pdf"
    path.write_bytes(data)
    verify(path, *_args(repo_build))
    wrong = title[:-5] + (b"0021>" if title[-5:] != b"0021>" else b"0022>")  # its last character changed
    path.write_bytes(data.replace(title, wrong))
    with pytest.raises(BuildError) as caught:
        verify(path, *_args(repo_build))
    assert f"paper {placed.paper.id}: no bookmark with its title on its first page" in caught.value.problems

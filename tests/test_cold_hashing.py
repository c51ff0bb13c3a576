"""A cold build hashes each camera-ready file where its check reads it (the task tells its sha256 with its pages):
gather, in the main process, only reads papers.yaml and stats the files, and the hashes are the files'."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from proceedings.stages import gather as gather_module
from proceedings.stages import validate as validate_module
from tests.conftest import build_project, copy_project, no_shared_cache


def _spy_hashing(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files this process hashes with gather's sha256_file."""
    hashed: list[Path] = []
    real = gather_module.sha256_file

    def spy(path: Path) -> str:
        hashed.append(Path(path))
        return real(path)

    monkeypatch.setattr(gather_module, "sha256_file", spy)
    return hashed


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_cold_build_hashes_each_paper_where_it_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    no_shared_cache(monkeypatch)
    project = copy_project(tmp_path / "p")
    hashed = _spy_hashing(monkeypatch)
    result = build_project(project)
    papers = {s.paper.id: s.path for s in result.gathered.sources}
    assert not set(hashed) & set(papers.values())  # none hashed here: each by the task that checked it
    assert result.report.error_count == 0 and len(papers) > 1
    out = project / "build"
    validation = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    assert {p["id"]: p["sha256"] for p in validation["papers"]} == {i: _sha(path) for i, path in papers.items()}
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert {p["id"]: p["sha256"] for p in metadata["papers"]} == {i: _sha(path) for i, path in papers.items()}
    recorded = json.loads((out / ".cache" / "digests.json").read_text(encoding="utf-8"))
    assert {str(path): recorded[str(path)][4] for path in papers.values()} == \
        {str(path): _sha(path) for path in papers.values()}

    hashed.clear()
    again = build_project(project)  # warm: the recorded digests stand, nothing is hashed, nothing checked again
    assert not set(hashed) & set(papers.values())
    assert [s.sha256 for s in again.gathered.sources] == [_sha(path) for path in papers.values()]


def test_a_paper_whose_check_failed_before_telling_is_hashed_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A task that fails before it has told the file's sha256: the main process hashes that file itself."""
    no_shared_cache(monkeypatch)
    project = copy_project(tmp_path / "p")
    real = validate_module._check_file
    victim = sorted((project / "camera_ready").glob("*.pdf"))[1]

    def failing(path: str, *args, **kwargs):
        if Path(path) == victim:
            raise RuntimeError("the checker broke")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(validate_module, "_check_file", failing)  # the workers fork from this process
    hashed = _spy_hashing(monkeypatch)
    result = build_project(project)
    assert [path for path in hashed if path.suffix == ".pdf"] == [victim]
    broken = next(p for p in result.report.papers if Path(p.file).name == victim.name)
    assert not broken.usable and broken.sha256 == _sha(victim)
    assert all(s.sha256 == _sha(s.path) for s in result.gathered.sources)


def test_a_paper_gone_after_gathering_is_reported_and_the_others_bound(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch):
    """A camera-ready file removed between gathering (which only stats it in a cold build) and its check: that
    paper is unreadable and left out, the others are bound, and nothing is blamed on the machine."""
    from proceedings import pipeline
    from proceedings.errors import RuleViolation

    no_shared_cache(monkeypatch)
    project = copy_project(tmp_path / "p")
    victim = sorted((project / "camera_ready").glob("*.pdf"))[1]
    real = pipeline.gather

    def gather_then_lose(*args, **kwargs):
        gathered = real(*args, **kwargs)
        victim.unlink()
        return gathered

    monkeypatch.setattr(pipeline, "gather", gather_then_lose)
    result = build_project(project)
    lost = next(p for p in result.report.papers if Path(p.file).name == victim.name)
    assert not lost.usable and any(f.rule == "unreadable" for f in lost.findings) and lost.sha256 == ""
    assert victim.name not in {Path(p.paper.file).name for p in result.plan.papers}
    assert len(result.plan.papers) == len(result.report.papers) - 1
    with pytest.raises(RuleViolation):
        result.raise_for_status()
    recorded = json.loads((project / "build" / ".cache" / "digests.json").read_text(encoding="utf-8"))
    assert str(victim) not in recorded and len(recorded) == len(result.plan.papers)

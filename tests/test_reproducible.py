"""Determinism and atomic outputs: same inputs, same bytes; a failed build never leaves a torn file."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from proceedings.errors import BuildError, OutputError
from tests.conftest import ACMART, build_project, make_project, need, shared_once, source_date


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file() and ".cache" not in p.parts
    }


def _acmart_project(dest: Path) -> Path:
    need(ACMART)
    return make_project(dest, [ACMART / "sample-sigconf.pdf", ACMART / "sample-authordraft.pdf"], session="Session One")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return _acmart_project(tmp_path / "p")


@pytest.fixture(scope="session")
def _built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project with a build in its build/ folder (cache included), made once for the run; copied by ``built``."""
    def make(folder: Path) -> Path:
        project = _acmart_project(folder / "p")
        with source_date():
            build_project(project)
        return project

    return shared_once(tmp_path_factory, "reproducible", make)


@pytest.fixture
def built(_built_once: Path, tmp_path: Path) -> Path:
    """A copy of the project and of its finished build: for tests of what a later build does to it."""
    return shutil.copytree(_built_once, tmp_path / "p")


def test_two_builds_are_byte_identical(_built_once: Path, tmp_path: Path):
    build_project(_built_once, tmp_path / "b", use_cache=False)
    a, b = digests(_built_once / "build"), digests(tmp_path / "b")
    assert a == b
    assert "proceedings.pdf" in a and "metadata.json" in a
    ids = PdfReader(_built_once / "build" / "proceedings.pdf").trailer["/ID"]
    assert ids[0] == ids[1]


def test_each_part_is_identified_by_what_it_is_made_of(_built_once: Path):
    """Every part written has an /ID made from what it is made of (each paper: its stamp cache key, a digest of its
    camera-ready file, numbering and metadata; the front matter: its bytes): two papers never share one (qpdf's
    static /ID is never left in a file), and the same part built again has the same (above)."""
    build = _built_once / "build"
    parts = [*sorted((build / "papers").glob("*.pdf")), build / "front_matter.pdf"]
    ids = [PdfReader(part).trailer["/ID"] for part in parts]
    assert len(parts) == 3 and all(i[0] == i[1] for i in ids)
    firsts = {bytes(i[0].original_bytes) for i in ids}
    assert len(firsts) == len(parts) and bytes.fromhex("31415926535897932384626433832795") not in firsts


def test_source_date_epoch_is_the_date_written(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build_project(project, tmp_path / "a")
    info = PdfReader(tmp_path / "a" / "proceedings.pdf").metadata
    assert info["/CreationDate"].startswith("D:20231114")


def test_failed_verification_leaves_previous_outputs(built: Path, monkeypatch: pytest.MonkeyPatch):
    project = built
    before = digests(project / "build")

    def refuse(*args, **kwargs):
        raise BuildError("forced failure")

    monkeypatch.setattr("proceedings.stages.verify.verify", refuse)
    # change the inputs so a completed build would differ
    papers = project / "camera_ready/papers.yaml"
    papers.write_text(papers.read_text(encoding="utf-8").replace("Ada Lovelace", "Grace Hopper"), encoding="utf-8")
    with pytest.raises(BuildError):
        build_project(project)
    after = digests(project / "build")
    assert after == before
    assert not [p for p in (project / "build").rglob("*.tmp")]


def test_disk_full_while_copies_are_staged_publishes_none_of_them(built: Path, monkeypatch: pytest.MonkeyPatch):
    """The front matter's copy and the citations are written beside their final paths while the volume is bound
    (the papers' parts are to be moved there); a disk that fills up meanwhile is the machine's fault (exit 74), and
    nothing staged is put in place or left behind."""
    import multiprocessing

    from proceedings.util.atomic import Staging

    project = built
    out = project / "build"
    before = digests(out)
    real, calls = Staging.write, multiprocessing.Value("i", 0)  # counted in the process writing the citations too

    def fill_up(self, path, data, **kwargs):
        with calls.get_lock():
            calls.value += 1
            n = calls.value
        if n == 4:
            raise OSError(errno.ENOSPC, "No space left on device (forced)", str(path))
        return real(self, path, data, **kwargs)

    monkeypatch.setattr(Staging, "write", fill_up)
    papers = project / "camera_ready/papers.yaml"  # every paper's copy and citation differs from the last build's
    papers.write_text(papers.read_text(encoding="utf-8").replace("Ada Lovelace", "Grace Hopper"), encoding="utf-8")
    with pytest.raises(OutputError):
        build_project(project)
    after = digests(out)
    assert calls.value >= 4 and not [p for p in out.rglob("*.tmp")]
    staged = [name for name in before if name.startswith(("papers/", "citations/")) or name == "front_matter.pdf"]
    assert staged and {name: after.get(name) for name in staged} == {name: before[name] for name in staged}


def test_failure_while_writing_a_paper_leaves_no_torn_file(built: Path, monkeypatch: pytest.MonkeyPatch):
    project = built
    before = digests(project / "build")
    import contextlib

    from proceedings.stages import parts

    real = parts.atomic_open
    calls = {"n": 0}

    @contextlib.contextmanager
    def half_then_fail(path, readable=False):
        calls["n"] += 1
        with real(path, readable) as handle:
            if calls["n"] == 3:  # the front matter's two parts, then the first paper
                handle.write(b"%PDF-1.7\n% torn")
                raise OSError(errno.ENOSPC, "No space left on device (forced)")
            yield handle

    monkeypatch.setattr(parts, "atomic_open", half_then_fail)
    with pytest.raises(OutputError):  # the machine's fault (exit 74), written in a worker, blamed on no paper
        build_project(project, use_cache=False)  # every part written again
    for name, _digest in digests(project / "build").items():
        assert not name.endswith(".tmp"), name
        path = project / "build" / name
        if name.endswith(".pdf"):
            assert len(PdfReader(path).pages) > 0  # complete, whichever version
    assert set(before) >= set(digests(project / "build"))


@pytest.mark.slow
def test_killed_build_leaves_whole_files(built: Path):
    project = built
    env = {**os.environ}
    for delay in (0.4, 0.8, 1.2):
        proc = subprocess.Popen([sys.executable, "-m", "proceedings", "build", "--project", str(project), "-q",
                                 "--no-cache"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for pdf in (project / "build").rglob("*.pdf"):
            assert len(PdfReader(pdf).pages) > 0, pdf


def test_a_part_saved_from_a_file_with_an_id_gets_one_made_from_its_bytes(tmp_path: Path):
    """qpdf keeps half of an /ID the file had: it is dropped, and a page whose content holds the bytes of qpdf's
    static /ID keeps them (only the trailer's /ID is replaced)."""
    import pikepdf

    from proceedings.stages.parts import save

    static = b"/ID [<31415926535897932384626433832795><31415926535897932384626433832795>]"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].obj.Contents = pdf.make_stream(b"% " + static + b"\n")
    pdf.trailer.ID = pikepdf.Array([pikepdf.String(b"A" * 16), pikepdf.String(b"A" * 16)])
    data = save(pdf, tmp_path / "part.pdf")
    ids = PdfReader(tmp_path / "part.pdf").trailer["/ID"]
    assert ids[0] == ids[1] and bytes(ids[0].original_bytes) not in (b"A" * 16, bytes.fromhex(static[6:38].decode()))
    assert data.count(static) == 1 and (tmp_path / "part.pdf").read_bytes() == data

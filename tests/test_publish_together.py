"""The outputs of a build are published together: the volume, the front matter, every stamped paper and the
citations are made ready beside their final paths and put in place at once, after the volume has passed
verification. A build that fails, or is stopped, before that leaves the last build's set as it was; one stopped
while they are put in place finishes putting them, then stops: never a new volume beside old papers."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from proceedings import pipeline
from proceedings.errors import OutputError
from tests.conftest import build_project
from tests.test_faults import small_project
from tests.test_reproducible import digests

EPOCH = "1745798400"


def _published(build: Path) -> dict[str, str]:
    """Digests of the files published together: PDFs, citations, proceedings.bib, metadata.json."""
    return {k: v for k, v in digests(build).items()
            if k.endswith(".pdf") or k.startswith("citations/") or k in ("proceedings.bib", "metadata.json")}


def _reorder(project: Path, drop: bool = False) -> None:
    """Swap the first two papers: every paper's pages, the volume, the front matter and the citations change;
    ``drop``: the last paper leaves the volume too (its published file is then stale)."""
    path = project / "camera_ready" / "papers.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries[0], entries[1] = entries[1], entries[0]
    if drop:
        entries.pop()
    path.write_text(yaml.safe_dump(entries, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_a_build_that_fails_before_publishing_leaves_the_last_set_as_it_was(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = small_project(tmp_path / "p")
    build_project(project)
    before = _published(project / "build")
    _reorder(project)

    def disk_full(*args, **kwargs):  # the disk fills up after the volume is bound and verified
        raise OSError(errno.ENOSPC, "No space left on device", str(project / "build" / "papers"))

    monkeypatch.setattr(pipeline, "publish", disk_full)
    with pytest.raises(OutputError):
        build_project(project)
    assert _published(project / "build") == before  # the volume too: not bound into place before the others
    assert not list((project / "build").rglob("*.tmp"))


_STOPPED_WHILE_PUBLISHING = """
import os, sys, time
from pathlib import Path

flag, real = Path(sys.argv[2]), os.replace


def slow(source, target, *args, **kwargs):  # the volume put in place: the test says stop now
    if str(target).endswith("proceedings.pdf") and not flag.exists():
        flag.write_text(str(os.getpid()))
        time.sleep(1.5)
    return real(source, target, *args, **kwargs)


os.replace = slow
from proceedings.cli.app import main

sys.argv = ["proceedings", "build", "--project", sys.argv[1], "-q"]
main()
"""


@pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="needs SIGTERM")
def test_sigterm_while_publishing_puts_the_whole_set_in_place_then_exits_143(tmp_path: Path):
    project = small_project(tmp_path / "p")
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    subprocess.run([sys.executable, "-m", "proceedings", "build", "--project", str(project), "-q"], env=env,
                   check=True, capture_output=True)
    _reorder(project, drop=True)
    reference = shutil.copytree(project, tmp_path / "reference", ignore=shutil.ignore_patterns("build"))
    subprocess.run([sys.executable, "-m", "proceedings", "build", "--project", str(reference), "-q"], env=env,
                   check=True, capture_output=True)
    flag, script = tmp_path / "publishing", tmp_path / "stopped.py"
    script.write_text(_STOPPED_WHILE_PUBLISHING, encoding="utf-8")
    build = subprocess.Popen([sys.executable, str(script), str(project), str(flag)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 120
        while not flag.exists() and build.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert flag.exists(), build.communicate()[1]
        build.send_signal(signal.SIGTERM)
        _, err = build.communicate(timeout=60)
    finally:
        if build.poll() is None:
            build.kill()
    assert build.returncode == 143 and err.strip() == "terminated", err
    assert _published(project / "build") == _published(reference / "build")
    assert not list((project / "build").rglob("*.tmp"))


def test_ctrl_c_while_files_are_put_in_place_waits_for_the_last_of_them(tmp_path: Path):
    """SIGINT (Ctrl-C) during a commit: every staged file is put in place, then KeyboardInterrupt is raised."""
    from proceedings.util.atomic import Staging

    staging = Staging()
    targets = [tmp_path / f"{n}.txt" for n in range(3)]
    for target in targets:
        staging.write(target, target.name.encode())
    real = os.replace

    def interrupted(source, target, *args, **kwargs):  # Ctrl-C as the first file is put in place
        if Path(target) == targets[0]:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # the signal has arrived: a handler of its own would have run by now
        return real(source, target, *args, **kwargs)

    os.replace = interrupted
    try:
        with pytest.raises(KeyboardInterrupt):
            staging.commit()
    finally:
        os.replace = real
    assert [t.read_text() for t in targets] == [t.name for t in targets]
    assert not list(tmp_path.glob(".*.tmp")) and staging.files == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_the_record_of_the_bound_volume_is_published_with_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A build stopped before publishing leaves the last volume and its record as they were: the next build copies
    its unchanged parts from it (the record described the volume never put in place, so every part was bound
    again)."""
    from proceedings.stages.reuse import PreviousVolume
    from proceedings.util.atomic import read_json

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = small_project(tmp_path / "p")
    build_project(project)
    build = project / "build"
    path = project / "front_matter" / "workshop.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["subject"] = "Proceedings, edited"  # the volume's document information changes, no part of it
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "publish", stopped)
    with pytest.raises(KeyboardInterrupt):
        build_project(project)
    previous = PreviousVolume.open(build / "proceedings.pdf", read_json(build / ".cache" / "bound.json"))
    assert previous is not None
    previous.close()


def test_a_staged_file_whose_writing_fails_is_gone_at_once(tmp_path: Path):
    """The volume's file is dropped as soon as binding it fails (binding again from scratch stages another): no
    half-written file waits to be put in place."""
    from proceedings.util.atomic import Staging

    staging = Staging()
    with pytest.raises(RuntimeError), staging.open(tmp_path / "proceedings.pdf") as handle:
        handle.write(b"%PDF-1.7 half")
        raise RuntimeError("the last volume could not be reused")
    with staging.open(tmp_path / "proceedings.pdf") as handle:
        handle.write(b"%PDF-1.7 whole")
    assert len(staging.files) == 1 and staging.pending(tmp_path / "proceedings.pdf") is not None
    staging.commit()
    assert [p.name for p in tmp_path.iterdir()] == ["proceedings.pdf"]
    assert (tmp_path / "proceedings.pdf").read_bytes() == b"%PDF-1.7 whole"


def test_a_build_into_a_shared_folder_removes_only_what_an_earlier_build_placed(tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch):
    """``--out`` into a folder that holds files of the chair's own (a web site's ``papers/``): a build leaves them,
    and removes the files of a paper that an earlier build published and that has left the volume."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = small_project(tmp_path / "p")
    out = tmp_path / "site"
    own = {"papers/my-review.pdf": b"%PDF-1.4 mine", "citations/refs.bib": b"@misc{mine}",
           "validation/x.png": b"a picture of mine", "citations/7.ris": b"TY  - JOUR"}
    for rel, data in own.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    build_project(project, out)
    last = yaml.safe_load((project / "camera_ready" / "papers.yaml").read_text(encoding="utf-8"))[-1]["id"]
    gone = [out / "papers" / f"{last}.pdf", *(out / "citations" / f"{last}.{ext}" for ext in ("bib", "ris", "json",
                                                                                              "txt"))]
    assert all(path.is_file() for path in gone)
    _reorder(project, drop=True)
    build_project(project, out)
    assert not any(path.exists() for path in gone)
    for rel, data in own.items():
        assert (out / rel).read_bytes() == data, rel


def test_a_paper_dropped_after_an_older_version_built_the_folder_is_removed(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch):
    """A folder built by a version before .cache/owned/ (it kept a record file per paper, and removed every other
    PDF of papers/): the papers it published (.cache/published.json) are the tool's own, so one dropped from the
    volume since is not left published; a file of the chair's own stays."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = small_project(tmp_path / "p")
    out = project / "build"
    build_project(project, out)
    shutil.rmtree(out / ".cache" / "owned")  # as the older version left the folder
    (out / ".cache" / "validation").mkdir()
    (out / ".cache" / "validation" / f"{'a' * 64}.json").write_text("{}", encoding="utf-8")
    (out / "papers" / "my-review.pdf").write_bytes(b"%PDF-1.4 mine")
    last = yaml.safe_load((project / "camera_ready" / "papers.yaml").read_text(encoding="utf-8"))[-1]["id"]
    assert (out / "papers" / f"{last}.pdf").is_file()
    _reorder(project, drop=True)
    build_project(project, out)
    assert not (out / "papers" / f"{last}.pdf").exists()
    assert (out / "papers" / "my-review.pdf").read_bytes() == b"%PDF-1.4 mine"

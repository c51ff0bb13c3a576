"""The machine's faults are told as such (issue 13): a read-only or full output disk exits 74 and blames no
paper, leaves nothing half-written; a killed build leaves no worker behind.

The disks are real: tmpfs file systems mounted read-only or 300 KB small (we run as root in CI); the
tests skip, saying why, where mounting is not permitted.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from proceedings.errors import OutputError
from proceedings.util.outputs import output_error, raise_if_machine
from proceedings.util.workers import run_inline, run_limited
from tests.test_faults import _cli, small_project


@pytest.fixture
def tmpfs(tmp_path: Path):
    """mount(size, read_only) → a fresh tmpfs folder; unmounted afterwards."""
    mounted: list[Path] = []

    def mount(size: str, read_only: bool = False) -> Path:
        point = tmp_path / f"mnt{len(mounted)}"
        point.mkdir()
        options = f"size={size}" + (",ro" if read_only else "")
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True,
                              text=True, check=False)
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (needs root): {proc.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], capture_output=True, check=False)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_project(tmp_path_factory.mktemp("env") / "p")


def _no_blame(proc: subprocess.CompletedProcess, why: str) -> None:
    assert proc.returncode == 74, proc.stderr[-2000:]
    assert "error: cannot write " in proc.stderr and why in proc.stderr
    assert "could not be copied" not in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr


def _nothing_half_written(out: Path) -> None:
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    for path in out.rglob("*"):
        if path.suffix == ".pdf" and ".cache" not in path.parts:
            check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, check=False)
            assert check.returncode in (0, 3), path
        elif path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))


def test_builds_into_one_folder_at_once_take_turns(project: Path, tmp_path: Path):
    """Two builds into one folder (two terminals, make -j): the second waits for the first, rather than finding
    the stamped papers the first moved into papers/ gone from the cache (it exited 2 naming one)."""
    out = tmp_path / "out"
    runs = [subprocess.Popen([sys.executable, "-m", "proceedings", "build", "--project", str(project), "--out",
                              str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "SOURCE_DATE_EPOCH": "1745798400"}) for _ in range(3)]
    done = []
    for run in runs:
        with run:
            _, err = run.communicate(timeout=600)
            done.append((run.returncode, err))
    assert [code for code, _ in done] == [0, 0, 0], done
    assert any("waiting for it to finish" in err for _, err in done)  # they did meet
    _nothing_half_written(out)


def test_validation_and_bundles_wait_for_a_build_into_their_folder(project: Path, tmp_path: Path):
    """validate writes validation.json and its cache, bundle zips the outputs: each into a folder a build may be
    sweeping and replacing, so each waits for the folder's lock as a build does (and a bundle that builds first
    takes it once)."""
    out = tmp_path / "out"
    out.mkdir()  # a folder a build has made (a folder not there yet has nothing to wait for)
    for command in ("validate", "bundle"):
        holder = subprocess.Popen(  # a build holding the folder for a few seconds
            [sys.executable, "-c", "import time\nfrom proceedings.util.atomic import exclusive\n"
             f"with exclusive({str(out)!r}):\n    print('held', flush=True)\n    time.sleep(3)\n"
             "    print(time.time(), flush=True)\n"], stdout=subprocess.PIPE, text=True)  # the time it lets go
        with holder:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
            done = _cli(project, out, command=command, timeout=300)
            released = float(holder.stdout.readline())
        assert done.returncode == 0, done.stderr[-2000:]
        written = out / "validation.json" if command == "validate" else next(out.glob("*-handoff.zip"))
        assert written.stat().st_mtime >= released, command  # written once the holder let go, not before


def test_a_first_bundle_into_a_new_folder_holds_it_while_it_writes(project: Path, tmp_path: Path, monkeypatch):
    """The lock skips a folder not there yet: a bundle makes its folder first, so that the archive it writes is
    one build's files even when it is the folder's first command."""
    import fcntl

    import proceedings.export.bundle as bundle_module
    from proceedings import api

    out, seen = tmp_path / "new", []
    real = bundle_module.bundle

    def probing(*args, **kwargs):
        with open(out / ".cache" / "lock", "ab") as other:  # another open file: flock sees another holder
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
                seen.append("free")
                fcntl.flock(other, fcntl.LOCK_UN)
            except BlockingIOError:
                seen.append("held")
        return real(*args, **kwargs)

    monkeypatch.setattr(bundle_module, "bundle", probing)
    api.bundle(project, out)
    assert seen == ["held"]


def test_bundle_and_cite_read_the_project_once(project: Path, tmp_path: Path, monkeypatch):
    """A cold bundle loaded the project three times (and warned its notices twice), a cite twice."""
    import proceedings.stages.gather as gather_module
    from proceedings import api

    loads = []
    real = gather_module.load_project
    monkeypatch.setattr(gather_module, "load_project", lambda root: (loads.append(root), real(root))[1])
    api.bundle(project, tmp_path / "out")  # cold: it builds first
    api.cite(project, "1", out_dir=tmp_path / "out")  # warm
    assert len(loads) == 2, loads


def test_a_command_stopped_by_bad_input_leaves_no_output_folder(project: Path, tmp_path: Path):
    """validate, cite and bundle with a project that cannot be used exit 2 and, as build, write nothing."""
    broken = tmp_path / "broken"
    shutil.copytree(project, broken)
    workshop = broken / "front_matter" / "workshop.yaml"
    workshop.write_text("\n".join(line for line in workshop.read_text(encoding="utf-8").splitlines()
                                   if not line.startswith("location:")) + "\n", encoding="utf-8")
    for command, extra in (("validate", ()), ("bundle", ()), ("build", ()), ("cite", ("1",))):
        out = tmp_path / f"out-{command}"
        args = [sys.executable, "-m", "proceedings", command, *extra, "--project", str(broken), "--out", str(out)]
        done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 2 and "location: field required" in done.stderr, (command, done.stderr[-500:])
        assert not out.exists(), (command, sorted(str(p) for p in out.rglob("*")))


def test_read_only_output_folder_exits_74(project: Path, tmpfs):
    out = tmpfs("1m", read_only=True) / "build"
    _no_blame(_cli(project, out), "read-only file system")
    _no_blame(_cli(project, out, command="validate"), "read-only file system")


def _without_root_powers(*args: str) -> subprocess.CompletedProcess:
    """``proceedings ARGS`` as root without its power to write where the permissions say no (EACCES, as any other
    user gets on a folder not theirs)."""
    caps = "-dac_override,-dac_read_search,-fowner"
    return subprocess.run(["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}", sys.executable, "-m",
                           "proceedings", *args], capture_output=True, text=True, check=False,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1745798400"})


@pytest.mark.skipif(not shutil.which("setpriv") or os.geteuid() != 0, reason="needs setpriv and root to drop powers")
def test_a_folder_for_emails_or_pictures_not_writable_exits_74(project: Path, tmp_path: Path):
    """The folders ``validate --emails`` and ``check --pictures`` write to are outputs too: one the user may not
    write to was an internal error (exit 70)."""
    from tests.test_validate import spec
    from tools.samples import write_paper

    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    out = tmp_path / "out"
    proc = _without_root_powers("validate", "--project", str(project), "--out", str(out), "-q", "--emails",
                                str(locked / "mails"))
    _no_blame(proc, "permission denied")
    paper = tmp_path / "draft.pdf"  # a finding with a place on its page: it gets a picture
    write_paper(paper, spec(4, 1, defects=frozenset({"draft-footer"})))
    _no_blame(_without_root_powers("check", str(paper), "--pictures", str(locked)), "permission denied")


@pytest.mark.skipif(not shutil.which("setpriv") or os.geteuid() != 0, reason="needs setpriv and root to drop powers")
def test_a_papers_folder_not_writable_is_named_not_the_cache(project: Path, tmp_path: Path):
    """The message names the output that could not be written (papers/ID.pdf, where the stamped part was to be
    moved), not the cache file it was moved from, nor a temporary file."""
    out = tmp_path / "out"
    assert _cli(project, out).returncode == 0
    first = yaml.safe_load((project / "camera_ready" / "papers.yaml").read_text(encoding="utf-8"))[0]["id"]
    (out / "papers" / f"{first}.pdf").unlink()  # published again by the next build
    (out / "papers").chmod(0o555)
    try:
        proc = _without_root_powers("build", "--project", str(project), "--out", str(out), "-q")
    finally:
        (out / "papers").chmod(0o755)
    _no_blame(proc, "permission denied")
    assert f"while writing {out / 'papers' / f'{first}.pdf'}" in proc.stderr, proc.stderr[-1000:]
    assert ".cache" not in proc.stderr and ".tmp" not in proc.stderr


def test_the_message_names_the_output_a_temporary_file_was_for(tmp_path: Path):
    out = tmp_path / "build"
    error = output_error(OSError(errno.ENOSPC, "No space left on device", str(out / ".proceedings.pdf.k1ll3d_x.tmp")),
                         out)
    assert error.problems == [f"while writing {out / 'proceedings.pdf'}"]


@pytest.mark.parametrize("size", ["300k", "1100k"])
def test_full_disk_exits_74_and_blames_no_paper(project: Path, tmpfs, size: str):
    out = tmpfs(size) / "build"
    proc = _cli(project, out)
    _no_blame(proc, "no space left on device")
    assert ".tmp" not in proc.stderr, proc.stderr  # the output being written is named, not its temporary file
    _nothing_half_written(out)
    assert not (out / "validation.json").exists() or all(
        not any(f["rule"] == "stamp-failed" for f in p["findings"])
        for p in json.loads((out / "validation.json").read_text(encoding="utf-8"))["papers"])


def _write_to(path: str) -> None:
    with open(path, "wb") as handle:
        handle.write(b"x" * (1 << 20))


def test_a_worker_that_cannot_write_reports_the_machine_not_the_input(tmpfs):
    target = str(tmpfs("64k") / "out" / "x.bin")
    os.makedirs(os.path.dirname(target))
    for outcomes in (run_limited(_write_to, [("a", (target,))], jobs=1, time_limit=30, memory_mb=256),
                     run_inline(_write_to, [("a", (target,))])):
        outcome = outcomes["a"]
        assert outcome.status == "error" and outcome.value[:2] == ("oserror", errno.ENOSPC)
        with pytest.raises(OutputError, match="cannot write .*: no space left on device"):
            raise_if_machine(outcome.value, Path(target).parent)
    # a paper the machine cannot read is the paper's problem, not the output's
    raise_if_machine(("oserror", errno.EACCES, "Permission denied", "/elsewhere/paper.pdf"), Path(target).parent)


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _survivors_of_a_kill(parent: subprocess.Popen, settle: float = 0.0) -> list[int]:
    """Wait for two workers of ``parent``, SIGKILL the parent, return the workers still alive 10 s later."""
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and parent.poll() is None and time.monotonic() < deadline:
            workers = _descendants(parent.pid)
            time.sleep(0.02)
        assert workers, "the parent ended before any worker was seen"
        time.sleep(settle)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        return [p for p in workers if _alive(p)]
    finally:
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)  # our own test's leftovers
        if parent.poll() is None:
            parent.kill()
            parent.wait(10)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to find the workers")
def test_killed_build_leaves_no_worker(tmp_path: Path):
    project = small_project(tmp_path / "p", papers=10)
    entries = yaml.safe_load((project / "camera_ready/papers.yaml").read_text(encoding="utf-8"))
    more = []
    for copy in range(3):  # 40 papers: validation lasts long enough to be killed in the middle
        for entry in entries:
            name = f"copy{copy}-{entry['file']}"
            shutil.copyfile(project / "camera_ready" / entry["file"], project / "camera_ready" / name)
            more.append({**{k: v for k, v in entry.items() if k != "doi"}, "id": f"{copy}-{entry['id']}",
                         "file": name})  # a DOI is each paper's own
    (project / "camera_ready/papers.yaml").write_text(yaml.safe_dump(entries + more, sort_keys=False), encoding="utf-8")
    build = subprocess.Popen([sys.executable, "-m", "proceedings", "build", "--project", str(project), "-q", "-j", "2",
                              "--no-cache"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert _survivors_of_a_kill(build) == []


_BUSY_WORKERS = """
import time
from proceedings.util.workers import run_limited
run_limited(time.sleep, [("a", (120,)), ("b", (120,))], jobs=2, time_limit=300, memory_mb=256)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to find the workers")
def test_busy_workers_die_with_their_parent():
    parent = subprocess.Popen([sys.executable, "-c", _BUSY_WORKERS])
    assert _survivors_of_a_kill(parent, settle=0.3) == []  # both workers inside their two-minute task


_STOPPED_WHILE_BINDING = """
import os, sys, time
from pathlib import Path

import proceedings.pipeline as pipeline
import proceedings.stages.stamp as stamp

flag, real, written = Path(sys.argv[2]), stamp.bind, pipeline._citation_files


def binding(*args, **kwargs):  # binds after the citations' process is started, once the test has said stop
    flag.write_text(str(os.getpid()))
    time.sleep(60)
    return real(*args, **kwargs)


def citations(*args):  # as slow as a large volume's: still writing when the command is stopped
    time.sleep(2)
    return written(*args)


stamp.bind, pipeline._citation_files = binding, citations
from proceedings.cli.app import main

sys.argv = ["proceedings", "build", "--project", sys.argv[1], "-q"]
main()
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to find the processes")
def test_sigterm_while_binding_exits_143_and_leaves_nothing_behind(tmp_path: Path):
    """SIGTERM (a cancelled CI job, ``docker stop``) to the command alone, while it binds and another process writes
    the citations: it ends at once with 143 and "terminated", removes what it wrote beside its outputs, and no
    process of it is left (one left blocked on a full pipe kept a caller's pipes open for ever)."""
    project = small_project(tmp_path / "p")
    flag, script = tmp_path / "binding", tmp_path / "stopped.py"
    script.write_text(_STOPPED_WHILE_BINDING, encoding="utf-8")
    build = subprocess.Popen([sys.executable, str(script), str(project), str(flag)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1745798400"})
    try:
        deadline = time.monotonic() + 120
        while not flag.exists() and build.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert flag.exists(), build.communicate()[1]
        started = _descendants(build.pid)
        assert started, "the citations' process was not seen"
        build.send_signal(signal.SIGTERM)
        out, err = build.communicate(timeout=30)  # every end of its pipes closed: no process of it left holding one
    finally:
        if build.poll() is None:
            build.kill()
    assert build.returncode == 143 and err.strip() == "terminated", err
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in started) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in started if _alive(p)]
    assert not list((project / "build").rglob("*.tmp"))


def test_a_killed_citations_process_is_replaced_by_this_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           caplog: pytest.LogCaptureFixture):
    """The process writing the citations dies half-way (the OOM killer, kill -9): this process writes them instead,
    after removing what the other left; the build succeeds with the citations a cold build writes."""
    import logging

    from proceedings.export import citations
    from tests.conftest import build_project
    from tests.test_reproducible import digests

    project = small_project(tmp_path / "p")
    parent, real = os.getpid(), citations.stage_citations

    def dying(metadata, out_dir, staging):
        if os.getpid() != parent:  # the forked writer: five files, then killed
            for rel, text in list(citations.render_citations(metadata).items())[:5]:
                staging.write(out_dir / rel, text.encode("utf-8"))
            os.kill(os.getpid(), signal.SIGKILL)
        return real(metadata, out_dir, staging)

    monkeypatch.setattr(citations, "stage_citations", dying)
    with caplog.at_level(logging.WARNING, logger="proceedings"):
        build_project(project)
    assert "the citations are written again: the process running _citation_files stopped (exit code -9)" in caplog.text
    monkeypatch.setattr(citations, "stage_citations", real)
    cold = shutil.copytree(project, tmp_path / "cold", ignore=shutil.ignore_patterns("build"))
    build_project(cold)
    cited = {k: v for k, v in digests(project / "build").items() if k.startswith("citations/") or k.endswith(".bib")}
    assert len(cited) == 4 * 4 + 1 and cited == {k: v for k, v in digests(cold / "build").items() if k in cited}
    assert not list((project / "build").rglob("*.tmp"))


def test_a_command_leaves_sigterm_as_it_found_it():
    """The CLI takes SIGTERM only while a command runs, and not at all where it is ignored (``nohup``); an error
    of the command's own passes through unchanged."""
    from proceedings.cli.common import _sigterm_raises

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(ValueError, match="the command's own"), _sigterm_raises():
        assert signal.getsignal(signal.SIGTERM) is not before
        raise ValueError("the command's own")
    assert signal.getsignal(signal.SIGTERM) is before
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        with _sigterm_raises():
            assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, before)


_GRACEFUL_HOST = """
import os, signal, sys, time
from pathlib import Path

import proceedings.stages.validate as validate
from proceedings import api

flag, real = Path(sys.argv[2]), validate.check_file
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(True))  # a service's own: finish the build, then stop


def check_file(*args):  # in a worker, while the test sends SIGTERM to the whole group
    flag.write_text("checking")
    time.sleep(1)
    return real(*args)


check_file.__qualname__ = check_file.__name__ = "slow_check"  # what the workers find by name (they are forked)
globals()["slow_check"] = validate.check_file = check_file
result = api.build(sys.argv[1], jobs=2, use_cache=False)  # every paper checked now, in a worker
print(stop, [p.id for p in result.report.papers if p.usable], [p.paper.id for p in result.plan.papers])
"""


def test_a_library_host_keeps_its_sigterm_handler_in_the_workers(tmp_path: Path):
    """A program using the library with a SIGTERM handler of its own (finish, then stop) keeps it in the workers
    the build forks: SIGTERM to its process group leaves every paper checked and in the volume (the workers died of
    it when they took the command line's default)."""
    project = small_project(tmp_path / "p")
    flag, script = tmp_path / "checking", tmp_path / "host.py"
    script.write_text(_GRACEFUL_HOST, encoding="utf-8")
    host = subprocess.Popen([sys.executable, str(script), str(project), str(flag)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, "SOURCE_DATE_EPOCH": "1745798400"})
    try:
        deadline = time.monotonic() + 120
        while not flag.exists() and host.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert flag.exists(), host.communicate()[1]
        os.killpg(host.pid, signal.SIGTERM)
        out, err = host.communicate(timeout=120)
    finally:
        if host.poll() is None:
            os.killpg(host.pid, signal.SIGKILL)
    assert host.returncode == 0, err
    assert out.strip() == "[True] ['1', '2', '3', '4'] ['1', '2', '3', '4']", err


def test_a_file_of_its_own_gone_is_no_input_error(tmp_path: Path):
    """A path given that is not there is the input's (exit 2, named); a file under the output folder that is not
    there is this tool's own doing (its cache), never blamed on the user's input."""
    from proceedings.errors import InputError
    from proceedings.util.outputs import writing

    out = tmp_path / "build"
    out.mkdir()
    with pytest.raises(InputError, match="missing.pdf: no such file"), writing(out):
        (tmp_path / "missing.pdf").read_bytes()
    with pytest.raises(FileNotFoundError), writing(out):
        (out / ".cache" / "bound.json").read_bytes()
    with pytest.raises(InputError, match="file name too long"), writing(out):  # a name given: wherever it is
        (out / ("a" * 300)).read_bytes()


def test_two_threads_into_one_folder_take_turns_too(tmp_path: Path):
    """The lock is re-entered by the thread that holds it (a bundle that builds), not by another thread of the
    same process (a library host building twice at once)."""
    import threading

    from proceedings.util.atomic import exclusive

    out = tmp_path / "out"
    out.mkdir()
    inside, overlapped = [], []
    entered = threading.Event()

    def hold() -> None:
        with exclusive(out):
            inside.append(1)
            entered.set()
            overlapped.append(len(inside) > 1)
            time.sleep(0.5)
            overlapped.append(len(inside) > 1)
            inside.pop()

    first = threading.Thread(target=hold)
    first.start()
    entered.wait(10)
    second = threading.Thread(target=hold)
    second.start()
    first.join(20)
    second.join(20)
    assert overlapped == [False, False, False, False]
    with exclusive(out), exclusive(out):  # the holder itself: in at once
        pass


def test_a_part_the_disk_cannot_hold_fails_as_a_write_naming_no_file_object(tmpfs):
    """pikepdf names the file object it wrote to as the error's file name: the error is a plain write's (the
    message then names the output folder, never "<_io.BufferedRandom name='….tmp'>"), and no temporary file stays."""
    import pikepdf

    from proceedings.stages.parts import save

    folder = tmpfs("64k")
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].obj.Contents = pdf.make_stream(os.urandom(200_000))
    with pytest.raises(OSError) as failed:
        save(pdf, folder / "part.pdf")
    assert failed.value.errno == errno.ENOSPC and failed.value.filename is None
    assert list(folder.iterdir()) == []

"""Faults never lie and never lose (issue 13): long, malformed and hostile project input is typeset or
refused with a message naming file, entry and field, never an internal error; caches never reach
published files and are checked by content."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from proceedings.errors import InputError, ProjectFileError
from proceedings.project.loading import load_project
from proceedings.util.journal import Journal
from tests.conftest import build_project, copy_project

PAPERS = "camera_ready/papers.yaml"


def _edit(project: Path, change) -> None:
    path = project / PAPERS
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(entries)
    path.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")


def small_project(dest: Path, papers: int = 4) -> Path:
    """The repository's project cut to its first ``papers`` papers (quick to build)."""
    project = copy_project(dest)
    _edit(project, lambda entries: entries.__delitem__(slice(papers, None)))
    return project


@pytest.fixture(scope="module")
def small_build(tmp_path_factory: pytest.TempPathFactory):
    project = small_project(tmp_path_factory.mktemp("small") / "p")
    for stale in ("build/.proceedings.pdf.k1ll3d_x.tmp", "build/papers/.2.pdf.abcdefgh.tmp"):  # a killed build's
        (project / stale).parent.mkdir(parents=True, exist_ok=True)
        (project / stale).write_bytes(b"%PDF-1.7 torn")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1745798400")
        result = build_project(project)
    return project, result


def _cli(project: Path, out: Path, *extra: str, timeout: float = 120, command: str = "build"
         ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "proceedings", command, "--project", str(project), "--out", str(out),
                           "-q", *extra], capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1745798400"})


def _refusal(project: Path) -> str:
    with pytest.raises(ProjectFileError) as caught:
        load_project(project)
    assert caught.value.exit_code == 2
    return str(caught.value)


@pytest.fixture(scope="module")
def long_build(tmp_path_factory: pytest.TempPathFactory):
    """Case 1 and 4: 300 authors, a 1,000-character title without spaces, a hostile preface; built once."""
    project = copy_project(tmp_path_factory.mktemp("long") / "p")

    def change(entries):
        entries[0]["authors"] = [{"name": f"Given{i} Family{i}", "affiliation": "Institute " * 40} for i in range(300)]
        entries[1]["title"] = "Y" * 1000
        entries[2]["title"] = "\x1b[31mRed\x07 alert\x00 title"

    _edit(project, change)
    table = "\n".join("| " + " | ".join(f"r{r}c{c}" for c in range(20)) + " |" for r in range(300))
    (project / "front_matter/preface.md").write_text(
        "# Preface\n\n<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\nWelcome.\n\n" + table,
        encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1745798400")
        result = build_project(project)
    return project, result


def test_300_authors_and_a_1000_character_word_are_typeset(long_build):
    project, result = long_build
    out = project / "build"
    volume = PdfReader(out / "proceedings.pdf")
    contents = "".join(volume.pages[i].extract_text() for i in range(result.volume.front_pages))
    assert "et al. (300 authors)" in contents
    assert "Given299 Family299" not in contents
    assert any("paper 1: authors: 300 authors" in w and "et al." in w for w in result.context_warnings)
    index = "".join(volume.pages[i].extract_text() for i in range(result.volume.index_first_index, len(volume.pages)))
    assert "Family299" in index  # the author index lists every author
    check = subprocess.run(["qpdf", "--check", str(out / "proceedings.pdf")], capture_output=True, check=False)
    assert check.returncode == 0


def test_hostile_preface_is_text_not_markup(long_build):
    project, result = long_build
    volume = PdfReader(project / "build/proceedings.pdf")
    preface = "".join(volume.pages[i].extract_text() for i in range(2, result.volume.front_pages))
    assert "<script>alert(" in preface and "<img src=x onerror=alert(1)>" in preface  # printed, not obeyed
    assert "r299c19" in preface  # the whole table, typeset as text


def test_control_characters_are_removed_with_a_warning(long_build):
    project, result = long_build
    assert any("[2] (id 3).title: control characters removed (U+001B, U+0007, U+0000)" in w
               for w in result.context_warnings)
    meta = json.loads((project / "build/metadata.json").read_text(encoding="utf-8"))
    assert meta["papers"][2]["title"] == "[31mRed alert title"
    html = (project / "build/index.html").read_text(encoding="utf-8")
    raw = (project / "build/proceedings.pdf").read_bytes()
    for ch in "\x1b\x07\x00":
        assert ch not in html and ch not in meta["papers"][2]["title"]
    assert b"\x1b[31m" not in raw


@pytest.mark.parametrize(("change", "expected"), [
    (lambda e: e[0].__setitem__("authors", [{"name": f"A{i} B"} for i in range(5000)]),
     r"\[0\] \(id 1\)\.authors: 5,000 items, more than the limit of 1,000"),
    (lambda e: e[1].__setitem__("title", "word " * 2000), r"\[1\] \(id 2\)\.title: 10,000 characters, more than"),
    (lambda e: e[2].__setitem__("file", e[0]["file"]),
     r"\[2\] \(id 3\)\.file: 'erelmir25-01\.pdf' is also the file of entry \[0\] \(id 1\)"),
    (lambda e: e[3]["authors"][0].__setitem__("name", "N" * 301),
     r"\[3\] \(id 4\)\.authors\[0\]\.name: 301 characters"),
])
def test_oversized_or_duplicate_input_is_refused_naming_file_entry_field(tmp_path: Path, change, expected):
    project = copy_project(tmp_path / "p")
    _edit(project, change)
    assert re.search(f"{PAPERS}: {expected}", _refusal(project))


def test_a_5000_digit_id_is_an_input_error_not_a_crash(tmp_path: Path):
    project = small_project(tmp_path / "p")
    path = project / PAPERS
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"id: ['\"]?1['\"]?\n", "id: " + "9" * 5000 + "\n", text, count=1), encoding="utf-8")
    message = _refusal(project)
    assert "id: 5,000 characters, more than the limit of 100" in message
    proc = _cli(project, tmp_path / "out")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "internal error" not in proc.stderr


def test_an_empty_workshop_file_names_every_field_it_lacks(tmp_path: Path):
    project = small_project(tmp_path / "p")
    (project / "front_matter/workshop.yaml").write_text("# to be filled in\n", encoding="utf-8")
    message = _refusal(project)
    for field in ("title", "acronym", "location", "start_date", "end_date", "publisher", "editors"):
        assert f"front_matter/workshop.yaml: {field}: field required" in message


def test_a_date_that_is_none_names_its_field(tmp_path: Path):
    project = small_project(tmp_path / "p")
    path = project / "front_matter/workshop.yaml"
    path.write_text(re.sub(r"start_date: .*", "start_date: 2025-13-45", path.read_text(encoding="utf-8")),
                    encoding="utf-8")
    assert "front_matter/workshop.yaml: start_date: not an ISO date (YYYY-MM-DD): '2025-13-45'" in _refusal(project)


def test_paths_too_long_or_looping_are_input_errors_not_crashes(tmp_path: Path):
    """A name past the file system's 255 bytes or a symbolic link loop, given as a paper, a logo or a command's
    argument, is said as such (each was an internal error, exit 70); an output folder that cannot be made is the
    machine's (74)."""
    project = small_project(tmp_path / "p")
    long = "a" * 300
    (project / "front_matter/loop1").symlink_to("loop2")
    (project / "front_matter/loop2").symlink_to("loop1")
    path = project / "front_matter/workshop.yaml"
    path.write_text(re.sub(r"(?m)^logo: .*$", "logo: loop1", path.read_text(encoding="utf-8")), encoding="utf-8")
    message = _refusal(project)
    assert "front_matter/workshop.yaml: logo: 'loop1' cannot be read" in message
    proc = _cli(small_project(tmp_path / "q"), tmp_path / long)
    assert proc.returncode == 74 and "cannot write" in proc.stderr and "internal error" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "proceedings", "check", str(tmp_path / f"{long}.pdf")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "file name too long" in proc.stderr and "internal error" not in proc.stderr
    named = small_project(tmp_path / "r")  # a paper's file named past the limit: the input's, wherever --out is
    _edit(named, lambda entries: entries[0].__setitem__("file", f"{long}.pdf"))
    for out in (named / "build", named, tmp_path):
        proc = _cli(named, out)
        assert proc.returncode == 2 and "file name too long" in proc.stderr, (out, proc.stderr[-300:])
    (tmp_path / "a-file").write_text("", encoding="utf-8")  # init where a file is in the way: the machine's
    proc = subprocess.run([sys.executable, "-m", "proceedings", "init", str(tmp_path / "a-file" / "new")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 74 and "not a directory" in proc.stderr and "internal error" not in proc.stderr


def test_yaml_nested_hundreds_deep_is_refused_naming_its_file(tmp_path: Path):
    project = small_project(tmp_path / "p")
    (project / "front_matter/committee.yaml").write_text("- " + "[" * 600 + "]" * 600 + "\n", encoding="utf-8")
    assert "front_matter/committee.yaml: [0]: nested too deeply to be read" in _refusal(project)


def test_a_long_preface_is_refused_quickly(tmp_path: Path):
    project = copy_project(tmp_path / "p")
    table = "\n".join("| " + " | ".join("cell" for _ in range(20)) + " |" for _ in range(3000))
    (project / "front_matter/preface.md").write_text(table, encoding="utf-8")
    assert re.search(r"front_matter/preface\.md: [\d,]+ characters, more than the limit of 100,000", _refusal(project))


def test_drawing_past_its_time_limit_is_an_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from proceedings.project.model import Rules
    from proceedings.typeset import limited

    monkeypatch.setattr(limited, "MIN_SECONDS", 0.0)
    with pytest.raises(InputError, match=r"the front matter could not be drawn within 0\.2 s"):
        limited.draw(_slow, (), Rules(time_limit=0.2), "the front matter")


def _slow() -> None:
    import time

    time.sleep(30)


def test_published_files_share_nothing_with_the_cache(small_build):
    project, _ = small_build
    out = project / "build"
    cached = [p for p in (out / ".cache").rglob("*") if p.is_file()]
    published = [out / "front_matter.pdf", *(out / "papers").glob("*.pdf")]
    assert len(published) == 5
    assert not list(out.rglob("*.tmp"))  # the temporary files of a killed build are gone
    for path in published:
        assert path.stat().st_nlink == 1
        assert not any(os.path.samefile(path, c) for c in cached)


def test_a_build_keeps_no_file_per_paper_besides_its_outputs(small_build):
    """The records of each paper's check and stamp are lines of two journals: a build of N papers makes its N
    parts and 4N citation files, and no other file per paper."""
    project, result = small_build
    out = project / "build"
    ids = {p.paper.id for p in result.plan.papers}
    per_paper = [p for p in (out / ".cache").rglob("*") if p.is_file() and (p.stem in ids or len(p.stem) == 64)]
    assert per_paper == []
    assert Journal(out / ".cache" / "stamped.jsonl").keys() == ids
    assert len(Journal(out / ".cache" / "validation.jsonl").keys()) == len(result.report.papers)


def test_each_paper_is_written_once_to_the_output_folder(small_build):
    """A stamped paper is moved from the cache to papers/ID.pdf once its volume has passed, not copied: the
    output folder holds each paper's part once (and the volume), whatever it keeps for later builds."""
    project, result = small_build
    out = project / "build"
    assert not list((out / ".cache" / "stamped").glob("*.pdf"))
    papers = sorted((out / "papers").glob("*.pdf"))
    assert [p.stem for p in papers] == sorted(p.paper.id for p in result.plan.papers)
    assert all(p.stat().st_nlink == 1 for p in papers)
    assert result.volume.parts[1:-1] == [out / "papers" / f"{p.paper.id}.pdf" for p in result.plan.papers]


def test_staged_files_are_put_in_place_together_or_not_at_all(tmp_path: Path):
    from proceedings.util.atomic import Staging

    kept, linked = tmp_path / "cache" / "a.pdf", tmp_path / "cache" / "b.pdf"
    kept.parent.mkdir()
    kept.write_bytes(b"a")
    linked.write_bytes(b"b")
    (tmp_path / "out").mkdir()
    os.link(linked, tmp_path / "out" / "b.pdf")  # an older version's hard link into the cache
    (tmp_path / "out" / "same.txt").write_bytes(b"same")
    failed = Staging()
    failed.write(tmp_path / "out" / "new.txt", b"new")
    failed.move(kept, tmp_path / "out" / "a.pdf")
    failed.discard()  # the build failed: what it wrote is gone, what it was to move stays
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["b.pdf", "same.txt"] and kept.exists()
    staging = Staging()
    assert staging.write(tmp_path / "out" / "new.txt", b"new") and not staging.write(tmp_path / "out" / "same.txt",
                                                                                    b"same")
    staging.move(kept, tmp_path / "out" / "a.pdf")
    staging.move(linked, tmp_path / "out" / "b.pdf")
    assert not (tmp_path / "out" / "new.txt").exists()  # nothing in place before the commit
    staging.commit()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.pdf", "b.pdf", "new.txt", "same.txt"]
    assert not list((tmp_path / "cache").iterdir()) and (tmp_path / "out" / "b.pdf").stat().st_nlink == 1


def _edit_record(journal: Path, key: str | None, old: str, new: str) -> str:
    """Edit the record of ``key`` (None: the first) in a journal of the cache; its key."""
    lines = journal.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if key is None or line.startswith(f'"{key}"\t'))
    assert old in lines[at]
    lines[at] = lines[at].replace(old, new, 1)
    journal.write_text("".join(lines), encoding="utf-8")
    return json.loads(lines[at].split("\t")[0])


def test_bit_rot_in_the_cache_is_caught_and_rebuilt(small_build, tmp_path: Path, caplog: pytest.LogCaptureFixture):
    """Damaged cache entries are rebuilt, never blamed on a paper; a paper's stamped part (published as
    papers/ID.pdf, where later builds find it) written since it was recorded is read, found damaged and stamped
    again."""
    from tests.test_reproducible import digests

    project = shutil.copytree(small_build[0], tmp_path / "p")  # the project and its build, cache included
    out = project / "build"
    before = digests(out)
    for path in (out / "papers/3.pdf", out / ".cache/front-matter.pickle"):
        stat = path.stat()
        data = bytearray(path.read_bytes())
        middle = len(data) // 2
        data[middle:middle + 64] = bytes(b ^ 0x5A for b in data[middle:middle + 64])
        path.write_bytes(bytes(data))
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time: only the content differs
    # still JSON, but not what was written: a paper must not be blamed
    checked = _edit_record(out / ".cache/validation.jsonl", None, '"usable":true', '"usable":false')
    _edit_record(out / ".cache/stamped.jsonl", "2", '"pages":', '"pages":1')
    with caplog.at_level(logging.WARNING, logger="proceedings"):
        result = build_project(project)
    assert result.volume.restamped == 2 and result.report.error_count == 0
    assert "cache entry stamped.jsonl[2] is damaged (sha256 mismatch)" in caplog.text
    assert f"cache entry validation.jsonl[{checked}] is damaged (sha256 mismatch)" in caplog.text
    assert "paper 3: the cached stamped copy is damaged" in caplog.text
    assert "cache entry front-matter.pickle is damaged" in caplog.text
    assert digests(out) == before
    check = subprocess.run(["qpdf", "--check", str(out / "proceedings.pdf")], capture_output=True, check=False)
    assert check.returncode == 0


def test_citations_written_by_another_process_survive_binding_again(small_build, tmp_path: Path,
                                                                     caplog: pytest.LogCaptureFixture):
    """The citations are written beside their final paths by another process while the volume is bound; when a
    damaged stamped paper makes the volume bound again, the first binding's staged files are gone, and the
    citations are written again: the build ends with every citation as a cold build writes it, nothing left
    beside them."""
    from tests.test_reproducible import digests

    project = shutil.copytree(small_build[0], tmp_path / "p")
    out = project / "build"
    part = out / "papers/3.pdf"
    stat, data = part.stat(), bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0x5A
    part.write_bytes(bytes(data))
    os.utime(part, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    _edit(project, lambda entries: entries[0].__setitem__("title", entries[0]["title"] + " Revisited"))
    with caplog.at_level(logging.WARNING, logger="proceedings"):
        build_project(project)
    assert "paper 3: the cached stamped copy is damaged" in caplog.text
    cold = shutil.copytree(project, tmp_path / "cold", ignore=shutil.ignore_patterns("build"))
    build_project(cold)
    cited = {k: v for k, v in digests(out).items() if k.startswith("citations/") or k == "proceedings.bib"}
    assert len(cited) == 4 * 4 + 1 and "Revisited" in (out / "proceedings.bib").read_text(encoding="utf-8")
    assert cited == {k: v for k, v in digests(cold / "build").items() if k in cited}
    assert not [p for p in out.rglob("*.tmp")]


def _stamping_refuses_paper_2(path, first_page, out, *args, **kwargs):
    """:func:`~proceedings.stages.parts.stamp_paper`, but paper 2 cannot be copied (module level: workers call it)."""
    from proceedings.pdf.streams import DamagedStream
    from proceedings.stages import parts

    if Path(out).stem == "2":
        raise DamagedStream("a stream (object 9) does not decode (made to fail by the test)")
    return parts.__dict__["_real_stamp_paper"](path, first_page, out, *args, **kwargs)


def test_a_paper_that_cannot_be_stamped_is_left_out_and_named_in_the_report(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch):
    """A paper that passed validation but cannot be copied into the volume is left out with a finding the chair
    reads in validation.html under its own title; the other papers make the volume."""
    from proceedings.export.report import rule_title
    from proceedings.stages import parts

    project = small_project(tmp_path / "p")
    monkeypatch.setitem(parts.__dict__, "_real_stamp_paper", parts.stamp_paper)
    monkeypatch.setattr(parts, "stamp_paper", _stamping_refuses_paper_2)
    result = build_project(project)
    paper = result.report.by_id("2")
    assert not paper.usable and [f.rule for f in paper.findings] == ["stamp-failed"]
    assert "made to fail by the test" in paper.findings[0].message
    assert [p.paper.id for p in result.plan.papers] == ["1", "3", "4"]
    html = (project / "build" / "validation.html").read_text(encoding="utf-8")
    assert rule_title("stamp-failed") == "Could not be copied into the volume" and rule_title("stamp-failed") in html


@pytest.mark.parametrize(("paper", "split"), [(2, 10_000), (0, 2), (3, 2)])
def test_verify_finds_a_content_stream_that_does_not_decode(small_build, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch, paper: int, split: int):
    """Every page's content streams are decoded before the volume takes its name: by this process alone, or, past
    ``SPLIT_PAGES`` pages, the second half of them by another process (a page in either half is found)."""
    from proceedings.errors import BuildError
    from proceedings.stages import verify as stage
    from proceedings.stages.verify import verify

    monkeypatch.setattr(stage, "SPLIT_PAGES", split)
    project, result = small_build
    volume_path = tmp_path / "proceedings.pdf"
    data = bytearray((project / "build/proceedings.pdf").read_bytes())
    volume_path.write_bytes(data)
    verify(volume_path, result.volume, result.plan, result.metadata)  # as built: no problem
    reader = PdfReader(volume_path)
    page = result.volume.papers[paper].first_index
    assert (page < len(reader.pages) // 2) == (paper == 0)  # the damaged page in the half the case is about
    contents = reader.pages[page].get_object().get("/Contents")
    refs = list(contents) if isinstance(contents, list) else [contents]
    flate = next(r for r in refs if "/FlateDecode" in str(r.get_object().get("/Filter")))
    start = data.index(b"stream", reader.xref[flate.generation][flate.idnum]) + len(b"stream\n")
    length = len(flate.get_object()._data)
    data[start + length // 2: start + length] = b"\0" * (length - length // 2)  # the Flate data cut short, in place
    volume_path.write_bytes(data)
    with pytest.raises(BuildError) as caught:
        verify(volume_path, result.volume, result.plan, result.metadata)
    assert any(p.startswith(f"page index {page}: a content stream does not decode") for p in caught.value.problems)


def test_verify_finds_a_part_copied_from_the_last_volume_damaged(small_build, tmp_path: Path):
    """A part copied from the last volume unread is not decoded again: its bytes must read back with the CRC-32
    recorded when bind first wrote them (the bytes bind wrote now from memory are not read back)."""
    import zlib

    from proceedings.errors import BuildError
    from proceedings.stages.bind import Written
    from proceedings.stages.verify import verify

    project, result = small_build
    volume_path = tmp_path / "proceedings.pdf"
    data = bytearray((project / "build/proceedings.pdf").read_bytes())
    reader = PdfReader(io.BytesIO(bytes(data)))
    page = result.volume.papers[1].first_index  # part 2: the second paper
    start = reader.xref[0][reader.pages[page].indirect_reference.idnum]
    end = reader.xref[0][reader.pages[result.volume.papers[2].first_index].indirect_reference.idnum]
    start, end = min(start, end) - 4096, max(start, end)  # around the second paper's objects
    trusted = {2: Written(start, end, zlib.crc32(data[start:end]), reused=True)}
    volume_path.write_bytes(data)
    verify(volume_path, result.volume, result.plan, result.metadata, trusted)  # as bound: no problem
    data[start + 100] ^= 0x01  # one bit flipped where bind copied that part
    volume_path.write_bytes(data)
    with pytest.raises(BuildError) as caught:
        verify(volume_path, result.volume, result.plan, result.metadata, trusted)
    assert "part 2: the bytes copied from the last volume differ from those first written (damaged since)" \
        in caught.value.problems
    verify(volume_path, result.volume, result.plan, result.metadata,  # written now: not read back
           {2: Written(start, end, zlib.crc32(data[start:end]) ^ 1)})


def test_bit_rot_in_the_last_volume_is_not_copied_into_the_next(small_build, tmp_path: Path,
                                                                 caplog: pytest.LogCaptureFixture):
    """Bind copies unchanged parts from the last volume without reading them; verify reads them back against
    the CRC-32 recorded when they were first written, and a volume that changed since is not reused."""
    import json

    from tests.test_reproducible import digests

    project = shutil.copytree(small_build[0], tmp_path / "p")  # with its build
    out = project / "build"
    volume = out / "proceedings.pdf"
    ranges = json.loads((out / ".cache/bound.json").read_text(encoding="utf-8"))["parts"].values()
    start, end, _ = max(ranges)  # the last part's range (the author index): copied, as nothing before it moves
    stat = volume.stat()
    data = bytearray(volume.read_bytes())
    data[(start + end) // 2] ^= 0x20
    volume.write_bytes(bytes(data))
    os.utime(volume, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time: only the content differs
    changed = project.joinpath("camera_ready", small_build[1].plan.papers[1].paper.file)
    changed.write_bytes(changed.read_bytes() + b"\n% a corrected upload\n")
    with caplog.at_level(logging.WARNING, logger="proceedings"):
        build_project(project)
    assert "the last volume could not be reused" in caplog.text
    build_project(project, tmp_path / "cold", use_cache=False)
    assert digests(out) == digests(tmp_path / "cold")


def test_verify_decodes_only_the_drawings_made_now(small_build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Every paper's part, stamped now or before, had its streams decoded as it was stamped: verify checks its bytes
    by CRC-32. After one paper changed, that paper's part is trusted too (and the drawings, unchanged, as well);
    a cold build decodes the front matter and author index it drew, and nothing else."""
    from proceedings.stages import verify as stage

    project = shutil.copytree(small_build[0], tmp_path / "p")  # with its build
    first = small_build[1]
    seen: list[dict] = []
    real = stage.verify
    monkeypatch.setattr(stage, "verify", lambda *a, **k: (seen.append(a[4] if len(a) > 4 else k["trusted"]),
                                                         real(*a, **k))[1])
    changed = project.joinpath("camera_ready", first.plan.papers[1].paper.file)
    changed.write_bytes(changed.read_bytes() + b"\n% a corrected upload\n")
    again = build_project(project)
    assert again.volume.restamped == 1 and len(seen) == 1
    assert set(seen[0]) == set(range(len(again.volume.parts)))  # part 2, the second paper, was stamped again
    cold = build_project(project, tmp_path / "cold", use_cache=False)  # no cache: every part decoded
    assert cold.volume.restamped == len(cold.plan.papers) and seen[1] == {}
    seen.clear()
    fresh = build_project(project, tmp_path / "fresh")
    assert set(seen[0]) == set(range(1, len(fresh.volume.parts) - 1))  # the papers; not the drawings made now


def test_a_paper_whose_stream_does_not_decode_stays_out_of_the_volume(small_build, tmp_path: Path):
    from pypdf import PdfWriter

    project = shutil.copytree(small_build[0], tmp_path / "p")  # with its build: only the changed paper is new
    entry = yaml.safe_load((project / PAPERS).read_text(encoding="utf-8"))[1]
    path = project / "camera_ready" / entry["file"]
    writer = PdfWriter(clone_from=PdfReader(path))
    contents = writer.pages[2]["/Contents"]
    streams = [s.get_object() for s in (contents if isinstance(contents, list) else [contents])]
    stream = next(s for s in streams if "/FlateDecode" in str(s.get("/Filter")))
    stream._data = stream._data[: len(stream._data) // 3]  # a Flate stream cut short, the file otherwise sound
    with path.open("wb") as handle:
        writer.write(handle)
    result = build_project(project)
    meta = json.loads((project / "build/metadata.json").read_text(encoding="utf-8"))
    assert entry["id"] not in [p["id"] for p in meta["papers"]]
    reasons = {e["id"]: e["reasons"] for e in meta["excluded"]}[entry["id"]]
    assert any("does not decode" in r or "damaged" in r.lower() for r in reasons), reasons
    assert len(result.plan.papers) == 3
    check = subprocess.run(["qpdf", "--check", str(project / "build/proceedings.pdf")], capture_output=True,
                           check=False)
    assert check.returncode == 0


def test_a_paper_cut_short_stays_out_of_the_volume(small_build, tmp_path: Path):
    """An upload that stopped: qpdf opens what is left (a page, or every page without the end), but the paper
    is not whole, so it is named unreadable and kept out, not bound with what survived."""
    project = shutil.copytree(small_build[0], tmp_path / "p")
    entry = yaml.safe_load((project / PAPERS).read_text(encoding="utf-8"))[1]
    path = project / "camera_ready" / entry["file"]
    whole = path.read_bytes()
    for cut in (len(whole) // 2, len(whole) - 200):  # half of it; all of it but the cross-reference table's end
        path.write_bytes(whole[:cut])
        result = build_project(project)
        meta = json.loads((project / "build/metadata.json").read_text(encoding="utf-8"))
        assert entry["id"] not in [p["id"] for p in meta["papers"]] and len(result.plan.papers) == 3
        reasons = {e["id"]: e["reasons"] for e in meta["excluded"]}[entry["id"]]
        assert any("cut short" in r for r in reasons), reasons
        report = json.loads((project / "build/validation.json").read_text(encoding="utf-8"))
        rules = [f["rule"] for p in report["papers"] if p["id"] == entry["id"] for f in p["findings"]]
        assert rules == ["unreadable"], rules


def test_what_follows_the_end_of_a_file_is_told_apart_from_a_cut():
    from proceedings.checks.opening import cut_short

    body = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n"
    update = b"2 0 obj\n<< /Length 0 >>\nstream\n\nendstream\nendobj\nstartxref\n40\n%%EOF\n"
    assert not cut_short(body) and not cut_short(body + update)  # an incremental update ends at its own end
    assert not cut_short(body + b"\x00" * 4000 + b"appended by a mail client")  # junk after the end: no objects
    assert not cut_short(body[:body.rfind(b"%%EOF")])  # whole but for the marker: it ends at its startxref
    assert cut_short(body + update[:40]) and cut_short(body[:30])  # an update, or the file, cut inside an object


def test_the_footer_warning_is_given_once_when_a_damaged_part_is_stamped_again(tmp_path: Path):
    """A cached part found damaged stamps the papers again: the build's own warnings are not repeated."""
    project = small_project(tmp_path / "p", papers=2)
    workshop = project / "front_matter" / "workshop.yaml"
    data = yaml.safe_load(workshop.read_text(encoding="utf-8"))
    data["acronym"] = "W" * 40
    workshop.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    build_project(project)
    part = project / "build" / "papers" / "1.pdf"
    stat = part.stat()
    data_ = bytearray(part.read_bytes())
    middle = len(data_) // 2
    data_[middle:middle + 64] = bytes(b ^ 0x5A for b in data_[middle:middle + 64])
    part.write_bytes(bytes(data_))
    os.utime(part, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size and time: found damaged as it is read
    (project / "build" / ".cache" / "build-state.json").unlink()  # built again
    result = build_project(project)
    assert result.volume.restamped >= 1
    footers = [w for w in result.context_warnings if "running footer" in w]
    assert len(footers) == 1, result.context_warnings


def test_a_running_footer_too_long_is_scaled_to_fit_beside_the_page_number(tmp_path: Path):
    from proceedings.pdf.textlayer import open_layer

    project = small_project(tmp_path / "p", papers=1)
    workshop = project / "front_matter" / "workshop.yaml"
    data = yaml.safe_load(workshop.read_text(encoding="utf-8"))
    data["acronym"] = "W" * 40  # within the field's limit, wider than the page beside its number
    workshop.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = build_project(project)
    assert any("running footer" in w and "too long" in w for w in result.context_warnings), result.context_warnings
    layer = open_layer((project / "build" / "proceedings.pdf").read_bytes())
    assert layer is not None
    for number in (result.volume.papers[0].first_index + 1, result.volume.papers[0].first_index + 2):  # odd, even
        page = layer[number]
        low = [s for s in page.spans if s.y1 < 40]  # the stamp's line, below the text block
        digits = [s for s in low if s.text.strip().isdigit()]
        footer = [s for s in low if "W" * 10 in s.text]
        assert digits and footer, [s.text for s in low]
        assert 50 <= min(s.x0 for s in low) and max(s.x1 for s in low) <= page.width - 50  # on the page
        apart = digits[0].x0 - max(s.x1 for s in footer) if digits[0].x0 > footer[0].x0 else \
            min(s.x0 for s in footer) - digits[0].x1
        assert apart >= 6, (number, apart)  # beside the number, not over it
    layer.close()


def test_a_preface_heading_longer_than_a_page_of_contents_is_shortened_there(tmp_path: Path):
    """The preface's heading is its line in the contents: one of 5,000 characters was taller than the contents'
    page, and the build stopped (exit 2) on ReportLab's LayoutError."""
    project = small_project(tmp_path / "p", papers=1)
    (project / "front_matter" / "preface.md").write_text("# " + "Heading " * 700 + "\n\nText.\n", encoding="utf-8")
    build_project(project)
    reader = PdfReader(str(project / "build" / "front_matter.pdf"))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Table of Contents" in text and "Heading…" in text.replace("\n", " "), text[:300]


def test_stamping_drops_nul_names_and_refuses_a_broken_jpeg(tmp_path):
    import io

    import pikepdf
    from PIL import Image
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject

    from proceedings.pdf.streams import DamagedStream, check_part
    from proceedings.stages.parts import save

    writer = PdfWriter()  # a name with NUL characters (/F#001), which qpdf --check rejects
    writer.add_blank_page(100, 100)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/\x00\x00")})
    writer.pages[0][NameObject("/Resources")] = DictionaryObject({NameObject("/F\x001"): font})
    buffer = io.BytesIO()
    writer.write(buffer)
    assert b"#00" in buffer.getvalue()
    pdf = pikepdf.Pdf.new()
    source = pikepdf.Pdf.open(io.BytesIO(buffer.getvalue()))
    pdf.pages.append(source.pages[0])
    check_part(pdf, [0])
    save(pdf, tmp_path / "part.pdf")
    assert b"#00" not in (tmp_path / "part.pdf").read_bytes()
    check = subprocess.run(["qpdf", "--check", str(tmp_path / "part.pdf")], capture_output=True, check=False)
    assert check.returncode == 0, check.stdout
    image = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(image, "JPEG")
    data = image.getvalue()[:200] + b"\xff\x8d" + image.getvalue()[202:]  # an unsupported marker
    pdf.make_indirect(pikepdf.Stream(pdf, data, Filter=pikepdf.Name.DCTDecode))
    with pytest.raises(DamagedStream, match="the JPEG image does not decode"):
        check_part(pdf, [0])


def test_a_damaged_part_forgets_its_own_record_only(tmp_path: Path):
    """A damaged front matter or index part drops that part's record, never the stamped copy of a paper whose id
    happens to be "front" or "index"."""
    from proceedings.context import make_context
    from proceedings.stages.papercache import PaperCache, forget_part

    ctx = make_context(tmp_path, tmp_path / "build")
    cache = PaperCache(ctx)
    stamped, parts = cache.dir, ctx.out_dir / ".cache" / "parts"
    for paper in ("front", "index", "7"):
        cache.records.put(paper, {"key": paper})
    for record in (parts / "front.json", parts / "index.json"):
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text("{}", encoding="utf-8")
    assert forget_part(ctx, parts / "index.pdf") == "the author index"
    assert forget_part(ctx, parts / "front_matter.pdf") == "the front matter"
    assert forget_part(ctx, stamped / "7.pdf") == "paper 7"
    assert cache.records.keys() == {"front", "index"}  # this cache's view follows the journal forget_part wrote
    assert PaperCache(ctx).records.keys() == {"front", "index"}
    assert not list(parts.iterdir())


def test_a_part_moved_to_another_disk_is_copied_with_its_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """papers/ on another file system (a link to another disk): the part is copied there, keeping the size and time
    the cache knows it by, and taken out of the cache."""
    import errno

    from proceedings.util import atomic

    source, target = tmp_path / "cache" / "1.pdf", tmp_path / "papers" / "1.pdf"
    source.parent.mkdir()
    source.write_bytes(b"%PDF-1.4 part")
    os.utime(source, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    real = os.replace

    def other_disk(src, dst):
        if Path(src) == source:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", other_disk)
    staging = atomic.Staging()
    staging.move(source, target)
    staging.commit()
    assert target.read_bytes() == b"%PDF-1.4 part" and not source.exists()
    assert target.stat().st_mtime_ns == 1_700_000_000_000_000_000 and not list(target.parent.glob(".*.tmp"))


def _copied_build(small_build, tmp_path: Path) -> tuple[Path, Path]:
    project = shutil.copytree(small_build[0], tmp_path / "p")  # the project and its build, cache included
    return project, project / "build"


def test_a_published_paper_edited_in_place_is_published_again(small_build, tmp_path: Path):
    """A published paper is its stamped part: changed in place, even with its size and time kept (bit rot, a tool
    that keeps them), the next build finds it written since it was recorded, reads it, and stamps it again."""
    from tests.test_reproducible import digests

    project, out = _copied_build(small_build, tmp_path)
    before = digests(out)
    paper = out / "papers" / "3.pdf"
    stat = paper.stat()
    data = bytearray(paper.read_bytes())
    data[len(data) // 2] ^= 0x5A
    with paper.open("r+b") as handle:  # in place: the same file, size and (restored) time
        handle.write(bytes(data))
    os.utime(paper, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result = build_project(project)
    assert result.volume.restamped == 1 and digests(out) == before


def test_papers_on_a_disk_that_keeps_times_to_the_second_are_found_again(small_build, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch):
    """papers/ on another disk whose file system keeps times to the second: the stamp records take the time the
    moved file has there, and the next build finds every paper published (none stamped again)."""
    import errno

    from proceedings.util import atomic

    project, out = _copied_build(small_build, tmp_path)
    (out / "proceedings.pdf").unlink()
    shutil.rmtree(out / "papers")
    (out / ".cache" / "stamped.jsonl").unlink()  # every paper stamped again, and moved to the other disk
    real_replace, real_utime = os.replace, os.utime

    def other_disk(src, dst, *args, **kwargs):
        if Path(src).parent.name == "stamped" and Path(dst).parent.name == "papers":
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_replace(src, dst, *args, **kwargs)

    def to_the_second(path, *args, ns=None, **kwargs):
        if ns is not None and Path(path).parent.name == "papers":
            ns = tuple(t // 10**9 * 10**9 for t in ns)
        return real_utime(path, *args, ns=ns, **kwargs)

    monkeypatch.setattr(atomic.os, "replace", other_disk)
    monkeypatch.setattr(atomic.os, "utime", to_the_second)
    first = build_project(project)
    assert first.volume.restamped == len(first.plan.papers)
    again = build_project(project)
    assert again.volume.restamped == 0


def test_a_front_matter_linked_to_the_cache_is_made_a_file_of_its_own(small_build, tmp_path: Path):
    project, out = _copied_build(small_build, tmp_path)
    front = out / "front_matter.pdf"
    front.unlink()
    os.link(out / ".cache" / "parts" / "front_matter.pdf", front)  # as a deduplicating tool would
    build_project(project)
    assert front.stat().st_nlink == 1

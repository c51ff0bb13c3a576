"""Front matter content: committees sorted and grouped as a published volume prints them, Markdown preface."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml
from pypdf import PdfReader

from tests.conftest import build_project, copy_repo_build, no_shared_cache


def _text(pdf: Path) -> str:
    reader = PdfReader(pdf)
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages))


def test_committee_sorted_by_family_name_accent_insensitive(repo_build, tmp_path: Path):
    project, _ = copy_repo_build(repo_build, tmp_path / "p")  # its build is the one to change
    committee = [
        {"name": "Çağla Zeybek", "affiliation": "Boğaziçi University"},
        {"name": "Łukasz Lis", "affiliation": "AGH"},
        {"name": "Ana Cruz", "affiliation": "Universidade do Porto"},
        {"name": "Zoë Ábel", "affiliation": "ELTE"},
        {"name": "Pieter van der Berg", "family": "van der Berg", "affiliation": "TU Delft"},
        {"name": "Nguyễn Thị Minh Khai", "family": "Nguyễn", "affiliation": "VNU"},
        {"name": "Émile Ćosić", "affiliation": "Zagreb"},
        {"name": "Zach Angel", "affiliation": "MIT"},  # the given name decides between families equal but for
        {"name": "Ana Ángel", "affiliation": "UAM"},  # an accent
        {"name": "Ana Angel", "affiliation": "UBA"},
        {"name": "Dr. Yan Angel", "affiliation": "NUS"},  # sorted by Yan, not by the title before it
        {"name": "Ed Angel", "affiliation": "UNM"},
    ]
    (project / "front_matter/committee.yaml").write_text(yaml.safe_dump(committee, allow_unicode=True),
                                                          encoding="utf-8")
    organizers = [
        {"name": "Ada Lovelace", "role": "General Chairs"}, {"name": "Alan Turing", "role": "Program Chairs"},
        {"name": "Grace Hopper", "role": "General Chairs"},
    ]
    (project / "front_matter/organizers.yaml").write_text(yaml.safe_dump(organizers), encoding="utf-8")
    result = build_project(project)
    text = _text(result.outputs["front_matter"])
    pc = text[text.rindex("Program Committee"):]  # the heading, after the contents line
    order = ["Zoë Ábel", "Ana Angel", "Ana Ángel", "Ed Angel", "Dr. Yan Angel", "Zach Angel", "Émile Ćosić", "Ana Cruz", "Łukasz Lis", "Nguyễn Thị Minh Khai", "Pieter van der Berg",
             "Çağla Zeybek"]
    positions = [pc.index(name) for name in order]
    assert positions == sorted(positions)
    org = text[text.rindex("Organizing Committee"):text.rindex("Program Committee")]
    assert org.index("General Chairs") < org.index("Ada Lovelace") < org.index("Grace Hopper") \
        < org.index("Program Chairs") < org.index("Alan Turing")


def test_preface_markdown_is_typeset(repo_build, tmp_path: Path):
    project, _ = copy_repo_build(repo_build, tmp_path / "p")  # its build is the one to change
    (project / "front_matter/preface.md").write_text(
        "# Message from the Chairs\n\nWelcome to *the* **workshop**.\n\n## Topics\n\n- first item\n- second item\n\n"
        "1. one\n2. two\n\nSee [the site](https://example.org/erel) for more.\n", encoding="utf-8")
    result = build_project(project)
    reader = PdfReader(result.outputs["front_matter"])
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Message from the Chairs" in text and "Topics" in text and "*" not in text and "[the site]" not in text
    assert re.search(r"•\s*first item", text) and re.search(r"1\s*\.?\s*one", text)
    uris = [a.get_object()["/A"]["/URI"] for p in reader.pages for a in p.get("/Annots") or []
            if a.get_object().get("/A") is not None]
    assert "https://example.org/erel" in uris
    bookmarks = [item.title for item in PdfReader(result.outputs["volume"]).outline if not isinstance(item, list)]
    assert "Message from the Chairs" in bookmarks


def test_lists_nested_deep_are_printed_whole(tmp_path: Path):
    """A list nested twelve deep (a pasted outline): every item is printed, the deepest as dashed paragraphs at the
    sixth level (the drawing failed with ReportLab's IndexError, exit 70, from ten levels on)."""
    from proceedings.typeset import markdown
    from tests.test_faults import small_project

    project = small_project(tmp_path / "p")
    (project / "front_matter/preface.md").write_text(
        "# Preface\n\n" + "".join("  " * i + f"- level {i + 1}\n" for i in range(12)), encoding="utf-8")
    result = build_project(project)
    text = " ".join(p.extract_text() for p in PdfReader(result.outputs["front_matter"]).pages)
    assert all(f"level {n}" in text for n in range(1, 13))
    assert re.search(r"–\s*level 12", text) and markdown.MAX_LIST_DEPTH < 12


def test_an_item_too_deep_is_dashed_once_whatever_its_paragraphs():
    """Its second paragraph is the same item's: no dash of its own (it read as an item more)."""
    from reportlab.platypus import Paragraph

    from proceedings.typeset import markdown
    from proceedings.typeset.styles import Styles

    depth = markdown.MAX_LIST_DEPTH + 2
    text = "".join("  " * i + f"- level {i + 1}\n" for i in range(depth))
    text += "\n" + "  " * depth + "second paragraph of the last\n"
    _, story = markdown.markdown_flowables(text, Styles())

    def texts(flowables) -> list[str]:
        out = []
        for f in flowables:
            if isinstance(f, Paragraph):
                out.append(f.text)
            out += texts(getattr(f, "_flowables", None) or getattr(f, "_content", None) or [])
        return out

    found = texts(story)
    assert f"– level {depth}" in found and "second paragraph of the last" in found, found


def test_links_a_pdf_cannot_follow_are_printed_as_text(tmp_path: Path):
    """A web page's anchor ("#top"), a bare "#" or a relative path, in the preface, a keynote or the sponsors'
    and the workshop's url, is printed as text (ReportLab failed on each: exit 70); web links stay links."""
    import yaml

    from tests.test_faults import small_project

    project = small_project(tmp_path / "p")
    (project / "front_matter/preface.md").write_text(
        "# Preface\n\nSee [the call](#nowhere), [this](#), [notes](notes.html) and [the site](https://example.org/x).\n\n"
        "Cite [the paper](doi:10.1145/3701716).\n",
        encoding="utf-8")
    workshop = project / "front_matter/workshop.yaml"
    data = yaml.safe_load(workshop.read_text(encoding="utf-8"))
    data["url"] = "#top"
    workshop.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (project / "front_matter/sponsors.yaml").write_text("- {name: Acme, url: '#acme'}\n", encoding="utf-8")
    result = build_project(project)
    reader = PdfReader(result.outputs["front_matter"])
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "See the call, this, notes and the site." in " ".join(text.split()) and "Acme" in text
    uris = [a.get_object()["/A"].get("/URI") for p in reader.pages for a in p.get("/Annots") or []
            if a.get_object().get("/A") is not None]
    assert "https://example.org/x" in uris and "doi:10.1145/3701716" in uris  # as the papers' own links keep them
    assert not [u for u in uris if u and not str(u).startswith(("http", "doi:"))]


def _logged_drawing(log: Path):
    """draw.drawing, each call logged to ``log`` (its part and the process drawing it)."""
    import os

    from proceedings.stages import draw

    real = draw.drawing

    def logged(what, project, plan):
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"{what} {os.getpid()}\n")
        return real(what, project, plan)

    return logged


def _no_drawing_ahead(monkeypatch):
    from proceedings.stages.ahead import StampAhead

    monkeypatch.setattr(StampAhead, "drawings", lambda self, taken: [])


def test_front_matter_and_author_index_are_drawn_in_one_worker(repo_build, tmp_path: Path, monkeypatch):
    """Ahead of the plan or by the draw stage, both drawings share one worker process (ReportLab and the fonts
    are loaded once), which is not this one."""
    import os

    from proceedings.stages import draw

    for ahead in (True, False):
        project, _ = copy_repo_build(repo_build, tmp_path / f"p{ahead}")
        log = tmp_path / f"drawn-{ahead}.log"
        with monkeypatch.context() as patch:
            patch.setattr(draw, "drawing", _logged_drawing(log))
            if not ahead:
                _no_drawing_ahead(patch)
            build_project(project, tmp_path / f"out{ahead}", use_cache=False)
        calls = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
        assert sorted(what for what, _ in calls) == sorted([draw.FRONT, draw.INDEX]), calls
        assert len({pid for _, pid in calls}) == 1 and calls[0][1] != str(os.getpid())


def test_a_part_that_cannot_be_laid_out_is_named(repo_build, tmp_path: Path, monkeypatch):
    """Drawn together, a layout failure is still reported for the part that has it."""
    import pytest
    from reportlab.platypus.doctemplate import LayoutError

    from proceedings.errors import InputError
    from proceedings.stages import draw

    real = draw.drawing

    def failing(what, project, plan):
        if what == draw.INDEX:
            raise LayoutError("Flowable too large on page 1")
        return real(what, project, plan)

    project, _ = copy_repo_build(repo_build, tmp_path / "p")
    monkeypatch.setattr(draw, "drawing", failing)
    _no_drawing_ahead(monkeypatch)
    with pytest.raises(InputError, match=r"^the author index cannot be laid out \(LayoutError: Flowable too large"):
        build_project(project, tmp_path / "out", use_cache=False)


def _slow_drawings(repo_build, tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """A copy of the repository's project whose drawings, logged, never end: (the project, the log)."""
    import time

    from proceedings.stages import draw

    log = tmp_path / "drawn.log"
    logged = _logged_drawing(log)

    def slow(what, project, plan):
        logged(what, project, plan)
        time.sleep(30)

    monkeypatch.setattr(draw, "drawing", slow)
    return copy_repo_build(repo_build, tmp_path / "p")[0], log


def test_drawing_past_the_limit_together_is_not_drawn_again(repo_build, tmp_path: Path, monkeypatch):
    """Past the time limit, drawn together, the part that never ends is reported at its own limit, at once (not
    at the two parts' sum, and not as both): not drawn again one at a time (a hostile preface would take the limit
    twice more)."""
    import pytest

    from proceedings.errors import InputError
    from proceedings.stages import draw
    from proceedings.typeset import limited

    project, log = _slow_drawings(repo_build, tmp_path, monkeypatch)
    monkeypatch.setattr(limited, "seconds_for", lambda rules: 1.5)  # time for a loaded machine to start the task
    _no_drawing_ahead(monkeypatch)
    with pytest.raises(InputError, match=r"^the front matter could not be drawn within 1\.5 s"):
        build_project(project, tmp_path / "out", use_cache=False)
    assert [line.split()[0] for line in log.read_text(encoding="utf-8").splitlines()] == [draw.FRONT]


def _large_drawing(what, project, plan):
    scratch = bytearray(120 * 1024 * 1024)  # the layout's passing peak
    del scratch
    return b"x" * (90 * 1024 * 1024)  # the drawing kept as the result


def test_drawings_that_fit_one_at_a_time_are_drawn_one_at_a_time(tmp_path: Path, monkeypatch):
    """Drawn together, the two drawings share one worker's memory limit: past it, each is drawn in a worker of its
    own, as before they were drawn together (only past the time limit is nothing drawn again)."""
    from types import SimpleNamespace

    from proceedings.project.model import Rules
    from proceedings.stages import draw

    monkeypatch.setattr(draw, "drawing", _large_drawing)  # the workers are forked from this process
    project = SimpleNamespace(workshop=SimpleNamespace(rules=Rules(memory_limit_mb=300)))
    drawn = draw._limited((draw.FRONT, draw.INDEX), project, None, SimpleNamespace(out_dir=tmp_path))
    assert {what: len(value) for what, value in drawn.items()} == {draw.FRONT: 90 << 20, draw.INDEX: 90 << 20}


def test_a_full_disk_while_drawing_together_is_not_drawn_again(tmp_path: Path, monkeypatch):
    """The machine's fault drawing the two together is the build's error at once (exit 74): drawn one at a time,
    it would only fail again."""
    import errno
    import os
    from types import SimpleNamespace

    import pytest

    from proceedings.errors import OutputError
    from proceedings.project.model import Rules
    from proceedings.stages import draw

    log = tmp_path / "drawn.log"

    def full(what, project, plan):
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"{what}\n")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "font.cache"))

    monkeypatch.setattr(draw, "drawing", full)  # the workers are forked from this process
    project = SimpleNamespace(workshop=SimpleNamespace(rules=Rules()))
    with pytest.raises(OutputError):
        draw._limited((draw.FRONT, draw.INDEX), project, None, SimpleNamespace(out_dir=tmp_path))
    assert log.read_text(encoding="utf-8").split() == [draw.FRONT]


def test_a_part_past_its_own_limit_fails_drawn_together_alone_or_ahead(repo_build, tmp_path: Path, monkeypatch):
    """Drawn together, each drawing is held to the time one part may take, as alone: a front matter that takes one
    and a half times the limit is the same error (naming it alone) whether the author index is drawn with it,
    cached, or drawn ahead of the plan."""
    import time
    from types import SimpleNamespace

    import pytest

    from proceedings.errors import InputError
    from proceedings.project.model import Rules
    from proceedings.stages import draw
    from proceedings.typeset import limited

    def slow_front(what, project, plan):
        if what == draw.FRONT:
            time.sleep(0.6)
        return what

    monkeypatch.setattr(limited, "seconds_for", lambda rules: 0.4)
    message = r"^the front matter could not be drawn within 0\.4 s"
    with monkeypatch.context() as patch:
        patch.setattr(draw, "drawing", slow_front)  # the workers are forked from this process
        project = SimpleNamespace(workshop=SimpleNamespace(rules=Rules()))
        for whats in ((draw.FRONT, draw.INDEX), (draw.FRONT,)):
            with pytest.raises(limited.DrawingTimeout, match=message):
                draw._limited(whats, project, None, SimpleNamespace(out_dir=tmp_path))
    project, _ = _slow_drawings(repo_build, tmp_path, monkeypatch)
    monkeypatch.setattr(draw, "drawing", slow_front)
    no_shared_cache(monkeypatch)
    ahead = []
    monkeypatch.setattr(draw, "_limited", lambda *args: ahead.append(args) or pytest.fail("drawn by the draw stage"))
    with pytest.raises(InputError, match=message):  # drawn ahead, as the plan is guessed, and not drawn again
        build_project(project, tmp_path / "out")
    assert ahead == []


def test_drawings_past_the_limit_ahead_are_not_drawn_again(repo_build, tmp_path: Path, monkeypatch):
    """Drawn ahead of the plan and past the time limit, from the facts the plan has: that is the build's error, at
    once (the draw stage does not take the limit twice more to find it again)."""
    import pytest

    from proceedings.errors import InputError
    from proceedings.stages import ahead, draw
    from proceedings.typeset import limited

    project, log = _slow_drawings(repo_build, tmp_path, monkeypatch)
    for module in (ahead, limited):  # time for a loaded machine to start the task
        monkeypatch.setattr(module, "seconds_for", lambda rules: 1.5)
    with pytest.raises(InputError, match=r"^the front matter could not be drawn within 1\.5 s"):
        build_project(project, tmp_path / "out", use_cache=False)
    assert [line.split()[0] for line in log.read_text(encoding="utf-8").splitlines()] == [draw.FRONT]


def test_a_workshop_address_without_its_scheme_is_a_link_a_viewer_follows(tmp_path: Path):
    """``url: www.sigir.org`` was printed without a link (no scheme); it links to https://www.sigir.org, printed as
    written."""
    import yaml

    from tests.test_faults import small_project

    project = small_project(tmp_path / "p", papers=1)
    workshop = project / "front_matter/workshop.yaml"
    data = yaml.safe_load(workshop.read_text(encoding="utf-8"))
    data["url"] = "www.sigir.org"
    workshop.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    reader = PdfReader(build_project(project).outputs["front_matter"])
    uris = [a.get_object()["/A"].get("/URI") for p in reader.pages for a in p.get("/Annots") or []
            if a.get_object().get("/A") is not None]
    assert "https://www.sigir.org" in uris and "www.sigir.org" in " ".join(p.extract_text() for p in reader.pages)


def _rules_between(front: Path, above: str, below: str) -> list[tuple[float, ...]]:
    """The horizontal rules drawn on the contents page between the line that starts with ``above`` and the one
    that starts with ``below`` (their pages' text positions, in PDF points)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    document = pdfium.PdfDocument(front)
    for page in document:
        text = page.get_textpage()
        found = [text.search(words).get_next() for words in (above, below)]
        if None in found:
            continue
        top = text.get_charbox(found[0][0])[1]  # the bottom of the line above
        bottom = text.get_charbox(found[1][0])[3]  # the top of the line below
        width = page.get_size()[0]
        return [box for box in (o.get_bounds() for o in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]))
                if bottom < box[1] <= box[3] < top and box[3] - box[1] < 3 and box[2] - box[0] > width / 2]
    raise AssertionError(f"no contents page holds {above!r} above {below!r}")


def test_papers_of_no_session_after_a_session_are_set_apart_in_the_contents_as_in_the_bookmarks(
        repo_build, tmp_path: Path):
    """A run of papers without a session after a session's papers is not printed as part of that session: the
    contents set it apart below a rule (no heading), the bookmarks list it at top level, and the build says so."""
    project, _ = copy_repo_build(repo_build, tmp_path / "p")
    papers_yaml = project / "camera_ready/papers.yaml"
    papers = yaml.safe_load(papers_yaml.read_text(encoding="utf-8"))
    for i in (6, 8, 9):  # the last of the second session, the last two of the third
        del papers[i]["session"]
    papers_yaml.write_text(yaml.safe_dump(papers, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = build_project(project)
    title = {i: papers[i]["title"] for i in range(len(papers))}
    front = result.outputs["volume"].parent / "front_matter.pdf"
    assert len(_rules_between(front, title[5][:30], title[6][:30])) == 1  # set apart from its session's papers
    assert len(_rules_between(front, title[7][:30], title[8][:30])) == 1
    assert _rules_between(front, title[4][:30], title[5][:30]) == []  # within a session: none
    assert _rules_between(front, title[8][:30], title[9][:30]) == []  # within the run: none
    outline = PdfReader(result.outputs["volume"]).outline
    top = [item.title for item in outline if not isinstance(item, list)]
    assert title[6] in top and title[8] in top and title[9] in top and title[5] not in top
    warned = [w for w in result.context_warnings if ".session: not given" in w]
    assert [w.split(":")[1].strip() for w in warned] == ["[6] (id 7).session", "[8] (id 9).session"], warned
    assert "'Retrieval and Recommendation'" in warned[0] and "(nor for [9] (id 10))" in warned[1]

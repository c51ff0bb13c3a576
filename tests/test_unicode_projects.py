"""Property tests: project files full of arbitrary Unicode build, or fail with a clear message."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from proceedings.errors import ProjectFileError
from proceedings.typeset import fonts
from tests.conftest import build_project, copy_front_matter

SPECIALS = "$&%_#{}~^\\"
SCRIPTS = [
    "Łukasz Żółć", "Nguyễn Thị Minh Khai", "José María Álvarez Pérez", "Zoë van der Berg", "Çağla Şahin",
    "عبد الله", "שלום עליכם", "王小明", "田中 太郎", "김철수", "Ἀριστοτέλης", "Дмитрий Иванов",
    "e\u0301\u0301 combining", "RTL\u202emark", "emoji 🚀", "zero\u200bwidth",
]


def tiny_pdf(pages: int = 4) -> bytes:
    buf = io.BytesIO()
    fonts.register()
    canv = Canvas(buf, pagesize=LETTER, invariant=1, initialFontName=fonts.REGULAR)
    for i in range(pages):
        canv.setFont(fonts.REGULAR, 11)
        canv.drawString(72, 700, f"A short paper, page {i + 1}.")
        if i == pages - 1:
            canv.setFont(fonts.BOLD, 11)
            canv.drawString(72, 600, "REFERENCES")
        canv.showPage()
    canv.save()
    return buf.getvalue()


PDF = tiny_pdf(5)

text = st.one_of(
    st.sampled_from(SCRIPTS),
    st.text(alphabet=st.characters(codec="utf-8", categories=["L", "M", "N", "P", "S", "Zs"]), min_size=1, max_size=40),
    st.text(alphabet=SPECIALS + "abc Éé", min_size=1, max_size=20),
)
person = st.fixed_dictionaries({"name": text}, optional={"family": st.sampled_from(["van der Berg", "Nguyễn"]),
                                                         "affiliation": text})


def _project(root: Path, titles: list[str], authors: list[list[dict]], sessions: list[str | None]) -> Path:
    copy_front_matter(root / "front_matter")
    camera = root / "camera_ready"
    camera.mkdir()
    entries = []
    for i, (title, people, session) in enumerate(zip(titles, authors, sessions), 1):
        (camera / f"{i}.pdf").write_bytes(PDF)
        entry = {"id": str(i), "title": title, "authors": people, "file": f"{i}.pdf"}
        if session:
            entry["session"] = session
        entries.append(entry)
    (camera / "papers.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return root


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    titles=st.lists(text, min_size=2, max_size=2),
    authors=st.lists(st.lists(person, min_size=1, max_size=3), min_size=2, max_size=2),
    sessions=st.lists(st.one_of(st.none(), text), min_size=2, max_size=2),
)
def test_arbitrary_unicode_builds_or_fails_clearly(titles, authors, sessions):
    with tempfile.TemporaryDirectory() as tmp:
        project = _project(Path(tmp) / "p", titles, authors, sessions)
        try:
            result = build_project(project)
        except ProjectFileError as exc:
            # only a clear, located message is acceptable (e.g. a name of white space only)
            assert exc.problems and all(p.startswith("camera_ready/papers.yaml: [") for p in exc.problems)
            return
        volume = PdfReader(project / "build/proceedings.pdf")
        assert len(volume.pages) == result.volume.page_count
        assert volume.page_labels[result.volume.front_pages] == "1"
        all_text = "".join(titles) + "".join(a["name"] for p in authors for a in p)
        missing = fonts.missing_glyphs(all_text)
        warned = " ".join(result_warnings(result))
        for ch in missing:
            assert f"U+{ord(ch):04X}" in warned


def result_warnings(result) -> list[str]:
    return result.context_warnings


def test_glyph_no_font_has_becomes_a_named_warning(tmp_path: Path):
    project = _project(tmp_path / "p", ["王小明的论文", "Plain"], [[{"name": "王小明"}], [{"name": "Ada Lovelace"}]],
                       [None, None])
    result = build_project(project)
    warned = " ".join(result.context_warnings)
    assert "U+738B" in warned and "camera_ready/papers.yaml: paper 1: title" in warned
    # drawn as U+FFFD where the font has no glyph: printed as nothing, the gap went unseen in proofs
    contents = "".join(page.extract_text() for page in PdfReader(project / "build/front_matter.pdf").pages)
    assert "\ufffd" * 6 in contents and "\ufffd" * 3 in contents.replace("\ufffd" * 6, "")
    assert "\n," not in contents  # the author line does not open on a comma


def test_only_characters_that_show_are_drawn_as_the_replacement():
    assert fonts.visible("王 Ada\u200d\u00ad") == "\ufffd Ada\u200d\u00ad"  # a joiner or soft hyphen may vanish
    assert fonts.visible("Zoë Ørsted") == "Zoë Ørsted"


def test_whitespace_only_name_is_a_clear_error(tmp_path: Path):
    project = _project(tmp_path / "p", ["T1", "T2"], [[{"name": "   "}], [{"name": "Ada"}]], [None, None])
    with pytest.raises(ProjectFileError) as info:
        build_project(project)
    assert "camera_ready/papers.yaml: [0] (id 1).authors[0].name:" in info.value.problems[0]


def test_paper_ids_beyond_ascii_keep_their_contents_links(tmp_path: Path, tex_papers):
    """A paper id with a dash, a euro sign or a letter outside Latin-1 goes through the contents' placeholders and
    comes back: the volume verifies, and each contents link lands on its paper's first page."""
    from tests.texarticles import make_tex_project

    project = make_tex_project(tmp_path / "p", {"a": tex_papers["clean"], "b": tex_papers["number-p1"]})
    papers = project / "camera_ready" / "papers.yaml"
    entries = yaml.safe_load(papers.read_text(encoding="utf-8"))
    entries[0]["id"], entries[1]["id"] = "A–1€", "Ω-2"
    papers.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = build_project(project)  # verify reads every contents link back: a lost one is a BuildError
    assert [p.paper.id for p in result.plan.papers] == ["A–1€", "Ω-2"]
    volume = PdfReader(project / "build" / "proceedings.pdf")
    index_of = {page.indirect_reference.idnum: i for i, page in enumerate(volume.pages)}
    targets = {index_of.get(annot.get_object()["/Dest"][0].idnum)
               for i in range(result.volume.front_pages) for annot in volume.pages[i].get("/Annots") or []
               if "/Dest" in annot.get_object()}
    assert {p.first_index for p in result.volume.papers} <= targets


def test_a_missing_mark_is_warned_as_left_out_not_as_the_replacement():
    """A variation selector or a combining mark the fonts lack prints as nothing (:func:`fonts.visible` keeps it):
    the warning says so, and says U+FFFD only of what is drawn as it."""
    from types import SimpleNamespace

    from proceedings.typeset.glyphs import check_glyphs

    workshop = SimpleNamespace(title="Love \u2764\ufe0f 王", acronym="", conference="", location="", publisher="",
                               copyright="", editors=[])
    project = SimpleNamespace(workshop=workshop, organizers=[], committee=[], preface="", papers=[], program=[],
                              sponsors=[])
    warned: list[str] = []
    check_glyphs(project, SimpleNamespace(warn=warned.append))
    assert fonts.missing_glyphs("\ufe0f") and fonts.visible("\ufe0f") == "\ufe0f"
    shown = [w for w in warned if "U+738B" in w]
    lost = [w for w in warned if "U+FE0F" in w]
    assert len(shown) == 1 and "\ufffd" in shown[0] and "U+FE0F" not in shown[0]
    assert len(lost) == 1 and "leaves it out" in lost[0] and "\ufffd" not in lost[0]

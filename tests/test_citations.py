"""build/proceedings.bib and build/citations/ID.{bib,ris,json,txt}, read back by real clients."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import bibtexparser
import pytest
import yaml
from bibtexparser.middlewares import LatexDecodingMiddleware
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from proceedings.export.citations import (
    FORMATS,
    citation_files,
    citation_keys,
    render_bibliography,
    render_citation,
    volume_key,
    write_citations,
)
from proceedings.export.latex import clean
from proceedings.export.metadata import person_json
from proceedings.project.loading import load_project
from proceedings.project.model import Person
from proceedings.text import ascii_fold, split_suffix
from tests.conftest import bookmark_labels, build_project, copy_front_matter, shared_once, source_date
from tests.test_latex import AWKWARD, LATIN, decode, decode_names, expected_name
from tools.samples import SampleAuthor, SamplePaper, write_paper


def bib_person(person: Person) -> tuple[str, str, str]:
    """(family, given, suffix) as BibTeX splits a person of our .bib (a family-first name: one token), each
    part as BibTeX gives it back (see :func:`tests.test_latex.expected_name`: a run of spaces and no-break
    spaces with a real space in it is one space)."""
    data = person_json(person)
    family, given, suffix = (expected_name(data.get(k, "")) for k in ("family", "given", "suffix"))
    if not family:
        family, given = given, ""
    if data.get("family_first") and given:
        return expected_name(split_suffix(clean(person.name))[0]), "", suffix
    if not given and suffix:  # one token, the suffix in it
        return f"{family} {suffix}", "", ""
    return family, given, suffix

PAPERS = [
    {"id": "17",
     "title": "CLIP & LLaMA: 100% Efficient $x_1$ Retrieval #1 with {braces} ~ ^ \\ and Łódź–Übung",
     "authors": [{"name": "José María Álvarez Pérez", "family": "Álvarez Pérez"},
                 {"name": "Pieter van der Berg", "family": "van der Berg"},
                 {"name": "Łukasz Żółć"}],
     "abstract": "We study $ & % _ # { } ~ ^ \\ in abstracts.\n\nA second paragraph.",
     "keywords": ["CLIP", "efficiency & speed"],
     "doi": "10.1145/3701716.3717001"},
    {"id": "ab-2",
     "title": "Nguyễn's “Quoted” ‘Thing’ -- a Study of Ærøskøbing (Ça, Ğ, Ő)",
     "authors": [{"name": "Nguyễn Thị Minh Khai", "family": "Nguyễn"},
                 {"name": "Søren Kierkegaard"},
                 {"name": "R$ch & Co_% #1 {x} ~y ^z \\w", "family": "\\w"},
                 {"name": "Ann And Bob", "family": "And Bob"},
                 {"name": "John Smith, Jr.", "family": "Smith, Jr."}],
     "url": "https://example.org/papers/ab-2?x=1&y=50%25#top"},
    {"id": "3", "title": "Efficient Retrieval", "authors": [{"name": "José María Álvarez Pérez", "family": "Álvarez Pérez"}]},
    {"id": "4", "title": "Efficient Retrieval Again",
     "authors": [{"name": "José María Álvarez Pérez", "family": "Álvarez Pérez"}], "doi": "10.1145/3701716.3717004"},
]
PAGES = {"17": 5, "ab-2": 6, "3": 5, "4": 7}


def make_citation_project(dest: Path, papers: list[dict] = PAPERS) -> Path:
    """A project with the repository's front matter and small sample PDFs."""
    copy_front_matter(dest / "front_matter")
    camera = dest / "camera_ready"
    camera.mkdir(parents=True)
    entries = []
    for i, paper in enumerate(papers):
        entry = dict(paper, file=f"paper-{i}.pdf")
        body = PAGES.get(paper["id"], 5) - 1
        write_paper(camera / entry["file"], SamplePaper(f"Sample paper {i}", authors=(SampleAuthor("Ada Lovelace"),),
                                                        body_pages=body, ref_pages=1, seed=i))
        entries.append(entry)
    (camera / "papers.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    """The citation project, built once for the whole run (xdist workers included); tests that change it copy it."""
    def make(folder: Path):
        root = make_citation_project(folder)
        with source_date():
            return root, build_project(root)

    return shared_once(tmp_path_factory, "citations", make)


@pytest.fixture(scope="module")
def meta(built):
    root, _ = built
    return json.loads((root / "build" / "metadata.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def library(built):
    root, _ = built
    lib = bibtexparser.parse_string((root / "build" / "proceedings.bib").read_text(encoding="utf-8"))
    assert not lib.failed_blocks, [b.error for b in lib.failed_blocks]
    return lib


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", clean(text))


def parse_ris(text: str) -> list[dict[str, list[str]]]:
    """RIS records as tag → values; every line must be ``XX  - value``."""
    records, current = [], None
    for line in text.splitlines():
        match = re.fullmatch(r"([A-Z][A-Z0-9])  - (.*)", line)
        assert match, f"not a RIS line: {line!r}"
        tag, value = match.groups()
        if tag == "TY":
            current = {}
        assert current is not None, "record does not start with TY"
        if tag == "ER":
            records.append(current)
            current = None
            continue
        current.setdefault(tag, []).append(value)
    assert current is None, "record without ER"
    return records


# --------------------------------------------------------------------------- proceedings.bib


def test_build_writes_every_citation_file(built, meta):
    root, result = built
    assert result.outputs["bibtex"] == root / "build" / "proceedings.bib"
    for paper in meta["papers"]:
        for ext in FORMATS.values():
            assert (root / "build" / "citations" / f"{paper['id']}.{ext}").is_file()


def test_bib_has_one_proceedings_and_one_inproceedings_per_paper(library, meta):
    types = [e.entry_type for e in library.entries]
    assert types == ["proceedings"] + ["inproceedings"] * len(meta["papers"])


def test_bib_titles_and_names_decode_to_papers_yaml_exactly(built, library):
    root, _ = built
    project = load_project(root)
    entries = library.entries[1:]
    for paper, entry in zip(project.papers, entries, strict=True):
        assert decode(entry["title"]) == paper.title
        assert decode_names(entry["author"], jr=True) == [bib_person(a) for a in paper.authors]
        assert decode_names(entry["editor"], jr=True) == [bib_person(e) for e in project.workshop.editors]


def test_bib_decodes_with_bibtexparsers_own_latex_middleware(built):
    root, _ = built
    lib = bibtexparser.parse_string((root / "build" / "proceedings.bib").read_text(encoding="utf-8"),
                                    append_middleware=[LatexDecodingMiddleware()])
    assert not lib.failed_blocks
    assert [e["title"] for e in lib.entries[1:]] == [p["title"] for p in PAPERS]
    assert lib.entries[1]["abstract"] == "We study $ & % _ # { } ~ ^ \\ in abstracts. A second paragraph."
    assert lib.entries[1]["keywords"] == "CLIP, efficiency & speed"


def test_bib_volume_entry(library, meta):
    volume = library.entries[0]
    assert volume.key == "erelmir2025"
    assert decode(volume["title"]) == ("Proceedings of the 1st Workshop on Efficient Representation Learning "
                                       "for Multimodal Information Retrieval")
    assert volume["booktitle"] == volume["title"]
    assert "author" not in volume.fields_dict, "editors are editors, never authors"
    assert decode_names(volume["editor"])[0] == ("Fu", "Junchen")
    assert decode_names(volume["editor"])[-1] == ("Jose", "Joemon M.")
    assert volume["publisher"] == "ACM"
    assert volume["address"] == "New York, NY, USA"
    assert volume["year"] == "2025"
    assert volume["month"] == "apr"
    assert volume["city"] == volume["venue"] == "Sydney, NSW, Australia"
    assert volume["eventdate"] == "2025-04-28/2025-04-29"
    assert volume["series"] == "{EReL@MIR} '25"


def test_bib_names_are_family_comma_given(built):
    root, _ = built
    text = (root / "build" / "proceedings.bib").read_text(encoding="utf-8")
    assert r"author    = {{\'A}lvarez P{\'e}rez, Jos{\'e} Mar{\'i}a and van der Berg, Pieter and " \
           r"{\.Z}{\'o}{\l}{\'c}, {\L}ukasz}," in text
    assert r"{And} Bob, Ann" in text
    assert r"Smith, Jr., John" in text
    assert r"{Nguyễn Thị Minh Khai} and" in text  # family first: one token, printed as written


def test_bib_protects_capitals(library):
    title = library.entries[1]["title"]
    assert title.startswith(r"{CLIP} \& {LLaMA}: 100\% Efficient \$x\_1\$ Retrieval \#1 with ")


def test_bib_papers_fields(library, meta):
    for paper, entry in zip(meta["papers"], library.entries[1:], strict=True):
        assert entry["pages"] == f"{paper['first_page']}--{paper['last_page']}"
        assert entry["numpages"] == str(paper["last_page"] - paper["first_page"] + 1)
        assert entry["year"] == "2025" and entry["month"] == "apr"
        assert entry["publisher"] == "ACM" and entry["address"] == "New York, NY, USA"
        assert decode(entry["booktitle"]).startswith("Proceedings of the 1st Workshop on Efficient")
        assert entry.fields_dict.get("doi") is None or entry["doi"] == paper["doi"]
    assert library.entries[1]["doi"] == "10.1145/3701716.3717001"
    assert library.entries[2]["url"] == "https://example.org/papers/ab-2?x=1&y=50%25#top"


def test_keys_are_ascii_readable_unique_and_stable(library, meta):
    keys = [e.key for e in library.entries]
    assert keys == ["erelmir2025", "alvarezperez2025clip", "nguyen2025nguyen", "alvarezperez2025efficient",
                    "alvarezperez2025efficient-2"]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"[a-z0-9-]+", k) for k in keys)
    assert citation_keys(meta) == citation_keys(json.loads(json.dumps(meta)))


def test_per_paper_bib_is_the_entry_of_proceedings_bib(built, meta):
    root, _ = built
    whole = (root / "build" / "proceedings.bib").read_text(encoding="utf-8")
    for paper in meta["papers"]:
        one = (root / "build" / "citations" / f"{paper['id']}.bib").read_text(encoding="utf-8")
        entry = one[one.index("@inproceedings{"):]
        assert entry in whole and (one == entry or one.startswith("@preamble{"))
        lib = bibtexparser.parse_string(one)
        assert not lib.failed_blocks and len(lib.entries) == 1


# --------------------------------------------------------------------------- pages agree everywhere


def test_pages_in_every_export_equal_metadata_and_the_volume(built, meta):
    root, _ = built
    volume = PdfReader(root / "build" / "proceedings.pdf")
    labels = volume.page_labels
    bookmarks = bookmark_labels(volume)
    folder = root / "build" / "citations"
    for paper in meta["papers"]:
        first, last = paper["first_page"], paper["last_page"]
        assert last - first + 1 == PAGES[paper["id"]]
        assert bookmarks[paper["title"]] == str(first), "the volume's bookmark (table of contents) page"
        assert str(last) in labels and labels.index(str(last)) - labels.index(str(first)) == last - first
        bib = bibtexparser.parse_string((folder / f"{paper['id']}.bib").read_text(encoding="utf-8")).entries[0]
        assert bib["pages"] == f"{first}--{last}"
        (ris,) = parse_ris((folder / f"{paper['id']}.ris").read_text(encoding="utf-8"))
        assert ris["SP"] == [str(first)] and ris["EP"] == [str(last)]
        (csl,) = json.loads((folder / f"{paper['id']}.json").read_text(encoding="utf-8"))
        assert csl["page"] == f"{first}-{last}" and csl["page-first"] == str(first)
        acm = (folder / f"{paper['id']}.txt").read_text(encoding="utf-8")
        assert f", {last - first + 1} pages." in acm


# --------------------------------------------------------------------------- RIS, CSL-JSON, ACM


def test_ris_record(built, meta):
    root, _ = built
    text = (root / "build" / "citations" / "17.ris").read_text(encoding="utf-8")
    assert text.startswith("TY  - CONF\n") and text.endswith("ER  - \n")
    (rec,) = parse_ris(text)
    assert rec["TI"] == [PAPERS[0]["title"]]
    assert rec["AU"] == ["Álvarez Pérez, José María", "van der Berg, Pieter", "Żółć, Łukasz"]
    assert rec["A2"][0] == "Fu, Junchen" and len(rec["A2"]) == 8
    assert rec["T2"] == ["Proceedings of the 1st Workshop on Efficient Representation Learning for Multimodal "
                         "Information Retrieval"]
    assert rec["PY"] == ["2025"] and rec["DA"] == ["2025/04/28"]
    assert rec["PB"] == ["ACM"] and rec["CY"] == ["New York, NY, USA"]
    assert rec["DO"] == ["10.1145/3701716.3717001"]
    assert rec["KW"] == ["CLIP", "efficiency & speed"]
    assert rec["AB"] == ["We study $ & % _ # { } ~ ^ \\ in abstracts. A second paragraph."]


def test_csl_json_item(built):
    root, _ = built
    (item,) = json.loads((root / "build" / "citations" / "17.json").read_text(encoding="utf-8"))
    assert item["type"] == "paper-conference"
    assert item["id"] == "alvarezperez2025clip"
    assert item["title"] == PAPERS[0]["title"]
    assert item["author"] == [{"family": "Álvarez Pérez", "given": "José María"},
                              {"family": "Berg", "non-dropping-particle": "van der", "given": "Pieter"},
                              {"family": "Żółć", "given": "Łukasz"}]
    assert item["editor"][0] == {"family": "Fu", "given": "Junchen"}
    assert item["container-title"].startswith("Proceedings of the 1st Workshop")
    assert item["issued"] == {"date-parts": [[2025, 4, 28]]}
    assert item["publisher"] == "ACM" and item["publisher-place"] == "New York, NY, USA"
    assert item["DOI"] == "10.1145/3701716.3717001"
    (other,) = json.loads((root / "build" / "citations" / "ab-2.json").read_text(encoding="utf-8"))
    assert other["URL"] == PAPERS[1]["url"] and "DOI" not in other


def test_acm_reference_format(built, meta):
    root, _ = built
    text = (root / "build" / "citations" / "17.txt").read_text(encoding="utf-8")
    assert text == (
        "José María Álvarez Pérez, Pieter van der Berg, and Łukasz Żółć. 2025. " + PAPERS[0]["title"] + ". "
        "In Proceedings of the 1st Workshop on Efficient Representation Learning for Multimodal Information "
        "Retrieval (EReL@MIR ’25), April 28–29, 2025, Sydney, NSW, Australia. ACM, New York, NY, USA, 5 pages. "
        "https://doi.org/10.1145/3701716.3717001\n")
    single = (root / "build" / "citations" / "3.txt").read_text(encoding="utf-8")
    assert single.startswith("José María Álvarez Pérez. 2025. Efficient Retrieval. In Proceedings of the 1st ")


def test_exports_are_deterministic(built, meta, tmp_path):
    root, _ = built
    write_citations(meta, tmp_path)
    for path in [tmp_path / "proceedings.bib", *sorted((tmp_path / "citations").iterdir())]:
        assert path.read_bytes() == (root / "build" / path.relative_to(tmp_path)).read_bytes(), path.name


def test_stale_citation_files_are_removed_and_the_chairs_own_kept(meta, tmp_path):
    (tmp_path / "citations").mkdir()
    own = {"refs.bib": "@misc{mine}", "notes.md": "kept"}  # --out into a folder with citations of the chair's
    for name, text in own.items():
        (tmp_path / "citations" / name).write_text(text, encoding="utf-8")
    write_citations(meta, tmp_path)
    fewer = {**meta, "papers": meta["papers"][:-1]}  # the last paper leaves the volume
    gone = set(citation_files(meta)) - set(citation_files(fewer))
    assert len(gone) == 4 and all((tmp_path / rel).is_file() for rel in gone)
    write_citations(fewer, tmp_path)
    assert not any((tmp_path / rel).exists() for rel in gone)
    for name, text in own.items():
        assert (tmp_path / "citations" / name).read_text(encoding="utf-8") == text


# --------------------------------------------------------------------------- proceedings cite


def cite(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "proceedings", "cite", *args], capture_output=True, timeout=300,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1745798400"})


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_cite_prints_the_file(built, fmt):
    root, _ = built
    done = cite("ab-2", "--project", str(root), "--format", fmt)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == (root / "build" / "citations" / f"ab-2.{FORMATS[fmt]}").read_bytes()


def test_cite_unknown_id_exits_2_listing_known_ids(built):
    root, _ = built
    done = cite("99", "--project", str(root))
    assert done.returncode == 2
    err = done.stderr.decode()
    assert "99" in err and "17, ab-2, 3, 4" in err and "Traceback" not in err
    assert done.stdout == b""


def test_cite_reads_current_metadata_and_rebuilds_stale(built, tmp_path):
    root, _ = built
    copy = tmp_path / "project"
    shutil.copytree(root, copy)
    # current: the pages come from build/metadata.json as it is (no rebuild)
    meta_path = copy / "build" / "metadata.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["papers"][1]["first_page"], meta["papers"][1]["last_page"] = 101, 106
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    done = cite("ab-2", "--project", str(copy), "--format", "ris")
    assert b"SP  - 101\n" in done.stdout
    # stale: a camera-ready file changed, so the volume is built again first
    camera = copy / "camera_ready"
    write_paper(camera / "paper-0.pdf", SamplePaper("Longer", authors=(SampleAuthor("Ada Lovelace"),),
                                                    body_pages=7, ref_pages=1))
    done = cite("ab-2", "--project", str(copy), "--format", "ris")
    assert done.returncode == 0, done.stderr.decode()
    (rec,) = parse_ris(done.stdout.decode())
    assert rec["SP"] == ["9"] and rec["EP"] == ["14"]
    fresh = json.loads(meta_path.read_text(encoding="utf-8"))
    assert fresh["papers"][1]["first_page"] == 9
    assert done.stdout == (copy / "build" / "citations" / "ab-2.ris").read_bytes()


def test_cite_after_title_edit_rebuilds(built, tmp_path):
    root, _ = built
    copy = tmp_path / "project"
    shutil.copytree(root, copy)
    papers_yaml = copy / "camera_ready" / "papers.yaml"
    papers_yaml.write_text(papers_yaml.read_text(encoding="utf-8").replace("Efficient Retrieval Again",
                                                                          "Efficient Retrieval, Revisited"),
                           encoding="utf-8")
    done = cite("4", "--project", str(copy), "--format", "acm")
    assert done.returncode == 0, done.stderr.decode()
    assert b"Efficient Retrieval, Revisited." in done.stdout


# --------------------------------------------------------------------------- properties over every export

text = st.lists(st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(AWKWARD),
                          st.sampled_from(LATIN)), min_size=1, max_size=25).map("".join)
person = st.builds(lambda name, family: (name, family), text, st.one_of(st.none(), text))


def fake_metadata(title: str, people: list[Person]) -> dict:
    return {
        "volume": {"title": "The 1st Workshop on Tests", "acronym": "T@W '25", "location": "Sydney, Australia",
                   "start_date": "2025-04-28", "year": 2025, "publisher": "ACM",
                   "publisher_address": "New York, NY, USA", "editors": [p.name for p in people],
                   "editors_detail": [person_json(p) for p in people]},
        "papers": [{"id": "1", "title": title, "authors": [p.name for p in people],
                    "authors_detail": [person_json(p) for p in people], "first_page": 3, "last_page": 9,
                    "abstract": title, "keywords": [title]}],
    }


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(text, st.lists(person, min_size=1, max_size=3))
@example("0", [("0", "0 \u00a00")])  # found by hypothesis: a space and a no-break space meet in a family name
@example("0", [("0,V", None)])  # found by hypothesis: a suffix without given names ("Sukarno, Jr.")
def test_every_export_parses_back(title, raw_people):
    people = []
    for name, family in raw_people:
        try:
            p = Person(name=name, family=family)
        except ValueError:
            continue
        if clean(p.family_name):
            people.append(p)
    if not people or not clean(title):
        return
    meta = fake_metadata(title, people)
    # BibTeX
    lib = bibtexparser.parse_string(render_bibliography(meta))
    assert not lib.failed_blocks
    assert [e.key for e in lib.entries] == [volume_key(meta), citation_keys(meta)["1"]]
    assert all(k.isascii() for k in (e.key for e in lib.entries))
    entry = lib.entries[1]
    assert decode(entry["title"]) == nfc(title)
    assert decode(entry["abstract"]) == nfc(title)
    assert decode_names(entry["author"], jr=True) == [bib_person(p) for p in people]
    assert decode_names(lib.entries[0]["editor"], jr=True) == [bib_person(p) for p in people]
    assert entry["pages"] == "3--9"
    # RIS
    (rec,) = parse_ris(render_citation(meta, "1", "ris"))
    assert rec["TI"] == [clean(title)] and rec["SP"] == ["3"] and rec["EP"] == ["9"]
    parts = [[clean(x) for x in (p.family_name, p.given_names, p.name_suffix)] for p in people]
    parts = [[g, "", s] if not f else [f, g, s] for f, g, s in parts]
    assert rec["AU"] == [", ".join(x for x in part if x) for part in parts]
    # CSL-JSON
    (item,) = json.loads(render_citation(meta, "1", "csl-json"))
    assert item["title"] == clean(title) and item["page"] == "3-9"
    assert [(" ".join(x for x in (a.get("non-dropping-particle"), a["family"]) if x), a.get("given", ""),
             a.get("suffix", "")) for a in item["author"]] == [tuple(part) for part in parts]
    # ACM Reference Format: one line of text naming everyone, the title and the pages
    acm = render_citation(meta, "1", "acm")
    assert acm.endswith(", 7 pages.\n") and acm.count("\n") == 1
    assert clean(title).replace("'", "’") in acm and all(clean(p.name).replace("'", "’") in acm for p in people)


# --------------------------------------------------------------------------- classic BibTeX + pdflatex

STYLES = ["plain", "abbrv", "alpha", "unsrt", "ieeetr", "acm", "siam", "apalike", "plainnat"]


def _tex_ok() -> str | None:
    missing = [tool for tool in ("pdflatex", "bibtex", "kpsewhich") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not installed (apt-get install texlive-latex-base)"
    return None


@pytest.mark.skipif(_tex_ok() is not None, reason=_tex_ok() or "")
@pytest.mark.parametrize("style", STYLES)
def test_pdflatex_and_bibtex_print_every_entry_without_warnings(built, meta, tmp_path, style):
    root, _ = built
    if subprocess.run(["kpsewhich", f"{style}.bst"], capture_output=True).returncode != 0:
        pytest.skip(f"{style}.bst is not installed")
    times = subprocess.run(["kpsewhich", "times.sty"], capture_output=True).returncode == 0
    natbib = style == "plainnat"
    shutil.copyfile(root / "build" / "proceedings.bib", tmp_path / "refs.bib")
    (tmp_path / "doc.tex").write_text("\n".join([
        r"\documentclass{article}",
        r"\usepackage[T1]{fontenc}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage{times}" if times else "",
        r"\usepackage{natbib}" if natbib else "",
        r"\usepackage{url}",
        r"\begin{document}",
        r"\nocite{*}",
        rf"\bibliographystyle{{{style}}}",
        r"\bibliography{refs}",
        r"\end{document}",
    ]) + "\n", encoding="utf-8")

    def run(*cmd: str) -> subprocess.CompletedProcess:
        return subprocess.run(cmd, cwd=tmp_path, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)

    latex = ("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex")
    assert run(*latex).returncode == 0, (tmp_path / "doc.log").read_text(errors="replace")[-3000:]
    bibtex = run("bibtex", "doc")
    blg = (tmp_path / "doc.blg").read_text(errors="replace")
    assert bibtex.returncode == 0, blg
    assert "Warning--" not in blg and "error message" not in blg, blg
    # one pass after bibtex typesets the whole bibliography: a third would only resolve citations in the text
    # (there are none, \nocite{*}) and prints the same page; what is asserted below is all in this pass
    done = run(*latex)
    assert done.returncode == 0, (tmp_path / "doc.log").read_text(errors="replace")[-3000:]
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert "Missing character" not in log and "! " not in log
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    assert bbl.count(r"\bibitem") == len(meta["papers"]) + 1
    if not times or style not in ("plain", "unsrt"):
        return
    # what a reader sees: special characters printed as themselves, capitals kept
    printed = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(tmp_path / "doc.pdf").pages))
    printed = printed.replace("- ", "-")  # hyphenation at line ends
    assert "CLIP & LLaMA: 100% efficient $x_1$ retrieval #1 with {braces} ~ ^ \\ and" in printed
    assert "R$ch & Co_% #1 {x} ~y ^z \\w" in printed
    assert "John Smith, Jr." in printed and "Ann And Bob" in printed

    def fold(s: str) -> str:  # accents are drawn apart from their letters in the PDF's text; titles lower-cased
        s = "".join(c for c in unicodedata.normalize("NFKD", s) if unicodedata.category(c) not in ("Mn", "Sk"))
        return re.sub(r"[^a-z0-9]", "", ascii_fold(s).casefold())

    for name in ("José María Álvarez Pérez", "Pieter van der Berg", "Łukasz Żółć", "Nguyễn Thị Minh Khai",  # family first: as written
                 "Søren Kierkegaard", "Ærøskøbing (Ça, Ğ, Ő)"):
        assert fold(name) in fold(printed), name


def test_cite_after_end_date_edit_prints_the_new_dates(built, tmp_path):
    root, _ = built
    copy = tmp_path / "project"
    shutil.copytree(root, copy)
    workshop = copy / "front_matter" / "workshop.yaml"
    workshop.write_text(workshop.read_text(encoding="utf-8").replace("end_date: 2025-04-29", "end_date: 2025-05-01"),
                        encoding="utf-8")
    done = cite("4", "--project", str(copy), "--format", "acm")
    assert done.returncode == 0, done.stderr.decode()
    assert "(EReL@MIR ’25), April 28–May 1, 2025, Sydney, NSW, Australia." in done.stdout.decode()
    meta = json.loads((copy / "build" / "metadata.json").read_text(encoding="utf-8"))
    assert meta["volume"]["end_date"] == "2025-05-01"
    (item,) = json.loads((copy / "build" / "citations" / "4.json").read_text(encoding="utf-8"))
    assert item["event-date"] == {"date-parts": [[2025, 4, 28], [2025, 5, 1]]}
    assert "eventdate = {2025-04-28/2025-05-01}" in (copy / "build" / "citations" / "4.bib").read_text(encoding="utf-8")


def test_a_volume_published_after_its_event_keeps_the_event_dates(built, tmp_path):
    """The event's dates are the workshop's, the citation's date the day of publication: biblatex printed "May 15–Apr.
    29, 2025" from an eventdate that began on the publication day."""
    root, _ = built
    copy = tmp_path / "project"
    shutil.copytree(root, copy)
    workshop = copy / "front_matter" / "workshop.yaml"
    workshop.write_text(workshop.read_text(encoding="utf-8") + "publication_date: 2025-05-15\n", encoding="utf-8")
    done = cite("4", "--project", str(copy), "--format", "csl-json")
    assert done.returncode == 0, done.stderr.decode()
    (item,) = json.loads(done.stdout.decode())
    assert item["event-date"] == {"date-parts": [[2025, 4, 28], [2025, 4, 29]]}
    assert item["issued"] == {"date-parts": [[2025, 5, 15]]}
    bib = (copy / "build" / "citations" / "4.bib").read_text(encoding="utf-8")
    assert "eventdate = {2025-04-28/2025-04-29}" in bib and "month     = may" in bib


def test_name_parts_in_every_format(tmp_path):
    people = [Person(name="Martin Luther King, Jr."), Person(name="Pieter van der Berg"),
              Person(name="Nguyễn Thị Minh Khai", family="Nguyễn"), Person(name="Madonna"),
              Person(name="Ann Smith", suffix="III")]
    meta = fake_metadata("A Title", people)
    bib = render_citation(meta, "1", "bibtex")
    assert ("author    = {King, Jr., Martin Luther and van der Berg, Pieter and {Nguyễn Thị Minh Khai} and "
            "{Madonna} and Smith, III, Ann}") in bib
    (rec,) = parse_ris(render_citation(meta, "1", "ris"))
    assert rec["AU"] == ["King, Martin Luther, Jr.", "van der Berg, Pieter", "Nguyễn, Thị Minh Khai", "Madonna",
                         "Smith, Ann, III"]
    (item,) = json.loads(render_citation(meta, "1", "csl-json"))
    assert item["author"] == [
        {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
        {"family": "Berg", "given": "Pieter", "non-dropping-particle": "van der"},
        {"family": "Nguyễn", "given": "Thị Minh Khai", "static-ordering": True},  # printed family first, as written
        {"family": "Madonna"}, {"family": "Smith", "given": "Ann", "suffix": "III"}]
    acm = render_citation(meta, "1", "acm")
    assert acm.startswith("Martin Luther King, Jr., Pieter van der Berg, Nguyễn Thị Minh Khai, Madonna, and "
                          "Ann Smith, III. 2025. A Title. In Proceedings of the 1st Workshop on Tests (T@W ’25), "
                          "April 28, 2025, Sydney, Australia. ACM, New York, NY, USA, 7 pages.")


@pytest.mark.parametrize(("person", "family", "given", "suffix", "first"), [
    (Person(name="Martin Luther King, Jr."), "King", "Martin Luther", "Jr.", False),
    (Person(name="Martin Luther King Jr."), "King", "Martin Luther", "Jr.", False),
    (Person(name="John Henry Smith, III", family="Smith"), "Smith", "John Henry", "III", False),
    (Person(name="Ann Smith", suffix="Sr."), "Smith", "Ann", "Sr.", False),
    (Person(name="Pieter van der Berg"), "van der Berg", "Pieter", "", False),
    (Person(name="Jean de La Fontaine"), "de La Fontaine", "Jean", "", False),
    (Person(name="Ludwig van Beethoven"), "van Beethoven", "Ludwig", "", False),
    (Person(name="Madonna"), "Madonna", "", "", False),
    (Person(name="Nguyễn Thị Minh Khai", family="Nguyễn"), "Nguyễn", "Thị Minh Khai", "", True),
    (Person(name="Álvarez y Pérez, José", family="Álvarez y Pérez"), "Álvarez y Pérez", "José", "", True),
])
def test_name_parts_from_the_model(person, family, given, suffix, first):
    data = person_json(person)
    assert (data["family"], data["given"], data.get("suffix", ""), data.get("family_first", False)) == (
        family, given, suffix, first)


def test_a_title_before_a_name_is_cited_without_it():
    """"Prof. Dr. Hans Müller" is cited as Hans Müller (abbrv printed "P. D. H. Müller"), as ACM's CSV and Crossref
    keep the titles out of the given names; the name as printed keeps them."""
    from proceedings.export.names import bibtex, people, person_fields

    fields = person_fields("Prof. Dr. Hans Müller", None, None)
    assert (fields["family"], fields["given"]) == ("Müller", "Hans")
    person = people([{"name": "Prof. Dr. Hans Müller", **fields}], None)[0]
    assert bibtex(person) == "M{\\\"u}ller, Hans" and person.printed == "Prof. Dr. Hans Müller"
    assert person_fields("Dr. Ali Veli", "Ali Veli", None)["given"] == "Dr."  # the only word before: a given name

"""The .bib, compiled by the clients readers use, and the other exports read by theirs.

One session fixture builds the repository's project and a nasty one (particles, a suffix, a single
name, Vietnamese, CJK/Greek/Cyrillic/Arabic names, LaTeX specials in a title) with the real
pipeline, then compiles a document citing both .bib files with each client: pdflatex + bibtex
(acmart + ACM-Reference-Format; article + plain) and pdflatex + biber + biblatex (ieee or numeric;
authoryear). The tests read what is printed (pdftotext) and the logs.
"""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from proceedings.text import ascii_fold
from tests.conftest import build_project, copy_front_matter, shared_once
from tests.texclients import CLIENTS, compile_bib, missing
from tools.samples import SampleAuthor, SamplePaper, write_paper

_MISSING = missing()  # asked once: it runs kpsewhich for each file it needs
pytestmark = [pytest.mark.slow, pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")]

NASTY_PAPERS = [
    {"id": "n1", "title": "CLIP-Based $k$-NN & 100% Recall_at_10 #1 {x} ~ ^ \\ Search: does It Work? Evaluating α-Blending",
     "authors": [{"name": "Martin Luther King, Jr."}, {"name": "Pieter van der Berg"},
                 {"name": "Jean de La Fontaine"}, {"name": "Madonna"}, {"name": "Sukarno, Jr."}]},
    {"id": "n2", "title": "Học sâu cho Tiếng Việt: “Quoted” Ideas on Ảnh and Sơn",
     "authors": [{"name": "Nguyễn Thị Minh Khai", "family": "Nguyễn"}, {"name": "Trần Quốc Bảo", "family": "Trần"},
                 {"name": "Phạm Sơn Tùng", "family": "Phạm"}, {"name": "Jiří Dvořák"}, {"name": "María García"},
                 {"name": "Ngô Bảo Châu", "family": "Ngô"}]},
    {"id": "n3", "title": "Retrieval in Many Scripts",
     "authors": [{"name": "李明", "family": "李"}, {"name": "Δημήτρης Παπαδόπουλος"},
                 {"name": "Дмитрий Иванов"}, {"name": "Анна-Мария Петрова"}, {"name": "محمد علي"},
                 {"name": "Ada Lovelace"}]},
]


def _nasty_project(dest: Path) -> Path:
    copy_front_matter(dest / "front_matter")
    workshop = yaml.safe_load((dest / "front_matter" / "workshop.yaml").read_text(encoding="utf-8"))
    workshop.update(acronym="N@STY '26", location="Hội An, Quảng Nam, Việt Nam",
                    start_date="2026-05-30", end_date="2026-06-01")
    (dest / "front_matter" / "workshop.yaml").write_text(yaml.safe_dump(workshop, allow_unicode=True),
                                                         encoding="utf-8")
    camera = dest / "camera_ready"
    camera.mkdir()
    for i, paper in enumerate(NASTY_PAPERS):
        paper["file"] = f"n{i}.pdf"
        write_paper(camera / paper["file"], SamplePaper(f"Sample {i}", authors=(SampleAuthor("Ada Lovelace"),),
                                                        body_pages=4, ref_pages=1, seed=i))
    (camera / "papers.yaml").write_text(yaml.safe_dump(NASTY_PAPERS, allow_unicode=True, sort_keys=False),
                                        encoding="utf-8")
    return dest


def _refs(folder: Path, *bibs: Path) -> Path:
    """One .bib of several (bibtex and biber read one file as well as two)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "all.bib").write_text("\n".join(b.read_text(encoding="utf-8") for b in bibs), encoding="utf-8")
    return folder / "all.bib"


def _acm_first_page(folder: Path, meta: dict, paper: dict) -> str:
    """The "ACM Reference Format" block acmart prints on the first page of ``paper``, as a reader sees it."""
    volume = meta["volume"]
    folder.mkdir(parents=True, exist_ok=True)
    start, end = volume["start_date"], volume["end_date"]
    dates = f"April {int(start[8:])}--{int(end[8:])}, {start[:4]}"  # as the paper's author writes it
    booktitle = (f"Proceedings of the {volume['title'].removeprefix('The ')} ({volume['acronym']}), {dates}, "
                 f"{volume['location']}")
    authors = "\n".join(rf"\author{{{a['name']}}}\affiliation{{\institution{{U}}\country{{C}}}}"
                        for a in paper["authors_detail"])
    pages = r"\clearpage\null" * (paper["last_page"] - paper["first_page"])
    (folder / "paper.tex").write_text("\n".join([
        r"\documentclass[sigconf]{acmart}",
        rf"\acmConference[{volume['acronym']}]{{{volume['title']}}}{{{dates}}}{{{volume['location']}}}",
        rf"\acmBooktitle{{{booktitle}}}", rf"\acmDOI{{{paper['doi']}}}", r"\acmYear{2025}", r"\setcopyright{none}",
        rf"\title{{{paper['title']}}}", authors, r"\begin{document}", r"\maketitle", "Text.", pages,
        r"\end{document}"]) + "\n", encoding="utf-8")
    for _ in range(2):
        subprocess.run(["pdflatex", "-interaction=nonstopmode", "paper.tex"], cwd=folder, capture_output=True,
                       timeout=240, stdin=subprocess.DEVNULL, check=False)
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-l", "1", "paper.pdf", "-"], cwd=folder,
                          capture_output=True, text=True, check=False)
    text = re.sub(r"\s+", " ", done.stdout)
    match = re.search(r"ACM Reference Format: (.*?https://doi\.org/\S+)", text)
    assert match, text
    return match.group(1)


@pytest.fixture(scope="session")
def printed(tmp_path_factory: pytest.TempPathFactory, repo_build):
    """Both projects built, and what each client prints of their .bib files (and acmart's own reference).

    Made once for the whole run (xdist workers included): the compiles are the costly part.
    """
    def make(root: Path) -> dict:
        repo = repo_build
        nasty = build_project(_nasty_project(root / "nasty"))
        bib = _refs(root, repo.outputs["bibtex"], nasty.outputs["bibtex"])
        paper = next(p for p in repo.metadata["papers"] if p["id"] == "1")
        with ThreadPoolExecutor(max_workers=2) as pool:
            jobs = {c: pool.submit(compile_bib, bib, root / c, c) for c in (*CLIENTS, "own-glyph", "abbrv")}
            acm = pool.submit(_acm_first_page, root / "acmart", repo.metadata, paper)
            out = {c: job.result() for c, job in jobs.items()}
            return {"clients": out, "acmart": acm.result(), "repo": repo, "nasty": nasty, "root": root}

    return shared_once(tmp_path_factory, "tex-clients", make)


def fold(text: str) -> str:
    """Letters only, accents and case dropped: constructed accents and drawn hooks come apart in pdftotext."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if unicodedata.category(c) not in ("Mn", "Sk"))
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).casefold())


def squeeze(text: str) -> str:
    """Without white space and hyphens (pdftotext joins a word hyphenated at a line end)."""
    return re.sub(r"[\s\-‐]", "", text)


@pytest.mark.parametrize("client", CLIENTS)
def test_no_errors_or_warnings_in_the_logs(printed, client):
    assert printed["clients"][client].problems == []


@pytest.mark.parametrize("client", CLIENTS)
def test_every_latin_name_printed(printed, client):
    text = fold(printed["clients"][client].text)
    for result in (printed["repo"], printed["nasty"]):
        for paper in result.metadata["papers"]:
            for person in paper["authors_detail"]:
                if not fold(person["name"]) or any(unicodedata.name(c, "").split()[0] in ("CJK", "GREEK",
                                                   "CYRILLIC", "ARABIC") for c in person["name"]):
                    continue
                if client in ("acm", "plain") or person.get("family_first"):
                    assert fold(person["name"].replace(", Jr.", " Jr.")) in text, person["name"]  # as written
                else:
                    assert fold(person["family"]) in text, person["name"]


def test_acm_style_prints_place_and_acronym(printed):
    text = printed["clients"]["acm"].text
    assert "(Sydney, NSW, Australia) (EReL@MIR ’25)" in text
    assert "Martin Luther King Jr." in text or "Martin Luther King, Jr." in text
    assert "Pieter van der Berg" in text and "Jean de La Fontaine" in text and "Madonna" in text
    assert "(N@STY ’26)" in text
    # cited author-year in the text, before the bibliography defines the fallbacks: they come from the .aux
    body = text[:text.index("REFERENCES")]
    assert fold("Nguyễn Thị Minh Khai et al. [2025]") in fold(body) and "Trần Quốc Bảo" not in body
    assert fold("Nguyễn Thị Minh Khai et al. [2025, 2026]") in fold(body)
    assert "?? et al. [2026]" in body  # 李明: no font in this document, the fallback "?", and a build warning


@pytest.mark.parametrize("client", ["biblatex", "authoryear"])
def test_biblatex_prints_place_dates_and_acronym(printed, client):
    text = printed["clients"][client].text
    assert "Sydney, NSW, Australia, Apr. 28–29, 2025" in text
    assert "EReL@MIR ’25" in text and "New York, NY, USA: ACM" in text


def test_plain_prints_sentence_case_with_acronyms_kept(printed):
    text = squeeze(printed["clients"]["plain"].text)
    for title in ("Token pruning for efficient CLIP-based text-to-image retrieval",
                  "How much does compression cost? Evaluating quantized multimodal embeddings",
                  "Matryoshka embeddings for budget-aware image search",
                  "Parameter-efficient adaptation of LLaMA representations for cross-modal retrieval",
                  "CLIP-based $k$-NN & 100% recall_at_10 #1 {x} ~ ^ \\ search: does it work? Evaluating α-blending"):
        assert squeeze(title) in text, title
    assert "EReL@MIR ’25" in printed["clients"]["plain"].text


def test_titles_keep_latex_specials_and_greek_in_every_client(printed):
    for client in CLIENTS:
        text = squeeze(unicodedata.normalize("NFKC", printed["clients"][client].text))  # math italic 𝛼 is α
        assert squeeze("$k$-NN & 100% ").casefold() + "recall_at_10#1{x}~^\\" in text.casefold(), client
        assert "α" in text, client


def test_unprintable_names_are_build_warnings_naming_paper_and_author(printed):
    warned = printed["nasty"].context_warnings
    assert any("paper n3 (Retrieval in Many Scripts): author '李明'" in w and "U+674E" in w for w in warned)
    assert any("author 'Дмитрий Иванов'" in w and "cyrillic" in w for w in warned)
    assert any("author 'محمد علي'" in w for w in warned)
    assert not any("Nguyễn" in w or "Δημήτρης" in w for w in warned)  # drawn from T1 / math fonts
    assert [w for w in printed["repo"].context_warnings if "sample" not in w] == []  # sample programme and logo


def test_a_style_abbreviating_given_names_abbreviates_every_script(printed):
    """abbrv, as IEEEtran and splncs04, abbreviates given names by their first letter: a letter of two bytes in
    UTF-8 (Д, Δ) must stay whole, or pdflatex stops at the byte left alone."""
    done = printed["clients"]["abbrv"]
    assert not done.problems, done.problems
    text = squeeze(done.text)
    assert "L.Lovelace" not in text and "A.Lovelace" in text and "J.Dvořák" in text  # given names abbreviated


def test_a_document_with_its_own_glyph_keeps_it(printed):
    own = printed["clients"]["own-glyph"]
    assert own.problems == []
    assert "B[own a-hook]o" in own.text and "Qu" + "[own a-hook]" not in own.text
    assert fold("Trần Quốc") + "bownahooko" in fold(own.text)  # the other letters still from the fallback


def test_acm_reference_text_is_what_acmart_prints(printed):
    ours = (printed["repo"].outputs["citations"] / "1.txt").read_text(encoding="utf-8").strip()
    assert squeeze(ours) == squeeze(printed["acmart"])
    assert "(EReL@MIR ’25), April 28–29, 2025, Sydney, NSW, Australia. ACM, New York, NY, USA, 7 pages." in ours


def test_csl_json_renders_with_citeproc_py(printed):
    citeproc = pytest.importorskip("citeproc")
    from citeproc.source.json import CiteProcJSON

    folder = printed["repo"].outputs["citations"]
    items = [item for path in sorted(folder.glob("*.json")) for item in json.loads(path.read_text(encoding="utf-8"))]
    style = citeproc.CitationStylesStyle("harvard-cite-them-right", validate=False)
    with warnings.catch_warnings():  # citeproc-py knows no static-ordering (CSL-JSON's, as citeproc-js honours it,
        warnings.filterwarnings("ignore", "The following arguments for Name are unsupported: static-ordering")
        source = CiteProcJSON(items)  # for a name written family first): it warns, and prints it given name first
    bibliography = citeproc.CitationStylesBibliography(style, source, citeproc.formatter.plain)
    for item in items:
        bibliography.register(citeproc.Citation([citeproc.CitationItem(item["id"])]))
    text = " ".join(str(entry) for entry in bibliography.bibliography())
    assert "Kowalczyk, Ł., van der Berg, Z. and Tanabe, H. (2025)" in text
    assert "Proceedings of the 1st Workshop on Efficient Representation Learning" in text
    assert "New York, NY, USA: ACM (EReL@MIR '25), pp. 1–7" in text
    item = next(i for i in items if i["title"].startswith("Token Pruning"))
    assert item["event-place"] == "Sydney, NSW, Australia"
    assert item["event-date"] == {"date-parts": [[2025, 4, 28], [2025, 4, 29]]}
    assert item["collection-title"] == "EReL@MIR '25" and item["publisher-place"] == "New York, NY, USA"

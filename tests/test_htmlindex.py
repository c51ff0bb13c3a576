"""build/index.html and the CEUR-WS index: valid HTML, escaped text, links that resolve, no outside resources.

A test with headless Chromium renders both pages (phone width, and printed) and checks every paper
title is drawn; the screenshots and printouts are kept under tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from proceedings.export.htmlindex import render_ceur_index, render_index, with_full_year
from tests.conftest import REPO, build_project, make_project

ARTIFACTS = REPO / "tests" / "artifacts"

TITLES = [
    'Fast <b>bold</b> & "quoted" \'single\' retrieval: Ångström, Łódź & Ça va?',
    "Plain title with 100% of {braces} $math$ and # — Ελληνικά, Кириллица",
    "Third </li></ol><script>alert(1)</script> paper",
]
AUTHORS = [
    [{"name": "Nguyễn Thị Minh Khai", "affiliation": "Đại học <Bách> & Khoa", "email": "khai@example.vn"},
     {"name": "Zoë O'Brien", "affiliation": 'The "Quoted" Institute', "email": "zoe@example.ie", "corresponding": True}],
    [{"name": "José Álvarez Pérez", "family": "Álvarez Pérez", "affiliation": "Universidad de Sevilla"},
     {"name": "Ada <Lovelace> & Co"}],
    [{"name": "Łukasz Żółć"}],
]
IDS = ["1", "a b#%", "17"]
SESSIONS = ['Session <1> & "Friends"', 'Session <1> & "Friends"', "Zürich & Ålesund"]


def awkward_project(dest: Path) -> Path:
    """A project of three papers whose titles, names and ids carry <, &, quotes, % # and diacritics."""
    # clean camera-ready papers (the repository's samples), so the bundle is not refused for their rules
    pdfs = [REPO / "camera_ready" / f"erelmir25-0{i}.pdf" for i in (1, 2, 3)]
    project = make_project(dest, pdfs[:2])
    camera = project / "camera_ready"
    shutil.copyfile(pdfs[2], camera / "third.pdf")
    entries = []
    for i, (pid, title, authors, session) in enumerate(zip(IDS, TITLES, AUTHORS, SESSIONS)):
        entries.append({"id": pid, "title": title, "authors": authors, "session": session,
                        "file": [pdfs[0].name, pdfs[1].name, "third.pdf"][i],
                        "type": ["short", "full", "demo"][i]})
    entries[2]["doi"] = "10.1145/3700000.3700017"
    (camera / "papers.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False),
                                        encoding="utf-8")
    return project


# --------------------------------------------------------------------------- HTML helpers


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str, str]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"href", "src", "srcset", "data", "poster", "action", "formaction"} and value is not None:
                self.urls.append((tag, name, value))
            if name == "style" and value:
                self.styles.append(value)
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def page_urls(html: str) -> list[tuple[str, str, str]]:
    """Every (tag, attribute, URL) of a page, entities decoded."""
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.urls


def page_styles(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.styles


def link_targets(html: str) -> list[str]:
    """The relative paths every link and resource of a page names (asserts there are no others)."""
    targets = []
    for tag, attr, url in page_urls(html):
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, f"<{tag} {attr}={url!r}> leaves the bundle"
        assert not parts.query, url
        if parts.path:
            targets.append(unquote(parts.path))
    return targets


def parse_strict(html: str):
    """Parse as HTML5 with html5lib in strict mode (any parse error raises); return the element tree."""
    import html5lib

    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(html)


def texts_of_class(tree, cls: str) -> list[str]:
    """The text of every element whose class list has ``cls``, in document order."""
    return ["".join(e.itertext()).strip() for e in tree.iter() if cls in (e.get("class") or "").split()]


def assert_no_outside_resources(html: str) -> None:
    for tag, attr, url in page_urls(html):
        assert not urlsplit(url).scheme and not url.startswith("//"), f"<{tag} {attr}={url!r}>"
    for css in page_styles(html):
        assert "@import" not in css and "url(" not in css, css
    assert "<script" not in html.lower()


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


# --------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    from tests.conftest import EPOCH

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        project = awkward_project(tmp_path_factory.mktemp("html") / "p")
        result = build_project(project)
    return project, result


def test_build_writes_the_index(built):
    project, result = built
    index = project / "build" / "index.html"
    assert result.outputs["index"] == index
    assert index.read_text(encoding="utf-8") == render_index(result.metadata, project / "build")


def test_index_is_valid_html_with_text_escaped_and_right(built):
    project, _ = built
    html = (project / "build" / "index.html").read_text(encoding="utf-8")
    tree = parse_strict(html)
    assert texts_of_class(tree, "title") == TITLES
    assert texts_of_class(tree, "authors") == [", ".join(a["name"] for a in authors) for authors in AUTHORS]
    assert texts_of_class(tree, "session") == [SESSIONS[0], SESSIONS[2]]  # consecutive papers share a heading
    assert "<script>" not in html and "<b>bold" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &#34;quoted&#34;" in html
    assert tree.find(".//title").text.startswith("EReL@MIR '25: ")
    assert "DOI 10.1145/3700000.3700017" in "".join(tree.find(".//body").itertext())


def test_index_links_resolve_and_nothing_comes_from_outside(built):
    project, result = built
    out = project / "build"
    html = (out / "index.html").read_text(encoding="utf-8")
    assert_no_outside_resources(html)
    targets = link_targets(html)
    for target in targets:
        assert (out / target).is_file(), target
    for pid in IDS:
        assert f"papers/{pid}.pdf" in targets
        for ext in ("bib", "ris", "json", "txt"):  # each citation file the build wrote
            assert (f"citations/{pid}.{ext}" in targets) == (out / "citations" / f"{pid}.{ext}").is_file()
    for name in ("proceedings.pdf", "front_matter.pdf", "proceedings.bib", "metadata.json", "validation.html"):
        assert (name in targets) == (out / name).is_file()
    assert {"proceedings.pdf", "front_matter.pdf", "metadata.json", "validation.html"} <= set(targets)
    assert 'href="papers/a%20b%23%25.pdf"' in html


def test_citation_links_only_for_files_that_exist(built, tmp_path: Path):
    project, result = built
    out = tmp_path / "out"
    shutil.copytree(project / "build", out)
    shutil.rmtree(out / "citations", ignore_errors=True)
    (out / "validation.html").unlink()
    html = render_index(result.metadata, out)
    targets = link_targets(html)
    assert not [t for t in targets if t.startswith("citations/")]
    assert "validation.html" not in targets
    assert all((out / t).is_file() for t in targets)
    parse_strict(html)


def test_ceur_index_follows_the_template(built):
    _, result = built
    html = render_ceur_index(result.metadata)
    tree = parse_strict(html)
    assert texts_of_class(tree, "CEURTITLE") == TITLES
    assert texts_of_class(tree, "CEURAUTHOR") == [a["name"] for authors in AUTHORS for a in authors]
    assert texts_of_class(tree, "CEURPAGES") == [f"{p['first_page']}-{p['last_page']}" for p in result.metadata["papers"]]
    assert texts_of_class(tree, "CEURSESSION") == [SESSIONS[0], SESSIONS[2]]
    assert texts_of_class(tree, "CEURVOLACRONYM") == ["EReL@MIR 2025"]
    assert texts_of_class(tree, "CEURVOLTITLE") == [result.metadata["volume"]["title"]]
    assert texts_of_class(tree, "CEURFULLTITLE")[0].startswith("Proceedings of the 1st Workshop on")
    assert texts_of_class(tree, "CEURCOLOCATED") == ["WWW 2025"]
    assert texts_of_class(tree, "CEURLOCTIME") == ["Sydney, NSW, Australia, April 28–29, 2025"]
    assert texts_of_class(tree, "CEURVOLEDITOR") == result.metadata["volume"]["editors"]
    assert texts_of_class(tree, "CEURVOLNR") == ["Vol-XXXX"]
    assert texts_of_class(tree, "CEURURN") == ["urn:nbn:de:0074-XXXX-C"]
    assert texts_of_class(tree, "CEURPUBDATE") == ["2025-04-28"]
    assert link_targets(html) == ["paper1.pdf", "paper2.pdf", "paper3.pdf"]
    text = " ".join("".join(tree.find(".//body").itertext()).split())
    assert ("Copyright © 2025 for the individual papers by the papers' authors. Copyright © 2025 for the volume "
            "as a collection by its editors. This volume and its papers are published under the Creative Commons "
            "License Attribution 4.0 International (CC BY 4.0") in text
    assert_no_outside_resources(html)


def test_only_web_links_are_links_and_every_talk_has_its_own_anchor(built, tmp_path: Path):
    """A sponsor's ``url`` is a link only for a web or mail address (a script or a path prints as the name), and
    two talks of one title (or of titles without Latin letters) each get their own anchor."""
    import copy

    _, result = built
    metadata = copy.deepcopy(result.metadata)
    metadata["sponsors"] = [{"name": "Evil", "url": "javascript:alert(1)"}, {"name": "Near", "url": "//evil.example"},
                            {"name": "Good", "url": "https://example.org/"}, {"name": "Bare", "url": "www.sigir.org"},
                            {"name": "Doi", "url": "doi:10.1145/3701716"}]
    talk = {"title": "Keynote", "kind": "keynote", "abstract": "About it."}
    metadata["program"] = {"days": [{"date": "2025-04-28", "sessions": [
        {"title": "Opening", "start": "09:00", "end": "10:00", "items": [talk, dict(talk), {**talk, "title": "基调"},
                                                                         {**talk, "title": "主题"}]}]}]}
    html = render_index(metadata, tmp_path)
    parse_strict(html)
    assert 'href="https://example.org/"' in html and "javascript:" not in html and "//evil.example" not in html
    assert ">Evil<" in html and ">Near<" in html  # the names stay
    assert 'href="https://www.sigir.org"' in html and 'href="https://doi.org/10.1145/3701716"' in html
    ids = [m for m in re.findall(r'id="(talk-[^"]*)"', html)]
    assert len(ids) == 4 and len(set(ids)) == 4, ids
    assert sorted(re.findall(r'href="#(talk-[^"]*)"', html)) == sorted(ids)


def test_acronym_gets_its_full_year():
    assert with_full_year("EReL@MIR '25", 2025) == "EReL@MIR 2025"
    assert with_full_year("SemWiki 2025", 2025) == "SemWiki 2025"
    assert with_full_year("WWW’25", 2025) == "WWW 2025"
    assert with_full_year("KDD", 2024) == "KDD 2024"


def test_index_without_sessions_or_editor_details(built, tmp_path: Path):
    _, result = built
    metadata = json.loads(json.dumps(result.metadata))
    for paper in metadata["papers"]:
        paper.pop("session", None)
    metadata["volume"].pop("editors_detail")
    metadata["volume"].pop("conference", None)
    html = render_index(metadata, tmp_path)
    tree = parse_strict(html)
    assert texts_of_class(tree, "session") == []
    assert tree.find(".//nav") is None  # no list of sessions when there are none
    assert texts_of_class(tree, "title") == TITLES
    assert link_targets(html) == []  # nothing exists in tmp_path, so nothing is linked
    metadata["papers"][-1]["session"] = "Late breaking"  # one session, after papers without one
    tree = parse_strict(render_index(metadata, tmp_path))
    (nav,) = tree.iter("nav")
    assert [(a.get("href"), a.text) for a in nav.iter("a")] == [("#session-1", "Late breaking")]
    assert [h.get("id") for h in tree.iter("h3")] == ["session-1"]
    assert tree.find(".//hr") is None  # papers without a session at the start read as part of none
    metadata["papers"][0]["session"] = "Opening"  # a session, then a paper without one: set apart, as in the PDF
    tree = parse_strict(render_index(metadata, tmp_path))
    contents = next(e for e in tree.iter("section") if e.get("class") == "contents")
    assert [e.tag for e in contents if e.tag in ("h3", "hr", "ol")] == ["h3", "ol", "hr", "ol", "h3", "ol"]
    parse_strict(render_ceur_index(metadata))


def _headings(tree) -> list[tuple[int, str]]:
    return [(int(e.tag[1]), " ".join("".join(e.itertext()).split())) for e in tree.iter()
            if isinstance(e.tag, str) and re.fullmatch(r"h[1-6]", e.tag)]


def test_a_list_of_the_sessions_at_the_top_links_to_each_session(built):
    """At 50 sessions the index is a long page: a list of them at the top, each link named as its session and
    leading to its heading (the page had none, the reader scrolled through every paper)."""
    project, _ = built
    html = (project / "build" / "index.html").read_text(encoding="utf-8")
    tree = parse_strict(html)
    ids = [e.get("id") for e in tree.iter() if isinstance(e.tag, str) and e.get("id")]
    assert len(ids) == len(set(ids))
    navs = list(tree.iter("nav"))
    assert len(navs) == 1 and (navs[0].get("aria-label") or navs[0].get("aria-labelledby") in ids)
    links = navs[0].findall(".//a")
    sessions = [e for e in tree.iter("h3") if "session" in (e.get("class") or "").split()]
    assert [unquote(a.get("href")) for a in links] == ["#" + h.get("id") for h in sessions]
    assert ["".join(a.itertext()) for a in links] == ["".join(h.itertext()) for h in sessions] == \
        [SESSIONS[0], SESSIONS[2]]
    # at the top: before the first paper of the contents
    order = [e for e in tree.iter() if isinstance(e.tag, str)]
    first_title = next(i for i, e in enumerate(order) if "title" in (e.get("class") or "").split())
    assert all(order.index(a) < first_title for a in links)
    # every in-page link of the page reaches an element; the headings go down one level at a time
    for _tag, _attr, url in page_urls(html):
        if url.startswith("#"):
            assert unquote(url[1:]) in ids, url
    levels = [level for level, _ in _headings(tree)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(after <= before + 1 for before, after in zip(levels, levels[1:])), _headings(tree)


# --------------------------------------------------------------------------- headless Chromium


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("headless Chromium is absent (Debian packages chromium and chromium-driver; .ci/run installs them)")


def _run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-extensions", f"--user-data-dir={profile}", *args]
    result = subprocess.run(command, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")[-2000:]
    return result


@pytest.mark.parametrize("page", ["index", "ceur"])
def test_chromium_renders_every_title(built, tmp_path: Path, page: str):
    from PIL import Image
    from pypdf import PdfReader

    binary = _chromium()
    project, result = built
    if page == "index":
        html_path = project / "build" / "index.html"
    else:
        html_path = tmp_path / "ceur" / "index.html"
        html_path.parent.mkdir()
        html_path.write_text(render_ceur_index(result.metadata), encoding="utf-8")
    url = html_path.resolve().as_uri()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"{page}-phone.png"
    shot.unlink(missing_ok=True)

    # one Chromium run: the DOM it built, a phone-sized screenshot (kept as an artifact) and the page printed
    pdf = ARTIFACTS / f"{page}-print.pdf"
    pdf.unlink(missing_ok=True)
    dom = _run_chromium(binary, tmp_path / "profile", "--dump-dom", f"--screenshot={shot}", "--window-size=412,2000",
                        "--hide-scrollbars", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                        url).stdout.decode("utf-8")
    import html5lib

    # the DOM holds every title as text
    tree = html5lib.parse(dom, namespaceHTMLElements=False)
    dom_text = fold("".join(tree.find(".//body").itertext()))
    for title in TITLES:
        assert fold(title) in dom_text

    # the screenshot is not blank
    with Image.open(shot) as image:
        assert image.size == (412, 2000)
        gray = image.convert("L")
        dark = sum(gray.histogram()[:128])
        assert dark > 2000, "the screenshot is (nearly) blank"

    # printed: every title is drawn as text on the pages (visible, not hidden by CSS)
    printed = fold(" ".join(p.extract_text() for p in PdfReader(pdf).pages))
    for title in TITLES:
        assert fold(title) in printed, title

"""Publisher metadata that ingests as-is: ACM's e-Rights CSV, the Crossref deposit, each PDF's XMP.

The repository's own volume and a project with hostile text (& < > quotes, diacritics, a
14-author paper, ORCIDs, a "Jr." suffix, DOIs derived from a pattern) are bundled with the real
command; the CSV is read back with the csv module, crossref.xml is validated against Crossref's
schema 5.3.1 (from ../shared, offline, with xmlschema), and the XMP of every PDF is read back with
pypdf (and exiftool when installed) and compared with metadata.json.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import warnings
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from proceedings import api
from proceedings.errors import InputError
from proceedings.text import name_parts, proceedings_title
from tests.conftest import REPO, SHARED, copy_project, copy_repo_build, need

SCHEMA = SHARED / "schemas" / "crossref" / "schemas" / "crossref5.3.1.xsd"
CR = "{http://www.crossref.org/schema/5.3.1}"
PRISM = "http://prismstandard.org/namespaces/basic/2.0/"
HEADER = [  # ACM's enhanced CSV, spelled and ordered as ACM's instructions give it
    "proceeding ID", "event_tracking_number", "paper_type", "theTitle", "prefix", "first_name", "middle_name",
    "last_name", "suffix", "author_sequence_no", "contact_author", "ACM_profile_id", "ACM_client_no", "orcid",
    "email", "department_school_lab", "institution", "city", "state_province", "country",
    "secondary_department_school_lab", "secondary_institution", "secondary_city", "secondary_state_province",
    "secondary_country", "section_title", "section_seq_no", "published_article_number", "start_page", "end_page",
    "article_seq_no",
]
DEPOSIT = {"acm_proceeding_id": "3701716", "depositor_name": "EReL@MIR Chairs", "depositor_email": "chairs@example.org",
           "paper_url_pattern": "https://example.org/erelmir25/papers/{id}"}
ORCIDS = {0: "0000-0002-1825-0003", 3: "0000-0002-1825-0038", 9: "0000-0002-1825-0097", 12: "0000-0002-1825-0126"}
"""Sound ORCID iDs (their check characters right), by author."""
MANY = [{"name": f"Áuthor Nümber{chr(65 + i)} Çontrib", "affiliation": f"Univ. {i} <Lab> & Co, Zürich, Switzerland",
         "orcid": ORCIDS.get(i)} for i in range(14)]
MANY[5] = {"name": "John Q. Public, Jr.", "affiliation": "Acme", "corresponding": True}
MANY[6] = {"name": "Ana María de la Fuente", "family": "de la Fuente", "orcid": "https://orcid.org/0000-0003-0000-002x"}
SPECIAL = [
    {"id": "1", "title": 'Fast <b>bold</b> & "quoted" retrieval: Ångström, Łódź & <Ça va?>', "type": "short",
     "authors": [{k: v for k, v in a.items() if v is not None} for a in MANY], "session": "Søren & <Friends>"},
    {"id": "2b", "title": "Ελληνικά, Кириллица & 100% {braces}",
     "authors": [{"name": "Nguyễn Thị Minh Khai", "family": "Nguyễn", "affiliation": "Đại học Bách Khoa, Hà Nội, Vietnam"}],
     "session": "Søren & <Friends>", "keywords": ["ünïcode", "a & b"],
     "abstract": "First <paragraph> & more.\n\nSecond  paragraph, Ωmega."},
    {"id": "17", "title": "Third paper", "authors": [{"name": "Łukasz Żółć", "email": "l@example.pl"}],
     "doi": "10.5555/explicit-17", "url": "https://example.org/own/17", "session": "Zürich"},
]


def _schema():
    need(SCHEMA)
    xmlschema = pytest.importorskip("xmlschema", reason="xmlschema (test extra) validates the deposit")
    with warnings.catch_warnings():  # MathML is imported from the web; offline it is skipped (unused here)
        warnings.simplefilter("ignore")
        return xmlschema.XMLSchema(str(SCHEMA))


@pytest.fixture(scope="module")
def schema():
    return _schema()


def _set_workshop(project: Path, **fields) -> None:
    path = project / "front_matter" / "workshop.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(fields)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def special_project(dest: Path) -> Path:
    """Three of the repository's papers under hostile titles and names; DOIs of two derived from a pattern."""
    copy_project(dest)
    (dest / "front_matter" / "program.yaml").unlink(missing_ok=True)  # it names all ten papers
    camera = dest / "camera_ready"
    papers = yaml.safe_load((camera / "papers.yaml").read_text(encoding="utf-8"))[:3]
    entries = [{**spec, "file": paper["file"]} for spec, paper in zip(SPECIAL, papers)]
    (camera / "papers.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _set_workshop(dest, **DEPOSIT, doi_pattern="10.5555/erelmir25.{id}", default_paper_type="Workshop Paper",
                  isbn="979-8-4007-1331-6", doi="10.5555/erelmir25", url="https://example.org/erelmir25/",
                  series="Sample Workshop Proceedings", volume="3921")
    return dest


def make_bundles(project: Path, out: Path, profiles=("acm", "crossref")) -> dict[str, Path]:
    for profile in profiles:
        api.bundle(project, out, profile=profile)
    return {"acm": out / "acm-erights.csv", "crossref": out / "crossref.xml"}


def _bundled(tmp_path_factory, name: str, make) -> Path:
    """A project made by ``make(folder)``, bundled with both profiles under SOURCE_DATE_EPOCH; its out folder."""
    base = tmp_path_factory.mktemp(name)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1745798400")
        make_bundles(make(base / "p"), base / "out")
    return base / "out"


@pytest.fixture(scope="module")
def repo_volume(tmp_path_factory, repo_build):
    """The repository's project with the deposit fields, bundled with both profiles; its out folder.

    It starts from a copy of the run's build of the repository's project, which the changed workshop.yaml
    makes stale: the bundles build it again.
    """
    def copy_with_deposit(dest: Path) -> Path:
        project, _ = copy_repo_build(repo_build, dest, dest.parent / "out")
        _set_workshop(project, **DEPOSIT)
        return project

    return _bundled(tmp_path_factory, "repo-volume", copy_with_deposit)


@pytest.fixture(scope="module")
def special_volume(tmp_path_factory):
    return _bundled(tmp_path_factory, "special-volume", special_project)


def metadata_of(out: Path) -> dict:
    return json.loads((out / "metadata.json").read_text(encoding="utf-8"))


def acm_rows(out: Path) -> list[list[str]]:
    raw = (out / "acm-erights.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))


# --------------------------------------------------------------------------- ACM e-Rights CSV


@pytest.mark.parametrize("volume", ["repo_volume", "special_volume"])
def test_acm_csv_has_one_row_per_author_in_acms_columns(volume, request):
    out = request.getfixturevalue(volume)
    header, *rows = acm_rows(out)
    assert header == HEADER
    rows = [dict(zip(header, r)) for r in rows]
    metadata = metadata_of(out)
    expected = [(p, n, name) for p in metadata["papers"] for n, name in enumerate(p["authors"], 1)]
    assert len(rows) == len(expected)
    sections: list[str] = []
    for row, (paper, n, name) in zip(rows, expected):
        assert row["proceeding ID"] == "3701716"
        assert row["event_tracking_number"] == paper["id"] and row["theTitle"] == paper["title"]
        assert row["author_sequence_no"] == str(n)
        parts = [row[k] for k in ("first_name", "middle_name", "last_name", "suffix")]
        assert sorted(" ".join(parts).split()) == sorted(name.replace(",", " ").split())  # every word, once
        assert row["first_name"] and row["last_name"] and row["last_name"] in name
        assert (row["start_page"], row["end_page"]) == (str(paper["first_page"]), str(paper["last_page"]))
        assert row["article_seq_no"] == str(metadata["papers"].index(paper) + 1)
        if paper.get("session") and (not sections or sections[-1] != paper["session"]):
            sections.append(paper["session"])
        assert row["section_title"] == (paper.get("session") or "")
        assert row["section_seq_no"] == (str(len(sections)) if paper.get("session") else "")
    for paper in metadata["papers"]:
        contacts = [r for r in rows if r["event_tracking_number"] == paper["id"] and r["contact_author"] == "yes"]
        assert len(contacts) == 1


@pytest.mark.parametrize(("affiliation", "parts"), [
    ("Carnegie Mellon University, Pittsburgh, PA, USA", ("", "Carnegie Mellon University", "Pittsburgh", "PA", "USA")),
    ("School of Computing Science, University of Glasgow, Glasgow, Scotland, United Kingdom",
     ("School of Computing Science", "University of Glasgow", "Glasgow", "Scotland", "United Kingdom")),
    ("Warsaw University of Technology, Warsaw, Poland", ("", "Warsaw University of Technology", "Warsaw", "", "Poland")),
    ("UNSW Sydney, Sydney, NSW, Australia", ("", "UNSW Sydney", "Sydney", "NSW", "Australia")),
    ("University of Glasgow, UK", ("", "University of Glasgow, UK", "", "", "")),  # two parts: left whole
    ("Department of Computer Science, Columbia University, New York, USA",  # a city named as its state
     ("Department of Computer Science", "Columbia University", "New York", "", "USA")),
    ("Inria, Univ. Rennes, CNRS, IRISA, Rennes, France", ("", "Inria, Univ. Rennes, CNRS, IRISA", "Rennes", "", "France")),
    ("University of Maryland, College Park, MD, USA", ("", "University of Maryland", "College Park", "MD", "USA")),
    ("Department of Computer Science, School of Engineering, Stanford University, Stanford, CA, USA",
     ("Department of Computer Science, School of Engineering", "Stanford University", "Stanford", "CA", "USA")),
    ("Ant Group, Hangzhou, Zhejiang, China", ("", "Ant Group", "Hangzhou", "Zhejiang", "China")),
    ("Department of Computer Science, University of Oxford, United Kingdom",  # no city: a department, then its
     ("Department of Computer Science", "University of Oxford", "", "", "United Kingdom")),  # institution
    ("School of Computing, National University of Singapore, Singapore",
     ("School of Computing", "National University of Singapore", "", "", "Singapore")),
    ("Microsoft Research Lab, Redmond, USA", ("", "Microsoft Research Lab", "Redmond", "", "USA")),
])
def test_an_affiliation_fills_acms_columns_from_its_end(affiliation, parts):
    """ACM's columns: department, institution, city, state or province, country (the city was "PA" and the
    institution "Carnegie Mellon University, Pittsburgh")."""
    from proceedings.export.affiliations import split_affiliation

    assert split_affiliation(affiliation) == parts


def test_acm_csv_keeps_names_types_and_diacritics(special_volume):
    header, *rows = acm_rows(special_volume)
    rows = [dict(zip(header, r)) for r in rows]
    first = [r for r in rows if r["event_tracking_number"] == "1"]
    assert len(first) == 14 and {r["paper_type"] for r in first} == {"Short Paper"}
    assert {r["paper_type"] for r in rows if r["event_tracking_number"] != "1"} == {"Workshop Paper"}
    public = first[5]
    assert (public["first_name"], public["middle_name"], public["last_name"], public["suffix"]) == (
        "John", "Q.", "Public", "Jr.")
    assert public["contact_author"] == "yes" and first[0]["contact_author"] == "no"
    assert (first[6]["first_name"], first[6]["middle_name"], first[6]["last_name"]) == ("Ana", "María", "de la Fuente")
    assert first[0]["first_name"] == "Áuthor" and first[0]["orcid"] == "0000-0002-1825-0003"
    assert (first[0]["institution"], first[0]["city"], first[0]["country"]) == ("Univ. 0 <Lab> & Co", "Zürich",
                                                                                  "Switzerland")
    khai = next(r for r in rows if r["event_tracking_number"] == "2b")
    assert (khai["first_name"], khai["middle_name"], khai["last_name"]) == ("Thị", "Minh Khai", "Nguyễn")
    assert khai["theTitle"] == SPECIAL[1]["title"] and khai["section_title"] == "Søren & <Friends>"


def test_acm_csv_names_the_papers_whose_contact_author_has_no_email(repo_volume, tmp_path: Path, caplog):
    """ACM sends the rights form to the contact author by e-mail: a row without one is of no use, and said so."""
    import logging

    from proceedings.export.acm import acm_rows as rows_of
    from proceedings.project.loading import load_project

    project = copy_project(tmp_path / "p")
    papers_file = project / "camera_ready" / "papers.yaml"
    papers = yaml.safe_load(papers_file.read_text(encoding="utf-8"))
    for author in papers[1]["authors"] + papers[3]["authors"]:
        author.pop("email", None)
    papers_file.write_text(yaml.safe_dump(papers, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="proceedings"):
        rows_of(load_project(project), metadata_of(repo_volume))
    said = [r.getMessage() for r in caplog.records if "has no email" in r.getMessage()]
    assert len(said) == 1 and f"papers {papers[1]['id']}, {papers[3]['id']} has no email" in said[0]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="proceedings"):
        rows_of(load_project(REPO), metadata_of(repo_volume))
    assert not [r for r in caplog.records if "has no email" in r.getMessage()]


def test_name_parts_splits_suffixes_the_model_does_not_hold():
    assert name_parts("John Q. Public, Jr.") == ("John", "Q.", "Public", "Jr.")
    assert name_parts("Martin Luther King III") == ("Martin", "Luther", "King", "III")
    assert name_parts("Grace Hopper", suffix="PhD") == ("Grace", "", "Hopper", "PhD")
    assert name_parts("José Álvarez Pérez", "Álvarez Pérez") == ("José", "", "Álvarez Pérez", "")


# --------------------------------------------------------------------------- Crossref deposit


def _papers_xml(path: Path) -> list[ET.Element]:
    return ET.parse(path).getroot().findall(f".//{CR}conference_paper")


@pytest.mark.parametrize("volume", ["repo_volume", "special_volume"])
def test_crossref_deposit_is_valid_and_agrees_with_metadata(volume, request, schema):
    out = request.getfixturevalue(volume)
    deposit = out / "crossref.xml"
    errors = list(schema.iter_errors(str(deposit)))
    assert errors == [], errors[:3]
    metadata = metadata_of(out)
    papers = _papers_xml(deposit)
    assert len(papers) == len(metadata["papers"])
    for node, paper in zip(papers, metadata["papers"]):
        assert node.findtext(f"{CR}titles/{CR}title") == paper["title"]
        assert node.findtext(f"{CR}pages/{CR}first_page") == str(paper["first_page"])
        assert node.findtext(f"{CR}pages/{CR}last_page") == str(paper["last_page"])
        assert node.findtext(f"{CR}doi_data/{CR}doi") == paper["doi"]
        assert node.findtext(f"{CR}doi_data/{CR}resource") == paper["url"]
        people = node.findall(f"{CR}contributors/{CR}person_name")
        assert [p.get("sequence") for p in people] == ["first"] + ["additional"] * (len(paper["authors"]) - 1)
        assert {p.get("contributor_role") for p in people} == {"author"}
        for person, detail in zip(people, paper["authors_detail"]):
            family = detail["family"] if detail["family"] in detail["name"].split(",")[0] else None  # not "Jr."
            assert person.findtext(f"{CR}surname") == name_parts(detail["name"], family, detail.get("suffix"))[2]
            assert person.findtext(f"{CR}surname") in detail["name"]
    with zipfile.ZipFile(out / "erel-mir-25-handoff.zip") as archive:  # the last bundle: profile crossref
        assert archive.read("crossref.xml") == deposit.read_bytes()
        readme = archive.read("README.txt").decode("utf-8")
    assert "Crossref deposit (crossref.xml)" in readme and "What the depositor must still do" in readme
    head = ET.parse(deposit).getroot().find(f"{CR}head")
    assert head.findtext(f"{CR}timestamp") == "20250428000000000"  # SOURCE_DATE_EPOCH, not the clock
    assert head.findtext(f"{CR}depositor/{CR}email_address") == "chairs@example.org"


def test_crossref_deposit_carries_orcids_suffixes_affiliations_and_the_volume(special_volume):
    root = ET.parse(special_volume / "crossref.xml").getroot()
    first = _papers_xml(special_volume / "crossref.xml")[0]
    people = first.findall(f"{CR}contributors/{CR}person_name")
    assert len(people) == 14
    assert [p.findtext(f"{CR}ORCID") for p in people[:7]] == [
        "https://orcid.org/0000-0002-1825-0003", None, None, "https://orcid.org/0000-0002-1825-0038", None, None,
        "https://orcid.org/0000-0003-0000-002X"]
    assert (people[5].findtext(f"{CR}given_name"), people[5].findtext(f"{CR}surname"),
            people[5].findtext(f"{CR}suffix")) == ("John Q.", "Public", "Jr.")
    institution = people[0].find(f"{CR}affiliations/{CR}institution")  # "Univ. 0 <Lab> & Co, Zürich, Switzerland"
    assert institution.findtext(f"{CR}institution_name") == "Univ. 0 <Lab> & Co"
    assert institution.findtext(f"{CR}institution_place") == "Zürich, Switzerland"
    editors = root.findall(f"{CR}body/{CR}conference/{CR}contributors/{CR}person_name")
    assert [e.findtext(f"{CR}surname") for e in editors] == [e["family"] for e in metadata_of(special_volume)["volume"]
                                                              ["editors_detail"]]
    assert {e.get("contributor_role") for e in editors} == {"editor"}
    jats = "{http://www.ncbi.nlm.nih.gov/JATS1}"
    second = _papers_xml(special_volume / "crossref.xml")[1]
    assert [p.text for p in second.findall(f"{jats}abstract/{jats}p")] == [
        "First <paragraph> & more.", "Second paragraph, Ωmega."]
    volume = root.find(f".//{CR}proceedings_metadata")
    assert volume.findtext(f"{CR}isbn") == "979-8-4007-1331-6"
    assert volume.findtext(f"{CR}doi_data/{CR}doi") == "10.5555/erelmir25"
    date = root.find(f".//{CR}conference_date")
    assert (date.get("start_year"), date.get("start_month"), date.get("start_day")) == ("2025", "04", "28")


def test_derived_dois_reach_every_output(special_volume):
    metadata = metadata_of(special_volume)
    dois = {p["id"]: p["doi"] for p in metadata["papers"]}
    assert dois == {"1": "10.5555/erelmir25.1", "2b": "10.5555/erelmir25.2b", "17": "10.5555/explicit-17"}
    bib = (special_volume / "proceedings.bib").read_text(encoding="utf-8")
    for pid, doi in dois.items():
        assert doi in bib and doi in (special_volume / "citations" / f"{pid}.bib").read_text(encoding="utf-8")
        assert json.loads((special_volume / "citations" / f"{pid}.json").read_text(encoding="utf-8"))[0]["DOI"] == doi


def test_crossref_profile_refuses_papers_without_doi_naming_them(repo_build, tmp_path: Path):
    project, _ = copy_repo_build(repo_build, tmp_path / "p", tmp_path / "out")  # its build is the one to change
    papers_file = project / "camera_ready" / "papers.yaml"
    papers = yaml.safe_load(papers_file.read_text(encoding="utf-8"))
    for paper in papers[1:3]:
        paper.pop("doi", None)
    papers_file.write_text(yaml.safe_dump(papers, allow_unicode=True, sort_keys=False), encoding="utf-8")
    workshop = project / "front_matter" / "workshop.yaml"  # without the repository's sample depositor and pages
    data = yaml.safe_load(workshop.read_text(encoding="utf-8"))
    for key in ("depositor_name", "depositor_email", "paper_url_pattern"):
        data.pop(key, None)
    data["isbn"] = "979-8-4007-1331-5"  # its check digit is 6: the deposit asks what the load warned of
    workshop.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        api.bundle(project, tmp_path / "out", profile="crossref")
    text = str(caught.value)
    assert "isbn: '979-8-4007-1331-5' has a wrong check digit" in text
    assert f"papers {papers[1]['id']}, {papers[2]['id']}: no doi" in text and "doi_pattern" in text
    assert "depositor_name" in text and "depositor_email" in text and "no url" in text
    assert caught.value.exit_code == 2
    assert not (tmp_path / "out" / "crossref.xml").exists()


def test_derived_dois_are_safe_and_never_taken_twice(tmp_path: Path):
    from proceedings.errors import ProjectFileError
    from proceedings.project.loading import load_project
    from proceedings.project.publishing import doi_id

    assert doi_id("a b#%") == "a-b" and doi_id("17") == "17" and doi_id("%%") == "paper"
    project = copy_project(tmp_path / "p")
    _set_workshop(project, doi_pattern="10.5555/x.{id}")
    papers_file = project / "camera_ready" / "papers.yaml"
    papers = yaml.safe_load(papers_file.read_text(encoding="utf-8"))
    for paper in papers:
        paper.pop("doi", None)
    papers[1]["doi"] = f"10.5555/x.{papers[2]['id']}"
    papers_file.write_text(yaml.safe_dump(papers, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ProjectFileError) as caught:
        load_project(project)
    assert f"(id {papers[2]['id']}).doi: derived from doi_pattern" in str(caught.value)
    assert f"which paper {papers[1]['id']} already has" in str(caught.value)


def test_a_doi_pattern_without_id_is_refused_at_load(tmp_path: Path):
    project = copy_project(tmp_path / "p")
    _set_workshop(project, doi_pattern="10.5555/fixed")
    from proceedings.errors import ProjectFileError
    from proceedings.project.loading import load_project

    with pytest.raises(ProjectFileError) as caught:
        load_project(project)
    assert "workshop.yaml: doi_pattern" in str(caught.value) and "{id}" in str(caught.value)
    _set_workshop(project, doi_pattern="erelmir25-{id}")  # the papers' DOIs would be none
    with pytest.raises(ProjectFileError) as caught:
        load_project(project)
    assert "workshop.yaml: doi_pattern: 'erelmir25-{id}' makes DOIs like 'erelmir25-1', which is not a DOI" in str(caught.value), caught.value
    _set_workshop(project, doi_pattern="https://doi.org/10.5555/x.{id}")  # pasted with its resolver: kept bare
    assert load_project(project).workshop.doi_pattern == "10.5555/x.{id}"
    for field, pattern in (("paper_url_pattern", "https://example.org/{id:d}"), ("doi_pattern", "10.5555/x.{id!z}")):
        _set_workshop(project, **{field: pattern})  # a format a text id cannot take: it ended in a traceback (exit 70)
        with pytest.raises(ProjectFileError) as caught:
            load_project(project)
        assert f"workshop.yaml: {field}: {pattern!r} is not a pattern for a paper id" in str(caught.value), caught.value
        _set_workshop(project, **{field: pattern.replace(":d", "").replace("!z", "")})


# --------------------------------------------------------------------------- XMP of every PDF


def _prism(reader: PdfReader, name: str) -> str | None:
    found = reader.xmp_metadata.rdf_root.getElementsByTagNameNS(PRISM, name)
    return found[0].firstChild.data if found else None


@pytest.mark.parametrize("volume", ["repo_volume", "special_volume"])
def test_each_paper_describes_itself_in_info_and_xmp(volume, request):
    out = request.getfixturevalue(volume)
    metadata = metadata_of(out)
    publication = proceedings_title(metadata["volume"]["title"])
    for paper in metadata["papers"]:
        reader = PdfReader(out / "papers" / f"{paper['id']}.pdf")
        xmp = reader.xmp_metadata
        assert xmp.dc_title == {"x-default": paper["title"]}
        assert xmp.dc_creator == paper["authors"]
        pages = f"pages {paper['first_page']}–{paper['last_page']}"
        assert pages in xmp.dc_description["x-default"]
        assert _prism(reader, "doi") == paper.get("doi")
        assert _prism(reader, "startingPage") == str(paper["first_page"])
        assert _prism(reader, "endingPage") == str(paper["last_page"])
        assert _prism(reader, "publicationName") == publication
        assert _prism(reader, "isbn") == metadata["volume"].get("isbn")  # the volume it is part of, whole
        assert _prism(reader, "volume") == metadata["volume"].get("volume")
        assert publication in xmp.dc_description["x-default"]
        if metadata["volume"].get("volume"):
            assert f"{metadata['volume']['series']}, vol. {metadata['volume']['volume']}" in xmp.dc_description[
                "x-default"]
        assert xmp.xmp_create_date.isoformat() == metadata["volume"]["build_date"].rstrip("Z")
        info = reader.metadata
        assert info.title == paper["title"] and info.author == "; ".join(paper["authors"])
        assert info.subject == xmp.dc_description["x-default"]
        assert info.get("/DOI") == paper.get("doi")  # the contract: the DOI in the document information too
        assert info.producer == xmp.pdf_producer and info.keywords == (xmp.pdf_keywords or None)
        assert reader.page_labels[0] == str(paper["first_page"])
    volume_pdf = PdfReader(out / "proceedings.pdf")
    assert volume_pdf.xmp_metadata.dc_title["x-default"] == volume_pdf.metadata.title
    assert volume_pdf.xmp_metadata.dc_creator == metadata["volume"]["editors"]
    assert volume_pdf.metadata.producer == volume_pdf.xmp_metadata.pdf_producer
    assert (out / "proceedings.pdf").read_bytes().count(b"<?xpacket begin") == 1  # the papers' own are not bound in
    assert _prism(volume_pdf, "doi") == metadata["volume"].get("doi") == volume_pdf.metadata.get("/DOI")


def test_exiftool_reads_the_same_metadata(special_volume):
    exiftool = shutil.which("exiftool")
    if not exiftool:
        pytest.skip("exiftool is not installed (Debian: libimage-exiftool-perl)")
    metadata = metadata_of(special_volume)
    files = [str(special_volume / "papers" / f"{p['id']}.pdf") for p in metadata["papers"]]
    done = subprocess.run([exiftool, "-json", "-charset", "utf8", "-XMP:all", *files], capture_output=True,
                          text=True, check=True, timeout=60)
    for tags, paper in zip(json.loads(done.stdout), metadata["papers"]):
        assert tags["Title"] == paper["title"]
        creators = tags["Creator"] if isinstance(tags["Creator"], list) else [tags["Creator"]]
        assert creators == paper["authors"]
        assert str(tags["DOI"]) == paper["doi"]
        assert (str(tags["StartingPage"]), str(tags["EndingPage"])) == (str(paper["first_page"]),
                                                                       str(paper["last_page"]))


# --------------------------------------------------------------------------- determinism


@pytest.mark.slow
def test_two_builds_are_byte_identical(special_volume, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1745798400")
    project = special_project(tmp_path / "again")
    again = tmp_path / "out"
    make_bundles(project, again)
    names = ["acm-erights.csv", "crossref.xml", "proceedings.pdf", "metadata.json",
             *(f"papers/{p['id']}.pdf" for p in metadata_of(special_volume)["papers"])]
    for name in names:
        assert (again / name).read_bytes() == (special_volume / name).read_bytes(), name


def test_a_changed_doi_restamps_the_paper_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from tests.conftest import build_project

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1745798400")
    project = special_project(tmp_path / "p")
    build_project(project)
    papers_file = project / "camera_ready" / "papers.yaml"
    papers = yaml.safe_load(papers_file.read_text(encoding="utf-8"))
    papers[2]["doi"] = "10.5555/changed-17"
    papers_file.write_text(yaml.safe_dump(papers, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = build_project(project)
    assert result.volume.restamped == 1  # the cached stamp of the others still serves
    assert _prism(PdfReader(project / "build" / "papers" / "17.pdf"), "doi") == "10.5555/changed-17"
    assert _prism(PdfReader(project / "build" / "papers" / "1.pdf"), "doi") == "10.5555/erelmir25.1"


def test_papers_without_a_page_resolve_to_the_volume_page(repo_volume, tmp_path: Path, schema):
    from proceedings.export.crossref import crossref_xml
    from proceedings.project.loading import load_project

    project = copy_project(tmp_path / "p")
    _set_workshop(project, depositor_name="Chairs", depositor_email="chairs@example.org", doi="10.5555/vol",
                  url="https://example.org/volume/")
    metadata = metadata_of(repo_volume)
    for paper in metadata["papers"]:
        paper.pop("url")
    deposit = tmp_path / "crossref.xml"
    deposit.write_bytes(crossref_xml(load_project(project), metadata))
    assert list(schema.iter_errors(str(deposit))) == []
    assert {node.findtext(f"{CR}doi_data/{CR}resource") for node in _papers_xml(deposit)} == {
        "https://example.org/volume/"}
    volume = ET.parse(deposit).getroot().find(f".//{CR}proceedings_metadata/{CR}doi_data")
    assert (volume.findtext(f"{CR}doi"), volume.findtext(f"{CR}resource")) == ("10.5555/vol", "https://example.org/volume/")


def test_the_deposit_dates_the_papers_by_the_event_not_by_the_files(repo_volume, tmp_path: Path, schema):
    """A build on another day (files copied, checked out: their times are today's) deposits the same publication
    date: the event's first day, as the citations date the papers; ``publication_date`` in workshop.yaml sets it."""
    from proceedings.export.crossref import crossref_xml
    from proceedings.project.loading import load_project

    project = copy_project(tmp_path / "p")
    _set_workshop(project, depositor_name="Chairs", depositor_email="chairs@example.org")
    metadata = metadata_of(repo_volume)
    metadata["volume"]["build_date"] = "2026-11-29T10:00:00Z"

    def dates(deposit: bytes) -> set[tuple[str, str, str]]:
        root = ET.fromstring(deposit)
        return {(d.findtext(f"{CR}year"), d.findtext(f"{CR}month"), d.findtext(f"{CR}day"))
                for d in root.iter(f"{CR}publication_date")}

    deposit = crossref_xml(load_project(project), metadata)
    assert dates(deposit) == {("2025", "04", "28")}
    assert b"<timestamp>20261129100000000</timestamp>" in deposit  # the deposit's own time is the build's
    _set_workshop(project, publication_date="2025-06-02")
    (tmp_path / "crossref.xml").write_bytes(crossref_xml(load_project(project), metadata))
    assert dates((tmp_path / "crossref.xml").read_bytes()) == {("2025", "06", "02")}
    assert list(schema.iter_errors(str(tmp_path / "crossref.xml"))) == []


def test_the_repository_project_deposits_as_it_is(repo_build, tmp_path: Path, schema):
    """The repository's own workshop.yaml carries (sample) depositor fields and landing pages: no edit needed."""
    project, _ = copy_repo_build(repo_build, tmp_path / "p")  # built as it is: the bundle reuses that build
    result = api.bundle(project, profile="crossref")
    deposit = result.extra["crossref_xml"]
    assert list(schema.iter_errors(str(deposit))) == []
    text = deposit.read_text(encoding="utf-8")
    assert "https://example.org/erelmir25/papers/" in text and "10.5555/erelmir25." in text


def test_every_citation_and_the_deposit_agree_on_a_publication_date_set_apart(tmp_path: Path, monkeypatch):
    """Proceedings published the year after the event: BibTeX, RIS, CSL-JSON, the ACM text and Crossref all date the
    papers by publication_date (Crossref alone did; the citations kept the event's year)."""
    from tests.conftest import build_project
    from tests.test_faults import small_project

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1745798400")
    project = small_project(tmp_path / "p")
    _set_workshop(project, publication_date="2026-01-15")
    result = build_project(project)
    out = project / "build"
    assert metadata_of(out)["volume"]["publication_date"] == "2026-01-15"
    first = result.metadata["papers"][0]["id"]
    assert re.search(r"year\s*= \{2026\}", (out / "citations" / f"{first}.bib").read_text(encoding="utf-8"))
    keys = re.findall(r"^@\w+\{([^,]+),", (out / "proceedings.bib").read_text(encoding="utf-8"), re.M)
    assert keys and all("2026" in key and "2025" not in key for key in keys), keys  # as their year field
    assert "PY  - 2026" in (out / "citations" / f"{first}.ris").read_text(encoding="utf-8")
    csl = json.loads((out / "citations" / f"{first}.json").read_text(encoding="utf-8"))[0]
    assert csl["issued"]["date-parts"][0][0] == 2026
    assert " 2026. " in (out / "citations" / f"{first}.txt").read_text(encoding="utf-8")


def test_a_second_affiliation_fills_acms_secondary_columns():
    from proceedings.export.acm import ACM_COLUMNS, acm_rows

    metadata = {"papers": [{"id": "1", "title": "T", "first_page": 1, "last_page": 8, "authors_detail": [
        {"name": "Junchen Fu", "email": "j@example.org",
         "affiliation": "Shandong University, Jinan, China; University of Glasgow, Glasgow, United Kingdom"}]}]}
    row = dict(zip(ACM_COLUMNS, acm_rows(None, metadata)[0]))
    assert (row["institution"], row["city"], row["country"]) == ("Shandong University", "Jinan", "China")
    assert (row["secondary_institution"], row["secondary_city"], row["secondary_country"]) == (
        "University of Glasgow", "Glasgow", "United Kingdom")


def test_a_title_before_a_name_is_the_prefix_not_a_given_name():
    """ACM's CSV has a prefix column and Crossref a given name: "Dr." of "Dr. Mehmet Öztürk" was his first name."""
    from proceedings.text import honorific, name_parts

    assert name_parts("Dr. Mehmet Öztürk") == ("Mehmet", "", "Öztürk", "") and honorific("Dr. Mehmet Öztürk") == "Dr."
    assert name_parts("Prof. Ada M. Lovelace")[:2] == ("Ada", "M.") and honorific("Drew Barrymore") == ""
    assert name_parts("Dr. Ali Veli", "Ali Veli")[0] == "Dr." and honorific("Dr. Ali Veli", "Ali Veli") == ""  # once
    assert name_parts("Prof. Dr. Hans Müller") == ("Hans", "", "Müller", "")  # titles, as German names carry them
    assert honorific("Prof. Dr. Hans Müller") == "Prof. Dr." and honorific("Prof. Dr. Müller", "Müller") == "Prof."


def test_an_isbn_written_with_other_spaces_is_deposited_with_plain_ones():
    """A no-break space (copied from a web page) passes the ISBN test, so it must pass Crossref's pattern too."""
    import re

    from proceedings.text import bare_isbn, isbn_fault

    for written in ("ISBN 978\u00a00-306-40615-7", "978\t0 \u2009 306-40615-7"):
        assert isbn_fault(written) is None
        assert re.fullmatch(r"(97(8|9)-)?\d[\d \-]+[\dX]", bare_isbn(written)), bare_isbn(written)  # Crossref's
    assert bare_isbn("ISBN 978\u00a00-306-40615-7") == "978 0-306-40615-7"


def test_an_isbn_written_with_its_label_is_printed_once_everywhere(tmp_path: Path):
    """workshop.yaml's "ISBN 978 0-306-40615-7" (its label, a no-break space) is the volume's ISBN as every output
    shows it (all read the loaded workshop): index.html printed "ISBN ISBN 978 0-306-40615-7", the copyright page
    and the citations the label."""
    from proceedings.project.loading import load_project

    project = copy_project(tmp_path / "p")
    workshop = project / "front_matter" / "workshop.yaml"
    data = yaml.safe_load(workshop.read_text(encoding="utf-8"))
    data["isbn"] = "ISBN 978\u00a00-306-40615-7"
    workshop.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert load_project(project).workshop.isbn == "978 0-306-40615-7"


def test_a_family_written_with_its_suffix_is_the_family_without_it():
    """``family: King Jr.`` (as the EasyChair import wrote it from the last-name column): the family is King, the
    given names Martin Luther, as for ``family: King, Jr.``; no notice that the family is not part of the name."""
    from proceedings.project.loading import _person_notices
    from proceedings.project.model import Person

    for family in ("King Jr.", "King, Jr.", "King"):
        assert name_parts("Martin Luther King Jr.", family) == ("Martin", "Luther", "King", "Jr."), family
    notices: list[str] = []
    _person_notices([Person(name="Martin Luther King Jr.", family="King Jr.")], "papers.yaml", "", notices)
    assert notices == []

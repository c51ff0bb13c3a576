"""Front matter content: committees sorted and grouped as a published volume prints them, Markdown preface."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml
from pypdf import PdfReader

from tests.conftest import build_project, copy_repo_build


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
    order = ["Zoë Ábel", "Émile Ćosić", "Ana Cruz", "Łukasz Lis", "Nguyễn Thị Minh Khai", "Pieter van der Berg",
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

"""validation.html as the chair reads it at scale: from the summary to every flagged paper in one click.

A real build of papers that break rules (two of the awkward corpus), one that only warns (its title in
papers.yaml differs from page 1) and clean samples; the page the build wrote is parsed and each in-page link
followed to the element it names.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
import yaml

from tests.conftest import AWKWARD, REPO, build_project, make_project, need
from tests.test_htmlindex import assert_no_outside_resources, parse_strict

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


class Page(HTMLParser):
    """Every element's id and its position; every link with its text, position and the ids it sits inside."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: dict[str, int] = {}
        self.links: list[dict] = []
        self.headings: list[tuple[str, str, int]] = []  # (tag, text, position)
        self.text_of: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []
        self._link: dict | None = None
        self._heading: list | None = None
        self._n = 0

    def handle_starttag(self, tag, attrs) -> None:
        self._n += 1
        attrs = dict(attrs)
        if attrs.get("id") is not None:
            assert attrs["id"] not in self.ids, f"id {attrs['id']!r} given twice"
            self.ids[attrs["id"]] = self._n
            self.text_of[attrs["id"]] = ""
        if tag not in ("br", "img", "meta", "link", "input", "hr", "wbr"):
            self._open.append((tag, attrs.get("id")))
        if tag == "a" and attrs.get("href", "").startswith("#"):
            self._link = {"href": unquote(attrs["href"][1:]), "text": "", "at": self._n,
                          "inside": [i for _, i in self._open if i]}
        if tag in HEADINGS:
            self._heading = [tag, "", self._n]

    def handle_endtag(self, tag) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break
        if tag == "a" and self._link is not None:
            self.links.append(self._link)
            self._link = None
        if tag in HEADINGS and self._heading is not None:
            self.headings.append((self._heading[0], " ".join(self._heading[1].split()), self._heading[2]))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link["text"] += data
        if self._heading is not None:
            self._heading[1] += data
        for _, i in self._open:
            if i:
                self.text_of[i] += data


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


@pytest.fixture(scope="module")
def report_build(tmp_path_factory: pytest.TempPathFactory):
    from tests.conftest import EPOCH

    samples = [REPO / "camera_ready" / f"erelmir25-0{i}.pdf" for i in (1, 2, 3, 4)]
    broken = [need(AWKWARD / "pdfjs-js-authors.pdf"), need(AWKWARD / "sf-pdflatex-4-pages.pdf")]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        project = make_project(tmp_path_factory.mktemp("navigation") / "p", samples + broken)
        papers = project / "camera_ready" / "papers.yaml"
        entries = yaml.safe_load(papers.read_text(encoding="utf-8"))
        titles = {e["file"]: e["title"] for e in yaml.safe_load(
            (REPO / "camera_ready" / "papers.yaml").read_text(encoding="utf-8"))}
        for entry in entries:  # the samples with their own titles and authors: clean
            if entry["file"] in titles:
                original = next(e for e in yaml.safe_load((REPO / "camera_ready" / "papers.yaml").read_text(
                    encoding="utf-8")) if e["file"] == entry["file"])
                entry.update(title=titles[entry["file"]], authors=original["authors"])
        entries[0]["title"] += " (Extended Version)"  # first in the volume, and it only warns
        entries.insert(2, entries.pop(4))  # an error among the clean ones
        papers.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
        build_project(project)
    out = project / "build"
    return out, json.loads((out / "validation.json").read_text(encoding="utf-8"))


def _flagged(report: dict) -> tuple[list[str], list[str]]:
    errors = [p["id"] for p in report["papers"] if any(f["severity"] == "error" for f in p["findings"])]
    warned = [p["id"] for p in report["papers"] if p["findings"] and p["id"] not in errors]
    return errors, warned


def _section_of(page: Page, pid: str) -> str:
    """The id of the element that holds paper ``pid``'s findings (its heading starts with the paper id)."""
    for target, text in page.text_of.items():
        if target.startswith("paper-") and " ".join(text.split()).startswith(f"{pid}:"):
            return target
    raise AssertionError(f"no section for paper {pid}")


def test_the_project_has_papers_with_errors_and_papers_that_only_warn(report_build):
    _, report = report_build
    errors, warned = _flagged(report)
    assert len(errors) == 2 and len(warned) == 1, (errors, warned)
    assert report["papers"][0]["id"] == warned[0]  # the volume's order puts the warning first


def test_every_in_page_link_reaches_an_element(report_build):
    out, _ = report_build
    html = (out / "validation.html").read_text(encoding="utf-8")
    parse_strict(html)
    assert_no_outside_resources(html)
    page = parse(html)
    assert page.links
    for link in page.links:
        assert link["href"] in page.ids, link
        assert link["text"].strip(), link  # no empty link


def test_each_rule_of_the_summary_links_to_the_papers_that_break_it(report_build):
    out, report = report_build
    page = parse((out / "validation.html").read_text(encoding="utf-8"))
    summary = [link for link in page.links if "summary" in " ".join(link["inside"])]
    rules = {(f["rule"], f["severity"]) for p in report["papers"] for f in p["findings"]}
    assert len(summary) >= len(rules)
    sections = {p["id"]: _section_of(page, p["id"]) for p in report["papers"]}
    for rule, severity in rules:
        breaking = {p["id"] for p in report["papers"]
                    if any((f["rule"], f["severity"]) == (rule, severity) for f in p["findings"])}
        # the row of the summary that names the rule and its severity links to a place ...
        rows = [link for link in summary if rule in page.text_of.get(link["href"], "")
                and severity in page.text_of[link["href"]]]
        assert rows, f"no link from the summary for {rule} ({severity})"
        target = rows[0]["href"]
        # ... whose links go to exactly the papers that break it
        reached = {link["href"] for link in page.links if target in link["inside"]}
        assert {sections[pid] for pid in breaking} <= reached, (rule, severity, reached)
        assert reached & set(sections.values()) == {sections[pid] for pid in breaking}, (rule, severity)


def test_every_flagged_paper_is_one_click_from_the_top_errors_first(report_build):
    out, report = report_build
    page = parse((out / "validation.html").read_text(encoding="utf-8"))
    errors, warned = _flagged(report)
    sections = {p["id"]: _section_of(page, p["id"]) for p in report["papers"]}
    first_detail = min(page.ids[s] for s in sections.values())
    linked_from_top = {link["href"] for link in page.links if link["at"] < first_detail}
    for pid in errors + warned:
        assert sections[pid] in linked_from_top, f"paper {pid} is not linked from the top of the page"
    # the papers with errors come before those with warnings only, and those before the clean ones
    positions = [page.ids[sections[pid]] for pid in errors + warned]
    assert positions == sorted(positions)
    clean = [page.ids[sections[p["id"]]] for p in report["papers"] if not p["findings"]]
    assert max(positions) < min(clean)
    # and every paper is there, each once
    assert len(set(sections.values())) == len(report["papers"])


def test_the_headings_go_in_order(report_build):
    out, _ = report_build
    page = parse((out / "validation.html").read_text(encoding="utf-8"))
    levels = [int(tag[1]) for tag, _, _ in page.headings]
    assert levels[0] == 1 and levels.count(1) == 1
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, page.headings


def test_the_page_is_the_same_when_rendered_again(report_build):
    from proceedings.export.report import render_html
    from proceedings.findings import PaperReport, ValidationReport
    from proceedings.project.loading import load_project

    out, report = report_build
    again = render_html(ValidationReport([PaperReport.from_json(p) for p in report["papers"]]), load_project(out.parent))
    assert again == (out / "validation.html").read_text(encoding="utf-8")


def test_anchors_of_awkward_ids_are_plain_and_apart():
    from proceedings.export.report import anchor

    assert anchor("paper", "17") == "paper-17" and anchor("rule", "length-error") == "rule-length-error"
    awkward = ["a b", "a#b", "a%b", "a_b", "é", "e"]
    made = [anchor("paper", key) for key in awkward]
    assert len(set(made)) == len(made)
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", a) for a in made)

"""Validation outputs: validation.json, validation.html, the terminal table and the e-mails to authors."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rich.console import Console

from proceedings.errors import InputError
from proceedings.export.report import print_table, render_html, rule_counts, write_emails, write_reports
from proceedings.findings import Finding, PaperReport, ValidationReport
from proceedings.project.loading import load_project
from tests.conftest import copy_project

EVIL = "<script>alert('x')</script> & \"quotes\""


@pytest.fixture
def project(tmp_path: Path):
    return load_project(copy_project(tmp_path / "p"))


def make_report(project) -> ValidationReport:
    first, second, third = project.papers[:3]
    return ValidationReport(papers=[
        PaperReport(id=first.id, file=first.file, pages=10, body_pages=9, usable=True, references_page=10, findings=[
            Finding("length", "error", 9, f"The body is too long {EVIL}", "Shorten it <now>."),
            Finding("bottom-margin", "warning", 2, "Text in the bottom margin", "Keep it empty."),
        ]),
        PaperReport(id=second.id, file=second.file, pages=7, body_pages=6, usable=True, references_page=7),
        PaperReport(id=third.id, file=third.file, usable=False, findings=[
            Finding("encrypted", "error", None, "The file needs a password", "Export it again."),
        ]),
        *[PaperReport(id=p.id, file=p.file, pages=6, body_pages=5, usable=True) for p in project.papers[3:]],
    ])


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        self.ids += [value for name, value in attrs if name == "id" and value]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_json_keeps_the_contract_keys(project, tmp_path: Path):
    report = make_report(project)
    paths = write_reports(report, project, tmp_path)
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert [p["id"] for p in data["papers"]] == [p.id for p in project.papers]
    for paper in data["papers"]:
        assert {"id", "file", "findings"} <= set(paper)
        for f in paper["findings"]:
            assert {"rule", "severity", "page", "message"} <= set(f)
            assert f["severity"] in ("error", "warning")
    assert data["summary"]["errors"] == 2 and data["summary"]["warnings"] == 1
    assert data["summary"]["papers_not_in_volume"] == [project.papers[2].id]
    assert PaperReport.from_json(data["papers"][0]) == report.papers[0]


def test_html_has_one_place_per_paper_escaped(project, tmp_path: Path):
    """Each flagged paper a section of its findings; each clean one a row of the table of papers without
    problems; each of them with its own id."""
    page = render_html(make_report(project), project)
    parser = _Text()
    parser.feed(page)
    assert "script" not in parser.tags
    assert [i for i in parser.ids if i.startswith("paper-")] == \
        [f"paper-{p.id}" for p in (project.papers[0], project.papers[2], project.papers[1], *project.papers[3:])]
    assert parser.tags.count("section") == 2 + 4 + 3  # flagged papers; summary, to fix, by rule, clean; 3 rules
    text = "".join(parser.text)
    assert EVIL in text and "Shorten it <now>." in text
    assert "left out of the volume" in text and "No problems found" in text
    assert "Body length (references excluded)" in text


def test_rule_counts_put_errors_first(project):
    rows = rule_counts(make_report(project))
    assert [(r.rule, r.severity, r.papers) for r in rows] == [
        ("encrypted", "error", 1), ("length", "error", 1), ("bottom-margin", "warning", 1)]


def test_terminal_table_counts_rules_and_lists_errors(project):
    buffer = io.StringIO()
    print_table(make_report(project), Console(file=buffer, width=200, force_terminal=False))
    text = buffer.getvalue()
    assert "Body length" in text and "encrypted" in text
    assert "The body is too long" in text and "left out of the volume" in text
    assert "Text in the bottom margin" not in text.split("Validation", 1)[1].split("\n", 8)[-1]  # no warning detail
    assert "2 errors, 1 warning in 2 of" in text
    assert "warnings only" not in text  # the one warning is on a paper listed for its errors
    report = make_report(project)
    report.papers[1].findings.append(Finding("title", "warning", 1, "The title differs", "Make them agree."))
    buffer = io.StringIO()
    print_table(report, Console(file=buffer, width=200, force_terminal=False))
    assert f"warnings only: paper {report.papers[1].id}\n" in buffer.getvalue()  # named, so that a chair looks
    buffer = io.StringIO()
    print_table(ValidationReport(papers=[]), Console(file=buffer))
    assert "no problems" in buffer.getvalue()


def test_one_email_per_paper_with_problems(project, tmp_path: Path):
    report = make_report(project)
    first = project.papers[0]
    out = tmp_path / "mail"
    (out).mkdir()
    (out / f"{project.papers[1].id}.txt").write_text("old message", encoding="utf-8")  # that paper is fine now
    written = write_emails(report, project, out)
    assert sorted(p.name for p in written) == sorted(f"{p.id}.txt" for p in project.papers[0:3:2])
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)
    text = (out / f"{first.id}.txt").read_text(encoding="utf-8")
    head, body = text.split("\n\n", 1)
    emails = [a.email for a in first.authors if a.email]
    assert head.startswith("To: ") and all(e in head for e in emails)
    assert f"Subject: {project.workshop.acronym}" in head and "needs changes" in head
    assert EVIL in body  # plain text: nothing escaped
    assert "(page 9)" in body and "Shorten it <now>." in body and "Keep it empty." in body
    assert first.title in body


def test_the_chair_can_replace_the_email_template(project, tmp_path: Path):
    own = project.root / "front_matter" / "email.txt.j2"
    own.write_text("Subject: {{ paper.id }}\n\n{% for f in paper.errors %}{{ f.rule }} {% endfor %}\n",
                   encoding="utf-8")
    write_emails(make_report(project), project, tmp_path / "mail")
    assert (tmp_path / "mail" / f"{project.papers[0].id}.txt").read_text(encoding="utf-8").endswith("length ")
    other = tmp_path / "other.j2"
    other.write_text("{{ paper.file }}\n", encoding="utf-8")
    write_emails(make_report(project), project, tmp_path / "mail2", template=other)
    assert (tmp_path / "mail2" / f"{project.papers[0].id}.txt").read_text(encoding="utf-8") == \
        project.papers[0].file + "\n"


def test_a_broken_template_is_an_input_error(project, tmp_path: Path):
    bad = tmp_path / "bad.j2"
    bad.write_text("{% for %}\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.j2: line 1"):
        write_emails(make_report(project), project, tmp_path / "mail", template=bad)
    with pytest.raises(InputError, match="not found"):
        write_emails(make_report(project), project, tmp_path / "mail", template=tmp_path / "missing.j2")


@pytest.mark.parametrize("body, why", [
    ("{{ 1/0 }}", "ZeroDivisionError"),
    ("{{ paper.id + 1 }}", "TypeError"),
    ("{{ 'x'|truncate(-1) }}", "AssertionError"),
    ("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "RecursionError"),
    ("{{ 'x' * 10**10 }}", "repetition"),  # ran the machine out of memory
    ("{% for i in range(10**12) %}{% endfor %}", "range"),  # ran without end
    ("{{ ().__class__.__base__.__subclasses__() }}", "unsafe"),
])
def test_a_template_that_fails_as_it_renders_is_an_input_error(project, tmp_path: Path, body: str, why: str):
    """The chair's e-mail template is an input: any failure of it is exit 2 naming it and the paper (each of these
    was an internal error, a hang or the machine's memory)."""
    bad = tmp_path / "bad.j2"
    bad.write_text(body + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.j2: e-mail template error for paper") as caught:
        write_emails(make_report(project), project, tmp_path / "mail", template=bad)
    assert why.lower() in str(caught.value).lower()
    bad.write_bytes(b"\xe9\xff {{ paper.id }}\n")
    with pytest.raises(InputError, match="bad.j2: e-mail template is not UTF-8"):
        write_emails(make_report(project), project, tmp_path / "mail", template=bad)


def test_a_long_doi_in_a_finding_wraps_in_chromium(tmp_path: Path):
    """A template's "10.1145/nnnnnnn.nnnnnnn" or a long URL in a message wraps: the page stays as wide as the
    window, its pictures in sight (it pushed the table past a 1,000-pixel window)."""
    import re

    from tests.test_htmlindex import _chromium, _run_chromium

    binary = _chromium()
    unbroken = "https://doi.org/10.1145/" + "n" * 180
    report = ValidationReport(papers=[PaperReport(id="7", file="x.pdf", sha256="0" * 64, pages=5, usable=True,
                                                  findings=[Finding("placeholders", "error", 1, unbroken,
                                                                    "See " + unbroken + ".")])])
    html = render_html(report, load_project(copy_project(tmp_path / "p")))
    page = tmp_path / "validation.html"
    page.write_text(html.replace("</body>", "<script>document.body.setAttribute('data-width', "
                                 "document.documentElement.scrollWidth)</script></body>"), encoding="utf-8")
    dom = _run_chromium(binary, tmp_path / "profile", "--dump-dom", "--window-size=1000,800", "--hide-scrollbars",
                        page.resolve().as_uri()).stdout.decode("utf-8")
    width = int(re.search(r'data-width="(\d+)"', dom).group(1))
    assert width <= 1000, width


@pytest.mark.parametrize("body, said", [
    ("{% for i in range(90000) %}{% for j in range(90000) %}{% endfor %}{% endfor %}", "ran past 2 s"),
    ("{{ 'x'|center(400000000) }}", "needed more than 256 MiB"),
])
def test_a_template_that_runs_without_end_or_fills_the_memory_is_stopped(project, tmp_path: Path, body: str,
                                                                         said: str):
    """Loops that would take hours and a filter that asks for gigabytes are stopped under the rules' limits (the
    first ran for hours, the second ran the machine out of memory)."""
    limited = project.model_copy(update={"workshop": project.workshop.model_copy(update={
        "rules": project.workshop.rules.model_copy(update={"time_limit": 2.0, "memory_limit_mb": 256})})})
    bad = tmp_path / "bad.j2"
    bad.write_text(body + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=f"bad.j2: e-mail template {said}"):
        write_emails(make_report(limited), limited, tmp_path / "mail", template=bad)

"""Validation of acmart (and IEEE, LNCS) papers compiled with pdflatex in the test run: every page read, every
finding asserted by rule, page and severity; profiles and checks registered as a third party would."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from proceedings import venues
from proceedings.checks import registry
from proceedings.project.model import Rules
from proceedings.stages.validate import check_file
from tests.conftest import no_shared_cache, shared_once
from tests.texpapers import AUTHORS, TITLE, VARIANTS, compile_all, tex_available
from tests.texvenues import VARIANTS as VENUES


@pytest.fixture(scope="session")
def tex(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    why = tex_available()
    if why:
        pytest.skip(why)
    return shared_once(tmp_path_factory, "texpapers", lambda folder: compile_all(folder, {**VARIANTS, **VENUES}))


_RESULTS: dict[str, dict] = {}


def result(path: Path, **rules) -> dict:
    """check_file's result, once per paper and rules in this session."""
    key = json.dumps([str(path), rules], sort_keys=True)
    if key not in _RESULTS:
        _RESULTS[key] = check_file(str(path), Rules(**rules).model_dump(mode="json"), TITLE, list(AUTHORS))
        json.dumps(_RESULTS[key])  # what a worker sends back is plain data
    return _RESULTS[key]


def findings(path: Path, **rules) -> list[tuple[str, int | None, str]]:
    return sorted((f["rule"], f["page"], f["severity"]) for f in result(path, **rules)["findings"])


EXPECTED = {
    "good": [],
    "review": [("line-numbers", 1, "error")],
    "lineno": [("line-numbers", 1, "error")],
    "anonymous": [("anonymous", 1, "error"), ("authors", 1, "warning")],
    "authordraft": [("draft-footer", 1, "error"), ("line-numbers", 1, "error")],
    "nonacm": [("rights-block", 1, "error")],
    "defaults": [("placeholders", 1, "error"), ("rights-block", 1, "error")],
    "quoted": [],  # "Anonymous Author(s)", "Lorem ipsum dolor sit amet" and TODO quoted in the text of page 2
    "lorem": [("placeholders", 2, "error")],  # one paragraph of filler in the body, the rest real text
    "mockup": [],  # Lorem ipsum inside an included figure (a mock-up of a user interface) is the figure's content
    "todo": [("placeholders", 2, "warning")],  # "TODO: ..." left in (a warning: a paper may quote such notes)
    "folios": [("page-numbers", 1, "error")],  # "1", "2"… of its own: beside the volume's, and unlike them
    "overflow": [("bottom-margin", 3, "error")],
    "widefig": [("margins", 3, "error")],
    "overfull": [("overprint", 2, "error")],
    "preprint": [("bottom-margin", 1, "error")],  # not acmart's watermark: it was let through as one  # a table too wide for its column, printed over the next one
    "watermark": [("draft-footer", 1, "error")],
    "watermark-level": [("draft-footer", 1, "error")],  # its own rule's, not text printed over text
    "watermark-once": [("overprint", 1, "error")],  # on one page, no class's mark: text printed over text as any
    "appendix": [("length", 9, "error")],
    "page9": [("length", 9, "error")],
    "appendix-late": [("length", 10, "error")],  # the appendix's page, not the references' before it
    "a4": [("page-size", 1, "error")],
    "acmsmall": [("page-size", 1, "error"), ("template", 1, "error")],
    "acmlarge": [("template", 1, "error")],
    "sigplan": [("template", 1, "error")],
    "ieee": [("template", 1, "error")],
    "lncs": [("length", 9, "error"), ("page-size", 1, "error"), ("template", 1, "error")],
    # IEEE's and Springer's own templates (tests/texvenues.py) under the default profile: not acmart
    "ieee-conf": [("template", 1, "error")],
    "ieee-pubid": [("template", 1, "error")],
    "ieee-six": [("template", 1, "error")],
    "ieee-a4": [("page-size", 1, "error"), ("template", 1, "error")],
    "ieee-long": [("length", 9, "error"), ("template", 1, "error")],
    "ieee-leftover": [("template", 1, "error")],  # IEEE's sample text is no ACM placeholder: not acmart says it
    "lncs-paper": [("length", 9, "error"), ("page-size", 1, "error"), ("template", 1, "error")],
}

LNCS_VOLUME = {"profile": "lncs", "max_pages": 16}
"""An LNCS volume's rules: 12 to 15 pages of paper, as Springer's proceedings commonly allow."""
IEEE = {"profile": "ieee-conference"}
IN_THEIR_VENUE = {  # name -> (rules, findings): realistic papers of the official templates under their own profile
    "ieee-conf": (IEEE, []),  # bare_conf.tex filled in: four authors with ORCID lines, \thanks, keywords, 20 refs
    "ieee-pubid": (IEEE, []),  # the copyright line IEEE gave (\IEEEpubid) at the foot of page 1's left column
    "ieee-six": (IEEE, []),  # six author blocks in two rows, seven pages
    "ieee-a4": (IEEE, [("page-size", 1, "error")]),
    "ieee-long": (IEEE, [("length", 9, "error")]),  # the references on page 10
    # samplepaper.tex's own text left in: its title, authors, institutes, abstract, keywords, sample headings
    "lncs-sample": (LNCS_VOLUME, [("authors", 1, "warning"), ("page-numbers", 2, "warning"),
                                  ("placeholders", 1, "error"), ("title", 1, "warning")]),
    "ieee-pubid-xx": (IEEE, [("placeholders", 1, "error")]),  # 979-8-3503-XXXX-X/25/$31.00: the year filled in only
    "ieee-leftover": (IEEE, [("placeholders", 1, "error")]),  # the template's affiliations, notes and guidance
    # llncs's runningheads prints "2  A. Lovelace et al." and "Short title  3": the template's own page numbers,
    # which disagree with the volume's (a warning: the template's default, as Springer's sample has it)
    "lncs-paper": (LNCS_VOLUME, [("page-numbers", 2, "warning")]),
    "lncs-letter": (LNCS_VOLUME, [("page-numbers", 2, "warning"), ("page-size", 1, "error")]),  # graphicx: Letter
    "lncs-long": (LNCS_VOLUME, [("length", 17, "error"), ("page-numbers", 2, "warning")]),
}


@pytest.mark.parametrize("name", sorted(IN_THEIR_VENUE))
def test_official_templates_get_exactly_their_findings_in_their_venue(tex, name):
    rules, expected = IN_THEIR_VENUE[name]
    assert findings(tex[name], **rules) == expected


def test_the_ieee_templates_text_left_in_is_named_with_its_pages(tex):
    found = result(tex["ieee-leftover"], **IEEE)["findings"][0]["message"]
    for text in ("dept. name of organization", "Identify applicable funding agency", "email address or ORCID",
                 "Sub-titles are not captured in Xplore", "templates contain guidance text"):
        assert text in found, found
    assert "(page 6)" in found  # the red guidance paragraph after the references
    assert "979-8-3503-XXXX-X" in result(tex["ieee-pubid-xx"], **IEEE)["findings"][0]["message"]


def test_the_lncs_samples_text_left_in_is_named_page_by_page(tex):
    found = next(f for f in result(tex["lncs-sample"], **LNCS_VOLUME)["findings"] if f["rule"] == "placeholders")
    assert '"Contribution Title", "First Author, Second Author"' in found["message"]
    assert '"The abstract should briefly summarize' in found["message"] and "Sample Heading (Third Level)" in \
        found["message"]
    assert found["message"].endswith('(page 1); "F. Author et al." (page 2); "Abbreviated paper title" (page 3).')
    assert "samplepaper.tex" in found["fix"]


def test_llncs_running_heads_are_page_numbers_of_the_papers_own(tex):
    found = next(f for f in result(tex["lncs-paper"], **LNCS_VOLUME)["findings"] if f["rule"] == "page-numbers")
    assert "pages 2–15" in found["message"] and "runningheads" in found["fix"]
    assert found["box"][1] > 730  # the running head at the top of page 2, not a line of the text
    assert findings(tex["lncs"], profile="lncs", max_pages=16) == []  # no runningheads, no page numbers


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_compiled_paper_gets_exactly_its_findings(tex, name):
    assert findings(tex[name]) == EXPECTED[name]


def test_findings_name_what_is_wrong_and_where(tex):
    def of(name: str, rule: str) -> dict:
        return next(f for f in result(tex[name])["findings"] if f["rule"] == rule)

    assert "IEEE conference layout" in of("ieee", "template")["message"]
    assert "acmsmall" in of("acmsmall", "template")["message"]
    assert "sigplan" in of("sigplan", "template")["message"]
    assert "LNCS" in of("lncs", "template")["message"]
    appendix = of("appendix", "length")["message"]
    assert "appendix after the references" in appendix
    overflow = of("overflow", "bottom-margin")
    x0, y0, x1, _ = overflow["box"]
    assert y0 < 40 and x0 >= 50 and x1 <= 300  # the caption in the left column, in the stamp zone
    assert "Figure 1" in overflow["message"]
    wide = of("widefig", "margins")
    assert "right margin" in wide["message"] and wide["box"][2] > 570  # the figure's box, past the text block
    numbers = of("lineno", "line-numbers")
    assert numbers["box"][0] < 54  # the numerals left of the text column
    lorem, note = of("lorem", "placeholders"), of("todo", "placeholders")
    assert "Lorem ipsum" in lorem["message"] and lorem["box"] is not None
    assert "TODO: compare with the product" in note["message"] and note["box"] is not None


def test_the_other_profiles_accept_their_own_template(tex):
    assert findings(tex["ieee"], profile="ieee-conference") == []
    # IEEEtran heads an appendix in small capitals of the body's size, neither bold nor larger: counted all the same
    assert findings(tex["ieee-appendix"], profile="ieee-conference") == [("length", 9, "error")]
    template = result(tex["ieee-template"], profile="ieee-conference")["findings"]
    assert [(f["rule"], f["page"]) for f in template] == [("placeholders", 1)], template
    assert "dept. name of organization" in template[0]["message"] and "ORCID" in template[0]["message"]
    assert findings(tex["lncs"], profile="lncs", max_pages=16) == []
    assert findings(tex["lncs"], profile="lncs") == [("length", 9, "error")]  # the rules' 8 pages, as the contract
    assert ("template", 1, "error") in findings(tex["good"], profile="ieee-conference")
    assert findings(tex["ieee"], profile="generic") == []


def test_rules_keys_override_the_profile(tex):
    assert Rules(profile="lncs").page_size == "a4" and Rules(profile="lncs", page_size="letter").page_size == "letter"
    assert findings(tex["page9"], max_pages=9) == []
    assert findings(tex["a4"], page_size="a4") == []


def test_an_unknown_profile_is_a_clear_input_error():
    with pytest.raises(ValueError, match="unknown profile 'acm-sigconff'.*acm-sigconf"):
        Rules(profile="acm-sigconff")
    for word in ("acm", "acm.sigconf"):  # not taken for a module of one's own that failed to import
        with pytest.raises(ValueError, match=f"unknown profile '{word}'; known profiles: acm-sigconf, generic"):
            Rules(profile=word)


def test_a_profile_module_that_fails_to_import_says_why(tmp_path: Path, monkeypatch):
    """A module of one's own whose import fails (a dependency it lacks) is no unknown profile: its error is told."""
    (tmp_path / "myvenue_ext.py").write_text("import myvenue_dependency\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ValueError, match="cannot import myvenue_ext .*No module named 'myvenue_dependency'"):
        Rules(profile="myvenue_ext")


def test_a_fourth_profile_and_a_custom_check_are_one_module_each(tex, tmp_path: Path, monkeypatch):
    (tmp_path / "myvenue.py").write_text(
        "from proceedings.venues import Venue, register\n"
        "register(Venue(id='my-workshop', name='My workshop', page_size='letter', min_pages=1, max_pages=4))\n",
        encoding="utf-8")
    (tmp_path / "mycheck.py").write_text(
        "from proceedings.checks.registry import check\n"
        "from proceedings.findings import Finding\n"
        "@check('no-glasgow', 'No Glasgow', '1')\n"
        "def run(paper):\n"  # the file as pikepdf (the built-ins) and pypdf (older checks) read it
        "    assert len(paper.pdf.pages) == len(paper.reader.pages) == paper.count\n"
        "    hits = [p.number for p in paper.pages if 'Glasgow' in p.text]\n"
        "    return [Finding('no-glasgow', 'warning', hits[0], 'Glasgow is named.', 'Say Edinburgh.')] if hits else []\n",
        encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        rules = {"profile": "myvenue", "checks": ["mycheck"]}
        assert Rules(**rules).max_pages == 4 and "my-workshop" in venues.names()
        assert findings(tex["good"], **rules) == [("length", 5, "error"), ("no-glasgow", 1, "warning")]
    finally:
        registry._REGISTRY.pop("no-glasgow", None)
        venues._REGISTRY.pop("my-workshop", None)
        venues._REGISTRY.pop("myvenue", None)
        for name in ("myvenue", "mycheck"):
            sys.modules.pop(name, None)


def test_a_changed_check_version_reruns_only_that_check(tex, monkeypatch):
    rules = Rules().model_dump(mode="json")
    full = result(tex["review"])
    assert set(full["checks"]) == set(registry.versions())
    only = check_file(str(tex["review"]), rules, TITLE, list(AUTHORS), only=["line-numbers"])
    assert set(only["checks"]) == {"line-numbers"}
    assert only["checks"]["line-numbers"] == full["checks"]["line-numbers"]


def test_the_stage_reruns_only_the_check_whose_version_changed(tex, tmp_path: Path, monkeypatch):
    from dataclasses import replace

    from proceedings.context import make_context
    from proceedings.stages import validate as stage
    from proceedings.stages.gather import gather
    from tests.conftest import make_project

    no_shared_cache(monkeypatch)  # a changed check version must not reach the other tests' results
    project = make_project(tmp_path / "p", [tex["good"], tex["review"]])

    def run():
        ctx = make_context(project, project / "build")
        return stage.validate(gather(project, ctx), ctx)

    first = run()
    assert [f.rule for f in first.by_id("2").errors] == ["line-numbers"]
    calls: list[list] = []
    real = stage.run_limited

    def spy(fn, todo, **kwargs):
        calls.extend(args[-1] for _, args in todo)
        return real(fn, todo, **kwargs)

    monkeypatch.setattr(stage, "run_limited", spy)
    assert run().to_json() == first.to_json() and calls == []  # all from the cache
    old = registry._REGISTRY["line-numbers"]
    monkeypatch.setitem(registry._REGISTRY, "line-numbers", replace(old, version=old.version + "-changed"))
    again = run()
    assert calls == [["line-numbers"], ["line-numbers"]]  # both papers, that check only
    assert again.to_json() == first.to_json()


@pytest.mark.parametrize("text", [
    "Conference'17, July 2017, Washington, DC, USA", "ACM ISBN 978-x-xxxx-xxxx-x/YY/MM",
    "https://doi.org/10.1145/nnnnnnn.nnnnnnn", "Woodstock '18, June 03–05, 2018, Woodstock, NY",
    "Conference acronym ’XX, June 03–05, 2018", "https://doi.org/XXXXXXX.XXXXXXX", "ACM ISBN 978-1-4503-XXXX-X/18/06",
])
def test_every_acmart_generation_of_sample_values_is_a_placeholder(text):
    from proceedings.checks.textcheck import fold

    assert any(p.search(fold(text)) for _, p in venues.get("acm-sigconf").placeholder_patterns())


def test_an_unknown_check_module_is_a_clear_input_error():
    with pytest.raises(ValueError, match="check module 'no.such.module' cannot be imported"):
        Rules(checks=["no.such.module"])


def test_ieee_copyright_line_left_as_the_template_has_it_is_a_placeholder():
    import re

    from proceedings.checks.textcheck import fold
    from proceedings.venues.ieee_conference import PLACEHOLDERS

    def found(text: str) -> list[str]:
        return [label for label, pattern in PLACEHOLDERS if re.search(pattern, fold(text))]

    assert found("979-8-3503-XXXX-X/XX/$31.00 ©20XX IEEE") and found("XXX-X-XXXX-XXXX-X/XX/$XX.00 ©20XX IEEE")
    assert not found("979-8-3503-1234-5/24/$31.00 ©2024 IEEE")  # the values IEEE gave: no placeholder


def test_lncs_sample_authors_are_a_placeholder_and_a_papers_own_first_author_is_not():
    import re

    from proceedings.checks.textcheck import fold
    from proceedings.venues.lncs import PLACEHOLDERS

    def found(text: str) -> list[str]:
        return [label for label, pattern in PLACEHOLDERS if re.search(pattern, fold(text))]

    assert found("First Author1[0000-1111-2222-3333], Second Author2,3[1111-2222-3333-4444], and Third Author3")
    assert not found("The first author was supported by grant 42, and the second author by the Research Council.")

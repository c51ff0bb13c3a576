"""Unicode → LaTeX for BibTeX fields, read back by bibtexparser 2 (pylatexenc) exactly."""

from __future__ import annotations

import re
import unicodedata

import bibtexparser
import pytest
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proceedings.export.latex import bibtex_name, clean, encode_char, to_latex

SPECIALS = "$&%_#{}~^\\"
# characters that TeX or BibTeX treat specially, plus ligature pairs and look-alikes
AWKWARD = list(SPECIALS) + list("-`',<>?!\"@=|/:;. \t\n\u00a0–—‘’“”«»¡¿…") + ["and", "AND", ",", "{}", "\\\\"]
LATIN = [chr(c) for c in range(0xC0, 0x250)] + [chr(c) for c in range(0x1E00, 0x1F00)]


def decode(latex: str) -> str:
    """A field's value as bibtexparser 2 reads and LaTeX-decodes it (its public parse API)."""
    library = bibtexparser.parse_string("@misc{k,\n  title = {" + latex + "}\n}\n",
                                        append_middleware=[LatexDecodingMiddleware()])
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    (entry,) = library.entries
    return entry["title"]


def decode_names(field: str, jr: bool = False) -> list[tuple[str, ...]]:
    """(family, given) of each person of a BibTeX name field, split as BibTeX does, then decoded;
    (family, given, suffix) with ``jr``."""
    library = bibtexparser.parse_string("@misc{k,\n  author = {" + field + "}\n}\n",
                                        append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    (entry,) = library.entries
    out = []
    for parts in entry["author"]:
        assert jr or not parts.jr, parts
        family = " ".join(parts.von + parts.last)
        given = " ".join(parts.first)
        person = (decode(family) if family else "", decode(given) if given else "")
        out.append((*person, decode(" ".join(parts.jr)) if parts.jr else "") if jr else person)
    return out


def expected(text: str) -> str:
    return unicodedata.normalize("NFC", clean(text))


def expected_name(text: str) -> str:
    """A name as BibTeX gives it back: a run of spaces and no-break spaces with a real space in it is one space
    (BibTeX splits names at spaces; a lone no-break space is kept, written as a tie)."""
    return re.sub("[ \u00a0]+", lambda m: " " if " " in m.group() else m.group(), expected(text))


# --------------------------------------------------------------------------- the documented forms


@pytest.mark.parametrize(("text", "latex"), [
    ("Łukasz", r"{\L}ukasz"),
    ("Müller", r"M{\"u}ller"),
    ("José María", r"Jos{\'e} Mar{\'i}a"),
    ("Nguyễn Bảo Sơn ệ", "Nguyễn Bảo Sơn ệ"),  # no T1 form: UTF-8, with a @preamble fallback
    ("ĩ ṭ Ǎ", r"ĩ {\d{t}} {\v{A}}"),
    ("Çelik ąę", r"{\c{C}}elik {\k{a}}{\k{e}}"),
    ("Søren Ærø straße", r"S{\o}ren {\AE}r{\o} stra{\ss}e"),
    ("$ & % _ #", r"\$ \& \% \_ \#"),
    ("~ ^ \\", r"{\textasciitilde} {\string^} {\textbackslash}"),
    ("{x}", r"{\ensuremath{\lbrace}}x{\ensuremath{\rbrace}}"),
    ("a--b a–b a—b", r"a-{}-b a--b a---b"),
    ("''x'' ``y``", r"'{}'x'{}' `{}`y`{}`"),
    ("“x” ‘y’", r"``x'' {\textquoteleft}y{\textquoteright}"),
    ("a\u00a0b", "a~b"),
    ("李明 Дмитрий", "李明 Дмитрий"),
])
def test_documented_encodings(text: str, latex: str) -> None:
    assert to_latex(text) == latex
    assert decode(latex) == text


def test_white_space_runs_become_one_space_and_controls_go() -> None:
    assert to_latex("  a \t\n b\x00c\x1f  ") == "a bc"


@pytest.mark.parametrize(("title", "latex"), [
    ("CLIP and LLaMA for 3D Retrieval", "{CLIP} and {LLaMA} for {3D} Retrieval"),
    ("BLIP-2: Plan B and iPhone", "{BLIP}-2: {P}lan {B} and {iPhone}"),
    ("Efficient CLIP-Based Text-to-Image Search", "Efficient {CLIP}-Based Text-to-Image Search"),
    ("Budget-Aware Image Search", "Budget-Aware Image Search"),
    ("Worth the Cost? Evaluating “Quoted” Ideas", "Worth the Cost? {E}valuating ``{Q}uoted'' Ideas"),
    ("(LLaMA), Étude: Élan", r"({LLaMA}), {\'E}tude: {{\'E}}lan"),
    ("A Study of X", "A Study of {X}"),
    ("$HOME Matters", "{{}\\$HOME} Matters"),
    ("ŁLM", "{{\\L}LM}"),
])
def test_capitals_and_acronyms_are_protected_in_titles(title: str, latex: str) -> None:
    assert to_latex(title, protect=True) == latex
    assert decode(latex) == title


@pytest.mark.parametrize(("family", "given", "field"), [
    ("Álvarez Pérez", "José María", r"{\'A}lvarez P{\'e}rez, Jos{\'e} Mar{\'i}a"),
    ("Trần", "Quốc Bảo", "Trần, Quốc Bảo"),
    ("de la Cruz", "Ana", "de la Cruz, Ana"),
    ("Álvarez y Pérez", "José", r"{{\'A}lvarez y P{\'e}rez}, Jos{\'e}"),
    ("van der Berg", "Pieter", "van der Berg, Pieter"),
    ("Żółć", "Łukasz", r"{\.Z}{\'o}{\l}{\'c}, {\L}ukasz"),
    ("Smith, Jr.", "Ann and Bob", "Smith{,} Jr., Ann {and} Bob"),
    ("Madonna", "", "{Madonna}"),
    ("Дмитриев", "Дмитрий", r"{\relax Д}митриев, {\relax Д}митрий"),  # one letter when abbreviated
    ("Петрова", "Анна-Мария", r"{\relax П}етрова, {\relax А}нна-{\relax М}ария"),  # each part: А.-М.
])
def test_names_are_family_comma_given(family: str, given: str, field: str) -> None:
    assert bibtex_name(family, given) == field
    assert decode_names(field) == [(family, given)]


@pytest.mark.parametrize(("family", "given", "suffix", "field", "parts"), [
    ("King", "Martin Luther", "Jr.", "King, Jr., Martin Luther", ([], ["King"], ["Jr."], ["Martin", "Luther"])),
    ("van der Berg", "Pieter", "III", "van der Berg, III, Pieter", (["van", "der"], ["Berg"], ["III"], ["Pieter"])),
    ("Nguyễn Thị Minh Khai", "", "", "{Nguyễn Thị Minh Khai}", ([], ["{Nguyễn Thị Minh Khai}"], [], [])),
])
def test_name_parts_as_bibtex_splits_them(family, given, suffix, field, parts) -> None:
    assert bibtex_name(family, given, suffix) == field
    library = bibtexparser.parse_string("@misc{k,\n  author = {" + field + "}\n}\n",
                                        append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    (person,) = library.entries[0]["author"]
    assert (person.von, person.last, person.jr, person.first) == parts


def test_every_latin_letter_with_a_latex_form_decodes_back() -> None:
    encodable = [c for c in LATIN if encode_char(c) is not None]
    assert len(encodable) > 200
    text = " ".join(encodable)
    assert decode(to_latex(text)) == text
    for c in encodable:  # one brace group each: BibTeX's "special characters"
        latex = encode_char(c)
        assert latex.startswith("{\\") and latex.endswith("}"), (c, latex)


# --------------------------------------------------------------------------- properties

unicode_text = st.lists(
    st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(AWKWARD), st.sampled_from(LATIN)),
    max_size=30,
).map("".join)
PROPERTY = settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(unicode_text)
def test_any_title_decodes_back(text: str) -> None:
    assert decode(to_latex(text, protect=True)) == expected(text)


@PROPERTY
@given(unicode_text)
def test_encoded_text_is_brace_balanced_for_bibtex(text: str) -> None:
    # BibTeX counts every brace, escaped or not
    depth = 0
    for char in to_latex(text, protect=True):
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0


@PROPERTY
@given(st.lists(st.tuples(unicode_text, unicode_text), min_size=1, max_size=4))
def test_any_names_split_and_decode_back(people: list[tuple[str, str]]) -> None:
    people = [(f, g) for f, g in people if clean(f)]
    if not people:
        return
    field = " and ".join(bibtex_name(f, g) for f, g in people)
    assert decode_names(field) == [(expected_name(f), expected_name(g)) for f, g in people]

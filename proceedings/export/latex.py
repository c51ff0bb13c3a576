"""Unicode text to LaTeX for BibTeX fields: what pdflatex prints right through classic BibTeX and
through biber + biblatex alike, and what bibtexparser 2 (pylatexenc) decodes back to the same text.

Decisions (each checked by tests/test_latex.py, and by compiling with the real clients in
tests/test_tex_clients.py):

* ``\\ { } $ & % # _ ~ ^`` become ``{\\textbackslash}``, ``{\\ensuremath{\\lbrace}}``,
  ``{\\ensuremath{\\rbrace}}``, ``\\$``, ``\\&``, ``\\%``, ``\\#``, ``\\_``, ``{\\textasciitilde}``,
  ``{\\string^}``. Braces are never written as ``\\{``: BibTeX counts those as braces, so an
  unpaired one would break the entry.
* A Latin letter with **one** accent that the T1 font encoding has (é, ł, ç, ő, ṭ…) becomes a BibTeX
  "special character", one brace group, so that BibTeX's case changes, abbreviations and sorting
  treat it as one letter: ``{\\"u}``, ``{\\'i}`` (never ``{\\'{\\i}}``: biber decodes ``\\i`` + accent to a
  dotless ı), ``{\\c{c}}``, ``{\\L}``, ``{\\ss}``. ``{\\dh} {\\th} {\\ng} {\\dj}`` need
  ``\\usepackage[T1]{fontenc}`` (acmart and most templates load it).
* Every other non-ASCII character stays **UTF-8**: stacked accents (Vietnamese ệ ễ), letters T1 has not
  (ả ơ ư), Greek, Cyrillic, CJK. As LaTeX macros biber mangles them ("Invalid UTF-8 byte"), and no
  macro exists for ả or ơ without T5 (vntex), which few documents load. The .bib carries a
  ``@preamble`` (:mod:`proceedings.export.texchars`) that gives each of them a fallback only when the
  document has none: accents built from T1's (``\\d{\\^e}``, ``\\i`` under accents), hook and horn drawn,
  Greek as math Greek; characters of other scripts print "?" and the build warns. A document that
  loads ``\\usepackage[T5,T1]{fontenc}`` (Vietnamese) or T2A (Cyrillic) prints its own glyphs.
  In names the first such character of a word is braced, so BibTeX abbreviates it whole, never mid-byte.
  Other tools: pylatexenc reports ị, ễ… as having no LaTeX form (a proposed fallback would write
  ``\\~{\\^{e}}`` chains, which biber cannot decode); latexcodec has mis-decoded ``{\\'{\\i}}`` as biber
  does; the ACL template asks documents with Vietnamese to load T5. A T5 macro (``\\h{a}``) in the
  .bib would stop every document that does not, so the @preamble's guarded fallback is used instead.
* ``– — ‘ ’ “ ” « » ¡ ¿ …`` and the no-break space get their LaTeX forms; TeX ligatures that
  the text does not mean (``--``, ``''``, ``<<``, ``,,``, ``?```…) are broken with ``{}``.
  ``< > | "`` are left as they are: they print right with T1 fontenc.
* Titles (``protect``): acronyms and words with inner capitals are braced, not the hyphenated word
  around them (``{CLIP}-Based Text-to-Image`` prints "CLIP-based text-to-image" in sentence case);
  so is a capital the author wrote after ``?``, ``!`` or ``:`` or after an opening quote (``{E}valuating``).
* White space: TeX, BibTeX and RIS read any run of white space as one space, so every export
  writes runs of spaces, tabs and line breaks as one space (see :func:`clean`); control
  characters are dropped. Text is written in Unicode NFC, so decoding gives back the input up
  to canonical equivalence (exactly, for NFC input, which is what YAML files hold).
"""

from __future__ import annotations

import re
import unicodedata

from proceedings.export.texchars import ACCENTS, LETTERS, T1_READY

_ASCII_SPECIAL = {
    "\\": r"{\textbackslash}",
    "{": r"{\ensuremath{\lbrace}}",
    "}": r"{\ensuremath{\rbrace}}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "~": r"{\textasciitilde}",
    "^": r"{\string^}",
}

# Punctuation with a conventional LaTeX form that pylatexenc decodes back.
_PUNCT = {
    "\u00a0": "~",
    "–": "--",
    "—": "---",
    "‘": r"{\textquoteleft}",
    "’": r"{\textquoteright}",
    "“": "``",
    "”": "''",
    "«": r"{\guillemotleft}",
    "»": r"{\guillemotright}",
    "¡": r"{\textexclamdown}",
    "¿": r"{\textquestiondown}",
    "…": r"{\ldots}",
}

# Pairs of characters TeX fonts turn into ligatures the text does not mean.
_LIGATURES = {"--", "``", "''", "<<", ">>", ",,", "?`", "!`"}

_SPACE_RUN = re.compile(r"[ \t\n\r\f\v\u0085\u2028\u2029]+")


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # category Cc, less the white space ones


def clean(text: str) -> str:
    """The text every export writes: control characters dropped, white space runs as one space."""
    return _SPACE_RUN.sub(" ", _CONTROL.sub("", text)).strip()


_I_ACCENTS = frozenset("\u0300\u0301\u0302\u0308")  # T1 has í ì î ï as composites of a plain i


def _accented(char: str) -> str | None:
    """``\\'e``-style body for a T1 letter with one accent, or None (the letter stays UTF-8)."""
    if char not in T1_READY:
        return None
    decomposed = unicodedata.normalize("NFD", char)
    if len(decomposed) != 2:
        return None
    base, mark = decomposed
    if not (base.isascii() and base.isalpha()) or mark not in ACCENTS:
        return None
    macro, above = ACCENTS[mark]
    if base in "ij" and above and mark not in _I_ACCENTS:
        return None
    return f"{macro}{base}" if not macro[1].isalpha() else f"{macro}{{{base}}}"


def encode_char(char: str) -> str | None:
    """The LaTeX form of one character, or None when it has none (and stays UTF-8)."""
    if char in _ASCII_SPECIAL:
        return _ASCII_SPECIAL[char]
    if char.isascii():
        return char
    if char in _PUNCT:
        return _PUNCT[char]
    if char in LETTERS:
        return "{" + LETTERS[char] + "}"
    body = _accented(char)
    return "{" + body + "}" if body else None


def _join(chunks: list[str]) -> str:
    out = ""
    for chunk in chunks:
        if out and chunk and (out[-1] + chunk[0]) in _LIGATURES:
            out += "{}"
        out += chunk
    return out


_OPENERS = "([{\"'‘“«¿¡"
_QUOTES = frozenset("\"'‘“«")
_BREAKS = ("?", "!", ":")
_SEGMENT = re.compile(r"([-/\u2010\u2011\u2013\u2014])")


def _inner_capitals(core: str, first_word: bool) -> bool:
    """Whether a title segment is an acronym or has capitals a sentence-casing style must not lower."""
    if any(c.isupper() for c in core[1:]):
        return True  # CLIP, LLaMA, iPhone, 3D
    return not first_word and len(core) == 1 and core.isupper() and core != "A"  # Plan B


def _protected_word(word: str, first_word: bool, after_break: bool) -> list[str]:
    """A title word in chunks, acronyms braced segment by segment, a capital after a break braced alone."""
    chunks: list[str] = []
    for n, segment in enumerate(_SEGMENT.split(word)):
        if n % 2 or not segment:
            chunks.append(_encode_word(segment, name=False))
            continue
        lead = len(segment) - len(segment.lstrip(_OPENERS))
        core = segment[lead:]
        tail = len(core) - len(core.rstrip(".,;:!?)]}\"'’”»…"))
        core, trail = (core[:len(core) - tail], core[len(core) - tail:]) if tail else (core, "")
        opened = any(c in _QUOTES for c in segment[:lead])
        chunks.append(_encode_word(segment[:lead], name=False))
        if core and _inner_capitals(core, first_word and n == 0):
            chunks.append(_group(_encode_word(core, name=False)))
        elif core and core[0].isupper() and n == 0 and (opened or after_break):
            chunks += [_group(_encode_word(core[0], name=False)), _encode_word(core[1:], name=False)]
        else:
            chunks.append(_encode_word(core, name=False))
        chunks.append(_encode_word(trail, name=False))
    return [c for c in chunks if c]


def _group(latex: str) -> str:
    """Brace ``latex`` so BibTeX never changes its case (a group opening with a backslash would be a
    "special character", whose letters BibTeX does case-change)."""
    return "{" + ("{}" if latex.startswith("\\") else "") + latex + "}"


def _encode_word(word: str, *, name: bool) -> str:
    if name and word.casefold() == "and":
        return "{" + word + "}"
    chunks: list[str] = []
    for i, char in enumerate(word):
        if name and char in ",\u00a0":
            # a comma splits name parts, a tie (~) name tokens: braced, both stay in the word
            chunks.append("{,}" if char == "," else "{~}")
            continue
        latex = encode_char(char)
        if name and latex and latex.startswith("\\"):
            # \$ \& \% \# \_ braced in names: bibtexparser 2 drops a person starting with a backslash
            latex = "{" + latex + "}"
        if latex is None:
            # no LaTeX form: UTF-8 as is; the first letter of a name word, or of its part after a hyphen
            # ("Анна-Мария"), a "special character" ({\relax И}): styles that abbreviate given names take it
            # whole, not its first byte
            latex = "{\\relax " + char + "}" if name and (i == 0 or word[i - 1] == "-") else char
        chunks.append(latex)
    return _join(chunks)


def to_latex(text: str, *, protect: bool = False, name: bool = False) -> str:
    """Encode ``text`` for a BibTeX field.

    ``protect``: brace acronyms and inner capitals of a title (``{CLIP}-Based``, ``{LLaMA}``) and a
    capital after ``?``/``:``/an opening quote, so styles that lower-case titles keep them. ``name``: a
    name part (``and`` and commas braced, first non-LaTeX character of each word braced).
    """
    text = unicodedata.normalize("NFC", clean(text))
    words = []
    previous = ""
    for i, word in enumerate(text.split(" ")):
        if protect:
            words.append(_join(_protected_word(word, i == 0, previous.endswith(_BREAKS))))
        else:
            words.append(_encode_word(word, name=name))
        previous = word
    return " ".join(words)


def bibtex_name(family: str, given: str, suffix: str = "") -> str:
    """One person for an author or editor field, in BibTeX's ``von Last, Jr., First`` form.

    Lower-case particles that open the family name stay outside braces, so BibTeX reads them as its
    "von" part ("van der Berg, Pieter"); a family name with lower-case words further in is braced
    whole ("{Álvarez y Pérez}"), so BibTeX does not take them for particles. Without given names the
    person is one braced token ("{Madonna}", "{Sukarno Jr.}", or a family-first name as written).
    """
    family, given, suffix = _name_text(family), _name_text(given), _name_text(suffix)
    words = family.split(" ")
    particle = 0
    while particle < len(words) - 1 and _lower(words[particle]):
        particle += 1
    core = " ".join(words[particle:])
    core_tex = to_latex(core, name=True)
    if given and clean(given) and any(_lower(w) for w in core.split(" ")[1:]):
        core_tex = "{" + core_tex + "}"
    family_tex = " ".join([*(to_latex(w, name=True) for w in words[:particle]), core_tex]).strip()
    given_tex = to_latex(given, name=True)
    suffix_tex = to_latex(suffix, name=True)
    if not given_tex:  # one token; a suffix inside it (BibTeX reads "Last, Jr., " with the suffix as given names)
        return "{" + family_tex + (f" {suffix_tex}" if suffix_tex else "") + "}"
    return f"{family_tex}, {suffix_tex}, {given_tex}" if suffix_tex else f"{family_tex}, {given_tex}"


def _name_text(text: str) -> str:
    """``clean(text)``, and a run of spaces and no-break spaces with a real space in it as one space: BibTeX
    splits names at spaces, so such a run is one separator (a lone no-break space stays, a tie)."""
    return _NAME_SPACE.sub(lambda m: " " if " " in m.group() else m.group(), clean(text)).strip(" ")


_NAME_SPACE = re.compile("[ \u00a0]+")


def _lower(word: str) -> bool:
    letter = next((c for c in word if c.isalpha()), "")
    return bool(letter) and letter.islower()

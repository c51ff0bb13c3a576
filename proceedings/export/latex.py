"""Unicode text to LaTeX for BibTeX fields: what classic BibTeX + pdflatex prints right, and what
bibtexparser 2 (pylatexenc) decodes back to the same text.

Rules (each checked both ways by tests/test_latex.py and the pdflatex test):

* ``\\ { } $ & % # _ ~ ^`` become ``{\\textbackslash}``, ``{\\ensuremath{\\lbrace}}``,
  ``{\\ensuremath{\\rbrace}}``, ``\\$``, ``\\&``, ``\\%``, ``\\#``, ``\\_``, ``{\\textasciitilde}``,
  ``{\\string^}``. Braces are never written as ``\\{``: BibTeX counts those as braces, so an
  unpaired one would break the entry.
* Latin letters with diacritics become BibTeX "special characters", one brace group each, so
  that BibTeX's case changes, abbreviations (``{\\L}.``) and sorting treat them as one letter:
  ``{\\"u}``, ``{\\'{\\i}}``, ``{\\c{c}}``, ``{\\~{\\^e}}``, ``{\\L}``, ``{\\ss}``, ``{\\aa}``.
  ``{\\dh} {\\th} {\\ng} {\\dj}`` need ``\\usepackage[T1]{fontenc}`` (as acmart loads).
* ``– — ‘ ’ “ ” « » ¡ ¿ …`` and the no-break space get their LaTeX forms; TeX ligatures that
  the text does not mean (``--``, ``''``, ``<<``, ``,,``, ``?```…) are broken with ``{}``.
  ``< > | "`` are left as they are: they print right with T1 fontenc.
* Every other character (CJK, Arabic, Cyrillic, symbols…) has no LaTeX form here and stays
  UTF-8 (pdflatex then needs ``inputenc`` utf8, the default, and fonts for it). In names the
  first such character of a word is braced, so BibTeX abbreviates it whole, never mid-byte.
* White space: TeX, BibTeX and RIS read any run of white space as one space, so every export
  writes runs of spaces, tabs and line breaks as one space (see :func:`clean`); control
  characters are dropped. Text is written in Unicode NFC, so decoding gives back the input up
  to canonical equivalence (exactly, for NFC input, which is what YAML files hold).
"""

from __future__ import annotations

import re
import unicodedata

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

# Letters that are not a base letter plus accents.
_LETTERS = {
    "ß": r"\ss", "æ": r"\ae", "Æ": r"\AE", "œ": r"\oe", "Œ": r"\OE", "ø": r"\o", "Ø": r"\O",
    "å": r"\aa", "Å": r"\AA", "ł": r"\l", "Ł": r"\L", "ı": r"\i", "ȷ": r"\j",
    "ð": r"\dh", "Ð": r"\DH", "þ": r"\th", "Þ": r"\TH", "đ": r"\dj", "Đ": r"\DJ", "ŋ": r"\ng", "Ŋ": r"\NG",
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

# Combining mark -> (accent macro, placed above the letter).
_ACCENTS = {
    "\u0300": ("\\`", True), "\u0301": ("\\'", True), "\u0302": ("\\^", True), "\u0303": ("\\~", True),
    "\u0308": ('\\"', True), "\u0304": ("\\=", True), "\u0307": ("\\.", True), "\u0306": ("\\u", True),
    "\u030c": ("\\v", True), "\u030b": ("\\H", True), "\u030a": ("\\r", True),
    "\u0327": ("\\c", False), "\u0328": ("\\k", False), "\u0323": ("\\d", False), "\u0331": ("\\b", False),
}

# Pairs of characters TeX fonts turn into ligatures the text does not mean.
_LIGATURES = {"--", "``", "''", "<<", ">>", ",,", "?`", "!`"}

_SPACE_RUN = re.compile(r"[ \t\n\r\f\v\u0085\u2028\u2029]+")


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # category Cc, less the white space ones


def clean(text: str) -> str:
    """The text every export writes: control characters dropped, white space runs as one space."""
    return _SPACE_RUN.sub(" ", _CONTROL.sub("", text)).strip()


def _accented(char: str) -> str | None:
    """``\\'{\\i}``-style macro body for a precomposed Latin letter, or None."""
    decomposed = unicodedata.normalize("NFD", char)
    if len(decomposed) < 2 or unicodedata.normalize("NFC", decomposed) != char:
        return None
    base, marks = decomposed[0], decomposed[1:]
    if not (base.isascii() and base.isalpha()) and base not in _LETTERS:
        return None
    if any(m not in _ACCENTS for m in marks):
        return None
    if base in "ij" and _ACCENTS[marks[0]][1]:
        body = r"\i" if base == "i" else r"\j"
        braced = True
    elif base in _LETTERS:
        body, braced = _LETTERS[base], True
    else:
        body, braced = base, False
    for mark in marks:
        macro, _ = _ACCENTS[mark]
        symbol = not macro[1].isalpha()
        if symbol and not braced:
            body = f"{macro}{body}"
        else:
            body = f"{macro}{{{body}}}"
        braced = True
    return body


def encode_char(char: str) -> str | None:
    """The LaTeX form of one character, or None when it has none (and stays UTF-8)."""
    if char in _ASCII_SPECIAL:
        return _ASCII_SPECIAL[char]
    if char.isascii():
        return char
    if char in _PUNCT:
        return _PUNCT[char]
    if char in _LETTERS:
        return "{" + _LETTERS[char] + "}"
    body = _accented(char)
    return "{" + body + "}" if body else None


def _join(chunks: list[str]) -> str:
    out = ""
    for chunk in chunks:
        if out and chunk and (out[-1] + chunk[0]) in _LIGATURES:
            out += "{}"
        out += chunk
    return out


def _needs_protection(word: str, first: bool) -> bool:
    """Whether a title word has capitals a sentence-casing style must not lower (CLIP, LLaMA, 3D)."""
    core = word.lstrip("([{\"'‘“«¿¡")
    if any(c.isupper() for c in core[1:]):
        return True
    return not first and len(core) == 1 and core.isupper() and core != "A"


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
            # no LaTeX form: UTF-8 as is; the first letter of a name word braced for abbreviation
            latex = "{" + char + "}" if name and i == 0 else char
        chunks.append(latex)
    return _join(chunks)


def to_latex(text: str, *, protect: bool = False, name: bool = False) -> str:
    """Encode ``text`` for a BibTeX field.

    ``protect``: brace title words with inner capitals (``{CLIP}``, ``{LLaMA}``) so styles that
    lower-case titles keep them. ``name``: a name part (``and`` and commas braced, first
    non-LaTeX character of each word braced).
    """
    text = unicodedata.normalize("NFC", clean(text))
    words = []
    for i, word in enumerate(text.split(" ")):
        latex = _encode_word(word, name=name)
        if protect and _needs_protection(word, first=i == 0):
            # a group opening with a backslash would be a BibTeX "special character", case-changed
            latex = "{" + ("{}" if latex.startswith("\\") else "") + latex + "}"
        words.append(latex)
    return " ".join(words)


def bibtex_name(family: str, given: str) -> str:
    """One person for an author or editor field: ``Family, Given`` (``{Family}`` without given names)."""
    family_tex = to_latex(family, name=True)
    given_tex = to_latex(given, name=True)
    if not given_tex:
        return "{" + family_tex + "}"
    return f"{family_tex}, {given_tex}"

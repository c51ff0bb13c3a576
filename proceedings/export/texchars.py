"""Characters pdflatex cannot print by itself, and the .bib @preamble that teaches it.

LaTeX's ``utf8`` input encoding prints a UTF-8 character only when a loaded font encoding
declares it. A document with ``\\usepackage[T1]{fontenc}`` (acmart, most templates) knows the
:data:`T1_READY` characters; Vietnamese letters with a hook or horn (ả ơ ư), letters with a dot below
and stacked accents (ệ ễ), Greek, Cyrillic and CJK stop it with "Unicode character … not set up".

:func:`preamble` writes a ``@preamble`` (classic BibTeX copies it into the .bbl, biber into
``\\preamble``) that gives every such character of the file a fallback, **only when the document
has none** (a document that loads T5 keeps its real Vietnamese glyphs, one that loads T2A its Cyrillic):

* Latin letters: the base letter under LaTeX accent commands, above-accents inside, below-accents
  outside (``\\d{\\^e}``, never ``\\^{\\d{e}}``), ``\\i`` under accents; hook above and horn, which
  T1 has not, are drawn.
* Greek letters: math Greek (``\\ensuremath{\\alpha}``).
* Anything else (CJK, Cyrillic, Arabic…): no 8-bit font has it, so it prints as "?"; the build warns
  (:func:`unprintable`) naming the paper and the person.
"""

from __future__ import annotations

import unicodedata

_T1_RANGES = "00A0-00B7 00B9-0125 0128-0137 0139-013E 0141-0148 014A-0165 0168-017E 0192 01C4-01D4 01E2-01E3 01E6-01EB 01F0 01F4-01F5 0218-021B 0232-0233 0237 02C7 02D8-02D9 02DB 02DD 0E3F 1E02-1E03 1E0D 1E1E-1E21 1E25 1E30-1E31 1E37 1E43 1E45 1E47 1E5B 1E63 1E6D 1E8E-1E91 1E9E 1EF2-1EF3 200C 2010-2016 2018-201A 201C-201E 2020-2022 2030-2031 2039-203B 203D 2044 204E 2052 20A1 20A4 20A6 20A9 20AB-20AC 20B1 2103 2116-2117 211E 2120 2122 2126-2127 212E 2190-2193 2329-232A 2422-2423 25E6 25EF 266A 27E8-27E9 3008-3009 FB00-FB06 FEFF"


def _ranges(spec: str) -> frozenset[str]:
    chars = set()
    for part in spec.split():
        first, _, last = part.partition("-")
        chars.update(chr(c) for c in range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(chars)


T1_READY = _ranges(_T1_RANGES)
"""Non-ASCII characters that LaTeX's utf8 declares for the T1 and TS1 font encodings (t1enc.dfu,
ts1enc.dfu of LaTeX 2022): they print in any document with ``\\usepackage[T1]{fontenc}``."""

# Letters that are not a base letter plus accents (LaTeX text commands).
LETTERS = {
    "ß": r"\ss", "æ": r"\ae", "Æ": r"\AE", "œ": r"\oe", "Œ": r"\OE", "ø": r"\o", "Ø": r"\O",
    "å": r"\aa", "Å": r"\AA", "ł": r"\l", "Ł": r"\L", "ı": r"\i", "ȷ": r"\j",
    "ð": r"\dh", "Ð": r"\DH", "þ": r"\th", "Þ": r"\TH", "đ": r"\dj", "Đ": r"\DJ", "ŋ": r"\ng", "Ŋ": r"\NG",
}

# Combining mark -> (accent command, placed above the letter).
ACCENTS = {
    "\u0300": ("\\`", True), "\u0301": ("\\'", True), "\u0302": ("\\^", True), "\u0303": ("\\~", True),
    "\u0308": ('\\"', True), "\u0304": ("\\=", True), "\u0307": ("\\.", True), "\u0306": ("\\u", True),
    "\u030c": ("\\v", True), "\u030b": ("\\H", True), "\u030a": ("\\r", True),
    "\u0327": ("\\c", False), "\u0328": ("\\k", False), "\u0323": ("\\d", False), "\u0331": ("\\b", False),
}
_HOOK, _HORN = "\u0309", "\u031b"

_GREEK = dict(zip(
    "αβγδεζηθικλμνξοπρςστυφχψωΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩϑϕϖϵ",
    [r"\alpha", r"\beta", r"\gamma", r"\delta", r"\epsilon", r"\zeta", r"\eta", r"\theta", r"\iota", r"\kappa", r"\lambda", r"\mu", r"\nu", r"\xi", r"o", r"\pi", r"\rho", r"\varsigma", r"\sigma", r"\tau", r"\upsilon", r"\phi", r"\chi", r"\psi", r"\omega", r"A", r"B", r"\Gamma", r"\Delta", r"E", r"Z", r"H", r"\Theta", r"I", r"K", r"\Lambda", r"M", r"N", r"\Xi", r"O", r"\Pi", r"P", r"\Sigma", r"T", r"\Upsilon", r"\Phi", r"X", r"\Psi", r"\Omega", r"\vartheta", r"\varphi", r"\varpi", r"\varepsilon"],
))
_MATH_ACCENTS = {"\u0301": r"\acute", "\u0300": r"\grave", "\u0308": r"\ddot", "\u0342": r"\tilde",
                 "\u0304": r"\bar", "\u0306": r"\breve"}

# Defines each fallback (a line without "#") and, with classic BibTeX, copies it into the .aux, so that
# the next run knows it from \begin{document} on: an author-year citation in the text comes before
# the bibliography. (biblatex reads its .bbl before the text anyway.)
_HELPER = (
    r"\ifdefined\ProcUTF\else\gdef\ProcUTF#1{#1\ifdefined\printbibliography\else"
    r"\immediate\write\csname @auxout\endcsname{\unexpanded{#1}}\fi}\fi"
)


def _hook(body: str) -> str:
    """Hook above, which T1 has not: a small question-mark curl above the letter."""
    return (rf"{{\setbox0=\hbox{{{body}}}\dimen0=\ht0 \ooalign{{\box0\cr"
            r"\hidewidth\raise\dimen0\hbox{\kern.1em\tiny ?}\hidewidth\cr}}")


def _horn(body: str) -> str:
    """Horn, which T1 has not: a small right quote at the letter's top right."""
    return rf"{{{body}\kern-.12em\raise.55ex\hbox{{\tiny\textquoteright}}}}"


def _declare(char: str, body: str) -> str:
    """Make ``char`` print ``body`` unless the document already prints it."""
    name = rf"u8:\detokenize{{{char}}}"
    return rf"\ProcUTF{{\ifcsname {name}\endcsname\else\expandafter\gdef\csname {name}\endcsname{{{body}}}\fi}}"


def latin_fallback(char: str) -> str | None:
    """LaTeX that draws a Latin letter with diacritics from T1's glyphs, or None."""
    if char in LETTERS:
        return LETTERS[char]
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    if not marks or not ((base.isascii() and base.isalpha()) or base in LETTERS):
        return None
    if any(m not in ACCENTS and m not in (_HOOK, _HORN) for m in marks):
        return None
    above = [m for m in marks if m in ACCENTS and ACCENTS[m][1]]
    body = {"i": r"{\i}", "j": r"{\j}"}.get(base, base) if above else LETTERS.get(base, base)
    for mark in above:
        body = f"{ACCENTS[mark][0]}{{{body}}}"
    if _HORN in marks:
        body = _horn(body)
    if _HOOK in marks:
        body = _hook(body)
    for mark in marks:
        if mark in ACCENTS and not ACCENTS[mark][1]:
            body = f"{ACCENTS[mark][0]}{{{body}}}"
    return body


def greek_fallback(char: str) -> str | None:
    """Math Greek for a Greek letter (accents as math accents), or None."""
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    if base not in _GREEK or any(m not in _MATH_ACCENTS for m in marks):
        return None
    body = _GREEK[base]
    for mark in marks:
        body = f"{_MATH_ACCENTS[mark]}{{{body}}}"
    return rf"\ensuremath{{{body}}}"


def fallback(char: str) -> str:
    """What a document without a font for char prints instead (TeX code)."""
    return latin_fallback(char) or greek_fallback(char) or "?"


def needs_fallback(char: str) -> bool:
    """Whether pdflatex with T1 cannot print char (written as UTF-8) by itself."""
    return not char.isascii() and char not in T1_READY


def unprintable(text: str) -> list[str]:
    """The characters of text that no font of a T1 document has: Latin and Greek are drawn, these print "?"."""
    seen: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if needs_fallback(char) and fallback(char) == "?" and char not in seen and not char.isspace():
            seen.append(char)
    return seen


def script(chars: list[str]) -> str:
    """The scripts of some characters, as Unicode names them ("CJK, CYRILLIC")."""
    names = []
    for char in chars:
        word = unicodedata.name(char, "UNNAMED").split()[0]
        if word not in names:
            names.append(word)
    return ", ".join(names)


def preamble(text: str) -> str:
    """The @preamble giving every character of text that needs one its fallback ("" when none does)."""
    chars = sorted(c for c in set(unicodedata.normalize("NFC", text)) if needs_fallback(c))  # each distinct one
    if not chars:
        return ""
    # BibTeX wraps .bbl lines at spaces only: every part ends with one (ignored in vertical mode)
    parts = [_HELPER] + [_declare(c, fallback(c)) for c in chars]
    parts = [part + " " for part in parts]
    return "@preamble{ " + "\n  # ".join(f'"{p}"' for p in parts) + " }\n"

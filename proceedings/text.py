"""Text helpers shared by every stage: names, sort keys, folding, slugs, roman numerals."""

from __future__ import annotations

import re
import unicodedata

# Letters that NFKD does not decompose into a base letter plus marks.
_SPECIAL = str.maketrans(
    {
        "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "Ð": "D", "ð": "d",
        "Þ": "Th", "þ": "th", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "ß": "ss",
        "ı": "i", "Ħ": "H", "ħ": "h", "Ŧ": "T", "ŧ": "t", "ĸ": "k", "Ŋ": "N", "ŋ": "n",
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
        "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
        "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "\u00ad": "",
        "ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl",
    }
)


def ascii_fold(text: str) -> str:
    """Strip accents and fold special letters and typographic punctuation to ASCII look-alikes."""
    if text.isascii():
        return text.translate(_SPECIAL)
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(c for c in text if not unicodedata.combining(c)).translate(_SPECIAL)


def match_fold(text: str) -> str:
    """Fold for loose comparison: accents, case, quotes, dashes and white space."""
    text = ascii_fold(text).casefold()
    text = re.sub(r"[\s\u200b]+", " ", text)
    return text.strip()


def sort_key(text: str) -> tuple[str, str]:
    """Accent-insensitive, case-insensitive sort key (Ç sorts with C, Ł with L); ties broken exactly."""
    return (match_fold(text), text)


def family_name(name: str, family: str | None = None) -> str:
    """The family name: ``family`` when given, else the last word of ``name``."""
    if family:
        return family.strip()
    words = name.split()
    return words[-1] if words else name


def given_names(name: str, family: str | None = None) -> str:
    """``name`` without its family name (works for family-first names too)."""
    fam = family_name(name, family)
    if fam and fam in name:
        i = name.rfind(fam) if name.endswith(fam) else name.find(fam)
        rest = (name[:i] + name[i + len(fam):]).strip(" ,")
        return re.sub(r"\s+", " ", rest)
    return name


def person_sort_key(name: str, family: str | None = None) -> tuple:
    """Sort by family name, then given names, accent-insensitive."""
    return (*sort_key(family_name(name, family)), *sort_key(given_names(name, family)))


def index_letter(name: str, family: str | None = None) -> str:
    """The letter heading under which a person is listed in an index."""
    folded = ascii_fold(family_name(name, family)).strip()
    for ch in folded:
        if ch.isalpha():
            return ch.upper() if ch.isascii() else ch
    return "#"


def slugify(text: str, sep: str = "-") -> str:
    """ASCII lowercase slug: "EReL@MIR '25" -> "erel-mir-25"."""
    text = ascii_fold(text).lower()
    text = re.sub(r"[^a-z0-9]+", sep, text)
    return text.strip(sep) or "volume"


def roman(number: int) -> str:
    """Lower-case roman numeral of a positive integer."""
    if number <= 0:
        raise ValueError("roman numerals start at 1")
    out = []
    for value, letters in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def date_range(start, end) -> str:
    """"April 28–29, 2025", "April 30–May 2, 2025", "December 30, 2025–January 2, 2026"."""
    if start == end:
        return f"{start:%B} {start.day}, {start.year}"
    if start.year != end.year:
        return f"{start:%B} {start.day}, {start.year}–{end:%B} {end.day}, {end.year}"
    if start.month != end.month:
        return f"{start:%B} {start.day}–{end:%B} {end.day}, {end.year}"
    return f"{start:%B} {start.day}–{end.day}, {end.year}"


def join_names(names: list[str]) -> str:
    """"A", "A and B", "A, B, and C"."""
    if len(names) <= 1:
        return "".join(names)
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return ", ".join(names[:-1]) + ", and " + names[-1]


def proceedings_title(title: str) -> str:
    """"The 1st Workshop on X" → "Proceedings of the 1st Workshop on X" (a title already so is kept)."""
    if title.lower().startswith("proceedings"):
        return title
    if title.startswith("The "):
        title = "the " + title[4:]
    return f"Proceedings of {title}"

"""Text helpers shared by every stage: names, sort keys, folding, slugs, roman numerals."""

from __future__ import annotations

import html
import re
import unicodedata

_SPECIAL_CHARS = {
    "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "Ð": "D", "ð": "d",
    "Þ": "Th", "þ": "th", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "ß": "ss",
    "ı": "i", "Ħ": "H", "ħ": "h", "Ŧ": "T", "ŧ": "t", "ĸ": "k", "Ŋ": "N", "ŋ": "n",
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "\u00ad": "",
    "ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl",
}
"""Letters NFKD does not decompose into a base letter and marks, and typographic punctuation: their ASCII
look-alikes (see :func:`ascii_fold`)."""


WEB_SCHEMES = ("http://", "https://", "mailto:", "ftp://", "ftps://", "doi:")
"""Addresses a reader may follow from the volume: the links copied from papers, those drawn in the front matter."""


def web_link(url: str | None) -> str | None:
    """``url``, trimmed, when a reader can follow it from a page of the volume (:data:`WEB_SCHEMES`); None for
    anything else (an anchor of a web page "#top", a relative path, a script): the one rule for the papers' links
    and the front matter's."""
    url = (url or "").strip()
    return url if url.lower().startswith(WEB_SCHEMES) else None


def some_of(names: list[str], limit: int) -> str:
    """The first ``limit`` of ``names``, comma-separated, then how many more there are: "a, b and 3 more"."""
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def unique_name(base: str, taken: set[str], suffix: str = "") -> str:
    """``base + suffix``, or ``base-2 + suffix``, ``base-3 + suffix``… the first not in ``taken`` (added to it)."""
    name, count = base + suffix, 1
    while name in taken:
        count += 1
        name = f"{base}-{count}{suffix}"
    taken.add(name)
    return name


def bare_isbn(text: str) -> str:
    """An ISBN as written without its label, check digit X in capitals, any run of spaces one plain space:
    "ISBN 979-8-4007-1331-6" -> "979-8-4007-1331-6", "0-8044-2957-x" -> "0-8044-2957-X"."""
    return _capital_x(re.sub(r"\s+", " ", re.sub(r"(?i)^isbn(?:-1[03])?:?\s*", "", text.strip())))


def _capital_x(text: str) -> str:
    """A check character x written small, as a capital; the rest as written ("to appear" stays)."""
    return text[:-1] + "X" if re.search(r"\d[\s-]?x$", text) else text


def isbn_fault(isbn: str) -> str | None:
    """Why ``isbn`` is no ISBN (its length, or its check digit), or None: the one test of workshop.yaml's
    ``isbn``, at load (a warning) and for a Crossref deposit (a problem)."""
    digits = re.sub(r"[\s-]", "", bare_isbn(isbn))
    if re.fullmatch(r"\d{7}[\dX]", digits):
        return "looks like an ISSN (8 digits: a series' number), not the volume's ISBN"
    if re.fullmatch(r"97[89]\d{10}", digits):
        total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
        check = str((10 - total % 10) % 10)
    elif re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
        check = "0123456789X"[(11 - total % 11) % 11]
    else:
        return "is no ISBN (13 digits from 978 or 979, or 10)"
    if digits[-1] != check:
        return f"has a wrong check digit: it should end in {check} (a mistyped digit?)"
    return None


_ORCID_URL = re.compile(r"(?i)^https?://(?:www\.)?orcid\.org/")


def bare_orcid(text: str) -> str:
    """An ORCID iD without its address, check character X in capitals:
    "https://orcid.org/0000-0002-1825-0097" -> "0000-0002-1825-0097"."""
    return _capital_x(_ORCID_URL.sub("", text.strip()))


def orcid_fault(orcid: str) -> str | None:
    """Why ``orcid`` (bare) is no ORCID iD (its form, or its ISO 7064 MOD 11-2 check character), or None: the one
    test of a person's ``orcid``, at load."""
    if not re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", orcid):
        return "is not an ORCID iD (0000-0000-0000-000X, or https://orcid.org/0000-0000-0000-000X)"
    total = 0
    for digit in orcid.replace("-", "")[:15]:
        total = (total + int(digit)) * 2
    check = "0123456789X"[(12 - total % 11) % 11]
    if orcid[-1] != check:
        return f"has a wrong check character: it should end in {check} (a mistyped digit?)"
    return None


def valid_orcid(text: str | None) -> str | None:
    """The bare ORCID iD of ``text`` when it is one (:func:`orcid_fault` finds nothing), else None: what the
    publisher's metadata carries."""
    orcid = bare_orcid(text or "")
    return orcid if orcid and not orcid_fault(orcid) else None


def browser_link(url: str | None) -> str | None:
    """:func:`web_link` for a link the tool draws itself (front matter, index.html), as a web page or a PDF viewer
    opens it: "doi:10.1145/x" as https://doi.org/10.1145/x,
    "www.sigir.org" (a web address written without its scheme) as https://www.sigir.org."""
    url = (url or "").strip()
    if url.lower().startswith("www."):
        url = "https://" + url
    found = web_link(url)
    if found is not None and found.lower().startswith("doi:"):
        return "https://doi.org/" + found[4:].strip()
    return found


def ascii_fold(text: str) -> str:
    """Strip accents and fold special letters and typographic punctuation to ASCII look-alikes."""
    if text.isascii():  # most text: only the backquote of the special characters is ASCII
        return text.replace("`", "'") if "`" in text else text
    if "\n" in text:  # a page: the pattern tries every character, a line's isascii() is known as it is cut
        text = "\n".join([line if line.isascii() else _NON_ASCII.sub(_fold_run, line) for line in text.split("\n")])
    else:
        text = _NON_ASCII.sub(_fold_run, text)
    return text.replace("`", "'")  # NFKD makes some (῭: a backquote and marks)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_FOLDED: dict[str, str] = {}
"""A character past ASCII -> what :func:`ascii_fold` makes of it (a hostile text's thousands of characters do not
grow it past a few thousand)."""


def _fold_run(match: re.Match[str]) -> str:
    run = match.group()
    folded = _FOLDED.get(run)  # most runs are one character
    return folded if folded is not None else "".join(_FOLDED[c] if c in _FOLDED else _fold_char(c) for c in run)


def _fold_char(char: str) -> str:
    """One character folded: its special look-alike, else its compatibility decomposition without the combining
    marks (NFKD works character by character, but for the order of the marks it drops), look-alikes again."""
    base = _SPECIAL_CHARS.get(char, char)
    folded = "".join(_SPECIAL_CHARS.get(c, c) for c in unicodedata.normalize("NFKD", base)
                     if not unicodedata.combining(c))
    if len(_FOLDED) < 4096:
        _FOLDED[char] = folded
    return folded


def match_fold(text: str) -> str:
    """Fold for loose comparison: accents, case, quotes, dashes and white space."""
    text = ascii_fold(text).casefold()
    text = re.sub(r"[\s\u200b]+", " ", text)
    return text.strip()


_SUFFIXES = frozenset(["jr", "jr.", "sr", "sr.", "junior", "senior", "ii", "iii", "iv", "v", "vi", "2nd", "3rd", "4th"])
_BARE_SUFFIXES = frozenset(["Jr.", "Sr.", "II", "III", "IV"])
_CAPITAL_PARTICLES = frozenset(["La", "Le", "Las", "Los", "Da", "Das", "Do", "Dos", "Du", "De", "Del", "Della",
                                "Van", "Von", "Der", "Den", "Ten", "Ter"])


def split_suffix(name: str, least: int = 2) -> tuple[str, str]:
    """``("Martin Luther King", "Jr.")`` from "Martin Luther King, Jr." (or "… King Jr.", a suffix written without
    a comma after at least ``least`` words: 1 for a family name, "King Jr."); ``(name, "")`` when the name has no
    generational suffix."""
    name = name.strip()
    head, comma, tail = name.rpartition(",")
    if comma and head.strip() and tail.strip().casefold() in _SUFFIXES:
        return head.strip().rstrip(","), tail.strip()
    words = [w for w in name.split(" ") if w]
    if len(words) > least and words[-1] in _BARE_SUFFIXES:
        return " ".join(words[:-1]), words[-1]
    return name, ""


def _lower_word(word: str) -> bool:
    letter = next((c for c in word if c.isalpha()), "")
    return bool(letter) and letter.islower()


def family_name(name: str, family: str | None = None) -> str:
    """The family name: ``family`` when given (less a suffix), else the last word of ``name`` with
    the lower-case particles before it ("van der Berg", "de La Fontaine"), never the suffix."""
    if family and family.strip():
        return split_suffix(family, least=1)[0] or family.strip()
    words = split_suffix(name)[0].split()
    if not words:
        return name
    start = len(words) - 1
    while start > 1 and (_lower_word(words[start - 1]) or (
            words[start - 1] in _CAPITAL_PARTICLES and _lower_word(words[start - 2]))):
        start -= 1
    return " ".join(words[start:])


def given_names(name: str, family: str | None = None) -> str:
    """``name`` without its family name and suffix (works for family-first names too)."""
    base = split_suffix(name)[0]
    fam = family_name(name, family)
    if fam and fam in base:
        i = base.rfind(fam) if base.endswith(fam) else base.find(fam)
        rest = (base[:i] + base[i + len(fam):]).strip(" ,")
        return re.sub(r"\s+", " ", rest)
    return base if base != fam else ""


def name_suffix(name: str, family: str | None = None) -> str:
    """The generational suffix ("Jr.", "III") written in ``name`` or in ``family``, or ""."""
    return split_suffix(name)[1] or (split_suffix(family, least=1)[1] if family else "")


def split_particle(family: str) -> tuple[str, str]:
    """``("van der", "Berg")``: the lower-case words that open a family name, and the rest."""
    words = [w for w in family.split(" ") if w]  # a no-break space joins, never splits
    i = 0
    while i < len(words) - 1 and _lower_word(words[i]):
        i += 1
    return " ".join(words[:i]), " ".join(words[i:])


def family_first(name: str, family: str | None = None) -> bool:
    """Whether ``name`` is written family name first ("Nguyễn Thị Minh Khai", family "Nguyễn")."""
    base, fam = split_suffix(name)[0], family_name(name, family)
    return base != fam and base.startswith(fam) and not base.endswith(fam)


_SUFFIX = re.compile(r",?\s+(Jr\.?|Sr\.?|Jnr\.?|Snr\.?|II|III|IV|V|VI)$")


def name_parts(name: str, family: str | None = None, suffix: str | None = None) -> tuple[str, str, str, str]:
    """(first, middle, last, suffix) of a person: "John Q. Smith, Jr." -> ("John", "Q.", "Smith", "Jr.").

    ``suffix`` is the model's own field when it has one; else a generational suffix ending ``name``
    (", Jr.", " III") is split off. The family name is ``family`` or the last word; the given names
    are the first given name and the others (the middle names).
    """
    name = name.strip()
    if not suffix:
        found = _SUFFIX.search(name)
        if found and found.start() > 0 and (family is None or found.group(1) not in family_name(name, family)):
            suffix, name = found.group(1), name[: found.start()].strip()
    given = split_honorific(name, family)[1].split()  # "Dr. Mehmet Öztürk": Dr. is no given name
    return (given[0] if given else "", " ".join(given[1:]), family_name(name, family), suffix or "")


_HONORIFIC = re.compile(r"(?:dr|prof|professor|mr|mrs|ms|mx|sir|dame)\.?", re.IGNORECASE)
"""A title written before a name ("Dr.", "Prof."), which publishers' given-name fields do not hold."""


def split_honorific(name: str, family: str | None = None) -> tuple[str, str]:
    """(the titles written before ``name``'s given names, the given names without them): ("Dr.", "Mehmet") of "Dr.
    Mehmet Öztürk", ("Prof. Dr.", "Hans") of "Prof. Dr. Hans Müller"; never the last word before the family name,
    which is then a given name ("Dr. Ali Veli" with family "Ali Veli": ("", "Dr."))."""
    written = given_names(name, family)
    given = written.split()
    count = 0
    while count < len(given) - 1 and _HONORIFIC.fullmatch(given[count]):
        count += 1
    return " ".join(given[:count]), " ".join(given[count:]) if count else written  # untitled: as written


def honorific(name: str, family: str | None = None) -> str:
    """The titles written before ``name``'s given names, or "" (see :func:`split_honorific`)."""
    return split_honorific(name, family)[0]


def person_sort_key(name: str, family: str | None = None) -> tuple:
    """Sort by family name, then given names (a title before them aside: "Dr. Zach Angel" sorts as Zach),
    accent-insensitive (Ana Angel, Ana Ángel, Zach Angel); ties broken exactly."""
    family, given = family_name(name, family), split_honorific(name, family)[1]
    return match_fold(family), match_fold(given), family, given


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


def xml_escape(text: str, quotes: bool = False) -> str:
    """``&``, ``<`` and ``>`` as XML entities, and ``"`` too when ``quotes`` (xml.sax.saxutils.escape's result,
    without the import of urllib and ssl that module brings)."""
    text = html.escape(text, quote=False)
    return text.replace('"', "&quot;") if quotes else text

"""Text checks of one camera-ready PDF: where the references start, review and draft leftovers,
template placeholders, the title and authors on page 1, the bottom margin, scanned pages, language.

Only the pages the checks need are extracted (page 1, the pages where the references may start,
a few more when page 1 has no text): pypdf's text extraction is the slow part of validation.
Each extracted line keeps its position in displayed coordinates (``/Rotate`` honoured), its size
and whether its font is bold, so that a heading can be told from a body line.
"""

from __future__ import annotations

import logging
import re
import statistics
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader

from proceedings.checks.pdfcheck import PageBox, name_of, on_pages, page_box, plural
from proceedings.findings import Finding
from proceedings.text import ascii_fold

log = logging.getLogger(__name__)

BOTTOM_ZONE = 40.0
"""Text whose baseline is below this many points from the bottom edge is where page numbers are stamped."""

MIN_LETTERS = 8
"""A page with fewer letters than this has no text; a paper none of whose tried pages has text is a scan."""

LINE_NUMBER_RUN = 10
"""Consecutive margin numbers that make review-mode line numbers."""

_HEADING_WORDS = {
    "references", "bibliography", "referencesandnotes", "literaturecited", "workscited",
    "citedreferences", "referencescited",
    # other languages: the paper is then flagged for its language, but its length is still right
    "literatur", "literaturverzeichnis", "bibliographie", "referencias", "bibliografia",
    "riferimenti", "riferimentibibliografici", "referenties", "literatuur",
}
_HEADING_PREFIX = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*|[ivxlc]{1,6})?\.?")
_BOLD = re.compile(r"bold|black|heavy|semibold|demi|cmbx|cmssbx|-b$|\bbd\b|,b$|medi", re.IGNORECASE)


# --------------------------------------------------------------------------- extraction


@dataclass
class Line:
    """A run of text on one baseline, as pypdf hands it over."""

    text: str
    x: float
    """Displayed x of its start, points from the left edge."""
    y: float
    """Displayed y of its baseline, points from the bottom edge."""
    size: float
    """Effective font size in points."""
    bold: bool
    closed: bool = False
    estimated: bool = False
    """Its position is a guess (a later line of a multi-line chunk): not used where positions matter."""


@dataclass
class PageText:
    """The text of one page, line by line."""

    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    error: str = ""
    box: PageBox | None = None
    """The page's visible box and rotation, to turn displayed positions into a finding's ``box``."""

    @property
    def letters(self) -> int:
        return sum(sum(1 for c in line.text if c.isalpha()) for line in self.lines)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def body_size(self) -> float:
        """The most common font size, weighted by characters (the body text's size)."""
        weights: dict[float, int] = {}
        for line in self.lines:
            key = round(line.size * 2) / 2
            weights[key] = weights.get(key, 0) + len(line.text)
        return max(weights, key=lambda k: (weights[k], -k)) if weights else 0.0


def _scale(m: Sequence[float]) -> float:
    return (m[2] ** 2 + m[3] ** 2) ** 0.5


def extract_page(reader: PdfReader, number: int) -> PageText:
    """The lines of page ``number`` (1-based) with displayed positions; never raises."""
    try:
        page = reader.pages[number - 1]
        box = page_box(page) or PageBox(0, 0, 612, 792, 0)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001
        return PageText(number, 612, 792, error=f"{type(exc).__name__}: {exc}")
    width, height = box.visual
    out = PageText(number, width, height, box=box)
    lines = out.lines
    fonts: dict[int, bool] = {}

    def visit(text: str, cm: Sequence[float], tm: Sequence[float], font: Any, size: float) -> None:
        if not text:
            return
        try:
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            vx, vy = box.to_visual(float(x), float(y))
            eff = abs(float(size or 0)) * _scale(tm) * _scale(cm)
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001 - odd matrices
            return
        key = id(font)
        if key not in fonts:
            try:
                fonts[key] = bool(_BOLD.search(name_of(font.get("/BaseFont"))))
            except MemoryError:
                raise
            except Exception:  # noqa: BLE001 - no font, or a broken one
                fonts[key] = False
        bold = fonts[key]
        pieces = text.split("\n")
        for i, piece in enumerate(pieces):
            last = lines[-1] if lines else None
            if i == 0 and last is not None and not last.closed and abs(last.y - vy) <= max(1.0, 0.3 * eff):
                last.text += piece
            elif piece or i == 0:
                lines.append(Line(piece, vx, vy - i * eff * 1.2, eff, bold, estimated=i > 0))
            if i < len(pieces) - 1 and lines:
                lines[-1].closed = True

    try:
        page.extract_text(visitor_text=visit)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - hostile content streams raise anything
        out.error = f"{type(exc).__name__}: {exc}"
        log.debug("page %d: text extraction failed: %s", number, out.error)
    for line in lines:
        line.text = re.sub(r"\s+", " ", line.text).strip()
    out.lines = [line for line in lines if line.text]
    return out


class Pages:
    """Extracted pages, each extracted once, on demand."""

    def __init__(self, reader: PdfReader, count: int) -> None:
        self.reader = reader
        self.count = count
        self._pages: dict[int, PageText] = {}

    def __getitem__(self, number: int) -> PageText:
        if number not in self._pages:
            self._pages[number] = extract_page(self.reader, number)
        return self._pages[number]

    def extracted(self) -> list[PageText]:
        """Pages extracted so far, in page order."""
        return [self._pages[n] for n in sorted(self._pages)]


# --------------------------------------------------------------------------- folding


def fold(text: str) -> str:
    """Accents, case, quotes, dashes and ligatures folded; white space collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = ascii_fold(text).casefold()
    return re.sub(r"\s+", " ", text).strip()


def alnum_key(text: str) -> str:
    """Only the letters and digits of ``fold(text)``: line breaks, hyphens and spacing do not count."""
    return "".join(c for c in fold(text) if c.isalnum())


def tokens(text: str) -> list[str]:
    """Words of ``fold(text)``."""
    return re.findall(r"\w+", fold(text).replace("_", " "))


# --------------------------------------------------------------------------- references


def is_references_heading(line: Line, body_size: float) -> bool:
    """A line that is the references heading: the word alone (perhaps numbered), not smaller than the body."""
    if not _heading_key(line.text):
        return False
    return line.bold or body_size <= 0 or line.size >= 0.8 * body_size


def find_heading(page: PageText) -> Line | None:
    """The references heading of a page, if it has one (outside the top and bottom margins)."""
    size = page.body_size()
    for line in page.lines:
        if BOTTOM_ZONE <= line.y <= page.height - 36 and is_references_heading(line, size):
            return line
    return None


def _hint_pages(reader: PdfReader, count: int) -> list[int]:
    """Pages where the references probably start: bookmarks named so, the first bibliography anchor."""
    hints: list[int] = []
    try:
        outline = list(reader.outline)[:500]
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001
        outline = []
    stack = [outline]
    seen = 0
    while stack and seen < 1000:
        level = stack.pop()
        for item in level:
            seen += 1
            if isinstance(item, list):
                stack.append(item[:500])
                continue
            try:
                title = re.sub(r"[\W\d_]+", "", fold(str(item.title)))
                if title in _HEADING_WORDS:
                    number = reader.get_destination_page_number(item)
                    if number is not None and 0 <= number < count:
                        hints.append(number + 1)
            except MemoryError:
                raise
            except Exception:  # noqa: BLE001
                continue
    try:
        first = None
        dests = reader.named_destinations
        for name, dest in list(dests.items())[:20000]:
            if not str(name).startswith(("cite.", "bib.", "bib")):
                continue
            try:
                number = reader.get_destination_page_number(dest)
            except MemoryError:
                raise
            except Exception:  # noqa: BLE001
                continue
            if number is not None and 0 <= number < count and (first is None or number < first):
                first = number
        if first is not None:
            hints.extend([first + 1, first])
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001
        pass
    return [h for h in dict.fromkeys(hints) if 1 <= h <= count]


_QUICK = (b"EFER", b"efer", b"IBLIO", b"iblio", b"ITERAT", b"iterat", b"45464552", b"65666572")
_LITERAL = rb"\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)"
_HEX = rb"<[0-9A-Fa-f\s]*>"
_SHOW = re.compile(
    rb"\[((?:\s*(?:" + _LITERAL + rb"|" + _HEX + rb"|[-+]?\d*\.?\d+))*)\s*\]\s*TJ"
    rb"|(" + _LITERAL + rb"|" + _HEX + rb")\s*(?:Tj|'|\")", re.DOTALL)
_PIECE = re.compile(_LITERAL + rb"|" + _HEX, re.DOTALL)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _unescape(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    if code[:1].isdigit():
        return bytes([int(code, 8) & 255])
    if code in (b"\r\n", b"\n", b"\r"):
        return b""  # a backslash before a line end continues the string
    return _ESCAPES.get(code, code)


def _string_bytes(token: bytes) -> bytes:
    """The bytes of a PDF string token, literal or hex."""
    if token.startswith(b"<"):
        digits = re.sub(rb"\s+", b"", token[1:-1])
        if len(digits) % 2:
            digits += b"0"
        try:
            return bytes.fromhex(digits.decode("ascii"))
        except ValueError:
            return b""
    return re.sub(rb"\\([0-7]{1,3}|\r\n|.)", _unescape, token[1:-1], flags=re.DOTALL)


def raw_heading(reader: PdfReader, number: int, limit: int = 4_000_000) -> bool:
    """Whether the page's own content stream shows the references heading as one string (fast path).

    True when a single text-showing operation (``Tj`` or a kerned ``TJ`` array) spells exactly
    "References" (perhaps numbered): how TeX, ReportLab and most producers with simple fonts write
    a heading. False says nothing: fonts with other encodings, or text in form XObjects, need
    :func:`find_heading` on the extracted text.
    """
    try:
        contents = reader.pages[number - 1].get_contents()
        data = contents.get_data() if contents is not None else b""
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001
        return False
    if not data or len(data) > limit or not any(q in data for q in _QUICK):
        return False
    for match in _SHOW.finditer(data):
        operand = match.group(1) if match.group(1) is not None else match.group(2)
        if len(operand) > 200:
            continue
        text = b"".join(_string_bytes(p.group(0)) for p in _PIECE.finditer(operand)).decode("latin-1")
        if _heading_key(text):
            return True
    return False


def _heading_key(text: str) -> bool:
    """Whether ``text`` reads as the references heading, perhaps numbered ("7 References", "VII. REFERENCES")."""
    if not text.strip() or len(text) > 40 or not (text.strip()[0].isupper() or text.strip()[0].isdigit()):
        return False
    key = re.sub(r"[\s:.\u00a0]+", "", fold(text))
    return key in _HEADING_WORDS or _HEADING_PREFIX.sub("", key, count=1) in _HEADING_WORDS


def find_references(pages: Pages) -> int | None:
    """The page whose heading opens the references.

    First the fast path over the raw content streams, from the last page back; then the text of
    the pages where bookmarks and bibliography anchors place the references, then every page from
    the last one back.
    """
    count = pages.count
    for number in range(count, 0, -1):
        if raw_heading(pages.reader, number):
            return number
    order = _hint_pages(pages.reader, count) + list(range(count, 0, -1))
    for number in dict.fromkeys(order):
        if find_heading(pages[number]) is not None:
            return number
    return None


# --------------------------------------------------------------------------- review leftovers


def find_line_numbers(page: PageText) -> bool:
    """Whether the page has review-mode line numbers: a run of consecutive numbers in a side margin."""
    numbers = [ln for ln in page.lines if ln.text.isdigit() and len(ln.text) <= 5 and not ln.estimated]
    if len(numbers) < LINE_NUMBER_RUN:
        return False
    others = sorted(ln.x for ln in page.lines if len(ln.text) >= 3 and not ln.text.isdigit()
                    and BOTTOM_ZONE <= ln.y <= page.height - 36)
    if len(others) < 5:
        return False
    lo = others[len(others) // 20]
    hi = others[-1 - len(others) // 20]
    numbers.sort(key=lambda ln: ln.x)
    clusters: list[list[Line]] = [[numbers[0]]]
    for ln in numbers[1:]:
        if ln.x - clusters[-1][-1].x <= max(8.0, 2 * ln.size):
            clusters[-1].append(ln)
        else:
            clusters.append([ln])
    for cluster in clusters:
        if len(cluster) < LINE_NUMBER_RUN:
            continue
        x = statistics.median(ln.x for ln in cluster)
        left = x < lo - 2 and x < 0.2 * page.width
        right = x > hi + 2 and x > 0.8 * page.width
        if not (left or right):
            continue
        cluster.sort(key=lambda ln: -ln.y)
        run = best = 1
        for a, b in zip(cluster, cluster[1:]):
            run = run + 1 if int(b.text) == int(a.text) + 1 and b.y < a.y else 1
            best = max(best, run)
        if best >= LINE_NUMBER_RUN:
            return True
    return False


_LEFTOVERS: list[tuple[str, re.Pattern[str], str, str]] = [
    ("anonymous", re.compile(r"(?:^|\n)anonymous\s+(?:author(?:s|\(s\))?|submission)\b|anonymous\s+author\(s\)"),
     "\"Anonymous Author(s)\" (the review version's author block)",
     "Compile the camera-ready version: remove the 'anonymous' and 'review' options of \\documentclass and "
     "give the real authors."),
    ("draft-footer", re.compile(r"unpublished\s+working\s+draft"),
     "the footer \"Unpublished working draft. Not for distribution.\"",
     "Remove the 'authordraft' option of \\documentclass (use \\documentclass[sigconf]{acmart})."),
    ("submission-id", re.compile(r"submission\s+id\b"), "\"Submission ID\" (the review version's header)",
     "Remove the submission number (\\acmSubmissionID) and the 'review' option; compile the camera-ready version."),
]

_DRAFT = _LEFTOVERS[1][1]

_PLACEHOLDERS: list[tuple[str, re.Pattern[str]]] = [
    ("Conference acronym 'XX", re.compile(r"conference\s+acronym\s*'\s*xx")),
    ("Woodstock", re.compile(r"\bwoodstock\b")),
    ("XXXXXXX.XXXXXXX", re.compile(r"\bx{7}\s*\.\s*x{7}\b")),
    ("978-1-4503-XXXX-X", re.compile(r"978-1-4503-x{4}-x")),
    ("10.1145/nnnnnnn.nnnnnnn", re.compile(r"10\.1145/n{7}\.n{7}")),
    ("Make sure to enter the correct conference title",
     re.compile(r"make\s+sure\s+to\s+enter\s+the\s+correct\s+conference\s+title")),
]


def check_leftovers(pages: list[PageText], profile: str) -> list[Finding]:
    """Review and draft leftovers; template placeholders (profile acm-sigconf)."""
    out: list[Finding] = []
    numbered = [p.number for p in pages if find_line_numbers(p)]
    if numbered:
        out.append(Finding(
            "line-numbers", "error", numbered[0],
            f"Line numbers in the margins (review mode), first seen on page {numbered[0]}.",
            "Remove the 'review' option of \\documentclass (or \\linenumbers) and compile the camera-ready version."))
    folded = {p.number: "\n".join(fold(line.text) for line in p.lines) for p in pages}
    for rule, pattern, what, fix in _LEFTOVERS:
        hits = [n for n, text in folded.items() if pattern.search(text)]
        if hits:
            out.append(Finding(rule, "error", hits[0], f"The paper still shows {what} on {on_pages(hits)}.", fix))
    if profile == "acm-sigconf":
        found: dict[str, int] = {}
        for number, text in folded.items():
            for label, pattern in _PLACEHOLDERS:
                if pattern.search(text):
                    found.setdefault(label, number)
        if found:
            first = min(found.values())
            if len(set(found.values())) == 1:
                listed = ", ".join(f"\"{label}\"" for label in found) + f" (page {first})"
            else:
                listed = ", ".join(f"\"{label}\" (page {page})" for label, page in found.items())
            out.append(Finding(
                "placeholders", "error", first, f"Template placeholders left in: {listed}.",
                "Replace the acmart template's sample values with those of your rights form: \\acmConference, "
                "\\acmBooktitle, \\acmYear, \\acmDOI, \\acmISBN and \\copyrightyear (the ACM rights e-mail gives "
                "the exact commands)."))
    return out


# --------------------------------------------------------------------------- page 1: title and authors


def _contains_tokens(haystack: list[str], needle: list[str]) -> bool:
    if not needle:
        return True
    n = len(needle)
    first = needle[0]
    return any(haystack[i] == first and haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def author_on_page(name: str, family: str | None, page_tokens: list[str], page_key: str) -> bool:
    """Whether ``name`` is printed: as written, or as family name with a given name or initial."""
    name_tokens = tokens(name)
    if _contains_tokens(page_tokens, name_tokens):
        return True
    key = alnum_key(name)
    if len(key) >= 8 and key in page_key:
        return True
    fam = tokens(family) if family else name_tokens[-1:]
    given = [t for t in name_tokens if t not in fam]
    if fam and _contains_tokens(page_tokens, fam):
        if not given:
            return True
        g = given[0]
        return g in page_tokens or g[:1] in page_tokens
    return False


def check_title_authors(page1: PageText, title: str, authors: Iterable[tuple[str, str | None]]) -> list[Finding]:
    """Warnings when the title or an author of papers.yaml is not on page 1."""
    text = page1.text
    page_key = alnum_key(text)
    page_tokens = tokens(text)
    out = []
    title_key = alnum_key(title)
    if title_key and title_key not in page_key:
        out.append(Finding(
            "title", "warning", 1, f"The title in papers.yaml, \"{title}\", is not on page 1 as given.",
            "Make the paper's title and the title in papers.yaml the same (wording, spelling); tell the chair "
            "if papers.yaml is wrong."))
    missing = [name for name, family in authors if not author_on_page(name, family, page_tokens, page_key)]
    if missing:
        out.append(Finding(
            "authors", "warning", 1,
            f"{'Author' if len(missing) == 1 else 'Authors'} of papers.yaml not found on page 1: "
            + ", ".join(missing) + ".",
            "List every author on page 1 as in papers.yaml (same spelling); tell the chair if papers.yaml is wrong."))
    return out


# --------------------------------------------------------------------------- margins, scans, language


def check_bottom_margin(pages: list[PageText]) -> list[Finding]:
    """A warning when text sits where the page number will be stamped."""
    hits: list[tuple[int, str]] = []
    where: tuple[float, float, float, float] | None = None
    for page in pages:
        for line in page.lines:
            if (not line.estimated and -2 <= line.y < BOTTOM_ZONE and 0 <= line.x <= page.width
                    and any(c.isalnum() for c in line.text)
                    and not _DRAFT.search(fold(line.text))):  # the draft footer has its own finding
                hits.append((page.number, line.text))
                if where is None and page.box is not None:  # the first line's extent, its width estimated
                    right = min(page.width, line.x + 0.5 * line.size * len(line.text))
                    where = page.box.user_box(line.x, line.y - 0.3 * line.size, right, line.y + 0.8 * line.size)
                break
    if not hits:
        return []
    sample = hits[0][1] if len(hits[0][1]) <= 60 else hits[0][1][:57] + "…"
    return [Finding(
        "bottom-margin", "warning", hits[0][0],
        f"Text in the bottom margin, where the page number will be stamped, on "
        f"{on_pages([n for n, _ in hits])}: \"{sample}\".",
        "Keep the bottom 0.55 in (40 pt) of every page empty: remove footers and page numbers, keep figures "
        "and tables inside the text block.", box=where)]


_STOP = {
    "en": set("the of and to in a is that for on with as by we this are be from our an it which can at or not these "
              "their its was were has have been such than also but into more each other both however between "
              "when where while using based show results paper propose proposed".split()),
    "de": set("der die das und ist nicht ein eine einer eines zu den dem des mit auf sich für von werden wird "
              "auch als bei wir sind dass oder aus nach wie über zur zum im durch diese dieser kann".split()),
    "fr": set("le la les et des du un une est que qui dans pour pas sur au aux avec par nous sont cette ce "
              "ces il elle ont été être leur plus entre".split()),
    "es": set("el la los las y de del que en un una es por con para se su sus como más al lo este esta son "
              "entre pero también".split()),
    "it": set("il lo la gli le di che e è un una per con non sono della delle dei nel nella questo questa "
              "anche come più tra".split()),
    "pt": set("o os a as de do da dos das que e é um uma para com não em no na por se mais como são este esta "
              "também entre".split()),
    "nl": set("de het een en van is dat op te zijn met voor niet aan er ook als bij door wordt worden deze "
              "naar maar".split()),
}
_LANG_NAMES = {"de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch"}


def guess_language(text: str) -> tuple[str, float] | None:
    """("en", share) or the language that fits better; None when there is too little text to tell.

    Counts function words: English prose is about a third of them. Text is called another language
    only when that language's function words are common and clearly more common than English ones,
    so that tables, formulas and word lists (few function words of any language) pass.
    """
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 400:
        return None
    latin = sum(1 for c in letters if c.isascii() or "\u00c0" <= c <= "\u024f")
    if latin < 0.5 * len(letters):
        return ("non-latin", 1 - latin / len(letters))
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 80:
        return None
    lengths = [len(w) for w in words]
    if statistics.mean(lengths) > 11 or sum(1 for n in lengths if n == 1) > 0.3 * len(words):
        return None  # words glued together, or glyph codes instead of text: cannot tell
    if "lorem ipsum" in " ".join(words):
        return ("lorem", 1.0)
    share = {lang: sum(1 for w in words if w in stop) / len(words) for lang, stop in _STOP.items()}
    other = max((lang for lang in share if lang != "en"), key=lambda lang: share[lang])
    if share[other] >= 0.08 and share[other] > 1.5 * share["en"]:
        return (other, share[other])
    return ("en", share["en"])


def check_language(pages: list[PageText]) -> list[Finding]:
    """A warning when the text does not look English."""
    text = "\n".join(line.text for p in pages for line in p.lines if BOTTOM_ZONE <= line.y)
    guess = guess_language(text)
    if guess is None or guess[0] == "en":
        return []
    lang = guess[0]
    if lang == "lorem":
        what = "The text is placeholder Latin (\"Lorem ipsum…\"), not English."
    elif lang == "non-latin":
        what = "The text does not look English: it is mostly in a non-Latin script."
    else:
        what = f"The text does not look English (it looks {_LANG_NAMES.get(lang, 'like another language')})."
    first = pages[0].number if pages else None
    return [Finding(
        "language", "warning", first, what,
        "Papers of this venue are in English; send the final English version (a second-language abstract is "
        "fine after the English one).")]


# --------------------------------------------------------------------------- the whole text stage


@dataclass
class TextResult:
    """What the text checks found."""

    findings: list[Finding]
    references_page: int | None
    has_text: bool


def check_text(reader: PdfReader, count: int, *, has_fonts: bool, title: str,
               authors: Sequence[tuple[str, str | None]], profile: str) -> TextResult:
    """Every text check, extracting as few pages as the checks need."""
    pages = Pages(reader, count)
    findings: list[Finding] = []
    if not has_fonts:
        return TextResult([_no_text(count, fonts=False)], None, False)
    tried = [1] + sorted({min(2, count), (count + 1) // 2, count} - {1})
    if not any(pages[number].letters >= MIN_LETTERS for number in tried):
        return TextResult([_no_text(count, fonts=True)], None, False)
    references = find_references(pages)
    extracted = pages.extracted()
    findings.extend(check_leftovers(extracted, profile))
    findings.extend(check_title_authors(pages[1], title, authors))
    findings.extend(check_bottom_margin(extracted))
    body = [p for p in extracted if references is None or p.number < references] or [pages[1]]
    findings.extend(check_language(body))
    return TextResult(findings, references, True)


def _no_text(count: int, fonts: bool) -> Finding:
    why = "it uses no fonts at all" if not fonts else "no page tried gives any text"
    return Finding(
        "no-text", "error", 1,
        f"The PDF has no extractable text ({why}): it looks like a scanned or printed-to-image paper"
        + (f" ({plural(count, 'page')})." if count else "."),
        "Export the PDF directly from LaTeX or your word processor (not by scanning, printing to an image, "
        "or 'print as image'), so that its text can be searched, indexed and read aloud.")

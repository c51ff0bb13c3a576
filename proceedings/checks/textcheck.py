"""Text helpers of the checks: folding, the references heading, author names, the language guess.

The checks themselves are modules of this package registered in :mod:`proceedings.checks.registry`;
the text they read comes from :mod:`proceedings.pdf.textlayer`.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections import Counter
from typing import Any

from pikepdf import Array, Pdf, Stream

from proceedings.checks.pdfcheck import page_object
from proceedings.pdf.streams import decoded
from proceedings.text import ascii_fold

try:
    from re import _parser as _sre_parse  # type: ignore[attr-defined]  # Python 3.11 and later
except ImportError:  # Python 3.10
    import sre_parse as _sre_parse

log = logging.getLogger(__name__)

HEADING_WORDS = {
    "references", "bibliography", "referencesandnotes", "literaturecited", "workscited",
    "citedreferences", "referencescited",
    # other languages: the paper is then flagged for its language, but its length is still right
    "literatur", "literaturverzeichnis", "bibliographie", "referencias", "bibliografia",
    "riferimenti", "riferimentibibliografici", "referenties", "literatuur",
}
_HEADING_PREFIX = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*|[ivxlc]{1,6})?\.?")


# --------------------------------------------------------------------------- folding


def fold(text: str) -> str:
    """Accents, case, quotes, dashes and ligatures folded; white space collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = ascii_fold(text).casefold()
    return " ".join(text.split())  # str.split() splits at the white space a pattern's \s matches


def fold_lines(text: str) -> str:
    """:func:`fold` for a whole page: line breaks kept, other white space collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = ascii_fold(text).casefold()
    if "  " not in text and not _odd_space(text):  # single spaces only: each line is as it would be made
        return text
    return "\n".join(map(_one_space, text.split("\n")))


_ODD_SPACE = re.compile(r"[^\S \n]")
"""White space other than a space or a line break."""


def _odd_space(text: str) -> bool:
    """Whether ``text`` has white space other than a space or a line break. Every such character is a separator or a
    control character, which :meth:`str.isprintable` refuses at a few instructions a character (the pattern, tried
    at every character, costs ten times that); PDFium's mark of a broken word (U+FFFE, on nearly every page) is no
    white space and is set aside first. Only text with some other such character needs the pattern."""
    if text.replace("\n", " ").replace("\ufffe", " ").isprintable():
        return False
    return _ODD_SPACE.search(text) is not None


def _one_space(line: str) -> str:
    """Each run of white space in ``line`` as one space, at its ends too (a regular expression's substitution
    tries every character; splitting runs in C)."""
    inner = " ".join(line.split())
    if not inner:
        return " " if line else ""
    return (" " if line[0].isspace() else "") + inner + (" " if line[-1].isspace() else "")


@functools.lru_cache(maxsize=256)
def required_text(pattern: re.Pattern[str]) -> str:
    """The longest run of plain characters that every match of ``pattern`` contains ("" when none is known): text
    without it cannot match, and ``in`` finds it far faster than the pattern is searched for."""
    if pattern.flags & (re.IGNORECASE | re.VERBOSE) or not isinstance(pattern.pattern, str):
        return ""
    try:
        items = _sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - an expression the parser of this Python reads otherwise: no shortcut
        return ""
    best, run = "", ""
    for op, arg in items:  # the top level only: each item there is in every match, in order
        if op is _sre_parse.LITERAL:
            run += chr(arg)
        elif op in (_sre_parse.MAX_REPEAT, _sre_parse.MIN_REPEAT) and len(arg[2]) == 1 \
                and arg[2][0][0] is _sre_parse.LITERAL and arg[0] >= 1:  # x{7}: seven x at least
            run += chr(arg[2][0][1]) * arg[0]
            best = max(best, run, key=len)
            if arg[1] != arg[0]:  # x{2,5}: what follows is after some more x
                run = chr(arg[2][0][1]) * arg[0]
            continue
        else:
            run = ""
        best = max(best, run, key=len)
    return best


DRAFT_MARK = re.compile(r"unpublished\s+working\s+draft")
"""acmart's draft footer, "Unpublished working draft. Not for distribution.", as it begins (folded)."""
_DRAFT_REST = re.compile(r"\W*not for distribution\W*")


def is_draft_mark(text: str) -> bool:
    """Whether ``text`` is a piece of acmart's draft footer (the ``draft-footer`` rule's): its beginning, or its
    end alone, "Not for distribution." (PDFium may cut it there). Only a page that shows the footer has it:
    see :func:`~proceedings.checks.exempt.exempt_ids`."""
    lower = text.lower()
    if "unpublished" in lower:
        return DRAFT_MARK.search(fold(text)) is not None
    return "distribution" in lower and _DRAFT_REST.fullmatch(fold(text)) is not None


WATERMARK = re.compile(r"(?:draft(?:\s+copy|\s+version)?|preliminary\s+version|do\s+not\s+distribute)")
"""What a draft watermark says, the whole of its span (folded): draftwatermark's "DRAFT", a class's draft option."""
WATERMARK_SIZE = 2.0
"""How many times the body's size a watermark's letters are, at least."""


def is_watermark(text: str, size: float, body: float) -> bool:
    """Whether a span of ``text`` at ``size`` points, on a page whose body is ``body`` points, is a draft
    watermark (the ``draft-footer`` rule's; the geometry rules leave it to that rule)."""
    return size >= WATERMARK_SIZE * (body or 10.0) and WATERMARK.fullmatch(fold(text)) is not None


_NOT_ALNUM = re.compile(r"[\W_]+")
"""What :meth:`str.isalnum` refuses: anything but a letter or a digit."""


def alnum_key(text: str) -> str:
    """Only the letters and digits of ``fold(text)``: line breaks, hyphens and spacing do not count."""
    return _NOT_ALNUM.sub("", fold(text))


def tokens(text: str) -> list[str]:
    """Words of ``fold(text)``."""
    return words_of(fold(text))


def words_of(folded: str) -> list[str]:
    """:func:`tokens` of text folded already (by :func:`fold` or :func:`fold_lines`: spacing does not count). Joined,
    they are its :func:`alnum_key`: every letter and digit, in order."""
    return _WORD.findall(folded.replace("_", " "))


_WORD = re.compile(r"\w+")


# --------------------------------------------------------------------------- references


def is_references_heading(line: Any, body_size: float) -> bool:
    """A line that is the references heading: the word alone (perhaps numbered), not smaller than the body."""
    if not _heading_key(line.text):
        return False
    return line.bold or body_size <= 0 or line.size >= 0.8 * body_size


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


def raw_heading(pdf: Pdf, number: int, limit: int = 4_000_000) -> bool:
    """Whether the page's own content stream shows the references heading as one string (fast path).

    True when a single text-showing operation (``Tj`` or a kerned ``TJ`` array) spells exactly
    "References" (perhaps numbered): how TeX, ReportLab and most producers with simple fonts write
    a heading. False says nothing: fonts with other encodings, or text in form XObjects, need
    :func:`find_heading` on the extracted text.
    """
    try:
        data = page_content(page_object(pdf, number), limit)
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


def page_content(page: Any, limit: int) -> bytes:
    """A page's content decoded (the streams of a /Contents array joined, each ended by a line break), or as
    much of it as passes ``limit``; empty when it has none. Raises when a stream does not decode."""
    contents = page.get("/Contents")
    if isinstance(contents, Stream):
        return decoded(contents)
    if not isinstance(contents, Array) or len(contents) > 10_000:
        return b""
    data = bytearray()
    for item in contents:
        if item is None:
            continue
        if isinstance(item, Stream):
            data += decoded(item)
            if len(data) > limit:
                break
        if not data or data[-1:] != b"\n":
            data += b"\n"
    return bytes(data)


def _heading_key(text: str) -> bool:
    """Whether ``text`` reads as the references heading, perhaps numbered ("7 References", "VII. REFERENCES")."""
    if not text.strip() or len(text) > 40 or not (text.strip()[0].isupper() or text.strip()[0].isdigit()):
        return False
    key = re.sub(r"[\s:.\u00a0]+", "", fold(text))
    return key in HEADING_WORDS or _HEADING_PREFIX.sub("", key, count=1) in HEADING_WORDS


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


_LETTERS = re.compile(r"[^\W\d_]+")
"""Runs of letters."""
_NOT_LATIN = re.compile(r"[^\x00-\x7f\u00c0-\u024f]+")
"""Deleted from the letters, it leaves those that are ASCII or Latin-1, Extended-A or Extended-B."""


def guess_language(text: str) -> tuple[str, float] | None:
    """("en", share) or the language that fits better; None when there is too little text to tell.

    Counts function words: English prose is about a third of them. Text is called another language
    only when that language's function words are common and clearly more common than English ones,
    so that tables, formulas and word lists (few function words of any language) pass.
    """
    found = _LETTERS.findall(text)
    letters = "".join(found)
    if len(letters) < 400:
        return None
    if letters.isascii():  # no non-letter lower-cases to a letter: text.lower()'s words are these, lower-cased
        joined = " ".join(found).lower()
        words = joined.split(" ")
        latin = len(letters)
    else:
        latin = len(_NOT_LATIN.sub("", letters))
        if latin < 0.5 * len(letters):
            return ("non-latin", 1 - latin / len(letters))
        words = _LETTERS.findall(text.lower())
        joined = " ".join(words)
    if len(words) < 80:
        return None
    lengths = list(map(len, words))
    if sum(lengths) / len(lengths) > 11 or lengths.count(1) > 0.3 * len(words):
        return None  # words glued together, or glyph codes instead of text: cannot tell
    if "lorem ipsum" in joined:
        return ("lorem", 1.0)
    counts = Counter(words)
    share = {lang: sum(counts[w] for w in stop if w in counts) / len(words) for lang, stop in _STOP.items()}
    other = max((lang for lang in share if lang != "en"), key=lambda lang: share[lang])
    if share[other] >= 0.08 and share[other] > 1.5 * share["en"]:
        return (other, share[other])
    return ("en", share["en"])

"""Type 3 fonts: bitmap ones are an error, named by what they really are and why the paper has them.

A Type 3 font draws each glyph with a small content stream. When those streams paint images
(METAFONT bitmaps that pdfTeX embeds when no scalable version of a font is installed, emoji pasted
from a web page) the text prints blurry and cannot be searched reliably: an error. When they
paint paths (matplotlib's default ``pdf.fonttype: 3``) the glyphs are sharp: a warning.

pdfTeX names its bitmap fonts after the resource key (``/Name /F33``), which tells an author
nothing; the font's advance widths tell which EC (T1 Computer Modern) font it is
(:mod:`proceedings.checks.ecmetrics`).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from typing import Any

from pikepdf import Stream

from proceedings.checks.ecmetrics import EC_WIDTHS
from proceedings.checks.pdfcheck import (
    FontReport,
    elements,
    get,
    items,
    name_of,
)
from proceedings.checks.streams import Bomb, Damaged, decoded_data
from proceedings.findings import Finding
from proceedings.text import some_of

GLYPHS_SAMPLED = 12
"""Glyph procedures read per font to tell bitmap from vector."""
WIDTH_TOLERANCE = 0.012
"""Largest relative difference of a letter's width from an EC font's for the font to be named after it."""

_FAMILIES = {
    "rm": "Computer Modern Roman", "bx": "Computer Modern Bold", "ti": "Computer Modern Italic",
    "sl": "Computer Modern Slanted", "tt": "Computer Modern Typewriter", "ss": "Computer Modern Sans",
    "cc": "Computer Modern Small Caps", "bi": "Computer Modern Bold Italic", "sx": "Computer Modern Sans Bold",
    "it": "Computer Modern Math Italic",
}
_KEY_LIKE = re.compile(r"^(?:F\d+|T3_?\d+(?:_\d+)?|F[a-z]{1,2}|R\d+|Font\d*|[A-Z]{1,2}\d*|g\d+)$")
"""Names that are resource keys or producer counters, not font names."""
_INLINE_IMAGE = re.compile(rb"(?:^|\s)BI\s")
_XOBJECT_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s+Do\b")


@functools.cache
def _ec_table() -> dict[str, list[int]]:
    table = {}
    for line in EC_WIDTHS.strip().splitlines():
        name, *widths = line.split()
        table[name] = [int(w) for w in widths]
    return table


@dataclass(frozen=True)
class Type3Font:
    """What one Type 3 font is."""

    page: int
    name: str
    """Its real name when known ("ecrm1000", "DejaVuSans"), else ""."""
    kind: str
    """``bitmap`` (glyphs paint images), ``vector`` (paths) or ``empty``."""
    ec: str = ""
    """The EC font its widths match (pdfTeX bitmap fonts), else ""."""
    producer_pdftex: bool = False
    """Made the way pdfTeX makes METAFONT bitmap fonts (``d1`` glyphs of 1-bit inline images)."""
    ot1: bool = False
    """Characters at OT1's ligature codes (11 to 15): Computer Modern itself, not EC, unless a font of the paper
    has T1's (27 to 31; in T1, 11 to 15 are accents: ogonek, cedilla)."""
    t1: bool = False
    """Characters at T1's ligature codes (27 to 31)."""

    def describe(self) -> str:
        if self.ec:
            size = int(self.ec[4:]) / 100
            return f"{self.ec} ({_FAMILIES.get(self.ec[2:4], 'Computer Modern')} {size:g} pt, T1 encoding)"
        return self.name or "an unnamed font"


def real_name(font: Any) -> str:
    """The font's own name (BaseFont, the descriptor's FontName, /Name), subset prefix dropped; "" if none."""
    for value in (get(font, "/BaseFont"), get(get(font, "/FontDescriptor"), "/FontName"), get(font, "/Name")):
        name = name_of(value)
        if len(name) > 7 and name[6] == "+" and name[:6].isalpha() and name[:6].isupper():
            name = name[7:]
        if name and not _KEY_LIKE.match(name):
            return name
    return ""


Widths = tuple[float, int, list[float]]
"""A Type 3 font's /FontMatrix scale, /FirstChar and /Widths."""


def read_widths(font: Any) -> Widths | None:
    """The font's widths as :func:`match_ec` and :func:`ligature_codes` read them (None: unreadable)."""
    try:
        scale = float(elements(get(font, "/FontMatrix"), 6)[0])
        first = int(get(font, "/FirstChar"))
        return scale, first, [float(w) for w in elements(get(font, "/Widths"), 256)]
    except (TypeError, ValueError, IndexError):
        return None


def ligature_codes(read: Widths) -> tuple[bool, bool]:
    """Whether the font has characters at OT1's ligature codes (ff, fi, fl, ffi, ffl: 11 to 15) and at T1's (27
    to 31): pdfTeX gives an unused code no width, so the codes a paper's text used show its encoding (EC's
    letters have CM's widths)."""
    _, first, widths = read

    def used(codes: range) -> bool:
        return any(0 <= c - first < len(widths) and widths[c - first] > 0 for c in codes)

    return used(range(11, 16)), used(range(27, 32))


def match_ec(read: Widths) -> str:
    """The EC font whose letter widths a font's /Widths have (within 1.2 %), or ""."""
    scale, first, widths = read
    mine = {}
    for code in range(97, 123):
        if 0 <= code - first < len(widths) and widths[code - first] > 0:
            mine[code - 97] = widths[code - first] * scale * 1000
    if len(mine) < 4:
        return ""
    best, best_error = "", WIDTH_TOLERANCE
    for name, ref in _ec_table().items():
        error = round(max(abs(w - ref[i]) / ref[i] for i, w in mine.items()), 3)
        if error < best_error or (not best and error == best_error):  # ties: the first (roman before slanted)
            best, best_error = name, error
    return best


GLYPH_LIMIT = 1024 * 1024
"""Most bytes a glyph procedure is decoded to (a glyph past it is read as empty: a bomb is not searched)."""


def _glyph_data(stream: Any) -> bytes:
    if not isinstance(stream, Stream):
        return b""
    try:
        return decoded_data(stream, GLYPH_LIMIT) or b""  # None: an image codec (no glyph procedure is one)
    except (Damaged, Bomb):
        return b""


def classify(page: int, font: Any) -> Type3Font:
    """Read a few glyph procedures of a Type 3 font: do they paint images or paths?"""
    images = {key for key, ref in items(get(get(font, "/Resources"), "/XObject"))
              if name_of(get(ref, "/Subtype")) == "Image"}
    bitmap = vector = inline = 0
    for _, proc in list(items(get(font, "/CharProcs")))[:GLYPHS_SAMPLED]:
        data = _glyph_data(proc)
        if _INLINE_IMAGE.search(data):
            bitmap += 1
            inline += 1
        elif any("/" + m.decode("latin-1") in images for m in _XOBJECT_DO.findall(data)):
            bitmap += 1
        elif data.strip():
            vector += 1
    kind = "bitmap" if bitmap else "vector" if vector else "empty"
    pdftex = inline > 0 and name_of(get(font, "/Name")).startswith("F")
    read = read_widths(font) if kind == "bitmap" else None
    ec = match_ec(read) if read is not None else ""
    low, high = ligature_codes(read) if ec and read is not None else (False, False)  # a text font's (not math's)
    return Type3Font(page, real_name(font), kind, ec, pdftex, low, high)


def _listing(fonts: list[Type3Font], limit: int = 4) -> str:
    return some_of(list(dict.fromkeys(f.describe() for f in fonts)), limit)


def check_type3(report: FontReport) -> list[Finding]:
    """An error for bitmap Type 3 fonts (named, with the likely cause); a warning for vector ones."""
    fonts = [classify(page, font) for page, font in report.type3_fonts]
    bitmap = [f for f in fonts if f.kind == "bitmap"]
    ot1 = any(f.ot1 for f in bitmap) and not any(f.t1 for f in bitmap)  # the paper's encoding
    if ot1:  # its fonts' letters have the EC fonts' widths, and are CM's
        bitmap = [dataclasses.replace(f, ec="") for f in bitmap]
    vector = [f for f in fonts if f.kind != "bitmap"]
    out = []
    if bitmap:
        first = min(f.page for f in bitmap)
        if any(f.ec for f in bitmap):
            cause = ("the text is in T1-encoded Computer Modern (\\usepackage[T1]{fontenc}) and the machine that "
                     "made the PDF has no scalable version of it (the cm-super fonts), so pdfTeX embedded METAFONT "
                     "bitmaps")
            fix = ("Install cm-super (TeX Live: tlmgr install cm-super; Debian/Ubuntu: apt install cm-super) or add "
                   "\\usepackage{lmodern} after \\usepackage[T1]{fontenc}, then compile again; with acmart, do not "
                   "load fontenc or other font packages yourself. Check with pdffonts that no font is 'Type 3'.")
        elif ot1 and any(f.producer_pdftex for f in bitmap):
            cause = ("the text is in Computer Modern (OT1, LaTeX's default) and the machine that made the PDF has no "
                     "Type 1 version of it, so pdfTeX embedded METAFONT bitmaps")
            fix = ("Install the Type 1 Computer Modern fonts (TeX Live: tlmgr install amsfonts; Debian/Ubuntu: apt "
                   "install texlive-fonts-recommended) and run updmap-sys, or add \\usepackage{lmodern}; then compile "
                   "again. Check with pdffonts that no font is 'Type 3'.")
        elif any(f.producer_pdftex for f in bitmap):
            cause = ("a LaTeX package uses a font that has only METAFONT sources on the machine that made the PDF, "
                     "so pdfTeX embedded bitmaps")
            fix = ("Find the package that loads the font (pdffonts lists it as Type 3) and use one with Type 1 or "
                   "OpenType fonts, or install the font's Type 1 version; then compile again.")
        else:
            cause = "its glyphs are pictures (a bitmap font, or emoji and symbols pasted as images)"
            fix = ("Use scalable (Type 1, TrueType or OpenType) fonts; replace pasted emoji or symbols by text in an "
                   "embedded font; re-export figures with their fonts embedded (matplotlib: rcParams['pdf.fonttype']"
                   " = 42).")
        out.append(Finding(
            "type3-fonts", "error", first,
            f"Bitmap (Type 3) fonts from page {first}: {_listing(bitmap)}. They print blurry and are refused by "
            f"the publisher's checks; likely cause: {cause}.", fix))
    if vector:
        first = min(f.page for f in vector)
        out.append(Finding(
            "type3-fonts", "warning", first,
            f"Type 3 fonts (outlines, not bitmaps) from page {first}: {_listing(vector)} "
            "(typical of matplotlib figures saved with the default pdf.fonttype 3); "
            "they print sharp but are not searchable everywhere.",
            "Re-export the figures with TrueType fonts (matplotlib: rcParams['pdf.fonttype'] = 42) or Type 1 fonts."))
    return out

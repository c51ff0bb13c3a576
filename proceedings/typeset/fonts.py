"""Fonts: one serif family with wide Unicode coverage, installed by pip, embedded in every PDF.

The family is Noto Serif (package ``fontpkg-noto-serif``, SIL OFL), shipped as variable
fonts. ReportLab needs static TrueType fonts, so the four styles are instanced once with
fontTools and kept in a cache folder (``PROCEEDINGS_FONT_DIR`` or the user cache).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import sys
import unicodedata
from pathlib import Path

from proceedings.util.atomic import atomic_open

log = logging.getLogger(__name__)

FAMILY = "ProcSerif"
STYLES = {
    "Regular": ("NotoSerif[wdth,wght].ttf", 400),
    "Bold": ("NotoSerif[wdth,wght].ttf", 700),
    "Italic": ("NotoSerif-Italic[wdth,wght].ttf", 400),
    "BoldItalic": ("NotoSerif-Italic[wdth,wght].ttf", 700),
}
REGULAR, BOLD, ITALIC, BOLD_ITALIC = (f"{FAMILY}-{s}" for s in STYLES)
_INSTANCE_VERSION = 3  # bump when the instancing below changes


def _source_dir() -> Path:
    import fontpkg_noto_serif

    return Path(fontpkg_noto_serif.__file__).parent / "files"


def font_dir() -> Path:
    """Where the static instances live."""
    override = os.environ.get("PROCEEDINGS_FONT_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    src = _source_dir()
    digest = hashlib.sha256(f"instances-v{_INSTANCE_VERSION}".encode())
    for name in sorted({f for f, _ in STYLES.values()}):
        stat = (src / name).stat()
        digest.update(f"{name}:{stat.st_size}".encode())
    return Path(base) / "proceedings" / "fonts" / digest.hexdigest()[:12]


def prepare(jobs: int = 1) -> dict[str, Path]:
    """Make sure the four static styles exist; return their paths by style.

    ``jobs`` > 1 instances the missing styles in that many processes (a few seconds each).
    """
    target = font_dir()
    paths = {style: target / f"{FAMILY}-{style}.ttf" for style in STYLES}
    missing = [s for s, p in paths.items() if not p.is_file()]
    if not missing:
        return paths
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:  # no writable user cache (a locked-down CI user): a private temporary folder
        import tempfile

        target = Path(tempfile.gettempdir()) / f"proceedings-fonts-{os.getuid()}" / target.name
        target.mkdir(parents=True, exist_ok=True)
        paths = {style: target / f"{FAMILY}-{style}.ttf" for style in STYLES}
        missing = [s for s, p in paths.items() if not p.is_file()]
    log.info("preparing fonts in %s (once)", target)
    if jobs > 1 and len(missing) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(min(jobs, len(missing))) as pool:
            list(pool.map(_instance, missing, [paths[s] for s in missing]))
    else:
        for style in missing:
            _instance(style, paths[style])
    return paths


def _instance(style: str, path: Path) -> None:
    """Instance one style of the variable font and write it atomically to ``path``."""
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    source, weight = STYLES[style]
    font = TTFont(_source_dir() / source)
    static = instancer.instantiateVariableFont(font, {"wght": weight, "wdth": 100}, optimize=False, inplace=True)
    _rename(static, style)
    static.recalcTimestamp = False  # the source font's dates: the same bytes on every machine, any day
    static["head"].modified = static["head"].created
    with atomic_open(path) as handle:
        static.save(handle)


def _rename(font, style: str) -> None:
    """Give each instance its own names, so viewers never confuse Bold with Regular."""
    subfamily = {"Regular": "Regular", "Bold": "Bold", "Italic": "Italic", "BoldItalic": "Bold Italic"}[style]
    names = {1: "Noto Serif", 2: subfamily, 4: f"Noto Serif {subfamily}".replace(" Regular", ""),
             6: f"NotoSerif-{style}", 16: "Noto Serif", 17: subfamily}
    table = font["name"]
    for record in list(table.names):
        if record.nameID in names or record.nameID in (3, 25):
            table.removeNames(nameID=record.nameID)
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
    font["OS/2"].fsSelection = (font["OS/2"].fsSelection & ~0b1100001) | (
        (1 << 5 if "Bold" in style else 0) | (1 << 0 if "Italic" in style else 0)
        | (1 << 6 if style == "Regular" else 0))
    font["head"].macStyle = (1 if "Bold" in style else 0) | (2 if "Italic" in style else 0)


@functools.cache
def register() -> str:
    """Register the family with ReportLab (once per process); return the family name."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    paths = prepare()
    for style, path in paths.items():
        pdfmetrics.registerFont(TTFont(f"{FAMILY}-{style}", str(path)))
    pdfmetrics.registerFontFamily(FAMILY, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC)
    for bold, italic, name in ((0, 0, REGULAR), (1, 0, BOLD), (0, 1, ITALIC), (1, 1, BOLD_ITALIC)):
        addMapping(FAMILY, bold, italic, name)
    return FAMILY


@functools.cache
def _cmap(font_name: str) -> frozenset[int]:
    """The code points the font draws; kept beside the instances, so a warm build needs no ReportLab."""
    import json

    from proceedings.util.atomic import write_text

    saved = font_dir() / f"{font_name}.cmap.json"
    try:
        return frozenset(json.loads(saved.read_text(encoding="ascii")))
    except (OSError, ValueError):
        pass
    from reportlab.pdfbase import pdfmetrics

    register()
    points = frozenset(pdfmetrics.getFont(font_name).face.charToGlyph.keys())
    try:
        write_text(saved, json.dumps(sorted(points)))
    except OSError:  # a read-only font folder: computed again next time
        pass
    return points


def missing_glyphs(text: str, font_name: str = REGULAR) -> list[str]:
    """Characters of ``text`` the font cannot draw (white space and controls ignored)."""
    if text.isascii() and "\x7f" not in text and _draws_ascii(font_name):  # most text: nothing looked up
        return []
    have = _cmap(font_name)
    out: list[str] = []
    for ch in text:
        if ch.isspace() or ord(ch) < 32 or ch in out:
            continue
        if ord(ch) not in have:
            out.append(ch)
    return out


@functools.cache
def _draws_ascii(font_name: str) -> bool:
    """Whether the font draws every printable ASCII character."""
    have = _cmap(font_name)
    return all(code in have for code in range(32, 127))


REPLACEMENT = "\ufffd"
"""What a character the font lacks is drawn as (the font has it)."""


def replaced(char: str) -> bool:
    """Whether ``char``, when the font lacks it, is drawn as :data:`REPLACEMENT` (a letter, digit, punctuation
    mark or symbol); other characters it lacks (joiners, variation selectors, combining marks) are left to
    vanish."""
    return unicodedata.category(char)[0] in "LNPS"


def visible(text: str, font_name: str = REGULAR) -> str:
    """``text`` with each character the font cannot draw and :func:`replaced` says is replaced drawn as
    :data:`REPLACEMENT`."""
    missing = [ch for ch in missing_glyphs(text, font_name) if replaced(ch)]
    return text.translate({ord(ch): REPLACEMENT for ch in missing}) if missing else text


def main(argv: list[str]) -> int:
    """``python -m proceedings.typeset.fonts --prepare``: instance the fonts now (used by the Makefile)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    if "--prepare" in argv:
        for style, path in prepare(jobs=os.cpu_count() or 1).items():
            log.info("%s: %s", style, path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

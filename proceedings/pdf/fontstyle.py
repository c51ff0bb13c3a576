"""The font of a character PDFium extracted: its size, whether it is bold, its base name.

Read once per font of a page (known by PDFium's handle, alive while the page is loaded), not per span: a span's
style then costs three calls (see :mod:`proceedings.pdf.pdfiumcalls`).
"""

from __future__ import annotations

import ctypes
import re
from typing import Any

from proceedings.pdf import pdfiumcalls as fp

_BOLD = re.compile(r"bold|black|heavy|semibold|demi|cmbx|cmssbx|-b$|\bbd\b|,b$|medi", re.IGNORECASE)

_NAMES: dict[bytes, tuple[str, bool]] = {}
"""A font's name as PDFium gives it -> (its base name, subset prefix removed; whether the name says bold)."""


def _named(key: bytes) -> tuple[str, bool]:
    known = _NAMES.get(key)
    if known is None:
        name = key.decode("latin-1", errors="replace")
        if len(name) > 7 and name[6] == "+":
            name = name[7:]
        known = (name, bool(_BOLD.search(name)))
        if len(_NAMES) < 4096:  # a hostile file's thousands of font names do not grow it without bound
            _NAMES[key] = known
    return known


class PageFonts:
    """The styles of one loaded text page's characters (make one per page: a font's handle may be reused once
    its page is closed)."""

    def __init__(self, textpage: Any) -> None:
        self.handle = fp.handle(textpage)
        self._fonts: dict[int, tuple[str, bool]] = {}

    def style(self, index: int) -> tuple[float, bool, str]:
        """(size in points, bold, base name) of the character at ``index``."""
        obj = fp.text_object(self.handle, index)
        font = fp.font_of(obj) if obj else None
        if not font:  # a character PDFium made (a space, a line break): no font, no name, no weight
            return fp.font_size(self.handle, index), False, ""
        known = self._fonts.get(font)
        if known is None:
            n = fp.base_name(font, None, 0)
            buffer = ctypes.create_string_buffer(min(max(n, 1), 4096))
            n = fp.base_name(font, buffer, len(buffer)) if n > 0 else 0
            name, bold = _named(buffer.value if 0 < n <= len(buffer) else b"")
            known = self._fonts[font] = (name, bold or fp.weight(font) >= 600)
        return fp.font_size(self.handle, index), known[1], known[0]

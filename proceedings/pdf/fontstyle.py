"""The font of a character PDFium extracted: its size, whether it is bold, its base name.

Read once per font of a page (known by PDFium's handle, alive while the page is loaded), not per span: a span's
style then costs three calls. Functions are called through prototypes taking handles as integers (``c_void_p``),
which ctypes passes without making pointer objects.
"""

from __future__ import annotations

import ctypes
import re
from typing import Any

from pypdfium2 import raw

_BOLD = re.compile(r"bold|black|heavy|semibold|demi|cmbx|cmssbx|-b$|\bbd\b|,b$|medi", re.IGNORECASE)

_HANDLE = ctypes.c_void_p


def prototype(function: Any, restype: Any, *argtypes: Any) -> Any:
    """``function`` of pypdfium2's raw bindings, called with handles as integers (the GIL released, as ctypes
    releases it for every foreign call)."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(function, ctypes.c_void_p).value)


_text_object = prototype(raw.FPDFText_GetTextObject, _HANDLE, _HANDLE, ctypes.c_int)
_font_of = prototype(raw.FPDFTextObj_GetFont, _HANDLE, _HANDLE)
_font_size = prototype(raw.FPDFText_GetFontSize, ctypes.c_double, _HANDLE, ctypes.c_int)
_base_name = prototype(raw.FPDFFont_GetBaseFontName, ctypes.c_size_t, _HANDLE, ctypes.c_char_p, ctypes.c_size_t)
_weight = prototype(raw.FPDFFont_GetWeight, ctypes.c_int, _HANDLE)

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
        self.handle = ctypes.cast(textpage, ctypes.c_void_p).value
        self._fonts: dict[int, tuple[str, bool]] = {}

    def style(self, index: int) -> tuple[float, bool, str]:
        """(size in points, bold, base name) of the character at ``index``."""
        obj = _text_object(self.handle, index)
        font = _font_of(obj) if obj else None
        if not font:  # a character PDFium made (a space, a line break): no font, no name, no weight
            return _font_size(self.handle, index), False, ""
        known = self._fonts.get(font)
        if known is None:
            n = _base_name(font, None, 0)
            buffer = ctypes.create_string_buffer(min(max(n, 1), 4096))
            n = _base_name(font, buffer, len(buffer)) if n > 0 else 0
            name, bold = _named(buffer.value if 0 < n <= len(buffer) else b"")
            known = self._fonts[font] = (name, bold or _weight(font) >= 600)
        return _font_size(self.handle, index), known[1], known[0]

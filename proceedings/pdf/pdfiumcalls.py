"""The PDFium functions the text layer calls per character, line, font or page object.

Called through prototypes taking handles as integers (``c_void_p``), which ctypes passes without making pointer
objects: about 0.2 µs less a call than pypdfium2's raw bindings, over thousands of calls a page. Each releases the
GIL, as ctypes does for every foreign call.
"""

from __future__ import annotations

import ctypes
from typing import Any

from pypdfium2 import raw

HANDLE = ctypes.c_void_p
_DOUBLE = ctypes.POINTER(ctypes.c_double)
_FLOAT = ctypes.POINTER(ctypes.c_float)


def prototype(function: Any, restype: Any, *argtypes: Any) -> Any:
    """``function`` of pypdfium2's raw bindings, called with the given argument types (handles as integers)."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(function, ctypes.c_void_p).value)


def handle(pointer: Any) -> int:
    """A pypdfium2 raw handle (a text page, a page) as the integer the prototypes take."""
    return ctypes.cast(pointer, ctypes.c_void_p).value


# a text page's characters and their rectangles
count_rects = prototype(raw.FPDFText_CountRects, ctypes.c_int, HANDLE, ctypes.c_int, ctypes.c_int)
get_rect = prototype(raw.FPDFText_GetRect, ctypes.c_int, HANDLE, ctypes.c_int, *[_DOUBLE] * 4)
char_box = prototype(raw.FPDFText_GetCharBox, ctypes.c_int, HANDLE, ctypes.c_int, *[_DOUBLE] * 4)

# a character's font
text_object = prototype(raw.FPDFText_GetTextObject, HANDLE, HANDLE, ctypes.c_int)
font_of = prototype(raw.FPDFTextObj_GetFont, HANDLE, HANDLE)
font_size = prototype(raw.FPDFText_GetFontSize, ctypes.c_double, HANDLE, ctypes.c_int)
base_name = prototype(raw.FPDFFont_GetBaseFontName, ctypes.c_size_t, HANDLE, ctypes.c_char_p, ctypes.c_size_t)
weight = prototype(raw.FPDFFont_GetWeight, ctypes.c_int, HANDLE)

# a page's objects
page_object = prototype(raw.FPDFPage_GetObject, HANDLE, HANDLE, ctypes.c_int)
object_type = prototype(raw.FPDFPageObj_GetType, ctypes.c_int, HANDLE)
object_bounds = prototype(raw.FPDFPageObj_GetBounds, ctypes.c_int, HANDLE, *[_FLOAT] * 4)

"""The PDFium functions the text layer calls per character, line, font or page object.

The calls on a text page or a page (a character's rectangle, font size or text object; a page's object) take no
argument types: ctypes passes each argument as it is — the page's handle as made by :func:`handle` (a pointer
argument, made once), a Python int as a C int, a ``byref()`` as its pointer — without converting it first: a third
fewer instructions a call than checked prototypes (two thirds for a rectangle's four pointers), over thousands of
calls a page. Their arguments must be exactly these. The calls on a font or an object take handles as integers
(``c_void_p``): they are given what another call returned. Each call releases the GIL, as ctypes does for every
foreign call.
"""

from __future__ import annotations

import ctypes
from typing import Any

from pypdfium2 import raw

HANDLE = ctypes.c_void_p
_FLOAT = ctypes.POINTER(ctypes.c_float)

Handle = Any
"""A text page's or a page's handle as :func:`handle` makes it."""


def prototype(function: Any, restype: Any, *argtypes: Any) -> Any:
    """``function`` of pypdfium2's raw bindings, called with the given argument types (handles as integers)."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(function, ctypes.c_void_p).value)


def unchecked(function: Any, restype: Any) -> Any:
    """``function`` of pypdfium2's raw bindings, its arguments passed as they are (see the module's note)."""
    return prototype(function, restype)


def handle(pointer: Any) -> Handle:
    """A pypdfium2 raw handle (a text page, a page) as the pointer argument the unchecked calls take."""
    return HANDLE.from_param(ctypes.cast(pointer, ctypes.c_void_p).value)


# a text page's characters and their rectangles: (handle, index[, count]), (handle, index, *byref(c_double) * 4)
count_rects = unchecked(raw.FPDFText_CountRects, ctypes.c_int)
get_rect = unchecked(raw.FPDFText_GetRect, ctypes.c_int)
char_box = unchecked(raw.FPDFText_GetCharBox, ctypes.c_int)

# a character's font
text_object = unchecked(raw.FPDFText_GetTextObject, HANDLE)
font_size = unchecked(raw.FPDFText_GetFontSize, ctypes.c_double)
font_of = prototype(raw.FPDFTextObj_GetFont, HANDLE, HANDLE)
base_name = prototype(raw.FPDFFont_GetBaseFontName, ctypes.c_size_t, HANDLE, ctypes.c_char_p, ctypes.c_size_t)
weight = prototype(raw.FPDFFont_GetWeight, ctypes.c_int, HANDLE)

# a page's objects
page_object = unchecked(raw.FPDFPage_GetObject, HANDLE)
object_type = prototype(raw.FPDFPageObj_GetType, ctypes.c_int, HANDLE)
object_bounds = prototype(raw.FPDFPageObj_GetBounds, ctypes.c_int, HANDLE, *[_FLOAT] * 4)

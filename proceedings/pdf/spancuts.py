"""A line of PDFium's text cut into spans, one per rectangle PDFium computes for it (one per text object): where
each rectangle's first character is (see :mod:`proceedings.pdf.textlayer`)."""

from __future__ import annotations

import ctypes

from proceedings.pdf import pdfiumcalls as fp
from proceedings.pdf.geometry import Rect


def split_line(handle: fp.Handle, text: str, start: int, length: int, rects: list[Rect]) -> list[tuple[int, str, Rect]]:
    """A line of several rectangles cut where each rectangle's first character is (found by counting PDFium's
    rectangles over ever longer parts of the line); by the characters' centres when that does not give
    increasing cuts."""
    cuts = [start]
    inked = sum(r[2] - r[0] for r in rects)
    per_char = inked / length if inked > 0 else 0.0  # the line's mean advance: where to look first
    for k in range(1, len(rects)):
        before = rects[k - 1]
        guess = cuts[-1] + max(1, round((before[2] - before[0]) / per_char)) if per_char else cuts[-1] + 1
        idx = _first_of_rect(handle, start, length, k, cuts[-1], guess)
        if not cuts[-1] < idx < start + length:
            break
        cuts.append(idx)
    else:
        cuts.append(start + length)
        return [(cuts[k], text[cuts[k]:cuts[k + 1]], rects[k]) for k in range(len(rects))]
    return _split_by_chars(handle, text, start, length, rects)


def _first_of_rect(handle: fp.Handle, start: int, length: int, k: int, after: int, guess: int) -> int:
    """The first character of the line's ``k``-th rectangle: the shortest run of the line's characters (from the
    run ending at ``after`` on) that PDFium covers with ``k + 1`` rectangles ends there. A run's rectangles grow
    with its length: the run ending at ``guess`` is counted first, the bounds found by steps doubling away from it,
    and what lies between them bisected (the answer is the one bisecting the whole line gives)."""
    lo, hi = after - start + 1, length  # run lengths
    first = min(max(guess - start + 1, lo), hi)
    step = 1
    if fp.count_rects(handle, start, first) >= k + 1:
        hi = first
        while hi - step >= lo:
            if fp.count_rects(handle, start, hi - step) < k + 1:
                lo = hi - step + 1
                break
            hi -= step
            step *= 2
    else:
        lo = first + 1
        while lo + step - 1 < hi:
            if fp.count_rects(handle, start, lo + step - 1) >= k + 1:
                hi = lo + step - 1
                break
            lo += step
            step *= 2
    while lo < hi:
        mid = (lo + hi) // 2
        if fp.count_rects(handle, start, mid) >= k + 1:
            hi = mid
        else:
            lo = mid + 1
    return start + lo - 1


def _split_by_chars(handle: fp.Handle, text: str, start: int, length: int,
                    rects: list[Rect]) -> list[tuple[int, str, Rect]]:
    """A line of several rectangles cut by its characters' centres."""
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    refs = [ctypes.byref(v) for v in (left, right, bottom, top)]
    chars: list[list[str]] = [[] for _ in rects]
    firsts: list[int] = [-1] * len(rects)
    current = 0
    for i in range(start, start + length):
        if fp.char_box(handle, i, *refs) and (right.value > left.value or top.value > bottom.value):
            cx, cy = (left.value + right.value) / 2, (bottom.value + top.value) / 2
            for k in [current, *range(len(rects))]:
                r = rects[k]
                if r[0] - 0.5 <= cx <= r[2] + 0.5 and r[1] - 0.5 <= cy <= r[3] + 0.5:
                    current = k
                    break
        chars[current].append(text[i])
        if firsts[current] < 0 and not text[i].isspace():
            firsts[current] = i
    return [(max(firsts[k], start), "".join(chars[k]), rects[k]) for k in range(len(rects))]

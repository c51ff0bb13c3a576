"""Page geometry, once for every module: the visible box of a page, its rotation, displayed coordinates.

"Displayed" (visual) coordinates are points from the bottom-left corner of the page as a reader sees
it: the crop box (clipped to the media box) with ``/Rotate`` applied. The checks measure margins in
them, the stamper writes page numbers in them, the finding pictures draw boxes in them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pikepdf

from proceedings.util.tolerant import tolerant

Rect = tuple[float, float, float, float]
"""x0, y0, x1, y1."""


def normal_rotation(value: Any) -> int:
    """``/Rotate`` as 0, 90, 180 or 270; anything that is not a multiple of 90 counts as 0 (as viewers do)."""
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        return 0
    return number % 360 if number % 90 == 0 else 0


def visible_rect(media: Sequence[float], crop: Sequence[float] | None) -> Rect:
    """The crop box clipped to the media box; the media box when they do not overlap (by at least a point)."""
    m = [float(v) for v in media]
    mx0, my0, mx1, my1 = min(m[0], m[2]), min(m[1], m[3]), max(m[0], m[2]), max(m[1], m[3])
    if crop is None:
        return mx0, my0, mx1, my1
    c = [float(v) for v in crop]
    x0, y0 = max(min(c[0], c[2]), mx0), max(min(c[1], c[3]), my0)
    x1, y1 = min(max(c[0], c[2]), mx1), min(max(c[1], c[3]), my1)
    if x1 - x0 < 1 or y1 - y0 < 1:
        return mx0, my0, mx1, my1
    return x0, y0, x1, y1


@dataclass(frozen=True)
class PageBox:
    """A page's visible box (user space) and rotation."""

    x0: float
    y0: float
    width: float
    """Unrotated width (user space)."""
    height: float
    rotate: int
    """Clockwise rotation: 0, 90, 180 or 270."""

    @classmethod
    def from_boxes(cls, media: Sequence[float], crop: Sequence[float] | None, rotate: Any) -> PageBox:
        x0, y0, x1, y1 = visible_rect(media, crop)
        return cls(x0, y0, x1 - x0, y1 - y0, normal_rotation(rotate))

    @property
    def visual(self) -> tuple[float, float]:
        """(width, height) as displayed, /Rotate honoured."""
        return (self.height, self.width) if self.rotate in (90, 270) else (self.width, self.height)

    def to_visual(self, x: float, y: float) -> tuple[float, float]:
        """A point of user space in displayed coordinates (origin bottom-left as shown)."""
        px, py = x - self.x0, y - self.y0
        if self.rotate == 90:
            return py, self.width - px
        if self.rotate == 180:
            return self.width - px, self.height - py
        if self.rotate == 270:
            return self.height - py, px
        return px, py

    def rect_to_visual(self, rect: Rect) -> Rect:
        """A rectangle of user space in displayed coordinates."""
        if self.rotate == 0:  # the common case, for every span of a page: shifted only
            a, b, c, d = rect[0] - self.x0, rect[1] - self.y0, rect[2] - self.x0, rect[3] - self.y0
            return (a, b, c, d) if a <= c and b <= d else (min(a, c), min(b, d), max(a, c), max(b, d))
        ax, ay = self.to_visual(rect[0], rect[1])
        bx, by = self.to_visual(rect[2], rect[3])
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)

    def from_visual_matrix(self) -> tuple[float, float, float, float, float, float]:
        """The ``cm`` matrix that maps displayed coordinates to user space (for drawing on the page)."""
        x1, y1 = self.x0 + self.width, self.y0 + self.height
        if self.rotate == 90:
            return (0, 1, -1, 0, x1, self.y0)
        if self.rotate == 180:
            return (-1, 0, 0, -1, x1, y1)
        if self.rotate == 270:
            return (0, -1, 1, 0, self.x0, y1)
        return (1, 0, 0, 1, self.x0, self.y0)


def _own(page: Any, key: str) -> Any:
    return page.get(key)


def pikepdf_page_box(page: Any, lookup: Callable[[Any, str], Any] = _own) -> PageBox | None:
    """The :class:`PageBox` of a pikepdf page dictionary; None when its media box cannot be read. ``lookup``
    reads one of its attributes (by default the page's own: pages are copied with what they inherit, see
    ``pagecopy.open_pdf``; validation passes one that climbs the page tree)."""
    media = tolerant(lambda: box_values(lookup(page, "/MediaBox")), None)
    if media is None:
        return None
    crop = tolerant(lambda: box_values(lookup(page, "/CropBox")), None)  # none or broken: the media box
    return PageBox.from_boxes(media, crop, tolerant(lambda: lookup(page, "/Rotate"), 0))


def box_values(value: Any) -> list[float] | None:
    """A box as the checks and the stamper read one: the first four values of a longer array, anything that is
    not a number as 0 (a string as the number it spells); None for anything but an array of four values or
    more."""
    if not isinstance(value, pikepdf.Array):
        return None
    values = tolerant(lambda: list(value[:4]), [])
    return [_number(v) for v in values] if len(values) == 4 else None


def _number(value: Any) -> float:
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return float(value)
    return tolerant(lambda: float(str(value)), 0.0) if isinstance(value, pikepdf.String) else 0.0

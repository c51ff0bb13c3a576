"""Whether JPEG data decodes as ``qpdf --check`` (libjpeg) decodes it: a figure in a paper, a logo on a front-matter
page. Read with Pillow only (no PDF library), so the project's files can be checked with it too."""

from __future__ import annotations

import io

PROGRESSIVE_BUDGET = 256 * 1024 * 1024
"""Bytes of coefficients a progressive JPEG may need to be checked (libjpeg holds the whole image's, two bytes a
sample, until the last scan): a larger one is left unchecked, as a reader with the memory would draw it."""


def jpeg_fault(data: bytes | memoryview) -> str | None:
    """Why JPEG data does not decode, or None. Data that ends before the image does (its end marker too) is a
    fault: libjpeg draws what it has, with a warning, but ``qpdf --check`` fails on it.

    Decoded at an eighth of its size (libjpeg's DCT scaling, Pillow's ``draft``): every marker and every
    entropy-coded coefficient is still read, where all decoding errors arise, but the inverse transform,
    colour conversion and memory are a 64th (a photo checks three to four times faster)."""
    from PIL import Image  # ReportLab's dependency

    try:
        with Image.open(io.BytesIO(data)) as image:
            progressive = image.info.get("progressive") or image.info.get("progression")
            if progressive and image.width * image.height * len(image.getbands()) * 2 > PROGRESSIVE_BUDGET:
                return None  # would run out of the worker's memory, and be taken for damage
            image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except Image.DecompressionBombError:
        return None  # too large to check here; the memory limit guards the readers
    except Image.UnidentifiedImageError:  # its message names a memory address: no two builds would say the same
        return "the JPEG image does not decode (it is not JPEG data)"
    except Exception as exc:  # noqa: BLE001 - any decoder failure
        if "truncated" in str(exc):
            return "the JPEG data ends before the image does: the image was cut short"
        return f"the JPEG image does not decode ({exc})"
    return None

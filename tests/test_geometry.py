"""One page geometry for the checks and the stamper: visible box, rotation, displayed coordinates."""

from __future__ import annotations

import io

import pikepdf
import pytest
from pypdf import PdfWriter
from pypdf.generic import NameObject, NumberObject, RectangleObject

from proceedings.checks.pdfcheck import page_box
from proceedings.pdf.geometry import PageBox, normal_rotation, visible_rect
from proceedings.pdf.stamp import _visual_matrix
from proceedings.pdf.textlayer import TextLayer


@pytest.mark.parametrize("value, expected", [(0, 0), (90, 90), (-90, 270), (450, 90), (180, 180), (45, 0),
                                             (100, 0), ("x", 0), (None, 0)])
def test_rotation_is_normalised_one_way(value, expected):
    assert normal_rotation(value) == expected


def test_crop_box_is_clipped_to_the_media_box():
    assert visible_rect((0, 0, 612, 792), (10, 20, 700, 800)) == (10, 20, 612, 792)
    assert visible_rect((0, 0, 612, 792), (700, 800, 900, 900)) == (0, 0, 612, 792)  # no overlap: media box


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_to_visual_and_the_stamp_matrix_are_inverse(rotate):
    box = PageBox(10.0, 20.0, 600.0, 800.0, rotate)
    a, b, c, d, e, f = box.from_visual_matrix()
    for vx, vy in ((0, 0), (30, 40), box.visual):
        x, y = a * vx + c * vy + e, b * vx + d * vy + f  # displayed -> user space, as the stamper draws
        assert box.to_visual(x, y) == pytest.approx((vx, vy))


def _rotated_pdf(rotate: int) -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    page[NameObject("/Rotate")] = NumberObject(rotate)
    page[NameObject("/CropBox")] = RectangleObject((6, 0, 612, 790))
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@pytest.mark.parametrize("rotate", [0, 90, -90, 45])
def test_checks_stamper_and_text_layer_see_one_page(rotate):
    data = _rotated_pdf(rotate)
    with pikepdf.Pdf.open(io.BytesIO(data), inherit_page_attributes=False) as pdf:  # as the checks open it
        box = page_box(pdf.pages[0].obj)
    layer = TextLayer(data)[1]
    with pikepdf.Pdf.open(io.BytesIO(data)) as pdf:  # the stamper reads with pikepdf too
        _, width = _visual_matrix(pdf.pages[0].obj)
    assert (layer.width, layer.height) == pytest.approx(box.visual)
    assert width == pytest.approx(box.visual[0])
    assert layer.rotate == box.rotate == normal_rotation(rotate)


def _inheriting_pdf() -> bytes:
    """Two pages that take their media box, crop box and rotation from the page tree (the second has a media
    box of its own)."""
    pdf = pikepdf.new()
    for _ in range(2):
        pdf.add_blank_page(page_size=(612, 792))
    root = pdf.Root.Pages
    root.MediaBox, root.CropBox, root.Rotate = pikepdf.Array([0, 0, 595, 842]), pikepdf.Array([0, 0, 595, 840]), 90
    first, second = (page.obj for page in pdf.pages)
    del first["/MediaBox"]
    second.MediaBox = pikepdf.Array([0, 0, 612, 792, 5])  # a fifth value: read as the first four
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def test_page_boxes_and_rotation_are_inherited_from_the_page_tree():
    data = _inheriting_pdf()
    with pikepdf.Pdf.open(io.BytesIO(data), inherit_page_attributes=False) as pdf:
        assert "/MediaBox" not in pdf.pages[0].obj and "/Rotate" not in pdf.pages[1].obj
        boxes = [page_box(page.obj) for page in pdf.pages]
    assert [b.visual for b in boxes] == [(840, 595), (792, 595)]  # the inherited crop box clips the second
    layer = TextLayer(data)  # PDFium's pages: the same sizes (pypdfium2 alone would say US Letter)
    assert [(layer[n].width, layer[n].height) for n in (1, 2)] == [pytest.approx(b.visual) for b in boxes]


def test_a_copied_page_keeps_what_it_inherited_from_the_page_tree():
    from collections import Counter

    from proceedings.pdf.pagecopy import copy_pages, open_pdf
    from proceedings.pdf.stamp import _visual_matrix

    copy = pikepdf.new()
    with open_pdf(io.BytesIO(_inheriting_pdf())) as source:
        copy_pages(copy, source, Counter())
        first = copy.pages[0].obj
        assert [float(v) for v in first.MediaBox] == [0, 0, 595, 842] and int(first.Rotate) == 90
        assert _visual_matrix(first)[1] == 840  # the stamper sees the page as displayed: rotated, cropped
        assert _visual_matrix(copy.pages[1].obj)[1] == 792  # a media box of five values read as validation does

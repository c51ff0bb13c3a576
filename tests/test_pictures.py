"""Pictures of findings: a real pdflatex paper with LaTeX's page number in the bottom margin, validated by
the real pipeline; the picture opened with PIL; the box checked against poppler's word positions."""

from __future__ import annotations

import email
import json
import re
import shutil
import subprocess
from email import policy
from pathlib import Path

import pytest
from PIL import Image

from proceedings.context import make_context
from proceedings.export.pictures import CACHE_DIR, DPI, RED, attach_pictures
from proceedings.export.report import write_emails, write_reports
from proceedings.findings import Finding, PaperReport, ValidationReport
from proceedings.pipeline import check
from proceedings.project.model import Rules
from tests.texarticles import make_tex_project


def word_box(pdf: Path, page: int, word: str) -> tuple[float, float, float, float]:
    """Where poppler (pdftotext -bbox) puts ``word`` on ``page`` (the lowest one), as a box in PDF user space."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    html = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', html).group(1))
    boxes = []
    for m in re.finditer(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html):
        if m.group(5) == word:
            x0, top, x1, bottom = (float(m.group(i)) for i in range(1, 5))
            boxes.append((x0, height - bottom, x1, height - top))
    assert boxes, f"{word!r} is not on page {page} of {pdf}"
    return min(boxes, key=lambda b: b[1])


def load(png: Path) -> Image.Image:
    """The picture, read and closed."""
    with Image.open(png) as image:
        image.load()
        return image.copy()


def red_pixels(png: Path) -> list[tuple[int, int]]:
    image = load(png).convert("RGB")
    width, height = image.size
    data = image.load()
    return [(x, y) for y in range(height) for x in range(width) if data[x, y] == RED]


def to_pixels(x: float, y: float, page_height: float = 792.0) -> tuple[float, float]:
    """A point of an unrotated page's user space as a pixel of its picture."""
    return x * DPI / 72, (page_height - y) * DPI / 72


def assert_framed(png: Path, target: tuple[float, float, float, float]) -> None:
    """The picture's red pixels form a frame around ``target`` (a box in points) and nothing else."""
    red = red_pixels(png)
    assert red, f"{png}: no red box"
    xs, ys = [x for x, _ in red], [y for _, y in red]
    left, top = to_pixels(target[0], target[3])
    right, bottom = to_pixels(target[2], target[1])
    assert min(xs) <= left + 1 and max(xs) >= right - 1 and min(ys) <= top + 1 and max(ys) >= bottom - 1
    assert max(xs) - min(xs) < 120 and max(ys) - min(ys) < 40, "the frame is around the word, not the page"
    inside = load(png).convert("L").crop((min(xs) + 3, min(ys) + 3, max(xs) - 2, max(ys) - 2))
    assert inside.getextrema()[0] < 128, "the framed region shows the word's ink"


def test_bottom_margin_finding_has_its_box_and_picture(tmp_path: Path, tex_papers):
    project = make_tex_project(tmp_path / "p", {"1": tex_papers["number-p1"], "2": tex_papers["clean"]})
    ctx = make_context(project, project / "build")
    gathered, report = check(project, ctx)
    write_reports(report, gathered.project, ctx.out_dir)

    assert report.by_id("2").findings == []  # the clean paper: no finding at all
    (finding,) = report.by_id("1").findings
    assert (finding.rule, finding.severity, finding.page) == ("bottom-margin", "error", 1)
    number = word_box(tex_papers["number-p1"], 1, "1")
    box = finding.box
    # the box holds the number as poppler places it (the text layer boxes the glyphs tightly: 2.5 pt of slack)
    assert box is not None and box[0] <= number[0] + 2.5 and box[1] <= number[1] + 2.5 and box[3] >= number[3] - 2.5
    assert finding.image == "validation/1-p1-bottom-margin.png"
    png = ctx.out_dir / finding.image
    assert load(png).size == (544, 704)  # US Letter at 64 dpi
    assert_framed(png, number)

    data = (ctx.out_dir / "validation.json").read_text(encoding="utf-8")
    saved = json.loads(data)["papers"][0]["findings"][0]
    assert saved["box"] == [round(v, 2) for v in box] and saved["image"] == finding.image
    html = (ctx.out_dir / "validation.html").read_text(encoding="utf-8")
    assert f'<img src="{finding.image}"' in html

    # e-mails: the picture beside the message and attached to ID.eml
    mail = tmp_path / "mail"
    write_emails(report, gathered.project, mail, pictures=ctx.out_dir)
    assert sorted(p.name for p in mail.iterdir()) == ["1-p1-bottom-margin.png", "1.eml", "1.txt"]
    assert "1-p1-bottom-margin.png" in (mail / "1.txt").read_text(encoding="utf-8")
    message = email.message_from_bytes((mail / "1.eml").read_bytes(), policy=policy.default)
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "1-p1-bottom-margin.png"
    assert attachment.get_content() == png.read_bytes()
    assert "bottom margin" in message.get_body(("plain",)).get_content()


def test_pictures_are_deterministic_and_cached(tmp_path: Path, tex_papers):
    project = make_tex_project(tmp_path / "p", {"1": tex_papers["number-p1"]})
    first = make_context(project, tmp_path / "a")
    check(project, first)
    png = (first.out_dir / "validation" / "1-p1-bottom-margin.png").read_bytes()
    assert png.startswith(b"\x89PNG") and b"tIME" not in png and b"tEXt" not in png

    fresh = make_context(project, tmp_path / "b")  # another folder, no cache: the same bytes
    check(project, fresh)
    assert (fresh.out_dir / "validation" / "1-p1-bottom-margin.png").read_bytes() == png

    # a rebuild takes the picture from the cache (a marked cache entry proves nothing was drawn again)
    (cached,) = (first.out_dir / CACHE_DIR).glob("*.png")
    marked = load(cached)
    marked.putpixel((0, 0), 1)
    marked.save(cached)
    check(project, first)
    assert (first.out_dir / "validation" / "1-p1-bottom-margin.png").read_bytes() == cached.read_bytes() != png

    # once the paper is fixed its picture goes away
    shutil.copyfile(tex_papers["clean"], project / "camera_ready" / "1.pdf")
    _, report = check(project, first)
    assert report.by_id("1").findings == [] and not list((first.out_dir / "validation").glob("*.png"))


def test_a_finding_on_page_3_is_drawn_where_poppler_puts_the_text(tmp_path: Path, tex_papers):
    pdf = tex_papers["number-p3"]
    number = word_box(pdf, 3, "3")
    report = ValidationReport(papers=[PaperReport(id="x/7", file="x.pdf", findings=[
        Finding("bottom-margin", "warning", 3, "text", box=number),
        Finding("page-size", "error", 1, "no box"),
        Finding("bottom-margin", "warning", 3, "the same place again", box=number)])])
    ctx = make_context(tmp_path, tmp_path / "out")
    attach_pictures(report, {"x/7": (pdf, "digest-of-x")}, ctx.out_dir, ctx, Rules())
    located, unlocated, again = report.papers[0].findings
    assert unlocated.image is None and "image" not in unlocated.to_json() and "box" not in unlocated.to_json()
    assert re.fullmatch(r"validation/x_7-[0-9a-f]{6}-p3-bottom-margin\.png", located.image)
    assert again.image == located.image.replace(".png", "-2.png")
    assert_framed(ctx.out_dir / located.image, number)


def test_a_page_whose_box_does_not_start_at_the_origin_is_framed_where_the_text_is(tmp_path: Path, tex_papers):
    """Boxes are in displayed coordinates (from the corner of the page as shown): on a page whose media box starts
    at (30, 30) the frame was drawn 30 points below and left of the text."""
    import pikepdf

    moved = tmp_path / "moved.pdf"
    with pikepdf.open(tex_papers["number-p3"]) as pdf:
        for page in pdf.pages:
            page.MediaBox = pikepdf.Array([30, 30, 642, 822])
            page.contents_add(pdf.make_stream(b"1 0 0 1 30 30 cm"), prepend=True)
        pdf.save(moved)
    number = word_box(moved, 3, "3")  # poppler: from the corner of the page as shown
    report = ValidationReport(papers=[PaperReport(id="m", file="moved.pdf", findings=[
        Finding("bottom-margin", "warning", 3, "text", box=number)])])
    ctx = make_context(tmp_path, tmp_path / "out")
    attach_pictures(report, {"m": (moved, "digest-of-moved")}, ctx.out_dir, ctx, Rules())
    assert_framed(ctx.out_dir / report.papers[0].findings[0].image, number)

"""Pictures of findings: the page a finding is on, small, with its ``box`` drawn in red.

Chairs look before they read. Each finding that has a page and a box gets
``<out>/validation/ID-p3-rule.png`` (its ``image``, relative to the output folder), shown beside it in
validation.html and attached to the author's e-mail. Pages are rendered with pypdfium2 in worker
processes under the venue's time and memory limits (a hostile page may be slow or huge to draw);
pictures are cached under ``<out>/.cache/pictures/`` by the file's digest, the page and the box, so a
rebuild draws nothing new. The PNG bytes depend only on those: no time stamps, no text chunks.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import re
from pathlib import Path
from typing import Any

from proceedings.context import BuildContext
from proceedings.findings import Finding, ValidationReport
from proceedings.project.model import Rules
from proceedings.text import unique_name
from proceedings.util.atomic import write_bytes
from proceedings.util.cache import digest
from proceedings.util.owned import prune
from proceedings.util.workers import Outcome, run_inline, run_limited

log = logging.getLogger(__name__)

DPI = 64
"""Resolution of the pictures: a US Letter page is 544 × 704 pixels."""
FOLDER = "validation"
"""Where the pictures go, under the output folder."""
CACHE_DIR = Path(".cache") / "pictures"
RED = (220, 0, 0)
"""The box's colour (the only colour of a picture: the page is drawn in grays)."""
GRAYS = 16
"""Shades of gray of the page."""
LINE = 3
"""Width of the box's outline, in pixels."""
MIN_SIDE = 24
"""Smallest side of a drawn box, in pixels (a box around one character stays visible in a thumbnail)."""
PAD = 3
"""Pixels between the region and its frame, so that the frame does not cover what it shows."""

Box = tuple[float, float, float, float]


def _device_box(box: Box, scale: float, width: int, height: int) -> tuple[int, int, int, int]:
    """A finding's box, in displayed coordinates (:mod:`proceedings.pdf.geometry`: points from the bottom-left
    corner of the page as shown, crop box and /Rotate applied), as pixels of the page rendered at ``scale``."""
    xs = [round(box[0] * scale), round(box[2] * scale)]
    ys = [round(height - box[1] * scale), round(height - box[3] * scale)]
    x0, x1, y0, y1 = min(xs) - PAD, max(xs) + PAD, min(ys) - PAD, max(ys) + PAD
    if x1 - x0 < MIN_SIDE:
        x0, x1 = (x0 + x1) // 2 - MIN_SIDE // 2, (x0 + x1) // 2 + MIN_SIDE // 2
    if y1 - y0 < MIN_SIDE:
        y0, y1 = (y0 + y1) // 2 - MIN_SIDE // 2, (y0 + y1) // 2 + MIN_SIDE // 2
    clamp = LINE // 2
    return (max(clamp, min(x0, width - 1 - clamp)), max(clamp, min(y0, height - 1 - clamp)),
            max(clamp, min(x1, width - 1 - clamp)), max(clamp, min(y1, height - 1 - clamp)))


def _palette_page(image: Any) -> Any:
    """The rendered page in :data:`GRAYS` shades of gray plus red (palette index ``GRAYS``): a small PNG."""
    from PIL import Image

    gray = image.convert("L").point([v * (GRAYS - 1) // 255 for v in range(256)])
    picture = Image.frombytes("P", gray.size, gray.tobytes())
    shades = [round(i * 255 / (GRAYS - 1)) for i in range(GRAYS)]
    picture.putpalette([c for v in shades for c in (v, v, v)] + list(RED))
    return picture


def render_pictures(path: str, requests: list[tuple[int, Box]], dpi: int = DPI) -> list[bytes | None]:
    """PNG bytes for each (1-based page, box) of the PDF at ``path``; None where a page cannot be drawn.

    Runs in a worker process (see :func:`attach_pictures`).
    """
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    out: list[bytes | None] = []
    pdf = pdfium.PdfDocument(path)
    try:
        rendered: dict[int, Any] = {}
        for number, box in requests:
            try:
                if number not in rendered:
                    rendered[number] = _palette_page(pdf[number - 1].render(scale=dpi / 72, grayscale=True).to_pil())
                picture = rendered[number].copy()
                x0, y0, x1, y1 = _device_box(box, dpi / 72, picture.width, picture.height)
                ImageDraw.Draw(picture).rectangle((x0, y0, x1, y1), outline=GRAYS, width=LINE)
                buffer = io.BytesIO()
                picture.save(buffer, format="PNG", optimize=False, compress_level=9)
                out.append(buffer.getvalue())
            except (IndexError, pdfium.PdfiumError, ValueError) as exc:
                log.debug("%s page %d: cannot draw: %s", path, number, exc)
                out.append(None)
    finally:
        pdf.close()
    return out


def safe_id(paper_id: str) -> str:
    """A paper id as a file-name part: letters, digits, ``._-``; a digest keeps rewritten ids apart."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", paper_id).strip("._") or "paper"
    return safe if safe == paper_id else f"{safe}-{digest('id', paper_id)[:6]}"


def picture_names(paper_id: str, findings: list[Finding]) -> list[str | None]:
    """``validation/ID-p3-rule.png`` for each finding with a page and a box (None for the others)."""
    names: list[str | None] = []
    used: set[str] = set()
    for f in findings:
        if f.page is None or f.box is None:
            names.append(None)
            continue
        stem = f"{FOLDER}/{safe_id(paper_id)}-p{f.page}-{re.sub(r'[^a-z0-9-]+', '-', f.rule.lower())}"
        names.append(unique_name(stem, used, ".png"))
    return names


def _cache_key(sha256: str, page: int, box: Box) -> str:
    return digest("picture", DPI, LINE, MIN_SIDE, PAD, sha256, page, [round(v, 2) for v in box])


def attach_pictures(report: ValidationReport, files: dict[str, tuple[Path, str]], out_dir: Path,
                    ctx: BuildContext, rules: Rules) -> None:
    """Draw the picture of every located finding and set its ``image``; remove pictures no finding has.

    ``files`` maps a paper id to its camera-ready file and that file's sha256. Papers left out of
    the volume for a damaged file are not drawn.
    """
    out_dir = Path(out_dir)
    cache = out_dir / CACHE_DIR
    wanted: dict[str, bytes] = {}
    todo: dict[str, list[tuple[int, str, str, int, Box]]] = {}  # paper -> (finding index, name, key, page, box)
    for paper in report.papers:
        if paper.id not in files or any(f.rule == "damaged-stream" for f in paper.errors):
            continue
        sha = files[paper.id][1]
        for i, name in enumerate(picture_names(paper.id, paper.findings)):
            f = paper.findings[i]
            if name is None or f.box is None or f.page is None:
                continue
            key = _cache_key(sha, f.page, f.box)
            try:
                data = (cache / f"{key}.png").read_bytes() if ctx.use_cache else None
            except OSError:
                data = None
            if data:
                wanted[name] = data
                paper.findings[i] = dataclasses.replace(f, image=name)
            else:
                todo.setdefault(paper.id, []).append((i, name, key, f.page, f.box))
    if todo:
        _render(report, files, todo, cache, wanted, ctx, rules)
    for name, data in wanted.items():
        write_bytes(out_dir / name, data)
    prune(out_dir, FOLDER, {Path(n).name for n in wanted})  # pictures of findings mended since


def _render(report: ValidationReport, files: dict[str, tuple[Path, str]],
            todo: dict[str, list[tuple[int, str, str, int, Box]]], cache: Path, wanted: dict[str, bytes],
            ctx: BuildContext, rules: Rules) -> None:
    tasks = [(pid, (str(files[pid][0]), [(page, box) for _, _, _, page, box in items])) for pid, items in todo.items()]

    def done(outcome: Outcome) -> None:
        if outcome.status != "ok" or not isinstance(outcome.value, list):
            log.info("paper %s: no pictures (%s %s)", outcome.key, outcome.status, outcome.detail)
            return
        paper = report.by_id(outcome.key)
        for (i, name, key, _, _), data in zip(todo[outcome.key], outcome.value):
            if not data:
                continue
            wanted[name] = data
            paper.findings[i] = dataclasses.replace(paper.findings[i], image=name)
            try:
                write_bytes(cache / f"{key}.png", data)
            except OSError as exc:
                log.debug("cannot cache a picture: %s", exc)

    try:
        run_limited(render_pictures, tasks, jobs=ctx.jobs, time_limit=rules.time_limit,
                    memory_mb=rules.memory_limit_mb, on_done=done)
    except (OSError, ImportError, ValueError, RuntimeError) as exc:  # no worker processes here
        log.warning("cannot start worker processes (%s); drawing pictures in this process", exc)
        run_inline(render_pictures, tasks, on_done=done)


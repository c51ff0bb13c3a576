"""Stage 2, validate: check every camera-ready file against the venue's rules.

:func:`check_file` checks one file and returns plain data; :func:`validate` runs it for every
paper in worker processes under the venue's time and memory limits (see :mod:`proceedings.util.workers`),
reusing results cached by content, rules and the paper's title and authors (see :mod:`proceedings.stages.results`).
"""

from __future__ import annotations

import hashlib
import logging
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from proceedings.checks import registry
from proceedings.context import BuildContext
from proceedings.export.pictures import attach_pictures
from proceedings.findings import Finding, PaperReport, ValidationReport
from proceedings.project.model import Rules
from proceedings.stages.gather import Gathered, Source
from proceedings.stages.results import ResultCache, cache_key, stale_checks, with_rerun
from proceedings.util.inworker import ask_parent, result_so_far, tell_parent
from proceedings.util.workers import Outcome, call, run_inline, run_limited

if TYPE_CHECKING:
    from collections.abc import Iterator

    from proceedings.checks.paper import Paper
    from proceedings.checks.streams import StreamReport
    from proceedings.pdf.streams import Verified
    from proceedings.stages.ahead import StampAhead, StampJob

log = logging.getLogger(__name__)

VERSIONS_FILE = Path(".cache") / "check-versions.json"
"""Under the output folder: the built-in checks' versions, kept for the code that has them."""


# --------------------------------------------------------------------------- one file


def check_file(path: str, rules: dict[str, Any], title: str, authors: list[tuple[str, str | None]],
               only: list[str] | None = None, stamp: StampJob | None = None) -> dict[str, Any]:
    """Check one camera-ready file; a JSON-able result (pages, body_pages, references_page, usable, findings,
    and ``checks``: each check's version and findings). ``only``: run just these check ids.

    ``stamp``: stamp the paper too, once checked and usable (see :mod:`proceedings.stages.ahead`); the result's
    ``stamped`` is then what :func:`~proceedings.stages.parts.stamp_paper` returned, or why it did not run.

    Runs in a worker process; everything that can go wrong with the file becomes a finding.
    """
    started = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a broken file's complaints are findings, not errors of the caller's
        then = (lambda pdf, verified: _stamp(path, stamp, pdf, verified, time.monotonic() - started)) if stamp else None
        return _check_file(path, rules, title, authors, only, then, stamp.sha256 if stamp else False)


def _stamp(path: str, job: StampJob, pdf: Any, verified: Verified, spent: float) -> Any:
    """The paper stamped as ``job`` and the parent's :class:`~proceedings.stages.ahead.Placement` say, from the file
    as the checks opened it (the streams they inflated are not inflated again); a string saying why not when it
    failed (the stamp stage then stamps it, and reports what it finds), when checking took most of the task's
    time, or when the parent does not place it yet."""
    if spent > job.budget:
        return f"checking took {spent:.1f} s"
    placement = ask_parent(("place", None))
    if placement is None:
        return "not placed ahead"
    from proceedings.stages.parts import stamp_paper

    try:
        return stamp_paper(path, placement.first_page, job.out, job.footer, placement.meta, verified, pdf,
                           placement.key)
    except Exception as exc:  # noqa: BLE001 - even MemoryError: the stamp stage tries again, says what went wrong
        return f"{type(exc).__name__}: {exc}"


def _check_file(path: str, rules: dict[str, Any], title: str, authors: list[tuple[str, str | None]],
                only: list[str] | None = None, then: Any = None, sha256: bool = False) -> dict[str, Any]:
    """:func:`check_file`'s work; ``then(pdf, verified)``: run on the open file once every check has read it,
    when it is usable (its value is the result's ``stamped``); with ``then``, the file's pages (and with
    ``sha256``, its sha256) are told to the parent as soon as it is opened."""
    from proceedings import venues  # the PDF readers: imported when a file is checked, not by a cached build
    from proceedings.checks.length import body_pages
    from proceedings.checks.opening import open_pdf
    from proceedings.checks.paper import Paper
    from proceedings.checks.streams import check_streams
    from proceedings.pdf.streams import Verified
    from proceedings.pdf.textlayer import open_layer

    venue_rules = Rules.model_validate(rules)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return {"pages": None, "body_pages": None, "references_page": None, "usable": False, "checks": {},
                "findings": [Finding(
                    "unreadable", "error", None, f"The file cannot be read ({exc.strerror or exc}).",
                    "Check that the file exists and can be read, then run again.").to_json()]}
    opened = open_pdf(data)
    if then is not None:  # the parent numbers the papers after this one as soon as it knows
        tell_parent(("pages", opened.pages if opened.usable else 0, hashlib.sha256(data).hexdigest() if sha256 else ""))
    result: dict[str, Any] = {"pages": opened.pages, "body_pages": None, "references_page": None,
                              "usable": opened.usable, "checks": {}, "findings": [f.to_json() for f in opened.findings]}
    if not opened.usable:
        return result
    pdf = opened.pdf
    try:
        report = _stream_report(path, pdf, opened.pages, stamping=then is not None)
        damaged = check_streams(report) if report is not None else []
        if damaged:  # the volume must pass qpdf --check, and a bomb is not to be inflated by the text checks
            result["usable"] = False
            result["findings"] += [f.to_json() for f in damaged]
            return result
        figures = _decode_contents(pdf, opened.pages, report.held if report is not None else set(),
                                   report.inline if report is not None else set())
        layer = open_layer(data)
        if layer is not None:
            layer.figure_pages = figures
        paper = Paper(path=path, data=data, pdf=pdf, count=opened.pages, rules=venue_rules,
                      venue=venues.effective(venue_rules.profile, venue_rules.model_dump()), layer=layer,
                      title=title, authors=authors)
        checks = registry.load(venue_rules.checks)
        for item in checks:
            if only is not None and item.id not in only:
                continue
            found = _guarded(path, item, paper)
            result["checks"][item.id] = {"version": item.version, "findings": [f.to_json() for f in found]}
        result["findings"] = [f.to_json() for f in opened.findings] + [
            f for item in checks for f in result["checks"].get(item.id, {}).get("findings", [])]
        if _guarded(path, None, paper, lambda: paper.has_text):
            refs = _guarded(path, None, paper, lambda: paper.references)
            result["references_page"] = refs.page if refs else None
            result["body_pages"] = _guarded(path, None, paper, lambda: body_pages(paper))
        if then is not None and result["usable"] and result["pages"]:
            result_so_far(result)  # the check stands, whatever becomes of the stamping after it
            result["stamped"] = then(pdf, report.for_stamping(pdf) if report is not None else Verified())
        return result
    finally:
        pdf.close()  # the objects the checks read die with it: every check has run


def _stream_report(path: str, pdf: Any, count: int, stamping: bool = True) -> StreamReport | None:
    """What the stream check found (see :mod:`proceedings.checks.streams`); None when it failed: the checks
    report what they cannot read. ``stamping``: a stamping follows, which is told what it need not inflate again."""
    from proceedings.checks.streams import quick_streams, walk_streams

    try:
        return quick_streams(pdf, count, stamping) or walk_streams(pdf, count, stamping)
    except (MemoryError, RecursionError):
        raise
    except Exception:
        log.debug("%s: the stream check failed", path, exc_info=True)
        return None


def preload() -> None:
    """Import every check and the PDF readers (the workers' preload: see :mod:`proceedings.util.workers`)."""
    import proceedings.checks.builtin  # noqa: F401 - registers the checks as it is imported


def _decode_contents(pdf: Any, count: int, held: set[tuple[int, int]], inline: set[tuple[int, int]]) -> set[int]:
    """Decode every page's content streams first (those the stream check has not ``held`` whole already): a
    stream that inflates past the memory limit is a MemoryError here (a ``memory`` finding) rather than an abort
    inside PDFium. Other failures are left to the checks.

    Returns the pages that may show an image or a drawing (PDFium's image and form objects: the text layer's
    figures): those with XObjects in their resources (their own or inherited), or content that may draw an
    inline image (``inline``: those of the streams held); and any page that cannot be read so far. On the others,
    nine pages in ten of a paper, the text layer need not look at every object of the page for one."""
    from pikepdf import Array, Stream

    from proceedings.checks.pdfcheck import has_xobjects, page_attribute, page_object
    from proceedings.pdf.streams import decoded, inline_image

    figures: set[int] = set()
    for number in range(1, count + 1):
        try:
            page = page_object(pdf, number)
            contents = page.get("/Contents")
            streams = list(contents) if isinstance(contents, Array) else [contents]
            if len(streams) > 1000 or has_xobjects(page_attribute(page, "/Resources")):
                figures.add(number)
            for stream in streams[:1000]:
                if isinstance(stream, Stream):
                    if stream.objgen in held:
                        if stream.objgen in inline:
                            figures.add(number)
                    elif inline_image(decoded(stream)):
                        figures.add(number)
        except (MemoryError, RecursionError):
            raise
        except Exception:  # damaged streams are the checks' business
            figures.add(number)
            log.debug("page %d: a content stream cannot be decoded", number, exc_info=True)
    return figures


def _guarded(path: str, item: registry.Check | None, paper: Paper, call: Any = None) -> Any:
    """Run one check (or fact); a hostile file that breaks it becomes a ``check-failed`` warning."""
    try:
        if call is not None:
            return call()
        if item is not None and item.needs_text and not paper.has_text:
            return []
        return list(item.run(paper)) if item is not None else []
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:
        log.debug("%s: %s failed", path, item.id if item else "a fact", exc_info=True)
        if call is not None:
            return None
        return [Finding(
            "check-failed", "warning", None,
            f"The {item.title.lower()} check could not run on this file ({type(exc).__name__}: {str(exc)[:120]}).",
            "Export the PDF again from the source; the file is probably damaged.")]


# --------------------------------------------------------------------------- results


def _report(source: Source, data: dict[str, Any]) -> PaperReport:
    findings = []
    for f in data.get("findings", []):
        try:
            findings.append(Finding.from_json(f))
        except (TypeError, ValueError, IndexError):
            continue
    return PaperReport(
        id=source.paper.id, file=source.paper.file, sha256=source.sha256, pages=data.get("pages"),
        body_pages=data.get("body_pages"), usable=bool(data.get("usable")), findings=findings,
        references_page=data.get("references_page"))


def _failure(source: Source, outcome: Outcome, rules: Rules) -> PaperReport:
    report = PaperReport(id=source.paper.id, file=source.paper.file, sha256=source.sha256)
    if outcome.status == "timeout":
        report.findings.append(Finding(
            "timeout", "error", None,
            f"Checking the file took longer than {rules.time_limit:g} s and was stopped: the file is probably "
            "damaged or built to exhaust PDF readers (a decompression bomb, a cyclic structure).",
            "Export the PDF again from the source (LaTeX: pdflatex); compress large images."))
    elif outcome.status == "memory":
        report.findings.append(Finding(
            "memory", "error", None,
            f"Checking the file needed more than {rules.memory_limit_mb} MiB of memory and was stopped: the file "
            "is probably damaged or holds a decompression bomb.",
            "Export the PDF again from the source; downsample very large images (300 dpi is enough)."))
    else:
        report.findings.append(Finding(
            "unreadable", "error", None,
            f"The file could not be checked: {outcome.detail or 'the checker stopped'}.",
            "Export the PDF again from the source (LaTeX: pdflatex) and check that it opens."))
    return report


DRAW_BEFORE = 6
"""The drawings made ahead are handed out before the last of the papers (this many, or a 32nd of them): one
worker draws while the other checks those, and neither waits for the other at the end."""


def _ahead(todo: list[tuple[str, tuple]], gathered: Gathered, cached: dict[str, PaperReport],
           ahead: StampAhead) -> Iterator[tuple]:
    """``todo``'s tasks for :func:`~proceedings.util.workers.call`, each with its stamp job, worked out as a worker
    takes it, in volume order (``cached``: the reports known before any task ran, whose pages are known); and the
    drawings of the plan guessed, before the last few papers (the pages not told yet counted then)."""
    waiting = dict(todo)
    known = dict(cached)
    left = len(todo)
    last = max(DRAW_BEFORE, left // 32)
    held: list[tuple] = []
    for source in gathered.sources:
        args = waiting.get(source.paper.id)
        if args is None:
            report = known[source.paper.id]
            ahead.place(source, report.pages if report.usable and report.pages else 0)
            continue
        held.append((source.paper.id, (check_file, *args, ahead.job(source))))
        left -= 1
        if left >= last:
            yield held.pop()
            if left == len(todo) - 2:  # both workers busy: this process has time
                ahead.warm_up()
    yield from ahead.drawings(set(waiting) | set(known))
    yield from held


def validate(gathered: Gathered, ctx: BuildContext, ahead: StampAhead | None = None) -> ValidationReport:
    """Check every paper; a bad paper never stops the others. Results in volume order.

    ``ahead``: stamp each paper checked now in the same task, numbered as the volume will most likely number it
    (see :mod:`proceedings.stages.ahead`)."""
    rules = gathered.project.workshop.rules
    rules_json = rules.model_dump(mode="json")
    cache = ResultCache(ctx.out_dir)
    reports: dict[str, PaperReport] = {}
    todo: list[tuple[str, tuple]] = []
    partial: dict[str, dict[str, Any]] = {}
    current = registry.versions(rules.checks, Path(ctx.out_dir) / VERSIONS_FILE)
    keys: dict[str, str] = {}

    def key_of(source: Source) -> str:
        """The paper's :func:`cache_key`, made once (once its sha256 is known)."""
        key = keys.get(source.paper.id)
        if key is None:
            key = cache_key(source, rules)
            if source.sha256:
                keys[source.paper.id] = key
        return key

    started = time.monotonic()
    with ctx.progress("validate", len(gathered.sources)) as advance:
        for source in gathered.sources:  # one not hashed yet is left to its check to hash: nothing is cached
            cached = cache.get(key_of(source)) if ctx.use_cache and source.sha256 else None
            stale = stale_checks(cached, current) if cached is not None else None
            if cached is not None and not stale:
                reports[source.paper.id] = _report(source, cached)
                advance(1)
                continue
            if cached is not None:
                partial[source.paper.id] = cached
            authors = [(a.name, a.family) for a in source.paper.authors]
            todo.append((source.paper.id, (str(source.path), rules_json, source.paper.title, authors, stale)))

        def done(outcome: Outcome) -> None:
            if ahead is not None and ahead.drew(outcome.key, outcome):
                return
            source = gathered.by_id[outcome.key]
            gathered.fill(source)  # hashed here when its task did not say (it failed first)
            if outcome.status == "ok" and isinstance(outcome.value, dict):
                stamped = outcome.value.pop("stamped", None)
                if ahead is not None:
                    ahead.record(source, outcome.value, stamped)
                value = with_rerun(partial.get(outcome.key), outcome.value, current)
                reports[outcome.key] = _report(source, value)
                cache.put(key_of(source), value)
            else:
                log.info("paper %s: %s (%s)", outcome.key, outcome.status, outcome.detail)
                if ahead is not None:
                    ahead.record(source, {}, None)
                reports[outcome.key] = _failure(source, outcome, rules)
            advance(1)

        if todo:
            preload()  # before the workers fork: each has the checks and readers from the start
            try:
                if ahead is not None:
                    run_limited(call, _ahead(todo, gathered, reports, ahead), jobs=ctx.jobs,
                                time_limit=rules.time_limit, memory_mb=rules.memory_limit_mb, on_done=done,
                                count=len(todo), on_message=ahead.heard)
                else:
                    run_limited(check_file, todo, jobs=ctx.jobs, time_limit=rules.time_limit,
                                memory_mb=rules.memory_limit_mb, on_done=done)
            except (OSError, ImportError, ValueError, RuntimeError) as exc:  # no worker processes here
                log.warning("cannot start worker processes (%s); checking in this process, without limits", exc)
                run_inline(check_file, [t for t in todo if t[0] not in reports], on_done=done)
    log.info("validated %d papers (%d from the cache) in %.1f s", len(gathered.sources),
             len(gathered.sources) - len(todo), time.monotonic() - started)
    gathered.settle()
    cache.tidy({key_of(source) for source in gathered.sources})
    report = ValidationReport(papers=[reports[s.paper.id] for s in gathered.sources])
    attach_pictures(report, {s.paper.id: (s.path, s.sha256) for s in gathered.sources}, ctx.out_dir, ctx, rules)
    return report

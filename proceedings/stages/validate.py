"""Stage 2, validate: check every camera-ready file against the venue's rules.

:func:`check_file` checks one file and returns plain data; :func:`validate` runs it for every
paper in worker processes under the venue's time and memory limits (see :mod:`proceedings.util.workers`),
reusing results cached under ``<out>/.cache/validation/`` by content, rules and the paper's
title and authors.
"""

from __future__ import annotations

import io
import json
import logging
import time
import warnings
from pathlib import Path
from typing import Any

from proceedings.util.cache import digest, seal, unseal
from proceedings.util.atomic import write_json
from proceedings.context import BuildContext
from proceedings.findings import Finding, PaperReport, ValidationReport
from proceedings.stages.gather import Gathered, Source
from proceedings.project.model import Rules
from proceedings.checks.pdfcheck import (
    check_active_content, check_fonts, check_page_sizes, may_have_active_content, open_pdf, plural, walk_fonts,
)
from proceedings.checks.textcheck import check_text
from proceedings.util.workers import Outcome, run_inline, run_limited

log = logging.getLogger(__name__)

CHECKS_VERSION = "3"
"""Bump when a check changes what it finds: cached results of older checks are then ignored."""

CACHE_DIR = Path(".cache") / "validation"
"""Under the output folder."""


# --------------------------------------------------------------------------- one file


def check_file(path: str, rules: dict[str, Any], title: str, authors: list[tuple[str, str | None]]) -> dict[str, Any]:
    """Check one camera-ready file; a JSON-able result (pages, body_pages, references_page, usable, findings).

    Runs in a worker process; everything that can go wrong with the file becomes a finding.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a broken file's complaints are findings, not errors of the caller's
        return _check_file(path, rules, title, authors)


def _check_file(path: str, rules: dict[str, Any], title: str, authors: list[tuple[str, str | None]]) -> dict[str, Any]:
    venue = Rules.model_validate(rules)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return {"pages": None, "body_pages": None, "references_page": None, "usable": False, "findings": [Finding(
            "unreadable", "error", None, f"The file cannot be read ({exc.strerror or exc}).",
            "Check that the file exists and can be read, then run again.").to_json()]}
    opened = open_pdf(io.BytesIO(data))
    findings = list(opened.findings)
    result: dict[str, Any] = {"pages": opened.pages, "body_pages": None, "references_page": None,
                              "usable": opened.usable, "findings": findings}
    if not opened.usable or opened.reader is None or not opened.pages:
        result["findings"] = [f.to_json() for f in findings]
        return result
    reader, count = opened.reader, opened.pages

    def guarded(name: str, check: Any) -> Any:
        try:
            return check()
        except (MemoryError, RecursionError):
            raise
        except Exception as exc:  # noqa: BLE001 - a hostile file broke one check: say so, run the others
            log.debug("%s: %s check failed", path, name, exc_info=True)
            findings.append(Finding(
                "check-failed", "warning", None,
                f"The {name} check could not run on this file ({type(exc).__name__}: {str(exc)[:120]}).",
                "Export the PDF again from the source; the file is probably damaged."))
            return None

    findings.extend(guarded("page size", lambda: check_page_sizes(reader, count, venue)) or [])
    fonts = guarded("font", lambda: walk_fonts(reader, count))
    if fonts is not None:
        findings.extend(check_fonts(fonts))
    if may_have_active_content(data, reader):
        findings.extend(guarded("active content", lambda: check_active_content(reader, count)) or [])
    text = guarded("text", lambda: check_text(
        reader, count, has_fonts=fonts is None or fonts.count > 0, title=title, authors=authors,
        profile=venue.profile))
    if text is not None:
        findings.extend(text.findings)
        if text.has_text:
            refs = text.references_page
            result["references_page"] = refs
            result["body_pages"] = body = (refs - 1) if refs else count
            findings.extend(check_length(count, body, refs, venue))
    result["findings"] = [f.to_json() for f in findings]
    return result


def check_length(total: int, body: int, references: int | None, rules: Rules) -> list[Finding]:
    """An error when the body (the pages before the references) is over max_pages or under min_pages."""
    if references:
        where = (f"{plural(body, 'page')} before the references (heading on page {references}), "
                 f"{plural(total, 'page')} in all")
    else:
        where = (f"{plural(total, 'page')} in all and no \"References\" heading found, so every page counts as body")
    limit = f"{rules.min_pages}–{rules.max_pages}" if rules.min_pages else f"at most {rules.max_pages}"
    if body > rules.max_pages:
        return [Finding(
            "length", "error", rules.max_pages + 1,
            f"The body is too long: {where}; the limit is {plural(rules.max_pages, 'page')}, references excluded.",
            f"Shorten the body to {plural(rules.max_pages, 'page')} or fewer; the references may follow on extra "
            "pages. If the references start earlier, give them a heading line that reads \"References\".")]
    if body < rules.min_pages:
        return [Finding(
            "length", "error", None,
            f"The body is too short: {where}; the venue asks for {limit} pages, references excluded.",
            f"Send the full paper: at least {plural(rules.min_pages, 'page')} before the references.")]
    return []


# --------------------------------------------------------------------------- cache


def cache_key(source: Source, rules: Rules) -> str:
    """Digest of what a result depends on: the file, the rules, the tool, the paper's title and authors."""
    venue = rules.model_dump(mode="json", exclude={"time_limit", "memory_limit_mb"})
    return digest("validation", CHECKS_VERSION, source.sha256, venue, source.paper.title,
                  [[a.name, a.family] for a in source.paper.authors])


def _cache_read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    data = unseal(data, path.name)  # bit rot in a cached result is caught, never reported as a finding
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        return None
    return data


def _cache_write(path: Path, data: dict[str, Any]) -> None:
    try:
        write_json(path, seal(data))
    except OSError as exc:
        log.debug("cannot write the validation cache %s: %s", path, exc)


# --------------------------------------------------------------------------- results


def _report(source: Source, data: dict[str, Any]) -> PaperReport:
    findings = []
    for f in data.get("findings", []):
        try:
            findings.append(Finding(**f))
        except TypeError:
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


def validate(gathered: Gathered, ctx: BuildContext) -> ValidationReport:
    """Check every paper; a bad paper never stops the others. Results in volume order."""
    rules = gathered.project.workshop.rules
    rules_json = rules.model_dump(mode="json")
    cache_dir = Path(ctx.out_dir) / CACHE_DIR
    reports: dict[str, PaperReport] = {}
    todo: list[tuple[str, tuple]] = []
    keys: dict[str, str] = {}
    sources = {s.paper.id: s for s in gathered.sources}
    started = time.monotonic()
    with ctx.progress("validate", len(gathered.sources)) as advance:
        for source in gathered.sources:
            key = keys[source.paper.id] = cache_key(source, rules)
            cached = _cache_read(cache_dir / f"{key}.json") if ctx.use_cache else None
            if cached is not None:
                reports[source.paper.id] = _report(source, cached)
                advance(1)
                continue
            authors = [(a.name, a.family) for a in source.paper.authors]
            todo.append((source.paper.id, (str(source.path), rules_json, source.paper.title, authors)))

        def done(outcome: Outcome) -> None:
            source = sources[outcome.key]
            if outcome.status == "ok" and isinstance(outcome.value, dict):
                reports[outcome.key] = _report(source, outcome.value)
                _cache_write(cache_dir / f"{keys[outcome.key]}.json", outcome.value)
            else:
                log.info("paper %s: %s (%s)", outcome.key, outcome.status, outcome.detail)
                reports[outcome.key] = _failure(source, outcome, rules)
            advance(1)

        if todo:
            try:
                run_limited(check_file, todo, jobs=ctx.jobs, time_limit=rules.time_limit,
                            memory_mb=rules.memory_limit_mb, on_done=done)
            except (OSError, ImportError, ValueError, RuntimeError) as exc:  # no worker processes here
                log.warning("cannot start worker processes (%s); checking in this process, without limits", exc)
                run_inline(check_file, [t for t in todo if t[0] not in reports], on_done=done)
    log.info("validated %d papers (%d from the cache) in %.1f s", len(gathered.sources),
             len(gathered.sources) - len(todo), time.monotonic() - started)
    return ValidationReport(papers=[reports[s.paper.id] for s in gathered.sources])

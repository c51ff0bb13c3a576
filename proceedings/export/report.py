"""Validation outputs: build/validation.json, build/validation.html, the terminal table and e-mails to authors.

The HTML page and the e-mails are jinja2 templates (``templates/validation.html.j2``,
``templates/email.txt.j2``). The chair may edit the e-mail: a project's own
``front_matter/email.txt.j2`` is used instead of the packaged one, and so is a file given with
``proceedings validate --emails DIR --email-template FILE``.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from proceedings import __version__
from proceedings.errors import InputError
from proceedings.export.htmlindex import LAYOUT, TEMPLATES, environment
from proceedings.export.mail import remove_attachments, write_attachments
from proceedings.export.pictures import safe_id
from proceedings.findings import Finding, PaperReport, ValidationReport
from proceedings.project.model import Paper, Project
from proceedings.util.atomic import write_json, write_text

log = logging.getLogger(__name__)

EMAIL_TEMPLATE = "email.txt.j2"
HTML_TEMPLATE = "validation.html.j2"
PROJECT_EMAIL_TEMPLATE = Path("front_matter") / EMAIL_TEMPLATE
"""A project's own e-mail template, relative to the project folder."""

RULE_TITLES: dict[str, str] = {
    "unreadable": "File cannot be read",
    "no-pages": "No pages",
    "encrypted": "Encrypted",
    "timeout": "Check timed out",
    "memory": "Check ran out of memory",
    "page-size": "Page size",
    "length": "Body length (references excluded)",
    "fonts-embedded": "Fonts not embedded",
    "type3-fonts": "Type 3 (bitmap) fonts",
    "damaged-stream": "Damaged file (or decompression bomb)",
    "line-numbers": "Line numbers (review mode)",
    "anonymous": "Anonymous author block",
    "draft-footer": "Draft footer",
    "submission-id": "Submission ID",
    "placeholders": "Template placeholders",
    "active-content": "Active content (scripts, actions, attachments, media, forms)",
    "title": "Title on page 1",
    "authors": "Authors on page 1",
    "bottom-margin": "Content in the bottom margin (page-number zone)",
    "page-numbers": "Page numbers of the paper's own",
    "margins": "Content outside the text block",
    "overprint": "Text printed over text",
    "template": "Not in the venue's template",
    "rights-block": "Rights block missing or the template's",
    "no-text": "No text (scanned paper)",
    "language": "Not in English",
    "check-failed": "Check could not run",
    "stamp-failed": "Could not be copied into the volume",
    "sanitized": "Removed from the volume",
}
"""A readable name for each rule id (unknown ids are shown as they are)."""


def rule_title(rule: str) -> str:
    """The readable name of a rule id."""
    return RULE_TITLES.get(rule, rule)


@dataclass
class RuleCount:
    """One row of the per-rule summary."""

    rule: str
    title: str
    severity: str
    papers: int
    findings: int


def rule_counts(report: ValidationReport) -> list[RuleCount]:
    """Findings and papers per rule, errors first, then by count."""
    findings: Counter[tuple[str, str]] = Counter()
    papers: Counter[tuple[str, str]] = Counter()
    for paper in report.papers:
        seen = set()
        for f in paper.findings:
            key = (f.rule, f.severity)
            findings[key] += 1
            if key not in seen:
                papers[key] += 1
                seen.add(key)
    rows = [RuleCount(rule, rule_title(rule), sev, papers[(rule, sev)], n) for (rule, sev), n in findings.items()]
    rows.sort(key=lambda r: (r.severity != "error", -r.papers, r.rule))
    return rows


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.severity != "error", f.page or 0))


def _paper_context(paper: PaperReport, entry: Paper | None) -> dict[str, Any]:
    return {
        "id": paper.id, "file": paper.file, "title": entry.title if entry else "",
        "authors": [a.name for a in entry.authors] if entry else [],
        "emails": [a.email for a in entry.authors if a.email] if entry else [],
        "pages": paper.pages, "body_pages": paper.body_pages, "references_page": paper.references_page,
        "in_volume": paper.usable, "errors": _sorted(paper.errors), "warnings": _sorted(paper.warnings),
        "findings": _sorted(paper.findings), "sha256": paper.sha256,
    }


def _context(report: ValidationReport, project: Project) -> dict[str, Any]:
    entries = {p.id: p for p in project.papers}
    rules = project.workshop.rules
    return {
        "workshop": project.workshop, "rules": rules, "tool": f"proceedings {__version__}",
        "papers": [_paper_context(p, entries.get(p.id)) for p in report.papers],
        "counts": rule_counts(report), "errors": report.error_count, "warnings": report.warning_count,
        "rule_title": rule_title,
    }


def anchor(prefix: str, key: str) -> str:
    """An id for the page (``paper-17``, ``rule-length-error``): ``key`` as a file name writes it
    (:func:`~proceedings.export.pictures.safe_id`: letters, digits, ``._-``, a digest keeping rewritten keys
    apart), so an id with a space, ``#`` or ``%`` is a valid id and a fragment, and two keys never share one."""
    return f"{prefix}-{safe_id(key)}"


def _navigation(context: dict[str, Any]) -> dict[str, Any]:
    """What lets the chair find a paper at 1,000 papers: each paper's anchor; the papers with errors, then those
    with warnings only, then the clean ones (each in volume order); per rule of the summary, its anchor and the
    papers that break it."""
    papers = context["papers"]
    for view in papers:
        view["anchor"] = anchor("paper", view["id"])
    by_rule: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for view in papers:
        for key in dict.fromkeys((f.rule, f.severity) for f in view["findings"]):
            by_rule.setdefault(key, []).append(view)
    rules = [{"row": row, "anchor": anchor("rule", f"{row.rule}-{row.severity}"),
              "papers": by_rule[(row.rule, row.severity)]} for row in context["counts"]]
    return {
        "with_errors": [v for v in papers if v["errors"]],
        "with_warnings": [v for v in papers if v["warnings"] and not v["errors"]],
        "clean": [v for v in papers if not v["findings"]],
        "rules_nav": rules,
    }


def render_html(report: ValidationReport, project: Project) -> str:
    """validation.html: a summary by rule (each row linking to the papers that break it), the papers to fix
    (errors first, then warnings only, each linking to its findings), the papers by rule, then one section per
    flagged paper (rule, page, message, fix) and a table of the papers without problems."""
    context = _context(report, project)
    return environment().get_template(HTML_TEMPLATE).render(**context, **_navigation(context))


def write_reports(report: ValidationReport, project: Project, out_dir: Path) -> dict[str, Path]:
    """Write the JSON report and the HTML page for authors."""
    paths = {"json": Path(out_dir) / "validation.json", "html": Path(out_dir) / "validation.html"}
    write_json(paths["json"], report.to_json())
    write_text(paths["html"], render_html(report, project))
    return paths


class _Bounded(SandboxedEnvironment):
    """Where the e-mail templates render: a chair's template is an input like any other, so it is sandboxed (no
    way into Python's internals, ``range`` bounded) and a repetition or a power it asks for is bounded too (a
    ``{{ 'x' * 10**10 }}`` ran the machine out of memory)."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError(f"a power of {right} is past what a message needs")
        if operator == "*":
            for count, item in ((left, right), (right, left)):
                if isinstance(count, int) and isinstance(item, (str, list, tuple)) and count * len(item) > MAX_REPEAT:
                    raise SecurityError(f"a repetition {count} times long is past what a message needs")
        return super().call_binop(context, operator, left, right)


MAX_REPEAT = 1_000_000
"""Most characters (or items) one repetition in an e-mail template may make."""


def _where(project: Project, template: Path | None) -> tuple[str | None, str]:
    """(folder, name) of the e-mail template: ``template`` when given, else the project's own, else the packaged
    one (folder None)."""
    if template is not None:
        return str(template.resolve().parent), template.name
    own = project.root / PROJECT_EMAIL_TEMPLATE
    return (str(own.parent), own.name) if own.is_file() else (None, EMAIL_TEMPLATE)


def _template(folder: str | None, name: str) -> jinja2.Template:
    loader = jinja2.FileSystemLoader([folder, str(TEMPLATES)] if folder is not None else [str(TEMPLATES)])
    return _Bounded(loader=loader, **LAYOUT).get_template(name)


def email_template(project: Project, template: Path | None = None) -> jinja2.Template:
    """The e-mail template: ``template`` when given, else the project's own, else the packaged one."""
    return _template(*_where(project, template))


def render_emails(folder: str | None, name: str, context: dict[str, Any], papers: list[tuple[str, int]]) -> list[str]:
    """The messages of ``papers`` ((id, its index in ``context["papers"]``)), rendered in a worker process: a
    template that runs without end or fills the memory is stopped there, under the rules' limits."""
    tmpl = _template(folder, name)
    out = []
    for pid, i in papers:
        try:
            out.append(tmpl.render(**{**context, "paper": context["papers"][i]}))
        except MemoryError:
            raise  # the worker's memory limit: told as such
        except Exception as exc:  # noqa: BLE001 - any failure of the chair's template is the template's to fix
            why = str(exc) if isinstance(exc, jinja2.TemplateError) else f"{type(exc).__name__}: {exc}"
            raise ValueError(f"for paper {pid}: {why[:300]}") from None
    return out


def _rendered(project: Project, template: Path | None, context: dict[str, Any],
              papers: list[tuple[str, int]]) -> list[str]:
    """:func:`render_emails` under the rules' time and memory limits; any failure an :class:`InputError` naming the
    template."""
    from proceedings.util.workers import run_one

    folder, name = _where(project, template)
    shown = str(template) if template is not None else (f"{folder}/{name}" if folder else name)
    rules = project.workshop.rules
    outcome = run_one(render_emails, (folder, name, context, papers), time_limit=rules.time_limit,
                      memory_mb=rules.memory_limit_mb, what="rendering the e-mails")
    if outcome.status == "ok":
        return outcome.value
    if outcome.status == "timeout":
        raise InputError(f"{shown}: e-mail template ran past {rules.time_limit:g} s and was stopped")
    if outcome.status == "memory":
        raise InputError(f"{shown}: e-mail template needed more than {rules.memory_limit_mb} MiB and was stopped")
    detail = outcome.detail.removeprefix("ValueError: ")
    raise InputError(f"{shown}: e-mail template error {detail}")


def write_emails(report: ValidationReport, project: Project, out: Path, *, template: Path | None = None,
                 include_warnings: bool = True, pictures: Path | None = None) -> list[Path]:
    """One message per paper with problems, ``out/ID.txt`` (headers, a blank line, the body).

    Papers without errors (and, when ``include_warnings``, without warnings) get none; messages of
    an earlier run for papers that are now fine are removed. The pictures of a paper's findings
    (found under ``pictures``, the output folder, default ``PROJECT/build``) are copied beside its
    message, and ``out/ID.eml`` is the same message with them attached (see :mod:`proceedings.export.mail`).
    """
    try:
        email_template(project, template)  # read here: a missing or broken template is told with its line
    except jinja2.TemplateNotFound as exc:
        raise InputError(f"{template or exc.name}: e-mail template not found") from None
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or template
        raise InputError(f"{where}: line {exc.lineno}: e-mail template error: {exc.message}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{template or PROJECT_EMAIL_TEMPLATE}: e-mail template is not UTF-8 text ({exc.reason})") \
            from None
    context = _context(report, project)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    due = []
    for i, paper in enumerate(report.papers):
        if paper.errors or (include_warnings and paper.warnings):
            due.append(i)
            continue
        target = out / f"{paper.id}.txt"
        if target.is_file():
            target.unlink()
        remove_attachments(out, paper.id)
    texts = _rendered(project, template, context, [(report.papers[i].id, i) for i in due]) if due else []
    written = []
    for i, text in zip(due, texts, strict=True):
        paper = report.papers[i]
        target = out / f"{paper.id}.txt"
        write_text(target, text)
        write_attachments(out, paper, text, pictures or project.root / "build")
        written.append(target)
    log.info("wrote %d e-mails to %s", len(written), out)
    return written


def print_table(report: ValidationReport, console: Any, *, strict: bool = False) -> None:
    """The terminal summary: findings per rule (rich table), then every paper's errors."""
    from rich.table import Table

    n = len(report.papers)
    if not report.error_count and not report.warning_count:
        console.print(f"validation: {n} paper{'s' if n != 1 else ''}, no problems")
        return
    table = Table(title="Validation", title_justify="left", show_lines=False)
    table.add_column("Rule")
    table.add_column("Severity")
    table.add_column("Papers", justify="right")
    table.add_column("Findings", justify="right")
    for row in rule_counts(report):
        style = "red" if row.severity == "error" else "yellow"
        table.add_row(f"{row.title} [dim]({row.rule})[/dim]", f"[{style}]{row.severity}[/{style}]",
                      str(row.papers), str(row.findings))
    console.print(table)
    failing = [p for p in report.papers if p.errors or (strict and p.warnings)]
    for paper in failing:
        console.print(f"[bold]{paper.id}[/bold] ({paper.file})"
                      + ("" if paper.usable else " [red]— left out of the volume[/red]"), highlight=False)
        for f in _sorted(paper.findings):
            if f.severity == "error" or strict:
                where = f"p. {f.page}: " if f.page else ""
                style = "red" if f.severity == "error" else "yellow"
                console.print(f"  [{style}]{f.rule}[/{style}] ", end="", highlight=False)
                console.print(f"{where}{f.message}", markup=False, highlight=False)
    warned = [p.id for p in report.papers if p.warnings and not p.errors and not strict]  # the others: listed above
    if warned:  # named, each, but not told in full here: validation.html has them with their fixes
        shown = ", ".join(warned[:20]) + (f" and {len(warned) - 20} more (validation.html lists them all, each "
                                          "linked to its findings)" if len(warned) > 20 else "")
        console.print(f"[yellow]warnings[/yellow] only: paper{'s' if len(warned) > 1 else ''} {shown}",
                      highlight=False)
    papers_with = sum(1 for p in report.papers if p.findings)
    console.print(f"validation: {report.error_count} error{'s' if report.error_count != 1 else ''}, "
                  f"{report.warning_count} warning{'s' if report.warning_count != 1 else ''} in {papers_with} of "
                  f"{n} papers (details and fixes: validation.html)", highlight=False)

"""Validation outputs: build/validation.json and build/validation.html."""

from __future__ import annotations

import html
from pathlib import Path

from proceedings.atomic import write_json, write_text
from proceedings.findings import ValidationReport
from proceedings.models import Project


def write_reports(report: ValidationReport, project: Project, out_dir: Path) -> dict[str, Path]:
    """Write the JSON report and the HTML page for authors."""
    paths = {"json": out_dir / "validation.json", "html": out_dir / "validation.html"}
    write_json(paths["json"], report.to_json())
    rows = []
    for paper in report.papers:
        rows.append(f"<h2>{html.escape(paper.id)}: {html.escape(paper.file)}</h2>")
        if not paper.findings:
            rows.append("<p>No problems found.</p>")
            continue
        rows.append("<table><tr><th>Rule</th><th>Severity</th><th>Page</th><th>Message</th><th>Fix</th></tr>")
        for f in paper.findings:
            rows.append(f"<tr><td>{html.escape(f.rule)}</td><td>{f.severity}</td><td>{f.page or ''}</td>"
                        f"<td>{html.escape(f.message)}</td><td>{html.escape(f.fix)}</td></tr>")
        rows.append("</table>")
    title = html.escape(f"{project.workshop.acronym}: validation report")
    write_text(paths["html"], f"<!DOCTYPE html><html lang=en><meta charset=utf-8><title>{title}</title>"
                              f"<h1>{title}</h1>{''.join(rows)}</html>\n")
    return paths

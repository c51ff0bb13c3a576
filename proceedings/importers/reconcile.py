"""Merge an export into ``camera_ready/papers.yaml`` without overwriting what the chair wrote.

Entries already in papers.yaml are matched by id and left exactly as they are, in their order, with their
comments: what the export says differently is reported, never written. New accepted papers are appended. The
one change made to an existing entry is its ``file`` when that file does not exist and a camera-ready PDF now
matches the paper (reported too). Papers no longer accepted stay and are reported. An accepted paper
whose entry the chair commented out ("# - id: '40'") is not added again.

The file is edited as text (PyYAML keeps no comments), so everything the chair wrote stays byte for byte;
only a papers.yaml written as a non-empty flow list (``[{...}]``) is rewritten whole, keeping its leading
comment lines but not comments inside.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from proceedings.errors import InputError
from proceedings.importers.common import Export, ImportedPaper, clean, paper_type, submission_id
from proceedings.importers.pdfs import match, normal, pdf_files
from proceedings.project.init import template
from proceedings.project.inputs import parse_yaml, parse_yaml_or_problem
from proceedings.project.model import CAMERA_READY, PAPERS_FILE
from proceedings.text import match_fold
from proceedings.util.atomic import write_text

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- YAML writing


class _Dumper(yaml.SafeDumper):
    """Block style, list items indented under their key, multi-line strings as literal blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|" if "\n" in data else None)


_Dumper.add_representer(str, _represent_str)


def dump(data: Any) -> str:
    """YAML text of ``data`` as papers.yaml writes it."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                     width=100)


def _scalar(value: str) -> str:
    """One string as an inline YAML scalar."""
    text = yaml.dump([value], Dumper=_Dumper, allow_unicode=True, default_flow_style=True, width=10**6)
    return text.strip()[1:-1]


def _entry_text(entry: dict[str, Any], indent: int) -> str:
    pad = " " * indent
    return "".join(pad + line + "\n" for line in dump([entry]).splitlines())


def header(export: Export) -> str:
    """The comment that opens a papers.yaml the importer writes."""
    command = f"proceedings import {export.source.lower()}"
    return (
        "# The accepted papers, in volume order: move entries to reorder the volume; `session` groups them.\n"
        f"# Imported from {export.source} ({', '.join(export.files)}) with `{command}`.\n"
        "# Importing again keeps your edits, order and comments: new papers are appended at the end,\n"
        "# and what the export says differently is reported, never written over.\n"
    )


# --------------------------------------------------------------------------- the merge


@dataclass
class MergeResult:
    """The merged papers.yaml and what the merge found."""

    path: Path
    old_text: str
    text: str
    source: str
    accepted: int = 0
    added: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    """Ids of the entries already in papers.yaml (all kept)."""
    changed: dict[str, list[str]] = field(default_factory=dict)
    """Id -> how the export differs from papers.yaml (papers.yaml kept)."""
    files_set: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Id -> (old file, matched file) for entries whose file did not exist."""
    not_accepted: dict[str, str] = field(default_factory=dict)
    """Id -> why an entry of papers.yaml is not an accepted paper of the export (kept)."""
    missing_pdf: list[tuple[str, str]] = field(default_factory=list)
    """(id, file) of the entries whose PDF is not in camera_ready/."""
    unmatched_pdfs: list[str] = field(default_factory=list)
    """PDFs in camera_ready/ that no entry names."""
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    """Id -> the PDFs that match it equally well (none chosen)."""
    commented: list[str] = field(default_factory=list)
    """Ids of accepted papers whose entry the chair commented out (not added again)."""
    rewritten: bool = False
    """Whether papers.yaml had to be rewritten whole (comments inside it lost)."""

    @property
    def modified(self) -> bool:
        return self.text != self.old_text

    def diff(self) -> str:
        """The unified diff from the current papers.yaml to the merged one."""
        return "".join(difflib.unified_diff(
            self.old_text.splitlines(keepends=True), self.text.splitlines(keepends=True),
            fromfile=f"a/{PAPERS_FILE}", tofile=f"b/{PAPERS_FILE}"))

    def write(self) -> None:
        """Write the merged papers.yaml atomically (nothing when unchanged)."""
        if self.modified:
            write_text(self.path, self.text)
            log.info("wrote %s", self.path)


def _differences(paper: ImportedPaper, entry: dict[str, Any]) -> list[str]:
    """How the export's paper differs from the chair's entry (only what the export knows)."""
    out: list[str] = []
    if paper.title and clean(entry.get("title")) != paper.title:
        out.append(f"title: export has {paper.title!r}")
    authors = entry.get("authors") if isinstance(entry.get("authors"), list) else []
    people = [a if isinstance(a, dict) else {"name": a} for a in authors]
    names = [clean(a.get("name")) for a in people]
    if paper.authors and [match_fold(n) for n in names] != [match_fold(a.name) for a in paper.authors]:
        out.append("authors: export has " + ", ".join(a.name for a in paper.authors))
    elif paper.authors:
        for i, (mine, theirs) in enumerate(zip(people, paper.authors), 1):
            differ = [f"{key} {getattr(theirs, key)!r}" for key in ("affiliation", "email")
                      if getattr(theirs, key) and clean(mine.get(key)) != getattr(theirs, key)]
            if differ:
                out.append(f"author {i} ({theirs.name}): export has " + ", ".join(differ))
    if paper.type and paper_type(clean(entry.get("type"))) != paper.type:  # "Short Paper" is short, "long" full
        out.append(f"type: export has {paper.type!r} (decision: {paper.decision})")
    if paper.abstract and clean(entry.get("abstract")) != clean(paper.abstract):
        out.append("abstract: the export's differs" if entry.get("abstract") else "abstract: only in the export")
    keywords = entry.get("keywords")
    mine_kw = [clean(k) for k in (keywords if isinstance(keywords, list) else str(keywords or "").split(","))]
    if paper.keywords and [match_fold(k) for k in mine_kw if k] != [match_fold(k) for k in paper.keywords]:
        out.append("keywords: export has " + ", ".join(paper.keywords))
    return out


_COMMENTED_ENTRY = re.compile(r"[ \t]*#[ \t]?-[ \t]+id[ \t]*:[ \t]*(?P<q>['\"]?)(?P<id>[^'\"#]*?)(?P=q)[ \t]*(#.*)?")
_EXAMPLE_TITLE = re.compile(r"[ \t]*#[ \t]*title[ \t]*:[ \t]*[\"']\.\.\.[\"'].*")


def commented_ids(text: str) -> set[str]:
    """The ids of the entries commented out in papers.yaml ("# - id: '40'"): the chair set them aside, and an
    import must not bring them back. The template's example (its next line "#   title: "..."") aside."""
    ids: set[str] = set()
    lines = [line.rstrip("\r") for line in text.split("\n")]
    for n, line in enumerate(lines):
        m = _COMMENTED_ENTRY.fullmatch(line)
        if m and m.group("id").strip() and not (n + 1 < len(lines) and _EXAMPLE_TITLE.fullmatch(lines[n + 1])):
            ids.add(submission_id(m.group("id")))
    return ids


def _why_not(paper: ImportedPaper | None, source: str) -> str:
    if paper is None:
        return f"not in the {source} export"
    return f"{paper.status.value}" + (f" (decision: {paper.decision})" if paper.decision else "")


def _locate(root: Any) -> tuple[yaml.Node | None, int]:
    """The sequence node of the papers and the column its items start at."""
    if root is None:
        return None, 0
    if isinstance(root, yaml.SequenceNode):
        return root, root.start_mark.column
    if isinstance(root, yaml.MappingNode):
        for key, node in root.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "papers" and isinstance(node, yaml.SequenceNode):
                return node, node.start_mark.column if node.value else key.start_mark.column + 2
    raise InputError(f"{PAPERS_FILE}: (top level): expected a list of papers; fix it before importing")


def _read(path: Path) -> tuple[str, Any, Any]:
    if not path.is_file():
        return "", None, None
    try:
        text = path.read_bytes().decode("utf-8-sig")  # line endings as they are
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{PAPERS_FILE}: cannot be read as UTF-8 text ({exc})") from None
    data, problem = parse_yaml_or_problem(text, verbatim=("id",))  # as the build reads it
    if problem:
        raise InputError(f"{PAPERS_FILE}: {problem}; fix it before importing")
    return text, yaml.compose(text, Loader=yaml.SafeLoader), data


def merge(project: Path, export: Export) -> MergeResult:
    """Merge the accepted papers of ``export`` into the project's papers.yaml (in memory; see ``write``)."""
    project = Path(project)
    path = project / PAPERS_FILE
    text, root, data = _read(path)
    seq, indent = _locate(root)
    entries: list[Any] = []
    if seq is not None:
        entries = data["papers"] if isinstance(data, dict) else data
    result = MergeResult(path=path, old_text=text, text=text, source=export.source,
                         accepted=len(export.accepted))
    by_id = {p.id: p for p in export.papers}
    pdfs = pdf_files(project / CAMERA_READY)
    camera_ready = project / CAMERA_READY

    existing: dict[str, int] = {}
    used: set[str] = set()
    for i, entry in enumerate(entries):
        if isinstance(entry, dict) and entry.get("id") is not None:
            existing.setdefault(submission_id(entry["id"]), i)
            if isinstance(entry.get("file"), str) and (camera_ready / entry["file"]).is_file():
                used.add(normal(entry["file"]))
    free = [f for f in pdfs if f not in used]

    edits: list[tuple[int, int, str]] = []
    # entries already there: compare, report, and give a found PDF to those whose file is missing
    lacking = [(pid, by_id[pid].file_hints if pid in by_id else []) for pid, i in existing.items()
               if not (isinstance(entries[i].get("file"), str) and (camera_ready / entries[i]["file"]).is_file())]
    found = match(lacking, free)
    for pid, i in existing.items():
        entry, paper = entries[i], by_id.get(pid)
        result.kept.append(pid)
        if paper is None or not paper.accepted:
            result.not_accepted[pid] = _why_not(paper, export.source)
        else:
            diffs = _differences(paper, entry)
            if diffs:
                result.changed[pid] = diffs
        new_file = found.files.get(pid)
        if new_file is None:
            continue
        node = next((v for k, v in seq.value[i].value if getattr(k, "value", None) == "file"), None) \
            if isinstance(seq.value[i], yaml.MappingNode) else None
        if isinstance(node, yaml.ScalarNode):
            edits.append((node.start_mark.index, node.end_mark.index, _scalar(new_file)))
            result.files_set[pid] = (str(entry.get("file")), new_file)
            free.remove(new_file)
    result.ambiguous.update(found.ambiguous)

    # new accepted papers, appended in export order
    set_aside = commented_ids(text)
    result.commented = [p.id for p in export.accepted if p.id not in existing and p.id in set_aside]
    new = [p for p in export.accepted if p.id not in existing and p.id not in set_aside]
    found = match([(p.id, p.file_hints) for p in new], free)
    result.ambiguous.update(found.ambiguous)
    new_entries = []
    for paper in new:
        new_entries.append(paper.to_yaml(found.files.get(paper.id, f"{paper.id}.pdf")))
        result.added.append(paper.id)
    blocks = "\n".join(_entry_text(e, indent) for e in new_entries)

    kept = list(entries)
    for pid, (_, new_file) in result.files_set.items():
        kept[existing[pid]] = {**kept[existing[pid]], "file": new_file}
    result.text = _edited(text, root, seq, edits, blocks, new_entries, kept, data, export)
    result.rewritten = bool(seq is not None and seq.flow_style and seq.value and result.modified)
    _check(result.text, len(entries) + len(new_entries))

    # what the merged papers.yaml lacks, and what camera_ready/ has that it does not name
    final = kept + new_entries
    named = set()
    for entry in final:
        if not isinstance(entry, dict):
            continue
        file = entry.get("file")
        pid = submission_id(entry.get("id"))
        if isinstance(file, str) and file.strip():
            named.add(normal(file))
            if not (camera_ready / file).is_file():
                result.missing_pdf.append((pid, file))
        else:
            result.missing_pdf.append((pid, "(no file)"))
    result.unmatched_pdfs = [f for f in pdfs if f not in named]
    _log(result)
    return result


def _edited(text: str, root: Any, seq: yaml.Node | None, edits: list[tuple[int, int, str]], blocks: str,
            new_entries: list[dict[str, Any]], entries: list[Any], data: Any, export: Export) -> str:
    """papers.yaml with the file edits applied and the new entries appended, as text."""
    if not edits and not new_entries:
        return text
    if not text.strip() or (not entries and text.encode("utf-8") == template(PAPERS_FILE)):
        return header(export) + "\n" + blocks
    if seq is not None and seq.flow_style and seq.value:
        return _rewritten(text, entries, new_entries, data)
    if blocks:
        if seq is None:  # only comments so far
            edits.append((len(text), len(text), ("" if text.endswith("\n") else "\n") + "\n" + blocks))
        elif seq.flow_style:  # "[]"
            start, end = seq.start_mark.index, seq.end_mark.index
            inline = seq is root and seq.start_mark.column == 0
            gap = "\n" if inline and text[:start].rstrip("\n").rsplit("\n", 1)[-1].strip() else ""
            edits.append((start, end, gap + blocks.rstrip("\n") if inline else "\n" + blocks.rstrip("\n")))
        else:
            at = seq.end_mark.index
            before = text[:at]
            lead = ("" if before.endswith("\n") or not before else "\n") + ("\n" if seq.value else "")
            edits.append((at, at, lead + blocks))
    newline = "\r\n" if "\r\n" in text else "\n"  # keep the file's Windows line endings
    for start, end, new in sorted(edits, key=lambda e: e[0], reverse=True):
        text = text[:start] + new.replace("\n", newline) + text[end:]
    return text


def _rewritten(text: str, entries: list[Any], new_entries: list[dict[str, Any]], data: Any) -> str:
    log.warning("%s is a flow-style list; rewritten whole (comments inside it are not kept)", PAPERS_FILE)
    lead = []
    for line in text.splitlines(keepends=True):
        if line.strip() and not line.lstrip().startswith("#"):
            break
        lead.append(line)
    papers = list(entries) + new_entries
    body = dump({**data, "papers": papers} if isinstance(data, dict) else papers)
    return "".join(lead) + body


def _check(text: str, count: int) -> None:
    """The merged text must load as papers.yaml with every entry: a bug of ours otherwise, never written."""
    data = parse_yaml(text)
    papers = data.get("papers") if isinstance(data, dict) else data
    if len(papers or []) != count:
        raise AssertionError(f"merged {PAPERS_FILE} has {len(papers or [])} entries, expected {count}")


def _log(result: MergeResult) -> None:
    for pid in result.added:
        log.info("paper %s: added", pid)
    for pid, diffs in result.changed.items():
        for d in diffs:
            log.info("paper %s: papers.yaml kept; %s", pid, d)
    for pid, why in result.not_accepted.items():
        log.info("paper %s: kept in papers.yaml but %s", pid, why)
    for pid, (old, new) in result.files_set.items():
        log.info("paper %s: file %s (was %s, not found)", pid, new, old)
    for pid, file in result.missing_pdf:
        log.info("paper %s: no PDF (%s)", pid, file)
    for file in result.unmatched_pdfs:
        log.info("%s/%s: matches no paper", CAMERA_READY, file)
    for pid, files in result.ambiguous.items():
        log.info("paper %s: several PDFs match (%s); none chosen", pid, ", ".join(files))


"""Camera-ready PDFs matched to papers by submission number: 17.pdf, paper17.pdf, EReL2025_paper_17.pdf."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

_KEYWORD = re.compile(
    r"(?<![a-z])(?:paper|submission|submis|sub|pap|id|no|nr|num|number|p|#)[\s_\-.#]*0*(\d+)(?!\d)", re.I)
_ALONE = re.compile(r"0*(\d+)")
_LEADING = re.compile(r"0*(\d+)[\s_\-.(].*")
_TRAILING = re.compile(r".*[\s_\-.)]0*(\d+)")


def numbers_in_name(stem: str) -> list[tuple[str, int]]:
    """The submission numbers a file name may give, with their strength: after "paper"/"submission"/"p"…, or
    the whole name (2); a number that starts or ends the name, "17_camera_ready", "EReL2025_17" (1)."""
    out = [(str(int(n)), 2) for n in reversed(_KEYWORD.findall(stem))]
    m = _ALONE.fullmatch(stem)
    if m:
        out.append((str(int(m.group(1))), 2))
    for pattern in (_LEADING, _TRAILING):
        m = pattern.fullmatch(stem)
        if m:
            out.append((str(int(m.group(1))), 1))
    return out


def normal(file: str) -> str:
    """A papers.yaml ``file`` value as a comparable relative path ("./a//b.pdf" -> "a/b.pdf")."""
    return PurePosixPath(os.path.normpath(str(file).replace("\\", "/"))).as_posix()


def pdf_files(camera_ready: Path) -> list[str]:
    """Every PDF under camera_ready/ (hidden files and folders skipped), relative, sorted."""
    if not camera_ready.is_dir():
        return []
    out = []
    for dirpath, dirnames, filenames in os.walk(camera_ready):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.lower().endswith(".pdf") and not name.startswith("."):
                out.append(Path(dirpath, name).relative_to(camera_ready).as_posix())
    return sorted(out)


@dataclass
class Matches:
    """What :func:`match` found."""

    files: dict[str, str] = field(default_factory=dict)
    """Paper id -> its PDF."""
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    """Paper id -> the equally good candidates, none chosen."""


def _score(paper_id: str, hints: Iterable[str], file: str) -> int:
    name = PurePosixPath(file).name
    stem = PurePosixPath(file).stem
    if stem.casefold() == paper_id.casefold() or name.casefold() in {h.casefold() for h in hints}:
        return 3
    if not paper_id.isdigit():
        return 0
    wanted = str(int(paper_id))
    return max((strength for number, strength in numbers_in_name(stem) if number == wanted), default=0)


def match(papers: Iterable[tuple[str, list[str]]], files: Iterable[str]) -> Matches:
    """Match each (paper id, file-name hints) to one of ``files``, surest matches first; a file goes to one
    paper at most, and a paper with several equally good candidates gets none (they are reported)."""
    found = Matches()
    papers = list(papers)
    free = list(files)
    scores = {(pid, f): _score(pid, hints, f) for pid, hints in papers for f in free}
    for strength in (3, 2, 1):
        for pid, _ in papers:
            if pid in found.files or pid in found.ambiguous:
                continue
            top = [f for f in free if scores[(pid, f)] == strength]
            if len(top) == 1:
                found.files[pid] = top[0]
                free.remove(top[0])
            elif top:
                found.ambiguous[pid] = top
    return found

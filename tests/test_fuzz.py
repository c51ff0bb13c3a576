"""A seeded fuzz campaign (issue 13): mutated PDFs and mutated project files never end in an internal
error or a run past its limit; the exit status is the contract's; every paper is in the volume or
listed with a reason; the volume passes ``qpdf --check``.

The seed is ``PROCEEDINGS_FUZZ_SEED`` (default 1313); another seed is another campaign.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from proceedings.errors import ProceedingsError
from tests.conftest import AWKWARD, REPO, build_project, copy_project

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("PROCEEDINGS_FUZZ_SEED", "1313"))
PAPERS = 24
LIMIT = 20  # seconds one paper may take to check: keeps a hostile mutation short


def mutate_pdf(data: bytes, rng: random.Random) -> bytes:
    """Byte flips, a truncation, a zeroed block, a repeated chunk or garbage inserted: one or two of them."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 2)):
        kind = rng.choice(["flip", "flip", "truncate", "zero", "repeat", "insert"])
        n = len(out)
        at = rng.randrange(n)
        if kind == "flip":
            for _ in range(rng.randint(1, 64)):
                out[rng.randrange(n)] ^= 1 << rng.randrange(8)
        elif kind == "truncate":
            del out[max(64, int(n * rng.uniform(0.3, 0.99))):]
        elif kind == "zero":
            out[at:at + rng.randint(16, 4096)] = bytes(len(out[at:at + rng.randint(16, 4096)]))
        elif kind == "repeat":
            out[at:at] = out[at:at + rng.randint(16, 2048)] * rng.randint(2, 20)
        else:
            out[at:at] = rng.randbytes(rng.randint(1, 512))
    return bytes(out)


def _sources() -> list[Path]:
    files = sorted((REPO / "camera_ready").glob("*.pdf"))
    if AWKWARD.exists():
        files += sorted(AWKWARD.glob("*.pdf"))[:: 6]
    return files


def _rules(project: Path) -> None:
    path = project / "front_matter/workshop.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.setdefault("rules", {})["time_limit"] = LIMIT
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_mutated_papers_build_once(tmp_path: Path):
    rng = random.Random(SEED)
    project = copy_project(tmp_path / "p")
    _rules(project)
    template = yaml.safe_load((project / "camera_ready/papers.yaml").read_text(encoding="utf-8"))
    sources = _sources()
    entries = []
    for i in range(PAPERS):
        source = rng.choice(sources)
        name = f"fuzz-{i:02d}.pdf"
        (project / "camera_ready" / name).write_bytes(mutate_pdf(source.read_bytes(), rng))
        entries.append({**template[i % len(template)], "id": f"f{i}", "file": name, "doi": f"10.5555/fuzz.{i}"})
    (project / "camera_ready/papers.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False),
                                                      encoding="utf-8")
    out = tmp_path / "out"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1745798400"}
    proc = subprocess.run([sys.executable, "-m", "proceedings", "build", "-p", str(project), "-o", str(out), "-q"],
                          capture_output=True, text=True, check=False,
                          env=env, timeout=PAPERS * LIMIT)  # the guard against a run without end
    assert proc.returncode in (0, 1), f"seed {SEED}: exit {proc.returncode}\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    meta = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    in_volume = [p["id"] for p in meta["papers"]]
    excluded = {e["id"]: e["reasons"] for e in meta["excluded"]}
    assert sorted(in_volume + list(excluded)) == sorted(e["id"] for e in entries), f"seed {SEED}"
    assert all(excluded.values()), f"seed {SEED}: a paper left out without a reason"
    report = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in report["papers"]] == [e["id"] for e in entries]
    check = subprocess.run(["qpdf", "--check", str(out / "proceedings.pdf")], capture_output=True, text=True,
                           check=False)
    assert check.returncode == 0, f"seed {SEED}: {check.stdout[-2000:]}"


def _yaml_mutations(rng: random.Random) -> list[tuple[str, str]]:
    """(file, how) pairs: each a way to damage one project file."""
    kinds = ["flip", "truncate", "control", "huge-int", "long-title", "duplicate-entry", "drop-line", "deep",
             "swap-type", "bad-date", "alias-bomb", "many-authors", "bad-rules"]
    files = ["camera_ready/papers.yaml", "front_matter/workshop.yaml", "front_matter/committee.yaml",
             "front_matter/organizers.yaml", "front_matter/preface.md"]
    anywhere = ("flip", "truncate", "drop-line", "control")
    fixed = {"bad-date": "front_matter/workshop.yaml", "bad-rules": "front_matter/workshop.yaml"}
    return [(rng.choice(files) if kind in anywhere else fixed.get(kind, files[0]), kind) for kind in kinds]


def _damage(text: str, kind: str, rng: random.Random) -> str:
    lines = text.splitlines()
    if kind == "flip":
        data = bytearray(text.encode("utf-8"))
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        return data.decode("utf-8", "replace")
    if kind == "truncate":
        return text[: rng.randrange(len(text))]
    if kind == "control":
        at = rng.randrange(len(text))
        return text[:at] + rng.choice(["\x00", "\x1b[2J", "\x07", "\x85"]) + text[at:]
    if kind == "huge-int":
        return re.sub(r"id: \S+", "id: " + "7" * rng.randint(4300, 6000), text, count=1)
    if kind == "long-title":
        return re.sub(r"title: .*", "title: " + "x" * rng.randint(1001, 50_000), text, count=1)
    if kind == "duplicate-entry":  # the same file twice, under another id
        entries = yaml.safe_load(text)
        entries.append({**entries[0], "id": "dup"})
        return yaml.safe_dump(entries, allow_unicode=True, sort_keys=False)
    if kind == "drop-line":
        del lines[rng.randrange(len(lines))]
        return "\n".join(lines) + "\n"
    if kind == "deep":
        return "[" * 5000 + "]" * 5000
    if kind == "swap-type":
        return re.sub(r"authors:", "authors: 17\n  x_authors:", text, count=1)
    if kind == "bad-date":
        return re.sub(r"start_date: .*", "start_date: 2025-13-45", text, count=1)
    if kind == "bad-rules":
        value = rng.choice(["{time_limit: .inf}", "{time_limit: 1e308}", "{memory_limit_mb: 99999999999999999999}",
                            "{max_pages: -1}", "{min_pages: 9, max_pages: 2}", "{page_size: a5}", "[1, 2]"])
        return re.sub(r"(?m)^rules:.*(\n[ ].*)*", "", text) + f"\nrules: {value}\n"
    if kind == "alias-bomb":
        bomb = "a: &a ['x','x','x','x','x','x','x','x','x']\n" + "".join(
            f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
        return bomb + "papers:\n" + "\n".join("  " + line for line in lines)
    authors = "".join(f"\n    - name: Person {k}" for k in range(rng.randint(1001, 3000)))
    return re.sub(r"authors:", "authors:" + authors + "\n  x_authors:", text, count=1)


def test_mutated_project_files(tmp_path: Path):  # built in this process (the API), exit status from the error
    rng = random.Random(SEED + 1)
    base = copy_project(tmp_path / "base")
    entries = yaml.safe_load((base / "camera_ready/papers.yaml").read_text(encoding="utf-8"))
    (base / "camera_ready/papers.yaml").write_text(yaml.safe_dump(entries[:2], sort_keys=False), encoding="utf-8")
    for i, (rel, kind) in enumerate(_yaml_mutations(rng)):
        project = tmp_path / f"m{i}"
        shutil.copytree(base, project)
        path = project / rel
        path.write_text(_damage(path.read_text(encoding="utf-8"), kind, rng), encoding="utf-8", errors="replace")
        try:
            result = build_project(project, tmp_path / "out")  # one output folder: its cache is warm
        except ProceedingsError as exc:
            assert exc.exit_code in (1, 2), f"seed {SEED}, {kind} in {rel}: exit {exc.exit_code}: {exc}"
            if exc.exit_code == 2:
                assert exc.problems or rel.rsplit("/", 1)[-1] in str(exc) or "front matter" in str(exc), (kind, exc)
            continue
        assert result.outputs["volume"].exists(), (kind, rel)

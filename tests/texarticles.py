"""Small real papers compiled with pdflatex in the test run (the checks of issue 12b read them).

``article`` papers, not acmart (a few tenths of a second each): what matters here is that the PDF
is what pdfTeX writes (Flate content streams in a PDF 1.5 file with object streams, Type 1 or
METAFONT bitmap fonts, LaTeX's own page numbers).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

EPOCH = "1745798400"

_TEXT = ("the representation of each item is learned from the data and then used for retrieval in a large "
          "collection where we compare our method with strong baselines on three public benchmarks and show that "
          "it improves the quality of the ranking while it also reduces the cost of the index for every query "
          "that users send to the system during the evaluation")
_WORDS = _TEXT.split()


def prose(seed: int, paragraphs: int, sentences: int = 7) -> str:
    """English paragraphs (the language check must see English) that differ from seed to seed."""
    rng = random.Random(seed)
    out = []
    for _ in range(paragraphs):
        text = []
        for _ in range(sentences):
            start = rng.randrange(0, len(_WORDS) - 18)
            words = _WORDS[start:start + rng.randrange(12, 18)]
            text.append(" ".join(words).capitalize() + ".")
        out.append(" ".join(text))
    return "\n\n".join(out)


def article(*, pages: int = 5, number_on_page: int | None = None, preamble: str = "", seed: int = 1) -> str:
    """A two-column US Letter paper of about ``pages`` pages with a References section at the end.

    No page numbers, except LaTeX's own at the bottom of page ``number_on_page`` (text where the
    volume's page numbers are stamped).
    """
    footer = (f"\\fancyfoot[C]{{\\ifnum\\value{{page}}={number_on_page}\\relax\\thepage\\fi}}"
              if number_on_page else "")
    body = "\n\n".join(f"\\section{{Part {i}}}\n{prose(seed * 100 + i, 4)}" for i in range(1, pages * 2))
    return rf"""\documentclass[letterpaper,twocolumn,10pt]{{article}}
{preamble}
\usepackage[letterpaper,margin=0.9in,footskip=52pt]{{geometry}}
\usepackage{{fancyhdr}}
\fancyhf{{}}\renewcommand{{\headrulewidth}}{{0pt}}
{footer}
\pagestyle{{fancy}}
\title{{Learning Compact Representations for Retrieval}}
\author{{Ada Lovelace \and Charles Babbage}}
\date{{}}
\begin{{document}}
\maketitle
\thispagestyle{{fancy}}
{body}

\section*{{References}}
{prose(seed, 2)}
\end{{document}}
"""


def compile_tex(source: str, folder: Path, env: dict[str, str] | None = None) -> Path:
    """``folder/paper.pdf`` made by pdflatex from ``source`` (the test is skipped without pdflatex)."""
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed (TeX Live)")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "paper.tex").write_text(source, encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"], cwd=folder,
                          env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "FORCE_SOURCE_DATE": "1", **(env or {})},
                          capture_output=True, text=True, timeout=300, check=False)
    pdf = folder / "paper.pdf"
    assert done.returncode == 0 and pdf.is_file(), done.stdout[-3000:]
    return pdf


def bitmap_font_env(folder: Path, dropped: tuple[str, ...] = ("ec", "tc")) -> dict[str, str]:
    """An environment in which pdfTeX finds no Type 1 version of the EC fonts (as without cm-super), or of the
    fonts whose map entries begin with ``dropped`` (``("cm",)``: Computer Modern itself).

    pdfTeX then asks mktexpk for METAFONT bitmaps, written under ``folder`` (never into the user's
    TeX tree). Skips when the machine cannot make them.
    """
    for tool in ("kpsewhich", "mktexpk", "mf"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed: cannot make METAFONT bitmap fonts")
    found = subprocess.run(["kpsewhich", "pdftex.map"], capture_output=True, text=True, check=False)
    source = found.stdout.strip()
    if not source or not subprocess.run(["kpsewhich", "ecrm1000.mf"], capture_output=True, check=False).stdout.strip():
        pytest.skip("pdftex.map or the EC fonts' METAFONT sources are absent")
    maps = folder / "maps"
    maps.mkdir(parents=True, exist_ok=True)
    lines = Path(source).read_text(encoding="latin-1").splitlines()
    kept = [line for line in lines if not line.startswith(dropped)]  # ("ec", "tc"): the cm-super entries
    (maps / "pdftex.map").write_text("\n".join(kept) + "\n", encoding="latin-1")
    var = folder / "texmf-var"
    return {"TEXFONTMAPS": str(maps), "TEXMFVAR": str(var), "VARTEXFONTS": str(var / "fonts"),
            "MKTEXFMT": "0"}


TITLE = "Learning Compact Representations for Retrieval"
AUTHORS = ["Ada Lovelace", "Charles Babbage"]


@pytest.fixture(scope="session")
def tex_papers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real pdflatex papers: a clean one, one with LaTeX's page number at the bottom of page 1 (of page 3)."""
    from tests.conftest import shared_once

    def make(root: Path) -> dict[str, Path]:
        return {
            "clean": compile_tex(article(), root / "clean"),
            "number-p1": compile_tex(article(number_on_page=1, seed=2), root / "number-p1"),
            "number-p3": compile_tex(article(number_on_page=3, seed=3), root / "number-p3"),
        }

    return shared_once(tmp_path_factory, "tex12b", make)


def make_tex_project(dest: Path, papers: dict[str, Path]) -> Path:
    """The repository's front matter; papers.yaml with the real title and authors of these papers."""
    import yaml

    from tests.conftest import REPO

    shutil.copytree(REPO / "front_matter", dest / "front_matter", ignore=shutil.ignore_patterns("program.yaml"))
    workshop = dest / "front_matter" / "workshop.yaml"  # article-class papers: the generic profile
    data = yaml.safe_load(workshop.read_text(encoding="utf-8"))
    data["rules"] = {**(data.get("rules") or {}), "profile": "generic"}
    workshop.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    camera = dest / "camera_ready"
    camera.mkdir(parents=True)
    entries = []
    for paper_id, pdf in papers.items():
        shutil.copyfile(pdf, camera / f"{paper_id}.pdf")
        entries.append({"id": paper_id, "title": TITLE, "file": f"{paper_id}.pdf",
                        "authors": [{"name": name} for name in AUTHORS]})
    (camera / "papers.yaml").write_text(yaml.safe_dump(entries, sort_keys=False), encoding="utf-8")
    return dest

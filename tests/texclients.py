"""The four real clients a .bib must satisfy, run concurrently: pdflatex + bibtex (acmart with
ACM-Reference-Format, article with plain) and pdflatex + biber + biblatex (ieee, else numeric; and
authoryear). Each returns the printed text (pdftotext) and every error or warning of its logs."""

from __future__ import annotations

import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

_PREAMBLES = {
    # author-year citations in the text, before the bibliography: the names print from the .aux
    "acm": (r"""\documentclass[sigconf,nonacm]{acmart}
\citestyle{acmauthoryear}""", r"\bibliographystyle{ACM-Reference-Format}"),
    "plain": (r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage{url}""", r"\bibliographystyle{plain}"),
    # a style that abbreviates given names (as IEEEtran and splncs04 do): a letter is abbreviated whole
    "abbrv": (r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage{url}""", r"\bibliographystyle{abbrv}"),
    # a document with its own form of ả (as T5 gives one): the .bib's fallback must leave it alone
    "own-glyph": (r"""\documentclass{article}
\usepackage[T1]{fontenc}
\DeclareUnicodeCharacter{1EA3}{[own a-hook]}""", r"\bibliographystyle{plain}"),
}
_WARNING = re.compile(r"^(!.*|.*Warning.*|.*Missing character.*|.*not set up for use.*)$", re.MULTILINE)
_BLG = re.compile(r"^(Warning--.*|.*error message.*|.*WARN -.*|.*ERROR -.*|.*I couldn't open.*)$", re.MULTILINE)


def missing() -> str | None:
    """Why the clients cannot run here, or None."""
    tools = [t for t in ("pdflatex", "bibtex", "biber", "kpsewhich", "pdftotext") if shutil.which(t) is None]
    if tools:
        return f"{', '.join(tools)} not installed (texlive-latex-extra, texlive-bibtex-extra, biber, poppler-utils)"
    for sty in ("acmart.cls", "libertine.sty", "biblatex.sty", "ACM-Reference-Format.bst", "binhex.tex"):
        if _kpse(sty) is None:  # binhex.tex: read by acmart's fonts (newtx)
            return (f"{sty} not installed (texlive-publishers, texlive-fonts-extra, texlive-bibtex-extra, "
                    "texlive-plain-generic)")
    return None


def _kpse(name: str) -> str | None:
    done = subprocess.run(["kpsewhich", name], capture_output=True, text=True, check=False)
    return done.stdout.strip() or None


def biblatex_style() -> str:
    """``ieee`` when biblatex-ieee is installed, else ``numeric``."""
    return "ieee" if _kpse("ieee.bbx") else "numeric"


@dataclass
class Printed:
    client: str
    text: str
    """The document as pdftotext reads it, white space runs as one space."""
    problems: list[str]
    """Errors and warnings of the .log and the .blg."""


def _document(client: str, keys: list[str]) -> tuple[str, bool]:
    if client in _PREAMBLES:
        head, style = _PREAMBLES[client]
        cite = rf"As \citet{{{','.join(keys)}}} show." if client == "acm" else ""
        lines = [head, r"\begin{document}", cite, r"\nocite{*}", style, r"\bibliography{refs}", r"\end{document}"]
        return "\n".join(lines) + "\n", False
    style = biblatex_style() if client == "biblatex" else "authoryear"
    return "\n".join([r"\documentclass{article}", r"\usepackage[T1]{fontenc}",
                      rf"\usepackage[style={style},backend=biber,maxbibnames=99]{{biblatex}}", r"\addbibresource{refs.bib}",
                      r"\begin{document}", r"\nocite{*}", r"\printbibliography", r"\end{document}"]) + "\n", True


def _run(folder: Path, *cmd: str) -> None:
    subprocess.run(cmd, cwd=folder, capture_output=True, timeout=240, stdin=subprocess.DEVNULL, check=False)


def compile_bib(bib: Path, folder: Path, client: str) -> Printed:
    """Compile a document citing every entry of ``bib`` with one client."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(bib, folder / "refs.bib")
    keys = re.findall(r"^@inproceedings\{([^,]+),", bib.read_text(encoding="utf-8"), re.MULTILINE)
    text, biber = _document(client, keys)
    (folder / "doc.tex").write_text(text, encoding="utf-8")
    latex = ("pdflatex", "-interaction=nonstopmode", "doc.tex")
    _run(folder, *latex)
    _run(folder, "biber" if biber else "bibtex", "doc")
    _run(folder, *latex)
    _run(folder, *latex)
    log = (folder / "doc.log").read_text(encoding="utf-8", errors="replace")
    blg = (folder / "doc.blg").read_text(encoding="utf-8", errors="replace") if (folder / "doc.blg").exists() else ""
    problems = _WARNING.findall(log) + _BLG.findall(blg)
    _run(folder, "pdftotext", "-enc", "UTF-8", "doc.pdf", "doc.txt")
    printed = (folder / "doc.txt").read_text(encoding="utf-8") if (folder / "doc.txt").exists() else ""
    return Printed(client, re.sub(r"\s+", " ", printed), problems)


CLIENTS = ("acm", "plain", "biblatex", "authoryear")


def compile_all(bib: Path, folder: Path) -> dict[str, Printed]:
    """Every client on ``bib``, two at a time."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = {c: pool.submit(compile_bib, bib, folder / c, c) for c in CLIENTS}
        return {c: job.result() for c, job in jobs.items()}

"""Small LaTeX papers compiled with pdflatex in the test run: a good acmart sigconf paper and its broken
variants (review, anonymous, authordraft, nonacm, lineno, a figure in the bottom margin, appendix after the
references, a body onto page 9, A4), and the other templates a chair meets (IEEEtran, llncs, acmsmall); papers
as IEEE's and Springer's own templates make them are in :mod:`tests.texvenues`.

Each variant is one ``.tex`` file; :func:`compile_all` compiles them concurrently, once, into a folder.
"""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

TITLE = "Token Pruning for Efficient Multimodal Retrieval"
AUTHORS = [("Ada Lovelace", None), ("Alan Turing", None)]

_SUBJECTS = ["The encoder", "Our method", "The pruning step", "Each query", "The index", "A small model",
             "The retrieval stage", "This baseline", "The ranking model", "The training set"]
_VERBS = ["reduces the cost of", "keeps most of the accuracy of", "changes the behaviour of", "improves the recall of",
          "depends on the size of", "is compared with the results of", "takes advantage of", "limits the memory of"]
_OBJECTS = ["the visual tokens", "the text encoder", "every batch of images", "the final ranking",
            "the nearest neighbour search", "the whole collection", "a strong baseline", "the image features"]
_TAILS = ["when the collection is large", "on all of the three datasets", "for short and long queries alike",
          "while the latency stays low", "as the experiments in this section show", "and this is what we expect",
          "in most of the settings that we tried", "with a small loss in quality"]


def prose(seed: int, sentences: int) -> str:
    """Deterministic English sentences (function words in English proportions)."""
    out = []
    for i in range(sentences):
        k = seed * 7919 + i * 104729
        out.append(f"{_SUBJECTS[k % 10]} {_VERBS[(k // 10) % 8]} {_OBJECTS[(k // 80) % 8]} "
                   f"{_TAILS[(k // 640) % 8]}.")
    return " ".join(out)


def sections(count: int, paragraphs: int = 4, sentences: int = 9, start: int = 1) -> str:
    """``count`` numbered sections of prose."""
    names = ["Introduction", "Related Work", "Method", "Experiments", "Results", "Discussion", "Analysis",
             "Limitations", "Ablations", "Efficiency", "Further Results", "Conclusion", "Outlook", "Details"]
    parts = []
    for s in range(count):
        body = "\n\n".join(prose(start + s * 10 + p, sentences) for p in range(paragraphs))
        parts.append(f"\\section{{{names[(start - 1 + s) % len(names)]}}}\n{body}\n")
    return "\n".join(parts)


BIBLIOGRAPHY = r"""
\begin{thebibliography}{3}
\bibitem{radford} Alec Radford, Jong Wook Kim, and Chris Hallacy. 2021. Learning Transferable Visual Models From
Natural Language Supervision. In \emph{Proceedings of ICML}. 8748--8763.
\bibitem{karpukhin} Vladimir Karpukhin, Barlas Oguz, and Sewon Min. 2020. Dense Passage Retrieval for Open-Domain
Question Answering. In \emph{Proceedings of EMNLP}. 6769--6781.
\bibitem{jegou} Herve Jegou, Matthijs Douze, and Cordelia Schmid. 2011. Product Quantization for Nearest Neighbor
Search. \emph{IEEE TPAMI} 33, 1 (2011), 117--128.
\end{thebibliography}
"""

RIGHTS = r"""
\copyrightyear{2025}
\acmYear{2025}
\setcopyright{acmlicensed}
\acmConference[EReL@MIR '25]{The 1st Workshop on Efficient Representation Learning for Multimodal Information
Retrieval}{April 28--29, 2025}{Sydney, NSW, Australia}
\acmBooktitle{Companion Proceedings of the ACM Web Conference 2025 (WWW Companion '25), April 28--May 2, 2025,
Sydney, NSW, Australia}
\acmDOI{10.1145/3701716.3717401}
\acmISBN{979-8-4007-1331-6/25/04}
"""

AUTHOR_BLOCK = r"""
\author{Ada Lovelace}
\affiliation{\institution{University of Glasgow}\city{Glasgow}\country{United Kingdom}}
\email{ada@example.org}
\author{Alan Turing}
\affiliation{\institution{University of Manchester}\city{Manchester}\country{United Kingdom}}
\email{alan@example.org}
"""

ABSTRACT = r"""
\begin{abstract}
""" + prose(99, 6) + r"""
\end{abstract}
\keywords{token pruning, multimodal retrieval, efficiency}
"""

OVERFLOW_FIGURE = r"""
\begin{figure}[b]
\centering
\rule{0.9\linewidth}{3cm}
\caption{A figure whose caption runs into the bottom margin of the page.}
\label{fig:overflow}
\vspace*{-80pt}
\end{figure}
"""

WIDE_FIGURE = r"""
\begin{figure}[t]
\centering
\includegraphics[width=1.25\linewidth]{example-image}
\caption{A figure wider than its column.}
\end{figure}
"""


def acmart(*, options: str = "", preamble: str = "", body_sections: int = 9, appendix: int = 0,
           rights: bool = True, middle: str = "", format_: str = "sigconf", after_title: str = "") -> str:
    """An acmart paper: ``body_sections`` sections of about half a page each, then the references."""
    opts = ",".join(o for o in (format_, options) if o)
    appendix_text = ("\\appendix\n" + sections(appendix, start=12)) if appendix else ""
    return "\n".join([
        f"\\documentclass[{opts}]{{acmart}}", preamble, RIGHTS if rights else "",
        "\\begin{document}", f"\\title{{{TITLE}}}", AUTHOR_BLOCK, ABSTRACT, "\\maketitle", after_title,
        sections(2), middle, sections(body_sections - 2, start=3), BIBLIOGRAPHY, appendix_text, "\\end{document}"])


def ieee(body_sections: int = 9, appendix: int = 0) -> str:
    """An IEEEtran conference paper; ``appendix`` sections after the references (IEEEtran heads them "APPENDIX A"
    in small capitals of the body's size)."""
    appendix_text = ("\\appendix\n" + sections(appendix, start=12)) if appendix else ""
    return "\n".join([
        r"\documentclass[conference]{IEEEtran}", r"\begin{document}", f"\\title{{{TITLE}}}",
        (r"\author{\IEEEauthorblockN{Ada Lovelace}\IEEEauthorblockA{University of Glasgow}"
         r"\and \IEEEauthorblockN{Alan Turing}\IEEEauthorblockA{University of Manchester}}"),
        r"\maketitle", r"\begin{abstract}", prose(99, 6), r"\end{abstract}", sections(body_sections),
        BIBLIOGRAPHY, appendix_text, r"\end{document}"])


def lncs() -> str:
    return "\n".join([
        r"\documentclass{llncs}", r"\begin{document}", f"\\title{{{TITLE}}}",
        r"\author{Ada Lovelace\inst{1} \and Alan Turing\inst{2}}",
        r"\institute{University of Glasgow \and University of Manchester}",
        r"\maketitle", r"\begin{abstract}", prose(99, 6), r"\end{abstract}", sections(9),
        BIBLIOGRAPHY, r"\end{document}"])


LOREM_PARAGRAPH = r"""
Lorem ipsum dolor sit amet, consectetuer adipiscing elit. Ut purus elit, vestibulum ut, placerat ac, adipiscing vitae,
felis. Curabitur dictum gravida mauris. Nam arcu libero, nonummy eget, consectetuer id, vulputate a, magna. Donec
vehicula augue eu neque. Pellentesque habitant morbi tristique senectus et netus et malesuada fames ac turpis egestas.
Mauris ut leo. Cras viverra metus rhoncus sem. Nulla et lectus vestibulum urna fringilla ultrices.

"""

EDITING_NOTE = r"""
\noindent TODO: compare with the product quantization baseline and add the timings of the second experiment.

"""

MOCKUP_FIGURE = r"""
\begin{figure}
\setbox0\vbox{\hsize=0.9\columnwidth\footnotesize\noindent Lorem ipsum dolor sit amet, consectetuer adipiscing elit.
Ut purus elit, vestibulum ut, placerat ac, adipiscing vitae, felis. Curabitur dictum gravida mauris. Nam arcu libero,
nonummy eget, consectetuer id, vulputate a, magna. Donec vehicula augue eu neque.}
\pdfxform0 \noindent\pdfrefxform\pdflastxform
\caption{The result page of the prototype, its snippets filled with sample text.}
\end{figure}

"""

OVERFULL_TABLE = r"""
\noindent\begin{tabular}{lllll}\hline Method & Recall@10 on MSCOCO-5K & Recall@10 on Flickr30K & Latency (ms) per
query & Memory (GB)\\\hline\end{tabular}

"""


VARIANTS: dict[str, str] = {
    "good": acmart(),
    "review": acmart(options="review"),
    "anonymous": acmart(options="anonymous"),
    "authordraft": acmart(options="authordraft"),
    "nonacm": acmart(options="nonacm", rights=False),
    "defaults": acmart(rights=False),  # acmart's own sample values in the rights block
    "lineno": acmart(preamble="\\usepackage{lineno}", after_title="\\linenumbers"),
    "overflow": acmart().replace("\\section{Results}", OVERFLOW_FIGURE + "\\section{Results}", 1),
    "widefig": acmart().replace("\\section{Results}", WIDE_FIGURE + "\\section{Results}", 1),
    "overfull": acmart().replace("\\section{Method}", "\\section{Method}\n" + OVERFULL_TABLE, 1),
    "preprint": acmart(preamble="\\usepackage{eso-pic}\n"  # a footer of the authors' own, worded as the watermark ends
                       "\\AddToShipoutPictureBG{\\put(200,25){Preprint. Not for distribution.}}"),
    "quoted": acmart().replace("\\section{Method}", "\\section{Method}\n\\noindent Anonymous Author(s) is what a "
                               "double-blind submission shows instead of the authors; Submission ID and "
                               "Unpublished working draft are its other marks. A template fills its sample text "
                               "with ``Lorem ipsum dolor sit amet'' and the like, and comments marked TODO or FIXME "
                               "in source code are a kind of technical debt.\n\n", 1),
    "lorem": acmart().replace("\\section{Method}", "\\section{Method}\n" + LOREM_PARAGRAPH, 1),  # one filler paragraph
    "todo": acmart().replace("\\section{Method}", "\\section{Method}\n" + EDITING_NOTE, 1),  # a note left in
    # a mock-up of a user interface, filled with Lorem ipsum, included as a drawing (a form XObject): the figure's text
    "mockup": acmart().replace("\\section{Method}", "\\section{Method}\n" + MOCKUP_FIGURE, 1),
    "folios": acmart(preamble="\\settopmatter{printfolios=true}"),  # acmart's own page numbers, under the text
    "watermark": acmart(preamble="\\usepackage{draftwatermark}"),  # "DRAFT" across every page
    "watermark-level": acmart(preamble="\\usepackage{draftwatermark}\\SetWatermarkAngle{0}"),  # over the text
    "watermark-once": acmart(preamble="\\usepackage[firstpageonly]{draftwatermark}\\SetWatermarkAngle{0}"),
    "appendix": acmart(body_sections=12, appendix=6),
    "page9": acmart(body_sections=16),
    # eight pages of body, the references alone on page 9, one page of appendix on page 10: page 10 is over the limit
    "appendix-late": acmart(body_sections=14, appendix=1).replace(
        BIBLIOGRAPHY, "\\clearpage\n" + BIBLIOGRAPHY + "\n\\clearpage\n", 1),
    "a4": acmart(preamble="\\geometry{a4paper}"),
    "acmsmall": acmart(format_="acmsmall"),
    "acmlarge": acmart(format_="acmlarge"),
    "sigplan": acmart(format_="sigplan"),
    "ieee": ieee(),
    "ieee-appendix": ieee(body_sections=12, appendix=4),  # references on page 7, "APPENDIX A" on pages 8 and 9
    "ieee-template": ieee().replace(  # an affiliation as IEEE's template has it
        r"\IEEEauthorblockA{University of Glasgow}",
        r"\IEEEauthorblockA{\textit{dept. name of organization (of Aff.)} \\ \textit{name of organization (of "
        r"Aff.)}\\ City, Country \\ email address or ORCID}"),
    "lncs": lncs(),
}


def tex_available() -> str | None:
    """Why the papers cannot be compiled here (None when they can)."""
    if shutil.which("pdflatex") is None or shutil.which("kpsewhich") is None:
        return "pdflatex is not installed"
    for sty in ("acmart.cls", "libertine.sty", "IEEEtran.cls", "llncs.cls", "lineno.sty", "eso-pic.sty",
                "draftwatermark.sty", "example-image.pdf", "binhex.tex", "tikz.sty"):
        found = subprocess.run(["kpsewhich", sty], capture_output=True, text=True, check=False).stdout.strip()
        if not found:
            return f"{sty} is not installed (TeX Live: texlive-publishers, texlive-fonts-extra, texlive-plain-generic)"
    return None


def _compile(folder: Path, name: str, source: str, fmt: str | None = None) -> tuple[str, Path | None, str]:
    tex = folder / f"{name}.tex"
    if fmt:  # the class comes from the format; mylatexformat reads the rest of the preamble after \endofdump
        first, rest = source.split("\n", 1)
        source = f"{first}\n\\endofdump\n{rest}"
    tex.write_text(source, encoding="utf-8")
    for _ in range(2 if "\\cite{" in source else 1):  # twice where the citations and references are resolved
        run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                              *([f"-fmt={fmt}"] if fmt else []), tex.name], cwd=folder,
                             capture_output=True, text=True, check=False, timeout=120)
        if run.returncode:
            break
    pdf = folder / f"{name}.pdf"
    return name, (pdf if pdf.exists() else None), run.stdout[-2000:]


def _formats(folder: Path, variants: dict[str, str]) -> dict[str, str]:
    """A preloaded format (mylatexformat) for each document class line that three or more variants share.

    Loading acmart is most of a small paper's compile; with the class in a format, it is read once.
    Variants whose line is not shared, or a TeX without mylatexformat, compile as usual.
    """
    lines: dict[str, list[str]] = {}
    for name, source in variants.items():
        lines.setdefault(source.split("\n", 1)[0], []).append(name)
    if shutil.which("kpsewhich") is None or not subprocess.run(
            ["kpsewhich", "mylatexformat.ltx"], capture_output=True, text=True, check=False).stdout.strip():
        return {}
    out: dict[str, str] = {}
    for i, (line, names) in enumerate(lines.items()):
        if len(names) < 3 or not line.startswith("\\documentclass"):
            continue
        job = f"preloaded{i}"
        (folder / f"{job}.tex").write_text(line + "\n\\begin{document}\n\\end{document}\n", encoding="utf-8")
        subprocess.run(["pdflatex", "-ini", "-interaction=nonstopmode", f"-jobname={job}", "&pdflatex",
                        "mylatexformat.ltx", f"{job}.tex"], cwd=folder, capture_output=True, check=False, timeout=120)
        if (folder / f"{job}.fmt").is_file():
            out.update({name: job for name in names})
    return out


def compile_all(folder: Path, variants: dict[str, str] | None = None, jobs: int = 4) -> dict[str, Path]:
    """Compile every variant concurrently into ``folder``; a failure raises with pdflatex's log tail."""
    folder.mkdir(parents=True, exist_ok=True)
    variants = variants or VARIANTS
    formats = _formats(folder, variants)
    with ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(lambda kv: _compile(folder, *kv, formats.get(kv[0])), variants.items()))
    out: dict[str, Path] = {}
    for name, pdf, log in results:
        if pdf is None:
            raise RuntimeError(f"pdflatex failed on {name}.tex:\n{log}")
        out[name] = pdf
    return out


if __name__ == "__main__":  # pragma: no cover - compile by hand to look at the papers
    import sys

    for key, path in compile_all(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/texpapers")).items():
        print(key, path)

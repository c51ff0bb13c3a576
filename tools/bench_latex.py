"""The benchmark's real series: acmart ``sigconf`` papers compiled once with pdflatex, cycled to N.

A pool of :data:`SHAPES` papers is written as LaTeX (acmart sigconf, Libertine, the full ACM
rights block, CCS concepts, keywords), in several shapes: 3–7 pages of body text, figures drawn
with pgfplots, with TikZ, with ``\\rule`` bars or embedded as a PNG made at build time (photo-like
noise, which compresses as badly as photos do), booktabs tables, one or two columns of text per
page (wide ``figure*``/``table*`` floats, a one-column appendix), and 12–45 references in a
``thebibliography``. Each is compiled ONCE (pdflatex twice, for the cross-references) and cached.

A project of N papers cycles through the pool: paper ``i`` is shape ``(i - 1) % SHAPES`` made
unique by an incremental update written with pypdf (a new ``/Info`` with the copy's ID and a
small content stream on page 1 drawing nothing but naming the copy). The update appends a few
hundred bytes and keeps the compiled file as pdflatex wrote it (object streams, cross-reference
stream) in front of it, so every reader still parses the whole real file; making a copy takes a
few milliseconds, nothing like the cost of what the benchmark measures.

Layout under ``.bench/`` (git-ignored)::

    latex-KEY/src/shape-NN/paper.tex, fig.png   the sources (fig.png drawn with Pillow)
    latex-KEY/compiled/shape-NN.pdf             pdflatex's output, once
    latex-KEY/pool/0001.pdf …                   unique copies (made once each)
    latex-KEY/variants/0100.pdf                 the "one paper changed" copy (same shape, other stamp)
    latex-KEY/nN/front_matter/, nN/camera_ready/  projects of N papers (hard links into the pool)

``KEY`` hashes this file, :data:`GENERATOR_VERSION` and the pdflatex and pypdf versions.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "tools")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import bench_papers  # noqa: E402
from bench_papers import BenchProject  # noqa: E402

GENERATOR_VERSION = 1
SHAPES = 22
"""Distinct compiled papers; projects cycle through them."""
SESSION_SIZE = 20
EPOCH = "1735689600"  # 2025-01-01: pdflatex's dates, so the compiled bytes do not depend on the day

_WORDS = [
    "retrieval", "representation", "embedding", "multimodal", "encoder", "token", "query", "document",
    "index", "latency", "memory", "model", "training", "inference", "dataset", "benchmark", "recall",
    "precision", "ranking", "visual", "textual", "cross-modal", "contrastive", "attention", "transformer",
    "layer", "projection", "quantization", "compression", "pruning", "distillation", "efficient", "scalable",
    "baseline", "ablation", "experiment", "results", "analysis", "candidate", "corpus", "vector",
    "similarity", "nearest", "neighbour", "graph", "feature", "objective", "loss", "batch", "gradient",
    "parameter", "budget", "throughput", "hardware", "accuracy", "robust", "sparse", "dense", "hybrid",
    "late", "interaction", "reranking", "pipeline", "evaluation", "metric", "user", "item", "session",
]
_GLUE = [
    "the", "of", "and", "to", "in", "for", "with", "on", "that", "by", "from", "as", "we", "our", "this",
    "is", "are", "which", "under", "each",
]


def tex_escape(text: str) -> str:
    """Text for LaTeX: the special characters escaped (UTF-8 letters are left to inputenc)."""
    out = []
    for ch in text:
        if ch in "&%$#_{}":
            out.append("\\" + ch)
        elif ch == "~":
            out.append("\\textasciitilde{}")
        elif ch == "^":
            out.append("\\textasciicircum{}")
        elif ch == "\\":
            out.append("\\textbackslash{}")
        elif ch == "ı":
            out.append("{\\i}")
        else:
            out.append(ch)
    return "".join(out)


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS if rng.random() < 0.6 else _GLUE) for _ in range(rng.randint(9, 22))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _paragraph(rng: random.Random, cites: int) -> str:
    sentences = [_sentence(rng) for _ in range(rng.randint(4, 8))]
    if cites:
        k = rng.randrange(len(sentences))
        sentences[k] = sentences[k][:-1] + f"~\\cite{{r{rng.randint(1, cites)}}}."
    return " ".join(sentences)


@dataclass(frozen=True)
class Shape:
    """What one pool paper contains."""

    index: int
    title: str
    authors: tuple[bench_papers.Person, ...]
    body_paragraphs: int
    figures: tuple[str, ...]
    """Kinds, in order: ``pgfplots``, ``tikz``, ``rule``, ``png``; a ``*`` suffix makes it span both columns."""
    tables: int
    wide_table: bool
    references: int
    onecolumn_appendix: bool
    doi: str = field(default="")


def _latin(person: bench_papers.Person) -> bool:
    """Names that T1-encoded Libertine can print (Vietnamese needs T5: left out)."""
    return all(ord(c) < 0x180 for c in person.name + person.affiliation)


def shapes() -> list[Shape]:
    """The pool's shapes (deterministic)."""
    people = [p for p in bench_papers.population() if _latin(p)]
    out = []
    for i in range(SHAPES):
        rng = random.Random(f"bench-latex:{i}")
        t = bench_papers
        title = rng.choice(t._TEMPLATES).format(adj=rng.choice(t._ADJ), noun=rng.choice(t._NOUN),
                                                 task=rng.choice(t._TASK), flavour=rng.choice(t._FLAVOUR))
        authors = tuple(rng.sample(people, rng.choices([1, 2, 3, 4, 5, 6], weights=[3, 10, 14, 12, 6, 3])[0]))
        kinds = ["pgfplots", "tikz", "rule", "png"]
        figures = tuple(rng.choice(kinds) + ("*" if rng.random() < 0.25 else "") for _ in range(rng.randint(1, 5)))
        out.append(Shape(
            index=i, title=title, authors=authors,
            body_paragraphs=rng.choice([34, 38, 42, 48, 54, 60]),
            figures=figures, tables=rng.randint(0, 3), wide_table=rng.random() < 0.3,
            references=rng.randint(12, 45), onecolumn_appendix=i % 7 == 3,
            doi=f"10.1145/3701716.{3719000 + i}",
        ))
    return out


def _figure(kind: str, n: int, rng: random.Random) -> str:
    wide = kind.endswith("*")
    kind = kind.rstrip("*")
    env, width = ("figure*", "0.9\\textwidth") if wide else ("figure", "\\columnwidth")
    if kind == "pgfplots":
        series = []
        for s in range(rng.randint(2, 4)):
            pts = " ".join(f"({x},{rng.uniform(0.2, 0.95):.3f})" for x in range(0, 60, 3))
            series.append(f"\\addplot+[mark size=1pt] coordinates {{{pts}}};\\addlegendentry{{M{s + 1}}}")
        body = (f"\\begin{{tikzpicture}}\\begin{{axis}}[width={width},height=4.2cm,xlabel={{epoch}},"
                f"ylabel={{recall@10}},legend pos=south east,legend style={{font=\\tiny}}]"
                + "".join(series) + "\\end{axis}\\end{tikzpicture}")
    elif kind == "tikz":
        nodes = []
        for k in range(rng.randint(4, 7)):
            nodes.append(f"\\node[draw,rounded corners,fill=blue!{10 + 10 * k}] (n{k}) at ({k * 1.15:.2f},"
                         f"{rng.uniform(-0.6, 0.6):.2f}) {{\\tiny {rng.choice(_WORDS)}}};")
        edges = "".join(f"\\draw[->] (n{k}) -- (n{k + 1});" for k in range(len(nodes) - 1))
        body = f"\\resizebox{{{width}}}{{!}}{{\\begin{{tikzpicture}}{''.join(nodes)}{edges}\\end{{tikzpicture}}}}"
    elif kind == "rule":
        bars = "".join(f"\\rule{{0.6em}}{{{rng.uniform(0.3, 3.0):.2f}cm}}\\hspace{{0.3em}}" for _ in range(24))
        body = f"\\fbox{{\\parbox[b][3.2cm][b]{{0.92\\linewidth}}{{\\centering {bars}}}}}"
    else:
        body = f"\\includegraphics[width={width}]{{fig{n}.png}}"
    caption = tex_escape(_sentence(rng))
    return (f"\\begin{{{env}}}\\centering {body}\\caption{{{caption}}}\\Description{{{caption}}}"
            f"\\label{{fig:{n}}}\\end{{{env}}}\n")


def _table(n: int, rng: random.Random, wide: bool) -> str:
    cols = 7 if wide else 4
    env = "table*" if wide else "table"
    rows = []
    for _r in range(rng.randint(4, 9)):
        cells = [rng.choice(_WORDS)] + [f"{rng.uniform(10, 99):.1f}" for _ in range(cols - 1)]
        rows.append(" & ".join(cells) + " \\\\")
    head = " & ".join(["Method"] + [f"M{k}" for k in range(1, cols)]) + " \\\\"
    return (f"\\begin{{{env}}}\\caption{{{tex_escape(_sentence(rng))}}}\\label{{tab:{n}}}\\centering\\small"
            f"\\begin{{tabular}}{{l{'r' * (cols - 1)}}}\\toprule {head}\\midrule {' '.join(rows)}"
            f"\\bottomrule\\end{{tabular}}\\end{{{env}}}\n")


def latex_source(shape: Shape) -> str:
    """The paper's LaTeX."""
    rng = random.Random(f"bench-latex-text:{shape.index}")
    authors = []
    for p in shape.authors:
        inst, _, rest = p.affiliation.partition(", ")
        city, _, country = rest.rpartition(", ")
        authors.append(f"\\author{{{tex_escape(p.name)}}}\\affiliation{{\\institution{{{tex_escape(inst)}}}"
                       f"\\city{{{tex_escape(city or country)}}}\\country{{{tex_escape(country)}}}}}"
                       f"\\email{{{tex_escape(p.email)}}}")
    floats = [_figure(kind, n, rng) for n, kind in enumerate(shape.figures)]
    floats += [_table(n, rng, shape.wide_table and n == 0) for n in range(shape.tables)]
    body = []
    section = 0
    for k in range(shape.body_paragraphs):
        if k % 6 == 0:
            section += 1
            body.append(f"\\section{{{tex_escape(' '.join(rng.choice(_WORDS) for _ in range(3)).title())}}}\n")
        body.append(_paragraph(rng, shape.references) + "\n\n")
        if floats and k % 4 == 1:
            body.append(floats.pop(0))
    body.extend(floats)
    bib = "".join(f"\\bibitem{{r{k}}} {tex_escape(p)}\n" for k, p in enumerate(
        (f"{rng.choice(bench_papers._LAST)} and {rng.choice(bench_papers._LAST)}. {rng.randint(2015, 2025)}. "
         f"{_sentence(rng)} In \\emph{{Proceedings of {rng.choice(['SIGIR', 'WWW', 'KDD', 'CIKM', 'WSDM'])}}}. "
         f"{rng.randint(1, 900)}--{rng.randint(901, 1800)}." for _ in range(shape.references)), 1))
    bib = bib.replace("\\emph", "\\emph")  # (the text above is already escaped bar the \emph)
    appendix = ""
    if shape.onecolumn_appendix:
        appendix = ("\\onecolumn\\appendix\\section{Additional Results}\n"
                    + "\n\n".join(_paragraph(rng, 0) for _ in range(4)) + "\n")
    abstract = " ".join(_sentence(rng) for _ in range(6))
    keywords = ", ".join(sorted({rng.choice(_WORDS) for _ in range(5)}))
    return rf"""\documentclass[sigconf]{{acmart}}
\usepackage{{booktabs}}
\usepackage{{pgfplots}}
\pgfplotsset{{compat=1.18}}
\setcopyright{{acmlicensed}}
\copyrightyear{{2025}}
\acmYear{{2025}}
\acmDOI{{{shape.doi}}}
\acmConference[WWW Companion '25]{{Companion Proceedings of the ACM Web Conference 2025}}{{April 28-May 2, 2025}}{{Sydney, NSW, Australia}}
\acmBooktitle{{Companion Proceedings of the ACM Web Conference 2025 (WWW Companion '25), April 28-May 2, 2025, Sydney, NSW, Australia}}
\acmISBN{{979-8-4007-1331-6/2025/04}}
\begin{{document}}
\title{{{tex_escape(shape.title)}}}
{chr(10).join(authors)}
\begin{{abstract}}
{abstract}
\end{{abstract}}
\begin{{CCSXML}}
<ccs2012><concept><concept_id>10002951.10003317</concept_id><concept_desc>Information systems~Information retrieval</concept_desc><concept_significance>500</concept_significance></concept></ccs2012>
\end{{CCSXML}}
\ccsdesc[500]{{Information systems~Information retrieval}}
\keywords{{{keywords}}}
\maketitle
{''.join(body)}
\begin{{thebibliography}}{{99}}
{bib}\end{{thebibliography}}
{appendix}\end{{document}}
"""


def _png(path: Path, seed: int) -> None:
    """A photo-like picture: smooth colour gradients under noise (compresses as badly as a photo)."""
    from PIL import Image

    rng = random.Random(seed)
    w, h = rng.choice([(480, 320), (640, 400), (800, 500)])
    noise = Image.frombytes("RGB", (w, h), rng.randbytes(w * h * 3))
    base = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    Image.blend(base, noise, 0.35).save(path, optimize=False)


# --------------------------------------------------------------------------- compiling


def tex_available() -> str | None:
    """None when pdflatex and acmart (with Libertine) are usable, else why not."""
    if not shutil.which("pdflatex") or not shutil.which("kpsewhich"):
        return "pdflatex is not installed"
    for sty in ("acmart.cls", "libertine.sty", "pgfplots.sty", "booktabs.sty", "binhex.tex"):
        done = subprocess.run(["kpsewhich", sty], capture_output=True, text=True, check=False)
        if done.returncode != 0 or not done.stdout.strip():
            return (f"{sty} is not installed (TeX Live: texlive-publishers, texlive-fonts-extra, texlive-pictures, "
                    "texlive-plain-generic)")
    return None


def generator_key() -> str:
    """Changes whenever the files may change: the LaTeX sources, pdflatex, the copying code, pypdf."""
    import inspect

    import pypdf

    version = subprocess.run(["pdflatex", "--version"], capture_output=True, text=True, check=False).stdout.split("\n")[0]
    digest = hashlib.sha256(f"bench-latex-v{GENERATOR_VERSION} {version} pypdf {pypdf.__version__} "
                            f"passes {PASSES}".encode())
    for shape in shapes():
        digest.update(latex_source(shape).encode())
    for fn in (_png, compile_shape, unique_copy, _entry):
        digest.update(inspect.getsource(fn).encode())
    return digest.hexdigest()[:12]


PASSES = 2
"""pdflatex runs per paper: the second resolves the cross-references (the tool's own test needs one)."""


def compile_shape(shape: Shape, src: Path, dest: Path) -> None:
    """Write the sources and run pdflatex :data:`PASSES` times; the PDF lands at ``dest``."""
    src.mkdir(parents=True, exist_ok=True)
    (src / "paper.tex").write_text(latex_source(shape), encoding="utf-8")
    for n, kind in enumerate(shape.figures):
        if kind.startswith("png"):
            _png(src / f"fig{n}.png", shape.index * 100 + n)
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "FORCE_SOURCE_DATE": "1"}
    for _ in range(PASSES):
        done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"], cwd=src,
                              env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace",
                              check=False)
        if done.returncode != 0:
            tail = "\n".join(done.stdout.splitlines()[-25:])
            raise RuntimeError(f"pdflatex failed on {src / 'paper.tex'}:\n{tail}")
    tmp = dest.with_suffix(".tmp")
    shutil.copyfile(src / "paper.pdf", tmp)
    os.replace(tmp, dest)


def unique_copy(src: Path, dest: Path, copy_id: str, title: str) -> None:
    """``src`` plus an incremental update naming the copy: new /Info, a tiny content stream on page 1.

    The update is written by hand (a cross-reference stream, as pdflatex writes; or a classic table
    after a classic file): the compiled bytes stay as they are in front of it.
    """
    import io
    import re

    from pypdf import PdfReader
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        IndirectObject,
        NameObject,
        TextStringObject,
    )

    data = src.read_bytes()
    reader = PdfReader(io.BytesIO(data))
    page = reader.pages[0]
    page_num = page.indirect_reference.idnum
    size = int(reader.trailer["/Size"])
    prev = int(re.findall(rb"startxref\s+(\d+)", data[-1024:])[-1])
    info_num, stream_num, xref_num = size, size + 1, size + 2
    contents = page.get("/Contents")
    refs = list(contents) if isinstance(contents, ArrayObject) else [contents]
    new_page = DictionaryObject(page)
    new_page[NameObject("/Contents")] = ArrayObject([*refs, IndirectObject(stream_num, 0, reader)])

    def serial(obj) -> bytes:
        out = io.BytesIO()
        obj.write_to_stream(out)
        return out.getvalue()

    old_info = reader.trailer.get("/Info")
    info = DictionaryObject(old_info.get_object() if old_info is not None else {})
    info[NameObject("/Title")] = TextStringObject(f"{title} [{copy_id}]")
    info[NameObject("/BenchCopy")] = TextStringObject(copy_id)

    content = f"% benchmark copy {copy_id}\nq Q\n".encode()
    body = {
        page_num: serial(new_page),
        info_num: serial(info),
        stream_num: b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    }
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    offsets = {}
    for num, obj in body.items():
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + obj + b"\nendobj\n"
    ident = reader.trailer.get("/ID")
    first = ident[0].get_object() if ident else None
    first_id = (getattr(first, "original_bytes", None) or bytes(first)).hex().encode() if first is not None \
        else hashlib.md5(data).hexdigest().encode()
    new_id = hashlib.md5(data + copy_id.encode()).hexdigest().encode()
    root = reader.trailer.raw_get("/Root").idnum
    common = b"/Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] /Prev %d" % (root, info_num, first_id, new_id, prev)
    xref_at = len(out)
    if data[prev:prev + 4] == b"xref":  # a classic file gets a classic section
        rows = b"".join(b"%d 1\n%010d 00000 n \n" % (n, offsets[n]) for n in sorted(offsets))
        out += b"xref\n" + rows + b"trailer\n<< /Size %d %s >>\n" % (stream_num + 1, common)
    else:
        offsets[xref_num] = xref_at
        nums = sorted(offsets)
        rows = b"".join(bytes([1]) + offsets[n].to_bytes(4, "big") + b"\0\0" for n in nums)
        index = b" ".join(b"%d 1" % n for n in nums)
        out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%s] %s /Length %d >>\nstream\n"
                % (xref_num, xref_num + 1, index, common, len(rows)) + rows + b"\nendstream\nendobj\n")
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    tmp = dest.with_name(f".{dest.name}.tmp")
    tmp.write_bytes(bytes(out))
    os.replace(tmp, dest)


@dataclass(frozen=True)
class LatexPaper:
    """One paper of a real-series project (duck-types bench_papers.BenchPaper)."""

    index: int
    entry: dict
    pages: int

    @property
    def file(self) -> str:
        return self.entry["file"]


def _entry(index: int, shape: Shape) -> dict:
    authors = []
    for p in shape.authors:
        author = {"name": p.name}
        if p.family:
            author["family"] = p.family
        author.update({"affiliation": p.affiliation, "email": p.email})
        authors.append(author)
    return {"id": str(index), "title": shape.title, "authors": authors, "file": f"paper-{index:04d}.pdf",
            "session": f"Session {(index - 1) // SESSION_SIZE + 1}", "doi": f"{shape.doi}.{index}"}


def _status(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def make_projects(base: Path, sizes: list[int], workers: int = 2) -> dict[int, BenchProject]:
    """Compile what is missing, make the unique copies, lay out one project per size."""
    from pypdf import PdfReader

    key = generator_key()
    root = base / f"latex-{key}"
    for old in base.glob("latex-*") if base.is_dir() else []:
        if old.is_dir() and old != root:
            shutil.rmtree(old, ignore_errors=True)
    compiled, pool, variants = root / "compiled", root / "pool", root / "variants"
    for d in (compiled, pool, variants):
        d.mkdir(parents=True, exist_ok=True)
    every = shapes()
    todo = [s for s in every if not (compiled / f"shape-{s.index:02d}.pdf").is_file()]
    if todo:
        started = time.perf_counter()
        _status(f"compiling {len(todo)} acmart papers with pdflatex (once; cached in {compiled})")
        with ThreadPoolExecutor(max_workers=workers) as ex:
            list(ex.map(lambda s: compile_shape(s, root / "src" / f"shape-{s.index:02d}",
                                                compiled / f"shape-{s.index:02d}.pdf"), todo))
        _status(f"compiled in {time.perf_counter() - started:.0f} s")
    pages = {s.index: len(PdfReader(compiled / f"shape-{s.index:02d}.pdf").pages) for s in every}
    n_max = max(sizes)
    made = 0
    for i in range(1, n_max + 1):
        shape = every[(i - 1) % SHAPES]
        dest = pool / f"{i:04d}.pdf"
        if not dest.is_file():
            unique_copy(compiled / f"shape-{shape.index:02d}.pdf", dest, f"bench-{i}", shape.title)
            made += 1
    if made:
        _status(f"made {made} unique copies in {pool}")
    projects: dict[int, BenchProject] = {}
    for n in sizes:
        papers = [LatexPaper(i, _entry(i, every[(i - 1) % SHAPES]), pages[every[(i - 1) % SHAPES].index])
                  for i in range(1, n + 1)]
        project = BenchProject(n, root / f"n{n}", papers, pool, variants)  # type: ignore[arg-type]
        changed = project.changed_paper()
        if not project.changed(changed).is_file():
            shape = every[(changed.index - 1) % SHAPES]
            unique_copy(compiled / f"shape-{shape.index:02d}.pdf", project.changed(changed),
                        f"bench-{changed.index}-changed", shape.title)
        bench_papers.layout(project, root, f"{n} copies of {SHAPES} acmart papers compiled with pdflatex "
                                            f"by tools/bench_latex.py")
        projects[n] = project
    return projects

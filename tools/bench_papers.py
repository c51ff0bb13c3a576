"""The benchmark's inputs: a deterministic pool of synthetic camera-ready papers and the projects made of it.

Paper ``i`` (1-based) of the pool is always the same file: a US Letter, two-column ACM ``sigconf``
look-alike drawn by :mod:`tools.samples` with embedded fonts, vector figures and one raster
image of about 100 KB, 5–8 body pages plus 1–2 reference pages (6–10 pages in all). Titles and
author names vary, with diacritics; authors come from a population in which some people write
several papers, as at a real conference. The project of size N holds the first N papers of the
pool in sessions of about 20 papers.

Layout under ``.bench/`` (git-ignored)::

    papers-KEY/pool/0001.pdf …        the pool (generated once, on both cores)
    papers-KEY/variants/0500.pdf      the "one paper changed" replacement (other seed, same pages)
    papers-KEY/nN/front_matter/       the repository's front_matter/, copied
    papers-KEY/nN/camera_ready/       hard links into the pool + papers.yaml

``KEY`` hashes :data:`GENERATOR_VERSION`, the source of ``proceedings/samples.py`` and the
versions of the libraries that draw the files, so any change there regenerates the papers
(and the older folders are removed). Bump :data:`GENERATOR_VERSION` when this file changes
what it draws.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

from tools.samples import (  # noqa: E402
    SampleAuthor,
    SamplePaper,
    default_abstract,
    default_keywords,
    write_paper,
)

GENERATOR_VERSION = 1
"""Bump when the specs below change (titles, authors, pages, seeds, raster size)."""

RASTER_KB = 100
SESSION_SIZE = 20
PROLIFIC = 300
"""The first people of the population, who write several papers each."""
CONFERENCE = "WWW '25, April 28–May 2, 2025, Sydney, NSW, Australia"
VARIANT_SEED_OFFSET = 1_000_000

# --------------------------------------------------------------------------- vocabulary

_FIRST = [
    "Łukasz", "Zoë", "José María", "François", "Søren", "Çağla", "Jiří", "Siobhán", "Björn", "Ana Beatriz",
    "Mehmet", "Katarzyna", "Aoife", "Ayşe", "Tomás", "Émilie", "Małgorzata", "Dušan", "Ólafur", "Renée",
    "Joaquín", "Xinyu", "Wei", "Priya", "Hiroshi", "Yuki", "Daniel", "Sarah", "Kwame", "Chiara", "Ingrid",
    "Rahul", "Mei", "Jakob", "Aisha", "Lin", "Marco", "Noah", "Hannah", "Ravi", "Annika", "Gaëlle",
    "Håkon", "Zsófia", "Andrés", "Inês", "Thabo", "Oğuz", "Sébastien", "Lucía", "Nikolaos", "Elif",
]
_LAST = [
    "Kowalczyk", "Østergaard", "Yıldırım", "Dvořák", "Wiśniewska", "Lefèvre", "Gonçalves", "Sandström",
    "Öztürk", "Müller", "García", "Jansen", "Tanaka", "Sharma", "Okonkwo", "Ivanova", "Núñez", "Đorđević",
    "Kovačević", "Šimić", "Håkansson", "Chen", "Wang", "Li", "Zhang", "Kumar", "Rossi", "Dubois", "Nowak",
    "Schmidt", "Nakamura", "Fischer", "Singh", "Papadopoulos", "Kılıç", "Béranger", "Jović", "Þórsson",
    "Lindqvist", "Mäkinen", "Brown", "Silva", "Kim", "Park", "Iyer", "Mensah", "Horváth", "Ferreira",
]
_FAMILY_MULTI = [  # (family name, first name): family is not the last word → papers.yaml says so
    ("van der Berg", "Zoë"), ("Álvarez Pérez", "José María"), ("Ní Bhriain", "Aoife"), ("de la Cruz", "Andrés"),
    ("dos Santos", "Inês"), ("Fernández García", "Lucía"), ("van Rijsbergen", "Pieter"), ("Ó Súilleabháin", "Cian"),
]
_FAMILY_FIRST = [  # Vietnamese and Hungarian order: the family name comes first
    ("Nguyễn", "Thị Minh Khai"), ("Trần", "Quốc Bảo"), ("Phạm", "Ngọc Anh"), ("Lê", "Văn Đức"), ("Horváth", "Zsófia"),
]
_INSTITUTIONS = [
    ("Warsaw University of Technology, Warsaw, Poland", "pw.edu.pl"),
    ("Aarhus University, Aarhus, Denmark", "cs.au.dk"),
    ("Boğaziçi University, Istanbul, Türkiye", "boun.edu.tr"),
    ("Charles University, Prague, Czech Republic", "cuni.cz"),
    ("Inria, Grenoble, France", "inria.fr"),
    ("Universidade do Porto, Porto, Portugal", "fe.up.pt"),
    ("Chalmers University of Technology, Gothenburg, Sweden", "chalmers.se"),
    ("Technische Universität München, Munich, Germany", "tum.de"),
    ("Universitat Pompeu Fabra, Barcelona, Spain", "upf.edu"),
    ("Tsinghua University, Beijing, China", "tsinghua.edu.cn"),
    ("University of Tokyo, Tokyo, Japan", "u-tokyo.ac.jp"),
    ("Indian Institute of Science, Bengaluru, India", "iisc.ac.in"),
    ("University of Glasgow, Glasgow, United Kingdom", "glasgow.ac.uk"),
    ("University College Dublin, Dublin, Ireland", "ucd.ie"),
    ("VNU University of Engineering and Technology, Hanoi, Vietnam", "vnu.edu.vn"),
    ("Université de Montréal, Montréal, Canada", "umontreal.ca"),
    ("Universidad de Chile, Santiago, Chile", "uchile.cl"),
    ("University of Cape Town, Cape Town, South Africa", "uct.ac.za"),
    ("Háskóli Íslands, Reykjavík, Iceland", "hi.is"),
    ("Aalto University, Espoo, Finland", "aalto.fi"),
    ("KAIST, Daejeon, South Korea", "kaist.ac.kr"),
    ("Telefónica Research, Barcelona, Spain", "telefonica.com"),
    ("Microsoft Research, Cambridge, United Kingdom", "microsoft.com"),
    ("Google DeepMind, Zürich, Switzerland", "google.com"),
    ("Amazon, Seattle, WA, USA", "amazon.com"),
    ("Carnegie Mellon University, Pittsburgh, PA, USA", "cmu.edu"),
    ("ETH Zürich, Zürich, Switzerland", "ethz.ch"),
    ("Eötvös Loránd University, Budapest, Hungary", "elte.hu"),
]
_ADJ = [
    "Efficient", "Scalable", "Lightweight", "Robust", "Parameter-Efficient", "Compact", "Fast", "Adaptive",
    "Unified", "Privacy-Preserving", "Fair", "Explainable", "Self-Supervised", "Federated", "Sparse",
]
_NOUN = [
    "Graph Neural Networks", "Token Pruning", "Cross-Modal Hashing", "Knowledge Distillation", "Dense Retrieval",
    "Contrastive Learning", "Embedding Compression", "Product Quantization", "Late Interaction", "Link Prediction",
    "Session-Based Recommendation", "Query Rewriting", "Click Models", "Entity Linking", "Web Crawling",
]
_TASK = [
    "Image-Text Retrieval", "Multimodal Recommendation", "Video Search", "Product Search", "Web Search",
    "Sequential Recommendation", "Question Answering", "Fraud Detection", "Social Networks", "Knowledge Graphs",
    "Conversational Search", "News Recommendation", "Online Advertising", "Misinformation Detection",
]
_FLAVOUR = [  # the diacritics of real titles
    "Naïve", "Déjà Vu", "Rényi Divergence", "Fréchet Distance", "Poincaré Embeddings", "Erdős–Rényi Graphs",
    "Schrödinger Bridges", "Lévy Flights", "Hölder Continuity", "Gödel Numbering", "Kullback–Leibler Bounds",
    "Café Reviews", "Zürich Transit Data", "São Paulo Mobility Traces", "Señor Wikipedia", "Ångström-Scale Signals",
]
_TEMPLATES = [
    "{adj} {noun} for {task}",
    "{noun} Revisited: {adj} {task}",
    "On the Robustness of {noun} in {task}",
    "{adj} {noun} with {flavour}",
    "When {noun} Meets {task}: {flavour} and Beyond",
    "Towards {adj} {task} via {noun}",
    "{flavour} for {adj} {task}",
    "Beyond {noun}: {adj} {task} at Web Scale",
    "A Study of {noun} for {task}",
]


# --------------------------------------------------------------------------- specs


@dataclass(frozen=True)
class Person:
    name: str
    family: str | None
    affiliation: str
    email: str


def _ascii(text: str) -> str:
    import unicodedata

    table = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ı": "i", "đ": "d", "Đ": "D", "þ": "th",
                           "Þ": "Th", "ð": "d", "å": "a", "æ": "ae", "ß": "ss"})
    text = unicodedata.normalize("NFKD", text.translate(table))
    return "".join(c for c in text if c.isascii() and (c.isalnum() or c in ".-")).lower()


def population(size: int = 4000) -> list[Person]:
    """The people who write the pool's papers (deterministic)."""
    rng = random.Random("bench-population")
    people = []
    for _ in range(size):
        roll = rng.random()
        if roll < 0.06:
            family, given = rng.choice(_FAMILY_MULTI)
            name, explicit = f"{given} {family}", family
        elif roll < 0.10:
            family, given = rng.choice(_FAMILY_FIRST)
            name, explicit = f"{family} {given}", family
        else:
            given, family = rng.choice(_FIRST), rng.choice(_LAST)
            name, explicit = f"{given} {family}", None
        affiliation, domain = rng.choice(_INSTITUTIONS)
        local = _ascii(given.split()[0]) + "." + _ascii(family.replace(" ", ""))
        people.append(Person(name, explicit, affiliation, f"{local}@{domain}"))
    return people


@dataclass(frozen=True)
class BenchPaper:
    """One pool paper: its papers.yaml entry and what to draw."""

    index: int
    entry: dict
    spec: SamplePaper

    @property
    def file(self) -> str:
        return self.entry["file"]

    @property
    def pages(self) -> int:
        return self.spec.body_pages + self.spec.ref_pages


def paper(index: int, people: list[Person] | None = None) -> BenchPaper:
    """Paper ``index`` (1-based) of the pool; the same index always gives the same paper."""
    people = people if people is not None else population()
    rng = random.Random(f"bench-paper:{index}")
    # main-conference papers use most of their page limit: 9 pages on average
    body = rng.choices([5, 6, 7, 8], weights=[1, 2, 3, 9])[0]
    refs = rng.choices([1, 2], weights=[1, 2])[0]
    title = rng.choice(_TEMPLATES).format(adj=rng.choice(_ADJ), noun=rng.choice(_NOUN), task=rng.choice(_TASK),
                                          flavour=rng.choice(_FLAVOUR))
    count = rng.choices([1, 2, 3, 4, 5, 6, 7], weights=[4, 14, 24, 24, 16, 10, 8])[0]
    # a quarter of the author slots go to a few hundred prolific people, as at a real conference
    chosen: list[Person] = []
    while len(chosen) < count:
        person = people[rng.randrange(PROLIFIC) if rng.random() < 0.25 else rng.randrange(len(people))]
        if person not in chosen:
            chosen.append(person)
    doi = f"10.5555/bench.{index}"  # Crossref's test prefix: invented papers get no real-looking DOI
    spec = SamplePaper(
        title=title,
        authors=tuple(SampleAuthor(p.name, p.affiliation, p.email) for p in chosen),
        body_pages=body, ref_pages=refs, seed=31_000 + index, raster_kb=RASTER_KB, conference=CONFERENCE, doi=doi,
    )
    authors = []
    for p in chosen:
        author = {"name": p.name}
        if p.family:
            author["family"] = p.family
        author["affiliation"] = p.affiliation
        author["email"] = p.email
        authors.append(author)
    entry = {
        "id": str(index),
        "title": title,
        "authors": authors,
        "file": f"paper-{index:04d}.pdf",
        "abstract": default_abstract(spec),
        "keywords": list(default_keywords(spec)),
        "session": f"Session {(index - 1) // SESSION_SIZE + 1}: {_TASK[((index - 1) // SESSION_SIZE) % len(_TASK)]}",
        "doi": doi,
    }
    return BenchPaper(index, entry, spec)


def papers(n: int) -> list[BenchPaper]:
    """The first ``n`` papers of the pool."""
    people = population()
    return [paper(i, people) for i in range(1, n + 1)]


def variant(p: BenchPaper) -> SamplePaper:
    """The same paper drawn with another seed: other text and image, same page count."""
    from dataclasses import replace

    return replace(p.spec, seed=p.spec.seed + VARIANT_SEED_OFFSET)


# --------------------------------------------------------------------------- files


def generator_key() -> str:
    """Changes whenever the drawn bytes may change."""
    import PIL
    import pypdf
    import reportlab

    from tools import samples

    digest = hashlib.sha256(f"bench-papers-v{GENERATOR_VERSION}".encode())
    digest.update(Path(samples.__file__).read_bytes())
    digest.update(f"reportlab {reportlab.Version} pypdf {pypdf.__version__} PIL {PIL.__version__}".encode())
    return digest.hexdigest()[:12]


def bench_root(base: Path) -> Path:
    """``base/papers-KEY``; older keys under ``base`` are removed."""
    key = generator_key()
    root = base / f"papers-{key}"
    if base.is_dir():
        for old in base.glob("papers-*"):
            if old.is_dir() and old.name != root.name:
                shutil.rmtree(old, ignore_errors=True)
    return root


def _progress(done: int, total: int, started: float, what: str) -> None:
    elapsed = time.perf_counter() - started
    eta = elapsed / done * (total - done) if done else 0.0
    end = "\n" if done == total else ""
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{what}: {done}/{total}  {elapsed:5.0f} s  (about {eta:4.0f} s left) ")
        sys.stderr.write(end)
    elif done == total or done % 50 == 0:
        sys.stderr.write(f"{what}: {done}/{total}  {elapsed:.0f} s\n")
    sys.stderr.flush()


def generate(jobs: list[tuple[Path, SamplePaper]], workers: int | None = None, what: str = "generating papers") -> int:
    """Draw every (path, spec) whose file is missing, on all cores; progress on stderr. Returns how many."""
    todo = [(path, spec) for path, spec in jobs if not path.is_file()]
    if not todo:
        return 0
    workers = workers or os.cpu_count() or 2
    started = time.perf_counter()
    _progress(0, len(todo), started, what)
    if workers == 1 or len(todo) == 1:
        for done, (path, spec) in enumerate(todo, 1):
            write_paper(path, spec)
            _progress(done, len(todo), started, what)
        return len(todo)
    from proceedings.typeset import fonts

    fonts.prepare()  # once, before the workers (each would instance the fonts otherwise)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(write_paper, path, spec) for path, spec in todo]
        for done, future in enumerate(as_completed(futures), 1):
            future.result()
            _progress(done, len(todo), started, what)
    return len(todo)


def _link(src: Path, dest: Path) -> None:
    try:
        os.link(src, dest)
    except OSError:
        shutil.copyfile(src, dest)


def replace_file(src: Path, dest: Path) -> None:
    """Put a copy of ``src`` at ``dest`` atomically (a new inode: the pool file is never touched)."""
    tmp = dest.with_name(f".{dest.name}.bench-tmp")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dest)


@dataclass(frozen=True)
class BenchProject:
    """A generated project of ``n`` papers."""

    n: int
    dir: Path
    papers: list[BenchPaper]
    pool: Path
    variants: Path

    @property
    def camera_ready(self) -> Path:
        return self.dir / "camera_ready"

    def files(self) -> list[Path]:
        """The camera-ready files in volume order."""
        return [self.camera_ready / p.file for p in self.papers]

    def changed_paper(self) -> BenchPaper:
        """The paper the "one changed" scenario replaces (the middle one)."""
        return self.papers[(self.n - 1) // 2]

    def original(self, p: BenchPaper) -> Path:
        return self.pool / f"{p.index:04d}.pdf"

    def changed(self, p: BenchPaper) -> Path:
        return self.variants / f"{p.index:04d}.pdf"

    def restore(self) -> None:
        """Every camera-ready file as generated (undo the "one changed" scenario)."""
        p = self.changed_paper()
        dest = self.camera_ready / p.file
        if not dest.is_file() or not os.path.samefile(dest, self.original(p)):
            dest.unlink(missing_ok=True)
            _link(self.original(p), dest)


def make_projects(base: Path, sizes: list[int], workers: int | None = None) -> dict[int, BenchProject]:
    """Generate what is missing and lay out one project per size (papers shared through hard links)."""
    root = bench_root(base)
    pool, variants = root / "pool", root / "variants"
    pool.mkdir(parents=True, exist_ok=True)
    variants.mkdir(parents=True, exist_ok=True)
    every = papers(max(sizes))
    jobs = [(pool / f"{p.index:04d}.pdf", p.spec) for p in every]
    projects: dict[int, BenchProject] = {}
    for n in sizes:
        projects[n] = BenchProject(n, root / f"n{n}", every[:n], pool, variants)
    for project in projects.values():
        p = project.changed_paper()
        jobs.append((project.changed(p), variant(p)))
    made = generate(jobs, workers)
    if made:
        print(f"generated {made} papers into {root}", file=sys.stderr)
    for project in projects.values():
        layout(project, root, f"{project.n} synthetic papers made by tools/bench_papers.py")
    return projects


def layout(project: BenchProject, root: Path, what: str) -> None:
    """(Re)make the project folder: front matter copied, camera-ready files linked, papers.yaml written.

    A folder already laid out alike is left as it is (another benchmark may be building it).
    """
    header = f"# Benchmark project: {what} ({root.name}). Not real publications.\n"
    text = header + yaml.safe_dump([p.entry for p in project.papers], allow_unicode=True, sort_keys=False, width=100)
    if _laid_out(project, text):
        return
    if project.dir.exists():
        shutil.rmtree(project.dir)
    shutil.copytree(ROOT / "front_matter", project.dir / "front_matter",
                    ignore=shutil.ignore_patterns("program.yaml"))  # it names the sample papers
    project.camera_ready.mkdir(parents=True)
    for p in project.papers:
        _link(project.original(p), project.camera_ready / p.file)
    (project.camera_ready / "papers.yaml").write_text(text, encoding="utf-8")


def _laid_out(project: BenchProject, text: str) -> bool:
    try:
        if (project.camera_ready / "papers.yaml").read_text(encoding="utf-8") != text:
            return False
        front = sorted(f.name for f in (ROOT / "front_matter").iterdir())
        if sorted(f.name for f in (project.dir / "front_matter").iterdir()) != front:
            return False
        project.restore()
        return all(os.path.samefile(project.camera_ready / p.file, project.original(p)) for p in project.papers)
    except OSError:
        return False

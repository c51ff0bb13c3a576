"""Shared fixtures: real projects built by the real pipeline, opened by the tests."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

from proceedings import api
from proceedings.util.cache import SHARED_CACHE_ENV
from tests.texarticles import tex_papers  # noqa: F401 - a session fixture: pdflatex papers shared by several tests

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
CORPUS = SHARED / "corpus"
AWKWARD = CORPUS / "awkward"
ACMART = CORPUS / "acmart"
EPOCH = "1745798400"  # 2025-04-28T00:00:00Z


def shared_once(tmp_path_factory: pytest.TempPathFactory, name: str, make):
    """``make(folder)`` once for the whole run, xdist workers included (the others wait, then reuse it).

    For costly session fixtures (papers compiled with pdflatex): without this each worker compiles them
    again. The value must pickle; it is kept beside the folder in the run's shared temporary root.
    """
    import fcntl
    import pickle

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the workers' temporary folders share this parent
    folder, done = root / f"shared-{name}", root / f"shared-{name}.pickle"
    with open(root / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            return pickle.loads(done.read_bytes())  # noqa: S301 - written by this run, a few lines below
        folder.mkdir(parents=True, exist_ok=True)
        value = make(folder)
        done.write_bytes(pickle.dumps(value))
        return value


def need(path: Path) -> Path:
    """Skip the test with a clear reason when a shared folder is absent."""
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared corpus sits beside the repository)")
    return path


@pytest.fixture(scope="session")
def _shared_cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One shared cache for the run (xdist workers and the commands the tests start included): a paper checked
    by one test with the same rules, title and authors is not checked again by the next, and front matter
    drawn from the same facts is not drawn again."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    return str(root / "shared-cache")


@pytest.fixture(autouse=True)
def _source_date(monkeypatch: pytest.MonkeyPatch, _shared_cache: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv(SHARED_CACHE_ENV, _shared_cache)


def no_shared_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """For a test of the output folder's own caches (or of checks changing their version)."""
    monkeypatch.delenv(SHARED_CACHE_ENV, raising=False)


def copy_front_matter(dest: Path) -> Path:
    """The repository's front matter without its programme (which names the repository's own papers)."""
    shutil.copytree(REPO / "front_matter", dest, ignore=shutil.ignore_patterns("program.yaml"))
    return dest


def copy_project(dest: Path) -> Path:
    """A copy of the repository's own project (front matter and camera-ready papers)."""
    shutil.copytree(REPO / "front_matter", dest / "front_matter")
    shutil.copytree(REPO / "camera_ready", dest / "camera_ready")
    return dest


@contextlib.contextmanager
def source_date():
    """SOURCE_DATE_EPOCH set as every test has it (session fixtures are made before the autouse fixture runs)."""
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


@pytest.fixture(scope="session")
def repo_build(tmp_path_factory: pytest.TempPathFactory):
    """The repository's project, built once for the whole run (xdist workers included) into a temporary folder.

    Tests only read it; a test that changes a build starts from :func:`copy_repo_build`.
    """
    def make(out: Path):
        with source_date():
            return api.build(REPO, out)

    return shared_once(tmp_path_factory, "repo-build", make)


def copy_repo_build(repo_build, project: Path, out: Path | None = None) -> tuple[Path, Path]:
    """A copy of the repository's project (at ``project``) and of its cold build, cache included (at ``out``,
    by default ``project/build``).

    For tests of what a build does to an existing build (a warm or incremental rebuild, a damaged cache) or of
    what a changed input does to the outputs: the build they start from is the shared one, not built again.
    """
    project = copy_project(project)
    out = out or project / "build"
    shutil.copytree(repo_build.outputs["volume"].parent, out)
    return project, out


def make_project(dest: Path, pdfs: list[Path], *, session: str | None = None, titles: dict[str, str] | None = None) -> Path:
    """A project with the repository's front matter and the given PDFs as camera-ready papers."""
    copy_front_matter(dest / "front_matter")
    camera = dest / "camera_ready"
    camera.mkdir(parents=True)
    entries = []
    for i, pdf in enumerate(pdfs, 1):
        shutil.copyfile(pdf, camera / pdf.name)
        title = (titles or {}).get(pdf.name) or pdf.stem.replace("-", " ").replace("_", " ")
        entry = {"id": str(i), "title": title, "authors": [{"name": "Ada Lovelace"}, {"name": f"Author {i}"}],
                 "file": pdf.name}
        if session:
            entry["session"] = session
        entries.append(entry)
    import yaml

    (camera / "papers.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest


def build_project(project: Path, out: Path | None = None, **kwargs):
    """Run the real pipeline on a project folder."""
    return api.build(project, out, **kwargs)


def bookmark_labels(volume) -> dict[str, str]:
    """Every bookmark of a PdfReader's outline (nested too): title → page label of its target."""
    labels = volume.page_labels
    found: dict[str, str] = {}

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found[item.title] = labels[volume.get_destination_page_number(item)]

    walk(volume.outline)
    return found


def link_summary(reader, indices) -> tuple[list[str], list[int]]:
    """The web links (URIs, in order) and internal links (page offsets from the first index) of some pages."""
    indices = list(indices)
    uris, internal = [], []
    for i in indices:
        for annot in reader.pages[i].get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            action = action.get_object() if action is not None else None
            if action is not None and action.get("/S") == "/URI":
                uris.append(str(action["/URI"]))
            elif "/Dest" in annot or (action is not None and action.get("/S") == "/GoTo"):
                internal.append(i - indices[0])
    return uris, internal


# The files whose tests take longest (pdflatex compiles, many cold builds, the benchmark tool), longest first.
# With ``--dist loadfile`` (pyproject.toml) each file runs on one xdist worker, its module fixtures made once;
# starting the long files first keeps the run from ending with one long file on one worker, the other idle.
# Every other file follows in its usual order. The order changes when tests run, never what they check.
LONG_FIRST = (
    "test_validate.py", "test_bundle.py", "test_bench_tool.py", "test_citations.py", "test_hostile.py",
    "test_incremental.py", "test_unicode_projects.py", "test_validate_tex.py", "test_htmlindex.py", "test_faults.py",
    "test_reproducible.py", "test_volume.py", "test_environment_faults.py", "test_tex_clients.py",
    "test_validate_corpus.py", "test_program.py", "test_samples.py", "test_publisher_metadata.py", "test_fuzz.py",
    "test_check_command.py", "test_api.py", "test_latex.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the order within a file is kept

"""The library API: importable without the CLI, enough to build a volume, and a package without import cycles."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from proceedings import api
from proceedings.errors import ExitCode, InputError, OutputError, ProceedingsError, RuleViolation, UnknownPaperError
from tests.conftest import REPO, copy_project

PACKAGE = REPO / "proceedings"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, package: str) -> set[str]:
    """Every module name an AST imports, at any depth, outside ``if TYPE_CHECKING:`` blocks."""
    found: set[str] = set()
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.If) and _is_type_checking(child):
            continue  # annotations only
        if isinstance(child, ast.Import):
            found.update(a.name for a in child.names)
        elif isinstance(child, ast.ImportFrom):
            base = child.module or ""
            if child.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - child.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in child.names)
        found |= _imports(child, package)
    return found


def import_graph() -> dict[str, set[str]]:
    """Every module of the package → the package's modules it imports, at any depth (lazy imports too)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = _imports(ast.parse(path.read_text(encoding="utf-8")), package)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := walk(node)):
            return cycle
    return None


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    assert "proceedings.pipeline" in graph["proceedings.api"]  # the graph sees lazy imports
    assert find_cycle(graph) is None, " → ".join(find_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_importing_the_api_imports_neither_typer_nor_rich():
    code = ("import sys; from proceedings import api; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'typer', 'rich', 'click'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert done.stdout.strip() == "[]"


def test_the_repository_volume_through_the_api_alone(tmp_path: Path):
    project = copy_project(tmp_path / "p")
    steps: list[tuple[str, int]] = []

    from contextlib import contextmanager

    @contextmanager
    def progress(description: str, total: int):
        steps.append((description, total))
        yield lambda n=1: None

    result = api.build(project, tmp_path / "out", jobs=1, progress=progress)
    result.raise_for_status()
    volume = PdfReader(tmp_path / "out" / "proceedings.pdf")
    assert len(volume.pages) == result.volume.page_count
    assert [p["id"] for p in result.metadata["papers"]] == [p.id for p in result.gathered.project.papers]
    assert steps and all(total > 1 for _, total in steps)  # the injected progress was used
    assert api.is_current(project, tmp_path / "out")
    text = api.cite(project, result.metadata["papers"][0]["id"], "bibtex", tmp_path / "out")
    assert api.cite(project, result.metadata["papers"][0]["id"], out_dir=tmp_path / "out", format="bibtex") == text
    assert api.cite(project, result.metadata["papers"][0]["id"], out_dir=tmp_path / "out", fmt="bibtex") == text
    first = result.metadata["papers"][0]
    assert f"{first['first_page']}--{first['last_page']}" in text
    validation = api.validate(project, tmp_path / "out", write=False)
    assert validation.report.error_count == 0


def test_api_errors_carry_their_exit_status(tmp_path: Path):
    with pytest.raises(InputError) as missing:
        api.build(tmp_path / "nowhere")
    assert missing.value.exit_code == ExitCode.INPUT == 2
    project = copy_project(tmp_path / "p")
    with pytest.raises(UnknownPaperError) as unknown:
        api.cite(project, "no-such-paper")
    assert unknown.value.exit_code == 2 and isinstance(unknown.value, ProceedingsError)
    # the contract's word: "each with its exit status", a plain int as the command line exits with
    assert missing.value.exit_status == unknown.value.exit_status == 2 and type(missing.value.exit_status) is int
    assert RuleViolation("x").exit_status == 1 and OutputError("x").exit_status == 74
    with pytest.raises(InputError, match="unknown bundle profile"):
        api.bundle(project, profile="nope")
    with pytest.raises(InputError, match="unknown citation format"):
        api.cite(project, "1", "mla")
    for wrong in ((None,), (5,), (project, 5)):  # raw TypeErrors before
        with pytest.raises(InputError, match="a folder's path"):
            api.build(*wrong)
    pdf = next((project / "camera_ready").glob("*.pdf"))
    assert len(api.check(str(pdf))) == 1  # one file, not the characters of its name
    before = {f: f.read_bytes() for f in project.rglob("*") if f.is_file()}
    for inside in ("camera_ready", "camera_ready/papers", "front_matter"):  # a build there writes over inputs
        with pytest.raises(InputError, match=f"inside the project's {inside.split('/')[0]}/"):
            api.build(project, project / inside)
    assert {f: f.read_bytes() for f in project.rglob("*") if f.is_file()} == before


def test_the_library_prints_nothing_of_its_own(tmp_path: Path):
    """A host that configures no logging sees nothing on stderr (Python's last-resort handler printed the build's
    warnings); the warnings are on the result."""
    from tests.test_faults import small_project

    project = small_project(tmp_path / "p")  # its sample programme names papers it does not have: a warning
    script = ("import sys; from proceedings import api; r = api.validate(sys.argv[1], sys.argv[2]); "
              "print(len(r.warnings))")
    proc = subprocess.run([sys.executable, "-c", script, str(project), str(tmp_path / "out")], capture_output=True,
                          text=True, check=True)
    assert proc.stderr == "" and int(proc.stdout) >= 1


def test_an_output_folder_that_cannot_be_made_stops_validation_before_any_paper(tmp_path: Path, monkeypatch):
    from proceedings import pipeline
    from proceedings.errors import OutputError

    def checked(*args, **kwargs):
        raise AssertionError("papers were checked for outputs that cannot be written")

    monkeypatch.setattr(pipeline, "validate", checked)
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    with pytest.raises(OutputError, match="not a directory"):
        api.validate(copy_project(tmp_path / "p"), tmp_path / "a-file" / "out")


def _finished(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import atexit, threading\nfrom proceedings.cli.app import finish\n"
                           + code], capture_output=True, text=True, timeout=60, check=False)


def test_the_command_line_ends_its_process_as_sys_exit_would(tmp_path: Path):
    """The entry point skips the interpreter's teardown, not the exit handlers, the buffered output or the status."""
    done = _finished("atexit.register(lambda: print('handler ran'))\nprint('out', end=' ')\nfinish(3)")
    assert (done.returncode, done.stdout) == (3, "out handler ran\n")
    done = _finished("finish('a message')")
    assert (done.returncode, done.stderr) == (1, "a message\n")
    assert _finished("finish(None)").returncode == 0
    # no teardown: an object left to the interpreter's teardown is not freed one by one
    left = "class Left:\n    def __del__(self):\n        print('torn down')\nleft = Left()\n"
    assert _finished(left + "finish(0)").stdout == ""
    assert _finished(left + "raise SystemExit(0)").stdout == "torn down\n"  # as an ordinary exit does
    # a thread that is not a daemon is waited for, as at any exit
    done = _finished("import time\nthreading.Thread(target=lambda: (time.sleep(0.3), print('waited'))).start()\n"
                     "finish(4)")
    assert (done.returncode, done.stdout) == (4, "waited\n")
    # a profiler (python -m cProfile -m proceedings …) writes its data once the command has returned: it still can
    script = tmp_path / "command.py"
    script.write_text("from proceedings.cli.app import finish\nfinish(0)\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(tmp_path / "stats"), str(script)], check=True,
                   timeout=60)
    assert (tmp_path / "stats").stat().st_size > 0

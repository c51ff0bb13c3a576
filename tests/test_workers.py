"""The worker processes: tasks handed out as workers free up, a time limit per task, and a function run alongside
the build in a process of its own."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest

from proceedings.util.alongside import alongside
from proceedings.util.inworker import result_so_far
from proceedings.util.workers import call, import_meanwhile, run_limited


def _pid() -> int:
    return os.getpid()


def _fail(path: str) -> None:
    raise OSError(errno.ENOSPC, "No space left on device", path)


def _wait(path: str) -> None:
    Path(path).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(60)


def test_alongside_runs_in_another_process_and_gives_its_value():
    with alongside(_pid) as value:
        pid = value()
        assert pid != os.getpid() and value() == pid  # asked again: the same answer


def test_alongside_raises_the_other_process_error_here():
    with alongside(_fail, "/out/papers/1.pdf") as value:
        for _ in range(2):  # asked again: the same error
            with pytest.raises(OSError) as caught:
                value()
            assert (caught.value.errno, caught.value.filename) == (errno.ENOSPC, "/out/papers/1.pdf")


def _unsendable():
    return lambda: None  # a value that does not pickle


def test_a_value_the_other_process_cannot_send_is_its_stop_here():
    """What the callers fall back on (doing the work here) when the other process gives no answer: a value that
    cannot be sent is none either (it was a RuntimeError, an internal error of the build)."""
    from proceedings.util.alongside import AlongsideStopped

    with alongside(_unsendable) as value, pytest.raises(AlongsideStopped, match="cannot be sent"):
        value()


def test_leaving_the_block_early_stops_the_other_process(tmp_path: Path):
    pid_file = tmp_path / "pid"
    with pytest.raises(KeyError), alongside(_wait, str(pid_file)):
        while not pid_file.exists() or not pid_file.read_text(encoding="utf-8"):
            time.sleep(0.01)
        raise KeyError("the block fails")
    with pytest.raises(ProcessLookupError):  # stopped and reaped
        os.kill(int(pid_file.read_text(encoding="utf-8")), 0)


def test_a_task_has_a_time_limit_of_its_own():
    results = run_limited(call, [("slow", (time.sleep, 30), 0.5), ("fast", (time.sleep, 0))], jobs=2,
                          time_limit=60, memory_mb=256)
    assert results["slow"].status == "timeout" and "0.5 s" in results["slow"].detail
    assert results["fast"].status == "ok"


def test_tasks_are_read_as_workers_free_up():
    events: list[str] = []

    def tasks():
        for name in "abcdef":
            events.append(f"handed out {name}")
            yield name, (time.sleep, 0.2)

    run_limited(call, tasks(), jobs=2, time_limit=30, memory_mb=256, count=6,
                on_done=lambda outcome: events.append(f"done {outcome.key}"))
    first_done = min(i for i, e in enumerate(events) if e.startswith("done"))
    assert events.index("handed out e") > first_done  # not all read up front
    assert sorted(e for e in events if e.startswith("done")) == [f"done {n}" for n in "abcdef"]


def test_alongside_without_fork_runs_here_when_asked(monkeypatch: pytest.MonkeyPatch):
    """A thread runs here (a progress bar): no fork; the function runs in this process, once."""
    import multiprocessing

    from proceedings.util import workers

    monkeypatch.setattr(workers, "process_context", lambda: multiprocessing.get_context("spawn"))
    calls: list[int] = []
    with alongside(lambda: calls.append(os.getpid()) or len(calls)) as value:
        assert calls == []  # nothing runs before it is asked for
        assert value() == 1 and value() == 1 and calls == [os.getpid()]


def _checked_then_slow() -> str:
    result_so_far("checked")
    time.sleep(30)
    return "stamped"


def _checked_then_dead() -> str:
    result_so_far("checked")
    os._exit(3)


def test_a_task_result_so_far_stands_when_the_rest_times_out_or_dies():
    """Work after a task's own (stamping after checking) that runs past the limit or kills the worker does not
    make the task's own result a failure."""
    results = run_limited(call, [("slow", (_checked_then_slow,), 0.5), ("dead", (_checked_then_dead,)),
                                 ("plain", (time.sleep, 30), 0.5)], jobs=2, time_limit=30, memory_mb=256)
    assert (results["slow"].status, results["slow"].value) == ("ok", "checked")
    assert results["slow"].detail.startswith("timeout after its result")
    assert (results["dead"].status, results["dead"].value) == ("ok", "checked")
    assert results["plain"].status == "timeout"  # nothing said before: a timeout as ever


def _mark_started(path: str) -> None:
    Path(path).write_text("started", encoding="utf-8")
    time.sleep(0.2)


def test_a_worker_starts_on_its_task_before_the_next_task_is_worked_out(tmp_path: Path):
    """Working out a task (placing a paper, importing ahead) never keeps a free worker waiting for the one before."""
    marker = tmp_path / "first-started"
    waited: list[bool] = []

    def tasks():
        yield "first", (_mark_started, str(marker))
        deadline = time.monotonic() + 10
        while not marker.exists() and time.monotonic() < deadline:  # the first task runs meanwhile
            time.sleep(0.01)
        waited.append(marker.exists())
        yield "second", (time.sleep, 0)

    results = run_limited(call, tasks(), jobs=1, time_limit=30, memory_mb=256, count=2)
    assert waited == [True] and {r.status for r in results.values()} == {"ok"}


def test_a_worker_gets_its_next_task_before_its_result_is_handled(tmp_path: Path):
    """The parent's work on a result (writing the cache, keeping the stamped copy) never keeps the worker that sent
    it waiting: its next task, worked out while it ran, is handed to it first."""
    started = tmp_path / "second-started"
    seen: list[bool] = []

    def on_done(outcome) -> None:
        if outcome.key == "first":  # the parent busy with the first result: the second task runs meanwhile
            deadline = time.monotonic() + 10
            while not started.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            seen.append(started.exists())

    results = run_limited(call, [("first", (time.sleep, 0)), ("second", (_mark_started, str(started)))], jobs=1,
                          time_limit=30, memory_mb=256, on_done=on_done)
    assert seen == [True] and {r.status for r in results.values()} == {"ok"}


def _module_flag(name: str) -> object:
    import sys

    return getattr(sys.modules.get(name), "DONE", "not imported")


def test_workers_start_once_the_imports_made_meanwhile_are_done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A module imported by :func:`import_meanwhile`'s thread is never half imported in a worker forked from this
    process (its import lock would stay held there); a module that fails to import is left alone; a name
    ``module:function`` has the function called once the module is imported."""
    import sys

    (tmp_path / "slow_to_import.py").write_text(
        "import time\ntime.sleep(1)\nDONE = True\n\ndef prepare():\n    global PREPARED\n    PREPARED = True\n",
        encoding="utf-8")
    (tmp_path / "broken_on_import.py").write_text("raise RuntimeError('broken')\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        import_meanwhile(["broken_on_import", "slow_to_import:prepare"])
        results = run_limited(call, [("flag", (_module_flag, "slow_to_import"))], jobs=1, time_limit=30,
                              memory_mb=256)
        assert (results["flag"].status, results["flag"].value) == ("ok", True)
        assert "broken_on_import" not in sys.modules and sys.modules["slow_to_import"].PREPARED is True
    finally:
        sys.modules.pop("slow_to_import", None)


def _talker(n: int) -> tuple[int, object]:
    """Tells the parent it started, then asks it a question, and returns the answer."""
    from proceedings.util.inworker import ask_parent, tell_parent

    tell_parent(("started", n))
    return os.getpid(), ask_parent(("double", n))


@pytest.mark.parametrize("where", ["workers", "inline"])
def test_a_task_tells_and_asks_the_parent_while_it_runs(where: str):
    """What a task tells reaches the parent's on_message before its result; what it asks is answered there (the
    answer of the parent's on_message), in a worker as in this process."""
    from proceedings.util.workers import run_inline

    heard: list[tuple[str, object]] = []
    done: list[str] = []

    def on_message(key: str, message: tuple[str, int]) -> int | None:
        heard.append((key, message))
        return 2 * message[1] if message[0] == "double" else None

    tasks = [(str(n), (n,)) for n in range(4)]
    if where == "workers":
        outcomes = run_limited(_talker, tasks, jobs=2, time_limit=30, memory_mb=512, on_message=on_message,
                               on_done=lambda outcome: done.append(outcome.key))
    else:
        outcomes = run_inline(_talker, tasks, on_message=on_message, on_done=lambda outcome: done.append(outcome.key))
    for n in range(4):
        pid, answer = outcomes[str(n)].value
        assert answer == 2 * n and (pid != os.getpid()) == (where == "workers")
        said = [message for key, message in heard if key == str(n)]
        assert said == [("started", n), ("double", n)]
    assert sorted(done) == ["0", "1", "2", "3"]


def test_outside_a_task_nobody_is_asked():
    from proceedings.util.inworker import ask_parent, tell_parent

    tell_parent("nothing")
    assert ask_parent("anything") is None

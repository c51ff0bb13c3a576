"""The worker processes: tasks handed out as workers free up, and a time limit per task."""

from __future__ import annotations

import time

from proceedings.util.workers import call, run_limited


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

"""Several workers on one run: each work item runs once at a time, a dead worker's item is
taken over when its lease lapses, and the digest is the one a single worker gives."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from charter.graph import Orchestrator
from charter.graph.workers import Worker

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NAME, SEED = "workers", 11


def _inputs(run_dir: Path, store: str | None) -> None:
    """The PM's seat: a run's inputs, handed in before any worker starts."""
    with Orchestrator(run_dir, seed=SEED, name=NAME, store_url=store, pm_policy="wait") as pm:
        for n in range(6):
            pm.submit(f"profile the orders table, batch {n}", to="data")
        pm.signal("pipeline_failed", pipeline="load_orders")  # reviews: more work items
        pm.submit("review the schema change for orders", to="architect")


def _single(run_dir: Path, store: str | None) -> str:
    _inputs(run_dir, store)
    with Worker(run_dir, store_url=store or _sqlite(run_dir), seed=SEED, name=NAME) as worker:
        worker.run()
        return worker.orchestrator.digest()


def _sqlite(run_dir: Path) -> str:
    return f"sqlite:///{run_dir / 'run.db'}"


def test_two_workers_share_a_run_and_give_the_single_worker_digest(tmp_path: Path) -> None:
    expected = _single(tmp_path / "one", None)
    run_dir = tmp_path / "two"
    _inputs(run_dir, None)
    url = _sqlite(run_dir)
    with (
        Worker(run_dir, store_url=url, worker_id="a", seed=SEED, name=NAME) as first,
        Worker(run_dir, store_url=url, worker_id="b", seed=SEED, name=NAME) as second,
    ):
        # Interleave their claims one item at a time until neither finds work.
        while first.work_one() | second.work_one():
            pass
        assert first.ran and second.ran
        assert not set(first.ran) & set(second.ran)
        items = first.orchestrator.store.work_items()
        assert {item.status for item in items} <= {"done", "waiting"}
        assert all(item.claims == 1 for item in items)  # no thread ran twice
        assert len(first.ran) + len(second.ran) == len(items)
        assert first.orchestrator.digest() == expected


def test_a_sole_orchestrator_is_kept_out_while_workers_share_the_run(tmp_path: Path) -> None:
    from charter.protocols import ConfigError

    run_dir = tmp_path / "run"
    _inputs(run_dir, None)
    with (
        Worker(run_dir, store_url=_sqlite(run_dir), seed=SEED, name=NAME),
        pytest.raises(ConfigError, match="already open elsewhere"),
    ):
        Orchestrator(run_dir, seed=SEED, name=NAME)


@pytest.fixture
def schemas() -> Iterator[list[str]]:
    names = [f"w_{uuid.uuid4().hex[:16]}" for _ in range(3)]
    yield names
    with psycopg.connect(
        "host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True
    ) as connection:
        for name in names:
            connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


_WORKER = textwrap.dedent(
    """
    import json, sys
    from datetime import timedelta
    from charter.graph.workers import Worker
    run_dir, store, worker_id, lease = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    hang = sys.argv[5] if len(sys.argv) > 5 else ""
    brains = {}
    if hang:
        from charter.agents.brain import ScriptedBrain
        def stall(view):
            if view.task is not None and hang in view.task.task:
                sys.stdout.write("stalled\\n"); sys.stdout.flush()
                sys.stdin.readline()  # killed here, mid-thread
            return []
        brains = {"data": ScriptedBrain(stall)}
    sys.stdout.write("ready\\n"); sys.stdout.flush()
    sys.stdin.readline()  # all workers start together
    with Worker(run_dir, store_url=store, worker_id=worker_id, lease=timedelta(seconds=lease),
                poll_s=0.05, seed=11, name="workers", brains=brains) as worker:
        worker.run()
        print(json.dumps({"ran": worker.ran, "digest": worker.orchestrator.digest()}))
    """
)


def _spawn(
    run_dir: Path, store: str, worker_id: str, lease: float, hang: str = ""
) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-P", "-c", _WORKER, str(run_dir), store, worker_id, str(lease), hang],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n", process.stderr.read() if process.stderr else ""
    return process


def _go(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.write("go\n")
    process.stdin.flush()


@pytest.mark.postgres
@pytest.mark.slow
def test_four_worker_processes_on_postgres_match_one(tmp_path: Path, schemas: list[str]) -> None:
    one = f"{PG_URL}?schema={schemas[0]}"
    expected = _single(tmp_path / "one", one)
    four = f"{PG_URL}?schema={schemas[1]}"
    run_dir = tmp_path / "four"
    _inputs(run_dir, four)
    workers = [_spawn(run_dir, four, f"w{n}", 60.0) for n in range(4)]
    for process in workers:
        _go(process)
    reports = []
    for process in workers:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-2000:]
        reports.append(json.loads(out.strip().splitlines()[-1]))
    ran = [thread for report in reports for thread in report["ran"]]
    assert len(ran) == len(set(ran))  # no thread ran twice...
    with Orchestrator(run_dir, seed=SEED, name=NAME) as pm:
        items = pm.store.work_items()
        assert all(item.claims == 1 for item in items)  # ...and the store agrees
        assert len(ran) == len(items)
        assert pm.digest() == expected


@pytest.mark.postgres
@pytest.mark.slow
def test_a_killed_workers_thread_is_finished_by_another_after_its_lease(
    tmp_path: Path, schemas: list[str]
) -> None:
    store = f"{PG_URL}?schema={schemas[2]}"
    expected = _single(tmp_path / "one", f"{PG_URL}?schema={schemas[0]}")
    run_dir = tmp_path / "killed"
    _inputs(run_dir, store)
    doomed = _spawn(run_dir, store, "doomed", 0.5, hang="batch 0")
    _go(doomed)
    assert doomed.stdout is not None
    assert doomed.stdout.readline() == "stalled\n"  # it holds the batch-0 item, mid-thread
    doomed.send_signal(signal.SIGKILL)
    doomed.communicate(timeout=60)
    assert doomed.returncode == -signal.SIGKILL
    survivor = _spawn(run_dir, store, "survivor", 60.0)
    _go(survivor)
    _, err = survivor.communicate(timeout=300)
    assert survivor.returncode == 0, err[-2000:]
    with Orchestrator(run_dir, seed=SEED, name=NAME) as pm:
        items = pm.store.work_items()
        assert {item.status for item in items} <= {"done", "waiting"}
        retried = [item for item in items if item.claims == 2]
        (stalled,) = [
            event.task.id  # type: ignore[attr-defined]
            for _, event in pm.events(kinds={"task_submitted"})
            if "batch 0" in event.task.task  # type: ignore[attr-defined]
        ]
        assert [item.item["task_id"] for item in retried] == [stalled]
        assert pm.digest() == expected

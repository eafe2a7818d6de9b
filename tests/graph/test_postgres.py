"""The same coordination run on the PostgreSQL run store gives the same history as on the
embedded SQLite store; checkpoints go beside the store unless a run asks otherwise."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from charter.agents.brain import ScriptedBrain
from charter.protocols import AgentView, Escalate, WriteFile

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

pytestmark = pytest.mark.postgres


@pytest.fixture
def schema() -> Iterator[str]:
    name = f"g_{uuid.uuid4().hex[:16]}"
    yield name
    with psycopg.connect(
        "host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True
    ) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def _brain(view: AgentView) -> list:  # type: ignore[type-arg]
    if view.signal is not None and view.step == 0:
        return [
            Escalate(trigger="Pipeline Failures", summary="load failed"),
            WriteFile(path="etl/fix.py", content="# fix\n"),
        ]
    return []


def test_postgres_store_same_history_as_sqlite(
    make_orch: Callable, tmp_path: Path, schema: str
) -> None:
    digests = []
    for name, kwargs in (("lite", {}), ("pg", {"store_url": PG_URL, "store_schema": schema})):
        orch = make_orch(
            tmp_path / name, brains={"data": ScriptedBrain(_brain)}, pm_policy="wait", **kwargs
        )
        orch.signal("pipeline_failed")
        assert orch.run_until_idle() == "paused"
        orch.decide(orch.waiting_on()[0].id, "approve")
        assert orch.run_until_idle() == "idle"
        assert (orch.rt.workspace / "etl" / "fix.py").exists()
        digests.append(orch.digest())
        orch.close()
    assert digests[0] == digests[1]


def test_erasing_a_postgres_run_reaches_the_checkpoints_in_its_directory(
    make_orch: Callable, tmp_path: Path, schema: str
) -> None:
    """The store is in PostgreSQL, the checkpoints in the directory's run.db: `charter
    memory erase DIR` finds the store through run.json and scrubs both."""
    from typer.testing import CliRunner

    from charter.cli.main import app
    from charter.memory.backend import resolve_run

    subject = "Quentin Zarkowski"
    run_dir = tmp_path / "pg-run"
    orch = make_orch(
        run_dir,
        brains={"data": ScriptedBrain(_escalate_every_task)},
        pm_policy="wait",
        store_url=PG_URL,
        store_schema=schema,
        checkpointer="sqlite",  # asked for: the checkpoints stay in the directory
    )
    orch.submit(f"Refund {subject}'s last order", to="data")
    assert orch.run_until_idle() == "paused"  # the checkpoint holds the paused work item
    orch.close()

    assert resolve_run(str(run_dir)) == (PG_URL, schema)
    reopened = make_orch(run_dir, brains={"data": ScriptedBrain(_escalate_every_task)})
    assert reopened.store_url == PG_URL  # run.json names the store it was created with
    assert reopened.paused and reopened.waiting_on()
    reopened.close()
    checkpoints = run_dir / "run.db"
    assert subject.encode() in _bytes(checkpoints)  # names are not a pattern redaction masks

    result = CliRunner().invoke(app, ["memory", "erase", str(run_dir), "--subject", subject])
    assert result.exit_code == 0, result.output
    assert "checkpoint rows" in result.stdout
    assert subject.encode() not in _bytes(checkpoints)
    with psycopg.connect(
        "host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True
    ) as connection:
        rows = connection.execute(f'SELECT payload::text FROM "{schema}".charter_events').fetchall()
    assert rows and not any(subject in payload for (payload,) in rows)


def _escalate_every_task(view: AgentView) -> list:  # type: ignore[type-arg]
    if view.task is not None and view.step == 0:
        return [Escalate(trigger="Pipeline Failures", summary=view.task.task)]
    return []


def _bytes(path: Path) -> bytes:
    return b"".join(
        candidate.read_bytes()
        for candidate in (path, path.with_name(path.name + "-wal"))
        if candidate.exists()
    )

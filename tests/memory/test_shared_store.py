"""Many runs in one database: every table keyed by run id, each run sees only its own rows,
and sequence numbers, ids and digests are what the run would have alone."""

from __future__ import annotations

import gzip
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from charter.memory import RunStore, open_run_store
from charter.protocols import ConfigError, Escalation, MemoryKind, Severity, VirtualClock
from charter.protocols.events import TaskRouted

from .conftest import START, Backend

FIXTURES = Path(__file__).parent / "fixtures"


def _open(backend: Backend, run_id: str, name: str) -> RunStore:
    return open_run_store(
        backend.url,
        clock=VirtualClock(START),
        schema=backend.schema,
        run_id=run_id,
        name=name,
        seed=1,
    )


def _fill(store: RunStore, tag: str) -> None:
    for n in range(3):
        at = START + timedelta(minutes=n)
        store.append_event(TaskRouted(id=f"ev-{n}", at=at, agent="data", to="data", reason=tag))
    store.upsert_escalation(
        Escalation(
            id="esc-1",
            trigger="Pipeline Failures",
            source="data",
            severity=Severity.IMMEDIATE,
            summary=f"{tag} failed",
            raised_at=START,
        )
    )
    store.add_memory(
        agent="data",
        kind=MemoryKind.ERROR,
        content=f"{tag} outage lesson",
        tags=[tag],
        importance=0.5,
        source_event=None,
        created_at=START,
        expires_at=None,
    )
    store.audit_append(actor="data", action="write", target=tag, details={}, at=START)


def test_two_runs_in_one_store_see_only_their_own_rows(backend: Backend) -> None:
    alone_dir = Backend("sqlite", f"sqlite:///{backend.path}.alone", None, None)
    if backend.name == "postgresql":
        alone_dir = backend  # a second schema is not needed: compare against a fresh run id
    alone = _open(alone_dir, "run-alone", "alpha")
    _fill(alone, "alpha")
    expected = alone.digest()
    alone.close()

    first, second = _open(backend, "run-a", "alpha"), _open(backend, "run-b", "beta")
    try:
        # Same event ids, escalation id and memory text in both: keyed by run, none collide.
        _fill(first, "alpha")
        _fill(second, "beta")
        assert [seq for seq, _ in first.events()] == [1, 2, 3]
        assert [seq for seq, _ in second.events()] == [1, 2, 3]
        assert {event.reason for _, event in second.events()} == {"beta"}  # type: ignore[attr-defined]
        assert [e.summary for e in first.list_escalations()] == ["alpha failed"]
        assert [m.content for m in second.list_memories()] == ["beta outage lesson"]
        assert [r.content for r, _ in first.search_memories("outage")] == ["alpha outage lesson"]
        assert first.verify_audit().ok and second.verify_audit().ok
        assert [entry.target for entry in first.audit_tail() if entry.action == "write"] == [
            "alpha"
        ]
        assert first.digest() == expected  # the same as alone: nothing of run-b in it
    finally:
        first.close()
        second.close()


def test_a_store_with_several_runs_asks_which(backend: Backend) -> None:
    _open(backend, "run-a", "alpha").close()
    _open(backend, "run-b", "beta").close()
    with pytest.raises(ConfigError, match=r"holds 2 runs: run-a \(alpha, seed 1\), run-b"):
        open_run_store(backend.url, clock=VirtualClock(START), schema=backend.schema)
    with pytest.raises(ConfigError, match=r"no run 'run-c' \(it holds: run-a, run-b\)"):
        open_run_store(
            backend.url, clock=VirtualClock(START), schema=backend.schema, run_id="run-c"
        )


def test_a_run_id_taken_by_another_scenario_is_refused(backend: Backend) -> None:
    _open(backend, "run-a", "alpha").close()
    with pytest.raises(ConfigError, match=r"run run-a belongs to scenario 'alpha'.*not 'beta'"):
        _open(backend, "run-a", "beta")
    _open(backend, "run-a", "alpha").close()  # the same scenario again: reopened


def test_a_store_written_before_runs_were_keyed_is_migrated(tmp_path: Path) -> None:
    """A real run directory made by the previous schema (version 6, `charter demo`
    seed 7): reopened, it keeps its history under its own run id."""
    from charter.graph import Orchestrator

    run_dir = tmp_path / "old"
    (run_dir / "workspace").mkdir(parents=True)
    with gzip.open(FIXTURES / "v6_demo_run.db.gz") as packed, open(run_dir / "run.db", "wb") as db:
        shutil.copyfileobj(packed, db)
    shutil.copy(FIXTURES / "v6_demo_run.json", run_dir / "run.json")
    with Orchestrator(run_dir, seed=7, name="demo-pipeline-failure") as orch:
        assert orch.run_id == "run-c8ee88226c8b3006"
        assert orch.store.run_id == orch.run_id
        assert orch.store.event_count() == 43
        assert orch.digest() == "1b29e44878d0bfd8b4f85258494f1da1f672db276797c4dd2191e2e833294f8e"
        assert orch.store.verify_audit().ok
        assert len(orch.store.list_memories()) == 3
        assert orch.run_until_idle() == "idle"

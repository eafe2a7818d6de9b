"""The flagship run through the Orchestrator: its events in order, its outputs, and the
same digest for the same seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.agents.brain import ScriptedBrain
from charter.graph.demo import run_demo
from charter.graph.orchestrator import DEFAULT_START, Orchestrator
from charter.memory import open_run_store
from charter.protocols import Team, VirtualClock
from charter.protocols.events import (
    EscalationDecided,
    EscalationRaised,
    FileWritten,
    MemoryRecorded,
    MessageSent,
    ReportFiled,
    ToolUsed,
)


def _events(run_dir: Path) -> list:
    store = open_run_store(f"sqlite:///{run_dir / 'run.db'}", clock=VirtualClock(DEFAULT_START))
    try:
        return [event for _, event in store.events()]
    finally:
        store.close()


@pytest.fixture(scope="module")
def demo_dirs(tmp_path_factory: pytest.TempPathFactory, team: Team) -> tuple[Path, Path, str, str]:
    base = tmp_path_factory.mktemp("demo")
    first = run_demo(base / "a", seed=7, team=team)
    second = run_demo(base / "b", seed=7, team=team)
    assert first.status == second.status == "idle"
    assert first.events == second.events
    return base / "a", base / "b", first.digest, second.digest


def test_demo_events_in_order(demo_dirs: tuple[Path, Path, str, str]) -> None:
    run_dir = demo_dirs[0]
    events = _events(run_dir)
    story = []
    for e in events:
        if isinstance(e, EscalationRaised):
            story.append(("escalation", e.escalation.trigger, e.escalation.severity.value))
        elif isinstance(e, EscalationDecided):
            story.append(("decided", e.decision.verdict))
        elif isinstance(e, ToolUsed):
            story.append(("tool", e.tool, e.ok))
        elif isinstance(e, MessageSent):
            m = e.message
            story.append((m.kind, m.protocol, m.sender, m.recipient))
        elif isinstance(e, FileWritten):
            story.append(("wrote", e.path))
        elif isinstance(e, ReportFiled):
            story.append(("report", e.agent, e.report.status))
    assert story == [
        ("escalation", "Pipeline Failures", "immediate"),
        ("decided", "approve"),  # the PM decides before any effect of that step happens
        ("tool", "run_quality_suite", False),  # the uniqueness expectation fails
        ("tool", "sql_query", True),
        ("tool", "migration_check", True),  # the fix, dry-run on a copy of the database
        ("request", "schema_review", "data", "architect"),
        ("request", "data_security_review", "data", "security"),
        ("request", "etl_coordination", "data", "integration"),
        ("wrote", "monitoring/load_orders_duplicates.yaml"),
        ("report", "data", "partial"),
        ("reply", "schema_review", "architect", "data"),
        ("reply", "data_security_review", "security", "data"),
        ("reply", "etl_coordination", "integration", "data"),
        ("wrote", "migrations/0001_dedupe_staging_orders.sql"),
        ("report", "data", "success"),
    ]
    assert events[0].kind == "run_started" and events[1].kind == "signal_received"
    # The diagnosis was real: the generated database holds 7 duplicated order ids.
    suite, tool, check = [e for e in events if isinstance(e, ToolUsed)]
    assert suite.result["pass_rate"] == 0.5
    assert len(tool.result["rows"]) == 7 and all(row[1] == 2 for row in tool.result["rows"])
    assert check.result["rows_before"]["staging_orders"] == 407
    assert check.result["rows_after"]["staging_orders"] == 400
    assert check.result["needs_security_review"] is True
    migration = run_dir / "workspace" / "migrations" / "0001_dedupe_staging_orders.sql"
    assert "CREATE UNIQUE INDEX" in migration.read_text()
    assert "customer_email_token" in migration.read_text()  # restricted column tokenised
    learned = [e for e in events if isinstance(e, MemoryRecorded)]
    assert {e.memory_kind.value for e in learned} >= {"error", "pattern", "collaboration"}


def test_same_seed_same_digest(demo_dirs: tuple[Path, Path, str, str]) -> None:
    _, _, first, second = demo_dirs
    assert first == second
    assert len(first) == 64


def test_demo_memories_reach_the_next_turn(
    demo_dirs: tuple[Path, Path, str, str], team: Team
) -> None:
    run_dir, _, digest, _ = demo_dirs
    # Reopen and hand the Data agent a related task: context preparation finds the lesson,
    # and the digest moves on with the new events.
    brain = ScriptedBrain([[]])
    with Orchestrator(run_dir, team=team, brains={"data": brain}) as orch:
        orch.submit("Investigate duplicate order ids in staging_orders", to="data")
        assert orch.run_until_idle() == "idle"
        assert orch.digest() != digest
    assert any("duplicate" in m.content for m in brain.calls[0].memories)

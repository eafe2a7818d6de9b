"""`Orchestrator(..., live=True)`: the team's schedules become persistent jobs, and a fire
from the scheduler's thread is applied by the thread that steps the run — its monitor
measures the run's data and the measurement activates the Data agent."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from charter.graph import Orchestrator
from charter.graph.schedules import ScheduledFire
from charter.protocols import VirtualClock

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _failed_run(datasets: Path) -> None:
    datasets.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(datasets / "pipelines.db") as db:
        db.execute(
            "CREATE TABLE pipeline_runs (pipeline TEXT, started_at TEXT, status TEXT,"
            " error TEXT, details TEXT)"
        )
        db.execute(
            "INSERT INTO pipeline_runs VALUES ('load_orders', ?, 'failed', 'disk full', NULL)",
            ((NOW.replace(minute=0, hour=0)).isoformat(),),
        )


def test_live_orchestrator_applies_fires_on_the_stepping_thread(tmp_path: Path) -> None:
    clock = VirtualClock(NOW)
    with Orchestrator(tmp_path / "run", clock=clock, live=True) as orch:
        assert orch.live is not None
        assert "data:Pipeline health" in orch.live.jobs  # synced into the job store
        _failed_run(orch.rt.datasets)
        # What the scheduler thread does when the job is due: queue the fire, nothing else.
        fire = ScheduledFire(NOW, "data", "Pipeline health", "pipeline_health")
        orch.live.scheduler.on_fire(fire)
        assert not orch.events(kinds={"schedule_fired"})  # not applied off-thread
        orch.run_until_idle()
        fired = orch.events(kinds={"schedule_fired"})
        assert [e.schedule for _, e in fired] == ["Pipeline health"]  # type: ignore[union-attr]
        signals = [e.signal for _, e in orch.events(kinds={"signal_received"})]  # type: ignore[union-attr]
        assert [s.kind for s in signals] == ["pipeline_failed"]
        assert signals[0].payload["pipeline"] == "load_orders"
        activated = orch.events(kinds={"agent_activated"}, agent="data")
        assert activated, "the measured failure did not activate the Data agent"
    # Closed: the scheduler is shut down with the run.
    assert orch.live is None


def test_not_live_by_default(tmp_path: Path) -> None:
    with Orchestrator(tmp_path / "run", clock=VirtualClock(NOW)) as orch:
        assert orch.live is None

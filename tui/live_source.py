"""`OrchestratorSource`: a live run. The TUI steps it, and the PM's decisions go through
`Orchestrator.decide`, which resumes the paused work item at once."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from charter.protocols import DecisionVerdict

from .source import SourceStatus
from .store_reads import StoreReads

if TYPE_CHECKING:
    from charter.graph import Orchestrator


class OrchestratorSource(StoreReads):
    def __init__(self, orchestrator: Orchestrator, *, title: str | None = None) -> None:
        self.orchestrator = orchestrator
        self.store = orchestrator.store
        self._team = orchestrator.team
        self._workspace = orchestrator.run_dir / "workspace"
        self._title = title or f"run {orchestrator.run_dir.name}"
        self._status = "paused" if orchestrator.paused else "working"

    def status(self) -> SourceStatus:
        return SourceStatus(
            title=self._title,
            live=True,
            read_only=False,
            finished=self._status == "idle",
            waiting=self._status == "paused",
        )

    def step(self) -> int:
        """One Orchestrator step; the events it recorded (at least 1 while working)."""
        if self._status in ("idle", "paused"):
            # Idle: nothing queued. Paused: only the PM's decision (decide) moves it on,
            # and stepping a paused run must not differ from not stepping it.
            return 0
        result = self.orchestrator.step()
        self._status = result.status
        if result.status == "working":
            return max(len(result.events), 1)
        return len(result.events)

    def decide(self, escalation_id: str, verdict: DecisionVerdict, note: str) -> None:
        self.orchestrator.decide(escalation_id, verdict, note=note)
        # The decision resumed the work item; the run has more to do unless still paused.
        self._status = "paused" if self.orchestrator.paused else "working"

    def now(self) -> datetime:
        return self.orchestrator.clock.now()

    def close(self) -> None:
        self.orchestrator.close()


def open_demo(run_dir: Path, *, seed: int = 7) -> OrchestratorSource:
    """The flagship pipeline-failure run (see `charter.graph.demo`), with the PM policy
    "wait" so the PM decides in the TUI. Reopening the directory resumes it."""
    from charter.graph.demo import open_demo as open_demo_run

    orchestrator, _clock = open_demo_run(run_dir, seed=seed, pm_policy="wait")
    return OrchestratorSource(orchestrator, title="demo: nightly pipeline failure")


def open_run(run_dir: Path) -> OrchestratorSource:
    """Resume an existing run directory live (the PM decides in the TUI)."""
    from charter.graph import Orchestrator

    return OrchestratorSource(Orchestrator(run_dir, pm_policy="wait"))


__all__ = ["OrchestratorSource", "open_demo", "open_run"]

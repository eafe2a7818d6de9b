"""`OrchestratorSource`: a live run. The TUI steps it, and the PM's decisions go through
`Orchestrator.decide`, which resumes the paused work item at once."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from charter.protocols import DecisionVerdict

from .source import SourceStatus
from .store_reads import StoreReads

if TYPE_CHECKING:
    from charter.graph import Orchestrator

LiveState = Literal["working", "paused", "finished"]


class OrchestratorSource(StoreReads):
    """Steps an Orchestrator. Subclasses that step something else (a scenario's play)
    override `_advance`, `_decide` and `_notes`; the status and stepping rules stay here."""

    def __init__(self, orchestrator: Orchestrator, *, title: str | None = None) -> None:
        self.orchestrator = orchestrator
        self.store = orchestrator.store
        self._team = orchestrator.team
        self._workspace = orchestrator.run_dir / "workspace"
        self._orchestrator_dir = orchestrator.run_dir.resolve()
        self._title = title or f"run {orchestrator.run_dir.name}"
        self._state: LiveState = "paused" if orchestrator.paused else "working"

    def status(self) -> SourceStatus:
        return SourceStatus(
            title=self._title,
            location=str(self._orchestrator_dir),
            live=True,
            read_only=False,
            finished=self._state == "finished",
            waiting=self._state == "paused",
            notes=self._notes(),
        )

    def step(self) -> int:
        """One step of the run; the events it recorded (at least 1 while working)."""
        if self._state != "working":
            # Finished: nothing queued. Paused: only the PM's decision (decide) moves it
            # on, and stepping a paused run must not differ from not stepping it.
            return 0
        self._state, produced = self._advance()
        return max(produced, 1) if self._state == "working" else produced

    def decide(self, escalation_id: str, verdict: DecisionVerdict, note: str) -> None:
        # The decision resumed the work item; the run has more to do unless still paused.
        self._state = self._decide(escalation_id, verdict, note)

    def acknowledge(self, escalation_id: str) -> None:
        self.orchestrator.acknowledge(escalation_id)

    def _advance(self) -> tuple[LiveState, int]:
        result = self.orchestrator.step()
        state: LiveState = "finished" if result.status == "idle" else result.status
        return state, len(result.events)

    def _decide(self, escalation_id: str, verdict: DecisionVerdict, note: str) -> LiveState:
        self.orchestrator.decide(escalation_id, verdict, note=note)
        # The resumed item may have queued new work even while other items still wait on
        # the PM: the next step finds out ("paused" only when nothing else can run).
        return "working"

    def _notes(self) -> list[str]:
        return []

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


__all__ = ["LiveState", "OrchestratorSource", "open_demo", "open_run"]

"""Scenario files played live: the scenario runner drives the run in a worker thread and
the TUI follows the run store as it grows.

The runner owns the Orchestrator for the whole timeline (it jumps the virtual clock from
point to point), so during the play the scenario's own PM policy decides escalations and
pause / step / speed do not apply. Escalations still open when the play ends (policy
"wait") are then decided from the keyboard: the run is reopened through the Orchestrator
and the decision resumes the paused work.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from charter.protocols import ConfigError, DecisionVerdict

from .run_source import RunDirSource
from .source import SourceStatus

if TYPE_CHECKING:
    from .live_source import OrchestratorSource


class ScenarioPlaySource(RunDirSource):
    """Reads the run store of a scenario the runner is playing in another thread."""

    def __init__(self, path: Path, run_dir: Path) -> None:
        from charter.scenarios import load_scenario, run_scenario

        loaded = load_scenario(path)  # a bad file fails here, before the UI opens
        self.scenario_name = loaded.scenario.name
        self.error: str | None = None
        self._resumed: OrchestratorSource | None = None
        run_dir.mkdir(parents=True, exist_ok=True)

        def play() -> None:
            try:
                result = run_scenario(loaded, run_dir)
                self.error = result.error
            except Exception as exc:  # shown in the status line, never a traceback
                self.error = f"{type(exc).__name__}: {exc}"

        self._thread = threading.Thread(target=play, name=f"scenario {path.stem}", daemon=True)
        self._thread.start()
        # The runner creates the run database as its Orchestrator opens.
        self._thread.join(timeout=0.05)
        while not (run_dir / "run.db").is_file() and self._thread.is_alive():
            self._thread.join(timeout=0.05)
        super().__init__(run_dir, team=loaded.team)

    @property
    def playing(self) -> bool:
        return self._thread.is_alive()

    def status(self) -> SourceStatus:
        if self._resumed is not None:
            return self._resumed.status()
        undecided = not self.playing and any(e.decision is None for e in self.escalations())
        notes = [self.error] if self.error else []
        return SourceStatus(
            title=f"scenario {self.scenario_name}",
            live=True,
            read_only=self.playing,
            finished=not self.playing and not undecided,
            waiting=undecided,
            notes=notes,
        )

    def step(self) -> int:
        return self._resumed.step() if self._resumed is not None else 0

    def decide(self, escalation_id: str, verdict: DecisionVerdict, note: str) -> None:
        if self.playing:
            raise ConfigError(
                f"escalation {escalation_id}: the scenario's PM policy decides while it plays; "
                "decide once the play has ended"
            )
        if self._resumed is None:
            from .live_source import open_run

            self._resumed = open_run(self.run_dir)
        self._resumed.decide(escalation_id, verdict, note)

    def close(self) -> None:
        self._thread.join()  # the runner finishes its timeline; the store stays consistent
        if self._resumed is not None:
            self._resumed.close()
        super().close()


def open_scenario_file(path: Path, run_dir: Path) -> ScenarioPlaySource:
    return ScenarioPlaySource(path, run_dir)


__all__ = ["ScenarioPlaySource", "open_scenario_file"]

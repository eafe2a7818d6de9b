"""Scenario files played live: the TUI steps a `ScenarioPlay` from its timer, like the demo.

The play runs with the PM policy "wait", so the person at the keyboard is the PM: an
immediate escalation holds the scenario's timeline (its virtual clock stays put) until it
is decided, and the decision resumes the paused work at once. Pause, single step, speed
and jump-to-escalation apply as for any live run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from charter.protocols import DecisionVerdict

from .live_source import LiveState, OrchestratorSource

if TYPE_CHECKING:
    from charter.scenarios import LoadedScenario, ScenarioPlay


class ScenarioSource(OrchestratorSource):
    """A scenario's play, one unit of work (a point of its timeline, or one work item) per
    step. Everything the views read comes from the play's Orchestrator and run store."""

    def __init__(self, play: ScenarioPlay) -> None:
        super().__init__(play.orchestrator, title=f"scenario {play.scenario.name}")
        self.play = play
        self.run_dir = play.run_dir
        self._state = play.status
        self._verdict: list[str] | None = None  # the expectations' summary, once finished

    def _advance(self) -> tuple[LiveState, int]:
        played = self.play.step()
        return played.status, len(played.events)

    def _decide(self, escalation_id: str, verdict: DecisionVerdict, note: str) -> LiveState:
        self.play.decide(escalation_id, verdict, note)
        return self.play.status

    def _notes(self) -> list[str]:
        if self.play.error is not None:
            return [self.play.error]
        if self.play.status != "finished":
            return []
        if self._verdict is None:
            results = self.play.result().results
            failed = [r for r in results if not r.passed]
            summary = f"expectations {len(results) - len(failed)}/{len(results)} met"
            # The person was the PM: a scenario written for its own PM policy may differ.
            self._verdict = [summary, *(f"not met: {r.check} ({r.detail})" for r in failed)]
        return self._verdict

    def close(self) -> None:
        self.play.close()


def play_scenario(loaded: LoadedScenario, run_dir: Path) -> ScenarioSource:
    """Play a loaded scenario into `run_dir` (an existing run there is resumed)."""
    from charter.scenarios import ScenarioPlay

    return ScenarioSource(ScenarioPlay(loaded, run_dir, pm_policy="wait"))


def open_scenario_file(path: Path, run_dir: Path) -> ScenarioSource:
    """Play the file at `path`; a bad file raises ConfigError before anything is created."""
    from charter.scenarios import load_scenario

    return play_scenario(load_scenario(path), run_dir)


__all__ = ["ScenarioSource", "open_scenario_file", "play_scenario"]

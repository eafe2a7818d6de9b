"""Playing a whole scenario headless: `ScenarioPlay` stepped to the end.

The stepping itself (points on a virtual clock, resuming a killed run) lives in
`scenarios/play.py`; this module keeps the one-call API the CLI and tests use.
"""

from __future__ import annotations

from pathlib import Path

from charter.agents.brain import Brain

from .loader import LoadedScenario
from .play import KILL_ENV, MAX_STEPS_PER_POINT, Progress, ScenarioPlay
from .result import ScenarioResult


def default_run_dir(out: Path, loaded: LoadedScenario, seed: int) -> Path:
    return out / f"{loaded.scenario.name}-seed{seed}"


class ScenarioRunner:
    """Plays a scenario with its own PM policy; the timeline never waits for a person."""

    def __init__(
        self,
        loaded: LoadedScenario,
        run_dir: Path,
        *,
        seed: int | None = None,
        brains: dict[str, Brain] | None = None,
        progress: Progress | None = None,
        store: str | None = None,
    ) -> None:
        self.loaded = loaded
        self.store = store
        self.scenario = loaded.scenario
        self.run_dir = run_dir
        self.seed = self.scenario.seed if seed is None else seed
        self.brains = brains or {}
        self.progress = progress

    def run(self) -> ScenarioResult:
        with ScenarioPlay(
            self.loaded,
            self.run_dir,
            seed=self.seed,
            brains=self.brains,
            progress=self.progress,
            store=self.store,
        ) as play:
            return play.finish()


def run_scenario(
    loaded: LoadedScenario,
    run_dir: Path,
    *,
    seed: int | None = None,
    brains: dict[str, Brain] | None = None,
    progress: Progress | None = None,
    store: str | None = None,
) -> ScenarioResult:
    """`store`: a run-store URL many runs share (PostgreSQL, `?schema=NAME` allowed);
    default: the run directory's own SQLite file."""
    return ScenarioRunner(
        loaded, run_dir, seed=seed, brains=brains, progress=progress, store=store
    ).run()


__all__ = [
    "KILL_ENV",
    "MAX_STEPS_PER_POINT",
    "ScenarioResult",
    "ScenarioRunner",
    "default_run_dir",
    "run_scenario",
]

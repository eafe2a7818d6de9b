"""charter.scenarios: the scenario format, loader, runner, step-wise play, expectations and
the shipped library (`scenarios/library/*.yaml`)."""

from __future__ import annotations

from pathlib import Path

from .expectations import ExpectationResult, evaluate
from .format import Scenario, parse_duration
from .loader import LoadedScenario, load_scenario
from .play import PlayStep, ScenarioPlay
from .runner import ScenarioResult, ScenarioRunner, default_run_dir, run_scenario

LIBRARY = Path(__file__).resolve().parent / "library"


def library_files() -> list[Path]:
    """The shipped scenario files, by name."""
    return sorted(LIBRARY.glob("*.yaml"))


__all__ = [
    "LIBRARY",
    "ExpectationResult",
    "LoadedScenario",
    "PlayStep",
    "Scenario",
    "ScenarioPlay",
    "ScenarioResult",
    "ScenarioRunner",
    "default_run_dir",
    "evaluate",
    "library_files",
    "load_scenario",
    "parse_duration",
    "run_scenario",
]

"""A library scenario driven by a Claude Data agent through the mock model: recorded
once, it replays offline to the same digest; no clock needs to be shared with the runner."""

from __future__ import annotations

from pathlib import Path

from charter.agents.ai.cassette import CASSETTE_NAME
from charter.agents.brains import ClaudeBrain, claude_brains
from charter.protocols.events import AIUsage
from charter.scenarios import LIBRARY, ScenarioResult, load_scenario, run_scenario


def _run(
    run_dir: Path, llm: str, cassette: Path | None = None
) -> tuple[ScenarioResult, ClaudeBrain]:
    loaded = load_scenario(LIBRARY / "pipeline-failure.yaml")
    brains, _ = claude_brains(
        loaded.team,
        {"data": "claude"},
        llm=llm,
        run_dir=run_dir,
        mock=True,
        scenario=loaded.scenario.name,
        cassette=cassette,
    )
    result = run_scenario(loaded, run_dir, brains=brains)
    assert result.error is None, result.error
    brain = brains["data"]
    assert isinstance(brain, ClaudeBrain)
    return result, brain


def test_library_scenario_recorded_once_replays_to_the_same_digest(tmp_path: Path) -> None:
    recorded, brain = _run(tmp_path / "rec", "record")
    assert brain.calls > 0 and brain.fallbacks == []
    # The runner binds the brain to the run: its usage is in the run's events.
    usage = [e for e in recorded.events if isinstance(e, AIUsage)]
    assert len(usage) == brain.calls and all(e.ok for e in usage)
    assert usage[0].at.isoformat().startswith("2026-03-02T01:")  # run time, not wall time
    # Replay into a fresh run directory, reading the cassette where it was recorded.
    replayed, again = _run(tmp_path / "rep", "replay", cassette=tmp_path / "rec" / CASSETTE_NAME)
    assert replayed.digest == recorded.digest and again.calls == brain.calls
    assert not (tmp_path / "rep" / CASSETTE_NAME).exists()

"""ScenarioPlay: a scenario stepped one unit of work at a time. With the PM policy "wait"
the caller is the PM: a pause holds the timeline until decide() resumes the paused work."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from charter.protocols import ConfigError
from charter.scenarios import ScenarioPlay, library_files, load_scenario, run_scenario

# Short and database-free: a breach signal at +00:05 pauses the Data agent on an
# immediate escalation; the file's own PM (policy wait) decides at +00:25, after the
# 15-minute acknowledgement deadline re-escalated it.
BREACH = next(p for p in library_files() if p.stem == "data-breach")


def _play_to_pause(play: ScenarioPlay) -> None:
    while play.step().status == "working":
        pass
    assert play.status == "paused"


def _decided_play(run_dir: Path, verdict: str, note: str) -> str:
    with ScenarioPlay(load_scenario(BREACH), run_dir, pm_policy="wait") as play:
        _play_to_pause(play)
        (waiting,) = play.waiting_on()
        play.decide(waiting.id, verdict, note)
        return play.finish().digest


def test_stepping_with_the_scenarios_own_policy_is_run_scenario(tmp_path: Path) -> None:
    loaded = load_scenario(BREACH)
    did: list[str] = []
    with ScenarioPlay(loaded, tmp_path / "stepped") as play:
        while (step := play.step()).status == "working":
            did.append(step.did)
        assert step.did == "finish" and [e.kind for _, e in step.events] == ["run_finished"]
        assert play.step().did == "none"  # finished: nothing more happens
        stepped = play.result()
    assert did[0] == "point" and "graph" in did
    # The file's `decide` step answered at +00:25, after the deadline re-escalated it.
    kinds = [e.kind for e in stepped.events]
    assert kinds.index("escalation_reescalated") < kinds.index("escalation_decided")
    assert stepped.passed
    assert stepped.digest == run_scenario(loaded, tmp_path / "whole").digest


def test_a_pause_holds_the_timeline_until_the_pm_decides(tmp_path: Path) -> None:
    loaded = load_scenario(BREACH)
    with ScenarioPlay(loaded, tmp_path / "run", pm_policy="wait") as play:
        _play_to_pause(play)
        held_at = play.clock.now()
        assert held_at == loaded.scenario.start + timedelta(minutes=5)
        count = play.orchestrator.store.event_count()
        for _ in range(3):
            step = play.step()
            assert (step.status, step.did, step.events, step.at) == ("paused", "none", [], held_at)
        assert play.orchestrator.store.event_count() == count
        (waiting,) = play.waiting_on()
        assert waiting.trigger == "Data Breaches" and waiting.decision is None
        with pytest.raises(ConfigError, match=waiting.id):
            play.finish()  # a held play cannot finish by itself
        play.decide(waiting.id, "approve", "contain it")
        assert play.status == "working"
        resumed = play.step()
        assert resumed.did == "graph" and resumed.at == held_at
        result = play.finish()
    kinds = [e.kind for e in result.events]
    # Decided at once, so nothing was left to re-escalate; the paused agent reported.
    assert "escalation_reescalated" not in kinds
    decided = kinds.index("escalation_decided")
    assert result.events[decided].at == held_at
    assert "report_filed" in kinds[decided:]
    assert kinds[-1] == "run_finished"
    assert result.digest == _decided_play(tmp_path / "again", "approve", "contain it")
    assert result.digest != _decided_play(tmp_path / "denied", "deny", "contain it")


def test_a_held_play_reopened_waits_again_and_ends_the_same(tmp_path: Path) -> None:
    loaded = load_scenario(BREACH)
    with ScenarioPlay(loaded, tmp_path / "run", pm_policy="wait") as play:
        _play_to_pause(play)  # then the UI is closed with the escalation open
    with ScenarioPlay(loaded, tmp_path / "run", pm_policy="wait") as play:
        _play_to_pause(play)
        (waiting,) = play.waiting_on()
        play.decide(waiting.id, "deny", "not now")
        digest = play.finish().digest
    assert digest == _decided_play(tmp_path / "whole", "deny", "not now")


def test_a_decide_step_that_matches_nothing_fails_the_scenario(tmp_path: Path) -> None:
    # A misspelt trigger is caught at load (test_unknown_names); a real trigger that
    # nothing raised is caught when the step is played.
    text = BREACH.read_text().replace(
        "decide: {trigger: Data Breaches,", "decide: {trigger: Data Loss,"
    )
    scenario = tmp_path / "typo.yaml"
    scenario.write_text(text)
    result = run_scenario(load_scenario(scenario), tmp_path / "run")
    assert not result.passed
    assert result.error is not None
    assert "decide 'Data Loss'" in result.error and "matches no escalation" in result.error
    assert "Data Breaches" in result.error  # the open one is named

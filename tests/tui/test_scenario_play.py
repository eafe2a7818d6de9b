"""Pilot tests of `charter tui SCENARIO.yaml`: a library scenario played inside the UI
step by step, the person at the keyboard being the PM (policy "wait")."""

from __future__ import annotations

from pathlib import Path

from conftest import wait_until
from textual.pilot import Pilot
from textual.widgets import ListView

from charter.protocols import Severity
from charter.scenarios import ScenarioPlay, library_files, load_scenario
from charter.tui import CharterApp
from charter.tui.launch import build_app
from charter.tui.scenario_source import ScenarioSource

# The nightly load fails at +00:40; the 01:45 health check signals it; the Data agent
# escalates "Pipeline Failures" (immediate) and pauses until the PM decides.
SCENARIO = next(p for p in library_files() if p.stem == "pipeline-failure")
_TICKS = 6000  # upper bound only: each tick is one real unit of work on a busy machine


def _reference_digest(run_dir: Path, verdict: str, note: str) -> str:
    """The same scenario played headless, the same decision made at the same pause."""
    with ScenarioPlay(load_scenario(SCENARIO), run_dir, pm_policy="wait") as play:
        while play.step().status == "working":
            pass
        (waiting,) = play.waiting_on()
        play.decide(waiting.id, verdict, note)
        return play.finish().digest


def _source(app: CharterApp) -> ScenarioSource:
    assert isinstance(app.source, ScenarioSource)
    return app.source


async def _decide_when_paused(app: CharterApp, pilot: Pilot[None], keys: tuple[str, ...]) -> None:
    source = _source(app)
    screen = app.run_screen
    await wait_until(pilot, lambda: source.status().waiting, ticks=_TICKS)
    (waiting,) = source.play.waiting_on()
    assert waiting.severity == Severity.IMMEDIATE and waiting.trigger == "Pipeline Failures"
    await wait_until(pilot, lambda: screen.model.agents["data"].state == "paused on escalation")
    # The timeline waits for the person: the clock and the store stand still.
    held_at, count = source.now(), source.event_count()
    await pilot.pause(0.2)  # two timer ticks
    assert (source.now(), source.event_count()) == (held_at, count)
    assert "waiting for the PM" in str(screen.query_one("#status").render())
    await pilot.press("e", *keys[:1])
    await pilot.pause()
    await pilot.press(*keys[1:], "enter")
    await wait_until(pilot, lambda: source.status().finished, ticks=_TICKS)
    await wait_until(pilot, lambda: screen.model.seen == source.event_count())
    assert screen.model.agents["data"].state != "paused on escalation"
    line = str(screen.query_one("#status").render())
    assert "finished" in line
    assert "expectations " in line  # the play's verdict on its scenario's expectations


async def test_approve_a_library_scenario_from_the_keyboard(tmp_path: Path) -> None:
    app = build_app(str(SCENARIO), runs_root=tmp_path / "tui", paused=True)
    async with app.run_test(size=(100, 30)) as pilot:
        source = _source(app)
        start = source.now()
        # Paused: nothing moves until a single step, which goes to the first point.
        await pilot.pause(0.2)
        assert source.event_count() == 1  # run_started
        await pilot.press("s")
        await pilot.pause()
        assert source.now() > start and source.event_count() > 1
        await pilot.press("space", "plus", "plus")  # run at x5
        await _decide_when_paused(app, pilot, ("a", *"ok"))
        escalation = next(e for e in source.escalations() if e.decision is not None)
        assert (escalation.decision.verdict, escalation.decision.note) == ("approve", "ok")  # type: ignore[union-attr]
        decided = source.events(kinds=["escalation_decided"])[0][0]
        after = source.events(decided, agent="data")
        # the paused Data agent continued: it wrote the migration and reported success
        assert any(e.kind == "file_written" for _, e in after)
        reports = [e for _, e in after if e.kind == "report_filed"]
        assert reports and reports[-1].report.status == "success"  # type: ignore[union-attr]
        assert source.status().notes[0].startswith("expectations ")
        digest = source.digest()
    assert digest == _reference_digest(tmp_path / "reference", "approve", "ok")


async def test_deny_from_the_picker_gives_the_other_outcome(tmp_path: Path) -> None:
    app = build_app(runs_root=tmp_path / "tui")
    async with app.run_test(size=(100, 30)) as pilot:
        picker = app.screen.query_one("#scenario-list", ListView)
        picker.index = app.scenarios.index(SCENARIO)
        picker.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.source is not None)
        source = _source(app)
        await pilot.press("plus", "plus")
        await _decide_when_paused(app, pilot, ("d", *"no"))
        escalation = next(e for e in source.escalations() if e.decision is not None)
        assert escalation.decision is not None and escalation.decision.verdict == "deny"
        decided = source.events(kinds=["escalation_decided"])[0][0]
        after = source.events(decided, agent="data")
        assert not any(e.kind == "file_written" for _, e in after)  # nothing applied
        statuses = [e.report.status for _, e in after if e.kind == "report_filed"]  # type: ignore[union-attr]
        assert statuses and "success" not in statuses
        digest = source.digest()
    assert digest == _reference_digest(tmp_path / "reference", "deny", "no")

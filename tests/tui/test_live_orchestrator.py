"""Pilot tests against the real Orchestrator: the flagship pipeline-failure run
(`charter tui demo`) played inside the UI, with the PM deciding from the keyboard."""

from __future__ import annotations

from pathlib import Path

from conftest import wait_until

from charter.protocols import Severity
from charter.tui import CharterApp
from charter.tui.live_source import OrchestratorSource, open_demo

_TICKS = 6000  # upper bound only: each tick is one real graph step on a busy machine


def _reference_digest(run_dir: Path, verdict: str, note: str) -> str:
    """The same run driven headless through the Orchestrator API."""
    source = open_demo(run_dir)
    try:
        orch = source.orchestrator
        assert orch.run_until_idle() == "paused"
        (waiting,) = orch.waiting_on()
        orch.decide(waiting.id, verdict, note=note)
        assert orch.run_until_idle() == "idle"
        return orch.digest()
    finally:
        source.close()


async def _play(source: OrchestratorSource, keys: tuple[str, ...]) -> None:
    app = CharterApp(source)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.run_screen

        def paused_on_immediate() -> bool:
            return any(
                e.severity == Severity.IMMEDIATE and e.status == "open"
                for e in source.escalations()
            )

        await wait_until(pilot, paused_on_immediate, ticks=_TICKS)
        await wait_until(pilot, lambda: screen.model.agents["data"].state == "paused on escalation")
        assert source.orchestrator.paused
        await pilot.press("e", *keys[:1])
        await pilot.pause()
        await pilot.press(*keys[1:], "enter")
        await wait_until(pilot, lambda: source.status().finished, ticks=_TICKS)
        await wait_until(pilot, lambda: screen.model.seen == source.event_count())
        assert screen.model.agents["data"].state != "paused on escalation"
        assert "finished" in str(screen.query_one("#status").render())


async def test_approve_in_the_tui_resumes_the_data_agent(tmp_path: Path) -> None:
    source = open_demo(tmp_path / "tui")
    try:
        await _play(source, ("a", *"go ahead"))
        (escalation,) = source.escalations()
        assert escalation.decision is not None
        assert (escalation.decision.verdict, escalation.decision.note) == ("approve", "go ahead")
        decided = source.events(kinds=["escalation_decided"])[0][0]
        after = source.events(decided, agent="data")
        # the paused Data agent continued: it wrote the migration and reported success
        assert any(e.kind == "file_written" for _, e in after)
        reports = [e for _, e in after if e.kind == "report_filed"]
        assert reports and reports[-1].report.status == "success"  # type: ignore[union-attr]
        digest = source.digest()
    finally:
        source.close()
    assert digest == _reference_digest(tmp_path / "reference", "approve", "go ahead")


async def test_deny_in_the_tui_gives_the_other_outcome(tmp_path: Path) -> None:
    source = open_demo(tmp_path / "tui")
    try:
        await _play(source, ("d", *"not tonight"))
        (escalation,) = source.escalations()
        assert escalation.decision is not None and escalation.decision.verdict == "deny"
        decided = source.events(kinds=["escalation_decided"])[0][0]
        after = source.events(decided, agent="data")
        assert not any(e.kind == "file_written" for _, e in after)  # nothing applied
        assert [e.report.status for _, e in after if e.kind == "report_filed"] != ["success"]  # type: ignore[union-attr]
        digest = source.digest()
    finally:
        source.close()
    assert digest == _reference_digest(tmp_path / "reference", "deny", "not tonight")

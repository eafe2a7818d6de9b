"""The PM loop on a real run with two immediate escalations open at once (a data breach
and a pipeline failure, each pausing only its own work): acknowledge one, approve one,
ask the other for information, read the agent's answer on it, then decide it; decided
escalations show who, when, the note and what followed."""

from __future__ import annotations

from pathlib import Path

from conftest import wait_until
from textual.pilot import Pilot
from textual.widgets import Static

from charter.graph import Orchestrator
from charter.protocols import Signal
from charter.tui import CharterApp
from charter.tui.escalations_view import EscalationsView
from charter.tui.live_source import OrchestratorSource
from charter.tui.screens import NoteScreen

_TICKS = 3000  # upper bound only: each tick may be a real graph step on a busy machine


def _two_immediate(run_dir: Path) -> OrchestratorSource:
    orch = Orchestrator(run_dir, pm_policy="wait")
    for signal_id, kind, payload in (
        ("sig-breach", "data_breach", {"table": "customers"}),
        ("sig-pipeline", "pipeline_failed", {"pipeline": "load_orders", "error": "dup key"}),
    ):
        orch.signal(
            Signal(id=signal_id, kind=kind, source="monitor", at=orch.clock.now(), payload=payload)
        )
    assert orch.run_until_idle() == "paused"
    assert len(orch.waiting_on()) == 2
    return OrchestratorSource(orch, title="two immediate escalations")


def _detail(view: EscalationsView) -> str:
    return str(view.query_one("#escalation-detail", Static).render())


async def _decide(pilot: Pilot[None], key: str, text: str) -> None:
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, NoteScreen))
    await pilot.press(*text, "enter")
    await wait_until(pilot, lambda: not isinstance(pilot.app.screen, NoteScreen))


async def test_acknowledge_approve_and_ask_on_two_open_immediate_escalations(
    tmp_path: Path,
) -> None:
    source = _two_immediate(tmp_path / "run")
    ids = {e.trigger: e.id for e in source.orchestrator.waiting_on()}
    breach, pipeline = ids["Data Breaches"], ids["Pipeline Failures"]
    app = CharterApp(source)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("3")
            view = app.run_screen.query_one(EscalationsView)
            await wait_until(pilot, lambda: len(view.table.rows) == 2)

            # both wait at once; acknowledge the breach (stops its re-escalation)
            assert view.select(breach)
            await pilot.press("k")
            await wait_until(
                pilot, lambda: source.store.get_escalation(breach).status == "acknowledged"
            )  # type: ignore[union-attr]

            # approve the pipeline failure: the dialog shows what is being decided
            assert view.select(pipeline)
            await pilot.press("a")
            await wait_until(pilot, lambda: isinstance(app.screen, NoteScreen))
            about = str(app.screen.query_one("#decision-about", Static).render())
            assert "pipeline failed: load_orders" in about and "evidence: dup key" in about
            await pilot.press(*"go", "enter")
            await wait_until(pilot, lambda: not isinstance(app.screen, NoteScreen))

            # needs-info on the breach: an empty question is refused, a real one is asked
            assert view.select(breach)
            await pilot.press("i", "enter")
            await pilot.pause()
            assert isinstance(app.screen, NoteScreen)  # still asking
            await pilot.press(*"which table?", "enter")
            await wait_until(pilot, lambda: not isinstance(app.screen, NoteScreen))
            still = source.store.get_escalation(breach)
            assert still is not None and still.decision is None  # open: a question only
            await wait_until(pilot, lambda: "data answered:" in _detail(view))
            detail = _detail(view)
            assert "asked (1) at" in detail and "which table?" in detail
            assert "I raised 'Data Breaches' because: data breach" in detail

            # the approved one resumed its own work; its detail says who, when, what next
            await wait_until(
                pilot,
                lambda: [e.id for e in source.orchestrator.waiting_on()] == [breach],
                ticks=_TICKS,
            )
            assert view.select(pipeline)
            await wait_until(pilot, lambda: "what followed:\n" in _detail(view), ticks=_TICKS)
            detail = _detail(view)
            assert "decided: approve by pm at" in detail and "note: go" in detail

            # then the PM decides the breach, with the answer in hand
            assert view.select(breach)
            await _decide(pilot, "d", "contain first")
            await wait_until(pilot, lambda: source.status().finished, ticks=_TICKS)
            decided = source.store.get_escalation(breach)
            assert decided is not None and decided.decision is not None
            assert (decided.decision.verdict, decided.decision.note) == ("deny", "contain first")
            assert view.select(breach)
            await wait_until(pilot, lambda: "decided: deny by pm" in _detail(view))
            assert "data answered:" in _detail(view)  # the exchange stays on it
    finally:
        source.close()

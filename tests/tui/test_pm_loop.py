"""The PM loop in the TUI: every open escalation with its countdown to the acknowledgement
deadline, acknowledge with `k`, and an alert wherever the PM is when an immediate
escalation arrives."""

from __future__ import annotations

from conftest import wait_until
from fakes import ESCALATION_ID, ScriptedRunSource
from textual.widgets import DataTable

from charter.tui import CharterApp
from charter.tui.escalations_view import EscalationsView


async def test_acknowledge_key_and_countdown(fake_source: ScriptedRunSource) -> None:
    fake_source.run_until_idle()  # paused on the immediate escalation
    app = CharterApp(fake_source)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3")
        view = app.run_screen.query_one(EscalationsView)
        await wait_until(pilot, lambda: view.selected() is not None)
        table = view.query_one(DataTable)
        row = [str(cell) for cell in table.get_row_at(0)]
        assert "15m00s" in row  # acknowledge within 15 minutes, by the run clock
        await pilot.press("k")
        await wait_until(pilot, lambda: fake_source.escalations()[0].status == "acknowledged")
        assert fake_source.escalations()[0].id == ESCALATION_ID
        await pilot.press("k")  # a second time: already acknowledged, nothing happens
        await pilot.pause()
        kinds = [e.kind for _, e in fake_source.events()]
        assert kinds.count("escalation_acknowledged") == 1


async def test_a_new_immediate_escalation_raises_an_alert_wherever_the_pm_is(
    fake_source: ScriptedRunSource,
) -> None:
    app = CharterApp(fake_source)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("7")  # looking at the Team view
        await wait_until(pilot, lambda: bool(fake_source.escalations()))

        def alerts() -> list[str]:
            return [f"{n.title}: {n.message}" for n in app._notifications if n.severity == "error"]

        await wait_until(pilot, lambda: bool(alerts()))
        (alert,) = alerts()
        assert alert.startswith("IMMEDIATE escalation: Pipeline Failures from data")
        assert app.run_screen.query_one("TabbedContent").active == "tab-team"  # type: ignore[attr-defined]

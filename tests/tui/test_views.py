"""Pilot tests against the scripted in-memory source: the views and keys, driven as a
person would."""

from __future__ import annotations

from collections.abc import Callable

from conftest import screen_text, wait_until
from fakes import ESCALATION_ID, ScriptedRunSource
from textual.widgets import DataTable, Input, Select, Static

from charter.tui import CharterApp
from charter.tui.authority_view import AuthorityView
from charter.tui.memory_view import MemoryView
from charter.tui.run_screen import RunScreen
from charter.tui.screens import KEYS, HelpScreen, PayloadScreen
from charter.tui.timeline import TimelineView
from charter.tui.timeline_model import TimelineFilter


def _screen(app: CharterApp) -> RunScreen:
    return app.run_screen


async def test_run_pauses_on_immediate_escalation_and_approval_finishes_it(
    fake_source: ScriptedRunSource,
) -> None:
    app = CharterApp(fake_source)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: bool(fake_source.escalations()))
        screen = _screen(app)
        await wait_until(pilot, lambda: screen.model.agents["data"].state == "paused on escalation")
        status = str(screen.query_one("#status", Static).render())
        assert "1 immediate" in status and "waiting for the PM" in status
        await pilot.press("e")
        assert screen.query_one("TabbedContent").active == "tab-escalations"
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"dedupe first", "enter")
        await wait_until(pilot, lambda: fake_source.status().finished)
        await wait_until(pilot, lambda: screen.model.seen == fake_source.event_count())
        escalation = fake_source.escalations()[0]
        assert escalation.decision is not None
        assert (escalation.decision.verdict, escalation.decision.note) == (
            "approve",
            "dedupe first",
        )
        data = screen.model.agents["data"]
        assert data.state == "idle" and data.last_report == "success"
        assert "finished" in str(screen.query_one("#status", Static).render())


async def test_deny_leads_to_the_other_ending(fake_source: ScriptedRunSource) -> None:
    app = CharterApp(fake_source)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: bool(fake_source.escalations()))
        await pilot.press("e", "a")
        await pilot.pause()
        await pilot.press("escape")  # changed my mind: Escape cancels, nothing decided
        await pilot.pause()
        assert fake_source.escalations()[0].decision is None
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"no", "enter")
        await wait_until(pilot, lambda: fake_source.status().finished)
        screen = _screen(app)
        await wait_until(pilot, lambda: screen.model.seen == fake_source.event_count())
        assert screen.model.agents["data"].last_report == "blocked"
        assert fake_source.escalations()[0].decision.verdict == "deny"  # type: ignore[union-attr]


async def test_pause_and_single_step(fake_source: ScriptedRunSource) -> None:
    app = CharterApp(fake_source, paused=True)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(10):
            await pilot.pause(0.02)
        assert fake_source.event_count() == 0
        await pilot.press("s")
        await pilot.press("s")
        assert fake_source.event_count() == 2
        assert _screen(app).model.seen == 2
        await pilot.press("space")  # resume
        await wait_until(pilot, lambda: bool(fake_source.escalations()))
        await pilot.press("space")
        assert _screen(app).paused


async def test_speed_keys_change_the_steps_per_tick(fake_source: ScriptedRunSource) -> None:
    app = CharterApp(fake_source, paused=True)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = _screen(app)
        await pilot.press("plus", "plus")
        assert screen.speed_index == 2
        screen.paused = False
        screen.tick()  # one tick at speed x5: five run steps
        screen.paused = True
        assert fake_source.event_count() == 5
        await pilot.press("minus", "minus", "minus")
        assert screen.speed_index == 0
        screen.paused = False
        screen.tick()
        screen.paused = True
        assert fake_source.event_count() == 6


async def test_timeline_filters_by_agent_kind_and_severity(fake_source: ScriptedRunSource) -> None:
    fake_source.run_until_idle()
    app = CharterApp(fake_source)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("2")
        screen = _screen(app)
        timeline = screen.query_one(TimelineView)
        assert len(timeline.model) == fake_source.event_count()

        # each filter is answered by a worker; the timeline shows it once applied
        def filtered(**wanted: object) -> Callable[[], bool]:
            return lambda: timeline.model.filter == TimelineFilter(**wanted)  # type: ignore[arg-type]

        screen.query_one("#filter-agent", Select).value = "engineer"
        await wait_until(pilot, filtered(agent="engineer"))
        await pilot.pause()
        rows = [timeline.model.row(i) for i in range(len(timeline.model))]
        assert rows and all(r is not None and r.agent == "engineer" for r in rows)
        assert "migrations/0003_orders.sql" in screen_text(pilot)

        await pilot.press("x")
        await wait_until(pilot, filtered())
        screen.query_one("#filter-kind", Select).value = "message_sent"
        await wait_until(pilot, filtered(kinds=frozenset({"message_sent"})))
        kinds = {timeline.model.row(i).kind for i in range(len(timeline.model))}  # type: ignore[union-attr]
        assert kinds == {"message_sent"} and len(timeline.model) == 2

        await pilot.press("x")
        await wait_until(pilot, filtered())
        screen.query_one("#filter-severity", Select).value = "immediate"
        await wait_until(pilot, filtered(severity="immediate"))
        assert len(timeline.model) == 1
        assert timeline.model.row(0).kind == "escalation_raised"  # type: ignore[union-attr]

        await pilot.press("x")
        await wait_until(pilot, filtered())
        assert len(timeline.model) == fake_source.event_count()

        # newest first, and back
        await pilot.press("n")
        assert timeline.model.row(0).seq == fake_source.event_count()  # type: ignore[union-attr]
        await pilot.press("n")
        assert timeline.model.row(0).seq == 1  # type: ignore[union-attr]

        # selecting an event shows its full payload
        timeline.focus()
        await pilot.press("home", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PayloadScreen)
        second = fake_source.events(1, limit=1)[0][1]
        assert f'"id": "{second.id}"' in app.screen.payload
        assert '"kind": "schedule_fired"' in app.screen.payload
        await pilot.press("escape")
        assert isinstance(app.screen, RunScreen)


async def test_memory_search_and_context_picks(fake_source: ScriptedRunSource) -> None:
    fake_source.run_until_idle()
    app = CharterApp(fake_source)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("4")
        screen = _screen(app)
        table = screen.query_one("#memory-table", DataTable)
        view = screen.query_one(MemoryView)
        await wait_until(pilot, lambda: table.row_count == 4)  # searched in a worker
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        searched = view.searches
        await pilot.press(*"checkpoint", "enter")
        await wait_until(pilot, lambda: view.searches > searched)
        assert table.row_count == 1
        assert "last checkpoint" in screen_text(pilot)
        await wait_until(
            pilot, lambda: "2 memories" in str(screen.query_one("#memory-picked", Static).render())
        )
        picked = str(screen.query_one("#memory-picked", Static).render())
        assert "dedupe staging" in picked
        # the detail pane: the whole memory with its tags
        detail = str(screen.query_one("#memory-detail", Static).render())
        assert "replay a failed load from the last checkpoint" in detail
        assert "tags: recovery" in detail and "importance 0.70" in detail

        await pilot.press("escape")
        screen.query_one("#memory-query", Input).value = ""
        searched = view.searches
        screen.query_one("#memory-agent", Select).value = "architect"
        await wait_until(pilot, lambda: view.searches > searched)
        await pilot.pause()
        assert table.row_count == 1 and "surrogate keys" in screen_text(pilot)


async def test_authority_explanation_is_the_engine_text(fake_source: ScriptedRunSource) -> None:
    fake_source.run_until_idle()
    app = CharterApp(fake_source)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("5")
        view = _screen(app).query_one(AuthorityView)
        await pilot.pause()
        await pilot.press("v")  # violations only
        await pilot.pause(0.2)
        table = view.query_one(DataTable)
        assert table.row_count == 1
        await pilot.press("enter")
        await pilot.pause()
        expected = fake_source.explain("engineer", "migrations/0003_orders.sql")
        shown = str(view.query_one("#authority-explanation", Static).render())
        assert shown == expected and "DENIED" in shown


async def test_team_and_agents_and_scorecard_views(fake_source: ScriptedRunSource) -> None:
    fake_source.run_until_idle()
    app = CharterApp(fake_source)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = _screen(app)
        assert "paused on escalation" in screen_text(pilot)
        assert "schedule:pipeline_health" in screen_text(pilot)
        await pilot.press("7")
        await pilot.pause()
        assert screen.model.message_counts[("data", "architect", "schema_review")] == 1
        text = screen_text(pilot)
        assert "schema_review" in text and "data_security_review" in text
        await pilot.press("6")
        await pilot.pause()
        text = screen_text(pilot)
        assert "Pipeline success rate" in text and "MISS" in text  # 0.97 < 0.99
        assert list(screen.model.metrics["query_p95_ms"].series) == [140.0]


async def test_help_lists_every_key(fake_source: ScriptedRunSource) -> None:
    from charter.tui.authority_view import AuthorityView
    from charter.tui.escalations_view import EscalationsView

    app = CharterApp(fake_source, paused=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        listed = " / ".join(key for key, _, _ in KEYS)
        for widget in (RunScreen, EscalationsView, AuthorityView, TimelineView):
            for binding in widget.BINDINGS:
                assert not isinstance(binding, tuple)
                for key in binding.key.split(","):
                    if key in "1234567":
                        key = "1-7"
                    shown = binding.key_display or {
                        "question_mark": "?",
                        "slash": "/",
                        "equals_sign": "+",
                        "plus": "+",
                        "minus": "-",
                    }.get(key, key)
                    assert shown in listed, f"{key} missing from help"
        await pilot.press("escape")
        assert isinstance(app.screen, RunScreen)
        assert app.theme == "textual-dark"
        await pilot.press("t")
        assert app.theme == "textual-light"


async def test_escalation_decided_elsewhere_cannot_be_decided_again(
    fake_source: ScriptedRunSource,
) -> None:
    fake_source.run_until_idle()
    fake_source.decide(ESCALATION_ID, "approve", "by script")
    app = CharterApp(fake_source, paused=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3", "a")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)  # no note dialog for a decided one


async def test_picker_opens_the_chosen_scenario(fake_source: ScriptedRunSource) -> None:
    from pathlib import Path

    from charter.tui.launch import scenario_library
    from charter.tui.screens import PickerScreen

    library = scenario_library()
    assert library[0] == Path("demo")
    opened: list[Path] = []

    def opener(path: Path) -> ScriptedRunSource:
        opened.append(path)
        return fake_source

    app = CharterApp(scenarios=[Path("demo"), Path("other.yaml")], opener=opener, paused=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen))
        assert opened == [Path("other.yaml")]

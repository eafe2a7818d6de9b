"""Keys that switch views work from every view, and the timeline shows events that
arrived while its tab was hidden."""

from __future__ import annotations

import itertools

from conftest import wait_until
from fakes import ScriptedRunSource
from textual.widgets import Input, TabbedContent

from charter.tui import CharterApp
from charter.tui.timeline import TimelineView

VIEWS = ["agents", "timeline", "escalations", "memory", "authority", "scorecard", "team"]


async def test_every_view_key_works_from_every_view(fake_source: ScriptedRunSource) -> None:
    fake_source.run_until_idle()
    app = CharterApp(fake_source)
    async with app.run_test(size=(160, 48)) as pilot:
        tabs = app.run_screen.query_one(TabbedContent)
        # from each view to each other view once: 1->2->...->7->1, then 1->3->5->7->2->4->6
        order = [*range(1, 8), 1, 3, 5, 7, 2, 4, 6]
        for origin, target in itertools.pairwise(order):
            await pilot.press(str(target))
            await pilot.pause()
            name = VIEWS[target - 1]
            assert tabs.active == f"tab-{name}", f"key {target} from view {origin}"


async def test_slash_reaches_the_memory_search_box_from_every_view(
    fake_source: ScriptedRunSource,
) -> None:
    fake_source.run_until_idle()
    app = CharterApp(fake_source)
    async with app.run_test(size=(160, 48)) as pilot:
        for origin in "1234567":
            await pilot.press(origin)
            await pilot.pause()
            await pilot.press("slash")
            await pilot.pause()
            focused = app.focused
            assert isinstance(focused, Input) and focused.id == "memory-query", origin
            await pilot.press("escape")
            await pilot.pause()


async def test_timeline_shows_events_that_arrived_while_hidden(
    fake_source: ScriptedRunSource,
) -> None:
    app = CharterApp(fake_source, paused=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("s", "s")
        await pilot.press("2")  # the timeline mounts with two events
        await pilot.pause()
        timeline = app.run_screen.query_one(TimelineView)
        await wait_until(pilot, lambda: len(timeline.model) == 2)
        await pilot.press("1")  # hide it, then let the run go on
        await pilot.pause()
        await pilot.press("space")
        await wait_until(pilot, lambda: bool(fake_source.escalations()))
        await wait_until(pilot, lambda: app.run_screen.model.seen == fake_source.event_count())
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        assert len(timeline.model) == fake_source.event_count()
        last = timeline.model.row(len(timeline.model) - 1)
        assert last is not None and last.seq == fake_source.event_count()

"""The views as pictures: the Team view's who-talks-to-whom with counts on the edges, the
Scorecard's header, trend and blank-for-no-data, on the scripted run and on unit data."""

from __future__ import annotations

from collections import deque

from conftest import screen_text, wait_until
from fakes import ScriptedRunSource
from textual.widgets import Label, Sparkline

from charter.protocols import SuccessMetric
from charter.tui import CharterApp
from charter.tui.model import MetricState
from charter.tui.run_screen import RunScreen
from charter.tui.scorecard_view import trend
from charter.tui.team_view import Edge, picture


def test_the_team_picture_draws_edges_with_their_counts() -> None:
    drawn = picture(
        [
            Edge("data", "architect", ("schema_review",), 12, 2, (("schema_review", 12),)),
            Edge("data", "security", ("data_security_review",), 3, 0, ()),
            Edge("engineer", "data", ("data_access_layer",), 0, 0, ()),  # silent: left out
            Edge("qa", "data", ("x",), 1, 1, (("data_quality", 1), ("x", 0))),
        ]
    ).plain.splitlines()
    assert drawn[0] == "data ─┬─ 12 ─▶ architect  schema_review"
    assert drawn[1] == "      └─  3 ─▶ security   data_security_review"
    assert drawn[2] == "  qa ───  1 ─▶ data       data_quality 1, x 0"
    assert len(drawn) == 3
    assert "nobody has talked" in picture([]).plain


def _metric_state(comparison: str, *values: float) -> MetricState:
    metric = SuccessMetric(key="m", name="M", comparison=comparison, target=1.0)  # type: ignore[arg-type]
    return MetricState(metric, deque(values))


def test_trend_says_better_or_worse_against_the_target() -> None:
    assert trend(_metric_state("<", 5.0)).plain == ""  # one point: no trend
    assert trend(_metric_state("<", 5.0, 4.0)).plain == "↓ better"
    assert trend(_metric_state(">", 5.0, 4.0)).plain == "↓ worse"
    assert trend(_metric_state(">=", 1.0, 1.0, 1.001)).plain == "→ flat"
    assert trend(_metric_state(">", 0.9, 0.95, 0.99)).plain == "↑ better"


async def test_scorecard_has_headers_and_blank_history_without_data(
    fake_source: ScriptedRunSource,
) -> None:
    fake_source.run_until_idle()
    app = CharterApp(fake_source)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("6")
        screen = app.screen
        assert isinstance(screen, RunScreen)
        await wait_until(pilot, lambda: bool(screen.query("#metric-query_p95_ms")))
        await pilot.pause()
        text = screen_text(pilot)
        for header in ("metric", "latest", "target", "met", "trend", "history"):
            assert header in text
        reported = screen.query_one("#metric-query_p95_ms")
        assert reported.query_one(Sparkline).display
        assert not reported.query_one(".no-data", Label).display
        silent = screen.query_one("#metric-api_availability")
        assert not silent.query_one(Sparkline).display  # no flat bar for no data
        assert silent.query_one(".no-data", Label).display
        assert "no data yet" in text


async def test_team_view_shows_the_picture_above_the_table(
    fake_source: ScriptedRunSource,
) -> None:
    fake_source.run_until_idle()
    app = CharterApp(fake_source)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("7")
        await wait_until(pilot, lambda: "─▶ architect" in screen_text(pilot))
        text = screen_text(pilot)
        assert "data ─── 1 ─▶ architect  schema_review" in text
        assert "data_security_review" in text  # the table still lists every partnership
        assert app.focused is not None and app.focused.id == "team-table"


def test_activity_from_the_indexes_equals_parsing(fake_source: ScriptedRunSource) -> None:
    from test_timeline_query import _Parsing

    from charter.tui.activity import FINE_BUCKETS, merge, read_activity

    fake_source.run_until_idle()
    count = fake_source.event_count()
    agents = ["data", "architect", "engineer", "pm"]
    indexed = read_activity(fake_source, agents, count)
    parsed = read_activity(_Parsing(fake_source), agents, count)  # type: ignore[arg-type]
    assert indexed == parsed
    assert sum(indexed.escalations) == 1 and sum(indexed.denials) == 1
    assert sum(indexed.per_agent["data"]) == len(fake_source.events(agent="data"))
    assert indexed.busiest(1) == ["data"]
    assert len(indexed.escalations) == FINE_BUCKETS
    # merged to a width, every row keeps its total and the same partition
    assert sum(merge(indexed.per_agent["data"], 37)) == sum(indexed.per_agent["data"])
    assert merge([1, 2, 3, 4], 2) == [3, 7]


async def test_the_timeline_has_an_activity_strip_with_markers(
    fake_source: ScriptedRunSource,
) -> None:
    from charter.tui.activity_strip import ActivityStrip

    fake_source.run_until_idle()
    app = CharterApp(fake_source, paused=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        screen = app.screen
        assert isinstance(screen, RunScreen)
        await wait_until(pilot, lambda: bool(screen.query(ActivityStrip)))
        strip = screen.query_one(ActivityStrip)
        await wait_until(pilot, lambda: strip.activity.upto == fake_source.event_count())
        await pilot.pause()
        assert strip.shown_agents[0] == "data"
        text = screen_text(pilot)
        assert "events per agent over the run (11 events" in text
        marks = next(line for line in text.splitlines() if line.startswith("▲esc ✕deny"))
        # the denial (event 8 of 11) comes before the escalation (event 11)
        assert 0 < marks.index("✕", 10) < marks.index("▲", 10)

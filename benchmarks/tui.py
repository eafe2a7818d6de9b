"""TUI responsiveness on a 100,000-event run: time to first paint, to scroll the
timeline to the end, to first show the Team view (whose message totals cover the whole
run) and to answer each timeline filter, against a bare Textual app measured in the same
process (its first paint, and a key to the frame that shows its effect).

A filter is timed from the moment its value is set to the frame that shows the filtered
rows; meanwhile a heartbeat on the UI's event loop records the longest stall, which is
how long the UI could not answer a key (the query runs in a worker thread).

    .venv/bin/python -P benchmarks/tui.py [--events 100000]

The run is a real run store (SQLite). `append_event` is one transaction per event (about
8 ms each on the project machine), so the script appends 1,000 varied events through the
store API and then replicates those rows with SQL up to the requested count; every row is
a real stored event the store parses back.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from charter.memory import open_run_store
from charter.protocols import (
    AgentReport,
    Escalation,
    Message,
    Severity,
    Signal,
    VirtualClock,
)
from charter.protocols import events as ev

_BLOCK = 1000
_ROLES = ("data", "architect", "engineer", "security", "integration")


def _block(clock: VirtualClock) -> list[ev.Event]:  # type: ignore[name-defined]
    out: list[object] = []
    for i in range(_BLOCK):
        at = clock.now() + timedelta(seconds=i)
        role = _ROLES[i % len(_ROLES)]
        base = {"id": f"e{i}", "at": at, "agent": role}
        match i % 6:
            case 0:
                out.append(ev.AgentActivated(**base, cause="signal:pipeline_failed"))
            case 1:
                out.append(
                    ev.ToolUsed(
                        **base,
                        tool="pipeline_health",
                        summary="ok",
                        result={"query_p95_ms": 40.0 + i % 90},
                    )
                )
            case 2:
                out.append(
                    ev.MessageSent(
                        **base,
                        message=Message(
                            id=f"m{i}",
                            correlation_id=f"c{i}",
                            protocol="schema_review",
                            sender=role,
                            recipient="architect",
                            sent_at=at,
                        ),
                    )
                )
            case 3:
                out.append(
                    ev.SignalReceived(
                        **base, signal=Signal(id=f"s{i}", kind="anomaly_detected", at=at)
                    )
                )
            case 4:
                out.append(
                    ev.ReportFiled(
                        **base, report=AgentReport(status="success", summary=f"work item {i} done")
                    )
                )
            case _:
                out.append(
                    ev.EscalationRaised(
                        **base,
                        escalation=Escalation(
                            id=f"esc{i}",
                            source=role,
                            trigger="Data Quality Issues",
                            # one in ten immediate, so both severity filters find rows
                            severity=Severity.IMMEDIATE if i % 60 == 5 else Severity.STANDARD,
                            summary="null rate above threshold",
                            raised_at=at,
                            status="decided",
                        ),
                    )
                )
    return out  # type: ignore[return-value]


def build_run(run_dir: Path, total: int) -> float:
    started = time.perf_counter()
    clock = VirtualClock(datetime(2026, 3, 2, tzinfo=UTC))
    store = open_run_store(f"sqlite:///{run_dir / 'run.db'}", clock=clock)
    for event in _block(clock):
        store.append_event(event)
    store.close()
    with sqlite3.connect(run_dir / "run.db") as db:
        for k in range(1, total // _BLOCK):
            db.execute(
                "INSERT INTO charter_events (run_id, seq, id, kind, agent, at, payload, thread) "
                "SELECT run_id, seq + ?, id || '-' || ?, kind, agent, at, payload, thread "
                "FROM charter_events WHERE seq <= ?",
                (k * _BLOCK, k, _BLOCK),
            )
    return time.perf_counter() - started


class _Bare(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("x", "flip", "Flip")]

    def compose(self) -> ComposeResult:
        yield Static("baseline", id="text")

    def action_flip(self) -> None:
        self.query_one("#text", Static).update("flipped")


async def _bare_key_to_frame() -> float:
    app = _Bare()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = app.query_one("#text", Static)
        shown = asyncio.Event()
        started = time.perf_counter()
        app.simulate_key("x")
        while "flipped" not in str(text.render()):
            await asyncio.sleep(0.001)
        text.call_after_refresh(shown.set)
        await shown.wait()
        return time.perf_counter() - started


class _Heartbeat:
    """The longest gap between ticks of a coroutine on the UI's event loop: how long the
    UI thread was busy (a key pressed then would have waited as long)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _beat(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.002)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last)
            last = now

    def __enter__(self) -> _Heartbeat:
        self._task = asyncio.get_running_loop().create_task(self._beat())
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


FILTERS: list[tuple[str, str, str]] = [
    ("severity immediate", "#filter-severity", "immediate"),
    ("severity standard", "#filter-severity", "standard"),
    ("agent data", "#filter-agent", "data"),
    ("kind message_sent", "#filter-kind", "message_sent"),
    ("kind escalation_raised", "#filter-kind", "escalation_raised"),
]


async def _bare_first_paint() -> float:
    started = time.perf_counter()
    app = _Bare()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        return time.perf_counter() - started


async def _tui(run_dir: Path) -> dict[str, float]:
    from charter.tui import CharterApp
    from charter.tui.run_screen import RunScreen
    from charter.tui.run_source import RunDirSource
    from charter.tui.timeline import TimelineView

    started = time.perf_counter()
    source = RunDirSource(run_dir)
    opened = time.perf_counter() - started
    app = CharterApp(source)
    async with app.run_test(size=(120, 40)) as pilot:
        while not isinstance(app.screen, RunScreen):
            await asyncio.sleep(0.001)
        screen = app.screen
        await screen.painted.wait()
        first_paint = time.perf_counter() - started
        await pilot.press("2")
        while not screen.query(TimelineView):  # views mount the first time they show
            await asyncio.sleep(0.001)
        timeline = screen.query_one(TimelineView)
        timeline.focus()
        await pilot.pause()
        shown = asyncio.Event()
        started = time.perf_counter()
        # A key as the terminal delivers it; pilot.press would also wait for the app to
        # go idle, which a replay still folding in the background rarely is.
        app.simulate_key("end")
        while timeline.cursor != len(timeline.model) - 1:
            await asyncio.sleep(0.001)
        timeline.call_after_refresh(shown.set)
        await shown.wait()
        scroll = time.perf_counter() - started
        last = timeline.model.row(timeline.cursor)
        assert last is not None and last.seq == source.event_count(), "did not reach the end"
        bottom = int(timeline.scroll_y) + timeline.scrollable_content_region.height
        assert bottom >= len(timeline.model), "the last row is not on screen"
        # The Team view reads the whole run's message totals the first time it shows.
        started = time.perf_counter()
        app.simulate_key("7")
        while not screen.model.message_counts:
            await asyncio.sleep(0.001)
        team_shown = asyncio.Event()
        screen.query_one("#team").call_after_refresh(team_shown.set)
        await team_shown.wait()
        team = time.perf_counter() - started
        messages = sum(screen.model.message_counts.values())
        assert messages == sum(source.message_counts().values()), "message totals incomplete"
        filters = await _filters(app, screen, timeline)
        return {
            **filters,
            "open_store": opened,
            "first_paint": first_paint,
            "scroll_to_end": scroll,
            "team_first_show": team,
            "messages": float(messages),
            "rows_in_timeline": float(len(timeline.model)),
            "pages_cached": float(timeline.model.cached_pages()),
            "page_fetches": float(timeline.model.fetches),
            "widgets": float(len(app.screen.query("*"))),
        }


async def _filter_once(
    screen: Any, timeline: Any, selector: str, value: object
) -> tuple[float, float, int]:
    from textual.widgets import Select

    applied = screen.filters_applied
    shown = asyncio.Event()
    with _Heartbeat() as beat:
        started = time.perf_counter()
        select = screen.query_one(selector, Select)
        if value is None:
            select.clear()
        else:
            select.value = value
        while screen.filters_applied == applied:
            await asyncio.sleep(0.001)
        timeline.call_after_refresh(shown.set)
        await shown.wait()
        elapsed = time.perf_counter() - started
    return elapsed, beat.longest, len(timeline.model)


async def _filters(app: Any, screen: Any, timeline: Any) -> dict[str, float]:
    app.simulate_key("2")
    await asyncio.sleep(0.05)
    out: dict[str, float] = {}
    for name, selector, value in FILTERS:
        elapsed, stall, rows = await _filter_once(screen, timeline, selector, value)
        assert rows > 0, f"filter {name}: no rows"
        first = timeline.model.row(timeline.cursor)
        assert first is not None, f"filter {name}: the shown row did not load"
        out[f"filter:{name}"] = elapsed
        out[f"stall:{name}"] = stall
        out[f"rows:{name}"] = float(rows)
        elapsed, stall, rows = await _filter_once(screen, timeline, selector, None)
        out[f"clear:{name}"] = elapsed
        out[f"clearstall:{name}"] = stall
    return out


def _parse_everything(run_dir: Path) -> float:
    """What a severity filter cost before it used the indexes: every event parsed."""
    from charter.tui.run_source import RunDirSource
    from charter.tui.timeline_model import TimelineFilter, TimelineModel

    source = RunDirSource(run_dir)
    model = TimelineModel(source)
    model.grow(source.event_count())
    started = time.perf_counter()
    matches = model._query_parsing(  # the fallback path, on purpose
        TimelineFilter(severity="immediate"), model.count, {}
    )
    elapsed = time.perf_counter() - started
    assert matches.seqs
    source.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp)
        built = build_run(run_dir, args.events)
        print(f"built a {args.events:,}-event run store in {built:.1f} s")
        bare = asyncio.run(_bare_first_paint())
        bare_key = asyncio.run(_bare_key_to_frame())
        result = asyncio.run(_tui(run_dir))
        parsed = _parse_everything(run_dir)
    print(f"baseline: bare Textual app first paint     {bare * 1000:8.0f} ms")
    print(
        f"charter tui --run: first paint              {result['first_paint'] * 1000:8.0f} ms"
        f"  ({result['first_paint'] / bare:.1f}x baseline; target < 1000 ms)"
    )
    print(
        f"timeline: scroll to the end (End key)       {result['scroll_to_end'] * 1000:8.0f} ms"
        f"  ({result['scroll_to_end'] / bare:.2f}x baseline; target < 500 ms)"
    )
    print(f"  of which opening the run store          {result['open_store'] * 1000:8.0f} ms")
    team = result["team_first_show"]
    print(
        f"team view: first show, {result['messages']:,.0f} messages counted"
        f" {team * 1000:6.0f} ms  ({team / bare:.2f}x baseline)"
    )
    print(f"baseline: bare Textual app, key to frame   {bare_key * 1000:8.0f} ms")
    for name, _, _ in FILTERS:
        took = result[f"filter:{name}"]
        print(
            f"filter {name:<24} {took * 1000:6.0f} ms  ({took / bare_key:.1f}x key baseline;"
            f" target < 200 ms) {result[f'rows:{name}']:>7,.0f} rows;"
            f" UI stalled at most {result[f'stall:{name}'] * 1000:.0f} ms;"
            f" clear {result[f'clear:{name}'] * 1000:.0f} ms"
        )
    print(
        f"  reference: the same severity filter parsing every event (before) {parsed * 1000:.0f} ms"
    )
    print(
        f"timeline rows {result['rows_in_timeline']:,.0f}; pages fetched "
        f"{result['page_fetches']:.0f} (200 rows each), cached {result['pages_cached']:.0f}; "
        f"widgets on screen {result['widgets']:.0f}"
    )


if __name__ == "__main__":
    main()

"""Snapshots (pytest-textual-snapshot) of all seven views at 80x24 and 160x48, on the
scripted run paused at its immediate escalation (deterministic data, virtual clock).

Update after an intended change: `pytest tests/tui/test_snapshots.py --snapshot-update`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import wait_until
from fakes import ESCALATION_ID, ScriptedRunSource
from textual.pilot import Pilot
from textual.widgets import Static

from charter.tui import CharterApp
from charter.tui.activity_strip import ActivityStrip
from charter.tui.escalations_view import EscalationsView
from charter.tui.memory_view import MemoryView
from charter.tui.run_screen import RunScreen

SIZES = [(80, 24), (160, 48)]
VIEWS = {
    "agents": "1",
    "timeline": "2",
    "escalations": "3",
    "memory": "4",
    "authority": "5",
    "scorecard": "6",
    "team": "7",
}


def _app(tmp_path: Path) -> CharterApp:
    source = ScriptedRunSource(workspace=str(tmp_path / "workspace"))
    source.run_until_idle()  # up to the immediate escalation
    return CharterApp(source, paused=True)


async def _settled(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, RunScreen))
    screen = app.screen
    assert isinstance(screen, RunScreen)
    await wait_until(pilot, lambda: screen.model.team is not None and not screen._dirty)
    active = screen.query_one("TabbedContent").active  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: bool(screen.query(f"#{active} > *")))  # mounts on show
    if active == "tab-scorecard":
        await wait_until(pilot, lambda: bool(screen.query("#metric-query_p95_ms")))
    if active == "tab-timeline":  # the activity strip is read in a worker
        strip = screen.query_one(ActivityStrip)
        await wait_until(pilot, lambda: strip.activity.upto == screen.timeline_model.count)
    if active == "tab-memory":  # searched and picks read in workers
        memory = screen.query_one(MemoryView)
        await wait_until(pilot, lambda: memory.searches > 0)
        picked = screen.query_one("#memory-picked", Static)
        await wait_until(pilot, lambda: "Context picked" in str(picked.render()))
    if active == "tab-escalations":  # the selected escalation's story: a worker
        view = screen.query_one(EscalationsView)
        await wait_until(pilot, lambda: view.story(ESCALATION_ID) is not None)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", list(VIEWS))
def test_view_snapshot(
    view: str, size: tuple[int, int], tmp_path: Path, snap_compare: Callable[..., bool]
) -> None:
    app = _app(tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _settled(pilot)
        await pilot.press(VIEWS[view])
        await _settled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)

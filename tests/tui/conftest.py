"""Shared helpers for the TUI tests."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

sys.path.insert(0, str(Path(__file__).parent))

from fakes import ScriptedRunSource


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], *, ticks: int = 400
) -> None:
    """Let the app run (its timer steps the run) until `condition` holds."""
    for _ in range(ticks):
        if condition():
            return
        await pilot.pause(0.02)
    assert condition(), "condition not reached"


def screen_text(pilot: Pilot[None]) -> str:
    """What the terminal shows, as plain text."""
    strips = pilot.app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


@pytest.fixture
def fake_source(tmp_path: Path) -> ScriptedRunSource:
    return ScriptedRunSource(workspace=str(tmp_path / "workspace"))

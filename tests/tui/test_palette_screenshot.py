"""The command palette offers the views and actions; ctrl+s saves an SVG screenshot in the
run directory; the header names the run directory."""

from __future__ import annotations

from pathlib import Path

from fakes import ScriptedRunSource

from charter.tui import CharterApp
from charter.tui.source import SourceStatus


class LocatedSource(ScriptedRunSource):
    def __init__(self, where: Path) -> None:
        super().__init__(workspace=str(where / "workspace"))
        self.where = where

    def status(self) -> SourceStatus:
        status = super().status()
        status.location = str(self.where)
        return status


async def test_palette_lists_views_and_actions(fake_source: ScriptedRunSource) -> None:
    app = CharterApp(fake_source, paused=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for name in ("agents", "timeline", "escalations", "memory", "authority", "team"):
            assert f"View: {name}" in titles
        assert {"Next escalation", "Screenshot", "Step"} <= set(titles)
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "View: team")
        command.callback()
        await pilot.pause()
        assert app.run_screen.query_one("TabbedContent").active == "tab-team"  # type: ignore[attr-defined]


async def test_ctrl_s_saves_an_svg_in_the_run_directory(tmp_path: Path) -> None:
    source = LocatedSource(tmp_path)
    app = CharterApp(source, paused=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.sub_title == str(tmp_path)
        await pilot.press("ctrl+s")
        await pilot.pause()
    saved = list(tmp_path.glob("*.svg"))
    assert len(saved) == 1 and saved[0].read_text().lstrip().startswith("<svg")

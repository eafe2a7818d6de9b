"""Nothing a run contains can crash the UI or change what it shows: run text with Rich
markup, control characters, very long lines and wide characters goes through every view
as plain text."""

from __future__ import annotations

import dataclasses
from typing import Any

from conftest import screen_text, wait_until
from fakes import MEMORIES, ScriptedRunSource
from textual.widgets import Static
from textual.worker import WorkerFailed

from charter.protocols import Event, MemoryKind
from charter.tui import CharterApp
from charter.tui.escalations_view import EscalationsView
from charter.tui.safe_text import printable
from charter.tui.source import MemoryItem

# Closing tags that close nothing raise MarkupError; tags that open something would
# silently restyle or swallow text; [@click=...] would bind an action to a click.
HOSTILE = (
    "load[/customers] [immediate] [bold red]red[@click=app.quit]quit[/] "
    "\x1b[31mescape\x1b[0m bell\x07 nul\x00 \x9bcsi new\nline 表格数据 "
)
LONG = "w" * 6000


def _poison(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("load_orders", HOSTILE + LONG)
    if isinstance(value, dict):
        return {k: _poison(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison(v) for v in value]
    return value


class HostileRunSource(ScriptedRunSource):
    """The scripted run with every 'load_orders' in its text replaced by hostile text."""

    def step(self) -> int:
        produced = super().step()
        if produced:
            event = self._events[-1]
            self._events[-1] = type(event).model_validate(_poison(event.model_dump()))
            if event.kind == "escalation_raised":
                self._escalation = self._events[-1].escalation  # type: ignore[attr-defined]
        return produced

    def memories(
        self, *, agent: str | None, kind: MemoryKind | None, query: str, limit: int = 50
    ) -> list[MemoryItem]:
        found = super().memories(agent=agent, kind=kind, query="", limit=limit)
        return [dataclasses.replace(item, content=HOSTILE + item.content) for item in found]

    def memories_by_id(self, ids: Any) -> list[MemoryItem]:
        return [dataclasses.replace(item, content=HOSTILE) for item in MEMORIES if item.id in ids]


def test_printable_makes_controls_visible_and_keeps_text() -> None:
    shown = printable("a\x1b[31mb\x00c\x9bd\ne\x7f")
    assert shown == "a\u241b[31mb\u2400c\\x9bd\u240ae\u2421"
    assert printable("x" * 10, limit=4) == "xxxx… (6 more characters)"
    assert printable("one\ntwo", multiline=True) == "one\ntwo"


async def test_every_view_shows_hostile_run_text_as_text(tmp_path: Any) -> None:
    source = HostileRunSource(workspace=str(tmp_path / "ws"))
    source.run_until_idle()
    events: list[Event] = [e for _, e in source.events()]
    assert any("[/customers]" in str(e.model_dump()) for e in events)
    app = CharterApp(source)
    async with app.run_test(size=(160, 48)) as pilot:
        for key in "1234567":
            await pilot.press(key)
            await pilot.pause()
            text = screen_text(pilot)
            assert "\x1b" not in text and "\x00" not in text and "\x9b" not in text
        await pilot.press("3")
        await pilot.pause()
        view = app.run_screen.query_one(EscalationsView)
        await wait_until(pilot, lambda: view.selected() is not None)
        detail = str(view.query_one("#escalation-detail", Static).render())
        # the markup is shown, not interpreted (and not eaten)
        assert "[/customers]" in detail and "[immediate]" in detail
        assert "[@click=app.quit]" in detail
        # the newline inside the summary does not make a line of its own
        assert "new\u240aline" in detail
        await pilot.press("2", "end")
        await pilot.pause()
        assert "[/customers]" in screen_text(pilot)
        await pilot.press("4")
        await pilot.pause()
        assert app.return_code in (None, 0)
        assert app.is_running


async def test_an_unhandled_error_ends_the_app_with_a_nonzero_status(tmp_path: Any) -> None:
    source = ScriptedRunSource(workspace=str(tmp_path / "ws"))

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("store went away")

    source.escalations = broken  # type: ignore[method-assign]
    app = CharterApp(source)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("3")
            await pilot.pause()
    except (RuntimeError, WorkerFailed):
        # The failure surfaces as itself, or wrapped by the worker that ran the read:
        # which depends on timing. Either way the app must end with status 1.
        pass
    assert app.return_code == 1

"""The Charter TUI application."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from textual.app import App, SystemCommand
from textual.screen import Screen

from charter.protocols import CharterError

from .run_screen import RunScreen
from .screens import PickerScreen
from .source import EventSource

SourceOpener = Callable[[Path], EventSource]


class CharterApp(App[None]):
    """Shows one run (`source`), or the scenario library first when no source is given."""

    TITLE = "Charter"
    # ctrl+p: Textual's command palette, with the views and the run's actions added
    # (`get_system_commands` below).
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        source: EventSource | None = None,
        *,
        scenarios: Sequence[Path] = (),
        opener: SourceOpener | None = None,
        paused: bool = False,
        theme: str = "textual-dark",
    ) -> None:
        super().__init__()
        self.source = source
        self.scenarios = list(scenarios)
        self.opener = opener
        self.start_paused = paused
        self.theme = theme

    def on_mount(self) -> None:
        if self.source is not None:
            self.push_screen(RunScreen(self.source, paused=self.start_paused))
        else:
            self.push_screen(PickerScreen(self.scenarios), self._picked)

    def _picked(self, path: Path | None) -> None:
        if path is None or self.opener is None:
            self.exit()
            return
        try:
            self.source = self.opener(path)
        except CharterError as error:
            self.notify(str(error), severity="error", timeout=10, markup=False)
            self.push_screen(PickerScreen(self.scenarios), self._picked)
            return
        self.push_screen(RunScreen(self.source, paused=self.start_paused))

    @property
    def run_screen(self) -> RunScreen:
        screen = self.screen
        if isinstance(screen, RunScreen):
            return screen
        for candidate in reversed(self.screen_stack):
            if isinstance(candidate, RunScreen):
                return candidate
        raise LookupError("no run is open")

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, RunScreen):
            yield from screen.palette_commands()

    def on_unmount(self) -> None:
        if self.source is not None:
            self.source.close()


__all__ = ["CharterApp", "SourceOpener"]

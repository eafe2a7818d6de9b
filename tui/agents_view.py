"""The Agents view: each role, its state, what activated it and its current work."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from .model import RunModel
from .safe_text import plain

_STATE_STYLE = {
    "idle": "dim",
    "active": "bold green",
    "waiting for review": "bold yellow",
    "paused on escalation": "bold red",
}


class AgentsView(DataTable[Text]):
    """One row per role, rebuilt from the run model."""

    DEFAULT_CSS = "AgentsView { height: 1fr; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")
        # columns exist from construction: the view may be filled before it is mounted
        self.add_columns("role", "state", "activated by", "current work", "turns", "last report")

    def refresh_from(self, model: RunModel) -> None:
        selected = self.cursor_row
        self.clear()
        for role, agent in model.agents.items():
            self.add_row(
                plain(role, style="bold"),
                plain(agent.state, style=_STATE_STYLE.get(agent.state, "")),
                plain(agent.activated_by or "-"),
                plain(agent.work or "-"),
                plain(str(agent.turns)),
                plain(agent.last_report or "-"),
                key=role,
            )
        if self.row_count:
            self.move_cursor(row=min(selected, self.row_count - 1))


__all__ = ["AgentsView"]

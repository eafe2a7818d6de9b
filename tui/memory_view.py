"""The Memory view: agent memory per agent and kind, searchable, and what context
preparation picked for the agent's current task."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Select, Static

from charter.protocols import MemoryKind

from .model import RunModel
from .safe_text import plain, plain_lines
from .source import EventSource, MemoryItem


class MemoryView(Vertical):
    DEFAULT_CSS = """
    MemoryView { height: 1fr; }
    MemoryView > #memory-controls { height: auto; }
    MemoryView #memory-agent { width: 22; }
    MemoryView #memory-kind { width: 22; }
    MemoryView #memory-query { width: 1fr; }
    MemoryView > DataTable { height: 1fr; }
    MemoryView > #memory-picked { height: auto; max-height: 8; border-top: solid $primary;
        padding: 0 1; }
    """

    def __init__(self, roles: list[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._roles = roles
        self.items: list[MemoryItem] = []

    def compose(self) -> ComposeResult:
        with Horizontal(id="memory-controls"):
            yield Select(
                [(role, role) for role in self._roles], prompt="all agents", id="memory-agent"
            )
            yield Select(
                [(kind.value, kind.value) for kind in MemoryKind],
                prompt="all kinds",
                id="memory-kind",
            )
            yield Input(placeholder="/ search memory", id="memory-query")
        table: DataTable[Text] = DataTable(cursor_type="row", id="memory-table")
        table.add_columns("agent", "kind", "score", "memory", "tags")
        yield table
        yield Static("", id="memory-picked")

    def _agent(self) -> str | None:
        value = self.query_one("#memory-agent", Select).value
        return value if isinstance(value, str) else None

    def _kind(self) -> MemoryKind | None:
        value = self.query_one("#memory-kind", Select).value
        return MemoryKind(value) if isinstance(value, str) else None

    def search(self, source: EventSource, model: RunModel) -> None:
        query = self.query_one("#memory-query", Input).value.strip()
        self.items = source.memories(agent=self._agent(), kind=self._kind(), query=query)
        table: DataTable[Text] = self.query_one("#memory-table", DataTable)
        table.clear()
        for item in self.items:
            table.add_row(
                plain(item.agent, style="bold"),
                plain(item.kind),
                plain("-" if item.score is None else f"{item.score:.2f}"),
                plain(item.content),
                plain(", ".join(item.tags), style="dim"),
            )
        self.show_picks(source, model)

    def show_picks(self, source: EventSource, model: RunModel) -> None:
        agent = self._agent() or "data"
        ids = model.context_picks.get(agent, [])
        picked = source.memories_by_id(ids) if ids else []
        lines = [f"Context picked for {agent}'s current task: {len(picked)} memories"]
        lines += [f"  [{item.kind}] {item.content}" for item in picked]
        self.query_one("#memory-picked", Static).update(plain_lines(lines))


__all__ = ["MemoryView"]

"""The Memory view: agent memory per agent and kind, searchable, a detail pane with the
selected memory's full text and tags, and what context preparation picked for the
agent's current task. Searches and pick lookups run in workers (the store's full-text
search on a long run must not freeze the UI); the newest request wins."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Select, Static
from textual.worker import get_current_worker

from charter.protocols import MemoryKind

from .model import RunModel
from .safe_text import plain, plain_lines
from .source import EventSource, MemoryItem

T = TypeVar("T")


def describe_memory(item: MemoryItem) -> Text:
    """The whole memory: full text (its own lines kept), tags, kind, importance, id."""
    head = f"{item.agent} · {item.kind} · importance {item.importance:.2f}"
    if item.score is not None:
        head += f" · score {item.score:.2f}"
    return Text.assemble(
        plain(head, style="bold"),
        "\n",
        plain(item.content, multiline=True),
        "\n",
        plain("tags: " + (", ".join(item.tags) if item.tags else "(none)"), style="dim"),
        "\n",
        plain(f"id: {item.id}", style="dim"),
    )


class MemoryView(Vertical):
    DEFAULT_CSS = """
    MemoryView { height: 1fr; }
    MemoryView > #memory-controls { height: auto; }
    MemoryView #memory-agent { width: 22; }
    MemoryView #memory-kind { width: 22; }
    MemoryView #memory-query { width: 1fr; }
    MemoryView > #memory-body { height: 1fr; }
    MemoryView #memory-table { width: 3fr; height: 1fr; }
    MemoryView #memory-detail-box { width: 2fr; height: 1fr; border-left: solid $primary; }
    MemoryView #memory-detail { height: auto; padding: 0 1; }
    MemoryView > #memory-picked { height: auto; max-height: 8; border-top: solid $primary;
        padding: 0 1; }
    """

    def __init__(self, roles: list[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._roles = roles
        self.items: list[MemoryItem] = []
        self.searches = 0  # answers shown (tests wait on it)
        self._picks_asked: tuple[str, list[str]] | None = None

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
        with Horizontal(id="memory-body"):
            table: DataTable[Text] = DataTable(cursor_type="row", id="memory-table")
            table.add_columns("agent", "kind", "score", "memory", "tags")
            yield table
            with VerticalScroll(id="memory-detail-box"):
                yield Static("No memory selected.", id="memory-detail")
        yield Static("", id="memory-picked")

    def _agent(self) -> str | None:
        value = self.query_one("#memory-agent", Select).value
        return value if isinstance(value, str) else None

    def _kind(self) -> MemoryKind | None:
        value = self.query_one("#memory-kind", Select).value
        return MemoryKind(value) if isinstance(value, str) else None

    def search(self, source: EventSource, model: RunModel) -> None:
        """Search in a worker with the controls' current values; the table fills when the
        answer arrives (an older search's answer is dropped)."""
        query = self.query_one("#memory-query", Input).value.strip()
        agent, kind = self._agent(), self._kind()

        def read() -> list[MemoryItem]:
            return source.memories(agent=agent, kind=kind, query=query)

        self._in_worker(read, self._show_items, group="memory-search")
        self.show_picks(source, model)

    def _in_worker(self, read: Callable[[], T], show: Callable[[T], None], *, group: str) -> None:
        def work() -> None:
            answer = read()
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(show, answer)

        self.run_worker(work, thread=True, group=group, exclusive=True)

    def _show_items(self, items: list[MemoryItem]) -> None:
        if not self.is_attached:
            return
        self.items = items
        table: DataTable[Text] = self.query_one("#memory-table", DataTable)
        table.clear()
        for item in items:
            table.add_row(
                plain(item.agent, style="bold"),
                plain(item.kind),
                plain("-" if item.score is None else f"{item.score:.2f}"),
                plain(item.content),
                plain(", ".join(item.tags), style="dim"),
            )
        self._show_detail()
        self.searches += 1

    def selected(self) -> MemoryItem | None:
        row = self.query_one("#memory-table", DataTable).cursor_row
        return self.items[row] if 0 <= row < len(self.items) else None

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        item = self.selected()
        detail = self.query_one("#memory-detail", Static)
        detail.update(describe_memory(item) if item is not None else "No memory selected.")

    def show_picks(self, source: EventSource, model: RunModel) -> None:
        agent = self._agent() or "data"
        ids = list(model.context_picks.get(agent, []))
        if self._picks_asked == (agent, ids):
            return  # shown (or on its way); the views repaint every tick
        self._picks_asked = (agent, ids)

        def read() -> tuple[str, list[MemoryItem]]:
            return agent, source.memories_by_id(ids) if ids else []

        self._in_worker(read, self._show_picks, group="memory-picks")

    def _show_picks(self, answer: tuple[str, list[MemoryItem]]) -> None:
        if not self.is_attached:
            return
        agent, picked = answer
        lines = [f"Context picked for {agent}'s current task: {len(picked)} memories"]
        lines += [f"  [{item.kind}] {item.content}" for item in picked]
        self.query_one("#memory-picked", Static).update(plain_lines(lines))


__all__ = ["MemoryView", "describe_memory"]

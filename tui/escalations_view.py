"""The Escalations view: open, acknowledged and decided escalations, immediate ones
highlighted; approve, deny or ask for information with a note from the keyboard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from charter.protocols import DecisionVerdict, Escalation

from .escalation_story import Story
from .safe_text import plain, plain_lines

_ORDER = {"open": 0, "reescalated": 0, "acknowledged": 1, "decided": 2}


def _describe(esc: Escalation, story: Story | None) -> Text:
    # Plain Text, never markup: summaries and evidence come from agents and signals, and
    # a "[/customers]" in one must neither crash the view nor vanish from it.
    lines = [
        f"{esc.id}  [{esc.severity}] {esc.trigger} from {esc.source} -> {esc.escalated_to}",
        esc.summary,
        f"raised {esc.raised_at:%Y-%m-%d %H:%M:%S}"
        + (f", acknowledge by {esc.acknowledge_by:%H:%M:%S}" if esc.acknowledge_by else ""),
    ]
    lines += [f"  evidence: {item}" for item in esc.evidence]
    for exchange in story.exchanges if story is not None else []:
        lines.append(f"asked ({exchange.round}) at {exchange.at:%H:%M:%S}: {exchange.question}")
        lines.append(f"  {esc.source} answered: {exchange.answer}")
    if esc.decision is not None:
        d = esc.decision
        lines.append(f"decided: {d.verdict} by {d.decided_by} at {d.decided_at:%Y-%m-%d %H:%M:%S}")
        if d.note:
            lines.append(f"  note: {d.note}")
        if story is None:
            lines.append("what followed: reading...")
        elif story.followed:
            lines.append("what followed:")
            lines += [f"  {line}" for line in story.followed]
            if story.more:
                lines.append("  ... (the timeline has the rest)")
        else:
            lines.append("what followed: nothing yet")
    elif story is not None and story.exchanges:
        lines.append("open: a, d or i again (the answers above are the agent's)")
    return plain_lines(lines)


def countdown(esc: Escalation, now: datetime | None) -> Text:
    """Time left to acknowledge, coloured as the deadline nears (run clock)."""
    if esc.acknowledge_by is None or esc.status == "decided":
        return plain("-")
    if now is None or esc.status != "open":
        return plain(f"{esc.acknowledge_by:%H:%M:%S}", style="dim")
    left = (esc.acknowledge_by - now).total_seconds()
    if left <= 0:
        return plain("OVERDUE", style="bold red")
    minutes, seconds = divmod(int(left), 60)
    style = "bold red" if left < 120 else "yellow" if left < 600 else ""
    return plain(f"{minutes}m{seconds:02d}s", style=style)


class EscalationsView(Vertical):
    DEFAULT_CSS = """
    EscalationsView { height: 1fr; }
    EscalationsView > DataTable { height: 1fr; }
    EscalationsView > #escalation-detail-box { height: auto; max-height: 45%;
        border-top: solid $primary; }
    EscalationsView #escalation-detail { height: auto; padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "decide('approve')", "Approve"),
        Binding("d", "decide('deny')", "Deny"),
        Binding("i", "decide('needs_info')", "Needs info"),
        Binding("k", "acknowledge", "Acknowledge"),
    ]

    class DecisionRequested(Message):
        """The PM pressed approve / deny / needs-info on an escalation."""

        def __init__(self, escalation: Escalation, verdict: DecisionVerdict) -> None:
            self.escalation = escalation
            self.verdict: DecisionVerdict = verdict
            super().__init__()

    class AcknowledgeRequested(Message):
        """The PM pressed acknowledge on an escalation."""

        def __init__(self, escalation: Escalation) -> None:
            self.escalation = escalation
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[Escalation] = []
        self._now: datetime | None = None
        # How to read an escalation's story (set by the run screen: it knows the source);
        # read in a worker, kept until new escalation events arrive (`stories_changed`).
        self.story_reader: Callable[[Escalation], Story] | None = None
        self._stories: dict[tuple[str, str], Story] = {}

    def compose(self) -> ComposeResult:
        table: DataTable[Text] = DataTable(cursor_type="row", id="escalation-table")
        # columns exist from construction: the view may be filled before it is mounted
        table.add_columns("severity", "status", "trigger", "from", "raised", "ack in", "summary")
        yield table
        with VerticalScroll(id="escalation-detail-box"):
            yield Static("No escalations.", id="escalation-detail")

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#escalation-table", DataTable)

    def selected(self) -> Escalation | None:
        row = self.table.cursor_row
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def refresh_from(self, escalations: list[Escalation], now: datetime | None = None) -> None:
        current = self.selected()
        rows = sorted(escalations, key=lambda e: (_ORDER.get(e.status, 3), e.raised_at, e.id))
        if rows == self._rows and now == self._now:
            return
        self._rows, self._now = rows, now
        table = self.table
        table.clear()
        for esc in rows:
            immediate = str(esc.severity) == "immediate"
            style = "bold red" if immediate and esc.status != "decided" else ""
            table.add_row(
                plain(str(esc.severity).upper() if immediate else str(esc.severity), style=style),
                plain(esc.status, style=style or ("dim" if esc.status == "decided" else "")),
                plain(esc.trigger, style=style),
                plain(esc.source),
                plain(f"{esc.raised_at:%H:%M:%S}"),
                countdown(esc, now),
                plain(esc.summary),
                key=esc.id,
            )
        if current is not None:
            self.select(current.id)
        self._show_detail()

    def select(self, escalation_id: str) -> bool:
        for index, esc in enumerate(self._rows):
            if esc.id == escalation_id:
                self.table.move_cursor(row=index)
                self._show_detail()
                return True
        return False

    def next_open(self) -> Escalation | None:
        """The first undecided escalation after the cursor (wrapping), immediate first."""
        pending = [e for e in self._rows if e.status != "decided"]
        if not pending:
            return None
        current = self.selected()
        start = self._rows.index(current) + 1 if current in self._rows else 0
        ordered = self._rows[start:] + self._rows[:start]
        pending_ordered = [e for e in ordered if e.status != "decided"]
        immediate = [e for e in pending_ordered if str(e.severity) == "immediate"]
        return (immediate or pending_ordered)[0]

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def stories_changed(self) -> None:
        """New questions, answers or decisions: read the shown story again."""
        self._stories.clear()
        self._show_detail()

    def _show_detail(self) -> None:
        esc = self.selected()
        detail = self.query_one("#escalation-detail", Static)
        if esc is None:
            detail.update(plain("No escalations."))
            return
        key = (esc.id, esc.status)
        story = self._stories.get(key)
        detail.update(_describe(esc, story))
        if story is None and self.story_reader is not None:
            self.run_worker(
                lambda: self._read_story(esc, key), thread=True, group="story", exclusive=True
            )

    def _read_story(self, esc: Escalation, key: tuple[str, str]) -> None:
        assert self.story_reader is not None
        story = self.story_reader(esc)
        self.app.call_from_thread(self._story_read, esc, key, story)

    def _story_read(self, esc: Escalation, key: tuple[str, str], story: Story) -> None:
        self._stories[key] = story
        shown = self.selected()
        if self.is_attached and shown is not None and (shown.id, shown.status) == key:
            self.query_one("#escalation-detail", Static).update(_describe(shown, story))

    def story(self, escalation_id: str) -> Story | None:
        """The story read for an escalation, if any (for tests and the palette)."""
        return next((s for (i, _), s in self._stories.items() if i == escalation_id), None)

    def action_acknowledge(self) -> None:
        esc = self.selected()
        if esc is None:
            self.notify("No escalation selected.", severity="warning")
            return
        if esc.status != "open":
            self.notify(f"{esc.id} is {esc.status}.", severity="warning", markup=False)
            return
        self.post_message(self.AcknowledgeRequested(esc))

    def action_decide(self, verdict: DecisionVerdict) -> None:
        esc = self.selected()
        if esc is None:
            self.notify("No escalation selected.", severity="warning")
            return
        if esc.status == "decided":
            self.notify(f"{esc.id} is already decided.", severity="warning", markup=False)
            return
        self.post_message(self.DecisionRequested(esc, verdict))


__all__ = ["EscalationsView"]

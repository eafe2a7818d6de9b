"""The Timeline view: every event, one line each, rendered with Textual's line API.

Only the rows on screen are rendered (and only their pages fetched), so a 100,000-event
run opens and scrolls as fast as a short one.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .safe_text import printable
from .timeline_model import Row, TimelineModel

_AGENT_WIDTH = 12
_KIND_WIDTH = 22
_WIDE = 110  # below this many columns the agent and kind columns shrink


def _fit(text: str, width: int) -> str:
    return text[:width].ljust(width)


class TimelineView(ScrollView, can_focus=True):
    """A virtual list of event rows with a cursor; Enter opens the selected event."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline--cursor",
        "timeline--time",
        "timeline--agent",
        "timeline--kind",
        "timeline--immediate",
        "timeline--denied",
    }

    DEFAULT_CSS = """
    TimelineView { height: 1fr; }
    TimelineView > .timeline--cursor { background: $accent 40%; text-style: bold; }
    TimelineView > .timeline--time { color: $text-muted; }
    TimelineView > .timeline--agent { color: $primary; text-style: bold; }
    TimelineView > .timeline--kind { color: $secondary; }
    TimelineView > .timeline--immediate { color: $error; text-style: bold; }
    TimelineView > .timeline--denied { color: $warning; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "edge(0)", "First", show=False),
        Binding("end", "edge(1)", "Last"),
        Binding("enter", "select", "Payload"),
    ]

    cursor: reactive[int] = reactive(0)
    follow: reactive[bool] = reactive(True)

    class Selected(Message):
        """An event row was chosen with Enter."""

        def __init__(self, row: Row) -> None:
            self.row = row
            super().__init__()

    def __init__(self, model: TimelineModel, *, follow: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model = model
        self.set_reactive(TimelineView.follow, follow)

    def on_mount(self) -> None:
        self.reload()

    def reload(self, *, keep_end: bool | None = None) -> None:
        """The model changed (new events, filter, order): resize and repaint."""
        at_end = self.follow if keep_end is None else keep_end
        total = len(self.model)
        self.virtual_size = Size(max(self.size.width, 80), total)
        if at_end and total:
            self.cursor = 0 if self.model.newest_first else total - 1
        elif self.cursor >= total:
            self.cursor = max(total - 1, 0)
        self._scroll_cursor_into_view()
        self.refresh()

    def _scroll_cursor_into_view(self) -> None:
        height = max(self.scrollable_content_region.height, 1)
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        total = len(self.model)
        if total:
            self.cursor = max(0, min(total - 1, self.cursor + delta))
            self.follow = self.cursor == (0 if self.model.newest_first else total - 1)

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(self.scrollable_content_region.height - 1, 1))

    def action_edge(self, last: int) -> None:
        total = len(self.model)
        if total:
            self.cursor = total - 1 if last else 0
            self.follow = self.cursor == (0 if self.model.newest_first else total - 1)

    def action_select(self) -> None:
        row = self.model.row(self.cursor)
        if row is not None:
            self.post_message(self.Selected(row))

    def select_seq(self, seq: int) -> bool:
        index = self.model.index_of_seq(seq)
        if index is None:
            return False
        self.follow = False
        self.cursor = index
        return True

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        row = self.model.row(index)
        if row is None:
            return Strip.blank(width, base)
        strip = Strip(self._segments(row, base, index == self.cursor))
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _segments(self, row: Row, base: Style, selected: bool) -> list[Segment]:
        def part(name: str) -> Style:
            return base + self.get_component_rich_style(name, partial=True)

        summary_style = base
        if row.severity == "immediate":
            summary_style = part("timeline--immediate")
        elif row.kind == "authority_checked" and "DENIED" in row.summary:
            summary_style = part("timeline--denied")
        # narrow terminals give the summary the room: shorter agent and kind columns
        narrow = self.size.width < _WIDE
        seq_width = 6 if narrow else 7
        agent_width, kind_width = (9, 17) if narrow else (_AGENT_WIDTH, _KIND_WIDTH)
        segments = [
            Segment(f"{row.seq:>{seq_width}} ", part("timeline--time")),
            Segment(f"{row.at} ", part("timeline--time")),
            Segment(_fit(printable(row.agent), agent_width) + " ", part("timeline--agent")),
            Segment(_fit(row.kind, kind_width) + " ", part("timeline--kind")),
            # raw segments go to the terminal as they are: controls must be made visible
            Segment(printable(row.summary), summary_style),
        ]
        if selected:
            cursor = self.get_component_rich_style("timeline--cursor", partial=True)
            segments = [Segment(s.text, (s.style or base) + cursor) for s in segments]
            segments.append(Segment(" " * 400, base + cursor))
        return segments


__all__ = ["TimelineView"]

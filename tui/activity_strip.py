"""The strip above the timeline: one sparkline per busy agent (events over the run) and
a marker line, ▲ where escalations were raised and ✕ where writes were denied.

One widget that draws its lines when rendered, at its current width: no child widgets to
update on every resize (an earlier version built of Sparkline and Label widgets could
leave the app never idle after a tab switch under load).
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from .activity import Activity, merge
from .safe_text import printable

_LABEL = 11  # the agent-name column
_BARS = "▁▂▃▄▅▆▇█"


def bars(counts: list[int]) -> str:
    """Counts as block characters scaled to the row's own maximum (blank-free: ▁ is 0)."""
    top = max(counts, default=0)
    if top <= 0:
        return _BARS[0] * len(counts)
    last = len(_BARS) - 1
    return "".join(_BARS[0 if c <= 0 else max(1, round(c * last / top))] for c in counts)


class ActivityStrip(Widget):
    DEFAULT_CSS = """
    ActivityStrip { height: auto; border-bottom: solid $primary; }
    """

    def __init__(self, *, rows: int = 5, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows = rows
        self.activity = Activity()
        self.shown_agents: list[str] = []

    def show(self, activity: Activity) -> None:
        self.activity = activity
        self.shown_agents = activity.busiest(self.rows)
        self.refresh(layout=True)  # the number of rows may change

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return 2 + len(self.activity.busiest(self.rows))

    def render(self) -> Text:
        activity = self.activity
        width = max(self.size.width - _LABEL, 1)
        span = ""
        if activity.first_at is not None and activity.last_at is not None:
            span = f", {activity.first_at:%m-%d %H:%M} → {activity.last_at:%m-%d %H:%M}"
        out = Text(no_wrap=True, overflow="crop")
        out.append(f"events per agent over the run ({activity.upto:,} events{span})", "dim")
        for agent in activity.busiest(self.rows):
            out.append("\n")
            out.append(printable(agent)[: _LABEL - 1].ljust(_LABEL), style="bold")
            out.append(bars(merge(activity.per_agent[agent], width)), style="blue")
        out.append("\n")
        out.append("▲esc ✕deny".ljust(_LABEL), style="bold")
        raised = merge(activity.escalations, width)
        denied = merge(activity.denials, width)
        for r, d in zip(raised, denied, strict=False):
            if r:
                out.append("▲", style="bold red")
            elif d:
                out.append("✕", style="yellow")
            else:
                out.append(" ")
        return out


__all__ = ["ActivityStrip", "bars"]

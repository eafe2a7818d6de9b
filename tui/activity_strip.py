"""The strip above the timeline: one sparkline per busy agent (events over the run) and
a marker line, ▲ where escalations were raised and ✕ where writes were denied."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Sparkline, Static

from .activity import Activity, merge
from .safe_text import plain

_LABEL = 11  # the agent-name column


class ActivityStrip(Vertical):
    DEFAULT_CSS = f"""
    ActivityStrip {{ height: auto; border-bottom: solid $primary; }}
    ActivityStrip .activity-row {{ height: 1; }}
    ActivityStrip .activity-label {{ width: {_LABEL}; color: $primary; text-style: bold; }}
    ActivityStrip Sparkline {{ width: 1fr; }}
    ActivityStrip #activity-marks {{ width: 1fr; }}
    ActivityStrip #activity-title {{ color: $text-muted; }}
    """

    def __init__(self, *, rows: int = 5, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows = rows
        self.activity = Activity()
        self.shown_agents: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="activity-title")
        for index in range(self.rows):
            with Horizontal(classes="activity-row", id=f"activity-row-{index}"):
                yield Label("", classes="activity-label")
                yield Sparkline([], summary_function=max)
        with Horizontal(classes="activity-row"):
            yield Label("▲esc ✕deny", classes="activity-label")
            yield Static("", id="activity-marks")

    def show(self, activity: Activity) -> None:
        self.activity = activity
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        activity = self.activity
        width = max(self.size.width - _LABEL, 1)
        agents = activity.busiest(self.rows)
        self.shown_agents = agents
        span = ""
        if activity.first_at is not None and activity.last_at is not None:
            span = f", {activity.first_at:%m-%d %H:%M} → {activity.last_at:%m-%d %H:%M}"
        self.query_one("#activity-title", Static).update(
            plain(f"events per agent over the run ({activity.upto:,} events{span})")
        )
        for index in range(self.rows):
            row = self.query_one(f"#activity-row-{index}", Horizontal)
            row.display = index < len(agents)
            if index < len(agents):
                agent = agents[index]
                row.query_one(Label).update(plain(agent))
                row.query_one(Sparkline).data = merge(activity.per_agent[agent], width)
        marks = Text(no_wrap=True)
        for raised, denied in zip(
            merge(activity.escalations, width), merge(activity.denials, width), strict=False
        ):
            if raised:
                marks.append("▲", style="bold red")
            elif denied:
                marks.append("✕", style="yellow")
            else:
                marks.append(" ")
        self.query_one("#activity-marks", Static).update(marks)


__all__ = ["ActivityStrip"]

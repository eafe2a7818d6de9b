"""The run screen: seven views over one event source, and the run controls.

A timer folds new events into the `RunModel` a chunk at a time (so opening a long run
paints at once and catches up in the background) and, for a live run that is not paused,
steps the run at the chosen speed first.
"""

from __future__ import annotations

import json
from typing import ClassVar, get_args

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Select, Static, TabbedContent, TabPane

from charter.protocols import CharterError, DecisionVerdict, Event

from .agents_view import AgentsView
from .authority_view import AuthorityView
from .escalations_view import EscalationsView
from .memory_view import MemoryView
from .model import RunModel
from .scorecard_view import ScorecardView
from .screens import HelpScreen, NoteScreen, PayloadScreen
from .source import EventSource
from .team_view import TeamView
from .timeline import TimelineView
from .timeline_model import TimelineFilter, TimelineModel

SPEEDS = (1, 2, 5, 20, 100)  # run steps per tick
TICK_SECONDS = 0.1
INGEST_CHUNK = 2000  # events folded per tick while catching up
TABS = ("agents", "timeline", "escalations", "memory", "authority", "scorecard", "team")
_ESCALATION_KINDS = {
    "escalation_raised",
    "escalation_acknowledged",
    "escalation_decided",
    "escalation_reescalated",
    "run_finished",
}


def event_kinds() -> list[str]:
    union = get_args(get_args(Event)[0])
    return sorted(str(cls.model_fields["kind"].default) for cls in union)


class RunScreen(Screen[None]):
    DEFAULT_CSS = """
    RunScreen #status { height: 1; padding: 0 1; background: $boost; }
    RunScreen #status.paused-on-escalation { color: $error; text-style: bold; }
    RunScreen #timeline-filters { height: auto; }
    RunScreen #timeline-filters Select { width: 1fr; }
    RunScreen TabbedContent { height: 1fr; }
    RunScreen TabPane { padding: 0; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "show_tab('agents')", "Agents", show=False),
        Binding("2", "show_tab('timeline')", "Timeline", show=False),
        Binding("3", "show_tab('escalations')", "Escalations", show=False),
        Binding("4", "show_tab('memory')", "Memory", show=False),
        Binding("5", "show_tab('authority')", "Authority", show=False),
        Binding("6", "show_tab('scorecard')", "Scorecard", show=False),
        Binding("7", "show_tab('team')", "Team", show=False),
        Binding("space", "toggle_pause", "Pause/Run"),
        Binding("s", "step", "Step"),
        Binding("plus,equals_sign", "speed(1)", "Faster", key_display="+"),
        Binding("minus", "speed(-1)", "Slower", key_display="-"),
        Binding("e", "next_escalation", "Next esc."),
        Binding("n", "toggle_order", "Order", show=False),
        Binding("f", "focus_filters", "Filter", show=False),
        Binding("x", "clear_filters", "Clear filter", show=False),
        Binding("t", "toggle_theme", "Theme", show=False),
        Binding("slash", "search_memory", "Search", show=False),
        Binding("escape", "focus_view", "Back", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, source: EventSource, *, paused: bool = False) -> None:
        super().__init__()
        self.source = source
        self.model = RunModel(source.team())
        self.timeline_model = TimelineModel(source)
        self.paused = paused
        self.speed_index = 0
        self.escalations = source.escalations()
        self._timer: Timer | None = None

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        roles = list(self.model.agents)
        yield Header()
        yield Static("", id="status")
        with TabbedContent(initial="tab-agents"):
            with TabPane("1 Agents", id="tab-agents"):
                yield AgentsView(id="agents")
            with TabPane("2 Timeline", id="tab-timeline"), Vertical():
                with Horizontal(id="timeline-filters"):
                    yield Select([(r, r) for r in roles], prompt="any agent", id="filter-agent")
                    yield Select(
                        [(k, k) for k in event_kinds()], prompt="any kind", id="filter-kind"
                    )
                    yield Select(
                        [("immediate", "immediate"), ("standard", "standard")],
                        prompt="any severity",
                        id="filter-severity",
                    )
                yield TimelineView(self.timeline_model, id="timeline")
            with TabPane("3 Escalations", id="tab-escalations"):
                yield EscalationsView(id="escalations")
            with TabPane("4 Memory", id="tab-memory"):
                yield MemoryView(roles, id="memory")
            with TabPane("5 Authority", id="tab-authority"):
                yield AuthorityView(id="authority")
            with TabPane("6 Scorecard", id="tab-scorecard"):
                yield ScorecardView(self.model, id="scorecard")
            with TabPane("7 Team", id="tab-team"):
                yield TeamView(id="team")
        yield Footer()

    def on_mount(self) -> None:
        self.app.title = f"Charter - {self.source.status().title}"
        self.query_one(EscalationsView).refresh_from(self.escalations)
        self.ingest()
        self._timer = self.set_interval(TICK_SECONDS, self.tick)

    # -- the loop -------------------------------------------------------------------

    @property
    def running(self) -> bool:
        status = self.source.status()
        return status.live and not status.finished and not self.paused

    def tick(self) -> None:
        if self.running:
            for _ in range(SPEEDS[self.speed_index]):
                if self.source.step() == 0:
                    break
        self.ingest()

    def ingest(self) -> int:
        """Fold the next chunk of new events into the model and refresh what shows them."""
        batch = self.source.events(self.model.seen, limit=INGEST_CHUNK)
        if batch:
            self.model.ingest(batch)
            self.timeline_model.grow(self.model.seen, batch)
            self.query_one(TimelineView).reload()
            if any(event.kind in _ESCALATION_KINDS for _, event in batch):
                self.refresh_escalations()
            self.refresh_active()
        self.refresh_status()
        return len(batch)

    def refresh_escalations(self) -> None:
        self.escalations = self.source.escalations()
        self.query_one(EscalationsView).refresh_from(self.escalations)

    def refresh_active(self) -> None:
        active = self.query_one(TabbedContent).active.removeprefix("tab-")
        if active == "agents":
            self.query_one(AgentsView).refresh_from(self.model)
        elif active == "authority":
            self.query_one(AuthorityView).refresh_from(self.model)
        elif active == "scorecard":
            self.query_one(ScorecardView).refresh_from(self.model)
        elif active == "team":
            self.query_one(TeamView).refresh_from(self.model)
        elif active == "memory":
            self.query_one(MemoryView).show_picks(self.source, self.model)

    def refresh_status(self) -> None:
        status = self.source.status()
        if status.finished and self.model.seen >= self.source.event_count():
            state = "finished"
        elif not status.live:
            state = "replay" + ("" if status.read_only else " (decisions open)")
        else:
            state = "paused" if self.paused else f"running x{SPEEDS[self.speed_index]}"
        clock = f"{self.model.now:%Y-%m-%d %H:%M:%S}" if self.model.now else "--"
        open_escalations = [e for e in self.escalations if e.status != "decided"]
        immediate = sum(1 for e in open_escalations if str(e.severity) == "immediate")
        parts = [state, clock, f"{self.model.seen} events"]
        if open_escalations:
            parts.append(f"escalations: {len(open_escalations)} open, {immediate} immediate")
        widget = self.query_one("#status", Static)
        widget.set_class(immediate > 0, "paused-on-escalation")
        widget.update(" | ".join(parts))

    # -- controls -------------------------------------------------------------------

    def action_show_tab(self, name: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{name}"

    def on_tabbed_content_tab_activated(self, _: TabbedContent.TabActivated | None) -> None:
        self.refresh_active()
        active = self.query_one(TabbedContent).active
        targets = {
            "tab-agents": "#agents",
            "tab-timeline": "#timeline",
            "tab-escalations": "#escalation-table",
            "tab-memory": "#memory-table",
            "tab-authority": "#authority-table",
            "tab-team": "#team",
        }
        if active in targets:
            self.query_one(targets[active]).focus()
        if active == "tab-memory":
            self.query_one(MemoryView).search(self.source, self.model)

    def action_toggle_pause(self) -> None:
        if not self.source.status().live:
            self.notify("This run is not live: nothing to pause.")
            return
        self.paused = not self.paused
        self.refresh_status()

    def action_step(self) -> None:
        if not self.source.status().live:
            self.notify("This run is not live: nothing to step.")
            return
        self.paused = True
        produced = self.source.step()
        self.ingest()
        if produced == 0:
            self.notify("Nothing to do: the run is idle or waiting for a decision.")

    def action_speed(self, delta: int) -> None:
        self.speed_index = max(0, min(len(SPEEDS) - 1, self.speed_index + delta))
        self.refresh_status()

    def action_next_escalation(self) -> None:
        self.action_show_tab("escalations")
        view = self.query_one(EscalationsView)
        target = view.next_open()
        if target is None:
            self.notify("No open escalation.")
            return
        view.select(target.id)
        view.table.focus()

    def action_toggle_order(self) -> None:
        self.timeline_model.newest_first = not self.timeline_model.newest_first
        self.query_one(TimelineView).reload(keep_end=True)

    def action_focus_filters(self) -> None:
        self.action_show_tab("timeline")
        self.query_one("#filter-agent", Select).focus()

    def action_clear_filters(self) -> None:
        for selector in ("#filter-agent", "#filter-kind", "#filter-severity"):
            self.query_one(selector, Select).clear()

    def action_focus_view(self) -> None:
        self.on_tabbed_content_tab_activated(None)

    def action_search_memory(self) -> None:
        self.action_show_tab("memory")
        self.query_one("#memory-query", Input).focus()

    def action_toggle_theme(self) -> None:
        self.app.theme = "textual-light" if self.app.theme == "textual-dark" else "textual-dark"

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    # -- view messages --------------------------------------------------------------

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id and event.select.id.startswith("filter-"):
            self.apply_filter()
        elif event.select.id in ("memory-agent", "memory-kind"):
            self.query_one(MemoryView).search(self.source, self.model)

    def apply_filter(self) -> None:
        def value(selector: str) -> str | None:
            chosen = self.query_one(selector, Select).value
            return chosen if isinstance(chosen, str) else None

        kind = value("#filter-kind")
        self.timeline_model.set_filter(
            TimelineFilter(
                agent=value("#filter-agent"),
                kinds=frozenset({kind}) if kind else None,
                severity=value("#filter-severity"),
            )
        )
        self.query_one(TimelineView).reload(keep_end=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "memory-query":
            self.query_one(MemoryView).search(self.source, self.model)

    def on_timeline_view_selected(self, message: TimelineView.Selected) -> None:
        pairs = self.source.events(message.row.seq - 1, limit=1)
        if not pairs:
            return
        seq, event = pairs[0]
        payload = json.dumps(event.model_dump(mode="json"), indent=2, sort_keys=True)
        self.app.push_screen(PayloadScreen(f"event #{seq} {event.kind}", payload))

    def on_escalations_view_decision_requested(
        self, message: EscalationsView.DecisionRequested
    ) -> None:
        escalation_id = message.escalation.id
        verdict: DecisionVerdict = message.verdict

        def decided(note: str | None) -> None:
            if note is None:
                return
            try:
                self.source.decide(escalation_id, verdict, note)
            except CharterError as error:
                self.notify(str(error), severity="error")
                return
            self.notify(f"{verdict}: {escalation_id}")
            self.refresh_escalations()
            self.ingest()

        self.app.push_screen(NoteScreen(escalation_id, verdict), decided)

    def on_authority_view_explain_requested(self, message: AuthorityView.ExplainRequested) -> None:
        decision = message.decision
        try:
            text = self.source.explain(decision.role, decision.requested_path)
        except CharterError as error:
            text = f"{error}\n\nRecorded reasoning:\n" + "\n".join(decision.steps)
        self.query_one(AuthorityView).show_explanation(text)


__all__ = ["SPEEDS", "TABS", "RunScreen", "event_kinds"]

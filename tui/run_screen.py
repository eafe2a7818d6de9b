"""The run screen: seven views over one event source, and the run controls.

A source backed by a run store is not replayed: the model is seeded from indexed reads
at mount (`model_seed`), and each view's share of the run's history is read in a worker
the first time that view shows. A timer folds new events into the `RunModel` a chunk at
a time and, for a live run that is not paused, steps the run at the chosen speed first.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import time
from collections.abc import Callable, Iterable
from typing import ClassVar, TypeVar, get_args

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Header, Input, Select, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState, get_current_worker

from charter.protocols import CharterError, DecisionVerdict, Escalation, Event, Team
from charter.protocols.events import EscalationRaised

from .activity import Activity, read_activity
from .activity_strip import ActivityStrip
from .agents_view import AgentsView
from .authority_view import AuthorityView
from .escalation_story import FOLLOW_KINDS, read_story
from .escalations_view import EscalationsView
from .memory_view import MemoryView
from .model import RunModel
from .model_seed import (
    PARTS_BY_VIEW,
    History,
    IndexedReads,
    merge_history,
    read_history,
    seed_agents,
)
from .safe_text import plain, printable
from .scorecard_view import ScorecardView
from .screens import HelpScreen, NoteScreen, PayloadScreen
from .source import EventSource
from .team_view import TeamView
from .timeline import TimelineView
from .timeline_model import Matches, TimelineFilter, TimelineModel

W = TypeVar("W", bound=Widget)

SPEEDS = (1, 2, 5, 20, 100)  # run steps per tick
TICK_SECONDS = 0.1
INGEST_CHUNK = 1000  # events folded per tick while catching up
CATCH_UP_CHUNK = 500
_CATCH_UP_PAUSE = 0.02
FIRST_CHUNK = 200  # folded before the first paint
TABS = ("agents", "timeline", "escalations", "memory", "authority", "scorecard", "team")
DEFERRED_VIEWS = {
    "timeline": "2 Timeline",
    "escalations": "3 Escalations",
    "memory": "4 Memory",
    "authority": "5 Authority",
    "scorecard": "6 Scorecard",
    "team": "7 Team",
}
_ESCALATION_KINDS = {
    "escalation_raised",
    "escalation_acknowledged",
    "escalation_decided",
    "escalation_info_answered",
    "escalation_reescalated",
    "run_finished",
}
# events that may change the shown escalation's story (its answers, what followed)
_STORY_KINDS = _ESCALATION_KINDS | FOLLOW_KINDS


def event_kinds() -> list[str]:
    union = get_args(get_args(Event)[0])
    return sorted(str(cls.model_fields["kind"].default) for cls in union)


class _StatusLine(Static):
    """The run's one-line status; its first refresh is the screen's first paint."""

    def on_mount(self) -> None:
        screen = self.screen
        if isinstance(screen, RunScreen):
            self.call_after_refresh(screen.painted.set)


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
        Binding("plus,equals_sign", "speed(1)", "Faster", key_display="+", show=False),
        Binding("minus", "speed(-1)", "Slower", key_display="-", show=False),
        Binding("e", "next_escalation", "Next esc."),
        Binding("n", "toggle_order", "Order", show=False),
        Binding("f", "focus_filters", "Filter", show=False),
        Binding("x", "clear_filters", "Clear filter", show=False),
        Binding("t", "toggle_theme", "Theme", show=False),
        Binding("slash", "search_memory", "Search", show=False),
        Binding("escape", "focus_view", "Back", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+s", "screenshot_svg", "Screenshot", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, source: EventSource, *, paused: bool = False) -> None:
        super().__init__()
        self.source = source
        self.model = RunModel(None)  # the team arrives from a worker (loading it is slow)
        self.timeline_model = TimelineModel(source)
        self.paused = paused
        self.speed_index = 0
        self.escalations: list[Escalation] = []  # all of them, read when their view shows
        self.open_escalations: list[Escalation] = []  # for the status line
        self._reads = source if isinstance(source, IndexedReads) else None
        self._history_requested: set[str] = set()
        self._views_mounted: dict[str, asyncio.Event] = {}
        self._timer: Timer | None = None
        self._dirty = True
        self._escalations_dirty = True  # the open ones changed
        self._escalation_list_stale = True  # the full list changed
        self._stories_stale = False  # the shown escalation's story may have changed
        self._replay = not source.status().live
        self.painted = asyncio.Event()  # set once the first frame of this screen is shown
        self._focus_next: str | None = None  # what the next tab switch focuses instead
        self._news_after = source.event_count()  # events up to here are history, not alerts
        self._filter_wanted = TimelineFilter()  # the latest timeline filter asked for
        self.filters_applied = 0  # answers shown (tests and the benchmark wait on it)
        self._activity_upto = 0  # events the activity strip was last read up to
        self._replay_count: int | None = None

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield _StatusLine("", id="status")
        with TabbedContent(initial="tab-agents"):
            with TabPane("1 Agents", id="tab-agents"):
                yield AgentsView(id="agents")
            # The other views mount the first time their tab shows (`_ensure_view`): the
            # first frame, and the keys right after it, wait for none of them.
            for name, title in DEFERRED_VIEWS.items():
                yield TabPane(title, id=f"tab-{name}")
        yield Footer()

    def _make_view(self, name: str) -> Widget:
        roles = list(self.model.agents)
        if name == "timeline":
            filters = Horizontal(
                Select([(r, r) for r in roles], prompt="any agent", id="filter-agent"),
                Select([(k, k) for k in event_kinds()], prompt="any kind", id="filter-kind"),
                Select(
                    [("immediate", "immediate"), ("standard", "standard")],
                    prompt="any severity",
                    id="filter-severity",
                ),
                id="timeline-filters",
            )
            timeline = TimelineView(self.timeline_model, follow=not self._replay, id="timeline")
            strip = ActivityStrip(rows=2 if self.size.height < 30 else 5, id="activity")
            return Vertical(filters, strip, timeline)
        views: dict[str, Callable[[], Widget]] = {
            "escalations": self._make_escalations_view,
            "memory": lambda: MemoryView(roles, id="memory"),
            "authority": lambda: AuthorityView(id="authority"),
            "scorecard": lambda: ScorecardView(self.model, id="scorecard"),
            "team": lambda: TeamView(id="team"),
        }
        return views[name]()

    def _make_escalations_view(self) -> EscalationsView:
        view = EscalationsView(id="escalations")
        view.story_reader = functools.partial(read_story, self.source)
        return view

    async def _ensure_view(self, name: str) -> None:
        """Mount view `name` if it is not yet; returns once it is mounted."""
        if name not in DEFERRED_VIEWS:
            return
        mounted = self._views_mounted.get(name)
        if mounted is None:
            mounted = self._views_mounted[name] = asyncio.Event()
            await self.query_one(f"#tab-{name}", TabPane).mount(self._make_view(name))
            mounted.set()
        await mounted.wait()

    def on_mount(self) -> None:
        status = self.source.status()
        self.app.title = printable(f"Charter - {status.title}")
        if status.location:
            self.app.sub_title = printable(status.location)  # the run directory
        if self._reads is not None:
            self.timeline_model.grow(seed_agents(self.model, self._reads))
        else:
            if self._replay:
                # A replay's length is known: the timeline pages through all of it at
                # once while the other views fold the events in the background.
                self.timeline_model.grow(self.source.event_count())
            self.ingest(FIRST_CHUNK)
        self._timer = self.set_interval(TICK_SECONDS, self.tick)
        self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        # The slow parts (role files, folding a long replay) start once the screen shows.
        self.run_worker(self._load_team, thread=True, group="team")
        if self._reads is None and not self.source.status().live:
            self.run_worker(self._catch_up, thread=True, group="catch-up")
        self._ensure_history(self._active_view())

    def _load_team(self) -> None:
        team = self.source.team()
        if team is not None:
            self.app.call_from_thread(self._set_team, team)

    def _set_team(self, team: Team) -> None:
        if not self.is_attached:
            return
        self.model.set_team(team)
        # views mounted later take the roles and metrics from the model as they compose
        roles = [(role, role) for role in self.model.agents]
        for selector in ("#filter-agent", "#memory-agent"):
            select = self._maybe(selector, Select)
            if select is not None:
                select.set_options(roles)
        scorecard = self._maybe("#scorecard", ScorecardView)
        if scorecard is not None:
            self.run_worker(scorecard.set_model(self.model), group="team")
        self._ensure_history(self._active_view())  # the scorecard waits for the team
        self._dirty = True
        self.refresh_views()

    def _maybe(self, selector: str, kind: type[W]) -> W | None:
        """A view that may not be mounted yet (hidden views mount lazily)."""
        try:
            return self.query_one(selector, kind)
        except NoMatches:
            return None

    def _active_view(self) -> str:
        return self.query_one(TabbedContent).active.removeprefix("tab-")

    def _ensure_history(self, view: str) -> None:
        """Read the history parts `view` shows, once each, off the UI thread."""
        reads = self._reads
        if reads is None:
            return  # a folded source has its whole history already
        for part in PARTS_BY_VIEW.get(view, ()):
            if part in self._history_requested or (part == "series" and not self.model.metrics):
                continue
            self._history_requested.add(part)
            read = functools.partial(
                read_history,
                part,
                reads,
                self.model.base,
                agents=list(self.model.agents),
                metric_keys=list(self.model.metrics),
            )
            self.run_worker(functools.partial(self._read_history, read), thread=True)

    def _read_history(self, read: Callable[[], History]) -> None:
        self.app.call_from_thread(self._merge_history, read())

    def _merge_history(self, history: History) -> None:
        if not self.is_attached:
            return
        merge_history(self.model, history)
        self._dirty = True
        self.refresh_views()

    def _catch_up(self) -> None:
        """A replay: fold the stored events off the UI thread, a chunk at a time."""
        worker = get_current_worker()
        while not worker.is_cancelled and self.is_attached:
            batch = self.source.events(self.model.seen, limit=CATCH_UP_CHUNK)
            if not batch:
                return
            self.app.call_from_thread(self._apply, batch)
            # Hand the interpreter to the UI between chunks so keys stay responsive
            # while a long run is being folded (pacing only; no run logic here).
            time.sleep(_CATCH_UP_PAUSE)

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
        if not self._replay:
            self.ingest()  # a replay folds in the catch-up worker instead
        # repaint what changed, at most once per tick
        with contextlib.suppress(NoMatches):
            self.refresh_views()

    def ingest(self, limit: int = INGEST_CHUNK) -> int:
        """Fold the next chunk of new events into the model and refresh what shows them."""
        batch = self.source.events(self.model.seen, limit=limit)
        self._apply(batch)
        return len(batch)

    def _apply(self, batch: list[tuple[int, Event]]) -> None:
        if batch and batch[0][0] <= self.model.seen:
            batch = [(seq, event) for seq, event in batch if seq > self.model.seen]
        # a worker's last chunk may arrive while the screen is being taken down
        with contextlib.suppress(NoMatches):
            self._show(batch)

    def _show(self, batch: list[tuple[int, Event]]) -> None:
        if batch:
            self.model.ingest(batch)
            before = len(self.timeline_model)
            self.timeline_model.grow(self.model.seen, batch)
            timeline = self._maybe("#timeline", TimelineView)
            if timeline is not None and len(self.timeline_model) != before:
                timeline.reload()
            if any(event.kind in _ESCALATION_KINDS for _, event in batch):
                self._escalations_dirty = self._escalation_list_stale = True
            if any(event.kind in _STORY_KINDS for _, event in batch):
                self._stories_stale = True
            self._alert_immediate(batch)
            self._dirty = True

    def _alert_immediate(self, batch: list[tuple[int, Event]]) -> None:
        # A new immediate escalation is announced wherever the PM is looking; what the run
        # held when the screen opened (and a replay) is not news.
        if self._replay:
            return
        for seq, event in batch:
            if (
                seq > self._news_after
                and isinstance(event, EscalationRaised)
                and str(event.escalation.severity) == "immediate"
            ):
                esc = event.escalation
                self.notify(
                    f"{esc.trigger} from {esc.source}: {printable(esc.summary, limit=120)}"
                    " (e: go to it)",
                    title="IMMEDIATE escalation",
                    severity="error",
                    timeout=15,
                    markup=False,
                )

    def _read_activity_if_due(self) -> None:
        """Re-read the activity strip in a worker when the timeline shows and the run has
        grown by 2% (or 20 events) since the last read."""
        count = self.timeline_model.count
        if count < self._activity_upto * 1.02 + 20 and self._activity_upto:
            return
        if self._active_view() != "timeline" or self._maybe("#activity", ActivityStrip) is None:
            return
        self._activity_upto = count
        read = functools.partial(read_activity, self.source, list(self.model.agents), count)
        # the answer comes back as the worker's result (Worker.StateChanged), without a
        # blocking call into the UI thread from the worker
        self.run_worker(read, thread=True, group="activity", name="activity")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        done = worker.name == "activity" and event.state == WorkerState.SUCCESS
        if done and isinstance(worker.result, Activity):
            self._show_activity(worker.result)

    def _show_activity(self, activity: Activity) -> None:
        strip = self._maybe("#activity", ActivityStrip)
        if strip is not None and activity.upto >= strip.activity.upto:
            strip.show(activity)

    def refresh_views(self) -> None:
        """Repaint what the folded events changed (a replay's catch-up: once per tick)."""
        with contextlib.suppress(NoMatches):
            self._read_activity_if_due()
        if self._escalations_dirty:
            self._escalations_dirty = False
            self.open_escalations = self._read_open_escalations()
        stale = self._escalation_list_stale or self._stories_stale
        if stale and self._active_view() == "escalations":
            self._dirty = True
        if self._dirty:
            self._dirty = not self.refresh_active()
        self.refresh_status()

    def _read_open_escalations(self) -> list[Escalation]:
        if self._reads is not None:
            return self._reads.open_escalations()
        return [e for e in self.source.escalations() if e.status != "decided"]

    def refresh_escalations(self) -> None:
        self._escalations_dirty = self._escalation_list_stale = True
        self.refresh_views()

    def refresh_active(self) -> bool:
        """Repaint the visible view from the model; False when it is not mounted yet."""
        view = self._maybe(f"#{self._active_view()}", Widget)
        if view is None:
            return False
        if isinstance(view, EscalationsView):
            if self._escalation_list_stale:
                self._escalation_list_stale = False
                self.escalations = self.source.escalations()
            view.refresh_from(self.escalations, self.source.now())
            if self._stories_stale:
                self._stories_stale = False
                view.stories_changed()
        elif isinstance(view, (AgentsView, AuthorityView, ScorecardView, TeamView)):
            view.refresh_from(self.model)
        elif isinstance(view, MemoryView):
            view.show_picks(self.source, self.model)
        return True

    def _event_count(self) -> int:
        # A replay does not grow: counted once (a COUNT over a 100,000-event run costs
        # the UI thread milliseconds on every tick otherwise).
        if self._replay_count is not None:
            return self._replay_count
        count = self.source.event_count()
        if self._replay:
            self._replay_count = count
        return count

    def refresh_status(self) -> None:
        status = self.source.status()
        caught_up = self.model.seen >= self._event_count()
        if caught_up and (status.finished or not status.live) and not self.model.finished:
            self.model.settle()  # a finished run's agents are not "active"
            self._dirty = True
        if not status.live:
            state = "replay" if caught_up else "replay, loading"
        elif status.finished and caught_up:
            state = "finished"
        else:
            state = "paused" if self.paused else f"running x{SPEEDS[self.speed_index]}"
            if status.waiting and not self.paused:
                state = "waiting for the PM"
        clock = f"{self.model.now:%m-%d %H:%M:%S}" if self.model.now else "--"
        open_escalations = self.open_escalations
        immediate = sum(1 for e in open_escalations if str(e.severity) == "immediate")
        parts = [state, clock, f"{self.model.seen} events"]
        if open_escalations:
            parts.append(f"escalations {len(open_escalations)} open, {immediate} immediate")
        parts += status.notes  # e.g. a finished scenario's expectations, or its error
        widget = self.query_one("#status", Static)
        widget.set_class(immediate > 0, "paused-on-escalation")
        widget.update(plain(" | ".join(parts)))  # notes hold run text: never markup

    # -- controls -------------------------------------------------------------------

    def action_show_tab(self, name: str) -> None:
        # Nothing keeps the focus while the new view mounts: a widget of the view being
        # left, focused meanwhile, made TabbedContent switch back to it (seen under load:
        # key 3 right after 7 stayed on the Team view).
        tabs = self.query_one(TabbedContent)
        if tabs.active != f"tab-{name}":
            self.set_focus(None)
            tabs.active = f"tab-{name}"

    async def on_tabbed_content_tab_activated(self, _: TabbedContent.TabActivated | None) -> None:
        await self._ensure_view(self._active_view())
        self.refresh_active()
        self._ensure_history(self._active_view())
        active = self.query_one(TabbedContent).active
        targets = {
            "tab-agents": "#agents",
            "tab-timeline": "#timeline",
            "tab-escalations": "#escalation-table",
            "tab-memory": "#memory-table",
            "tab-authority": "#authority-table",
            # Every view takes the focus: one left on a hidden view's widget makes
            # TabbedContent switch back to that view (key 6 from Authority did nothing).
            "tab-scorecard": "#scorecard",
            "tab-team": "#team-table",
        }
        target, self._focus_next = self._focus_next or targets.get(active), None
        if target is not None:
            self.query_one(target).focus()
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

    async def action_next_escalation(self) -> None:
        self.action_show_tab("escalations")
        await self._ensure_view("escalations")
        self.refresh_escalations()
        view = self.query_one(EscalationsView)
        target = view.next_open()
        if target is None:
            self.notify("No open escalation.")
            return
        view.select(target.id)
        view.table.focus()

    def action_toggle_order(self) -> None:
        self.timeline_model.newest_first = not self.timeline_model.newest_first
        timeline = self._maybe("#timeline", TimelineView)
        if timeline is not None:
            timeline.reload(keep_end=True)

    async def action_focus_filters(self) -> None:
        self.action_show_tab("timeline")
        await self._ensure_view("timeline")
        self.query_one("#filter-agent", Select).focus()

    def action_clear_filters(self) -> None:
        for selector in ("#filter-agent", "#filter-kind", "#filter-severity"):
            select = self._maybe(selector, Select)
            if select is not None:
                select.clear()

    async def action_focus_view(self) -> None:
        await self.on_tabbed_content_tab_activated(None)

    async def action_search_memory(self) -> None:
        # The tab switch focuses the view's table when it lands; ask it for the box.
        self._focus_next = "#memory-query"
        self.action_show_tab("memory")
        await self._ensure_view("memory")
        self.query_one("#memory-query", Input).focus()

    def action_toggle_theme(self) -> None:
        self.app.theme = "textual-light" if self.app.theme == "textual-dark" else "textual-dark"

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_screenshot_svg(self) -> None:
        """Save the screen as SVG in the run directory (or the working directory)."""
        where = self.source.status().location or "."
        try:
            saved = self.app.save_screenshot(path=where)
        except OSError as error:
            self.notify(f"screenshot not saved: {error}", severity="error", markup=False)
            return
        self.notify(f"screenshot saved: {saved}", markup=False)

    def palette_commands(self) -> Iterable[SystemCommand]:
        """The views and the run's actions, for the command palette (ctrl+p)."""
        for index, name in enumerate(TABS, start=1):
            yield SystemCommand(
                f"View: {name}",
                f"show the {name} view (key {index})",
                functools.partial(self.action_show_tab, name),
            )
        yield SystemCommand("Next escalation", "jump to the next open one (e)", self.run_next)
        yield SystemCommand(
            "Pause / run", "pause or resume a live run (space)", self.action_toggle_pause
        )
        yield SystemCommand("Step", "one step of a live run (s)", self.action_step)
        yield SystemCommand(
            "Screenshot", "save the screen as SVG (ctrl+s)", self.action_screenshot_svg
        )
        yield SystemCommand("Help", "every key (?)", self.action_help)

    def run_next(self) -> None:
        self.run_worker(self.action_next_escalation())

    # -- view messages --------------------------------------------------------------

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id and event.select.id.startswith("filter-"):
            self.apply_filter()
        elif event.select.id in ("memory-agent", "memory-kind"):
            self.query_one(MemoryView).search(self.source, self.model)

    def apply_filter(self) -> None:
        """Filter the timeline: the query runs in a worker (a 100,000-event run must not
        freeze the UI); the newest request wins, an older answer is dropped."""

        def value(selector: str) -> str | None:
            chosen = self.query_one(selector, Select).value
            return chosen if isinstance(chosen, str) else None

        kind = value("#filter-kind")
        wanted = TimelineFilter(
            agent=value("#filter-agent"),
            kinds=frozenset({kind}) if kind else None,
            severity=value("#filter-severity"),
        )
        self._filter_wanted = wanted
        # up to the events the timeline holds now; what arrives meanwhile `apply` tests
        query = functools.partial(self.timeline_model.query, wanted, self.timeline_model.count)
        self.run_worker(
            functools.partial(self._run_filter, query), thread=True, group="filter", exclusive=True
        )

    def _run_filter(self, query: Callable[[], Matches]) -> None:
        matches = query()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_filter, matches)

    def _show_filter(self, matches: Matches) -> None:
        if not self.is_attached or matches.filter != self._filter_wanted:
            return  # a newer filter was asked for meanwhile
        self.timeline_model.apply(matches)
        self.query_one(TimelineView).reload(keep_end=True)
        self.filters_applied += 1

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
        escalation = message.escalation
        verdict: DecisionVerdict = message.verdict

        def decided(note: str | None) -> None:
            if note is None:
                return
            try:
                self.source.decide(escalation.id, verdict, note)
            except CharterError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            if verdict == "needs_info":
                # a question, not a decision: the escalation stays open with the answer
                self.notify(
                    f"asked {escalation.source} about {escalation.id}; its answer is on the"
                    " escalation",
                    markup=False,
                )
            else:
                self.notify(f"{verdict}: {escalation.id}", markup=False)
            self._stories_stale = True
            self.refresh_escalations()
            self.ingest()

        self.app.push_screen(NoteScreen(escalation, verdict), decided)

    def on_escalations_view_acknowledge_requested(
        self, message: EscalationsView.AcknowledgeRequested
    ) -> None:
        escalation_id = message.escalation.id
        try:
            self.source.acknowledge(escalation_id)
        except CharterError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.notify(f"acknowledged: {escalation_id}", markup=False)
        self.refresh_escalations()
        self.ingest()

    def on_authority_view_explain_requested(self, message: AuthorityView.ExplainRequested) -> None:
        decision = message.decision
        try:
            text = self.source.explain(decision.role, decision.requested_path)
        except CharterError as error:
            text = f"{error}\n\nRecorded reasoning:\n" + "\n".join(decision.steps)
        self.query_one(AuthorityView).show_explanation(text)


__all__ = ["SPEEDS", "TABS", "RunScreen", "event_kinds"]

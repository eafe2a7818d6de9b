"""What the views show, folded from the event stream one batch at a time.

The app reads new events after its cursor and hands them to `RunModel.ingest`; every view
(Agents, Team, Scorecard, Authority, context picks) reads the model, so a live run and a
replayed run look the same and no view ever reaches into the graph.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from charter.protocols import AuthorityDecision, Event, SuccessMetric, Team
from charter.protocols import events as ev
from charter.protocols.describe import summarise

AGENT_STATES = ("idle", "active", "waiting for review", "paused on escalation")
RECENT_MESSAGES = 200  # "recent" message counts in the Team view
RECENT_DECISIONS = 500
SERIES = 500  # points kept per metric series (the sparkline shows the latest)


@dataclass
class AgentState:
    role: str
    state: str = "idle"
    activated_by: str = ""  # "task", "signal:<kind>", "schedule:<name>", "message:<p>"
    work: str = ""
    paused_on: str | None = None  # the escalation id holding this agent
    last_report: str = ""
    turns: int = 0


@dataclass
class MetricState:
    metric: SuccessMetric
    series: deque[float] = field(default_factory=lambda: deque(maxlen=SERIES))

    @property
    def value(self) -> float | None:
        return self.series[-1] if self.series else None

    @property
    def met(self) -> bool | None:
        return None if self.value is None else self.metric.met_by(self.value)


def numeric_items(values: Mapping[str, object]) -> list[tuple[str, float]]:
    """The figures among reported values (booleans are not figures)."""
    return [
        (key, float(value))
        for key, value in values.items()
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    ]


def event_severity(event: Event) -> str | None:
    """The severity an event carries, if it is about an escalation."""
    if isinstance(event, ev.EscalationRaised):
        return str(event.escalation.severity)
    return None


class RunModel:
    """The run's derived state; `ingest` is cheap per event so a long run folds quickly."""

    def __init__(self, team: Team | None) -> None:
        self.team = team
        self.seen = 0  # highest sequence number folded
        # Events up to `base` are in the store but not in the history parts (message
        # counts, decisions, series, picks, turns): a long run seeded, not replayed.
        self.base = 0
        self.now: datetime | None = None
        self.finished = False
        self.agents: dict[str, AgentState] = {}
        self.task_titles: dict[str, str] = {}
        self.message_counts: Counter[tuple[str, str, str]] = Counter()
        self.recent_messages: deque[tuple[str, str, str]] = deque(maxlen=RECENT_MESSAGES)
        self.decisions: deque[tuple[int, AuthorityDecision]] = deque(maxlen=RECENT_DECISIONS)
        self.context_picks: dict[str, list[str]] = {}
        self.escalation_severity: dict[str, str] = {}
        self.metrics: dict[str, MetricState] = {}
        # every numeric figure reported so far, by key: the team (and so which keys are
        # metrics) may arrive after the first events have been folded
        self.series: dict[str, deque[float]] = {}
        if team is not None:
            self.set_team(team)

    def set_team(self, team: Team) -> None:
        self.team = team
        for role in team.roles:
            self.agent(role)
        data = team.roles.get("data")
        for metric in data.success_metrics if data is not None else []:
            series = self.series.setdefault(metric.key, deque(maxlen=SERIES))
            self.metrics[metric.key] = MetricState(metric, series)

    def agent(self, role: str) -> AgentState:
        if role not in self.agents:
            self.agents[role] = AgentState(role)
        return self.agents[role]

    def ingest(self, batch: Iterable[tuple[int, Event]]) -> int:
        """Fold events in order; how many were new."""
        folded = 0
        for seq, event in batch:
            if seq <= self.seen:
                continue
            self.seen = seq
            self.now = event.at
            self._fold(event)
            folded += 1
        return folded

    def settle(self) -> None:
        """The run has ended (or is a replay that will not move): nobody is at work any
        more. An agent held by an undecided escalation still shows it."""
        self.finished = True
        for state in self.agents.values():
            if state.state in ("active", "waiting for review"):
                state.state = "idle"

    def _fold(self, event: Event) -> None:
        if event.agent is not None and isinstance(event, ev.TurnCompleted):
            self.agent(event.agent).turns += 1
        match event:
            case ev.RunStarted():
                for role in event.team:
                    self.agent(role)
            case ev.RunFinished():
                self.settle()
            case ev.TaskSubmitted():
                self.task_titles[event.task.id] = event.task.title
            case ev.TaskRouted():
                agent = self.agent(event.to)
                agent.work = self.task_titles.get(event.task_id or "", event.reason)
            case ev.AgentActivated() if event.agent is not None:
                agent = self.agent(event.agent)
                agent.activated_by = event.cause
                if agent.state != "paused on escalation":
                    agent.state = "active"
                if event.task_id in self.task_titles:
                    agent.work = self.task_titles[event.task_id]
                elif not agent.work or agent.state == "active":
                    agent.work = event.cause
            case ev.ContextPrepared() if event.agent is not None:
                self.context_picks[event.agent] = list(event.memory_ids)
            case ev.AuthorityChecked():
                self.decisions.append((len(self.decisions), event.decision))
            case ev.MessageSent():
                self._message(event)
            case ev.EscalationRaised():
                esc = event.escalation
                self.escalation_severity[esc.id] = str(esc.severity)
                if str(esc.severity) == "immediate":
                    agent = self.agent(esc.source)
                    agent.state = "paused on escalation"
                    agent.paused_on = esc.id
            case ev.EscalationDecided():
                for agent in self.agents.values():
                    if agent.paused_on == event.escalation_id:
                        agent.paused_on = None
                        agent.state = "active"
            case ev.ReportFiled() if event.agent is not None:
                agent = self.agent(event.agent)
                agent.last_report = event.report.status
                if agent.state != "paused on escalation":
                    agent.state = "idle"
                self._metrics(event.report.metrics)
            case ev.ToolUsed():
                self._metrics(event.result)
            case _:
                pass

    def _message(self, event: ev.MessageSent) -> None:
        m = event.message
        key = (m.sender, m.recipient, m.protocol)
        self.message_counts[key] += 1
        self.recent_messages.append(key)
        if m.kind == "request":
            sender = self.agent(m.sender)
            if m.protocol.endswith("_review") and sender.state == "active":
                sender.state = "waiting for review"
            self.agent(m.recipient).work = f"{m.protocol} for {m.sender}"
        elif m.kind == "reply":
            recipient = self.agent(m.recipient)
            if recipient.state == "waiting for review":
                recipient.state = "active"

    def _metrics(self, values: Mapping[str, object]) -> None:
        for key, value in numeric_items(values):
            self.series.setdefault(key, deque(maxlen=SERIES)).append(value)

    def start_history(self, upto: int) -> None:
        """The model now stands at `upto`; empty the history parts, to be read later."""
        self.seen = max(self.seen, upto)
        self.base = upto
        self.message_counts.clear()
        self.recent_messages.clear()
        self.decisions.clear()
        self.context_picks.clear()
        for series in self.series.values():
            series.clear()  # cleared in place: the scorecard's metrics share these deques
        for state in self.agents.values():
            state.turns = 0

    def recent_counts(self) -> Counter[tuple[str, str, str]]:
        return Counter(self.recent_messages)

    def latest_decisions(self) -> list[AuthorityDecision]:
        """Newest first."""
        return [decision for _, decision in reversed(self.decisions)]


__all__ = [
    "AGENT_STATES",
    "AgentState",
    "MetricState",
    "RunModel",
    "event_severity",
    "summarise",
]

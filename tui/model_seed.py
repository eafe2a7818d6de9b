"""Opening a long stored run without replaying it: the run model seeded from indexed reads.

Folding 100,000 events to show a run's current state costs seconds; the run database can
answer the same questions from its indexes. At mount, each agent's latest events (plus
the run's tail) are folded through the ordinary `RunModel` fold, so the Agents view shows
the run as it stands at once. What needs the whole run — turn counts, message totals,
authority decisions, metric series, context picks — is read later, only when a view that
shows it is first shown, as of the sequence number the model was seeded at (`base`), and
merged in front of whatever the model folded since.

Only sources backed by a run store offer these reads (`IndexedReads`); any other source is
folded from its first event, as before.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, runtime_checkable

from charter.protocols import AuthorityDecision, Escalation, Event
from charter.protocols import events as ev

from .model import RECENT_DECISIONS, RECENT_MESSAGES, SERIES, RunModel, numeric_items

T = TypeVar("T")

AGENT_WINDOW = 100  # each agent's latest events folded at mount
RUN_TAIL = 300  # the run's latest events, whoever they name (routing, replies, decisions)
TASK_TITLES = 200  # latest submitted tasks, for the agents' "current work"
SERIES_PAGE = 1000  # tool results and reports read per step while filling metric series

# History parts, and the views that show them.
PARTS_BY_VIEW: dict[str, tuple[str, ...]] = {
    "agents": ("turns",),
    "team": ("messages",),
    "authority": ("decisions",),
    "scorecard": ("series",),
    "memory": ("picks",),
}


@runtime_checkable
class IndexedReads(Protocol):
    """Reads a run store answers from its indexes (see `charter.memory.RunStore`)."""

    def event_count(self) -> int: ...

    def events(
        self,
        since: int = 0,
        *,
        kinds: Collection[str] | None = None,
        agent: str | None = None,
        limit: int | None = None,
    ) -> list[tuple[int, Event]]: ...

    def latest_events(
        self,
        *,
        before: int | None = None,
        kinds: Collection[str] | None = None,
        agent: str | None = None,
        limit: int,
    ) -> list[tuple[int, Event]]: ...

    def event_agents(self) -> list[str]: ...

    def event_counts_by_agent(self, kind: str, *, upto: int | None = None) -> dict[str, int]: ...

    def message_counts(self, *, upto: int | None = None) -> dict[tuple[str, str, str], int]: ...

    def open_escalations(self) -> list[Escalation]: ...


@dataclass
class History:
    """One part of the run's history up to `base`, oldest first, ready to merge."""

    part: str
    turns: dict[str, int] = field(default_factory=dict)
    message_counts: dict[tuple[str, str, str], int] = field(default_factory=dict)
    recent_messages: list[tuple[str, str, str]] = field(default_factory=list)
    decisions: list[AuthorityDecision] = field(default_factory=list)
    context_picks: dict[str, list[str]] = field(default_factory=dict)
    series: dict[str, list[float]] = field(default_factory=dict)


def seed_agents(model: RunModel, reads: IndexedReads) -> int:
    """Fold the events that decide each agent's row; the model then stands at the run's
    end with its history parts empty (`base`). Returns the sequence number seeded at."""
    upto = reads.event_count()
    before = upto + 1
    window: dict[int, Event] = dict(reads.events(0, kinds=["run_started"], limit=1))
    for agent in reads.event_agents():
        window.update(reads.latest_events(before=before, agent=agent, limit=AGENT_WINDOW))
    window.update(reads.latest_events(before=before, limit=RUN_TAIL))
    window.update(reads.latest_events(before=before, kinds=["task_submitted"], limit=TASK_TITLES))
    window.update(reads.latest_events(before=before, kinds=["run_finished"], limit=1))
    model.ingest(sorted(window.items()))
    for role, state in model.agents.items():
        if not state.last_report:  # an agent that reports rarely: its latest report
            found = reads.latest_events(before=before, kinds=["report_filed"], agent=role, limit=1)
            if found and isinstance(found[0][1], ev.ReportFiled):
                state.last_report = found[0][1].report.status
    _pause_on_open(model, reads.open_escalations())
    model.start_history(upto)
    return upto


def _pause_on_open(model: RunModel, open_escalations: Iterable[Escalation]) -> None:
    # An immediate escalation raised long ago holds its agent until decided, however
    # many events came since; the escalations table knows which are still open.
    for esc in sorted(open_escalations, key=lambda e: (e.raised_at, e.id)):
        if str(esc.severity) == "immediate":
            agent = model.agent(esc.source)
            agent.state = "paused on escalation"
            agent.paused_on = esc.id


def read_history(
    part: str,
    reads: IndexedReads,
    base: int,
    *,
    agents: Sequence[str] = (),
    metric_keys: Collection[str] = (),
) -> History:
    """Read one history part as of sequence number `base` (run it off the UI thread)."""
    history = History(part)
    before = base + 1
    if part == "turns":
        history.turns = reads.event_counts_by_agent("turn_completed", upto=base)
    elif part == "messages":
        history.message_counts = reads.message_counts(upto=base)
        latest = reads.latest_events(before=before, kinds=["message_sent"], limit=RECENT_MESSAGES)
        history.recent_messages = [
            (e.message.sender, e.message.recipient, e.message.protocol)
            for _, e in reversed(latest)
            if isinstance(e, ev.MessageSent)
        ]
    elif part == "decisions":
        latest = reads.latest_events(
            before=before, kinds=["authority_checked"], limit=RECENT_DECISIONS
        )
        history.decisions = [
            e.decision for _, e in reversed(latest) if isinstance(e, ev.AuthorityChecked)
        ]
    elif part == "picks":
        for agent in agents:
            found = reads.latest_events(
                before=before, kinds=["context_prepared"], agent=agent, limit=1
            )
            if found and isinstance(found[0][1], ev.ContextPrepared):
                history.context_picks[agent] = list(found[0][1].memory_ids)
    elif part == "series":
        history.series = _read_series(reads, before, metric_keys)
    else:
        raise ValueError(f"unknown history part {part!r}")
    return history


def merge_history(model: RunModel, history: History) -> None:
    """Put a part read as of `model.base` in front of what the model folded since."""
    for agent, turns in history.turns.items():
        model.agent(agent).turns += turns
    for pair, count in history.message_counts.items():
        model.message_counts[pair] += count
    if history.part == "messages":
        _prepend(model.recent_messages, history.recent_messages)
    if history.part == "decisions":
        since = [decision for _, decision in model.decisions]
        model.decisions.clear()
        model.decisions.extend(enumerate([*history.decisions, *since]))
    for agent, picks in history.context_picks.items():
        model.context_picks.setdefault(agent, picks)  # a pick folded since is newer
    for key, values in history.series.items():
        _prepend(model.series.setdefault(key, deque(maxlen=SERIES)), values)


def _prepend(target: deque[T], older: Sequence[T]) -> None:
    newer = list(target)
    target.clear()  # in place: other holders (the scorecard's metrics) share the deque
    target.extend([*older, *newer])


def _read_series(reads: IndexedReads, before: int, keys: Collection[str]) -> dict[str, list[float]]:
    """The latest `SERIES` values of each key, walking tool results and reports backwards
    until every key is full or the run's start is reached."""
    newest_first: dict[str, list[float]] = {key: [] for key in keys}
    while newest_first and any(len(values) < SERIES for values in newest_first.values()):
        page = reads.latest_events(
            before=before, kinds=["tool_used", "report_filed"], limit=SERIES_PAGE
        )
        if not page:
            break
        for _, event in page:
            values = event.result if isinstance(event, ev.ToolUsed) else {}
            if isinstance(event, ev.ReportFiled):
                values = event.report.metrics
            # within one event the fold appends in dict order: walk it backwards too
            for key, value in reversed(numeric_items(values)):
                if key in newest_first:
                    newest_first[key].append(value)
        before = page[-1][0]
    return {key: values[:SERIES][::-1] for key, values in newest_first.items() if values}


__all__ = [
    "AGENT_WINDOW",
    "PARTS_BY_VIEW",
    "RUN_TAIL",
    "History",
    "IndexedReads",
    "merge_history",
    "read_history",
    "seed_agents",
]

"""What happened around one escalation after it was raised: the PM's questions with the
agent's answers ("needs info"), and, once decided, what the paused work did next.

Read with indexed, kind- and agent-filtered queries (never a scan of the whole run), in a
worker: the Escalations view asks for the selected escalation's story off the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from charter.protocols import Escalation
from charter.protocols.describe import headline
from charter.protocols.events import EscalationDecided, EscalationInfoAnswered

from .source import EventSource

# What counts as "what followed" a decision: the work's visible outcomes, not its
# bookkeeping (context preparation, turn counters).
FOLLOW_KINDS = frozenset(
    {
        "file_written",
        "write_failed",
        "message_sent",
        "dead_letter",
        "protocol_error",
        "report_filed",
        "escalation_raised",
        "tool_used",
        "memory_recorded",
    }
)
FOLLOW_LIMIT = 6  # lines of what followed; the timeline has the rest
_FOLLOW_WINDOW = 400  # the source agent's events read after the decision, at most


@dataclass(frozen=True)
class Exchange:
    round: int
    question: str
    answer: str
    at: datetime


@dataclass(frozen=True)
class Story:
    exchanges: list[Exchange] = field(default_factory=list)
    followed: list[str] = field(default_factory=list)  # headlines, oldest first
    more: bool = False  # more followed than shown


def read_story(source: EventSource, esc: Escalation) -> Story:
    exchanges = [
        Exchange(event.round, event.question, event.answer, event.at)
        for _, event in source.events(kinds={"escalation_info_answered"})
        if isinstance(event, EscalationInfoAnswered) and event.escalation_id == esc.id
    ]
    if esc.decision is None:
        return Story(exchanges)
    decided_at = next(
        (
            seq
            for seq, event in source.events(kinds={"escalation_decided"}, agent=esc.source)
            if isinstance(event, EscalationDecided) and event.escalation_id == esc.id
        ),
        None,
    )
    if decided_at is None:
        return Story(exchanges)
    followed: list[str] = []
    more = False
    for _, event in source.events(decided_at, agent=esc.source, limit=_FOLLOW_WINDOW):
        same_work = event.correlation_id == esc.correlation_id and event.task_id == esc.task_id
        if not same_work or event.kind not in FOLLOW_KINDS:
            continue
        if len(followed) == FOLLOW_LIMIT:
            more = True
            break
        followed.append(f"{event.at:%H:%M:%S} {headline(event)}")
    return Story(exchanges, followed, more)


__all__ = ["FOLLOW_KINDS", "Exchange", "Story", "read_story"]

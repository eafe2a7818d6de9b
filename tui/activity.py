"""Events over the run per agent, for the strip of sparklines above the timeline, with
markers where escalations were raised and writes denied.

The run is cut into equal slices of its events (sequence numbers), which on the run clock
are consecutive stretches of time; the strip's labels give the clock at both ends. Read
in a worker: from the store's indexes (sequence numbers only, `SeqReads`) on a run
store, by parsing the events on any other source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from charter.protocols.events import AuthorityChecked

from .source import EventSource
from .timeline_model import SeqReads

FINE_BUCKETS = 240  # the slices read; the strip merges them to its width
DENIED = '"allowed":false'  # a refused write, in an authority_checked event's stored JSON


@dataclass(frozen=True)
class Activity:
    upto: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    per_agent: dict[str, list[int]] = field(default_factory=dict)  # FINE_BUCKETS counts
    escalations: list[int] = field(default_factory=list)
    denials: list[int] = field(default_factory=list)

    def busiest(self, limit: int) -> list[str]:
        """The agents with the most events, busiest first."""
        ranked = sorted(self.per_agent.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
        return [agent for agent, counts in ranked[:limit] if sum(counts)]


def _bucketed(seqs: Sequence[int], upto: int) -> list[int]:
    counts = [0] * FINE_BUCKETS
    for seq in seqs:
        counts[min((seq - 1) * FINE_BUCKETS // upto, FINE_BUCKETS - 1)] += 1
    return counts


def read_activity(source: EventSource, agents: Sequence[str], upto: int) -> Activity:
    if upto <= 0:
        return Activity()
    ends = source.events(0, limit=1) + source.events(upto - 1, limit=1)
    first_at, last_at = (ends[0][1].at, ends[-1][1].at) if ends else (None, None)
    if isinstance(source, SeqReads):
        per_agent = {a: _bucketed(source.event_seqs(agent=a, upto=upto), upto) for a in agents}
        raised = source.event_seqs(kinds={"escalation_raised"}, upto=upto)
        denied = source.event_seqs(kinds={"authority_checked"}, upto=upto, payload_contains=DENIED)
    else:
        seqs: dict[str, list[int]] = {a: [] for a in agents}
        raised, denied = [], []
        for seq, event in source.events(0, limit=upto):
            if event.agent in seqs:
                seqs[event.agent].append(seq)
            if event.kind == "escalation_raised":
                raised.append(seq)
            elif isinstance(event, AuthorityChecked) and not event.decision.allowed:
                denied.append(seq)
        per_agent = {a: _bucketed(s, upto) for a, s in seqs.items()}
    return Activity(
        upto, first_at, last_at, per_agent, _bucketed(raised, upto), _bucketed(denied, upto)
    )


def merge(counts: Sequence[int], width: int) -> list[int]:
    """`counts` summed into `width` columns (the same partition for every row, so the
    markers line up with the sparklines)."""
    if width <= 0 or not counts:
        return []
    step = Fraction(len(counts), width)
    return [sum(counts[int(step * i) : int(step * (i + 1))]) for i in range(width)]


__all__ = ["DENIED", "FINE_BUCKETS", "Activity", "merge", "read_activity"]

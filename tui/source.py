"""The event source: the one interface every view of the TUI reads from.

Views never reach into graph internals. They see typed events after a cursor, the
escalation list, the PM's decide(), memory look-ups, the authority explanation and the team.
Two implementations ship: `OrchestratorSource` (a live run) and `RunDirSource` (a run
directory opened through the run store). Tests use an in-memory fake.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from charter.protocols import DecisionVerdict, Escalation, Event, MemoryKind, Team


@dataclass(frozen=True)
class MemoryItem:
    """One stored memory as the Memory view lists it."""

    id: str
    agent: str
    kind: str
    content: str
    tags: tuple[str, ...] = ()
    importance: float = 0.0
    score: float | None = None  # relevance to the search, when there is one


@dataclass
class SourceStatus:
    """What the header shows about the run as a whole."""

    title: str
    live: bool  # the run can still advance (step / run)
    read_only: bool  # no decisions can be made
    finished: bool = False
    waiting: bool = False  # a live run paused until the PM decides an escalation
    notes: list[str] = field(default_factory=list)
    location: str | None = None  # the run directory, shown under the title


@runtime_checkable
class EventSource(Protocol):
    """Everything the TUI reads. Sequence numbers start at 1 and have no gaps."""

    def status(self) -> SourceStatus: ...

    def event_count(self) -> int: ...

    def events(
        self,
        since: int = 0,
        *,
        kinds: Collection[str] | None = None,
        agent: str | None = None,
        limit: int | None = None,
    ) -> list[tuple[int, Event]]: ...

    def escalations(self) -> list[Escalation]: ...

    def decide(self, escalation_id: str, verdict: DecisionVerdict, note: str) -> None:
        """Record the PM's decision; a live source resumes the paused work at once."""
        ...

    def acknowledge(self, escalation_id: str) -> None:
        """The PM has seen it: stops its acknowledgement deadline from re-escalating."""
        ...

    def explain(self, role: str, path: str) -> str:
        """The text `charter authority explain ROLE PATH` prints."""
        ...

    def memories(
        self, *, agent: str | None, kind: MemoryKind | None, query: str, limit: int = 50
    ) -> list[MemoryItem]: ...

    def memories_by_id(self, ids: Sequence[str]) -> list[MemoryItem]: ...

    def team(self) -> Team | None: ...

    def now(self) -> datetime | None:
        """The run clock (virtual in scenarios)."""
        ...

    def step(self) -> int:
        """Advance a live run by one step; how many events it produced (0 when idle)."""
        ...

    def digest(self) -> str: ...

    def close(self) -> None: ...


__all__ = ["EventSource", "MemoryItem", "SourceStatus"]

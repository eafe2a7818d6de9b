"""Reads shared by both shipped sources: everything that comes from the run store,
including the indexed reads that open a long run without replaying it (`IndexedReads`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from charter.protocols import ConfigError, Escalation, Event, MemoryKind, Team

from .source import MemoryItem

if TYPE_CHECKING:
    from charter.graph.authority import AuthorityEngine
    from charter.memory import MemoryRecord, RunStore


def memory_item(record: MemoryRecord, score: float | None = None) -> MemoryItem:
    return MemoryItem(
        id=record.id,
        agent=record.agent,
        kind=str(record.kind),
        content=record.content,
        tags=tuple(record.tags),
        importance=record.importance,
        score=score,
    )


_OPEN_STATUSES = ("open", "acknowledged", "reescalated")


class StoreReads:
    """Mixin: `store`, `_team` and `_workspace` are set by the subclass."""

    store: RunStore
    _team: Team | None
    _workspace: Path
    _engine: AuthorityEngine | None = None

    def event_count(self) -> int:
        return self.store.event_count()

    def events(
        self,
        since: int = 0,
        *,
        kinds: Collection[str] | None = None,
        agent: str | None = None,
        limit: int | None = None,
    ) -> list[tuple[int, Event]]:
        return self.store.events(since, kinds=kinds, agent=agent, limit=limit)

    def event_seqs(
        self,
        *,
        kinds: Collection[str] | None = None,
        agent: str | None = None,
        since: int = 0,
        upto: int | None = None,
        payload_contains: str | None = None,
    ) -> list[int]:
        return self.store.event_seqs(
            kinds=kinds, agent=agent, since=since, upto=upto, payload_contains=payload_contains
        )

    def events_by_seq(self, seqs: Collection[int]) -> list[tuple[int, Event]]:
        return self.store.events_by_seq(seqs)

    def latest_events(
        self,
        *,
        before: int | None = None,
        kinds: Collection[str] | None = None,
        agent: str | None = None,
        limit: int,
    ) -> list[tuple[int, Event]]:
        return self.store.latest_events(before=before, kinds=kinds, agent=agent, limit=limit)

    def event_agents(self) -> list[str]:
        return self.store.event_agents()

    def event_counts_by_agent(self, kind: str, *, upto: int | None = None) -> dict[str, int]:
        return self.store.event_counts_by_agent(kind, upto=upto)

    def message_counts(self, *, upto: int | None = None) -> dict[tuple[str, str, str], int]:
        return self.store.message_counts(upto=upto)

    def escalations(self) -> list[Escalation]:
        return self.store.list_escalations()

    def open_escalations(self) -> list[Escalation]:
        """Undecided escalations only, through the status index (a long run has many)."""
        found = (self.store.list_escalations(status) for status in _OPEN_STATUSES)
        return [esc for listed in found for esc in listed]

    def explain(self, role: str, path: str) -> str:
        team = self.team()
        if team is None:
            raise ConfigError("this run's team could not be loaded; no explanation available")
        if self._engine is None:
            from charter.graph.authority import AuthorityEngine

            self._engine = AuthorityEngine(team, self._workspace)
        return self._engine.explain(role, path)

    def memories(
        self, *, agent: str | None, kind: MemoryKind | None, query: str, limit: int = 50
    ) -> list[MemoryItem]:
        kinds = [kind] if kind is not None else None
        if query:
            found = self.store.search_memories(query, agent=agent, kinds=kinds, limit=limit)
            return [memory_item(record, score) for record, score in found]
        records = self.store.list_memories(agent=agent, kinds=kinds, limit=limit)
        return [memory_item(record) for record in records]

    def memories_by_id(self, ids: Sequence[str]) -> list[MemoryItem]:
        records = (self.store.get_memory(memory_id) for memory_id in ids)
        return [memory_item(record) for record in records if record is not None]

    def team(self) -> Team | None:
        return self._team

    def digest(self) -> str:
        return self.store.digest()


__all__ = ["StoreReads", "memory_item"]

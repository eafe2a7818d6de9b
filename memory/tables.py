"""SQLModel tables of the run database.

Every table name starts with `charter_` so the run database can share one SQLite file with
LangGraph's checkpointer (`checkpoints`, `writes`, ...). The tables keep their own
`MetaData`, so nothing here leaks into `SQLModel.metadata` that other code might create.

Every table is keyed by run id (`run_id` leads each primary key): any number of runs share
one SQLite file or one PostgreSQL schema, and each sees only its own rows. Sequence numbers
count per run, so a run's events, ids and digest are the same whoever shares its store.

Payloads are stored as canonical JSON text (sorted keys, compact): the same bytes on every
backend, which is what the run digest and the byte-level privacy tests rely on.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class _Base(SQLModel):
    metadata = MetaData()


def _ts(*, nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


class EventRow(_Base, table=True):
    __tablename__ = "charter_events"
    __table_args__ = (
        Index("ix_charter_events_kind_seq", "run_id", "kind", "seq"),
        # seq last: an agent's events come out of the index in order (the TUI's agent filter)
        Index("ix_charter_events_agent_seq", "run_id", "agent", "seq"),
        UniqueConstraint("run_id", "id", name="uq_charter_events_id"),
    )

    run_id: str = Field(primary_key=True)
    seq: int = Field(primary_key=True)  # assigned by the store: 1, 2, 3, ... without gaps
    id: str
    kind: str
    agent: str | None = None
    at: datetime = Field(sa_column=_ts())
    payload: str = Field(sa_column=Column(Text, nullable=False))
    # The work item's thread that emitted it ("" for run-level inputs): the digest orders
    # events by (time, thread, seq) so it does not depend on how threads interleaved.
    thread: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class WorkRow(_Base, table=True):
    """One work item and its LangGraph thread: what the scheduler picks from."""

    __tablename__ = "charter_work"
    __table_args__ = (Index("ix_charter_work_status_due", "run_id", "status", "due_at", "seq"),)

    run_id: str = Field(primary_key=True)
    seq: int = Field(primary_key=True)  # the run-store event that carries the item
    thread_id: str = Field(unique=True)  # derived from the run id: unique across runs
    # A worker's claim on a queued item (empty: unclaimed) and when it lapses, so that a
    # dead worker's item goes back to the others (graph/workers.py).
    claimed_by: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    lease_until: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # How many times a worker claimed it: 1 unless a worker died on it.
    claims: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    kind: str
    due_at: datetime = Field(sa_column=_ts())
    status: str  # queued, waiting (on the PM), done
    agent: str | None = None  # who took it (known once routed)
    waiting_on: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON ids
    outcome: str = ""
    payload: str = Field(sa_column=Column(Text, nullable=False))  # the WorkItem as JSON


class EscalationRow(_Base, table=True):
    __tablename__ = "charter_escalations"
    __table_args__ = (Index("ix_charter_escalations_status", "run_id", "status"),)

    run_id: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    seq: int  # first-seen order, so listings are stable
    status: str
    source: str
    severity: str
    raised_at: datetime = Field(sa_column=_ts())
    payload: str = Field(sa_column=Column(Text, nullable=False))


class MessageRow(_Base, table=True):
    __tablename__ = "charter_messages"
    __table_args__ = (
        Index("ix_charter_messages_correlation", "run_id", "correlation_id"),
        Index("ix_charter_messages_recipient", "run_id", "recipient", "status"),
    )

    run_id: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    seq: int
    correlation_id: str
    sender: str
    recipient: str
    protocol: str
    status: str
    sent_at: datetime = Field(sa_column=_ts())
    payload: str = Field(sa_column=Column(Text, nullable=False))


class AuthorityRow(_Base, table=True):
    __tablename__ = "charter_authority_decisions"
    __table_args__ = (
        Index("ix_charter_authority_role", "run_id", "role"),
        UniqueConstraint("run_id", "event_id", name="uq_charter_authority_event"),
    )

    run_id: str = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    event_id: str
    role: str
    allowed: bool
    rule: str
    path: str | None = None
    payload: str = Field(sa_column=Column(Text, nullable=False))


class MemoryRow(_Base, table=True):
    __tablename__ = "charter_memories"
    __table_args__ = (
        Index("ix_charter_memories_lookup", "run_id", "agent", "kind", "importance", "created_at"),
        UniqueConstraint("run_id", "id", name="uq_charter_memories_id"),
    )

    # Unique across runs, not per run: it is the full-text index's rowid.
    seq: int | None = Field(default=None, primary_key=True)
    run_id: str
    id: str
    agent: str
    kind: str
    content: str = Field(sa_column=Column(Text, nullable=False))
    tags: str = Field(sa_column=Column(Text, nullable=False))  # space-joined, for the text index
    importance: float
    source_event: str | None = None
    created_at: datetime = Field(sa_column=_ts())
    expires_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True, index=True))


class MemoryTagRow(_Base, table=True):
    __tablename__ = "charter_memory_tags"

    memory_seq: int = Field(primary_key=True)
    tag: str = Field(primary_key=True, index=True)


class AuditRow(_Base, table=True):
    __tablename__ = "charter_audit"

    run_id: str = Field(primary_key=True)  # one hash chain per run
    seq: int = Field(primary_key=True)
    at: datetime = Field(sa_column=_ts())
    actor: str
    action: str
    target: str
    details: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str  # sha256 of actor/action/target/details as first written
    prev_hash: str
    entry_hash: str  # sha256 over prev_hash, seq, at and content_hash: the chain link
    erased_by: int | None = None  # seq of the erasure entry that blanked this entry's content


class MetaRow(_Base, table=True):
    __tablename__ = "charter_meta"

    run_id: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    value: str


class RunRow(_Base, table=True):
    """The runs a store holds: a run id opened again with another scenario is refused."""

    __tablename__ = "charter_runs"

    run_id: str = Field(primary_key=True)
    name: str
    seed: int
    created_at: datetime = Field(sa_column=_ts())


class SchemaVersionRow(_Base, table=True):
    __tablename__ = "charter_schema_version"

    version: int = Field(primary_key=True)
    name: str
    applied_at: datetime = Field(sa_column=_ts())


METADATA = _Base.metadata

__all__ = [
    "METADATA",
    "AuditRow",
    "EscalationRow",
    "EventRow",
    "MemoryRow",
    "MemoryTagRow",
    "MessageRow",
    "MetaRow",
    "RunRow",
    "SchemaVersionRow",
    "WorkRow",
]

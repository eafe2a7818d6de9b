"""`RunStore`: one run's database — events, escalations, messages, authority decisions,
memories and the audit trail — behind one URL (SQLite file or PostgreSQL).

Everything written is redacted first (`charter.memory.redaction`). Writes are idempotent by
id, so a resumed run never duplicates an event, message or escalation. Timestamps come from
the arguments or the run's clock, never from the wall clock.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Connection, Engine, cast, func, select, text, type_coerce
from sqlalchemy.exc import SQLAlchemyError

from charter.protocols import (
    AuthorityDecision,
    Clock,
    ConfigError,
    Escalation,
    Event,
    MemoryKind,
    MemoryPolicy,
    MemorySnippet,
    Message,
    parse_event,
)

from . import audit as _audit
from . import guard_spool as _guard_spool
from . import ingest as _ingest
from . import retention as _retention
from . import retrieval as _retrieval
from . import work_queue as _work
from .backend import READ_ONLY, Dialect, create_store_engine, write_lock_errors
from .migrations import DEFAULT_RUN, migrate
from .records import (
    AuditEntry,
    AuditReport,
    ErasureReport,
    MemoryInput,
    MemoryRecord,
    PruneReport,
    canonical_json,
    utc,
)
from .redaction import merge_counts, redact_value
from .runs import check_run, claim_run, only_run
from .tables import AuthorityRow, EscalationRow, EventRow, MessageRow

_EVENTS = EventRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it
_ESCALATIONS = EscalationRow.__table__  # type: ignore[attr-defined]
_MESSAGES = MessageRow.__table__  # type: ignore[attr-defined]
_AUTHORITY = AuthorityRow.__table__  # type: ignore[attr-defined]

MESSAGE_STATUSES = ("pending", "delivered", "replied", "dead", "expired")
STORE_ACTOR = "charter.memory"


class RunStore:
    """The run database. Open it with `open_run_store(url, clock=...)`."""

    def __init__(
        self, url: str, engine: Engine, dialect: Dialect, clock: Clock, run_id: str = DEFAULT_RUN
    ) -> None:
        self.url = url
        self.run_id = run_id
        self.dialect: Dialect = dialect
        self._engine = engine
        self._reader = engine.execution_options(**{READ_ONLY: True})
        self._clock = clock
        # guard calls moved from the run directory's spool when this store was opened
        self.ingested_guard_calls = 0
        self._anchor_dir: Path | None = None
        self._anchored_count = 0

    # -- plumbing ---------------------------------------------------------------------

    @contextmanager
    def _write(self, *tables: Any) -> Iterator[Connection]:
        with write_lock_errors(self.url), self._engine.begin() as connection:
            if self.dialect == "postgresql" and tables:
                # Sequence numbers are max+1 per run: writers of one run take turns per
                # table, other runs in the schema do not wait (sorted: no lock-order cycle).
                for key in sorted({_lock_key(table.name, self.run_id) for table in tables}):
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key}
                    )
            yield connection

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._reader.connect() as connection:
            yield connection

    def _next_seq(self, connection: Connection, table: Any) -> int:
        top = connection.execute(
            select(func.max(table.c.seq)).where(table.c.run_id == self.run_id)
        ).scalar()
        return int(top or 0) + 1

    def _note_redaction(
        self, connection: Connection, target: str, counts: Mapping[str, int]
    ) -> None:
        if counts:
            _audit.append_entry(
                connection,
                self.run_id,
                actor=STORE_ACTOR,
                action="redact",
                target=target,
                details={"redacted": dict(sorted(counts.items()))},
                at=self._clock.now(),
            )

    # -- events -----------------------------------------------------------------------

    def append_event(self, event: Event, *, thread: str = "") -> int | None:
        """Store `event` (emitted by work-item thread `thread`, "" for run-level inputs);
        its sequence number, or None when its id is already stored."""
        payload, counts = redact_value(event.model_dump(mode="json"))
        with self._write(_EVENTS, _audit.AUDIT) as connection:
            exists = connection.execute(
                select(_EVENTS.c.seq).where(
                    _EVENTS.c.run_id == self.run_id, _EVENTS.c.id == event.id
                )
            )
            if exists.first() is not None:
                return None
            seq = self._next_seq(connection, _EVENTS)
            connection.execute(
                _EVENTS.insert().values(
                    run_id=self.run_id,
                    seq=seq,
                    id=event.id,
                    kind=event.kind,
                    agent=event.agent,
                    at=utc(event.at),
                    payload=canonical_json(payload),
                    thread=thread,
                )
            )
            self._note_redaction(connection, f"event:{event.id}", counts)
            return seq

    def events(
        self,
        since: int = 0,
        *,
        kinds: Collection[str] | None = None,
        agent: str | None = None,
        limit: int | None = None,
    ) -> list[tuple[int, Event]]:
        """Events after sequence number `since`, in order (the first `limit` of them)."""
        statement = select(_EVENTS.c.seq, _EVENTS.c.payload).where(
            _EVENTS.c.run_id == self.run_id, _EVENTS.c.seq > since
        )
        if kinds is not None:
            statement = statement.where(_EVENTS.c.kind.in_(list(kinds)))
        if agent is not None:
            statement = statement.where(_EVENTS.c.agent == agent)
        statement = statement.order_by(_EVENTS.c.seq)
        if limit is not None:
            statement = statement.limit(limit)
        with self._read() as connection:
            rows = connection.execute(statement).all()
        return [(int(seq), parse_event(payload)) for seq, payload in rows]

    def event_seqs(
        self,
        *,
        kinds: Collection[str] | None = None,
        agent: str | None = None,
        since: int = 0,
        upto: int | None = None,
        payload_contains: str | None = None,
    ) -> list[int]:
        """Sequence numbers of the matching events after `since` (up to `upto`), in order,
        without parsing a payload: a viewer filters a long run through the kind and agent
        indexes and reads only the rows it shows (`events_by_seq`). `payload_contains`
        matches the stored canonical JSON text (sorted keys, no spaces), e.g.
        '"severity":"immediate"'."""
        statement = select(_EVENTS.c.seq).where(
            _EVENTS.c.run_id == self.run_id, _EVENTS.c.seq > since
        )
        if kinds is not None:
            statement = statement.where(_EVENTS.c.kind.in_(list(kinds)))
        if agent is not None:
            statement = statement.where(_EVENTS.c.agent == agent)
        if upto is not None:
            statement = statement.where(_EVENTS.c.seq <= upto)
        if payload_contains is not None:
            statement = statement.where(
                _EVENTS.c.payload.contains(payload_contains, autoescape=True)
            )
        with self._read() as connection:
            seqs = connection.execute(statement.order_by(_EVENTS.c.seq)).scalars().all()
        return [int(seq) for seq in seqs]

    def events_by_seq(self, seqs: Collection[int]) -> list[tuple[int, Event]]:
        """The events with these sequence numbers, in order (a page of a filtered view)."""
        if not seqs:
            return []
        statement = (
            select(_EVENTS.c.seq, _EVENTS.c.payload)
            .where(_EVENTS.c.run_id == self.run_id, _EVENTS.c.seq.in_(list(seqs)))
            .order_by(_EVENTS.c.seq)
        )
        with self._read() as connection:
            rows = connection.execute(statement).all()
        return [(int(seq), parse_event(payload)) for seq, payload in rows]

    def event_count(self) -> int:
        with self._read() as connection:
            statement = select(func.count()).where(_EVENTS.c.run_id == self.run_id)
            return int(connection.execute(statement).scalar_one())

    def last_event_at(self) -> datetime | None:
        """When the run's latest event happened: the run clock's "now" after the run."""
        with self._read() as connection:
            value = connection.execute(
                select(func.max(_EVENTS.c.at)).where(_EVENTS.c.run_id == self.run_id)
            ).scalar()
        return None if value is None else utc(value)

    def digest(self) -> str:
        """sha256 over the events' canonical JSON, one per line, in the canonical order:
        run time, then thread, then sequence (so within a thread, the order it emitted
        them). It does not depend on how the threads' turns interleaved."""
        hasher = hashlib.sha256()
        statement = (
            select(_EVENTS.c.payload)
            .where(_EVENTS.c.run_id == self.run_id)
            .order_by(_EVENTS.c.at, _EVENTS.c.thread, _EVENTS.c.seq)
        )
        with self._read() as connection:
            for payload in connection.execute(statement).scalars():
                hasher.update(payload.encode("utf-8"))
                hasher.update(b"\n")
        return hasher.hexdigest()

    # -- work items (one LangGraph thread each) ----------------------------------------

    def register_work(self, items: Iterable[_work.NewWork]) -> int:
        """Register work items as queued (idempotent by event); how many were new."""
        with self._write(_work.WORK) as connection:
            return _work.register(connection, self.run_id, items)

    def work_registered_upto(self) -> int:
        with self._read() as connection:
            return _work.registered_upto(connection, self.run_id)

    def next_queued_work(self) -> _work.WorkRecord | None:
        with self._read() as connection:
            return _work.next_queued(connection, self.run_id)

    def claim_work(
        self, worker: str, *, now: datetime, lease: timedelta
    ) -> _work.WorkRecord | None:
        """Claim the next runnable item for `worker` (see `work_queue.claim`)."""
        with self._write() as connection:
            return _work.claim(
                connection,
                self.run_id,
                worker,
                now=utc(now),
                lease=lease,
                skip_locked=self.dialect == "postgresql",
            )

    def work_claimed_elsewhere(self, *, now: datetime) -> int:
        with self._read() as connection:
            return _work.claimed_elsewhere(connection, self.run_id, now=utc(now))

    def update_work(
        self,
        thread_id: str,
        *,
        status: _work.WorkStatus,
        agent: str | None = None,
        waiting_on: Iterable[str] = (),
        outcome: str = "",
    ) -> None:
        with self._write() as connection:
            _work.update(
                connection,
                self.run_id,
                thread_id,
                status=status,
                agent=agent,
                waiting_on=waiting_on,
                outcome=outcome,
            )

    def work_items(self, status: _work.WorkStatus | None = None) -> list[_work.WorkRecord]:
        with self._read() as connection:
            return _work.listing(connection, self.run_id, status)

    # -- event reads for viewers: newest first, and counts without parsing -------------

    def latest_events(
        self,
        *,
        before: int | None = None,
        kinds: Collection[str] | None = None,
        agent: str | None = None,
        limit: int,
    ) -> list[tuple[int, Event]]:
        """The `limit` events just before sequence number `before` (the end when None),
        newest first: what a viewer needs to show a long run's current state."""
        statement = select(_EVENTS.c.seq, _EVENTS.c.payload).where(_EVENTS.c.run_id == self.run_id)
        if before is not None:
            statement = statement.where(_EVENTS.c.seq < before)
        if kinds is not None:
            statement = statement.where(_EVENTS.c.kind.in_(list(kinds)))
        if agent is not None:
            statement = statement.where(_EVENTS.c.agent == agent)
        statement = statement.order_by(_EVENTS.c.seq.desc()).limit(limit)
        with self._read() as connection:
            rows = connection.execute(statement).all()
        return [(int(seq), parse_event(payload)) for seq, payload in rows]

    def event_agents(self) -> list[str]:
        """Every agent some stored event names (answered from the agent index)."""
        statement = (
            select(_EVENTS.c.agent)
            .where(_EVENTS.c.run_id == self.run_id, _EVENTS.c.agent.is_not(None))
            .distinct()
        )
        with self._read() as connection:
            return sorted(str(agent) for agent in connection.execute(statement).scalars())

    def event_counts_by_agent(self, kind: str, *, upto: int | None = None) -> dict[str, int]:
        """How many `kind` events each agent has (up to sequence number `upto`)."""
        statement = select(_EVENTS.c.agent, func.count()).where(
            _EVENTS.c.run_id == self.run_id, _EVENTS.c.kind == kind
        )
        if upto is not None:
            statement = statement.where(_EVENTS.c.seq <= upto)
        statement = statement.group_by(_EVENTS.c.agent)
        with self._read() as connection:
            rows = connection.execute(statement).all()
        return {str(agent): int(count) for agent, count in rows if agent is not None}

    def message_counts(self, *, upto: int | None = None) -> dict[tuple[str, str, str], int]:
        """`message_sent` events per (sender, recipient, protocol), counted by the database
        from the stored payloads (up to sequence number `upto`)."""
        # SQLite reads JSON text as it is; PostgreSQL needs the text cast to json first.
        payload = (
            cast(_EVENTS.c.payload, JSON)
            if self.dialect == "postgresql"
            else type_coerce(_EVENTS.c.payload, JSON)
        )
        sender, recipient, protocol = (
            payload[("message", name)].as_string() for name in ("sender", "recipient", "protocol")
        )
        statement = select(sender, recipient, protocol, func.count()).where(
            _EVENTS.c.run_id == self.run_id, _EVENTS.c.kind == "message_sent"
        )
        if upto is not None:
            statement = statement.where(_EVENTS.c.seq <= upto)
        statement = statement.group_by(sender, recipient, protocol)
        with self._read() as connection:
            rows = connection.execute(statement).all()
        return {(str(row[0]), str(row[1]), str(row[2])): int(row[3]) for row in rows}

    # -- escalations ------------------------------------------------------------------

    def upsert_escalation(self, escalation: Escalation) -> None:
        payload, counts = redact_value(escalation.model_dump(mode="json"))
        values = {
            "status": escalation.status,
            "source": escalation.source,
            "severity": str(escalation.severity),
            "raised_at": utc(escalation.raised_at),
            "payload": canonical_json(payload),
        }
        with self._write(_ESCALATIONS, _audit.AUDIT) as connection:
            this = (_ESCALATIONS.c.run_id == self.run_id, _ESCALATIONS.c.id == escalation.id)
            found = connection.execute(select(_ESCALATIONS.c.payload).where(*this)).first()
            if found is None:
                seq = self._next_seq(connection, _ESCALATIONS)
                connection.execute(
                    _ESCALATIONS.insert().values(
                        run_id=self.run_id, id=escalation.id, seq=seq, **values
                    )
                )
            elif found.payload != values["payload"]:
                connection.execute(_ESCALATIONS.update().where(*this).values(**values))
            else:
                return
            self._note_redaction(connection, f"escalation:{escalation.id}", counts)

    def get_escalation(self, escalation_id: str) -> Escalation | None:
        statement = select(_ESCALATIONS.c.payload).where(
            _ESCALATIONS.c.run_id == self.run_id, _ESCALATIONS.c.id == escalation_id
        )
        with self._read() as connection:
            payload = connection.execute(statement).scalar()
        return None if payload is None else Escalation.model_validate_json(payload)

    def list_escalations(self, status: str | None = None) -> list[Escalation]:
        statement = (
            select(_ESCALATIONS.c.payload)
            .where(_ESCALATIONS.c.run_id == self.run_id)
            .order_by(_ESCALATIONS.c.seq)
        )
        if status is not None:
            statement = statement.where(_ESCALATIONS.c.status == status)
        with self._read() as connection:
            payloads = connection.execute(statement).scalars().all()
        return [Escalation.model_validate_json(payload) for payload in payloads]

    # -- messages ---------------------------------------------------------------------

    def put_message(self, message: Message, status: str = "delivered") -> None:
        """Store `message` once; a message id already stored is left unchanged."""
        _check_status(status)
        payload, counts = redact_value(message.model_dump(mode="json"))
        with self._write(_MESSAGES, _audit.AUDIT) as connection:
            exists = connection.execute(
                select(_MESSAGES.c.seq).where(
                    _MESSAGES.c.run_id == self.run_id, _MESSAGES.c.id == message.id
                )
            )
            if exists.first() is not None:
                return
            connection.execute(
                _MESSAGES.insert().values(
                    run_id=self.run_id,
                    id=message.id,
                    seq=self._next_seq(connection, _MESSAGES),
                    correlation_id=payload["correlation_id"],
                    sender=message.sender,
                    recipient=message.recipient,
                    protocol=message.protocol,
                    status=status,
                    sent_at=utc(message.sent_at),
                    payload=canonical_json(payload),
                )
            )
            self._note_redaction(connection, f"message:{message.id}", counts)

    def set_message_status(self, message_id: str, status: str) -> None:
        """Raises LookupError for an unknown message id, ValueError for an unknown status."""
        _check_status(status)
        with self._write() as connection:
            result = connection.execute(
                _MESSAGES.update()
                .where(_MESSAGES.c.run_id == self.run_id, _MESSAGES.c.id == message_id)
                .values(status=status)
            )
            if result.rowcount == 0:
                raise LookupError(f"message {message_id!r} is not stored in this run")

    def messages(
        self,
        *,
        correlation_id: str | None = None,
        recipient: str | None = None,
        status: str | Collection[str] | None = None,
    ) -> list[tuple[Message, str]]:
        """Stored messages in the order they were sent; `status` may name several."""
        statement = (
            select(_MESSAGES.c.payload, _MESSAGES.c.status)
            .where(_MESSAGES.c.run_id == self.run_id)
            .order_by(_MESSAGES.c.seq)
        )
        if correlation_id is not None:
            statement = statement.where(_MESSAGES.c.correlation_id == correlation_id)
        if recipient is not None:
            statement = statement.where(_MESSAGES.c.recipient == recipient)
        if isinstance(status, str):
            statement = statement.where(_MESSAGES.c.status == status)
        elif status is not None:
            statement = statement.where(_MESSAGES.c.status.in_(list(status)))
        with self._read() as connection:
            rows = connection.execute(statement).all()
        return [(Message.model_validate_json(payload), state) for payload, state in rows]

    # -- authority decisions ----------------------------------------------------------

    def record_authority_decision(self, event_id: str, decision: AuthorityDecision) -> None:
        """Store the decision made for event `event_id` once (idempotent by event id)."""
        payload, counts = redact_value(decision.model_dump(mode="json"))
        with self._write(_AUTHORITY, _audit.AUDIT) as connection:
            exists = connection.execute(
                select(_AUTHORITY.c.seq).where(
                    _AUTHORITY.c.run_id == self.run_id, _AUTHORITY.c.event_id == event_id
                )
            )
            if exists.first() is not None:
                return
            connection.execute(
                _AUTHORITY.insert().values(
                    run_id=self.run_id,
                    seq=self._next_seq(connection, _AUTHORITY),
                    event_id=event_id,
                    role=decision.role,
                    allowed=decision.allowed,
                    rule=decision.rule,
                    path=payload["path"],
                    payload=canonical_json(payload),
                )
            )
            self._note_redaction(connection, f"authority:{event_id}", counts)

    def authority_decisions(
        self, *, role: str | None = None, allowed: bool | None = None, limit: int | None = None
    ) -> list[AuthorityDecision]:
        """Decisions oldest first; with `limit`, the latest `limit` of them."""
        statement = select(_AUTHORITY.c.seq, _AUTHORITY.c.payload).where(
            _AUTHORITY.c.run_id == self.run_id
        )
        if role is not None:
            statement = statement.where(_AUTHORITY.c.role == role)
        if allowed is not None:
            statement = statement.where(_AUTHORITY.c.allowed == allowed)
        statement = statement.order_by(_AUTHORITY.c.seq.desc())
        if limit is not None:
            statement = statement.limit(limit)
        with self._read() as connection:
            rows = connection.execute(statement).all()
        return [AuthorityDecision.model_validate_json(payload) for _, payload in reversed(rows)]

    # -- memories ---------------------------------------------------------------------

    def add_memory(
        self,
        *,
        agent: str,
        kind: MemoryKind,
        content: str,
        tags: list[str],
        importance: float,
        source_event: str | None,
        created_at: datetime,
        expires_at: datetime | None,
        memory_id: str | None = None,
    ) -> str:
        """Store one memory; returns its id (the same memory again keeps its one row)."""
        record = MemoryInput(
            agent=agent,
            kind=kind,
            content=content,
            tags=list(tags),
            importance=importance,
            source_event=source_event,
            created_at=created_at,
            expires_at=expires_at,
            memory_id=memory_id,
        )
        return self.add_memories([record])[0]

    def add_memories(self, records: Iterable[MemoryInput]) -> list[str]:
        """Store many memories in one transaction (bulk import, learning capture)."""
        with _ingest.gc_paused():
            prepared = [_ingest.prepare_row(record, self.dialect) for record in records]
            if not prepared:
                return []
            counts = merge_counts(*(row.counts for row in prepared if row.counts))
            with self._write(_ingest.MEMORIES, _ingest.TAGS, _audit.AUDIT) as connection:
                ids = _ingest.insert_memories(connection, self.run_id, prepared)
                target = f"memory:{ids[0]}" if len(ids) == 1 else f"memories:{len(ids)}"
                self._note_redaction(connection, target, counts)
        return ids

    def prepare_context(
        self,
        *,
        agent: str,
        query: str,
        now: datetime,
        kinds: Collection[MemoryKind] | None = None,
        tags: Collection[str] | None = None,
        per_kind: int = 3,
        budget_chars: int = 4000,
        strictly_before: bool = False,
    ) -> list[MemorySnippet]:
        """The memories for `agent`'s next turn: relevant to `query`, best first, at most
        `per_kind` of each kind and `budget_chars` characters of content in all."""
        with self._read() as connection:
            return _retrieval.prepare_context(
                connection,
                self.dialect,
                self.run_id,
                agent=agent,
                query=query,
                now=now,
                kinds=kinds,
                tags=tags,
                per_kind=per_kind,
                budget_chars=budget_chars,
                strictly_before=strictly_before,
            )

    def search_memories(
        self,
        query: str,
        *,
        agent: str | None = None,
        kinds: Collection[MemoryKind] | None = None,
        tags: Collection[str] | None = None,
        limit: int = 20,
    ) -> list[tuple[MemoryRecord, float]]:
        with self._read() as connection:
            return _retrieval.search_memories(
                connection,
                self.dialect,
                self.run_id,
                query,
                agent=agent,
                kinds=kinds,
                tags=tags,
                limit=limit,
            )

    def list_memories(
        self,
        *,
        agent: str | None = None,
        kinds: Collection[MemoryKind] | None = None,
        tags: Collection[str] | None = None,
        limit: int | None = None,
    ) -> list[MemoryRecord]:
        with self._read() as connection:
            return _retrieval.list_memories(
                connection, self.run_id, agent=agent, kinds=kinds, tags=tags, limit=limit
            )

    def get_memory(self, memory_id: str) -> MemoryRecord | None:
        with self._read() as connection:
            return _retrieval.get_memory(connection, self.run_id, memory_id)

    def memory_count(self) -> int:
        with self._read() as connection:
            statement = select(func.count()).where(_retrieval.MEMORIES.c.run_id == self.run_id)
            return int(connection.execute(statement).scalar_one())

    # -- retention and erasure --------------------------------------------------------

    def prune(
        self, *, now: datetime, policies: Mapping[str, Sequence[MemoryPolicy]] | None = None
    ) -> PruneReport:
        """Drop memories past their expiry or their kind's retention (per agent) at `now`."""
        with self._write(_retrieval.MEMORIES, _retrieval.TAGS, _audit.AUDIT) as connection:
            return _retention.prune(connection, self.run_id, now=utc(now), policies=policies or {})

    def erase(
        self,
        subject: str,
        *,
        at: datetime,
        checkpoints: Path | None = None,
        run_dir: Path | None = None,
    ) -> ErasureReport:
        """Right to erasure: remove every memory and scrub every stored payload mentioning
        `subject` (and its slug and case forms); the audit trail records that an erasure
        happened, not the value. `checkpoints`: the SQLite file holding the run's LangGraph
        checkpoints when they are not in this store (a PostgreSQL-store run keeps them in
        its `run.db`); `run_dir`: the run directory, whose workspace files (contents and
        names) and data sets are scrubbed too."""
        from .erase_files import scrub_run_files

        subject = _retention.valid_subject(subject)
        elsewhere = 0
        if checkpoints is not None and checkpoints.is_file():
            elsewhere = _retention.scrub_checkpoint_file(checkpoints, subject)
        files = scrub_run_files(run_dir, subject) if run_dir is not None else None
        tables = (
            _retrieval.MEMORIES,
            _retrieval.TAGS,
            _EVENTS,
            _MESSAGES,
            _ESCALATIONS,
            _AUTHORITY,
            _audit.AUDIT,
        )
        with self._write(*tables) as connection:
            report = _retention.erase(
                connection,
                self.dialect,
                self.run_id,
                subject,
                at=utc(at),
                elsewhere_checkpoint_rows=elsewhere,
                files=files,
            )
        _retention.compact(self._engine, self.dialect)
        return report

    # -- audit ------------------------------------------------------------------------

    def audit_append(
        self,
        *,
        actor: str,
        action: str,
        target: str,
        details: dict[str, Any],
        at: datetime,
        once: bool = False,
    ) -> str:
        """Append one audit entry (redacted; redactions listed); returns its hash. `once`:
        not again when the same entry is there (see `audit.append_entry`)."""
        with self._write(_audit.AUDIT) as connection:
            _, entry_hash = _audit.append_entry(
                connection,
                self.run_id,
                actor=actor,
                action=action,
                target=target,
                details=details,
                at=at,
                once=once,
            )
        return entry_hash

    def verify_audit(self, anchor: Mapping[str, Any] | None = None) -> AuditReport:
        """Check the chain; with `anchor` (a head kept outside the table, `audit_head`),
        also that nothing anchored was removed or rewritten."""
        with self._read() as connection:
            return _audit.verify_audit(connection, self.run_id, anchor)

    def audit_head(self) -> dict[str, Any]:
        """Count, last hash and keying of the audit chain, signed when keyed: the anchor
        to keep outside the database (`run.json`, reports)."""
        with self._read() as connection:
            return _audit.audit_head(connection, self.run_id)

    def audit_tail(self, count: int = 20) -> list[AuditEntry]:
        with self._read() as connection:
            return _audit.tail_audit(connection, self.run_id, count)

    def run_identity(self) -> tuple[str, int]:
        """(scenario name, seed) this run was registered with ("", 0: an unnamed store)."""
        from .runs import RUNS

        statement = select(RUNS.c.name, RUNS.c.seed).where(RUNS.c.run_id == self.run_id)
        with self._read() as connection:
            found = connection.execute(statement).first()
        return ("", 0) if found is None else (str(found.name), int(found.seed))

    def take_guard_spool(self) -> int:
        """Store the Claude Code guard's spooled calls waiting beside this (SQLite) store;
        how many were new. `open_run_store` does it on opening; a process that keeps the
        store open (the MCP server) calls it before recording, so the audit chain keeps the
        order in which things happened."""
        folder = _guard_spool.spool_folder(self.url)
        if folder is None:
            return 0
        taken = _guard_spool.ingest_pending(folder, self)
        self.ingested_guard_calls += taken
        return taken

    def anchor_in(self, run_dir: Path) -> None:
        """Keep the audit head in `run_dir`'s `run.json`: written on `close()` when the
        trail grew meanwhile (a reading command leaves the file as it was)."""
        self._anchor_dir = run_dir
        self._anchored_count = self._audit_count()

    def _audit_count(self) -> int:
        statement = select(func.max(_audit.AUDIT.c.seq)).where(_audit.AUDIT.c.run_id == self.run_id)
        with self._read() as connection:
            return int(connection.execute(statement).scalar() or 0)

    def write_anchor(self) -> None:
        if self._anchor_dir is None:
            return
        from .anchor import write_anchor

        if self._audit_count() != self._anchored_count:
            head = self.audit_head()
            write_anchor(self._anchor_dir, head)
            self._anchored_count = int(head["count"])

    def close(self) -> None:
        try:
            self.write_anchor()
        except (ConfigError, OSError, SQLAlchemyError) as error:
            # Closing must not fail on it; the next verify reports the stale anchor's age.
            logging.getLogger(__name__).warning("audit head not anchored: %s", error)
        finally:
            self._engine.dispose()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


# Memory sequence numbers are the full-text index's rowids, unique across runs: writers of
# every run take turns on those tables.
_SHARED_SEQUENCES = frozenset({"charter_memories", "charter_memory_tags"})


def _lock_key(table: str, run_id: str) -> str:
    return f"charter:{table}" if table in _SHARED_SEQUENCES else f"charter:{table}:{run_id}"


def _check_status(status: str) -> None:
    if status not in MESSAGE_STATUSES:
        raise ValueError(f"message status {status!r}: expected one of {MESSAGE_STATUSES}")


def open_run_store(
    url: str,
    *,
    clock: Clock,
    schema: str | None = None,
    run_id: str | None = None,
    name: str | None = None,
    seed: int | None = None,
    existing: bool = False,
) -> RunStore:
    """Open (creating or migrating) the run database at `url`, scoped to one run.

    `sqlite:///<run dir>/run.db` or `postgresql+psycopg://...`; `schema` puts a PostgreSQL
    store in its own schema (created if missing). Many runs may share one database: with
    `run_id` and `name` (the scenario) the run is registered, and an id already held by
    another scenario is refused; with `run_id` alone an existing run is opened; with
    neither, the store's only run (a store holding several asks which). A database written
    by a newer Charter is refused with a ConfigError. `existing`: a store that holds a run
    already (readers: a mistyped schema or an empty file is an error, never a new store)."""
    # A guarded Claude Code session leaves its decisions in the run directory's spool
    # (see guard_spool): whoever opens the run next stores them first, so no reader misses
    # one. A run the guard alone wrote has no run.db yet; its lines are the run.
    folder = _guard_spool.spool_folder(url)
    if folder is not None and existing and not (folder / Path(url).name).exists():
        existing = False
    store = _open_run_store(
        url, clock=clock, schema=schema, run_id=run_id, name=name, seed=seed, existing=existing
    )
    if folder is not None:
        try:
            store.ingested_guard_calls = _guard_spool.ingest_pending(folder, store)
        except BaseException:
            store.close()
            raise
    return store


def _open_run_store(
    url: str,
    *,
    clock: Clock,
    schema: str | None,
    run_id: str | None,
    name: str | None,
    seed: int | None,
    existing: bool,
) -> RunStore:
    engine, dialect = create_store_engine(url, schema=schema, create=not existing)
    try:
        if existing:
            _check_existing(engine, url, schema)
        with write_lock_errors(url):
            migrate(engine, dialect, now=utc(clock.now()), url=url)
            if run_id is None:
                run_id = only_run(engine, url)
            elif name is not None:
                claim_run(engine, url, run_id, name=name, seed=seed or 0, at=utc(clock.now()))
            else:
                check_run(engine, url, run_id)
    except BaseException:
        engine.dispose()
        raise
    return RunStore(url, engine, dialect, clock, run_id)


def _check_existing(engine: Engine, url: str, schema: str | None) -> None:
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DatabaseError

    parsed = make_url(url)
    where = parsed.render_as_string(hide_password=True)
    where += f" (schema {schema})" if schema else ""
    if parsed.get_backend_name() == "sqlite" and Path(parsed.database or "").stat().st_size == 0:
        # Checked before connecting: opening it would write a header into the empty file.
        raise ConfigError(f"run database {where}: an empty file, no Charter run")
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            if schema is not None and schema not in inspector.get_schema_names():
                raise ConfigError(f"run database {where}: no such schema")
            if not inspector.has_table("charter_schema_version"):
                raise ConfigError(f"run database {where}: holds no Charter run")
    except DatabaseError as error:
        raise ConfigError(f"run database {where}: not readable ({error.orig})") from None


__all__ = ["MESSAGE_STATUSES", "RunStore", "open_run_store"]

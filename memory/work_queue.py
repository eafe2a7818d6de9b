"""The run's work items, one LangGraph thread each: what the scheduler picks from.

A work item is registered once (keyed by the run-store event that carries it) as
`queued`; the scheduler takes the queued item due first (due time, then event sequence);
an item whose turn waits on the PM is `waiting` with the escalation ids it waits on; a
finished one is `done` with its outcome. The table is the shared record of which threads
exist and where each stands, so a reopened run (or, later, another worker) knows what is
left without reading any checkpoint.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, func, or_, select

from .records import canonical_json, utc
from .tables import WorkRow

WORK = WorkRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it

WorkStatus = Literal["queued", "waiting", "done"]
WORK_STATUSES: tuple[WorkStatus, ...] = ("queued", "waiting", "done")


@dataclass(frozen=True)
class NewWork:
    """A work item to register: the graph layer builds it from a work event."""

    seq: int
    thread_id: str
    kind: str
    due_at: datetime
    item: dict[str, Any]


@dataclass(frozen=True)
class WorkRecord:
    seq: int
    thread_id: str
    kind: str
    due_at: datetime
    status: WorkStatus
    agent: str | None
    waiting_on: list[str]
    outcome: str
    item: dict[str, Any]
    claims: int = 0


def _record(row: Any) -> WorkRecord:
    return WorkRecord(
        seq=int(row.seq),
        thread_id=row.thread_id,
        kind=row.kind,
        due_at=utc(row.due_at),
        status=row.status,
        agent=row.agent,
        waiting_on=list(json.loads(row.waiting_on)),
        outcome=row.outcome,
        item=json.loads(row.payload),
        claims=int(row.claims),
    )


def registered_upto(connection: Connection, run_id: str) -> int:
    """The newest event sequence number registered as a work item (0: none)."""
    statement = select(func.max(WORK.c.seq)).where(WORK.c.run_id == run_id)
    return int(connection.execute(statement).scalar() or 0)


def register(connection: Connection, run_id: str, items: Iterable[NewWork]) -> int:
    """Register new items as queued; ones already registered are left as they are."""
    added = 0
    for item in items:
        known = select(WORK.c.seq).where(WORK.c.run_id == run_id, WORK.c.seq == item.seq)
        if connection.execute(known).first():
            continue
        connection.execute(
            WORK.insert().values(
                run_id=run_id,
                claimed_by="",
                claims=0,
                seq=item.seq,
                thread_id=item.thread_id,
                kind=item.kind,
                due_at=utc(item.due_at),
                status="queued",
                agent=item.item.get("agent"),
                waiting_on="[]",
                outcome="",
                payload=canonical_json(item.item),
            )
        )
        added += 1
    return added


def next_queued(connection: Connection, run_id: str) -> WorkRecord | None:
    """The queued item due first: due time, then the sequence of its event."""
    row = connection.execute(
        select(WORK)
        .where(WORK.c.run_id == run_id, WORK.c.status == "queued")
        .order_by(WORK.c.due_at, WORK.c.seq)
        .limit(1)
    ).first()
    return None if row is None else _record(row)


def claim(
    connection: Connection,
    run_id: str,
    worker: str,
    *,
    now: datetime,
    lease: timedelta,
    skip_locked: bool,
) -> WorkRecord | None:
    """Claim the queued item due first that no live worker holds, for `lease` from `now`
    (wall-clock time: leases are about processes, not the run). PostgreSQL skips rows
    another worker is claiming this instant (SKIP LOCKED); SQLite's one writer at a time
    gives the same. An expired lease is a dead worker's: its item is claimed again."""
    free = or_(WORK.c.claimed_by == "", WORK.c.lease_until < now, WORK.c.claimed_by == worker)
    statement = (
        select(WORK)
        .where(WORK.c.run_id == run_id, WORK.c.status == "queued", free)
        .order_by(WORK.c.due_at, WORK.c.seq)
        .limit(1)
    )
    if skip_locked:
        statement = statement.with_for_update(skip_locked=True)
    row = connection.execute(statement).first()
    if row is None:
        return None
    connection.execute(
        WORK.update()
        .where(WORK.c.run_id == run_id, WORK.c.seq == row.seq)
        .values(claimed_by=worker, lease_until=now + lease, claims=WORK.c.claims + 1)
    )
    return _record(row)


def claimed_elsewhere(connection: Connection, run_id: str, *, now: datetime) -> int:
    """Queued items that live workers hold: work that is not this worker's to take yet."""
    statement = select(func.count()).where(
        WORK.c.run_id == run_id,
        WORK.c.status == "queued",
        WORK.c.claimed_by != "",
        WORK.c.lease_until >= now,
    )
    return int(connection.execute(statement).scalar_one())


def update(
    connection: Connection,
    run_id: str,
    thread_id: str,
    *,
    status: WorkStatus,
    agent: str | None = None,
    waiting_on: Iterable[str] = (),
    outcome: str = "",
) -> None:
    values: dict[str, Any] = {
        "status": status,
        "waiting_on": json.dumps(list(waiting_on)),
        "outcome": outcome,
        "claimed_by": "",  # settled (or stopped): no worker holds it any more
        "lease_until": None,
    }
    if agent is not None:
        values["agent"] = agent
    connection.execute(
        WORK.update().where(WORK.c.run_id == run_id, WORK.c.thread_id == thread_id).values(**values)
    )


def listing(
    connection: Connection, run_id: str, status: WorkStatus | None = None
) -> list[WorkRecord]:
    statement = select(WORK).where(WORK.c.run_id == run_id).order_by(WORK.c.due_at, WORK.c.seq)
    if status is not None:
        statement = statement.where(WORK.c.status == status)
    return [_record(row) for row in connection.execute(statement)]


__all__ = [
    "WORK",
    "WORK_STATUSES",
    "NewWork",
    "WorkRecord",
    "WorkStatus",
    "claim",
    "claimed_elsewhere",
    "listing",
    "next_queued",
    "register",
    "registered_upto",
    "update",
]

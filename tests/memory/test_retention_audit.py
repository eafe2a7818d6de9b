"""Conformance: retention, erasure and the audit chain on both backends."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from charter.memory import RunStore
from charter.protocols import (
    AuthorityDecision,
    ConfigError,
    Escalation,
    MemoryKind,
    MemoryPolicy,
    Message,
    Severity,
    TaskAssignment,
)
from charter.protocols.events import MemoryRecorded, TaskSubmitted

from .conftest import START, Backend

SUBJECT = "Zelda Quintanilla"


def _memory(store: RunStore, content: str, kind: MemoryKind, age_days: float) -> str:
    return store.add_memory(
        agent="data",
        kind=kind,
        content=content,
        tags=[],
        importance=0.5,
        source_event=None,
        created_at=START - timedelta(days=age_days),
        expires_at=None,
    )


def test_prune_applies_per_kind_retention_on_the_given_clock(store: RunStore) -> None:
    old_error = _memory(store, "old error", MemoryKind.ERROR, 40)
    new_error = _memory(store, "new error", MemoryKind.ERROR, 10)
    old_team = _memory(store, "old team standard", MemoryKind.TEAM, 400)
    expiring = store.add_memory(
        agent="data",
        kind=MemoryKind.PATTERN,
        content="short-lived pattern",
        tags=[],
        importance=0.5,
        source_event=None,
        created_at=START,
        expires_at=START + timedelta(days=1),
    )
    policies = {
        "data": [
            MemoryPolicy(kind=MemoryKind.ERROR, retention=timedelta(days=30)),
            MemoryPolicy(kind=MemoryKind.TEAM, retention=None),
        ]
    }
    report = store.prune(now=START, policies=policies)
    assert report.removed == {"error": 1}
    remaining = {record.id for record in store.list_memories()}
    assert remaining == {new_error, old_team, expiring}
    assert old_error not in remaining
    later = store.prune(now=START + timedelta(days=2), policies=policies)
    assert later.removed == {"pattern": 1}
    assert store.search_memories("short lived pattern") == []
    prunes = [entry for entry in store.audit_tail(10) if entry.action == "prune"]
    assert [entry.details["removed"] for entry in prunes] == [{"error": 1}, {"pattern": 1}]
    assert store.verify_audit().ok


def _fill_with_subject(store: RunStore) -> None:
    task = TaskAssignment(id="t-1", title="Export", task=f"export the orders of {SUBJECT}")
    store.append_event(TaskSubmitted(id="ev-task", at=START, task=task))
    store.append_event(
        MemoryRecorded(
            id="ev-mem",
            at=START,
            memory_id="m",
            memory_kind=MemoryKind.GOVERNANCE,
            content=f"{SUBJECT.upper()} asked for deletion",
        )
    )
    _memory(store, f"customer {SUBJECT} complained about duplicate orders", MemoryKind.ERROR, 1)
    keep = _memory(store, "orders pipeline recovered after dedupe", MemoryKind.ERROR, 1)
    store.put_message(
        Message(
            id="msg-1",
            correlation_id="c-1",
            protocol="privacy_compliance",
            sender="data",
            recipient="security",
            payload={"subject": SUBJECT},
            sent_at=START,
        )
    )
    store.upsert_escalation(
        Escalation(
            id="esc-1",
            source="data",
            trigger="Compliance Violations",
            severity=Severity.IMMEDIATE,
            summary=f"{SUBJECT} data found in logs",
            raised_at=START,
        )
    )
    store.record_authority_decision(
        "ev-w",
        AuthorityDecision(
            role="data",
            requested_path=f"exports/{SUBJECT}.csv",
            path=f"exports/{SUBJECT}.csv",
            allowed=True,
            rule="exclusive_owner",
            reason="ok",
        ),
    )
    store.audit_append(
        actor="data", action="export", target=f"{SUBJECT}.csv", details={"rows": 3}, at=START
    )
    store.audit_append(actor="data", action="check", target="orders", details={}, at=START)
    assert store.get_memory(keep) is not None


def test_erasure_removes_every_mention_and_records_no_value(
    store: RunStore, backend: Backend
) -> None:
    _fill_with_subject(store)
    report = store.erase(SUBJECT.lower(), at=START + timedelta(hours=1))
    assert (report.memories, report.events, report.messages) == (1, 2, 1)
    assert (report.escalations, report.authority_decisions, report.audit_entries) == (1, 1, 1)
    assert store.memory_count() == 1
    assert store.search_memories("complained") == []
    assert [s.content for s in store.prepare_context(agent="data", query="orders", now=START)] == [
        "orders pipeline recovered after dedupe"
    ]
    # The history keeps its shape: still typed events, with the value gone.
    events = store.events()
    assert len(events) == 2
    assert "[ERASED]" in events[0][1].task.task  # type: ignore[union-attr]
    audit = store.verify_audit()
    assert audit.ok, str(audit)
    erase = store.audit_tail(1)[0]
    assert erase.action == "erase" and len(erase.details["subject_hmac"]) == 64
    dump = _dump_everything(backend, store)
    assert SUBJECT.lower() not in dump.lower()
    assert "quintanilla" not in dump.lower()


def test_erasure_reaches_checkpoints_kept_beside_the_store(
    store: RunStore, backend: Backend
) -> None:
    """A LangGraph checkpointer sharing the store's database: binary blobs (SQLite) and
    `jsonb` documents (PostgreSQL) lose the subject and stay loadable."""
    engine = create_engine(
        backend.url,
        connect_args={"options": f"-c search_path={backend.schema}"} if backend.schema else {},
    )
    document = json.dumps({"task": f"refund {SUBJECT}", "n": 1})
    with engine.begin() as connection:
        if backend.name == "sqlite":
            connection.exec_driver_sql("CREATE TABLE checkpoints (checkpoint BLOB, metadata BLOB)")
            connection.execute(
                text("INSERT INTO checkpoints VALUES (:c, :m)"),
                {"c": document.encode(), "m": b"{}"},
            )
        else:
            connection.exec_driver_sql(
                "CREATE TABLE checkpoints (checkpoint jsonb, metadata jsonb)"
            )
            connection.execute(
                text("INSERT INTO checkpoints VALUES (CAST(:c AS jsonb), '{}')"), {"c": document}
            )
    report = store.erase(SUBJECT, at=START + timedelta(hours=1))
    assert report.checkpoint_rows == 1
    with engine.connect() as connection:
        (value,) = connection.exec_driver_sql("SELECT checkpoint FROM checkpoints").one()
    engine.dispose()
    loaded = json.loads(value) if isinstance(value, (bytes, str)) else value
    assert loaded == {"task": "refund " + "*" * len(SUBJECT), "n": 1}


def _dump_everything(backend: Backend, store: RunStore) -> str:
    """Every text value of every table in the store, as one string."""
    engine = create_engine(
        backend.url,
        connect_args={"options": f"-c search_path={backend.schema}"} if backend.schema else {},
    )
    chunks: list[str] = []
    with engine.connect() as connection:
        if backend.name == "sqlite":
            names = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type='table'"
            ).scalars()
        else:
            names = connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :s"),
                {"s": backend.schema},
            ).scalars()
        for name in list(names):
            for row in connection.exec_driver_sql(f'SELECT * FROM "{name}"'):
                chunks.extend(
                    value.decode("latin-1") if isinstance(value, bytes) else str(value)
                    for value in row
                )
    engine.dispose()
    return "\n".join(chunks)


def test_erasure_of_a_short_value_is_refused_and_changes_nothing(store: RunStore) -> None:
    _memory(store, "ab is a tiny word", MemoryKind.ERROR, 1)
    with pytest.raises(ConfigError, match="at least 3"):
        store.erase("ab", at=START)
    assert store.memory_count() == 1


def test_audit_chain_verifies_and_lists_redactions(store: RunStore) -> None:
    hashes = [
        store.audit_append(
            actor="data", action="write", target=f"f{n}.sql", details={"n": n}, at=START
        )
        for n in range(3)
    ]
    assert len(set(hashes)) == 3
    store.audit_append(
        actor="data",
        action="notify",
        target="owner",
        details={"to": "jane.doe@example.com", "card": "4111 1111 1111 1111"},
        at=START,
    )
    report = store.verify_audit()
    assert report.ok and report.entries == 4 and str(report).startswith("OK, 4 entries, keyed")
    last = store.audit_tail(1)[0]
    assert last.details["to"] == "[REDACTED:email]"
    assert last.details["redacted"] == {"card": 1, "email": 1}
    assert [entry.seq for entry in store.audit_tail(2)] == [3, 4]


def _tamper(backend: Backend, statement: str) -> None:
    engine = create_engine(
        backend.url,
        connect_args={"options": f"-c search_path={backend.schema}"} if backend.schema else {},
    )
    with engine.begin() as connection:
        connection.exec_driver_sql(statement)
    engine.dispose()


@pytest.mark.parametrize(
    ("statement", "broken", "reason"),
    [
        ("UPDATE charter_audit SET details = '{\"n\":9}' WHERE seq = 2", 2, "content"),
        ("UPDATE charter_audit SET target = 'other' WHERE seq = 3", 3, "content"),
        ("DELETE FROM charter_audit WHERE seq = 2", 2, "missing"),
        ("UPDATE charter_audit SET erased_by = 4 WHERE seq = 1", 1, "erased entry holds content"),
        ("UPDATE charter_audit SET entry_hash = prev_hash WHERE seq = 3", 3, "entry hash"),
    ],
)
def test_editing_one_audit_row_is_detected(
    store: RunStore, backend: Backend, statement: str, broken: int, reason: str
) -> None:
    for n in range(4):
        store.audit_append(actor="data", action="write", target=f"f{n}", details={"n": n}, at=START)
    assert store.verify_audit().ok
    _tamper(backend, statement)
    report = store.verify_audit()
    assert not report.ok
    assert report.broken_at == broken
    assert reason in report.reason

"""Conformance: events, escalations, messages and authority decisions on both backends."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest

from charter.memory import RunStore
from charter.protocols import (
    AuthorityDecision,
    Decision,
    Escalation,
    Message,
    Severity,
    VirtualClock,
)
from charter.protocols.events import RunStarted, TaskRouted

from .conftest import START, Backend


def _routed(number: int, agent: str = "data") -> TaskRouted:
    return TaskRouted(
        id=f"ev-{number}",
        at=START + timedelta(minutes=number),
        agent=agent,
        to=agent,
        reason=f"route {number}",
    )


def test_events_get_gapless_sequence_numbers_and_duplicates_are_ignored(store: RunStore) -> None:
    assert store.append_event(_routed(1)) == 1
    assert store.append_event(_routed(2)) == 2
    assert store.append_event(_routed(1)) is None  # a resumed run replays it: no duplicate
    assert store.append_event(_routed(3)) == 3
    assert store.event_count() == 3
    assert [seq for seq, _ in store.events()] == [1, 2, 3]


def test_events_round_trip_and_filter(store: RunStore) -> None:
    started = RunStarted(id="start", at=START, run_id="r1", seed=7, team=["data", "pm"])
    store.append_event(started)
    store.append_event(_routed(1, "data"))
    store.append_event(_routed(2, "architect"))
    events = store.events()
    assert events[0] == (1, started)
    assert [seq for seq, _ in store.events(since=1)] == [2, 3]
    assert [e.id for _, e in store.events(kinds={"task_routed"})] == ["ev-1", "ev-2"]
    assert [e.id for _, e in store.events(agent="architect")] == ["ev-2"]
    assert [e.id for _, e in store.events(limit=2)] == ["start", "ev-1"]
    assert store.last_event_at() == START + timedelta(minutes=2)


def test_digest_is_sha256_over_ordered_canonical_events(store: RunStore) -> None:
    first, second = _routed(1), _routed(2)
    store.append_event(first)
    store.append_event(second)
    hasher = hashlib.sha256()
    for event in (first, second):
        dumped = json.dumps(
            event.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        hasher.update(dumped.encode() + b"\n")
    assert store.digest() == hasher.hexdigest()


def test_digest_changes_with_any_event(store: RunStore) -> None:
    assert store.digest() == hashlib.sha256(b"").hexdigest()
    for number in range(3):
        store.append_event(_routed(number))
    digest = store.digest()
    store.append_event(_routed(99))
    assert store.digest() != digest


def _escalation(status: str = "open") -> Escalation:
    return Escalation(
        id="esc-1",
        source="data",
        trigger="Pipeline Failures",
        severity=Severity.IMMEDIATE,
        summary="load_orders failed",
        status=status,  # type: ignore[arg-type]
        raised_at=START,
    )


def test_escalations_upsert_get_and_list(store: RunStore) -> None:
    store.upsert_escalation(_escalation())
    store.upsert_escalation(_escalation())  # idempotent
    assert store.list_escalations() == [_escalation()]
    decided = _escalation("decided").model_copy(
        update={"decision": Decision(verdict="approve", decided_at=START + timedelta(minutes=5))}
    )
    store.upsert_escalation(decided)
    assert store.get_escalation("esc-1") == decided
    assert store.list_escalations(status="open") == []
    assert store.list_escalations(status="decided") == [decided]
    assert store.get_escalation("nope") is None
    second = _escalation().model_copy(update={"id": "esc-2"})
    store.upsert_escalation(second)
    assert [e.id for e in store.list_escalations()] == ["esc-1", "esc-2"]


def _message(number: int, recipient: str = "architect") -> Message:
    return Message(
        id=f"msg-{number}",
        correlation_id="corr-1" if number < 3 else "corr-2",
        protocol="schema_review",
        sender="data",
        recipient=recipient,
        payload={"table": "orders", "n": number},
        sent_at=START + timedelta(minutes=number),
    )


def test_messages_are_idempotent_by_id_and_filterable(store: RunStore) -> None:
    store.put_message(_message(1), "pending")
    store.put_message(_message(1), "delivered")  # already stored: unchanged
    store.put_message(_message(2))
    store.put_message(_message(3, recipient="security"))
    assert store.messages(correlation_id="corr-1") == [
        (_message(1), "pending"),
        (_message(2), "delivered"),
    ]
    store.set_message_status("msg-1", "replied")
    assert store.messages(status="replied") == [(_message(1), "replied")]
    assert [m.id for m, _ in store.messages(recipient="security")] == ["msg-3"]
    with pytest.raises(ValueError, match="status"):
        store.set_message_status("msg-1", "lost")
    with pytest.raises(LookupError):
        store.set_message_status("msg-404", "dead")


def _decision(role: str, allowed: bool, path: str) -> AuthorityDecision:
    return AuthorityDecision(
        role=role,
        requested_path=path,
        path=path,
        allowed=allowed,
        rule="exclusive_owner" if allowed else "owned_by_other",
        reason="test",
    )


def test_authority_decisions_recorded_once_and_filtered(store: RunStore) -> None:
    store.record_authority_decision("ev-1", _decision("data", True, "migrations/001.sql"))
    store.record_authority_decision("ev-1", _decision("data", True, "migrations/001.sql"))
    store.record_authority_decision("ev-2", _decision("engineer", False, "migrations/002.sql"))
    store.record_authority_decision("ev-3", _decision("engineer", True, "src/app.py"))
    assert len(store.authority_decisions()) == 3
    assert [d.path for d in store.authority_decisions(role="engineer")] == [
        "migrations/002.sql",
        "src/app.py",
    ]
    assert [d.path for d in store.authority_decisions(allowed=False)] == ["migrations/002.sql"]
    assert [d.path for d in store.authority_decisions(limit=1)] == ["src/app.py"]


def test_reopening_keeps_everything(backend: Backend, clock: VirtualClock) -> None:
    first = backend.open(clock)
    first.append_event(_routed(1))
    first.put_message(_message(1))
    digest = first.digest()
    first.close()
    again = backend.open(clock)
    try:
        assert again.digest() == digest
        assert again.append_event(_routed(1)) is None
        assert again.append_event(_routed(2)) == 2
    finally:
        again.close()


def test_event_seqs_filter_through_the_indexes_on_both_backends(store: RunStore) -> None:
    from charter.protocols.events import EscalationRaised

    for number in range(1, 7):
        store.append_event(_routed(number, agent="data" if number % 2 else "architect"))
    for number, severity in ((7, Severity.IMMEDIATE), (8, Severity.STANDARD)):
        escalation = Escalation(
            id=f"esc-{number}",
            source="data",
            trigger="Pipeline Failures",
            severity=severity,
            summary='a summary quoting "severity":"immediate" is escaped, not matched',
            raised_at=START,
        )
        store.append_event(
            EscalationRaised(id=f"ev-{number}", at=START, agent="data", escalation=escalation)
        )
    assert store.event_seqs(agent="architect") == [2, 4, 6]
    assert store.event_seqs(agent="data", since=3, upto=7) == [5, 7]
    assert store.event_seqs(kinds={"task_routed"}, upto=3) == [1, 2, 3]
    immediate = '"severity":"immediate"'
    assert store.event_seqs(kinds={"escalation_raised"}, payload_contains=immediate) == [7]
    assert store.event_seqs(payload_contains="100%_") == []  # wildcards are literal
    pairs = store.events_by_seq([6, 2, 7])
    assert [seq for seq, _ in pairs] == [2, 6, 7]
    assert isinstance(pairs[2][1], EscalationRaised) and store.events_by_seq([]) == []

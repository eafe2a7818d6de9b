"""Reply deadlines: a request nobody answered in time becomes a dead letter.

Every request carries the deadline its protocol declares (`agents/coordination.py`). When
the run clock reaches it and the request is still waiting (`pending` or `delivered`, never
`replied`), the sweep

1. emits one `DeadLetter` event (reason: reply deadline passed),
2. files the escalation the SENDER's charter names for a cross-agent failure (the trigger
   that lists the `cross_agent_failure` signal; severity from its table, through the same
   `resolve_severity`/`raise_escalation` path the gate uses),
3. marks the request `expired`.

Each step has an id derived from the message id, and the status changes last: a run that
stops half-way through a sweep and resumes repeats the sweep without duplicating anything.
A reply that arrives afterwards is refused by the gate as a late reply.
"""

from __future__ import annotations

from datetime import datetime

from charter.protocols import Charter, Escalation, Message
from charter.protocols.events import DeadLetter

from .escalation import raise_escalation, resolve_severity, signal_severity
from .ids import stable_id
from .runtime import Runtime

CROSS_AGENT_SIGNAL = "cross_agent_failure"
# Filed when the sender's charter names no trigger for the signal: a system trigger, so it is
# standard unless that charter's table says otherwise (see escalation.SYSTEM_TRIGGERS).
UNANSWERED_TRIGGER = "Unanswered Request"
_WAITING = ("pending", "delivered")


def _awaiting_reply(rt: Runtime) -> list[Message]:
    # Runs on every step: let the database pick the few waiting messages rather than
    # parsing the run's whole message history each time.
    return [
        message
        for message, _status in rt.store.messages(status=_WAITING)
        if message.kind == "request" and message.deadline is not None
    ]


def next_reply_deadline(rt: Runtime, after: datetime, until: datetime) -> datetime | None:
    """The earliest deadline of a request still awaiting its reply, in (after, until]."""
    upcoming = [
        m.deadline
        for m in _awaiting_reply(rt)
        if m.deadline is not None and after < m.deadline <= until
    ]
    return min(upcoming, default=None)


def is_late(request: Message, at: datetime) -> bool:
    """A reply at `at` comes too late: the request's deadline has been reached."""
    return request.deadline is not None and at >= request.deadline


def expire_overdue_requests(rt: Runtime, now: datetime) -> list[Escalation]:
    """Dead-letter every request whose reply deadline has been reached; the escalations filed."""
    filed: list[Escalation] = []
    for message in _awaiting_reply(rt):
        assert message.deadline is not None
        if not is_late(message, now):
            continue
        reason = (
            f"reply deadline passed: no {message.protocol} reply from {message.recipient} "
            f"by {message.deadline.isoformat()}"
        )
        rt.emit(
            DeadLetter(
                id=stable_id("ev", rt.run_id, "dead_letter", message.id),
                at=now,
                agent=message.sender,
                correlation_id=message.correlation_id,
                message=message,
                reason=reason,
            )
        )
        escalation = _escalate(rt, message, reason)
        if escalation is not None:
            filed.append(escalation)
        rt.store.set_message_status(message.id, "expired")
    return filed


def cross_agent_trigger(charter: Charter) -> str:
    """The trigger a role escalates failed cross-agent work with: the one its table lists
    for the cross-agent-failure signal, else the system's "Unanswered Request"."""
    named = signal_severity(charter, CROSS_AGENT_SIGNAL)
    return named[0] if named is not None else UNANSWERED_TRIGGER


def _escalate(rt: Runtime, message: Message, reason: str) -> Escalation | None:
    charter = rt.team.roles.get(message.sender)
    if charter is None:  # a sender outside the team (a scripted test): nobody to escalate
        return None
    trigger = cross_agent_trigger(charter)
    severity, _ = resolve_severity(charter, trigger, CROSS_AGENT_SIGNAL)
    escalation_id = stable_id("esc", rt.run_id, "dead_letter", message.id)
    return raise_escalation(
        rt,
        escalation_id=escalation_id,
        event_id=stable_id("ev", rt.run_id, "raised", escalation_id),
        source=message.sender,
        trigger=trigger,
        severity=severity,
        summary=f"{message.recipient} did not answer {message.protocol}: {reason}",
        evidence=[f"message:{message.id}"],
        task_id=None,
        correlation_id=message.correlation_id,
    )


__all__ = [
    "CROSS_AGENT_SIGNAL",
    "UNANSWERED_TRIGGER",
    "cross_agent_trigger",
    "expire_overdue_requests",
    "is_late",
    "next_reply_deadline",
]

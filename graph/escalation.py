"""Escalations: severity from the sender's charter table (never from the brain), records,
PM decisions and acknowledgement deadlines.

Rules (documented in docs/graph.md):
- the severity is the sender's table entry for the named trigger; `claimed_severity` is
  ignored;
- when the turn was activated by a signal that one of the sender's IMMEDIATE triggers
  lists, every escalation of that turn is immediate (a data breach is never "standard",
  whatever trigger the brain picked);
- an unknown trigger is a protocol error and the escalation is filed as IMMEDIATE: an
  alarm nobody can classify is never quietly queued;
- system escalations (budgets, repeated violations without a matching trigger) are
  standard unless the sender's table says otherwise.
"""

from __future__ import annotations

from datetime import datetime

from charter.agents.answers import InfoRequest, answer
from charter.protocols import Charter, Decision, Escalation, Severity
from charter.protocols.events import (
    EscalationAcknowledged,
    EscalationDecided,
    EscalationInfoAnswered,
    EscalationInfoRequested,
    EscalationRaised,
    EscalationReescalated,
)

from .ids import stable_id
from .runtime import Runtime

SYSTEM_TRIGGERS = ("Budget Exhausted", "Repeated Authority Violations", "Unanswered Request")


def signal_severity(charter: Charter, signal_kind: str | None) -> tuple[str, Severity] | None:
    """The trigger of `charter` that lists `signal_kind`, immediate ones first."""
    if signal_kind is None:
        return None
    for severity, triggers in (
        (Severity.IMMEDIATE, charter.escalation.immediate),
        (Severity.STANDARD, charter.escalation.standard),
    ):
        for trigger in triggers:
            if signal_kind in trigger.signals:
                return trigger.name, severity
    return None


def resolve_severity(
    charter: Charter, trigger: str, signal_kind: str | None
) -> tuple[Severity, str | None]:
    """(severity, problem) for an escalation `charter.role` raises on `trigger`."""
    severity = charter.escalation.severity_of(trigger)
    problem = None
    if severity is None:
        if trigger in SYSTEM_TRIGGERS:
            severity = Severity.STANDARD
        else:
            problem = (
                f"unknown escalation trigger {trigger!r} for {charter.role}; filed as immediate"
            )
            severity = Severity.IMMEDIATE
    floor = signal_severity(charter, signal_kind)
    if floor is not None and floor[1] is Severity.IMMEDIATE:
        severity = Severity.IMMEDIATE
    return severity, problem


def raise_escalation(
    rt: Runtime,
    *,
    escalation_id: str,
    event_id: str,
    source: str,
    trigger: str,
    severity: Severity,
    summary: str,
    evidence: list[str],
    task_id: str | None,
    correlation_id: str | None,
) -> Escalation:
    existing = rt.store.get_escalation(escalation_id)
    if existing is not None:
        # A re-run node: the record is there, but a crash may have come between it and
        # its event, so the event is appended again (the store ignores a known id).
        _raised_event(rt, existing, event_id)
        return existing
    now = rt.clock.now()
    charter = rt.team.roles.get(source)
    within = (charter.escalation.acknowledge_within if charter else {}).get(severity)
    named = next(
        (
            t
            for t in (charter.escalation.all_triggers() if charter else [])
            if t.name.casefold() == trigger.casefold()
        ),
        None,
    )
    escalation = Escalation(
        id=escalation_id,
        source=source,
        trigger=trigger,
        severity=severity,
        summary=summary,
        evidence=evidence,
        raised_at=now,
        acknowledge_by=now + within if within is not None else None,
        task_id=task_id,
        correlation_id=correlation_id,
        escalated_to=named.target if named is not None else "pm",
    )
    rt.store.upsert_escalation(escalation)
    _raised_event(rt, escalation, event_id)
    return escalation


def _raised_event(rt: Runtime, escalation: Escalation, event_id: str) -> None:
    rt.emit(
        EscalationRaised(
            id=event_id,
            at=escalation.raised_at,
            agent=escalation.source,
            task_id=escalation.task_id,
            correlation_id=escalation.correlation_id,
            escalation=escalation,
        )
    )


def record_decision(rt: Runtime, escalation: Escalation, decision: Decision) -> Escalation:
    """Store the PM's decision once (the event id is derived from the escalation id)."""
    if escalation.decision is not None:
        # Decided before: make sure its event exists too (a crash can fall between the
        # record and the event; the store ignores an event id it holds).
        decided, decision = escalation, escalation.decision
    else:
        decided = escalation.model_copy(update={"decision": decision, "status": "decided"})
        rt.store.upsert_escalation(decided)
    rt.emit(
        EscalationDecided(
            id=stable_id("ev", rt.run_id, "decided", escalation.id),
            at=decision.decided_at,
            agent=escalation.source,
            task_id=escalation.task_id,
            correlation_id=escalation.correlation_id,
            escalation_id=escalation.id,
            decision=decision,
        )
    )
    return decided


def request_info(
    rt: Runtime, request: InfoRequest, *, asked_by: str = "pm"
) -> EscalationInfoAnswered:
    """The PM's "needs info": the question goes to the agent that raised the escalation and
    its answer is recorded on it; the escalation stays open for a decision. Idempotent by
    (escalation, round): a re-run node after a resume emits nothing new (the store ignores
    an event id it holds) and the first recording keeps its time."""
    esc = request.escalation
    base = {"agent": esc.source, "task_id": esc.task_id, "correlation_id": esc.correlation_id}
    asked = EscalationInfoRequested(
        id=stable_id("ev", rt.run_id, "info-asked", esc.id, str(request.round)),
        at=rt.clock.now(),
        escalation_id=esc.id,
        question=request.question,
        round=request.round,
        **{**base, "agent": asked_by},
    )
    rt.emit(asked)
    known = [e for e in answers(rt, esc.id) if e.round == request.round]
    if known:
        return known[0]  # asked and answered before this node re-ran: not asked twice
    answered = EscalationInfoAnswered(
        id=stable_id("ev", rt.run_id, "info-answered", esc.id, str(request.round)),
        at=rt.clock.now(),
        escalation_id=esc.id,
        question=request.question,
        answer=answer(rt.brains.get(esc.source), request),
        round=request.round,
        **base,
    )
    rt.emit(answered)
    return answered


def answers(rt: Runtime, escalation_id: str) -> list[EscalationInfoAnswered]:
    """The agent's answers to the PM's questions on an escalation, oldest first."""
    return [
        event
        for _, event in rt.store.events(kinds={"escalation_info_answered"})
        if isinstance(event, EscalationInfoAnswered) and event.escalation_id == escalation_id
    ]


def acknowledge(rt: Runtime, escalation: Escalation, by: str) -> Escalation:
    if escalation.status != "open":
        return escalation
    acked = escalation.model_copy(update={"status": "acknowledged"})
    rt.store.upsert_escalation(acked)
    rt.emit(
        EscalationAcknowledged(
            id=stable_id("ev", rt.run_id, "acknowledged", escalation.id),
            at=rt.clock.now(),
            agent=by,
            task_id=escalation.task_id,
            correlation_id=escalation.correlation_id,
            escalation_id=escalation.id,
        )
    )
    return acked


def deadline_target(rt: Runtime) -> str:
    """Who hears about a missed acknowledgement deadline: the target of the coordinator's
    deadline trigger in its charter (the shipped PM charter says "user")."""
    coordinator = rt.team.roles.get(rt.coordinator)
    if coordinator is not None:
        for trigger in coordinator.escalation.all_triggers():
            if "deadline" in trigger.name.casefold():
                return trigger.target
    return "user"


def reescalate_overdue(rt: Runtime, now: datetime, to: str | None = None) -> list[Escalation]:
    """Open escalations past their acknowledgement deadline go up a level (PM -> user)."""
    to = to or deadline_target(rt)
    moved: list[Escalation] = []
    for escalation in rt.store.list_escalations(status="open"):
        if escalation.acknowledge_by is None or escalation.acknowledge_by > now:
            continue
        if escalation.escalated_to == to:
            continue
        up = escalation.model_copy(update={"status": "reescalated", "escalated_to": to})
        rt.store.upsert_escalation(up)
        rt.emit(
            EscalationReescalated(
                id=stable_id("ev", rt.run_id, "reescalated", escalation.id, to),
                at=now,
                agent=escalation.source,
                task_id=escalation.task_id,
                correlation_id=escalation.correlation_id,
                escalation_id=escalation.id,
                to=to,
                reason=f"not acknowledged by {escalation.acknowledge_by.isoformat()}",
            )
        )
        moved.append(up)
    return moved


__all__ = [
    "SYSTEM_TRIGGERS",
    "acknowledge",
    "answers",
    "deadline_target",
    "raise_escalation",
    "record_decision",
    "reescalate_overdue",
    "request_info",
    "resolve_severity",
    "signal_severity",
]

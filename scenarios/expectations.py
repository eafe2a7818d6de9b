"""Checking a scenario's expectations against the run's ordered events.

Each check reads only events (the run's history), so it gives the same answer live, after
a resume, or on a finished run directory opened later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fnmatch import fnmatch
from typing import Any

from charter.protocols import Event, Team
from charter.protocols.events import (
    AuthorityChecked,
    DeadLetter,
    EscalationRaised,
    MemoryRecorded,
    MessageSent,
    ReportFiled,
    SignalReceived,
)

from .format import (
    CountExpect,
    EscalationExpect,
    Expectation,
    MemoryExpect,
    MessageExpect,
    MetricExpect,
    ReportExpect,
    WriteExpect,
)


@dataclass(frozen=True)
class ExpectationResult:
    index: int
    check: str
    passed: bool
    detail: str
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "check": self.check,
            "passed": self.passed,
            "detail": self.detail,
            "line": self.line,
        }


def _escalations(events: Sequence[Event], spec: EscalationExpect, start: datetime) -> list[str]:
    found = []
    for event in events:
        if not isinstance(event, EscalationRaised):
            continue
        esc = event.escalation
        if esc.source != spec.source:
            continue
        if spec.trigger and esc.trigger.casefold() != spec.trigger.casefold():
            continue
        if spec.severity and esc.severity != spec.severity:
            continue
        if spec.within is not None and esc.raised_at - start > spec.within:
            continue
        found.append(f"{esc.trigger} ({esc.severity}) at {esc.raised_at:%H:%M}")
    return found


def _latest_status(events: Sequence[Event], spec: EscalationExpect) -> list[str]:
    from charter.protocols.events import EscalationDecided, EscalationReescalated

    statuses: dict[str, str] = {}
    for event in events:
        if isinstance(event, EscalationRaised) and event.escalation.source == spec.source:
            if not spec.trigger or event.escalation.trigger.casefold() == spec.trigger.casefold():
                statuses[event.escalation.id] = "open"
        elif isinstance(event, EscalationDecided) and event.escalation_id in statuses:
            statuses[event.escalation_id] = "decided"
        elif isinstance(event, EscalationReescalated) and event.escalation_id in statuses:
            statuses[event.escalation_id] = "reescalated"
    return [s for s in statuses.values() if s == spec.status]


def _writes(events: Sequence[Event], spec: WriteExpect, allowed: bool) -> list[str]:
    return [
        f"{e.decision.path or e.decision.requested_path} ({e.decision.rule})"
        for e in events
        if isinstance(e, AuthorityChecked)
        and e.decision.role == spec.role
        and e.decision.allowed == allowed
        and fnmatch(e.decision.path or e.decision.requested_path, spec.path)
    ]


def _messages(
    events: Sequence[Event], spec: MessageExpect, dead: bool, start: datetime
) -> list[str]:
    kind = DeadLetter if dead else MessageSent
    out = []
    for event in events:
        if not isinstance(event, kind):
            continue
        message = event.message
        if message.protocol != spec.protocol:
            continue
        if spec.sender and message.sender != spec.sender:
            continue
        if spec.to and message.recipient != spec.to:
            continue
        if spec.within is not None and event.at - start > spec.within:
            continue
        out.append(f"{message.sender}->{message.recipient} {message.protocol} ({message.kind})")
    return out


def _memories(events: Sequence[Event], spec: MemoryExpect) -> list[str]:
    return [
        e.content[:60]
        for e in events
        if isinstance(e, MemoryRecorded) and e.agent == spec.agent and e.memory_kind == spec.kind
    ]


def _reports(events: Sequence[Event], spec: ReportExpect) -> tuple[list[str], list[str]]:
    matching: list[str] = []
    others: list[str] = []
    for e in events:
        if isinstance(e, ReportFiled) and e.agent == spec.source:
            (matching if e.report.status == spec.status else others).append(e.report.status)
    return matching, others


def _metric(events: Sequence[Event], spec: MetricExpect, team: Team) -> tuple[float | None, str]:
    from charter.agents.data.scorecard import compute_scorecard

    metrics = [m for c in team.roles.values() for m in c.success_metrics if m.key == spec.key]
    if metrics:
        line = compute_scorecard(events, metrics[:1]).lines[0]
        if line.value is not None:
            return line.value, f"scorecard {line.key}={line.value}"
    values = [
        e.report.metrics[spec.key]
        for e in events
        if isinstance(e, ReportFiled) and spec.key in e.report.metrics
    ]
    if values:
        return values[-1], f"reported {spec.key}={values[-1]}"
    return None, f"no value for {spec.key}"


def _count(events: Sequence[Event], spec: CountExpect, signals: bool) -> int:
    if signals:
        return sum(
            1 for e in events if isinstance(e, SignalReceived) and e.signal.kind == spec.kind
        )
    return sum(1 for e in events if e.kind == spec.kind)


def evaluate(
    expectations: Sequence[Expectation],
    events: Sequence[Event],
    *,
    start: datetime,
    team: Team,
    digest: str,
    lines: Sequence[int | None] = (),
) -> list[ExpectationResult]:
    results = []
    for index, expectation in enumerate(expectations):
        name, spec = expectation.check
        passed, detail = _judge(name, spec, events, start, team, digest)
        line = lines[index] if index < len(lines) else None
        results.append(ExpectationResult(index, name, passed, detail, line))
    return results


def _judge(
    name: str, spec: Any, events: Sequence[Event], start: datetime, team: Team, digest: str
) -> tuple[bool, str]:
    match name:
        case "escalation" | "no_escalation":
            found = _escalations(events, spec, start)
            if spec.status is not None:
                found = found if _latest_status(events, spec) else []
            if name == "no_escalation":
                return not found, "none raised" if not found else f"raised: {', '.join(found)}"
            return bool(found), ", ".join(found) or "no matching escalation"
        case "write_denied" | "write_allowed":
            found = _writes(events, spec, allowed=name == "write_allowed")
            verb = "allowed" if name == "write_allowed" else "denied"
            return bool(found), ", ".join(found[:3]) or f"no {verb} write by {spec.role}"
        case "message" | "no_message" | "dead_letter":
            found = _messages(events, spec, dead=name == "dead_letter", start=start)
            if name == "no_message":
                return not found, "none sent" if not found else f"sent: {', '.join(found[:3])}"
            return bool(found), ", ".join(found[:3]) or f"no {spec.protocol} {name}"
        case "memory":
            found = _memories(events, spec)
            return bool(found), (found[0] if found else f"no {spec.kind} memory of {spec.agent}")
        case "report":
            matching, others = _reports(events, spec)
            if matching:
                return True, f"{len(matching)} report(s) with status {spec.status}"
            return False, f"report statuses: {', '.join(others) or 'none filed'}"
        case "metric":
            value, detail = _metric(events, spec, team)
            ok = value is not None
            if ok and spec.min is not None:
                ok = value is not None and value >= spec.min
            if ok and spec.max is not None:
                ok = value is not None and value <= spec.max
            bounds = f"[{spec.min if spec.min is not None else '-inf'}, "
            bounds += f"{spec.max if spec.max is not None else 'inf'}]"
            return ok, f"{detail}, expected within {bounds}"
        case "events" | "signal":
            count = _count(events, spec, signals=name == "signal")
            ok = count >= spec.min and (spec.max is None or count <= spec.max)
            return ok, f"{count} x {spec.kind}"
        case "digest":
            return digest == spec, f"digest {digest[:16]}..."
    raise AssertionError(f"unhandled expectation {name}")


__all__ = ["ExpectationResult", "evaluate"]

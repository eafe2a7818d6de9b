"""Checking a scenario's expectations against the run's ordered events.

Each check reads only events (the run's history), so it gives the same answer live, after
a resume, or on a finished run directory opened later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fnmatch import fnmatch
from typing import Any

from charter.protocols import Escalation, Event, Team
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
    PausedExpect,
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


def _offset(at: datetime, start: datetime) -> str:
    """`01:25 (+00:25)`: the clock time and how long after the scenario's start."""
    seconds = int((at - start).total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    return f"{at:%H:%M} ({sign}{hours:02d}:{rest // 60:02d})"


def _escalation_misses(
    esc: Escalation, spec: EscalationExpect, start: datetime, statuses: dict[str, str]
) -> list[str]:
    """Why one raised escalation does not match `spec` (nothing: it matches)."""
    misses = []
    if esc.source != spec.source:
        misses.append(f"from {esc.source}")
    if spec.trigger and esc.trigger.casefold() != spec.trigger.casefold():
        misses.append("another trigger")
    if spec.severity and esc.severity != spec.severity:
        misses.append(f"severity {esc.severity}")
    if spec.within is not None and esc.raised_at - start > spec.within:
        misses.append("outside the window")
    if spec.status is not None and statuses.get(esc.id) != spec.status:
        misses.append(f"status {statuses.get(esc.id, 'open')}")
    return misses


def _statuses(events: Sequence[Event]) -> dict[str, str]:
    """Each escalation's latest status, from its events."""
    from charter.protocols.events import (
        EscalationAcknowledged,
        EscalationDecided,
        EscalationReescalated,
    )

    statuses: dict[str, str] = {}
    for event in events:
        if isinstance(event, EscalationRaised):
            statuses[event.escalation.id] = "open"
        elif isinstance(event, EscalationAcknowledged) and event.escalation_id in statuses:
            statuses[event.escalation_id] = "acknowledged"
        elif isinstance(event, EscalationDecided) and event.escalation_id in statuses:
            statuses[event.escalation_id] = "decided"
        elif isinstance(event, EscalationReescalated) and event.escalation_id in statuses:
            statuses[event.escalation_id] = "reescalated"
    return statuses


def _escalations(
    events: Sequence[Event], spec: EscalationExpect, start: datetime
) -> tuple[list[str], list[str]]:
    """The matching escalations, and the nearest misses with what kept each out."""
    statuses = _statuses(events)
    found: list[str] = []
    near: list[tuple[int, str]] = []
    for event in events:
        if not isinstance(event, EscalationRaised):
            continue
        esc = event.escalation
        label = (
            f"{esc.trigger!r} ({esc.severity}) by {esc.source} at {_offset(esc.raised_at, start)}"
        )
        misses = _escalation_misses(esc, spec, start, statuses)
        if not misses:
            found.append(label)
        else:
            # Same trigger first: the likeliest one the author had in mind.
            same = not spec.trigger or esc.trigger.casefold() == spec.trigger.casefold()
            near.append((len(misses) - (2 if same else 0), f"{label}, {', '.join(misses)}"))
    near.sort(key=lambda item: item[0])
    return found, [text for _, text in near]


def _wanted_escalation(spec: EscalationExpect) -> str:
    parts = [f"from {spec.source}"]
    if spec.trigger:
        parts.append(f"trigger {spec.trigger!r}")
    if spec.severity:
        parts.append(f"severity {spec.severity}")
    if spec.status:
        parts.append(f"status {spec.status}")
    if spec.within is not None:
        parts.append(f"within {_span(spec.within)}")
    return ", ".join(parts)


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds()) // 60
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours}h{minutes:02d}m"
    return f"{hours}h" if hours else f"{minutes}m"


def _found_instead(near: Sequence[str], none: str) -> str:
    if not near:
        return none
    more = f" (and {len(near) - 3} more)" if len(near) > 3 else ""
    return "found " + "; ".join(near[:3]) + more


def _writes(
    events: Sequence[Event], spec: WriteExpect, allowed: bool
) -> tuple[list[str], list[str]]:
    """Matching authority decisions, and the same role's other ones (what it did instead)."""
    found: list[str] = []
    others: list[str] = []
    for e in events:
        if not isinstance(e, AuthorityChecked) or e.decision.role != spec.role:
            continue
        path = e.decision.path or e.decision.requested_path
        verdict = "allowed" if e.decision.allowed else "denied"
        if e.decision.allowed == allowed and fnmatch(path, spec.path):
            found.append(f"{path} ({e.decision.rule})")
        else:
            others.append(f"{path} {verdict} ({e.decision.rule})")
    return found, others


def _messages(
    events: Sequence[Event], spec: MessageExpect, dead: bool, start: datetime
) -> tuple[list[str], list[str]]:
    """Matching messages, and the nearest misses with what kept each out."""
    kind = DeadLetter if dead else MessageSent
    found: list[str] = []
    near: list[tuple[int, str]] = []
    for event in events:
        if not isinstance(event, kind):
            continue
        message = event.message
        label = (
            f"{message.sender}->{message.recipient} {message.protocol} ({message.kind}) "
            f"at {_offset(event.at, start)}"
        )
        misses = []
        if message.protocol != spec.protocol:
            misses.append("another protocol")
        if spec.sender and message.sender != spec.sender:
            misses.append(f"from {message.sender}")
        if spec.to and message.recipient != spec.to:
            misses.append(f"to {message.recipient}")
        if spec.within is not None and event.at - start > spec.within:
            misses.append("outside the window")
        if not misses:
            found.append(label)
        else:
            same = message.protocol == spec.protocol
            near.append((len(misses) - (2 if same else 0), f"{label}, {', '.join(misses)}"))
    near.sort(key=lambda item: item[0])
    return found, [text for _, text in near]


def _wanted_message(spec: MessageExpect, name: str) -> str:
    what = {"dead_letter": "dead letter", "no_message": "message"}.get(name, name)
    parts = [f"no {spec.protocol} {what}"]
    if spec.sender:
        parts.append(f"from {spec.sender}")
    if spec.to:
        parts.append(f"to {spec.to}")
    if spec.within is not None:
        parts.append(f"within {_span(spec.within)}")
    return " ".join(parts)


def _memories(events: Sequence[Event], spec: MemoryExpect) -> tuple[list[str], list[str]]:
    found: list[str] = []
    kinds: dict[str, int] = {}
    for e in events:
        if isinstance(e, MemoryRecorded) and e.agent == spec.agent:
            if e.memory_kind == spec.kind:
                found.append(e.content[:60])
            else:
                kinds[e.memory_kind] = kinds.get(e.memory_kind, 0) + 1
    return found, [f"{kind} x{count}" for kind, count in sorted(kinds.items())]


def _paused(paused_on: Sequence[Escalation], spec: PausedExpect) -> list[Escalation]:
    return [
        e
        for e in paused_on
        if (spec.source is None or e.source == spec.source)
        and (spec.trigger is None or e.trigger.casefold() == spec.trigger.casefold())
    ]


def _describe_pause(escalations: Sequence[Escalation], start: datetime) -> str:
    return ", ".join(
        f"{e.id} {e.trigger!r} ({e.severity}) by {e.source} raised at {_offset(e.raised_at, start)}"
        for e in escalations
    )


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
    paused_on: Sequence[Escalation] = (),
) -> list[ExpectationResult]:
    """Every expectation's verdict, in file order. `paused_on`: the undecided immediate
    escalations the run ended waiting on; unless an expectation says `paused`, such an
    end is one more failed result (a run stuck on a question is not a pass)."""
    results = []
    context = _Context(events, start, team, digest, paused_on)
    for index, expectation in enumerate(expectations):
        name, spec = expectation.check
        passed, detail = _judge(name, spec, context)
        line = lines[index] if index < len(lines) else None
        results.append(ExpectationResult(index, name, passed, detail, line))
    expects_pause = any(e.paused is not None for e in expectations)
    if paused_on and not expects_pause:
        results.append(
            ExpectationResult(
                len(results),
                "ends_paused",
                False,
                f"the run ended paused on {_describe_pause(paused_on, start)}, never decided; "
                "decide it with a `decide` timeline step or a PM policy, or expect it with "
                "`- paused: {trigger: ...}`",
            )
        )
    return results


@dataclass(frozen=True)
class _Context:
    events: Sequence[Event]
    start: datetime
    team: Team
    digest: str
    paused_on: Sequence[Escalation]


def _judge(name: str, spec: Any, ctx: _Context) -> tuple[bool, str]:
    events, start = ctx.events, ctx.start
    match name:
        case "escalation" | "no_escalation":
            found, near = _escalations(events, spec, start)
            if name == "no_escalation":
                return not found, "none raised" if not found else f"raised: {', '.join(found)}"
            if found:
                return True, ", ".join(found)
            wanted = f"no escalation {_wanted_escalation(spec)}"
            return False, f"{wanted}; {_found_instead(near, 'none was raised at all')}"
        case "write_denied" | "write_allowed":
            found, others = _writes(events, spec, allowed=name == "write_allowed")
            if found:
                return True, ", ".join(found[:3])
            verb = "allowed" if name == "write_allowed" else "denied"
            wanted = f"no {verb} write by {spec.role} matching {spec.path!r}"
            return False, f"{wanted}; {_found_instead(others, f'{spec.role} wrote nothing')}"
        case "message" | "no_message" | "dead_letter":
            found, near = _messages(events, spec, dead=name == "dead_letter", start=start)
            if name == "no_message":
                return not found, "none sent" if not found else f"sent: {', '.join(found[:3])}"
            if found:
                return True, ", ".join(found[:3])
            none = "no dead letters at all" if name == "dead_letter" else "no messages at all"
            return False, f"{_wanted_message(spec, name)}; {_found_instead(near, none)}"
        case "memory":
            found, kinds = _memories(events, spec)
            if found:
                return True, found[0]
            instead = f"{spec.agent} recorded " + ", ".join(kinds) if kinds else "none recorded"
            return False, f"no {spec.kind} memory of {spec.agent}; {instead}"
        case "report":
            matching, others = _reports(events, spec)
            if matching:
                return True, f"{len(matching)} report(s) with status {spec.status}"
            return False, (
                f"no {spec.status} report from {spec.source}; "
                f"its report statuses: {', '.join(others) or 'none filed'}"
            )
        case "metric":
            value, detail = _metric(events, spec, ctx.team)
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
            if ok:
                return True, f"{count} x {spec.kind}"
            upper = f" and at most {spec.max}" if spec.max is not None else ""
            return False, f"{count} x {spec.kind}; expected at least {spec.min}{upper}"
        case "paused":
            waiting = _paused(ctx.paused_on, spec)
            if waiting:
                return True, f"paused on {_describe_pause(waiting, start)}"
            if ctx.paused_on:
                return False, f"paused on another: {_describe_pause(ctx.paused_on, start)}"
            return False, "the run did not end paused (nothing waits on a decision)"
        case "digest":
            return ctx.digest == spec, f"digest {ctx.digest[:16]}..."
    raise AssertionError(f"unhandled expectation {name}")


__all__ = ["ExpectationResult", "evaluate"]

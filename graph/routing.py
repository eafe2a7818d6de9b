"""Routing: who takes a work item.

Tasks go to `assigned_to` or to the role the PM's policy picks; signals go to the first
role (in team order, the single-instance specialist first) whose automatic activation
lists the signal kind, else to one whose escalation table lists it; messages go to their
recipient.
"""

from __future__ import annotations

from charter.agents.policies.pm import route_task
from charter.protocols import Signal, TaskAssignment
from charter.protocols.events import SignalReceived, TaskSubmitted

from .runtime import Runtime
from .state import WorkItem


def load_payload(rt: Runtime, work: WorkItem) -> TaskAssignment | Signal | None:
    found = rt.store.events(since=work["seq"] - 1, limit=1)
    if not found:
        return None
    event = found[0][1]
    if isinstance(event, TaskSubmitted):
        return event.task
    if isinstance(event, SignalReceived):
        return event.signal
    return None


def _signal_order(rt: Runtime) -> list[str]:
    roles = list(rt.team.roles)
    return sorted(roles, key=lambda r: (not rt.team.roles[r].single_instance, roles.index(r)))


def route(rt: Runtime, work: WorkItem) -> tuple[str | None, str]:
    """(role or None, reason)."""
    if work["kind"] in ("task", "fire"):
        payload = load_payload(rt, work)
        assert isinstance(payload, TaskAssignment)
        if payload.assigned_to is not None:
            if payload.assigned_to not in rt.team.roles:
                return None, f"assigned to unknown role {payload.assigned_to!r}"
            if payload.assigned_to == rt.coordinator:
                return None, f"the {rt.coordinator} does not take tasks; it routes them"
            return payload.assigned_to, "assigned by the submitter"
        return route_task(payload, rt.team, rt.coordinator)
    if work["kind"] == "signal":
        kind = work["cause"].removeprefix("signal:")
        order = _signal_order(rt)
        for role in order:
            if any(kind in t.signals for t in rt.team.roles[role].activation.automatic):
                return role, f"{role} activates automatically on {kind}"
        for role in order:
            if any(kind in t.signals for t in rt.team.roles[role].escalation.all_triggers()):
                return role, f"{role}'s escalation table lists {kind}"
        return None, f"no role activates on {kind}"
    recipient = work["agent"]
    return recipient, "message recipient"


__all__ = ["load_payload", "route"]

"""The PM's rule policy: route tasks by keywords and charters, and decide immediate
escalations by a fixed policy. The PM never writes code and never takes tasks itself."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from charter.protocols import (
    Action,
    AgentView,
    Decision,
    DecisionVerdict,
    Escalation,
    TaskAssignment,
    Team,
)

PmPolicyName = Literal["approve", "deny", "wait"]


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.casefold()))


def route_task(task: TaskAssignment, team: Team, coordinator: str = "pm") -> tuple[str, str]:
    """(role, reason): the role whose manual-activation keywords best match the task's words.

    Multi-word keywords must appear as a phrase; ties go to the role listed first. With no
    match at all the task goes to the first non-coordinator role that writes code.
    """
    text = " ".join([task.title, task.task, *task.context]).casefold()
    words = _words(text)
    best: tuple[int, str, list[str]] | None = None
    for role, charter in team.roles.items():
        if role == coordinator:
            continue
        hits = []
        for trigger in charter.activation.manual:
            for keyword in trigger.keywords:
                key = keyword.casefold().strip()
                matched = key in text if " " in key else key in words
                if key and matched:
                    hits.append(keyword)
        if hits and (best is None or len(hits) > best[0]):
            best = (len(hits), role, hits)
    if best is not None:
        return best[1], f"keywords {', '.join(sorted(set(best[2])))} match {best[1]}'s charter"
    fallback = next((r for r, c in team.roles.items() if r != coordinator and c.writes_code), None)
    if fallback is None:
        fallback = next(r for r in team.roles if r != coordinator)
    return fallback, "no charter keyword matched; default role"


def decide_escalation(
    escalation: Escalation, policy: PmPolicyName, now_iso: str
) -> Decision | None:
    """The default PM's decision on an immediate escalation, or None to wait for a person."""
    if policy == "wait":
        return None
    verdict: DecisionVerdict = "approve" if policy == "approve" else "deny"
    return Decision.model_validate(
        {
            "verdict": verdict,
            "note": f"PM policy '{policy}': {escalation.trigger} from {escalation.source}",
            "decided_by": "pm-policy",
            "decided_at": now_iso,
        }
    )


class PmBrain:
    """When the PM itself gets a turn (a signal nobody else handles), it only reports."""

    def decide(self, view: AgentView) -> Sequence[Action]:
        return []


__all__ = ["PmBrain", "PmPolicyName", "decide_escalation", "route_task"]

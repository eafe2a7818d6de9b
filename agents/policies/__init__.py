"""The rule brains (deterministic policies), one per role, behind the Brain interface."""

from __future__ import annotations

from collections.abc import Sequence

from charter.protocols import Action, AgentView, Team

from ..brain import Brain
from .architect import ArchitectBrain
from .data import DataBrain
from .direct import DIRECT_ACTIONS, direct_plan
from .engineer import EngineerBrain
from .integration import IntegrationBrain
from .pm import PmBrain, decide_escalation, route_task
from .security import SecurityBrain
from .simple import AreaWriterBrain, simple_brain


def rule_brain(role: str) -> Brain:
    """The deterministic policy for `role` (any unknown role writes notes in its area)."""
    brains: dict[str, Brain] = {
        "data": DataBrain(),
        "architect": ArchitectBrain(),
        "security": SecurityBrain(),
        "engineer": EngineerBrain(),
        "integration": IntegrationBrain(),
        "pm": PmBrain(),
    }
    return brains.get(role) or simple_brain(role)


class RuleBrain:
    """The deterministic brain of one role: the role's policy from this package."""

    def __init__(self, role: str) -> None:
        self.role = role
        self._policy = rule_brain(role)

    def decide(self, view: AgentView) -> Sequence[Action]:
        # A task that names its action is carried out as written, by any role.
        direct = direct_plan(view)
        return direct if direct is not None else self._policy.decide(view)


def default_brains(team: Team) -> dict[str, Brain]:
    return {role: RuleBrain(role) for role in team.roles}


__all__ = [
    "DIRECT_ACTIONS",
    "ArchitectBrain",
    "AreaWriterBrain",
    "DataBrain",
    "EngineerBrain",
    "IntegrationBrain",
    "PmBrain",
    "RuleBrain",
    "SecurityBrain",
    "decide_escalation",
    "default_brains",
    "direct_plan",
    "route_task",
    "rule_brain",
    "simple_brain",
]

"""A role's charter: what it may write, when it escalates, what wakes it, who it talks to,
what it remembers and how it is measured. Shipped charters live in
`agents/charters/*.yaml`; these types are their schema."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .base import StrictModel
from .memory_kinds import MemoryKind


class Severity(StrEnum):
    IMMEDIATE = "immediate"  # "Alert PM Immediately": pauses the affected work
    STANDARD = "standard"  # "Standard Escalation": queued, work goes on


class PathRule(StrictModel):
    """One writing-authority pattern (gitignore semantics, `{a,b}` braces expanded) and the
    patterns carved out of it ("frontend, except data visualisation")."""

    pattern: str = Field(min_length=1)
    exceptions: list[str] = Field(default_factory=list)
    note: str = ""  # the prose this pattern was derived from, if any

    @field_validator("pattern", "exceptions")
    @classmethod
    def _no_negation(cls, value: str | list[str]) -> str | list[str]:
        # `!pattern` re-inclusion has surprising semantics inside one spec (see DESIGN.md);
        # carve-outs belong in `exceptions`.
        items = [value] if isinstance(value, str) else value
        for item in items:
            if item.startswith("!"):
                raise ValueError(f"pattern {item!r}: use 'exceptions' instead of '!' negation")
            if not item.strip():
                raise ValueError("pattern must not be blank")
        return value


class Authorities(StrictModel):
    exclusive: list[PathRule] = Field(default_factory=list)
    forbidden: list[PathRule] = Field(default_factory=list)
    shared: list[PathRule] = Field(default_factory=list)


class EscalationTrigger(StrictModel):
    """A named trigger ("Data Breaches") and the signal kinds that fire it."""

    name: str = Field(min_length=1)
    description: str = ""
    signals: list[str] = Field(default_factory=list)
    target: str = "pm"  # who decides: the PM, or "user" for the PM's own escalations


class EscalationTable(StrictModel):
    immediate: list[EscalationTrigger] = Field(default_factory=list)
    standard: list[EscalationTrigger] = Field(default_factory=list)
    # How long the PM has to acknowledge, per severity, before it re-escalates.
    acknowledge_within: dict[Severity, timedelta] = Field(
        default_factory=lambda: {
            Severity.IMMEDIATE: timedelta(minutes=15),
            Severity.STANDARD: timedelta(hours=24),
        }
    )

    def severity_of(self, trigger: str) -> Severity | None:
        """The severity the table assigns to `trigger` (case-insensitive), or None."""
        wanted = trigger.strip().casefold()
        for severity, triggers in (
            (Severity.IMMEDIATE, self.immediate),
            (Severity.STANDARD, self.standard),
        ):
            if any(t.name.casefold() == wanted for t in triggers):
                return severity
        return None

    def all_triggers(self) -> list[EscalationTrigger]:
        return [*self.immediate, *self.standard]


class ActivationTrigger(StrictModel):
    """An automatic (signal-driven) or manual (task-driven) reason to activate a role."""

    name: str = Field(min_length=1)
    description: str = ""
    signals: list[str] = Field(default_factory=list)  # automatic: signal kinds
    keywords: list[str] = Field(default_factory=list)  # manual: words the PM routes on


class Schedule(StrictModel):
    """A scheduled activation: a cron expression or a fixed interval, in a timezone."""

    name: str = Field(min_length=1)
    cron: str | None = None
    interval: timedelta | None = None
    timezone: str = "UTC"
    monitor: str | None = None  # the check that runs when it fires
    misfire: Literal["coalesce", "run_once_late", "skip"] = "coalesce"

    @model_validator(mode="after")
    def _one_timing(self) -> Schedule:
        if (self.cron is None) == (self.interval is None):
            raise ValueError(f"schedule {self.name!r}: give exactly one of 'cron' or 'interval'")
        if self.interval is not None and self.interval <= timedelta(0):
            raise ValueError(f"schedule {self.name!r}: interval must be positive")
        return self


class ActivationTable(StrictModel):
    automatic: list[ActivationTrigger] = Field(default_factory=list)
    manual: list[ActivationTrigger] = Field(default_factory=list)
    scheduled: list[Schedule] = Field(default_factory=list)


class CoordinationPartner(StrictModel):
    """A partner role, the topics the seed lists for it, and the protocols that carry them."""

    role: str = Field(min_length=1)
    topics: list[str] = Field(default_factory=list)
    protocols: list[str] = Field(default_factory=list)


class MemoryPolicy(StrictModel):
    kind: MemoryKind
    retention: timedelta | None = None  # None keeps records until erased


Comparison = Literal["<", "<=", ">", ">=", "=="]


class SuccessMetric(StrictModel):
    """A success metric with its target, e.g. query p95 < 100 ms."""

    key: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    comparison: Comparison
    target: float
    unit: str = ""

    def met_by(self, value: float) -> bool:
        match self.comparison:
            case "<":
                return value < self.target
            case "<=":
                return value <= self.target
            case ">":
                return value > self.target
            case ">=":
                return value >= self.target
            case "==":
                return value == self.target


RoleKind = Literal["specialist", "core", "coordinator"]


class Charter(StrictModel):
    """Everything Charter enforces about one role."""

    role: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_-]*$")
    title: str
    kind: RoleKind = "core"
    model: str | None = None
    description: str = ""
    authorities: Authorities = Field(default_factory=Authorities)
    escalation: EscalationTable = Field(default_factory=EscalationTable)
    activation: ActivationTable = Field(default_factory=ActivationTable)
    coordination: list[CoordinationPartner] = Field(default_factory=list)
    memory: list[MemoryPolicy] = Field(default_factory=list)
    success_metrics: list[SuccessMetric] = Field(default_factory=list)
    single_instance: bool = False
    writes_code: bool = True  # the PM routes and decides; it never writes code

    @property
    def memory_kinds(self) -> list[MemoryKind]:
        return [policy.kind for policy in self.memory]

    def partner(self, role: str) -> CoordinationPartner | None:
        return next((p for p in self.coordination if p.role == role), None)


class PrecedenceRule(StrictModel):
    """Resolves two roles claiming one path equally specifically: `owner` wins `pattern`."""

    pattern: str
    owner: str
    reason: str = ""


class Team(StrictModel):
    """The roles of one run and the team-level precedence entries."""

    name: str = "default"
    roles: dict[str, Charter]
    precedence: list[PrecedenceRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _keys_match_roles(self) -> Team:
        for key, charter in self.roles.items():
            if key != charter.role:
                raise ValueError(
                    f"team role key {key!r} does not match charter role {charter.role!r}"
                )
        return self


__all__ = [
    "ActivationTable",
    "ActivationTrigger",
    "Authorities",
    "Charter",
    "Comparison",
    "CoordinationPartner",
    "EscalationTable",
    "EscalationTrigger",
    "MemoryPolicy",
    "PathRule",
    "PrecedenceRule",
    "RoleKind",
    "Schedule",
    "Severity",
    "SuccessMetric",
    "Team",
]

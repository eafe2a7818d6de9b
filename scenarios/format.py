"""The scenario format: pydantic models, unknown keys rejected (see docs/scenarios.md).

name: nightly-pipeline-failure
seed: 7
start: 2026-03-02T01:00:00Z
team: default
workspace:
  databases: [{name: orders.db, generate: orders_demo, rows: 400}]
schedules:
  - {role: data, monitor: pipeline_health, cron: "*/15 * * * *"}
timeline:
  - at: "+00:40"
    fault: {pipeline: load_orders, fails_with: "duplicate key value", database: orders.db}
pm: {policy: approve}
expect:
  - escalation: {from: data, trigger: Pipeline Failures, severity: immediate, within: 30m}
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from charter.protocols import MemoryKind, ReportStatus, Severity, StrictModel, UtcDatetime

_DURATION = re.compile(r"^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$")
_CLOCK = re.compile(r"^(?:(\d+)d\s*)?(\d{1,3}):(\d{2})(?::(\d{2}))?$")


def parse_duration(value: Any) -> timedelta:
    """`30m`, `2h`, `1h30m`, `1d`, `45s`, `HH:MM[:SS]` or a number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return timedelta(seconds=value)
    text = str(value).strip()
    clock = _CLOCK.match(text)
    if clock:
        days, hours, minutes, seconds = (int(g or 0) for g in clock.groups())
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    match = _DURATION.match(text)
    if text and match and any(match.groups()):
        days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    raise ValueError(f"duration {text!r}: expected e.g. '30m', '2h', '1h30m', '1d' or 'HH:MM'")


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def _parse_at(value: Any) -> datetime | timedelta:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("absolute time must carry a timezone, e.g. 2026-03-02T01:40:00Z")
        return value.astimezone(UTC)
    text = str(value).strip()
    if text.startswith("+"):
        return parse_duration(text[1:])
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"at {text!r}: expected an offset '+HH:MM' from start or an ISO time with zone"
        ) from None
    if parsed.tzinfo is None:
        raise ValueError("absolute time must carry a timezone, e.g. 2026-03-02T01:40:00Z")
    return parsed.astimezone(UTC)


At = Annotated[datetime | timedelta, BeforeValidator(_parse_at)]


# --- workspace ---------------------------------------------------------------------------


class FileSpec(StrictModel):
    path: str = Field(min_length=1)
    content: str | None = None
    source: str | None = Field(default=None, alias="from")  # a file beside the scenario

    @model_validator(mode="after")
    def _one_body(self) -> FileSpec:
        if (self.content is None) == (self.source is None):
            raise ValueError(f"file {self.path!r}: give exactly one of 'content' or 'from'")
        return self


class TableSpec(StrictModel):
    columns: dict[str, str] = Field(min_length=1)  # name -> SQL type
    rows: list[list[Any]] = Field(default_factory=list)
    primary_key: list[str] = Field(default_factory=list)
    indexes: list[list[str]] = Field(default_factory=list)


class DatabaseSpec(StrictModel):
    name: str = Field(default="data.db", pattern=r"^[A-Za-z0-9_.-]+\.db$")
    generate: str | None = None  # a named generator (scenarios.workspace.GENERATORS)
    rows: int = Field(default=400, ge=1, le=1_000_000)
    options: dict[str, Any] = Field(default_factory=dict)
    tables: dict[str, TableSpec] = Field(default_factory=dict)
    backup: bool = False  # also write a verified copy under datasets/backups/


class Workspace(StrictModel):
    files: list[FileSpec] = Field(default_factory=list)
    databases: list[DatabaseSpec] = Field(default_factory=list)
    database: DatabaseSpec | None = None  # shorthand for one database
    classifications: dict[str, Literal["public", "internal", "confidential", "restricted"]] = Field(
        default_factory=dict
    )

    def all_databases(self) -> list[DatabaseSpec]:
        return [*([self.database] if self.database else []), *self.databases]


# --- schedules and timeline --------------------------------------------------------------


class ScheduleSpec(StrictModel):
    role: str
    name: str | None = None  # defaults to the monitor's name
    cron: str | None = None
    interval: Duration | None = None
    timezone: str = "UTC"
    monitor: str | None = None
    misfire: Literal["coalesce", "run_once_late", "skip"] = "coalesce"
    options: dict[str, Any] = Field(default_factory=dict)  # passed to the monitor

    @model_validator(mode="after")
    def _named(self) -> ScheduleSpec:
        if self.name is None:
            self.name = self.monitor or "schedule"
        if self.interval is not None and self.interval <= timedelta(0):
            raise ValueError(f"schedule {self.name!r}: interval must be longer than zero")
        return self


class SignalStep(StrictModel):
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    source: str = "scenario"
    payload: dict[str, Any] = Field(default_factory=dict)


class TaskStep(StrictModel):
    """A task for the team. With `action` the task names exactly what the agent `to` does
    (any role, through the gate like any other action) instead of leaving it to the
    role's task planner: `write_file` with `path` (and `content`), or `send_message`
    with `send_to`, `protocol` (and `payload`)."""

    title: str | None = None
    text: str = ""  # required unless `action` says what to do
    to: str | None = None
    inputs: dict[str, Any] = Field(default_factory=dict)
    action: Literal["write_file", "send_message"] | None = None
    path: str | None = Field(default=None, min_length=1)
    content: str | None = None
    send_to: str | None = None
    protocol: str | None = None
    payload: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _action_fields(self) -> TaskStep:
        fields = {
            "write_file": {"path", "content"},
            "send_message": {"send_to", "protocol", "payload"},
        }
        given = {name for name in ("path", "content", "send_to", "protocol", "payload")
                 if getattr(self, name) is not None}  # fmt: skip
        if "action" in self.inputs:  # the rule brains read it: only the checked key may set it
            raise ValueError("inputs.action: give the action as the step's own 'action' key")
        if self.action is None:
            if given:
                first = sorted(given)[0]
                raise ValueError(
                    f"{first!r} belongs to a direct action; add 'action: write_file' or "
                    "'action: send_message'"
                )
            if not self.text.strip():
                raise ValueError("a task needs 'text' (what to do) or an 'action'")
            return self
        stray = given - fields[self.action]
        if stray:
            raise ValueError(
                f"action {self.action}: {', '.join(sorted(stray))} not used; expected only "
                f"{', '.join(sorted(fields[self.action]))}"
            )
        needed = {"write_file": ["path"], "send_message": ["send_to", "protocol"]}
        missing = [name for name in needed[self.action] if getattr(self, name) is None]
        if missing:
            raise ValueError(f"action {self.action}: {', '.join(missing)} required")
        if self.to is None:
            raise ValueError(f"action {self.action}: 'to' required (the agent that acts)")
        return self

    def direct_inputs(self) -> dict[str, Any]:
        """The task's inputs, with the direct action the rule brains carry out."""
        if self.action is None:
            return dict(self.inputs)
        extra: dict[str, Any] = {"action": self.action}
        if self.action == "write_file":
            extra |= {"path": self.path, "content": self.content or ""}
        else:
            extra |= {"send_to": self.send_to, "protocol": self.protocol,
                      "payload": self.payload or {}}  # fmt: skip
        return {**self.inputs, **extra}

    @property
    def description(self) -> str:
        if self.text.strip():
            return self.text
        target = self.path if self.action == "write_file" else f"{self.protocol} to {self.send_to}"
        return f"{self.action} {target}"


class DecideStep(StrictModel):
    """The PM decides the open escalation(s) matching `trigger` (any open one if absent)."""

    trigger: str | None = None
    verdict: Literal["approve", "deny", "needs_info"]
    note: str = ""


class FaultStep(StrictModel):
    """One injected fault. `pipeline` + `fails_with`: a failed row in `pipeline_runs`;
    `nulls`: a column gains nulls; `brain`: a role's brain raises or goes silent."""

    pipeline: str | None = None
    fails_with: str | None = None
    database: str = "data.db"
    details: dict[str, Any] = Field(default_factory=dict)  # joins the failure's signal
    nulls: NullFault | None = None
    brain: BrainFault | None = None

    @model_validator(mode="after")
    def _one_fault(self) -> FaultStep:
        kinds = [self.pipeline is not None, self.nulls is not None, self.brain is not None]
        if sum(kinds) != 1:
            raise ValueError("give exactly one fault: 'pipeline', 'nulls' or 'brain'")
        if self.pipeline is not None and not self.fails_with:
            raise ValueError(f"pipeline {self.pipeline!r}: 'fails_with' (the error) is required")
        return self

    @property
    def label(self) -> str:
        if self.pipeline is not None:
            return "pipeline_failed"
        return "column_nulls" if self.nulls is not None else "brain_fault"


class NullFault(StrictModel):
    table: str
    column: str
    share: float = Field(gt=0.0, le=1.0)


class BrainFault(StrictModel):
    role: str
    behaviour: Literal["raises", "silent"] = "raises"
    message: str = "injected brain failure"


class UsageStep(StrictModel):
    """AI API spend by a role's brain (as a Claude brain records it), for cost scenarios."""

    role: str = "data"
    model: str = "claude-sonnet"
    input_tokens: int = Field(default=0, ge=0)
    output_tokens: int = Field(default=0, ge=0)
    cost_usd: float = Field(ge=0.0)


class TimelineStep(StrictModel):
    at: At
    signal: SignalStep | None = None
    task: TaskStep | None = None
    decide: DecideStep | None = None
    fault: FaultStep | None = None
    ai_usage: UsageStep | None = None

    @model_validator(mode="after")
    def _one_action(self) -> TimelineStep:
        actions = (self.signal, self.task, self.decide, self.fault, self.ai_usage)
        if sum(x is not None for x in actions) != 1:
            raise ValueError(
                "each timeline step needs exactly one of signal, task, decide, fault, ai_usage"
            )
        return self

    @property
    def action(self) -> str:
        for name in ("signal", "task", "decide", "fault", "ai_usage"):
            if getattr(self, name) is not None:
                return name
        raise AssertionError("validated to hold one action")


class PmSpec(StrictModel):
    policy: Literal["approve", "deny", "wait"] = "approve"


# --- expectations ------------------------------------------------------------------------


class EscalationExpect(StrictModel):
    source: str = Field(default="data", alias="from")
    trigger: str | None = None
    severity: Severity | None = None
    within: Duration | None = None  # after the scenario's start
    status: Literal["open", "acknowledged", "decided", "reescalated"] | None = None


class WriteExpect(StrictModel):
    role: str
    path: str  # a glob (fnmatch) over the written path


class MessageExpect(StrictModel):
    protocol: str
    sender: str | None = Field(default=None, alias="from")
    to: str | None = None
    within: Duration | None = None  # after the scenario's start


class MemoryExpect(StrictModel):
    agent: str = "data"
    kind: MemoryKind


class ReportExpect(StrictModel):
    source: str = Field(default="data", alias="from")
    status: ReportStatus


class MetricExpect(StrictModel):
    key: str  # a scorecard metric key, or a key of a report's `metrics`
    min: float | None = None
    max: float | None = None


class PausedExpect(StrictModel):
    """The run ends paused: a work item still waits on an undecided immediate escalation
    (matching `from` / `trigger` when given). Without this expectation such an end fails."""

    source: str | None = Field(default=None, alias="from")
    trigger: str | None = None


class CountExpect(StrictModel):
    kind: str  # an event kind or a signal kind
    min: int = 1
    max: int | None = None


class Expectation(StrictModel):
    escalation: EscalationExpect | None = None
    no_escalation: EscalationExpect | None = None
    write_denied: WriteExpect | None = None
    write_allowed: WriteExpect | None = None
    message: MessageExpect | None = None
    no_message: MessageExpect | None = None
    dead_letter: MessageExpect | None = None
    memory: MemoryExpect | None = None
    report: ReportExpect | None = None
    metric: MetricExpect | None = None
    events: CountExpect | None = None
    signal: CountExpect | None = None
    paused: PausedExpect | None = None
    digest: str | None = None

    @model_validator(mode="after")
    def _one_check(self) -> Expectation:
        if sum(v is not None for v in self.__dict__.values()) != 1:
            raise ValueError("each expectation holds exactly one check")
        return self

    @property
    def check(self) -> tuple[str, Any]:
        return next((k, v) for k, v in self.__dict__.items() if v is not None)


# --- the scenario ------------------------------------------------------------------------


class Scenario(StrictModel):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = ""
    seed: int = 0
    start: UtcDatetime = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    duration: Duration | None = None  # simulated time after the last step (default 1h)
    team: str | list[str] = "default"  # "default", shipped role names, or charter files
    workspace: Workspace = Field(default_factory=Workspace)
    schedules: list[ScheduleSpec] = Field(default_factory=list)
    charter_schedules: bool = False  # also run the team charters' own scheduled activations
    timeline: list[TimelineStep] = Field(default_factory=list)
    pm: PmSpec = Field(default_factory=PmSpec)
    expect: list[Expectation] = Field(default_factory=list)

    def instant(self, at: datetime | timedelta) -> datetime:
        return self.start + at if isinstance(at, timedelta) else at


FaultStep.model_rebuild()

__all__ = [
    "BrainFault",
    "CountExpect",
    "DatabaseSpec",
    "DecideStep",
    "Duration",
    "EscalationExpect",
    "Expectation",
    "FaultStep",
    "FileSpec",
    "MemoryExpect",
    "MessageExpect",
    "MetricExpect",
    "NullFault",
    "PausedExpect",
    "PmSpec",
    "ReportExpect",
    "Scenario",
    "ScheduleSpec",
    "SignalStep",
    "TableSpec",
    "TaskStep",
    "TimelineStep",
    "UsageStep",
    "Workspace",
    "WriteExpect",
    "parse_duration",
]

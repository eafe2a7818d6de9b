"""How a run is opened: one options object instead of a long list of keyword arguments.

`Orchestrator(run_dir, RunOptions(seed=7, pm_policy="wait"))`, or the same names as keyword
arguments (`Orchestrator(run_dir, seed=7)`), typed through `RunOptionsArgs`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any, Literal

from typing_extensions import TypedDict

from charter.agents.brain import Brain
from charter.agents.policies.pm import PmPolicyName
from charter.agents.tools import ToolRegistry
from charter.protocols import Clock, ConfigError, Team

from .budgets import Budgets

Durability = Literal["sync", "async", "exit"]


@dataclass(frozen=True)
class RunOptions:
    team: Team | None = None  # default: the shipped charters
    brains: Mapping[str, Brain] | None = None  # per-role overrides of the rule brains
    clock: Clock | None = None  # default: a virtual clock at the run's start
    start: datetime | None = None
    seed: int = 0
    name: str = "run"
    pm_policy: PmPolicyName = "approve"  # who decides immediate escalations
    store_url: str | None = None  # default: run.db in the run directory
    store_schema: str | None = None
    # auto: beside the store (run.db for SQLite, the same schema for PostgreSQL), or what
    # run.json recorded; or sqlite, postgres, memory, or a LangGraph saver object.
    checkpointer: Literal["auto", "sqlite", "postgres", "memory"] | Any = "auto"
    budgets: Budgets | None = None
    classifications: Mapping[str, str] | None = None  # table.column -> level
    tools: ToolRegistry | None = None
    # LangGraph's checkpoint durability. "exit" (ours) saves when a work item ends or
    # pauses on an interrupt: enough to resume, since effects are idempotent by event id
    # (a crash mid-item replays the item). "async" and "sync" save every super-step.
    durability: Durability = "exit"
    memory: bool = True  # False: no context preparation or learning capture
    live: bool = False  # schedules on the wall clock (graph/live.py)
    shared: bool = False  # one of several workers on this run (graph/workers.py)

    def __post_init__(self) -> None:
        if self.durability not in ("sync", "async", "exit"):
            raise ConfigError(f"durability {self.durability!r}: expected sync, async or exit")
        if self.pm_policy not in ("approve", "deny", "wait"):
            raise ConfigError(f"pm_policy {self.pm_policy!r}: expected approve, deny or wait")


class RunOptionsArgs(TypedDict, total=False):
    """`RunOptions`' fields as keyword arguments."""

    team: Team | None
    brains: Mapping[str, Brain] | None
    clock: Clock | None
    start: datetime | None
    seed: int
    name: str
    pm_policy: PmPolicyName
    store_url: str | None
    store_schema: str | None
    checkpointer: Any
    budgets: Budgets | None
    classifications: Mapping[str, str] | None
    tools: ToolRegistry | None
    durability: Durability
    memory: bool
    live: bool
    shared: bool


def resolve_options(options: RunOptions | None, overrides: Mapping[str, Any]) -> RunOptions:
    known = {f.name for f in fields(RunOptions)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ConfigError(f"Orchestrator: unknown option(s) {', '.join(unknown)}")
    return replace(options or RunOptions(), **overrides)


__all__ = ["Durability", "RunOptions", "RunOptionsArgs", "resolve_options"]

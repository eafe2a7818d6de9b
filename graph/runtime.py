"""Everything the graph's nodes share for one run: the store, the team, the authority
engine, the brains, the tools, the clock, the budgets. Built by the Orchestrator; the
graph's state never holds any of it (only ids), so checkpoints stay small."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from charter.agents.brain import Brain
from charter.agents.coordination import SENSITIVE_LEVELS
from charter.agents.tools import ToolContext, ToolRegistry
from charter.protocols import Clock, Event, Team

from .budgets import Budgets, TurnCounter
from .ids import IdScope
from .ports import AuthorityLike, RunStoreLike

_LEVELS = ("public", "internal", "confidential", "restricted")


class Catalog:
    """Column classifications (`table.column` -> level) known to the run: given when the
    run opens, raised by classification tools and by what requests declare. Kept in
    `classifications.json` in the run directory so a reopened run knows them."""

    def __init__(self, path: Path | None, initial: dict[str, str] | None = None) -> None:
        self._path = path
        self.levels: dict[str, str] = {}
        if path is not None and path.is_file():
            from charter.inputs import safe_json
            from charter.protocols import ConfigError

            recorded = safe_json(path, "classifications file")
            if not isinstance(recorded, dict) or not all(
                isinstance(key, str) and isinstance(level, str) for key, level in recorded.items()
            ):
                raise ConfigError(f"{path}: expected an object of column -> level")
            self.levels.update(recorded)
        for column, level in (initial or {}).items():
            self.raise_to(column, level)

    def raise_to(self, column: str, level: str) -> bool:
        """Record `level` unless a stricter one is known; True when something changed."""
        if level not in _LEVELS:
            return False
        key = column.lower()
        old = self.levels.get(key)
        if old is not None and _LEVELS.index(old) >= _LEVELS.index(level):
            return False
        self.levels[key] = level
        self._save()
        return True

    def sensitive(self) -> dict[str, str]:
        return {c: lvl for c, lvl in self.levels.items() if lvl in SENSITIVE_LEVELS}

    def _save(self) -> None:
        if self._path is None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self._path.parent, prefix=".catalog-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(self.levels, handle, sort_keys=True, indent=1)
        os.replace(tmp, self._path)


def current_thread() -> str:
    """The LangGraph thread whose node is running, or "" outside any graph run."""
    from langgraph.config import get_config

    try:
        value = get_config().get("configurable", {}).get("thread_id")
    except RuntimeError:  # not inside a graph run
        return ""
    return "" if value is None else str(value)


@dataclass
class Runtime:
    run_id: str
    seed: int
    store: RunStoreLike
    team: Team
    authority: AuthorityLike
    brains: dict[str, Brain]
    tools: ToolRegistry
    clock: Clock
    workspace: Path
    datasets: Path
    budgets: Budgets = field(default_factory=Budgets)
    catalog: Catalog = field(default_factory=lambda: Catalog(None))
    turns: TurnCounter = field(default_factory=TurnCounter)
    coordinator: str = "pm"
    violation_threshold: int = 3  # denied writes by one role before it escalates
    memory: bool = True  # False: no context preparation, no learning capture (benchmarks)

    def scope(self, *parts: Any) -> IdScope:
        return IdScope(self.run_id, *parts)

    def emit(self, event: Event) -> int | None:
        # Events carry the work item's thread that emitted them ("" for run-level inputs),
        # for the digest's canonical order.
        return self.store.append_event(event, thread=current_thread())

    def tool_context(self) -> ToolContext:
        return ToolContext(
            workspace=self.workspace, datasets=self.datasets, now=self.clock.now(), seed=self.seed
        )


__all__ = ["Catalog", "Runtime", "current_thread"]

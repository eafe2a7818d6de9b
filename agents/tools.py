"""The tool registry the `UseTool` effect calls: name -> function(arguments, context) ->
ToolResult.

A tool never raises into the graph: a bad argument or a failing tool becomes a ToolResult
with `ok=False` and a one-line summary, which the agent sees in its next step. Tools get a
`ToolContext` (the run's workspace and data-set folders, the run clock's "now") and nothing
else of the run.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from charter.protocols import ToolResult


@dataclass(frozen=True)
class ToolContext:
    workspace: Path  # the agents' files (the authority root)
    datasets: Path  # the run's databases and data files
    now: datetime
    seed: int = 0


ToolFunction = Callable[[Mapping[str, Any], ToolContext], ToolResult]


class ToolError(Exception):
    """Raised inside a tool for a bad argument; becomes an `ok=False` result."""


class ToolRegistry:
    def __init__(self) -> None:
        self._tools: dict[str, tuple[ToolFunction, str]] = {}

    def register(self, name: str, function: ToolFunction, description: str = "") -> None:
        self._tools[name] = (function, description)

    def names(self) -> list[str]:
        return sorted(self._tools)

    def describe(self) -> dict[str, str]:
        return {name: description for name, (_, description) in sorted(self._tools.items())}

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def call(self, name: str, arguments: Mapping[str, Any], context: ToolContext) -> ToolResult:
        entry = self._tools.get(name)
        if entry is None:
            return ToolResult(
                tool=name, ok=False, summary=f"unknown tool {name!r} (known: {self.names()})"
            )
        try:
            return entry[0](arguments, context)
        except ToolError as error:
            return ToolResult(tool=name, ok=False, summary=str(error))
        except Exception as error:  # a tool bug must not take the run down
            return ToolResult(tool=name, ok=False, summary=f"{type(error).__name__}: {error}")


def dataset_path(arguments: Mapping[str, Any], context: ToolContext) -> Path:
    """The run database the `database` argument names, kept inside the run's datasets."""
    name = arguments.get("database")
    if not isinstance(name, str) or not name:
        raise ToolError("argument 'database' (a file name under the run's datasets) is required")
    path = (context.datasets / name).resolve()
    if context.datasets.resolve() not in path.parents or not path.is_file():
        raise ToolError(f"database {name!r} not found under the run's datasets")
    return path


def sql_query(arguments: Mapping[str, Any], context: ToolContext) -> ToolResult:
    """Run one read-only SELECT on a run database (opened read-only, so it cannot write)."""
    sql = arguments.get("sql")
    if not isinstance(sql, str) or not sql.strip().lower().startswith(("select", "with")):
        raise ToolError("argument 'sql' must be one SELECT statement")
    limit = int(arguments.get("limit", 50))
    path = dataset_path(arguments, context)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        cursor = connection.execute(sql)
        columns = [d[0] for d in cursor.description or ()]
        rows = [list(row) for row in cursor.fetchmany(limit)]
    return ToolResult(
        tool="sql_query",
        ok=True,
        summary=f"{len(rows)} row(s)",
        result={"columns": columns, "rows": rows},
    )


def read_file(arguments: Mapping[str, Any], context: ToolContext) -> ToolResult:
    """Read a workspace file (reading needs no writing authority)."""
    rel = arguments.get("path")
    if not isinstance(rel, str) or not rel:
        raise ToolError("argument 'path' is required")
    path = (context.workspace / rel).resolve()
    if context.workspace.resolve() not in path.parents or not path.is_file():
        raise ToolError(f"{rel!r} is not a file in the workspace")
    text = path.read_text(encoding="utf-8", errors="replace")
    return ToolResult(
        tool="read_file",
        ok=True,
        summary=f"{len(text)} characters",
        result={"path": rel, "content": text[:20_000]},
    )


def default_tools() -> ToolRegistry:
    """The built-in tools plus every data tool that is installed."""
    registry = ToolRegistry()
    registry.register("sql_query", sql_query, "read-only SELECT on a run database")
    registry.register("read_file", read_file, "read a workspace file")
    _register_data_tools(registry)
    return registry


def classify_columns(arguments: Mapping[str, Any], context: ToolContext) -> ToolResult:
    """Profile and classify a run database's columns (public ... restricted)."""
    from charter.agents.data import classify_database

    path = dataset_path(arguments, context)
    tables = arguments.get("tables")
    catalogue = classify_database(
        f"sqlite:///{path}",
        [str(t) for t in tables] if isinstance(tables, list) else None,
        now=context.now,
    )
    levels = {
        f"{table}.{column}": entry.level
        for table, spec in sorted(catalogue.tables.items())
        for column, entry in sorted(spec.columns.items())
    }
    sensitive = sorted(c for c, lvl in levels.items() if lvl in ("confidential", "restricted"))
    # Public/internal columns the values leave in doubt: masking tokenises them (fail closed).
    uncertain = sorted(
        f"{table}.{column}"
        for table, spec in catalogue.tables.items()
        for column, entry in spec.columns.items()
        if entry.level in ("public", "internal") and not entry.confident
    )
    return ToolResult(
        tool="classify_columns",
        ok=True,
        summary=f"{len(levels)} column(s) classified, {len(sensitive)} sensitive, "
        f"{len(uncertain)} not confidently public/internal",
        result={"classifications": levels, "sensitive": sensitive, "uncertain": uncertain},
    )


def _register_data_tools(registry: ToolRegistry) -> None:
    # The Data agent's tool modules (agents/data/) expose `register_*_tools(registry)`
    # hooks; every hook found is called, so this module need not know each tool.
    from charter.agents import data

    for name in sorted(dir(data)):
        hook = getattr(data, name)
        if name.startswith("register_") and name.endswith("tools") and callable(hook):
            hook(registry)
    if "classify_columns" not in registry and hasattr(data, "classify_database"):
        registry.register("classify_columns", classify_columns, "classify a run database")


__all__ = [
    "ToolContext",
    "ToolError",
    "ToolFunction",
    "ToolRegistry",
    "dataset_path",
    "default_tools",
    "read_file",
    "sql_query",
]

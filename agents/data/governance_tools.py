"""The governance tools as `UseTool` tools for the Data agent (found by `charter.agents.tools`
through the `register_governance_tools` hook).

The tools read the run's databases and return typed results as plain dicts. They write
nothing: a catalogue or a suite report the agent wants to keep goes through a `WriteFile`
action and the authority gate, like every other write.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from charter.protocols import CharterError, ToolResult

if TYPE_CHECKING:
    from charter.agents.tools import ToolContext, ToolRegistry


def _database(arguments: Mapping[str, Any], context: ToolContext) -> Path:
    from charter.agents.tools import dataset_path  # agents.tools registers this module

    return dataset_path(arguments, context)


def _tables(arguments: Mapping[str, Any]) -> list[str] | None:
    tables = arguments.get("tables")
    return [str(t) for t in tables] if isinstance(tables, list) and tables else None


def profile_tables(arguments: Mapping[str, Any], context: ToolContext) -> ToolResult:
    """Profile a run database: per column null/distinct shares, min/max, PII shares."""
    from charter.agents.data.profile import profile_database
    from charter.agents.tools import ToolError

    try:
        profile = profile_database(_database(arguments, context), _tables(arguments),
                                   sample_size=int(arguments.get("sample_size", 1000)))  # fmt: skip
    except CharterError as error:
        raise ToolError(str(error)) from None
    pii = sorted(
        f"{t.table}.{c.name}:{kind}" for t in profile.tables for c in t.columns for kind in c.pii
    )
    return ToolResult(
        tool="profile_tables",
        ok=True,
        summary=f"{len(profile.tables)} table(s) profiled, PII in {len(pii)} column/kind pair(s)",
        result=profile.model_dump(mode="json"),
    )


def run_quality_suite(arguments: Mapping[str, Any], context: ToolContext) -> ToolResult:
    """Run a quality suite given inline (`suite`: mapping) or as a workspace file
    (`suite_path`) against a run database; `ok` is False when a check fails."""
    from charter.agents.data.quality import run_suite
    from charter.agents.data.suite import load_suite, parse_suite
    from charter.agents.tools import ToolError

    try:
        if isinstance(arguments.get("suite"), Mapping):
            suite = parse_suite(dict(arguments["suite"]), "suite argument")
        elif isinstance(arguments.get("suite_path"), str):
            path = (context.workspace / arguments["suite_path"]).resolve()
            if context.workspace.resolve() not in path.parents:
                raise ToolError("suite_path must stay inside the workspace")
            suite = load_suite(path)
        else:
            raise ToolError(
                "argument 'suite' (mapping) or 'suite_path' (workspace file) is required"
            )
        result = run_suite(_database(arguments, context), suite, now=context.now)
    except CharterError as error:
        raise ToolError(str(error)) from None
    failing = [f"{r.table}.{r.expectation}({r.kwargs.get('column', '')})"
               for r in result.results if not r.success]  # fmt: skip
    return ToolResult(
        tool="run_quality_suite",
        ok=result.success,
        summary=f"{result.passed}/{len(result.results)} checks passed"
        + (f"; failing: {', '.join(failing)}" if failing else ""),
        result={**result.model_dump(mode="json"), "pass_rate": result.pass_rate},
    )


def register_governance_tools(registry: ToolRegistry) -> None:
    """Hook called by `charter.agents.tools.default_tools`."""
    registry.register("profile_tables", profile_tables, "profile a run database's tables")
    registry.register("run_quality_suite", run_quality_suite, "run a data-quality suite")


__all__ = ["profile_tables", "register_governance_tools", "run_quality_suite"]

"""Argument parsing shared by the commands."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from charter.protocols.errors import ConfigError

# `--team`: the role and team files a command loads instead of the shipped team.
TeamFilesOpt = Annotated[
    list[Path] | None,
    typer.Option("--team", help="Role/team files (repeatable; default: the shipped team)."),
]
# `--run` of the commands real agents call (guard, MCP): where their calls are recorded.
AgentRunOpt = Annotated[
    Path | None,
    typer.Option("--run", help="Run directory to record in (default: WORKSPACE/.charter/run)."),
]


def parse_instant(value: str, option: str) -> datetime:
    """An ISO-8601 instant with a zone (`Z` allowed) from the command line."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"{option} {value!r}: expected an ISO-8601 instant such as 2026-03-02T01:00:00Z"
        ) from None
    if parsed.tzinfo is None:
        raise ConfigError(f"{option} {value!r}: add a time zone, e.g. 2026-03-02T01:00:00Z")
    return parsed.astimezone(UTC)


__all__ = ["parse_instant"]

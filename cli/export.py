"""`charter export claude-code`: the team as Claude Code subagents guarded by Charter."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._args import TeamFilesOpt
from ._json import JsonOpt, emit_json

app = typer.Typer(help="Export the team for other agent runtimes.", no_args_is_help=True)


@app.command("claude-code")
def claude_code(
    out: Annotated[Path, typer.Option("--out", help="Subagent folder.")] = Path(".claude/agents"),
    settings: Annotated[
        Path | None,
        typer.Option(
            "--settings", help="Settings file to merge into (default: OUT/../settings.json)."
        ),
    ] = None,
    team: TeamFilesOpt = None,
    run: Annotated[
        str | None, typer.Option("--run", help="Run directory the guard records in.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """One subagent file per role, each wired to `charter-guard` (writes and escalations);
    the PM's hooks merged into the project's settings.json (never overwritten)."""
    from charter.agents.team import load_team
    from charter.graph.claude_code.export import export_team

    target = settings if settings is not None else out.parent / "settings.json"
    written = export_team(load_team(team or None), out, target, run, team or ())
    if as_json:
        emit_json({"written": [str(path) for path in written]})
        return
    for path in written:
        typer.echo(f"wrote {path}")

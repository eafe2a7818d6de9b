"""`charter mcp`: the team's coordination as an MCP server on stdio.

Start-up mistakes (an unknown --role, a bad team file, a simulated run directory) are one
line on stderr and exit code 2 before the server starts; once it serves, nothing a client
sends stops it (a bad call is answered with a tool error and recorded)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from ._args import AgentRunOpt, TeamFilesOpt

_Workspace = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        help="Workspace root the paths are judged in (default: $CLAUDE_PROJECT_DIR, else "
        "the current directory).",
    ),
]
_Role = Annotated[
    str | None,
    typer.Option(
        "--role",
        help="Speak only for this role: calls naming another role are refused "
        "(default: any role of the team).",
    ),
]


def register(app: typer.Typer) -> None:
    """Attach `charter mcp` to the `charter` app."""

    @app.command("mcp")
    def mcp_command(
        run: AgentRunOpt = None,
        workspace: _Workspace = None,
        team: TeamFilesOpt = None,
        role: _Role = None,
    ) -> None:
        """Serve the team's coordination to MCP clients over stdio (check_write, escalate,
        send, inbox, decide; the charters as resources). Every call lands in the run store."""
        from charter.graph.mcp_server.opening import open_desk
        from charter.graph.mcp_server.server import serve

        root = _workspace(workspace)
        desk = open_desk(
            run if run is not None else root / ".charter" / "run",
            workspace=root,
            team_files=team,
            pinned_role=role,
        )
        try:
            serve(desk)
        except KeyboardInterrupt:
            # Ctrl-C on a server started by hand: a normal way to stop it, not a crash.
            raise typer.Exit(130) from None
        finally:
            desk.close()


def _workspace(option: Path | None) -> Path:
    if option is not None:
        return option
    project = os.environ.get("CLAUDE_PROJECT_DIR")
    return Path(project) if project else Path.cwd()

"""`charter guard claude-code --role ROLE` and `charter guard ingest`.

`claude-code` is Claude Code's hook as a `charter` command: the same code as the
`charter-guard` entry point (cli/guard_fast.py), which the exported hooks call because it
starts without typer. It reads the hook JSON on stdin and answers with the hook's JSON on
stdout (exit 0); a broken payload gets a safe answer ("ask"), never a crash; a
misconfigured hook (unknown role, bad team file) exits 2 with one line, which Claude Code
treats as a block and shows to the agent. Decisions are spooled in the run directory;
`ingest` stores them now (any command opening the run does it too).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ._args import AgentRunOpt, TeamFilesOpt
from ._json import JsonOpt, emit_json

app = typer.Typer(
    help="Guard real agents with the charters (Claude Code hooks).", no_args_is_help=True
)

_Role = Annotated[str, typer.Option("--role", help="The role this agent plays.")]
_Workspace = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        help="Workspace root (default: $CLAUDE_PROJECT_DIR, else the hook's cwd).",
    ),
]


@app.command("claude-code")
def claude_code(
    role: _Role,
    run: AgentRunOpt = None,
    workspace: _Workspace = None,
    team: TeamFilesOpt = None,
) -> None:
    """Judge one PreToolUse call (JSON on stdin) and answer allow / deny / ask. The same
    code as the `charter-guard` command, which the exported hooks call (faster: no typer)."""
    from charter.cli.guard_fast import guard

    code, out, err = guard(sys.stdin.read(), role, run, workspace, team)
    sys.stdout.write(out)
    if err:
        sys.stderr.write(err)
    if code:
        raise typer.Exit(code)


@app.command("ingest")
def ingest(
    run: Annotated[Path, typer.Option("--run", help="Run directory the guard spooled in.")] = Path(
        ".charter/run"
    ),
    as_json: JsonOpt = False,
) -> None:
    """Move the guard's spooled decisions into the run store and audit chain now (any
    command that opens the run does it too)."""
    from charter.memory import open_run_store
    from charter.protocols import ConfigError, SystemClock

    if not run.is_dir():
        raise ConfigError(f"--run {run}: not a directory; expected a run directory")
    with open_run_store(f"sqlite:///{run.resolve() / 'run.db'}", clock=SystemClock()) as store:
        if as_json:
            emit_json({"ingested": store.ingested_guard_calls, "store": str(run / "run.db")})
        else:
            typer.echo(f"ingested {store.ingested_guard_calls} guard call(s) into {run / 'run.db'}")

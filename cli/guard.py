"""`charter guard claude-code --role ROLE`: Claude Code's PreToolUse hook.

Reads the hook JSON on stdin, answers with the hook's JSON on stdout (exit 0), and records
the call in the run store. A broken payload gets a safe answer ("ask"), never a crash; a
misconfigured hook (unknown role, bad team file) exits 2 with one line, which Claude Code
treats as a block and shows to the agent.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from charter.graph.authority import AuthorityEngine

app = typer.Typer(
    help="Guard real agents with the charters (Claude Code hooks).", no_args_is_help=True
)

_Role = Annotated[str, typer.Option("--role", help="The role this agent plays.")]
_Run = Annotated[
    Path | None,
    typer.Option("--run", help="Run directory to record in (default: WORKSPACE/.charter/run)."),
]
_Workspace = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        help="Workspace root (default: $CLAUDE_PROJECT_DIR, else the hook's cwd).",
    ),
]
_TeamFiles = Annotated[
    list[Path] | None,
    typer.Option("--team", help="Role/team files (repeatable; default: the shipped team)."),
]


@app.command("claude-code")
def claude_code(
    role: _Role,
    run: _Run = None,
    workspace: _Workspace = None,
    team: _TeamFiles = None,
) -> None:
    """Judge one PreToolUse call (JSON on stdin) and answer allow / deny / ask."""
    from charter.graph.claude_code.hook import GuardAnswer, judge, read_payload

    payload = read_payload(sys.stdin.read())
    root = _workspace(workspace, payload if isinstance(payload, dict) else {})
    engine = _engine(root, team, role)
    if isinstance(payload, GuardAnswer):
        answer = payload
    else:
        try:
            answer = judge(payload, engine, role, str(root))
        except Exception as error:  # a guard must answer; the safe answer is to ask
            answer = GuardAnswer(
                "ask", f"charter guard failed ({type(error).__name__}: {error}); confirm by hand"
            )
    from charter.graph.claude_code.record import record_answer

    try:
        record_answer(run if run is not None else root / ".charter" / "run", role, answer)
    except Exception as error:
        # an unrecorded allow would be invisible to the PM: ask instead
        if answer.permission == "allow":
            answer.permission = "ask"
        answer.reason += f" [not recorded: {type(error).__name__}: {error}]"
    sys.stdout.write(json.dumps(answer.hook_output()) + "\n")


def _workspace(option: Path | None, payload: dict[str, object]) -> Path:
    if option is not None:
        return option.resolve()
    project = os.environ.get("CLAUDE_PROJECT_DIR")
    if project:
        return Path(project).resolve()
    cwd = payload.get("cwd")
    return Path(cwd if isinstance(cwd, str) and cwd else ".").resolve()


def _engine(root: Path, team_files: list[Path] | None, role: str) -> AuthorityEngine:
    from charter.agents.team import load_team
    from charter.graph.authority import AuthorityEngine
    from charter.protocols import ConfigError

    team = load_team(team_files or None)
    if role not in team.roles:
        raise ConfigError(
            f"--role {role!r}: not in the team; expected one of {', '.join(sorted(team.roles))}"
        )
    return AuthorityEngine(team, root)

"""`charter roles ...`: import seed-format role files, check a team's charters."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ._files import write_atomically

app = typer.Typer(
    help="Role charters: import seed-format markdown, check a team for conflicts.",
    no_args_is_help=True,
)


@app.command("import")
def import_role(
    file: Annotated[Path, typer.Argument(help="Role definition in markdown (seed layouts).")],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the charter YAML here (default: stdout)."),
    ] = None,
    keep_prose: Annotated[
        bool,
        typer.Option(
            "--keep-prose",
            help="Write the charter even if its authorities are all prose (as TODO notes).",
        ),
    ] = False,
) -> None:
    """Turn a markdown role file (the seed's layout or a successor's) into a charter YAML;
    report prose it could not turn into patterns (it never guesses patterns) and triggers
    whose severity you must set."""
    from charter.agents.role_import import import_role_file

    result = import_role_file(file, keep_prose=keep_prose)
    text = result.to_yaml()
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomically(output, text)
        typer.echo(f"wrote {output} (role {result.charter.role!r})", err=True)
    for item in result.unresolved:
        typer.echo(f"note: {item}", err=True)
    if result.unclassified:
        typer.echo(
            f"note: {len(result.unclassified)} escalation trigger(s) need a severity "
            "(TODO severity) before the charter loads",
            err=True,
        )


@app.command("check")
def check(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Role and team files (default: the shipped team)."),
    ] = None,
) -> None:
    """Load a team, print each role's authorities and every conflict between roles; exit 1
    when a conflict has no precedence entry. Warns (exit unchanged) about an exception of
    a forbidden rule that no claim of its role can ever use."""
    from rich.console import Console

    from charter.agents.exception_check import dead_exceptions
    from charter.agents.team import load_team, team_conflicts

    team = load_team(files or None)
    console = Console(highlight=False)
    console.print(f"team {team.name!r}: {len(team.roles)} roles")
    for role, charter in team.roles.items():
        auth = charter.authorities
        flags = " (single instance)" if charter.single_instance else ""
        flags += " (writes no code)" if not charter.writes_code else ""
        console.print(f"\n[bold]{role}[/bold] — {charter.title}{flags}")
        for kind in ("exclusive", "forbidden", "shared"):
            for rule in getattr(auth, kind):
                extra = f"  except {', '.join(rule.exceptions)}" if rule.exceptions else ""
                console.print(f"  {kind:<9} {rule.pattern}{extra}", markup=False)
    conflicts = team_conflicts(team)
    unresolved = [c for c in conflicts if c.resolved_by is None]
    console.print(f"\nconflicts: {len(conflicts)} ({len(unresolved)} unresolved)")
    for conflict in conflicts:
        console.print(f"  {conflict.describe()}", markup=False)
    dead = dead_exceptions(team)
    console.print(f"\nexceptions no claim can use: {len(dead)}")
    for item in dead:
        console.print(f"  warning: {item.describe()}", markup=False)
    if unresolved:
        raise typer.Exit(1)

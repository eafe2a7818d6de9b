"""`charter roles ...`: import seed-format role files, check a team's charters."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ._files import write_atomically
from ._json import JsonOpt, emit_json
from ._progress import progress_bar

app = typer.Typer(
    help="Role charters: import seed-format markdown, check a team for conflicts.",
    no_args_is_help=True,
)


@app.command("import")
def import_role(
    files: Annotated[
        list[Path], typer.Argument(help="Role definitions in the seed's markdown format.")
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write the charter YAML here (default: stdout); with several files, a "
            "folder that receives ROLE.yaml for each.",
        ),
    ] = None,
    keep_prose: Annotated[
        bool,
        typer.Option(
            "--keep-prose",
            help="Write the charter even if its authorities are all prose (as TODO notes).",
        ),
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print the charters and the unresolved notes as one JSON document."
        ),
    ] = False,
) -> None:
    """Turn markdown role files (the seed's layout or a successor's) into charter YAML;
    report prose it could not turn into patterns (it never guesses patterns) and triggers
    whose severity you must set. Every file is read and converted before any is written,
    so one bad file writes nothing."""
    from charter.agents.role_import import import_role_file
    from charter.protocols import ConfigError

    if len(files) > 1 and output is None:
        raise ConfigError(
            f"roles import: {len(files)} files need -o FOLDER (one ROLE.yaml each); "
            "expected a folder to write into"
        )
    if len(files) > 1 and output is not None and output.exists() and not output.is_dir():
        raise ConfigError(f"-o {output}: a file; expected a folder for several role files")
    results = []
    with progress_bar("import", as_json=as_json) as report:
        for done, file in enumerate(files, start=1):
            results.append(import_role_file(file, keep_prose=keep_prose))
            report(file.name, done, len(files))
    roles = [r.charter.role for r in results]
    twice = sorted({role for role in roles if roles.count(role) > 1})
    if len(files) > 1 and twice:
        raise ConfigError(f"roles import: role(s) {', '.join(twice)} come from several files")
    targets: list[Path | None] = [output] if len(files) == 1 else []
    if len(files) > 1 and output is not None:
        output.mkdir(parents=True, exist_ok=True)
        targets = [output / f"{r.charter.role}.yaml" for r in results]
    for result, target in zip(results, targets, strict=True):
        if target is None:
            if not as_json:
                sys.stdout.write(result.to_yaml())
        else:
            write_atomically(target, result.to_yaml())
            typer.echo(f"wrote {target} (role {result.charter.role!r})", err=True)
        whose = f"{result.charter.role}: " if len(files) > 1 else ""
        for item in result.unresolved:
            if not as_json:
                typer.echo(f"note: {whose}{item}", err=True)
        if result.unclassified and not as_json:
            typer.echo(
                f"note: {whose}{len(result.unclassified)} escalation trigger(s) need a "
                "severity (TODO severity) before the charter loads",
                err=True,
            )
    if as_json:
        emit_json(
            {
                "imported": [
                    {
                        "file": str(file),
                        "role": result.charter.role,
                        "output": str(target) if target is not None else None,
                        "unresolved": result.unresolved,
                        "unclassified_triggers": list(result.unclassified),
                        "charter": result.charter.model_dump(mode="json", exclude_defaults=True),
                    }
                    for file, result, target in zip(files, results, targets, strict=True)
                ]
            }
        )


@app.command("check")
def check(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Role and team files (default: the shipped team)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Load a team, print each role's authorities and every conflict between roles; exit 1
    when a conflict has no precedence entry. Warns (exit unchanged) about an exception of
    a forbidden rule that no claim of its role can ever use."""
    from rich.console import Console

    from charter.agents.exception_check import dead_exceptions
    from charter.agents.team import load_team, team_conflicts

    team = load_team(files or None)
    if as_json:
        conflicts = team_conflicts(team)
        emit_json(
            {
                "team": team.name,
                "roles": {
                    role: {
                        "title": charter.title,
                        "single_instance": charter.single_instance,
                        "writes_code": charter.writes_code,
                        "authorities": charter.authorities.model_dump(mode="json"),
                    }
                    for role, charter in team.roles.items()
                },
                "conflicts": [
                    {
                        "first_role": c.first_role,
                        "first_pattern": c.first_pattern,
                        "second_role": c.second_role,
                        "second_pattern": c.second_pattern,
                        "resolved": c.resolved_by is not None,
                        "description": c.describe(),
                    }
                    for c in conflicts
                ],
                "unresolved": sum(c.resolved_by is None for c in conflicts),
            }
        )
        if any(c.resolved_by is None for c in conflicts):
            raise typer.Exit(1)
        return
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

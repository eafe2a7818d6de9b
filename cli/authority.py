"""`charter authority ...`: explain one decision, or show who may write what."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._args import TeamFilesOpt
from ._json import JsonOpt, emit_json

if TYPE_CHECKING:
    from charter.graph.authority import AuthorityEngine

app = typer.Typer(
    help="Writing authorities: explain a decision, print the role x path matrix.",
    no_args_is_help=True,
)

SAMPLE_PATHS = (
    "a/b/data/x.py",
    "metadata/x.py",
    "src/app/service.py",
    "src/etl/load_orders.py",
    "migrations/0007_add_index.sql",
    "src/auth/data/tokens.py",
    "auth/login.py",
    "frontend/charts/revenue.tsx",
    "frontend/pages/home.tsx",
    "payments/refund.py",
    "docker-compose.yml",
    "sub/docker-compose.data.yml",
    ".github/workflows/nightly-data.yml",
    ".github/workflows/ci.yml",
    "infra/monitoring/alerts.yml",
    "services/monitoring/pipeline.yml",
    "tests/test_orders.py",
    "docs/guide.md",
    "adr/0001-use-postgres.md",
    "project/roadmap.yaml",
    "README.md",
    "DATA/raw.csv",
)


_Root = Annotated[Path, typer.Option("--root", help="Workspace root.")]
_IgnoreCase = Annotated[bool, typer.Option("--ignore-case", help="Fold case when matching.")]


def _engine(root: Path, ignore_case: bool, team_files: list[Path] | None) -> AuthorityEngine:
    from charter.agents.team import load_team
    from charter.graph.authority import AuthorityEngine

    return AuthorityEngine(load_team(team_files or None), root, case_sensitive=not ignore_case)


@app.command("explain")
def explain(
    role: Annotated[str, typer.Argument(help="Role key, e.g. data.")],
    path: Annotated[str, typer.Argument(help="Path to write, relative to the workspace root.")],
    root: _Root = Path("."),
    ignore_case: _IgnoreCase = False,
    team: TeamFilesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print the whole reasoning for ROLE writing PATH; exit 1 when the write is denied."""
    engine = _engine(root, ignore_case, team)
    if role not in engine.team.roles:
        from charter.protocols import ConfigError

        known = ", ".join(engine.team.roles)
        raise ConfigError(f"role {role!r}: not in the team; expected one of {known}")
    verdict = engine.verdict(role, path)
    if as_json:
        emit_json(
            {
                **verdict._asdict(),
                "requested_path": path,
                "reason": verdict.reason,
                "explanation": engine.explain(role, path).splitlines(),
            }
        )
    else:
        typer.echo(engine.explain(role, path))
    if not verdict.allowed:
        raise typer.Exit(1)


@app.command("matrix")
def matrix(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Paths to show (default: a built-in sample).")
    ] = None,
    root: _Root = Path("."),
    ignore_case: _IgnoreCase = False,
    team: TeamFilesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A table of sample paths x roles: who may write what, and by which rule."""
    from rich.console import Console
    from rich.table import Table

    engine = _engine(root, ignore_case, team)
    roles = list(engine.team.roles)
    if as_json:
        rows = []
        for path in paths or SAMPLE_PATHS:
            verdicts = {role: engine.verdict(role, path) for role in roles}
            rows.append(
                {
                    "path": path,
                    "roles": {
                        role: {"allowed": v.allowed, "rule": v.rule} for role, v in verdicts.items()
                    },
                }
            )
        emit_json({"roles": roles, "paths": rows})
        return
    table = Table(title="writing authorities (✓ allowed, · denied)")
    table.add_column("path", no_wrap=True)
    for role in roles:
        table.add_column(role, justify="center")
    for path in paths or SAMPLE_PATHS:
        cells = []
        for role in roles:
            verdict = engine.verdict(role, path)
            mark = "[green]✓[/green]" if verdict.allowed else "·"
            if verdict.rule in ("forbidden", "conflict", "invalid_path"):
                mark = f"[red]{verdict.rule}[/red]"
            cells.append(mark)
        table.add_row(path, *cells)
    Console().print(table)

"""`charter doctor RUN`: check a run directory (or store) and explain what is wrong."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from .memory import RunArg
from .store_option import StoreOpt


def doctor(
    run: RunArg,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    store_url: StoreOpt = None,
) -> None:
    """Check a run: run.json, the database file (SQLite's quick_check), the store's schema
    and run, the audit chain against its anchored head, the keys. Reads only; exit code 1
    when a check fails."""
    from charter.memory.doctor import examine, exit_code

    findings = examine(run, store=store_url)
    if as_json:
        typer.echo(
            json.dumps({"ok": exit_code(findings) == 0, "checks": [f.as_dict() for f in findings]})
        )
    else:
        for finding in findings:
            typer.echo(finding.line())
    raise typer.Exit(exit_code(findings))


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


__all__ = ["register"]

"""The `charter` command. Thin commands over the parts; heavy libraries (langgraph,
anthropic, textual) are imported inside commands so `charter --help` stays fast."""

from __future__ import annotations

import sys

import typer

from charter.protocols import CharterError

from . import ai, audit, authority, data, memory, roles, runs, scenarios

app = typer.Typer(
    name="charter",
    help="Executable agent charters: authorities, protocols, escalations, activation, memory.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(roles.app, name="roles")
app.add_typer(authority.app, name="authority")
app.add_typer(data.app, name="data")
app.add_typer(memory.app, name="memory")
app.add_typer(audit.app, name="audit")
app.add_typer(ai.app, name="ai")
runs.register(app)
scenarios.register(app)


def run() -> None:
    """Console-script entry point: a user mistake is one line on stderr and exit code 2."""
    try:
        app()
    except CharterError as error:
        print(f"charter: {error}", file=sys.stderr)
        raise SystemExit(2) from None


__all__ = ["app", "run"]

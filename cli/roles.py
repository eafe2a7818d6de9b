"""`charter roles ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="roles commands.", no_args_is_help=True)

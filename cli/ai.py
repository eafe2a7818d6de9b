"""`charter ai ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="ai commands.", no_args_is_help=True)

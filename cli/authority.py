"""`charter authority ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="authority commands.", no_args_is_help=True)

"""`--store URL`: the run store many runs share (PostgreSQL), on every command that opens one.

Also read from CHARTER_STORE, so a team on one database sets it once."""

from __future__ import annotations

from typing import Annotated

import typer

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="CHARTER_STORE",
        help="Run store URL shared by many runs: postgresql+psycopg://...[?schema=NAME] "
        "(default: the run directory's own SQLite file).",
    ),
]

__all__ = ["StoreOpt"]

"""`charter data` commands: data_ops."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach this module's commands to `charter data`."""

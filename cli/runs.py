"""Top-level run commands: demo, run, tui, graph, scenarios."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the top-level run commands to the `charter` app."""

"""Scenario commands: run, scenarios list, serve."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the scenario commands to the `charter` app."""

"""The `charter` command line."""

from .main import app, run

__all__ = ["app", "run"]

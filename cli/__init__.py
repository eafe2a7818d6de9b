"""The `charter` command line.

`app` and `run` load lazily: importing this package must not import typer, so that the
console script can answer `charter --help` from its cache (see `main.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .main import app, run


def __getattr__(name: str) -> Any:
    if name in ("app", "run"):
        from . import main

        return getattr(main, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["app", "run"]

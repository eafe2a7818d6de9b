"""The plain-data row a sweep cell hands back (picklable, one value per column)."""

from __future__ import annotations

Row = dict[str, str | int | float | None]

__all__ = ["Row"]

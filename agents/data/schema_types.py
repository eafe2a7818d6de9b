"""Database column types reduced to a few portable families.

Schema conformance compares families ("integer", "text", "datetime", ...) rather than
dialect spellings, so a suite written against SQLite holds on PostgreSQL too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import types as sqltypes
from sqlalchemy.types import TypeEngine

# Order matters: DateTime before Date, and the specific numeric kinds before Numeric.
_FAMILIES: tuple[tuple[type[TypeEngine[Any]], str], ...] = (
    (sqltypes.Boolean, "boolean"),
    (sqltypes.Integer, "integer"),
    (sqltypes.Float, "float"),
    (sqltypes.Numeric, "numeric"),
    (sqltypes.DateTime, "datetime"),
    (sqltypes.Date, "date"),
    (sqltypes.Time, "time"),
    (sqltypes.JSON, "json"),
    (sqltypes.String, "text"),
    (sqltypes.LargeBinary, "binary"),
    (sqltypes._Binary, "binary"),
)


def type_family(column_type: TypeEngine[Any]) -> str:
    """The family of a reflected column type; ``other`` when none fits."""
    for kind, family in _FAMILIES:
        if isinstance(column_type, kind):
            return family
    return "other"


__all__ = ["type_family"]

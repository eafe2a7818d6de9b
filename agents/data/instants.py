"""Date and time bounds compared by value, not as text, on SQLite and PostgreSQL.

SQLite has no date type: timestamps are text, and text compares character by character, so
``"2026-02-01 22:32:00" < "2026-02-01T00:00:00"`` (a space sorts before ``T``) and a bound
written in the other ISO form misjudges every row of its day. Here both sides go through
SQLite's ``julianday()``, which reads either form, fractional seconds and a ``Z`` or
``+HH:MM`` offset (taken to UTC), so they compare as instants. On PostgreSQL a date or
timestamp column is compared with the bound as a typed date or timestamp parameter (not a
string), so the server compares values; a text column there keeps text comparison.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, literal

from .schema_types import type_family


def parse_instant(value: Any) -> datetime | date | None:
    """A bound that names a date or an instant: a date/datetime, or ISO text of one."""
    if isinstance(value, datetime | date):
        return value
    if not isinstance(value, str) or len(value) < 10 or value[4:5] != "-":
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    # A date written alone stays a date (compares with a DATE column without a time).
    return moment.date() if len(text) == 10 else moment


def instant_terms(column: Any, bounds: list[Any], dialect: str) -> tuple[Any, list[Any]] | None:
    """(what to compare, the bounds to compare it with) when every given bound is a date
    or instant and the column can hold them; None to compare as before."""
    given = [b for b in bounds if b is not None]
    parsed = [parse_instant(b) for b in given]
    if not given or any(p is None for p in parsed):
        return None
    family = type_family(column.type)
    if dialect == "sqlite" and family in {"date", "datetime", "text", "other"}:

        def day(bound: Any) -> Any:
            if bound is None:
                return None
            return func.julianday(literal(_iso(parse_instant(bound))))

        return func.julianday(column), [day(b) for b in bounds]
    if dialect == "postgresql" and family in {"date", "datetime"}:

        def typed(bound: Any) -> Any:
            moment = parse_instant(bound) if bound is not None else None
            naive_column = not getattr(column.type, "timezone", False)
            if isinstance(moment, datetime) and moment.tzinfo is not None and naive_column:
                moment = moment.astimezone(UTC).replace(tzinfo=None)
            return moment

        return column, [typed(b) for b in bounds]
    return None


def _iso(moment: datetime | date | None) -> str:
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment.isoformat(sep=" ")
    assert moment is not None
    return moment.isoformat()


__all__ = ["instant_terms", "parse_instant"]

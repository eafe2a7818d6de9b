"""Argument parsing shared by the commands."""

from __future__ import annotations

from datetime import UTC, datetime

from charter.protocols.errors import ConfigError


def parse_instant(value: str, option: str) -> datetime:
    """An ISO-8601 instant with a zone (`Z` allowed) from the command line."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"{option} {value!r}: expected an ISO-8601 instant such as 2026-03-02T01:00:00Z"
        ) from None
    if parsed.tzinfo is None:
        raise ConfigError(f"{option} {value!r}: add a time zone, e.g. 2026-03-02T01:00:00Z")
    return parsed.astimezone(UTC)


__all__ = ["parse_instant"]

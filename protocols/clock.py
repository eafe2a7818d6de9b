"""Run time. Run logic never calls `datetime.now()`: it asks the run's clock, so a scenario
on a `VirtualClock` is reproducible and a simulated month takes seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    """Wall-clock time for live runs."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class VirtualClock:
    """Time that moves only when told to: scenarios jump from event to event."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("VirtualClock start must be timezone-aware")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("a clock does not go backwards")
        self._now += delta
        return self._now

    def jump_to(self, instant: datetime) -> datetime:
        if instant.tzinfo is None:
            raise ValueError("jump_to needs a timezone-aware instant")
        instant = instant.astimezone(UTC)
        if instant < self._now:
            raise ValueError(f"a clock does not go backwards ({instant} < {self._now})")
        self._now = instant
        return self._now


__all__ = ["Clock", "SystemClock", "VirtualClock"]

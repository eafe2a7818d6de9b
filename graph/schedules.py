"""Fire times for scheduled activation, computed with APScheduler trigger objects.

Scenario runs never sleep: a `ScheduleAgenda` asks each schedule's trigger for its next
fire time and the virtual clock jumps there. Live runs (`charter.graph.activation`) hand
the very same trigger objects to an APScheduler scheduler, so both modes agree on when a
schedule fires.

Daylight saving (a cron schedule in a zone such as Europe/Berlin):

* spring forward: a wall-clock time that does not exist that day (02:30 when clocks jump
  from 02:00 to 03:00) fires once, at the instant the skipped hour maps to (03:30 local);
  it is neither dropped nor doubled.
* fall back: a wall-clock time that happens twice (02:30 when clocks go back from 03:00 to
  02:00) fires once, at its first occurrence, when the cron names fixed hours. A cron with
  hour `*` (every N minutes, hourly) keeps following elapsed time and fires in both passes,
  so an hourly job runs 25 times that day and no hour goes unmonitored.

All instants leaving this module are timezone-aware UTC.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.base import BaseTrigger  # type: ignore[import-untyped]  # no stubs
from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]  # no stubs
from apscheduler.triggers.interval import IntervalTrigger  # type: ignore[import-untyped]  # no stubs

from charter.protocols import ConfigError, Schedule

# Interval schedules are anchored here unless a run passes its own start, so the same
# schedule gives the same fire times in every run.
DEFAULT_ANCHOR = datetime(2000, 1, 1, tzinfo=UTC)


def _zone(schedule: Schedule) -> ZoneInfo:
    try:
        return ZoneInfo(schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"schedule {schedule.name!r}: timezone {schedule.timezone!r}: "
            "expected an IANA zone name such as 'UTC' or 'Europe/Berlin'"
        ) from None


_DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


def _crontab_weekdays(field: str) -> str:
    """Crontab weekday numbers (0 or 7 = Sunday, 1 = Monday) as names.

    APScheduler 3's `from_crontab` passes numbers through unchanged, where its own scale
    starts at 0 = Monday: "1-5" would silently mean Tuesday to Saturday. Names mean the
    same to both, so numeric parts (and any step) are spelled out as names.
    """
    parts = []
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        if not any(c.isdigit() for c in base) and not step_text:
            parts.append(part)  # "*", "mon", "mon-fri": already unambiguous
            continue
        if any(c.isalpha() for c in base):
            raise ValueError(f"weekday {part!r}: mix of names and numbers")
        step = int(step_text) if step_text else 1
        if base == "*":
            low, high = 0, 6
        elif "-" in base:
            low, high = (int(x) for x in base.split("-", 1))
        else:
            low = int(base)
            high = 6 if step_text else low
        if not (0 <= low <= 7 and 0 <= high <= 7 and low <= high and step >= 1):
            raise ValueError(f"weekday {part!r}: expected 0-7 (0 and 7 are Sunday)")
        parts.extend(_DAY_NAMES[day % 7] for day in range(low, high + 1, step))
    return ",".join(dict.fromkeys(parts))


def cron_trigger(expression: str, zone: ZoneInfo | Any) -> CronTrigger:
    """A `CronTrigger` for a standard five-field crontab line (crontab weekday numbers)."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"wrong number of fields; got {len(fields)}, expected 5")
    fields[4] = _crontab_weekdays(fields[4])
    return CronTrigger.from_crontab(" ".join(fields), timezone=zone)


class WallClockCron(BaseTrigger):  # type: ignore[misc]  # APScheduler has no stubs
    """A `CronTrigger` with the fall-back rule above: a cron that names fixed hours fires
    once per wall-clock time. The one implementation of the rule: scenario agendas
    (`ScheduleTiming`) and the live scheduler's job store use this same trigger."""

    def __init__(self, cron: CronTrigger) -> None:
        self.cron = cron
        self.once_per_wall_time = not any(
            field.name == "hour" and str(field) == "*" for field in cron.fields
        )

    @property
    def fields(self) -> Any:
        return self.cron.fields

    @property
    def timezone(self) -> Any:
        return self.cron.timezone

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        previous, current = previous_fire_time, now
        while True:
            fire: datetime | None = self.cron.get_next_fire_time(previous, current)
            if fire is None or not self.once_per_wall_time or fire.fold == 0:
                return fire
            # The second pass of a repeated wall-clock hour: it fired in the first. Step
            # past it in UTC (wall-clock arithmetic would land back on the first pass).
            previous, current = fire, fire.astimezone(UTC) + timedelta(seconds=1)

    def __str__(self) -> str:
        return f"wall-clock {self.cron}"


def build_trigger(schedule: Schedule, *, anchor: datetime | None = None) -> BaseTrigger:
    """The APScheduler trigger for `schedule`; a bad cron or zone is a `ConfigError`.

    `anchor` is where an interval schedule counts from (its first fire is one interval
    later); cron schedules ignore it.
    """
    zone = _zone(schedule)
    if schedule.cron is not None:
        try:
            return WallClockCron(cron_trigger(schedule.cron, zone))
        except ValueError as error:
            raise ConfigError(
                f"schedule {schedule.name!r}: cron {schedule.cron!r}: {error}; "
                "expected five fields 'minute hour day month weekday'"
            ) from None
    assert schedule.interval is not None  # Schedule guarantees exactly one timing
    start = (anchor or DEFAULT_ANCHOR).astimezone(UTC)
    return IntervalTrigger(
        seconds=schedule.interval.total_seconds(),
        start_date=start + schedule.interval,
        timezone=UTC,
    )


class ScheduleTiming:
    """One schedule's trigger plus the fall-back rule above: `next_after(t)` is the first
    fire strictly after `t`, in UTC."""

    def __init__(self, schedule: Schedule, *, anchor: datetime | None = None) -> None:
        self.schedule = schedule
        self.trigger = build_trigger(schedule, anchor=anchor)

    def next_after(self, instant: datetime) -> datetime | None:
        instant = instant.astimezone(UTC)
        previous: datetime | None = None
        now = instant
        while True:
            fire: datetime | None = self.trigger.get_next_fire_time(previous, now)
            if fire is None:
                return None
            fire_utc = fire.astimezone(UTC)
            if fire_utc <= instant:
                # The trigger is inclusive of `now`; we want strictly after.
                previous, now = fire, fire_utc + timedelta(seconds=1)
                continue
            return fire_utc

    def iter_after(self, start: datetime) -> Iterator[datetime]:
        """Every fire strictly after `start`, in order (endless for most schedules)."""
        for batch in self.batches_after(start):
            yield from batch

    def batches_after(self, start: datetime) -> Iterator[list[datetime]]:
        """Every fire strictly after `start`, in order, as non-empty lists of consecutive
        fires (about a day each).

        Gives exactly what repeated `next_after` calls give, much faster: an interval is
        arithmetic, and a cron's times of day are the same on every matching day, so only
        days on which the zone changes its UTC offset go through the trigger fire by fire.
        """
        start = start.astimezone(UTC)
        if isinstance(self.trigger, IntervalTrigger):
            yield from self._interval_batches(start)
        else:
            yield from self._cron_batches(start)

    def _interval_batches(self, start: datetime) -> Iterator[list[datetime]]:
        first = self.next_after(start)
        if first is None:
            return
        step = self.trigger.interval
        assert isinstance(step, timedelta)
        per_batch = max(1, int(timedelta(days=1) / step))
        steps = [step * k for k in range(per_batch)]
        while True:
            yield [first + offset for offset in steps]
            first = first + step * per_batch

    def _cron_batches(self, start: datetime) -> Iterator[list[datetime]]:
        zone = _zone(self.schedule)
        # The same fields in UTC tell which days match (the day fields do not depend on the
        # zone) and which times of day fire (the time fields do not depend on the day).
        day_trigger = cron_trigger(self.schedule.cron or "", UTC)
        offsets = _times_of_day(day_trigger)
        weekdays = _weekday_only(day_trigger)
        day = start.astimezone(zone).date() - timedelta(days=1)
        while True:
            if weekdays is not None:
                # Day of month and month are '*': which weekdays fire is all there is to know.
                while day.weekday() not in weekdays:
                    day += timedelta(days=1)
            else:
                probe = datetime.combine(day, time(0), tzinfo=UTC)
                matched: datetime | None = day_trigger.get_next_fire_time(None, probe)
                if matched is None:
                    return
                day = matched.date()
            low = datetime.combine(day, time(0), tzinfo=zone)
            high = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
            if low.utcoffset() == high.utcoffset():
                base = low.astimezone(UTC)
                fires = [base + offset for offset in offsets]
            else:
                fires = list(self._slow_day(low.astimezone(UTC), high.astimezone(UTC)))
            if fires and fires[0] <= start:
                fires = [fire for fire in fires if fire > start]
            if fires:
                yield fires
            day = day + timedelta(days=1)

    def _slow_day(self, low: datetime, high: datetime) -> Iterator[datetime]:
        # A daylight-saving day: the trigger itself decides, fire by fire.
        current = low - timedelta(microseconds=1)
        while True:
            fire = self.next_after(current)
            if fire is None or fire >= high:
                return
            yield fire
            current = fire

    def between(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Fire times `t` with `start < t <= end`, in order."""
        for fire in self.iter_after(start):
            if fire > end:
                return
            yield fire


def _weekday_only(day_trigger: CronTrigger) -> set[int] | None:
    """The weekdays a cron fires on when its day-of-month, month and year are all '*'."""
    fields = {field.name: str(field) for field in day_trigger.fields}
    if any(fields.get(name, "*") != "*" for name in ("year", "month", "day", "week")):
        return None
    weekdays = set()
    for offset in range(7):  # 2000-01-03 is a Monday
        probe = datetime(2000, 1, 3, tzinfo=UTC) + timedelta(days=offset)
        fire: datetime | None = day_trigger.get_next_fire_time(None, probe)
        if fire is not None and fire.date() == probe.date():
            weekdays.add(probe.weekday())
    return weekdays


def _times_of_day(day_trigger: CronTrigger) -> list[timedelta]:
    """The offsets from midnight at which a cron fires on any day it fires (UTC copy)."""
    first: datetime | None = day_trigger.get_next_fire_time(None, DEFAULT_ANCHOR)
    assert first is not None
    midnight = datetime.combine(first.date(), time(0), tzinfo=UTC)
    offsets: list[timedelta] = []
    fire: datetime | None = first
    while fire is not None and fire.date() == first.date():
        offsets.append(fire - midnight)
        fire = day_trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return offsets


def fire_times(
    schedule: Schedule, start: datetime, end: datetime, *, anchor: datetime | None = None
) -> list[datetime]:
    """All fire times of `schedule` in `(start, end]`, UTC."""
    return list(ScheduleTiming(schedule, anchor=anchor).between(start, end))


class ScheduledFire(NamedTuple):
    """A schedule due at `at` (UTC) for `role`; `misfire` marks a late live run.

    A named tuple rather than a dataclass: a simulated year creates hundreds of thousands.
    """

    at: datetime
    role: str
    schedule: str
    monitor: str | None = None
    misfire: bool = False
    missed: int = 0  # fires folded into this one by a coalescing misfire policy

    @property
    def job_id(self) -> str:
        return schedule_job_id(self.role, self.schedule)


_WINDOW = timedelta(days=1)
# A named tuple built straight from a tuple, skipping its generated __new__: the agenda
# creates hundreds of thousands of fires for a simulated year.
_make = tuple.__new__


def _fire_time(fire: ScheduledFire) -> datetime:
    return fire.at


def schedule_job_id(role: str, schedule: str) -> str:
    return f"{role}:{schedule}"


class ScheduleAgenda:
    """Every schedule of a run, merged into one ordered stream of fires on a virtual clock.

    The agenda holds one pending fire per schedule in a heap, so a simulated year of many
    schedules costs one trigger evaluation per fire. Fires at the same instant come out in
    (role, schedule name) order, so runs are reproducible.
    """

    def __init__(
        self,
        schedules: Sequence[tuple[str, Schedule]],
        start: datetime,
        *,
        anchor: datetime | None = None,
    ) -> None:
        self._timings: list[tuple[str, ScheduleTiming]] = []
        seen: set[str] = set()
        for role, schedule in schedules:
            job_id = schedule_job_id(role, schedule.name)
            if job_id in seen:
                raise ConfigError(f"schedule {schedule.name!r} of role {role!r}: defined twice")
            seen.add(job_id)
            self._timings.append((role, ScheduleTiming(schedule, anchor=anchor or start)))
        self._streams = [timing.batches_after(start) for _, timing in self._timings]
        # Fires of each schedule computed but not yet in the window, by schedule index.
        self._pending: dict[int, list[datetime]] = {}
        for index, stream in enumerate(self._streams):
            first = next(stream, None)
            if first is not None:
                self._pending[index] = first
        self._window: list[ScheduledFire] = []  # sorted fires of the current window
        self._position = 0  # fires before this index of the window were popped
        self._window_end = start.astimezone(UTC)

    def _fill(self) -> bool:
        """Compute the next window of fires; False when no schedule will fire again.

        Fires are computed a window (one simulated day) at a time and sorted together:
        cheaper per fire than a heap operation, with the same order.
        """
        while self._position >= len(self._window):
            if not self._pending:
                return False
            low = max(self._window_end, min(batch[0] for batch in self._pending.values()))
            end = low + _WINDOW
            window: list[ScheduledFire] = []
            for index in sorted(self._pending):
                role, timing = self._timings[index]
                name, monitor = timing.schedule.name, timing.schedule.monitor
                stream = self._streams[index]
                batch: list[datetime] | None = self._pending[index]
                while batch is not None and batch[0] < end:
                    cut = bisect.bisect_left(batch, end)
                    window.extend(
                        [
                            _make(ScheduledFire, (at, role, name, monitor, False, 0))
                            for at in batch[:cut]
                        ]
                    )
                    batch = batch[cut:] or next(stream, None)
                if batch is None:
                    del self._pending[index]
                else:
                    self._pending[index] = batch
            window.sort()
            self._window, self._position, self._window_end = window, 0, end
        return True

    def peek(self) -> datetime | None:
        """When the next schedule fires, or None if none ever will."""
        if not self._fill():
            return None
        return self._window[self._position].at

    def pop_due(self, until: datetime) -> list[ScheduledFire]:
        """Every fire at or before `until`, in order; the agenda moves past them."""
        until = until.astimezone(UTC)
        due: list[ScheduledFire] = []
        while self._fill() and self._window[self._position].at <= until:
            cut = bisect.bisect_right(self._window, until, lo=self._position, key=_fire_time)
            due.extend(self._window[self._position : cut])
            self._position = cut
        return due

    def __iter__(self) -> Iterator[ScheduledFire]:
        """Fires forever (or until every trigger ends); stop with `itertools.islice`."""
        while (upcoming := self.peek()) is not None:
            yield from self.pop_due(upcoming)


__all__ = [
    "DEFAULT_ANCHOR",
    "ScheduleAgenda",
    "ScheduleTiming",
    "ScheduledFire",
    "WallClockCron",
    "build_trigger",
    "cron_trigger",
    "fire_times",
    "schedule_job_id",
]

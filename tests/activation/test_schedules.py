"""Fire times: APScheduler triggers on a virtual clock, UTC out, daylight saving handled."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.graph.schedules import (
    ScheduleAgenda,
    ScheduleTiming,
    build_trigger,
    fire_times,
)
from charter.protocols import ConfigError, Schedule


def _cron(expr: str, tz: str = "UTC", name: str = "job") -> Schedule:
    return Schedule(name=name, cron=expr, timezone=tz)


def _slow(schedule: Schedule, start: datetime, end: datetime) -> list[datetime]:
    timing = ScheduleTiming(schedule, anchor=start)
    out: list[datetime] = []
    current = start
    while (fire := timing.next_after(current)) is not None and fire <= end:
        out.append(fire)
        current = fire
    return out


def _local_days(fires: list[datetime], tz: str) -> Counter[date]:
    zone = ZoneInfo(tz)
    return Counter(f.astimezone(zone).date() for f in fires)


def test_fire_times_are_aware_utc_and_strictly_after_start() -> None:
    start = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    fires = fire_times(_cron("0 * * * *"), start, start + timedelta(hours=3))
    assert fires == [start + timedelta(hours=h) for h in (1, 2, 3)]
    assert all(f.tzinfo is UTC for f in fires)


def test_interval_counts_from_the_anchor() -> None:
    start = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    sched = Schedule(name="probe", interval=timedelta(minutes=25))
    fires = fire_times(sched, start, start + timedelta(hours=1), anchor=start)
    assert fires == [start + timedelta(minutes=25), start + timedelta(minutes=50)]


@pytest.mark.parametrize(
    ("expr", "needle"),
    [("61 * * * *", "61 * * * *"), ("* * *", "* * *"), ("0 25 * * *", "0 25")],
)
def test_bad_cron_is_a_config_error_naming_the_expression(expr: str, needle: str) -> None:
    with pytest.raises(ConfigError, match="cron") as info:
        build_trigger(_cron(expr))
    assert needle in str(info.value)


def test_bad_timezone_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        build_trigger(_cron("0 2 * * *", tz="Mars/Olympus"))


# Daylight saving: 2026 spring-forward / fall-back days.
DST = {
    "Europe/Berlin": (date(2026, 3, 29), date(2026, 10, 25)),
    "America/New_York": (date(2026, 3, 8), date(2026, 11, 1)),
}


@pytest.mark.parametrize("tz", sorted(DST))
def test_daily_0230_fires_exactly_once_on_both_dst_days(tz: str) -> None:
    spring, autumn = DST[tz]
    for day in (spring, autumn):
        start = datetime.combine(day - timedelta(days=2), datetime.min.time(), tzinfo=UTC)
        fires = fire_times(_cron("30 2 * * *", tz), start, start + timedelta(days=5))
        per_day = _local_days(fires, tz)
        assert per_day[day] == 1, (tz, day, fires)
        assert set(per_day.values()) == {1}
        # Neighbouring days keep their 02:30 local.
        for fire in fires:
            local = fire.astimezone(ZoneInfo(tz))
            if local.date() != day:
                assert (local.hour, local.minute) == (2, 30)


@pytest.mark.parametrize("tz", sorted(DST))
def test_spring_forward_0230_runs_at_0330_local(tz: str) -> None:
    spring, _ = DST[tz]
    start = datetime.combine(spring, datetime.min.time(), tzinfo=UTC) - timedelta(days=1)
    fires = fire_times(_cron("30 2 * * *", tz), start, start + timedelta(days=3))
    local = next(
        f.astimezone(ZoneInfo(tz)) for f in fires if f.astimezone(ZoneInfo(tz)).date() == spring
    )
    assert (local.hour, local.minute) == (3, 30)


def test_berlin_fall_back_0230_fires_at_first_occurrence_only() -> None:
    # APScheduler alone fires 02:30 CEST and 02:30 CET; Charter keeps the first.
    start = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    fires = fire_times(_cron("30 2 * * *", "Europe/Berlin"), start, start + timedelta(days=1))
    assert fires == [datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]


@pytest.mark.parametrize("tz", sorted(DST))
def test_hourly_follows_elapsed_time_across_dst(tz: str) -> None:
    spring, autumn = DST[tz]
    zone = ZoneInfo(tz)
    for day, expected in ((spring, 23), (autumn, 25)):
        start = datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        fires = fire_times(
            _cron("0 * * * *", tz),
            start - timedelta(seconds=1),
            end.astimezone(UTC) - timedelta(seconds=1),
        )
        assert len(fires) == expected, (tz, day)
        assert len(set(fires)) == len(fires)
        gaps = {b - a for a, b in itertools.pairwise(fires)}
        assert gaps == {timedelta(hours=1)}


ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]
CRONS = [
    "30 2 * * *",
    "0 * * * *",
    "*/5 * * * *",
    "*/15 9-17 * * 1-5",
    "0 3 1 * *",
    "45 1,2,3 * * 0",
    "0 0 29 2 *",
    "10 2-3 * * *",
]


@settings(max_examples=40, deadline=None)
@given(
    expr=st.sampled_from(CRONS),
    tz=st.sampled_from(ZONES),
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 1)),
    days=st.integers(min_value=1, max_value=5),
)
def test_fast_iteration_equals_trigger_step_by_step(
    expr: str, tz: str, start: datetime, days: int
) -> None:
    schedule = _cron(expr, tz)
    begin = start.replace(tzinfo=UTC)
    end = begin + timedelta(days=days)
    assert fire_times(schedule, begin, end) == _slow(schedule, begin, end)


@pytest.mark.parametrize("tz", sorted(DST))
@pytest.mark.parametrize("expr", CRONS)
def test_fast_iteration_equals_trigger_over_dst_days(tz: str, expr: str) -> None:
    schedule = _cron(expr, tz)
    for day in DST[tz]:
        begin = datetime.combine(day - timedelta(days=2), datetime.min.time(), tzinfo=UTC)
        end = begin + timedelta(days=4)
        assert fire_times(schedule, begin, end) == _slow(schedule, begin, end)


def test_agenda_merges_schedules_in_time_then_role_order() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    agenda = ScheduleAgenda(
        [
            ("engineer", _cron("0 * * * *", name="hourly")),
            ("data", _cron("0 * * * *", name="hourly")),
            ("data", Schedule(name="probe", interval=timedelta(minutes=20))),
        ],
        start,
    )
    assert agenda.peek() == start + timedelta(minutes=20)
    due = agenda.pop_due(start + timedelta(hours=1))
    assert [(f.at - start, f.role, f.schedule) for f in due] == [
        (timedelta(minutes=20), "data", "probe"),
        (timedelta(minutes=40), "data", "probe"),
        (timedelta(hours=1), "data", "hourly"),
        (timedelta(hours=1), "data", "probe"),
        (timedelta(hours=1), "engineer", "hourly"),
    ]
    assert agenda.peek() == start + timedelta(minutes=80)
    assert agenda.pop_due(start + timedelta(minutes=79)) == []


def test_agenda_equals_per_schedule_fire_times() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    end = start + timedelta(days=40)
    schedules = [
        ("data", _cron("30 2 * * *", "Europe/Berlin", name="nightly")),
        ("ops", _cron("*/5 * * * *", name="probe")),
        ("qa", _cron("*/15 9-17 * * 1-5", "America/New_York", name="office")),
    ]
    agenda = ScheduleAgenda(schedules, start)
    merged = agenda.pop_due(end)
    for role, sched in schedules:
        mine = [f.at for f in merged if f.role == role]
        assert mine == fire_times(sched, start, end, anchor=start)
    assert [f.at for f in merged] == sorted(f.at for f in merged)


def test_duplicate_schedule_name_per_role_is_rejected() -> None:
    with pytest.raises(ConfigError, match="defined twice"):
        ScheduleAgenda(
            [("data", _cron("0 * * * *")), ("data", _cron("5 * * * *"))],
            datetime(2026, 1, 1, tzinfo=UTC),
        )


@pytest.mark.parametrize(
    ("expr", "weekdays"),
    [
        ("0 6 * * 1", {0}),  # crontab 1 = Monday (APScheduler alone would say Tuesday)
        ("0 6 * * 1-5", {0, 1, 2, 3, 4}),
        ("0 6 * * 0", {6}),
        ("0 6 * * 7", {6}),
        ("0 6 * * mon-fri", {0, 1, 2, 3, 4}),
        ("0 6 * * */2", {6, 1, 3, 5}),  # Sun, Tue, Thu, Sat
        ("0 6 * * 6,0", {5, 6}),
    ],
)
def test_cron_weekdays_follow_crontab_numbering(expr: str, weekdays: set[int]) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    fires = fire_times(_cron(expr), start, start + timedelta(days=14))
    assert {f.weekday() for f in fires} == weekdays


def test_bad_weekday_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="weekday"):
        build_trigger(_cron("0 6 * * 9"))

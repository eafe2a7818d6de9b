"""Activation tables, the misfire policies and the persistent live scheduler."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from charter.agents.team import load_team
from charter.graph.activation import Activator, LiveScheduler, fire_event, resolve_due
from charter.graph.schedules import ScheduledFire
from charter.protocols import Schedule, VirtualClock

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_signals_activate_the_roles_whose_charter_lists_them() -> None:
    activator = Activator(load_team())
    assert activator.roles_for_signal("pipeline_failed")[0] == "data"
    assert "pm" not in activator.roles_for_signal("pipeline_failed")
    assert "data" in activator.roles_for_signal("schema_changed")
    assert activator.roles_for_signal("no_such_signal") == []


def test_manual_keywords_route_tasks() -> None:
    activator = Activator(load_team())
    assert "data" in activator.roles_for_task("Please run a GDPR compliance audit")
    assert "data" not in activator.roles_for_task("paint the lobby")


def test_team_schedules_include_the_data_agents_monitors() -> None:
    schedules = Activator(load_team()).schedules()
    monitors = {s.monitor for role, s in schedules if role == "data"}
    assert {"pipeline_health", "data_quality"} <= monitors
    fires = Activator(load_team()).agenda(T0).pop_due(T0 + timedelta(hours=1))
    assert [f.schedule for f in fires if f.role == "data"].count("Pipeline health") == 4


HOURS = [T0 - timedelta(hours=h) for h in (3, 2, 1)]


def test_coalesce_folds_missed_fires_into_one_marked_run() -> None:
    result = resolve_due("data", "s", None, "coalesce", HOURS, T0)
    assert [(f.at, f.misfire, f.missed) for f in result.fires] == [(HOURS[-1], True, 2)]


def test_coalesce_on_time_fire_is_not_a_misfire() -> None:
    result = resolve_due("data", "s", None, "coalesce", [T0], T0 + timedelta(seconds=1))
    assert [(f.misfire, f.missed) for f in result.fires] == [(False, 0)]


def test_run_once_late_runs_every_missed_fire_once() -> None:
    result = resolve_due("data", "s", "m", "run_once_late", HOURS, T0)
    assert [(f.at, f.misfire) for f in result.fires] == [(t, True) for t in HOURS]
    assert all(f.monitor == "m" for f in result.fires)


def test_skip_drops_late_fires_and_reports_them() -> None:
    result = resolve_due("data", "s", None, "skip", [*HOURS, T0], T0 + timedelta(seconds=5))
    assert [f.at for f in result.fires] == [T0]
    assert result.skipped == HOURS


def test_fire_event_is_idempotent_and_records_the_misfire() -> None:
    fire = ScheduledFire(T0, "data", "nightly", None, True, 3)
    one, two = fire_event("run-1", fire, T0), fire_event("run-1", fire, T0)
    assert one.id == two.id and one.misfire and one.scheduled_for == T0
    assert fire_event("run-2", fire, T0).id != one.id


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("coalesce", [(True, 2)]), ("run_once_late", [(True, 0)] * 3), ("skip", [])],
)
def test_live_jobs_survive_a_restart_and_misfires_follow_the_policy(
    tmp_path: Path, policy: str, expected: list[tuple[bool, int]]
) -> None:
    url = f"sqlite:///{tmp_path / 'run.db'}"
    schedule = Schedule(name="hourly", cron="0 * * * *", misfire=policy)  # type: ignore[arg-type]
    first = LiveScheduler(url, on_fire=lambda fire: None, clock=VirtualClock(T0))
    first.start(paused=True)
    assert first.sync([("data", schedule)]) == ["data:hourly"]
    first.shutdown()

    # "Down" for three hours: the stored job still points three fires back.
    fired: list[ScheduledFire] = []
    skipped: list[datetime] = []
    done = threading.Event()

    def on_fire(fire: ScheduledFire) -> None:
        fired.append(fire)

    def on_skip(_job: str, at: datetime) -> None:
        skipped.append(at)

    now = T0 + timedelta(hours=3, minutes=10)
    second = LiveScheduler(url, on_fire=on_fire, on_skip=on_skip, clock=VirtualClock(now))
    original = second.handle_due

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return original(*args, **kwargs)
        finally:
            done.set()

    second.handle_due = spy  # type: ignore[method-assign]
    second.start(paused=True)
    assert list(second.next_fire_times()) == ["data:hourly"]  # persisted
    second.sync([("data", schedule)])  # unchanged schedule keeps its stored fire time
    # APScheduler computes due times against the wall clock; hand it ours, as its loop
    # does after a restart (the real loop is exercised in the next test).
    job = second.scheduler.get_job("data:hourly")
    due = [T0 + timedelta(hours=h) for h in (1, 2, 3)]
    result = second.handle_due(job.id, dict(job.kwargs), due)
    second.shutdown()
    assert [(f.misfire, f.missed) for f in result.fires] == expected
    assert [(f.misfire, f.missed) for f in fired] == expected
    if policy == "skip":
        assert skipped == due
    assert done.is_set()


def test_live_scheduler_processes_overdue_jobs_through_the_policy(tmp_path: Path) -> None:
    # The real APScheduler loop: a job overdue by two hours on the wall clock reaches
    # handle_due with both due times and is coalesced into one misfire.
    url = f"sqlite:///{tmp_path / 'run.db'}"
    fired: list[ScheduledFire] = []
    done = threading.Event()

    def on_fire(fire: ScheduledFire) -> None:
        fired.append(fire)
        done.set()

    live = LiveScheduler(url, on_fire=on_fire)
    live.start(paused=True)
    live.sync([("data", Schedule(name="hourly", cron="0 * * * *"))])
    wall = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    live.scheduler.modify_job("data:hourly", next_run_time=wall - timedelta(hours=2))
    live.resume()
    assert done.wait(timeout=20)
    live.shutdown()
    assert len(fired) == 1
    assert fired[0].misfire and fired[0].missed >= 1


def test_live_scheduler_fires_a_fixed_hour_cron_once_on_the_fall_back_day(
    tmp_path: Path,
) -> None:
    # 2026-10-25 in Europe/Berlin: 02:30 happens twice (CEST, then CET). The scenario
    # agenda fires once; the live scheduler's stored job must agree. Its due run times are
    # computed here as APScheduler's scheduler computes them (Job._get_run_times) from a
    # virtual clock, no waiting.
    from charter.graph.schedules import ScheduleAgenda

    schedule = Schedule(name="nightly", cron="30 2 * * *", timezone="Europe/Berlin")
    day_before = datetime(2026, 10, 24, 12, tzinfo=UTC)
    live = LiveScheduler(
        f"sqlite:///{tmp_path / 'run.db'}",
        on_fire=lambda fire: None,
        clock=VirtualClock(day_before),
    )
    live.start(paused=True)
    live.sync([("data", schedule)])
    job = live.scheduler.get_job("data:nightly")
    job.next_run_time = job.trigger.get_next_fire_time(None, day_before)
    run_times = job._get_run_times(datetime(2026, 10, 26, 12, tzinfo=UTC))
    live.shutdown()
    assert [t.astimezone(UTC).isoformat() for t in run_times] == [
        "2026-10-25T00:30:00+00:00",  # 02:30 CEST, the first pass only
        "2026-10-26T01:30:00+00:00",  # 02:30 CET the next day
    ]
    agenda = ScheduleAgenda([("data", schedule)], day_before).pop_due(
        datetime(2026, 10, 26, 12, tzinfo=UTC)
    )
    assert [f.at for f in agenda] == [t.astimezone(UTC) for t in run_times]

"""Activation: what wakes a role — a signal (automatic), a PM task (manual) or a schedule.

* `Activator` reads a team's charters: which roles a signal kind activates, which a task's
  words point to, and every scheduled activation with its role.
* `resolve_due` is the misfire policy, a pure function of the due fire times and the
  current instant, used by the live scheduler and tested without one.
* `LiveScheduler` runs the same APScheduler triggers (`charter.graph.schedules`) for real:
  a `BackgroundScheduler` whose jobs live in an `SQLAlchemyJobStore` in the run database,
  so schedules survive a restart and the fires missed while it was down are handled by
  each schedule's declared policy instead of silently lost or replayed.

Misfire policies (a fire is *late* when it runs more than `grace` after its time):

* `coalesce` — every missed fire collapses into one run, marked `misfire=True`, with
  `missed` counting the fires folded into it;
* `run_once_late` — each missed fire runs once, late, in order, each marked `misfire=True`;
* `skip` — late fires are dropped (reported as skipped, never run); on-time ones run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from charter.protocols import Clock, Schedule, SystemClock, Team
from charter.protocols.events import ScheduleFired

from .ids import stable_id
from .schedules import ScheduleAgenda, ScheduledFire, build_trigger, schedule_job_id

MisfirePolicy = Literal["coalesce", "run_once_late", "skip"]
DEFAULT_GRACE = timedelta(seconds=30)
JOB_TABLE = "charter_schedule_jobs"


class Activator:
    """A team's activation tables, queried by kind of cause."""

    def __init__(self, team: Team) -> None:
        self.team = team

    def roles_for_signal(self, kind: str) -> list[str]:
        """Roles whose automatic activation lists `kind`, in team order."""
        return [
            role
            for role, charter in self.team.roles.items()
            if any(kind in trigger.signals for trigger in charter.activation.automatic)
        ]

    def roles_for_task(self, text: str) -> list[str]:
        """Roles whose manual activation keywords occur in `text` (word match, any case)."""
        words = set(_words(text))
        found: list[str] = []
        for role, charter in self.team.roles.items():
            for trigger in charter.activation.manual:
                if any(set(_words(keyword)) <= words for keyword in trigger.keywords):
                    found.append(role)
                    break
        return found

    def schedules(self) -> list[tuple[str, Schedule]]:
        """Every scheduled activation of the team, as (role, schedule)."""
        return [
            (role, schedule)
            for role, charter in self.team.roles.items()
            for schedule in charter.activation.scheduled
        ]

    def agenda(self, start: datetime, extra: Sequence[tuple[str, Schedule]] = ()) -> ScheduleAgenda:
        """The virtual-clock agenda of the team's schedules plus `extra` ones."""
        return ScheduleAgenda([*self.schedules(), *extra], start)


def _words(text: str) -> list[str]:
    return "".join(c if c.isalnum() else " " for c in text.casefold()).split()


@dataclass(frozen=True)
class DueResult:
    """What a batch of due fire times turns into under a misfire policy."""

    fires: list[ScheduledFire]
    skipped: list[datetime] = field(default_factory=list)


def resolve_due(
    role: str,
    schedule: str,
    monitor: str | None,
    policy: MisfirePolicy,
    run_times: Sequence[datetime],
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
) -> DueResult:
    """Apply `policy` to the fire times that came due (oldest first) at `now`."""
    times = sorted(t.astimezone(UTC) for t in run_times)
    if not times:
        return DueResult([])
    late = [t for t in times if now - t > grace]

    def fire(at: datetime, misfire: bool, missed: int = 0) -> ScheduledFire:
        return ScheduledFire(at, role, schedule, monitor, misfire, missed)

    if policy == "skip":
        return DueResult([fire(t, False) for t in times if t not in late], skipped=late)
    if policy == "run_once_late":
        return DueResult([fire(t, t in late) for t in times])
    if len(times) == 1 and not late:
        return DueResult([fire(times[0], False)])
    return DueResult([fire(times[-1], True, missed=len(times) - 1)])


def fire_event(run_id: str, fire: ScheduledFire, at: datetime) -> ScheduleFired:
    """The run event recording `fire` (one id per schedule and fire time: idempotent)."""
    return ScheduleFired(
        id=stable_id("ev", run_id, "schedule", fire.job_id, fire.at.isoformat()),
        at=at,
        agent=fire.role,
        correlation_id=stable_id("sched", run_id, fire.job_id, fire.at.isoformat()),
        schedule=fire.schedule,
        scheduled_for=fire.at,
        misfire=fire.misfire,
    )


def _scheduled_job(**_: Any) -> None:
    """Stored as the jobs' callable (by reference, so the job store can persist it).
    `_DispatchExecutor` never calls it: it hands the due times to the `LiveScheduler`."""


def _make_executor(owner: LiveScheduler) -> Any:
    from apscheduler.executors.base import (  # type: ignore[import-untyped]  # no stubs
        BaseExecutor,
    )

    class _DispatchExecutor(BaseExecutor):  # type: ignore[misc]  # untyped base class
        # APScheduler's own executors only tell a job *that* it runs, not for which fire
        # time; this one passes every due fire time, so the misfire policy sees them all.
        def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
            try:
                owner.handle_due(job.id, dict(job.kwargs), run_times)
            finally:
                self._run_job_success(job.id, [])

    return _DispatchExecutor()


class LiveScheduler:
    """Schedules on wall-clock time, persisted in `url`'s database (table `JOB_TABLE`).

    `on_fire` receives each `ScheduledFire` the policy lets through; `on_skip` the fire
    times a `skip` policy dropped. Both run on the scheduler's thread.
    """

    def __init__(
        self,
        url: str,
        on_fire: Callable[[ScheduledFire], None],
        *,
        on_skip: Callable[[str, datetime], None] | None = None,
        clock: Clock | None = None,
        grace: timedelta = DEFAULT_GRACE,
        tablename: str = JOB_TABLE,
    ) -> None:
        from apscheduler.jobstores.sqlalchemy import (  # type: ignore[import-untyped]
            SQLAlchemyJobStore,  # no stubs
        )
        from apscheduler.schedulers.background import (  # type: ignore[import-untyped]
            BackgroundScheduler,  # no stubs
        )

        self.on_fire = on_fire
        self.on_skip = on_skip
        self.clock: Clock = clock or SystemClock()
        self.grace = grace
        self.fired: list[ScheduledFire] = []
        self._lock = threading.Lock()
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=url, tablename=tablename)},
            executors={"default": _make_executor(self)},
            # Every due time reaches `handle_due`; the schedule's own policy decides.
            job_defaults={"coalesce": False, "misfire_grace_time": None, "max_instances": 1},
            timezone=UTC,
        )

    def start(self, *, paused: bool = False) -> None:
        self.scheduler.start(paused=paused)

    def resume(self) -> None:
        self.scheduler.resume()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)

    def sync(self, schedules: Sequence[tuple[str, Schedule]]) -> list[str]:
        """Make the job store hold exactly `schedules` (needs `start()` first). A job that
        already exists keeps its stored next fire time, so a restart still sees what it
        missed; a changed timing replaces it."""
        wanted: dict[str, tuple[str, Schedule]] = {}
        for role, schedule in schedules:
            wanted[schedule_job_id(role, schedule.name)] = (role, schedule)
        for job in self.scheduler.get_jobs():
            if job.id not in wanted:
                job.remove()
        for job_id, (role, schedule) in wanted.items():
            kwargs = {
                "role": role,
                "schedule": schedule.name,
                "monitor": schedule.monitor,
                "misfire": schedule.misfire,
                "timing": schedule.model_dump_json(include={"cron", "interval", "timezone"}),
                # Jobs stored before the wall-clock cron rule fired twice on fall-back
                # days: a new rule version replaces them.
                "rule": "wall-clock-cron-1",
            }
            existing = self.scheduler.get_job(job_id)
            if existing is not None and dict(existing.kwargs) == kwargs:
                continue
            self.scheduler.add_job(
                "charter.graph.activation:_scheduled_job",
                trigger=build_trigger(schedule, anchor=self.clock.now()),
                id=job_id,
                name=f"{role}: {schedule.name}",
                kwargs=kwargs,
                replace_existing=True,
            )
        return sorted(wanted)

    def next_fire_times(self) -> dict[str, datetime | None]:
        return {
            job.id: (job.next_run_time.astimezone(UTC) if job.next_run_time else None)
            for job in self.scheduler.get_jobs()
        }

    def handle_due(
        self, job_id: str, kwargs: dict[str, Any], run_times: Sequence[datetime]
    ) -> DueResult:
        """Apply the schedule's misfire policy to `run_times` and deliver the result."""
        policy: MisfirePolicy = kwargs.get("misfire", "coalesce")
        result = resolve_due(
            kwargs.get("role", job_id.split(":", 1)[0]),
            kwargs.get("schedule", job_id.split(":", 1)[-1]),
            kwargs.get("monitor"),
            policy,
            run_times,
            self.clock.now(),
            self.grace,
        )
        with self._lock:  # one fire at a time into the run
            for fire in result.fires:
                self.fired.append(fire)
                self.on_fire(fire)
            if self.on_skip is not None:
                for skipped in result.skipped:
                    self.on_skip(job_id, skipped)
        return result


__all__ = [
    "DEFAULT_GRACE",
    "JOB_TABLE",
    "Activator",
    "DueResult",
    "LiveScheduler",
    "MisfirePolicy",
    "fire_event",
    "resolve_due",
]

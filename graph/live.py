"""Live schedules for an Orchestrator (`Orchestrator(..., live=True)`, `charter serve`).

The APScheduler thread only queues fires; the thread that owns the Orchestrator applies
them (`apply_due`) before it steps, because the Orchestrator is not thread-safe. Jobs live
in the run database's persistent job store, so schedules survive restarts and a fire
missed while the process was down follows its schedule's misfire policy.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from charter.protocols import Signal

from .activation import Activator, LiveScheduler, fire_event
from .monitors import MonitorContext, get_monitor
from .schedules import ScheduledFire

if TYPE_CHECKING:
    from .orchestrator import Orchestrator


class LiveSchedules:
    """The team's schedules running on the wall clock for one open Orchestrator."""

    def __init__(
        self, orch: Orchestrator, *, on_skip: Callable[[str, datetime], None] | None = None
    ) -> None:
        self._orch = orch
        self._fires: queue.Queue[ScheduledFire] = queue.Queue()
        self._last: dict[str, datetime] = {}
        self.scheduler = LiveScheduler(
            f"sqlite:///{orch.run_dir / 'run.db'}",
            on_fire=self._fires.put,
            on_skip=on_skip,
            clock=orch.clock,
        )
        self.scheduler.start(paused=True)
        self.jobs = self.scheduler.sync(Activator(orch.team).schedules())
        self.scheduler.resume()

    def wait(self, timeout: float) -> bool:
        """Block up to `timeout` seconds for a fire; True when one is queued."""
        try:
            fire = self._fires.get(timeout=timeout)
        except queue.Empty:
            return False
        self._fires.put(fire)
        return True

    def apply_due(self) -> list[ScheduledFire]:
        """Record every queued fire and turn its monitor's measurements into signals."""
        applied: list[ScheduledFire] = []
        while True:
            try:
                fire = self._fires.get_nowait()
            except queue.Empty:
                return applied
            self._apply(fire)
            applied.append(fire)

    def _apply(self, fire: ScheduledFire) -> None:
        orch = self._orch
        orch.record(fire_event(orch.run_id, fire, orch.clock.now()))
        if fire.monitor is not None:
            context = MonitorContext(
                datasets=orch.datasets,
                now=fire.at,
                schedule=fire.schedule,
                since=self._last.get(fire.job_id),
            )
            found: list[Signal] = list(get_monitor(fire.monitor).run(context))
            for signal in found:
                orch.signal(signal)
        self._last[fire.job_id] = fire.at

    def shutdown(self) -> None:
        self.scheduler.shutdown()


__all__ = ["LiveSchedules"]

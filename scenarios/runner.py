"""Playing a scenario on the Orchestrator with a virtual clock.

The clock only ever jumps to *points*: the timeline's steps, the schedules' fires and the
scenario's end. At each point the runner applies the steps due (file order), then the
fires due (agenda order), then lets the Orchestrator work until it is idle or paused on
an undecided escalation. Every input carries an id derived from the run, the step and the
time, and the run store ignores an event id it already holds, so a run killed at any
moment and started again replays its last point without duplicating anything: the
digest equals that of an uninterrupted run.
"""

from __future__ import annotations

import bisect
import os
import signal as _signals
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from charter.agents.brain import Brain
from charter.agents.brains import bind_usage_events
from charter.graph.activation import fire_event
from charter.graph.ids import stable_id
from charter.graph.monitors import MonitorContext, get_monitor
from charter.graph.schedules import ScheduleAgenda, ScheduledFire
from charter.protocols import (
    Action,
    AgentView,
    Event,
    Signal,
    TaskAssignment,
    VirtualClock,
)
from charter.protocols.events import AIUsage, FaultInjected, RunFinished

from .expectations import ExpectationResult, evaluate
from .format import FaultStep, TimelineStep
from .loader import LoadedScenario
from .workspace import apply_data_fault, build_database, write_files

KILL_ENV = "CHARTER_SCENARIO_KILL_AFTER_STEPS"  # tests: SIGKILL self after N graph steps
MAX_STEPS_PER_POINT = 500


@dataclass
class ScenarioResult:
    name: str
    path: Path
    run_dir: Path
    seed: int
    digest: str
    results: list[ExpectationResult]
    events: list[Event]
    simulated: timedelta
    wall_seconds: float
    error: str | None = None
    denied: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.error is None and all(r.passed for r in self.results)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": str(self.path),
            "run_dir": str(self.run_dir),
            "seed": self.seed,
            "passed": self.passed,
            "digest": self.digest,
            "events": len(self.events),
            "simulated_seconds": self.simulated.total_seconds(),
            "wall_seconds": round(self.wall_seconds, 3),
            "error": self.error,
            "expectations": [r.as_dict() for r in self.results],
        }


class _FaultyBrain:
    """A brain broken by a scenario fault: it raises, or answers nothing at all."""

    def __init__(self, behaviour: str, message: str) -> None:
        self.behaviour = behaviour
        self.message = message

    def decide(self, view: AgentView) -> Sequence[Action]:
        if self.behaviour == "raises":
            raise RuntimeError(self.message)
        return []


def default_run_dir(out: Path, loaded: LoadedScenario, seed: int) -> Path:
    return out / f"{loaded.scenario.name}-seed{seed}"


class ScenarioRunner:
    def __init__(
        self,
        loaded: LoadedScenario,
        run_dir: Path,
        *,
        seed: int | None = None,
        brains: dict[str, Brain] | None = None,
        progress: Callable[[datetime, datetime], None] | None = None,
    ) -> None:
        self.loaded = loaded
        self.scenario = loaded.scenario
        self.run_dir = run_dir
        self.seed = self.scenario.seed if seed is None else seed
        self.brains = brains or {}
        self.progress = progress
        self._steps = 0
        kill = os.environ.get(KILL_ENV)
        self._kill_after = int(kill) if kill else None

    # --- the plan -----------------------------------------------------------------------

    def _instants(self) -> tuple[list[tuple[datetime, int, TimelineStep]], datetime]:
        steps = [
            (self.scenario.instant(step.at), index, step)
            for index, step in enumerate(self.scenario.timeline)
        ]
        last = steps[-1][0] if steps else self.scenario.start
        end = (
            self.scenario.start + self.scenario.duration
            if self.scenario.duration is not None
            else last + timedelta(hours=1)
        )
        return steps, max(end, last)

    def run(self) -> ScenarioResult:
        from charter.graph import Orchestrator

        began = time.perf_counter()
        steps, end = self._instants()
        fires = ScheduleAgenda(self.loaded.schedules(), self.scenario.start).pop_due(end)
        previous_fire: dict[tuple[str, datetime], datetime | None] = {}
        last_seen: dict[str, datetime] = {}
        for fire in fires:
            previous_fire[(fire.job_id, fire.at)] = last_seen.get(fire.job_id)
            last_seen[fire.job_id] = fire.at
        points = sorted({t for t, _, _ in steps} | {f.at for f in fires} | {end})
        clock = VirtualClock(self.scenario.start)
        workspace = self.scenario.workspace
        error: str | None = None
        with Orchestrator(
            self.run_dir,
            team=self.loaded.team,
            brains=self.brains,
            clock=clock,
            start=self.scenario.start,
            seed=self.seed,
            name=self.scenario.name,
            pm_policy=self.scenario.pm.policy,
            classifications=dict(workspace.classifications),
        ) as orch:
            # Claude-driven agents report their API usage as `ai_usage` run events.
            bind_usage_events(self.brains or {}, orch.rt.emit, orch.run_id)
            for spec in workspace.all_databases():
                build_database(orch.rt.datasets, spec, self.seed)
            write_files(orch.rt.workspace, self.loaded.base_dir, workspace.files)
            resume_at = orch.store.last_event_at() or self.scenario.start
            clock.jump_to(max(resume_at, clock.now()))
            # Faults that change a brain live in memory: a resumed run re-applies them.
            for instant, index, step in steps:
                if instant < resume_at and step.fault is not None and step.fault.brain:
                    self._apply_fault(orch, index, step.fault, instant, record=False)
            settled: int | None = None  # event count when the run last went idle
            try:
                position = 0
                while position < len(points):
                    point = points[position]
                    position += 1
                    if point < resume_at:
                        continue
                    if point > clock.now():
                        clock.jump_to(point)
                    before = orch.store.event_count()
                    for instant, index, step in steps:
                        if instant == point:
                            self._apply_step(orch, index, step, point)
                    for fire in fires:
                        if fire.at == point:
                            self._apply_fire(orch, fire, previous_fire[(fire.job_id, fire.at)])
                    # Nothing new and nothing overdue: the idle graph has nothing to do.
                    quiet = before == settled == orch.store.event_count()
                    if not (quiet and not orch.check_deadlines()):
                        settled = orch.store.event_count() if self._drive(orch) else None
                    # An open escalation's acknowledgement deadline and a request's reply
                    # deadline are points of their own, so a missed deadline re-escalates
                    # (or dead-letters) on time, not at the next event.
                    deadline = self._next_deadline(orch, point, end)
                    if deadline is not None and deadline not in points:
                        bisect.insort(points, deadline)
                    if self.progress is not None:
                        self.progress(point, end)
                orch.rt.emit(
                    RunFinished(
                        id=stable_id("ev", orch.run_id, "finished"), at=clock.now(), reason="end"
                    )
                )
            except Exception as exc:  # a crashed agent or tool ends the scenario, reported
                error = f"{type(exc).__name__}: {exc}"
            events = [event for _, event in orch.events()]
            digest = orch.digest()
        lines = [self.loaded.source.line(("expect", i)) for i in range(len(self.scenario.expect))]
        results = evaluate(
            self.scenario.expect,
            events,
            start=self.scenario.start,
            team=self.loaded.team,
            digest=digest,
            lines=lines,
        )
        return ScenarioResult(
            name=self.scenario.name,
            path=self.loaded.path,
            run_dir=self.run_dir,
            seed=self.seed,
            digest=digest,
            results=results,
            events=events,
            simulated=end - self.scenario.start,
            wall_seconds=time.perf_counter() - began,
            error=error,
        )

    # --- applying -----------------------------------------------------------------------

    @staticmethod
    def _next_deadline(orch: Any, now: datetime, end: datetime) -> datetime | None:
        found: datetime | None = orch.next_deadline(now, end)
        return found

    def _drive(self, orch: Any) -> bool:
        """Step until idle or paused; True when idle."""
        for _ in range(MAX_STEPS_PER_POINT):
            status = orch.step().status
            self._steps += 1
            if self._kill_after is not None and self._steps >= self._kill_after:
                os.kill(os.getpid(), _signals.SIGKILL)
            if status != "working":
                return bool(status == "idle")
        return False

    def _apply_step(self, orch: Any, index: int, step: TimelineStep, at: datetime) -> None:
        run_id = orch.run_id
        if step.signal is not None:
            orch.signal(
                Signal(
                    id=stable_id("sig", run_id, "timeline", index),
                    kind=step.signal.kind,
                    source=step.signal.source,
                    at=at,
                    payload=step.signal.payload,
                )
            )
        elif step.task is not None:
            task = step.task
            orch.submit(
                TaskAssignment(
                    id=stable_id("task", run_id, "timeline", index),
                    title=task.title or task.text.split("\n")[0][:80],
                    task=task.text,
                    inputs=task.inputs,
                    created_at=at,
                ),
                to=task.to,
            )
        elif step.decide is not None:
            wanted = (step.decide.trigger or "").casefold()
            for escalation in orch.escalations():
                if escalation.decision is not None:
                    continue
                if wanted and escalation.trigger.casefold() != wanted:
                    continue
                orch.decide(escalation.id, step.decide.verdict, note=step.decide.note)
        elif step.fault is not None:
            self._apply_fault(orch, index, step.fault, at, record=True)
        elif step.ai_usage is not None:
            usage = step.ai_usage
            orch.rt.emit(
                AIUsage(
                    id=stable_id("ev", run_id, "usage", index),
                    at=at,
                    agent=usage.role,
                    model=usage.model,
                    input_tokens=usage.input_tokens,
                    output_tokens=usage.output_tokens,
                    cost_usd=usage.cost_usd,
                )
            )

    def _apply_fault(
        self, orch: Any, index: int, fault: FaultStep, at: datetime, *, record: bool
    ) -> None:
        if fault.brain is not None:
            orch.rt.brains[fault.brain.role] = _FaultyBrain(
                fault.brain.behaviour, fault.brain.message
            )
            details: dict[str, object] = {
                "role": fault.brain.role,
                "behaviour": fault.brain.behaviour,
            }
        else:
            details = apply_data_fault(orch.rt.datasets, fault, at, self.seed + index)
        if record:
            orch.rt.emit(
                FaultInjected(
                    id=stable_id("ev", orch.run_id, "fault", index),
                    at=at,
                    agent=fault.brain.role if fault.brain else None,
                    fault=fault.label,
                    details=details,
                )
            )

    def _apply_fire(self, orch: Any, fire: ScheduledFire, since: datetime | None) -> None:
        orch.rt.emit(fire_event(orch.run_id, fire, fire.at))
        spec = next(
            (
                s
                for s in self.scenario.schedules
                if s.role == fire.role and (s.name or "schedule") == fire.schedule
            ),
            None,
        )
        if fire.monitor is None:
            orch.submit(
                TaskAssignment(
                    id=stable_id("task", orch.run_id, fire.job_id, fire.at.isoformat()),
                    title=f"Scheduled: {fire.schedule}",
                    task=f"Scheduled activation {fire.schedule}",
                    assigned_to=fire.role,
                    activated_by=f"schedule:{fire.schedule}",
                    created_at=fire.at,
                )
            )
            return
        context = MonitorContext(
            datasets=orch.rt.datasets,
            now=fire.at,
            schedule=fire.schedule,
            since=since,
            options=spec.options if spec is not None else {},
            classifications=dict(self.scenario.workspace.classifications),
        )
        for found in get_monitor(fire.monitor).run(context):
            orch.signal(found)


def run_scenario(
    loaded: LoadedScenario,
    run_dir: Path,
    *,
    seed: int | None = None,
    brains: dict[str, Brain] | None = None,
    progress: Callable[[datetime, datetime], None] | None = None,
) -> ScenarioResult:
    return ScenarioRunner(loaded, run_dir, seed=seed, brains=brains, progress=progress).run()


__all__ = ["KILL_ENV", "ScenarioResult", "ScenarioRunner", "default_run_dir", "run_scenario"]

"""Playing a scenario one unit of work at a time: the one implementation behind
`run_scenario`, the TUI and any PM orchestrator that drives a scenario from Python.

The clock only ever jumps to *points*: the timeline's steps, the schedules' fires, the
open deadlines and the scenario's end. A `step()` either moves to the next point (jump the
clock, apply the steps due in file order, then the fires due in agenda order) or lets the
Orchestrator process one work item at the current point; a point stays open until the
Orchestrator is idle or paused on an undecided escalation. Every input carries an id
derived from the run, the step and the time, and the run store ignores an event id it
already holds, so a run killed at any moment and opened again replays its last point
without duplicating anything: the digest equals that of an uninterrupted run.

Who decides escalations: by default the scenario's `pm:` policy, and `decide` timeline
steps; the timeline goes on while a pause waits for one. With `pm_policy="wait"` the
caller is the PM: a pause holds the timeline (status "paused", the clock stays put) until
`decide()` resumes the paused work.
"""

from __future__ import annotations

import bisect
import os
import shutil
import signal as _signals
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from charter.agents.brain import Brain
from charter.agents.brains import bind_usage_events
from charter.agents.policies.pm import PmPolicyName
from charter.graph.ids import stable_id
from charter.graph.schedules import ScheduleAgenda, ScheduledFire
from charter.protocols import ConfigError, DecisionVerdict, Escalation, Event, VirtualClock
from charter.protocols.events import RunFinished

from .expectations import evaluate
from .fingerprint import check_run_dir, record_fingerprint
from .format import TimelineStep
from .inputs import apply_fault, apply_fire, apply_step
from .loader import LoadedScenario
from .result import ScenarioResult
from .workspace import build_database, write_files

if TYPE_CHECKING:
    from charter.graph import Orchestrator

KILL_ENV = "CHARTER_SCENARIO_KILL_AFTER_STEPS"  # tests: SIGKILL self after N graph steps
MAX_STEPS_PER_POINT = 500

PlayStatus = Literal["working", "paused", "finished"]
PlayAction = Literal["point", "graph", "finish", "none"]
Progress = Callable[[datetime, datetime], None]


@dataclass(frozen=True)
class PlayStep:
    """What one `step()` did and where the play stands after it."""

    status: PlayStatus  # working: step again; paused: decide first; finished: done
    did: PlayAction  # moved to a point, one Orchestrator step, the end, or nothing
    at: datetime  # the run clock after the step
    events: list[tuple[int, Event]]  # what the step recorded


class ScenarioPlay:
    """One scenario run, stepped by the caller. Use as a context manager (or `close()`)."""

    def __init__(
        self,
        loaded: LoadedScenario,
        run_dir: Path,
        *,
        seed: int | None = None,
        brains: dict[str, Brain] | None = None,
        pm_policy: PmPolicyName | None = None,
        progress: Progress | None = None,
        store: str | None = None,
    ) -> None:
        from charter.graph import Orchestrator

        self._began = time.perf_counter()
        self.loaded = loaded
        self.scenario = scenario = loaded.scenario
        self.run_dir = run_dir
        self.seed = scenario.seed if seed is None else seed
        self.progress = progress
        # Overriding the policy with "wait" makes the caller the PM: pauses hold the clock.
        self.holds = pm_policy == "wait"
        self._plan()
        self.clock = VirtualClock(scenario.start)
        workspace = scenario.workspace
        # A run this call makes and cannot set up is removed again: no half-made run
        # directory is left to be mistaken for a run (a resumed one is left as it was).
        fresh = not (run_dir / "run.json").exists()
        existed = run_dir.exists()
        check_run_dir(loaded, run_dir)  # an edited scenario must not re-check an old run
        self.orchestrator: Orchestrator = Orchestrator(
            run_dir,
            team=loaded.team,
            brains=brains or {},
            clock=self.clock,
            start=scenario.start,
            seed=self.seed,
            name=scenario.name,
            pm_policy=pm_policy or scenario.pm.policy,
            classifications=dict(workspace.classifications),
            store_url=store,
        )
        try:
            if fresh:
                record_fingerprint(loaded, run_dir)
            self._set_up(brains or {})
        except BaseException:
            self.orchestrator.close()
            if fresh:
                _remove_half_made(run_dir, keep_folder=existed)
            raise
        self.error: str | None = None
        self._position = 0
        self._point: datetime | None = None  # the point being worked on, while it is open
        self._driven = 0  # Orchestrator steps at the open point
        self._settled: int | None = None  # event count when the run last went idle
        self._status: PlayStatus = "working"
        self._steps = 0
        kill = os.environ.get(KILL_ENV)
        self._kill_after = int(kill) if kill else None

    # --- opening ------------------------------------------------------------------------

    def _plan(self) -> None:
        scenario = self.scenario
        self._timeline: list[tuple[datetime, int, TimelineStep]] = [
            (scenario.instant(step.at), index, step) for index, step in enumerate(scenario.timeline)
        ]
        last = self._timeline[-1][0] if self._timeline else scenario.start
        end = (
            scenario.start + scenario.duration
            if scenario.duration is not None
            else last + timedelta(hours=1)
        )
        self.end = max(end, last)
        self._fires: list[ScheduledFire] = ScheduleAgenda(
            self.loaded.schedules(), scenario.start
        ).pop_due(self.end)
        # A monitor looks at what happened since its schedule's previous fire.
        self._previous_fire: dict[tuple[str, datetime], datetime | None] = {}
        last_seen: dict[str, datetime] = {}
        for fire in self._fires:
            self._previous_fire[(fire.job_id, fire.at)] = last_seen.get(fire.job_id)
            last_seen[fire.job_id] = fire.at
        self._points = sorted(
            {t for t, _, _ in self._timeline} | {f.at for f in self._fires} | {self.end}
        )

    def _set_up(self, brains: dict[str, Brain]) -> None:
        orch = self.orchestrator
        # Claude-driven agents report their API usage as `ai_usage` run events.
        bind_usage_events(brains, orch.record, orch.run_id)
        for spec in self.scenario.workspace.all_databases():
            build_database(orch.datasets, spec, self.seed)
        write_files(orch.workspace, self.loaded.base_dir, self.scenario.workspace.files)
        self._resume_at = orch.store.last_event_at() or self.scenario.start
        self.clock.jump_to(max(self._resume_at, self.clock.now()))
        # Faults that change a brain live in memory: a resumed run re-applies them.
        for instant, index, step in self._timeline:
            if instant < self._resume_at and step.fault is not None and step.fault.brain:
                apply_fault(orch, index, step.fault, instant, self.seed, record=False)

    # --- stepping -----------------------------------------------------------------------

    @property
    def status(self) -> PlayStatus:
        return self._status

    def step(self) -> PlayStep:
        """One unit of work; a step while paused or finished does nothing."""
        before = self.orchestrator.store.event_count()
        did: PlayAction = "none"
        if self._status == "working":
            try:
                if self._point is not None:
                    did = "graph"
                    self._step_graph(self._point)
                elif self._position < len(self._points):
                    did = "point"
                    self._enter_point()
                else:
                    did = "finish"
                    self._finish_run()
            except Exception as exc:  # a crashed agent or tool ends the scenario, reported
                self.error = f"{type(exc).__name__}: {exc}"
                self._status = "finished"
        events = self.orchestrator.store.events(since=before)
        return PlayStep(status=self._status, did=did, at=self.clock.now(), events=events)

    def _enter_point(self) -> None:
        orch = self.orchestrator
        point = self._points[self._position]
        self._position += 1
        if point < self._resume_at:  # already played before the run was reopened
            return
        if point > self.clock.now():
            self.clock.jump_to(point)
        before = orch.store.event_count()
        for instant, index, step in self._timeline:
            if instant == point:
                apply_step(orch, index, step, point, self.seed)
        for fire in self._fires:
            if fire.at == point:
                apply_fire(orch, self.scenario, fire, self._previous_fire[(fire.job_id, fire.at)])
        # Nothing new and nothing overdue: the idle graph has nothing to do.
        quiet = before == self._settled == orch.store.event_count()
        if quiet and not orch.check_deadlines():
            self._close_point(point)
        else:
            self._point, self._driven = point, 0

    def _step_graph(self, point: datetime) -> None:
        orch = self.orchestrator
        status = orch.step().status
        self._steps += 1
        self._driven += 1
        if self._kill_after is not None and self._steps >= self._kill_after:
            os.kill(os.getpid(), _signals.SIGKILL)
        if status == "working" and self._driven < MAX_STEPS_PER_POINT:
            return
        if status == "paused" and self.holds:
            self._status = "paused"  # the point stays open until decide() resumes the work
            return
        self._settled = orch.store.event_count() if status == "idle" else None
        self._close_point(point)

    def _close_point(self, point: datetime) -> None:
        self._point = None
        # An open escalation's acknowledgement deadline and a request's reply deadline are
        # points of their own, so a missed deadline re-escalates (or dead-letters) on time,
        # not at the next event.
        deadline = self.orchestrator.next_deadline(point, self.end)
        if deadline is not None and deadline not in self._points:
            bisect.insort(self._points, deadline)
        if self.progress is not None:
            self.progress(point, self.end)

    def _finish_run(self) -> None:
        orch = self.orchestrator
        finished = RunFinished(
            id=stable_id("ev", orch.run_id, "finished"), at=self.clock.now(), reason="end"
        )
        orch.record(finished)
        self._status = "finished"

    # --- the PM -------------------------------------------------------------------------

    def escalations(self, status: str | None = None) -> list[Escalation]:
        return self.orchestrator.escalations(status=status)

    def waiting_on(self) -> list[Escalation]:
        """The immediate escalations the paused run waits on."""
        return self.orchestrator.waiting_on()

    def decide(
        self, escalation_id: str, verdict: DecisionVerdict | str, note: str = ""
    ) -> Escalation:
        """Record the PM's decision; the work it paused resumes at once."""
        decided = self.orchestrator.decide(escalation_id, verdict, note=note)
        if self._status == "paused":
            # The resumed item may have queued work even while others still wait: the
            # next step runs it, and holds again only when nothing else can run.
            self._status = "working"
        return decided

    # --- the end ------------------------------------------------------------------------

    def finish(self) -> ScenarioResult:
        """Play the rest of the scenario and check its expectations."""
        while self.step().status == "working":
            pass
        if self._status == "paused":
            waiting = ", ".join(e.id for e in self.waiting_on()) or "an escalation"
            raise ConfigError(
                f"scenario {self.scenario.name}: paused on {waiting}; "
                "decide it before finishing (the PM policy is wait)"
            )
        return self.result()

    def result(self) -> ScenarioResult:
        """The run so far, checked against the scenario's expectations."""
        orch = self.orchestrator
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
            paused_on=orch.waiting_on(),
        )
        return ScenarioResult(
            name=self.scenario.name,
            path=self.loaded.path,
            run_dir=self.run_dir,
            seed=self.seed,
            digest=digest,
            results=results,
            events=events,
            simulated=self.end - self.scenario.start,
            wall_seconds=time.perf_counter() - self._began,
            error=self.error,
        )

    def close(self) -> None:
        self.orchestrator.close()

    def __enter__(self) -> ScenarioPlay:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _remove_half_made(run_dir: Path, *, keep_folder: bool) -> None:
    if keep_folder:  # the user's own (empty) folder: empty it again
        for child in run_dir.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
    else:
        shutil.rmtree(run_dir, ignore_errors=True)


__all__ = [
    "KILL_ENV",
    "MAX_STEPS_PER_POINT",
    "PlayStatus",
    "PlayStep",
    "ScenarioPlay",
]

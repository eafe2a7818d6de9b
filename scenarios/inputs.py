"""Turning a scenario's inputs (timeline steps, schedule fires) into Orchestrator calls.

Every input carries an id derived from the run, the step and the time, so applying one a
second time (a resumed run replays its last point) records nothing new.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from charter.graph.activation import fire_event
from charter.graph.ids import stable_id
from charter.graph.monitors import MonitorContext, get_monitor
from charter.graph.schedules import ScheduledFire
from charter.protocols import Action, AgentView, DecisionRefused, Signal, TaskAssignment
from charter.protocols.events import AIUsage, FaultInjected

from .format import DecideStep, FaultStep, Scenario, TimelineStep
from .workspace import apply_data_fault

if TYPE_CHECKING:
    from charter.graph import Orchestrator


class FaultyBrain:
    """A brain broken by a scenario fault: it raises, or answers nothing at all."""

    def __init__(self, behaviour: str, message: str) -> None:
        self.behaviour = behaviour
        self.message = message

    def decide(self, view: AgentView) -> Sequence[Action]:
        if self.behaviour == "raises":
            raise RuntimeError(self.message)
        return []


def _decide(orch: Orchestrator, index: int, step: DecideStep, at: datetime) -> None:
    """Decide every open escalation the step names. A step that matches no escalation at
    all fails the scenario; one whose escalations were decided already (by the PM at the
    keyboard, or by this step before a restart) has nothing left to do."""
    wanted = (step.trigger or "").casefold()
    matching = [e for e in orch.escalations() if not wanted or e.trigger.casefold() == wanted]
    if not matching:
        still_open = [f"{e.id} ({e.trigger})" for e in orch.escalations() if e.decision is None]
        raise DecisionRefused(
            f"timeline step {index + 1}: decide {step.trigger or 'any escalation'!r} at "
            f"{at.isoformat()} matches no escalation; "
            + (f"open: {', '.join(still_open)}" if still_open else "none is open")
        )
    for escalation in matching:
        if escalation.decision is None:
            orch.decide(escalation.id, step.verdict, note=step.note)


def apply_step(orch: Orchestrator, index: int, step: TimelineStep, at: datetime, seed: int) -> None:
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
                title=task.title or task.description.split("\n")[0][:80],
                task=task.description,
                inputs=task.direct_inputs(),
                created_at=at,
            ),
            to=task.to,
        )
    elif step.decide is not None:
        _decide(orch, index, step.decide, at)
    elif step.fault is not None:
        apply_fault(orch, index, step.fault, at, seed, record=True)
    elif step.ai_usage is not None:
        usage = step.ai_usage
        orch.record(
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


def apply_fault(
    orch: Orchestrator, index: int, fault: FaultStep, at: datetime, seed: int, *, record: bool
) -> None:
    if fault.brain is not None:
        orch.set_brain(fault.brain.role, FaultyBrain(fault.brain.behaviour, fault.brain.message))
        details: dict[str, object] = {
            "role": fault.brain.role,
            "behaviour": fault.brain.behaviour,
        }
    else:
        details = apply_data_fault(orch.datasets, fault, at, seed + index)
    if record:
        orch.record(
            FaultInjected(
                id=stable_id("ev", orch.run_id, "fault", index),
                at=at,
                agent=fault.brain.role if fault.brain else None,
                fault=fault.label,
                details=details,
            )
        )


def apply_fire(
    orch: Orchestrator, scenario: Scenario, fire: ScheduledFire, since: datetime | None
) -> None:
    orch.record(fire_event(orch.run_id, fire, fire.at))
    spec = next(
        (
            s
            for s in scenario.schedules
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
        datasets=orch.datasets,
        now=fire.at,
        schedule=fire.schedule,
        since=since,
        options=spec.options if spec is not None else {},
        classifications=dict(scenario.workspace.classifications),
    )
    for found in get_monitor(fire.monitor).run(context):
        orch.signal(found)


__all__ = ["FaultyBrain", "apply_fault", "apply_fire", "apply_step"]

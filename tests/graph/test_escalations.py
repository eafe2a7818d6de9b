"""Escalations: severity from the sender's table, pauses, decisions across restarts,
deadlines, budgets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from charter.agents.brain import ScriptedBrain
from charter.graph.budgets import Budgets
from charter.graph.orchestrator import DEFAULT_START
from charter.protocols import (
    Action,
    AgentView,
    ConfigError,
    Escalate,
    SendMessage,
    Severity,
    VirtualClock,
    WriteFile,
)


def _pipeline_brain(view: AgentView) -> Sequence[Action]:
    # A function of the view only, so the object built after a restart behaves the same.
    if view.signal is not None and view.step == 0:
        return [
            Escalate(trigger="Pipeline Failures", summary="load_orders failed"),
            WriteFile(path="etl/fix_load_orders.py", content="# fixed\n"),
        ]
    if view.signal is not None and view.step == 1:
        verdicts = [e.decision.verdict for e in view.decisions if e.decision]
        return [WriteFile(path="etl/decision.txt", content=",".join(verdicts))]
    return []


def _open(make_orch: Callable, run_dir: Path, durability: str = "exit") -> object:
    return make_orch(
        run_dir,
        brains={"data": ScriptedBrain(_pipeline_brain)},
        pm_policy="wait",
        durability=durability,
    )


def test_immediate_escalation_pauses_until_decided(make_orch: Callable, tmp_path: Path) -> None:
    orch = _open(make_orch, tmp_path / "run")
    orch.signal("pipeline_failed", pipeline="load_orders")
    assert orch.run_until_idle() == "paused"
    (waiting,) = orch.waiting_on()
    assert waiting.trigger == "Pipeline Failures" and waiting.severity is Severity.IMMEDIATE
    # Side effects of the escalating step wait for the PM.
    assert not (orch.rt.workspace / "etl" / "fix_load_orders.py").exists()
    assert orch.run_until_idle() == "paused"  # stepping again does not get past it
    orch.decide(waiting.id, "approve", note="go")
    assert orch.run_until_idle() == "idle"
    assert (orch.rt.workspace / "etl" / "fix_load_orders.py").exists()
    assert (orch.rt.workspace / "etl" / "decision.txt").read_text() == "approve"


def test_denied_escalation_withholds_the_step(make_orch: Callable, tmp_path: Path) -> None:
    orch = _open(make_orch, tmp_path / "run")
    orch.signal("pipeline_failed")
    orch.run_until_idle()
    orch.decide(orch.waiting_on()[0].id, "deny", note="not tonight")
    orch.run_until_idle()
    assert not (orch.rt.workspace / "etl" / "fix_load_orders.py").exists()
    assert (orch.rt.workspace / "etl" / "decision.txt").read_text() == "deny"


def _finish(orch: object) -> tuple[str, dict, dict[str, bytes]]:
    ws = orch.rt.workspace
    files = {str(p.relative_to(ws)): p.read_bytes() for p in sorted(ws.rglob("*")) if p.is_file()}
    return orch.digest(), [(r.thread_id, r.status, r.outcome) for r in orch.threads()], files


@pytest.mark.parametrize("durability", ["exit", "async"])
def test_decision_after_restart_reaches_the_same_end(
    make_orch: Callable, tmp_path: Path, durability: str
) -> None:
    straight = _open(make_orch, tmp_path / "a", durability)
    straight.signal("pipeline_failed", pipeline="load_orders")
    straight.run_until_idle()
    straight.decide(straight.waiting_on()[0].id, "approve", note="go")
    straight.run_until_idle()
    expected = _finish(straight)
    straight.close()

    first = _open(make_orch, tmp_path / "b", durability)
    first.signal("pipeline_failed", pipeline="load_orders")
    assert first.run_until_idle() == "paused"
    first.close()  # the process goes away with the escalation open

    second = _open(make_orch, tmp_path / "b", durability)  # a new object, same directory
    assert second.paused
    (open_one,) = second.escalations(status="open")
    second.decide(open_one.id, "approve", note="go")
    assert second.run_until_idle() == "idle"
    assert _finish(second) == expected
    assert len(second.events(kinds={"escalation_raised"})) == 1  # nothing duplicated


@pytest.mark.parametrize(
    "script",
    [
        [Escalate(trigger="Data Breaches", summary="leak", claimed_severity=Severity.STANDARD)],
        [
            Escalate(
                trigger="Data Quality Issues",
                summary="just quality",
                claimed_severity=Severity.STANDARD,
            )
        ],
        [],  # the brain does not escalate at all
    ],
    ids=["claims-standard", "picks-a-standard-trigger", "stays-silent"],
)
def test_data_breach_is_never_standard(make_orch: Callable, script: list[Action]) -> None:
    orch = make_orch(
        brains={"data": ScriptedBrain([script, []])}, checkpointer="memory", pm_policy="approve"
    )
    orch.signal("data_breach", records=1200)
    assert orch.run_until_idle() == "idle"
    raised = orch.escalations()
    assert raised, "a data breach must reach the PM"
    assert all(e.severity is Severity.IMMEDIATE for e in raised)
    assert all(e.source == "data" for e in raised)


def test_unknown_trigger_is_an_error_and_filed_immediate(make_orch: Callable) -> None:
    orch = make_orch(
        brains={"data": ScriptedBrain([[Escalate(trigger="Mood Swings", summary="?")], []])},
        checkpointer="memory",
    )
    orch.submit("anything", to="data")
    orch.run_until_idle()
    (escalation,) = orch.escalations()
    assert escalation.severity is Severity.IMMEDIATE
    assert "unknown escalation trigger" in orch.events(kinds={"protocol_error"})[0][1].reason


def test_standard_escalation_queues_and_work_goes_on(make_orch: Callable) -> None:
    brain = ScriptedBrain(
        [
            [
                Escalate(trigger="Capacity Planning", summary="disk 80%"),
                WriteFile(path="monitoring/capacity.yaml", content="x: 1\n"),
            ],
            [],
        ]
    )
    orch = make_orch(brains={"data": brain}, checkpointer="memory", pm_policy="wait")
    orch.submit("capacity", to="data")
    assert orch.run_until_idle() == "idle"
    (escalation,) = orch.escalations(status="open")
    assert escalation.severity is Severity.STANDARD
    assert (orch.rt.workspace / "monitoring" / "capacity.yaml").exists()
    asked = orch.decide(escalation.id, "needs_info", note="which disk?")
    assert asked.decision is None and asked.status == "open"  # a question, not a decision
    decided = orch.decide(escalation.id, "deny", note="not now")
    assert decided.decision is not None and decided.decision.verdict == "deny"
    with pytest.raises(ConfigError):
        orch.decide(escalation.id, "approve")
    with pytest.raises(ConfigError):
        orch.decide("esc-missing", "approve")


def test_missed_acknowledgement_reescalates_to_user(make_orch: Callable) -> None:
    clock = VirtualClock(DEFAULT_START)
    orch = make_orch(
        brains={"data": ScriptedBrain(_pipeline_brain)},
        pm_policy="wait",
        clock=clock,
        checkpointer="memory",
    )
    orch.signal("pipeline_failed")
    orch.run_until_idle()
    (escalation,) = orch.escalations(status="open")
    assert escalation.acknowledge_by == DEFAULT_START + timedelta(minutes=15)
    clock.advance(timedelta(minutes=14))
    orch.step()
    assert orch.escalations(status="open")
    clock.advance(timedelta(minutes=2))
    orch.step()
    (moved,) = orch.escalations(status="reescalated")
    assert moved.escalated_to == "user"
    assert len(orch.events(kinds={"escalation_reescalated"})) == 1
    orch.decide(moved.id, "approve")
    assert orch.run_until_idle() == "idle"


def test_acknowledged_escalation_does_not_reescalate(make_orch: Callable) -> None:
    clock = VirtualClock(DEFAULT_START)
    orch = make_orch(
        brains={"data": ScriptedBrain(_pipeline_brain)},
        pm_policy="wait",
        clock=clock,
        checkpointer="memory",
    )
    orch.signal("pipeline_failed")
    orch.run_until_idle()
    orch.acknowledge(orch.escalations()[0].id)
    clock.advance(timedelta(hours=2))
    orch.step()
    assert not orch.escalations(status="reescalated")


@pytest.mark.parametrize(
    ("budgets", "name", "limit"),
    [
        (Budgets(handoffs=5), "handoffs", 5),
        (Budgets(turns_per_task=4, handoffs=100), "turns_per_task", 4),
        (Budgets(messages_per_correlation=3, handoffs=100), "messages_per_correlation", 3),
    ],
    ids=["handoffs", "turns", "messages"],
)
def test_budget_ends_a_handoff_ping_pong(
    make_orch: Callable, budgets: Budgets, name: str, limit: int
) -> None:
    def bounce(view: AgentView) -> Sequence[Action]:
        if view.step > 0:
            return []
        other = "integration" if view.role == "data" else "data"
        return [
            SendMessage(
                to=other,
                protocol="etl_coordination",
                payload={"pipeline": "ping", "status": "your turn"},
            )
        ]

    orch = make_orch(
        brains={"data": ScriptedBrain(bounce), "integration": ScriptedBrain(bounce)},
        checkpointer="memory",
        budgets=budgets,
        pm_policy="wait",
    )
    orch.submit("start the ping-pong", to="data")
    assert orch.run_until_idle(max_steps=100) == "idle"  # ends, no hang
    ((_, exhausted),) = orch.events(kinds={"budget_exhausted"})
    assert exhausted.budget == name and exhausted.limit == limit
    (escalation,) = orch.escalations()
    assert escalation.trigger == "Budget Exhausted" and name in escalation.summary
    turns = len(orch.events(kinds={"turn_completed"}))
    assert turns <= (limit if name == "turns_per_task" else limit + 1)


def test_repeated_denied_writes_escalate(make_orch: Callable) -> None:
    brain = ScriptedBrain(
        [[WriteFile(path=f"migrations/{i}.sql", content="x") for i in range(3)], []]
    )
    orch = make_orch(brains={"engineer": brain}, checkpointer="memory")
    orch.submit("try", to="engineer")
    orch.run_until_idle()
    (escalation,) = orch.escalations()
    assert escalation.source == "engineer" and "3 denied writes" in escalation.summary

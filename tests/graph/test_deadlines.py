"""Reply deadlines: an unanswered request becomes one dead letter and one escalation from the
sender's charter, on the deadline; a reply in time prevents it; a late reply is refused."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

from charter.agents.brain import ScriptedBrain
from charter.agents.coordination import PROTOCOLS
from charter.graph.orchestrator import DEFAULT_START, Orchestrator
from charter.protocols import Action, AgentView, SendMessage, Severity, VirtualClock
from charter.protocols.events import DeadLetter, EscalationRaised, ProtocolViolation

_WITHIN = PROTOCOLS["etl_coordination"].reply_within
_DEADLINE = DEFAULT_START + _WITHIN


def _data_asks() -> ScriptedBrain:
    request = SendMessage(to="integration", protocol="etl_coordination", payload={"pipeline": "x"})
    return ScriptedBrain([[request]])


def _silent(view: AgentView) -> Sequence[Action]:
    return []


def _answers(view: AgentView) -> Sequence[Action]:
    return [
        SendMessage(
            to=m.sender,
            protocol=m.protocol,
            payload={"accepted": True},
            correlation_id=m.correlation_id,
            reply_to=m.id,
        )
        for m in view.inbox
        if m.kind == "request" and m.recipient == "integration"
    ]


def _start(
    make_orch: Callable[..., Orchestrator], integration: ScriptedBrain, **kw: object
) -> Orchestrator:
    orch = make_orch(brains={"data": _data_asks(), "integration": integration}, **kw)
    orch.submit("coordinate the orders ETL", to="data")
    assert orch.run_until_idle() == "idle"
    return orch


def _dead(orch: Orchestrator) -> list[DeadLetter]:
    return [e for _, e in orch.events(kinds={"dead_letter"}) if isinstance(e, DeadLetter)]


def _raised(orch: Orchestrator) -> list[EscalationRaised]:
    return [
        e for _, e in orch.events(kinds={"escalation_raised"}) if isinstance(e, EscalationRaised)
    ]


def test_unanswered_request_dead_letters_once_on_its_deadline(
    make_orch: Callable[..., Orchestrator],
) -> None:
    clock = VirtualClock(DEFAULT_START)
    orch = _start(make_orch, ScriptedBrain(_silent), clock=clock)
    ((request, status),) = orch.store.messages()
    assert request.deadline == _DEADLINE and status == "delivered"

    clock.jump_to(_DEADLINE - timedelta(minutes=1))
    assert orch.check_deadlines() == []
    assert _dead(orch) == []

    clock.jump_to(_DEADLINE)
    (filed,) = orch.check_deadlines()
    orch.run_until_idle()
    orch.check_deadlines()  # a second sweep changes nothing
    (dead,) = _dead(orch)
    assert dead.message.id == request.id and dead.at == _DEADLINE
    assert "reply deadline passed" in dead.reason
    (raised,) = _raised(orch)
    escalation = raised.escalation
    assert escalation.id == filed.id and escalation.source == "data"
    assert escalation.trigger == "Cross-Agent Failures"
    assert escalation.severity is Severity.IMMEDIATE
    assert escalation.raised_at == _DEADLINE
    assert orch.store.messages()[0][1] == "expired"
    # The PM policy ("approve" by default) decides an immediate escalation, as for a pause.
    decided = orch.store.get_escalation(escalation.id)
    assert decided is not None and decided.decision is not None


def test_reply_before_the_deadline_means_no_dead_letter(
    make_orch: Callable[..., Orchestrator],
) -> None:
    clock = VirtualClock(DEFAULT_START)
    orch = _start(make_orch, ScriptedBrain([_answers]), clock=clock)
    statuses = {m.kind: s for m, s in orch.store.messages()}
    assert statuses["request"] == "replied"
    clock.jump_to(_DEADLINE + timedelta(hours=1))
    assert orch.check_deadlines() == []
    orch.run_until_idle()
    assert _dead(orch) == [] and _raised(orch) == []


def test_late_reply_is_a_protocol_error(make_orch: Callable[..., Orchestrator]) -> None:
    clock = VirtualClock(DEFAULT_START)
    # Integration ignores the request when it arrives and answers on its next turn.
    integration = ScriptedBrain([_silent, lambda view: _late_answer(view, orch)])
    orch = _start(make_orch, integration, clock=clock)
    clock.jump_to(_DEADLINE + timedelta(minutes=10))
    orch.submit("answer whatever you owe", to="integration")
    orch.run_until_idle()
    violations = [
        e for _, e in orch.events(kinds={"protocol_error"}) if isinstance(e, ProtocolViolation)
    ]
    assert [v.sender for v in violations] == ["integration"]
    assert "late reply" in violations[0].reason
    request = next(m for m, _ in orch.store.messages() if m.kind == "request")
    statuses = {m.kind: s for m, s in orch.store.messages()}
    assert statuses == {"request": "expired", "reply": "dead"}
    assert [d.message.kind for d in _dead(orch)] == ["request", "reply"]
    assert _dead(orch)[0].message.id == request.id


def _late_answer(view: AgentView, orch: Orchestrator) -> Sequence[Action]:
    request = next(m for m, _ in orch.store.messages() if m.kind == "request")
    return [
        SendMessage(
            to="data",
            protocol="etl_coordination",
            payload={"accepted": True},
            correlation_id=request.correlation_id,
            reply_to=request.id,
        )
    ]


def test_resume_does_not_duplicate_the_dead_letter(
    make_orch: Callable[..., Orchestrator], tmp_path: Path
) -> None:
    run_dir = tmp_path / "resumed"
    orch = _start(make_orch, ScriptedBrain(_silent), run_dir=run_dir)
    assert isinstance(orch.clock, VirtualClock)
    orch.clock.jump_to(_DEADLINE)
    orch.check_deadlines()
    request = orch.store.messages()[0][0]
    # As if the process died after the dead letter and escalation but before the status
    # change: the resumed sweep sees the request again and must not repeat anything.
    orch.store.set_message_status(request.id, "delivered")
    recorded = len(orch.events())
    orch.close()

    again = make_orch(run_dir=run_dir, brains={"integration": ScriptedBrain(_silent)})
    assert again.clock.now() == _DEADLINE
    again.check_deadlines()
    again.run_until_idle()
    assert len(_dead(again)) == 1 and len(_raised(again)) == 1
    assert again.store.messages()[0][1] == "expired"
    assert len(again.events()) == recorded

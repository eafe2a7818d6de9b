"""Needs-info keeps an escalation open: the PM's note is a question for the agent that
raised it, the agent's answer is recorded on the escalation, and the PM decides later."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the two-escalation run of test_threads

from test_threads import _open, _reports, _two_escalations

from charter.agents.answers import InfoRequest, answer, answer_from_record
from charter.agents.brain import ScriptedBrain
from charter.graph import Orchestrator
from charter.protocols import ConfigError, Escalate, WriteFile
from charter.protocols.events import EscalationInfoAnswered, EscalationInfoRequested


def _answers(orch: Orchestrator) -> list[EscalationInfoAnswered]:
    return [e for _, e in orch.events(kinds={"escalation_info_answered"})]  # type: ignore[misc]


def test_needs_info_keeps_the_immediate_escalation_open_and_the_agent_answers(
    make_orch: Callable[..., Orchestrator], tmp_path: Path
) -> None:
    orch = _open(make_orch, tmp_path / "run")
    waiting = _two_escalations(orch)
    pipeline = waiting["Pipeline Failures"]
    still = orch.decide(pipeline, "needs_info", note="which pipeline, and what will you change?")
    assert still.decision is None and still.status == "open"
    assert orch.run_until_idle() == "paused"
    assert pipeline in [e.id for e in orch.waiting_on()]  # still holds its own work
    assert not (orch.rt.workspace / "etl").exists()
    (asked,) = [e for _, e in orch.events(kinds={"escalation_info_requested"})]
    assert isinstance(asked, EscalationInfoRequested)
    assert (asked.escalation_id, asked.round, asked.agent) == (pipeline, 1, "pm")
    (reply,) = _answers(orch)
    assert reply.agent == "data" and reply.question == asked.question
    # The agent answers from what it has: why, and the proposal that waits on the PM.
    assert "load_orders" in reply.answer
    assert "Waiting on your decision: write etl/fix_pipeline_failed.py" in reply.answer
    # A second question is a second round; then the decision resumes the work.
    orch.decide(pipeline, "needs_info", note="anything else?")
    assert [a.round for a in _answers(orch)] == [1, 2]
    orch.decide(pipeline, "approve", note="go")
    decided = orch.store.get_escalation(pipeline)
    assert decided is not None and decided.decision is not None
    assert decided.decision.verdict == "approve"
    orch.decide(waiting["Data Breaches"], "deny", note="contain first")
    assert orch.run_until_idle() == "idle"
    assert _reports(orch)["pipeline_failed"] == "success"
    assert (orch.rt.workspace / "etl/fix_pipeline_failed.py").is_file()
    assert [a.round for a in _answers(orch)] == [1, 2]  # replays asked nothing again


def test_a_reopened_run_keeps_the_answers_and_the_same_digest(
    make_orch: Callable[..., Orchestrator], tmp_path: Path
) -> None:
    def play(run_dir: Path, *, reopen: bool) -> str:
        orch = _open(make_orch, run_dir)
        waiting = _two_escalations(orch)
        orch.decide(waiting["Pipeline Failures"], "needs_info", note="why?")
        if reopen:
            orch.close()
            orch = _open(make_orch, run_dir)
            assert orch.run_until_idle() == "paused"
        assert len(_answers(orch)) == 1
        orch.decide(waiting["Pipeline Failures"], "approve")
        orch.decide(waiting["Data Breaches"], "approve")
        assert orch.run_until_idle() == "idle"
        assert len(_answers(orch)) == 1
        digest = orch.digest()
        orch.close()
        return digest

    assert play(tmp_path / "a", reopen=False) == play(tmp_path / "b", reopen=True)


def test_needs_info_on_a_standard_escalation_asks_and_leaves_it_open(
    make_orch: Callable[..., Orchestrator],
) -> None:
    brain = ScriptedBrain(
        [
            [
                Escalate(trigger="Capacity Planning", summary="disk 80%", evidence=["df: 80%"]),
                WriteFile(path="monitoring/capacity.yaml", content="x: 1\n"),
            ],
            [],
        ]
    )
    orch = make_orch(brains={"data": brain}, checkpointer="memory", pm_policy="wait")
    orch.submit("capacity", to="data")
    assert orch.run_until_idle() == "idle"
    (escalation,) = orch.escalations(status="open")
    still = orch.decide(escalation.id, "needs_info", note="which disk?")
    assert still.decision is None and still.status == "open"
    (reply,) = _answers(orch)
    assert "Evidence: df: 80%" in reply.answer
    decided = orch.decide(escalation.id, "approve")
    assert decided.decision is not None and decided.decision.verdict == "approve"
    with pytest.raises(ConfigError):
        orch.decide(escalation.id, "needs_info", note="too late")


class _Talker:
    def decide(self, view: object) -> list[object]:
        return []

    def answer_pm(self, request: InfoRequest) -> str:
        return f"round {request.round}: {request.question.upper()}"


def test_a_brain_that_can_talk_answers_itself_others_from_their_record() -> None:
    from datetime import UTC, datetime

    from charter.protocols import Escalation, Severity

    esc = Escalation(
        id="esc-1",
        source="data",
        trigger="Pipeline Failures",
        severity=Severity.IMMEDIATE,
        summary="load_orders failed",
        raised_at=datetime(2026, 3, 2, tzinfo=UTC),
    )
    request = InfoRequest(escalation=esc, question="why?", round=1)
    assert answer(_Talker(), request) == "round 1: WHY?"
    assert answer(object(), request) == answer_from_record(request)
    assert answer_from_record(request).startswith(
        "I raised 'Pipeline Failures' because: load_orders failed."
    )

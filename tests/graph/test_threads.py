"""A run is many threads: each work item runs on its own LangGraph thread, so an immediate
escalation pauses only its own work, several can be open at once, and each decision
resumes exactly the item that waits on it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from charter.agents.brain import ScriptedBrain
from charter.graph import Orchestrator
from charter.protocols import (
    Action,
    AgentView,
    DecisionRefused,
    Escalate,
    Report,
    Severity,
    Signal,
    TaskAssignment,
    WriteFile,
)

TRIGGERS = {"pipeline_failed": "Pipeline Failures", "data_breach": "Data Breaches"}


def data_brain(view: AgentView) -> Sequence[Action]:
    """Escalate on either signal and propose a migration with it; once decided, report."""
    if view.signal is None:
        return []
    kind = view.signal.kind
    if view.step == 0:
        return [
            Escalate(trigger=TRIGGERS[kind], summary=f"{kind} on {view.signal.payload}"),
            WriteFile(path=f"etl/fix_{kind}.py", content=f"# fix {kind}\n"),
        ]
    if view.step == 1:
        verdicts = [e.decision.verdict for e in view.decisions if e.decision is not None]
        denied = "deny" in verdicts
        return [
            Report.model_validate(
                {
                    "report": {
                        "status": "blocked" if denied else "success",
                        "summary": f"{kind}: " + ("denied by the PM" if denied else "fixed"),
                    }
                }
            )
        ]
    return []


def architect_brain(view: AgentView) -> Sequence[Action]:
    if view.task is None or view.step:
        return []
    return [
        WriteFile(path="architecture/review.md", content="reviewed\n"),
        Report.model_validate({"report": {"status": "success", "summary": "review done"}}),
    ]


def _open(make_orch: Callable[..., Orchestrator], run_dir: Path) -> Orchestrator:
    return make_orch(
        run_dir,
        brains={"data": ScriptedBrain(data_brain), "architect": ScriptedBrain(architect_brain)},
        pm_policy="wait",
    )


def _signal(orch: Orchestrator, signal_id: str, kind: str, **payload: str) -> None:
    # Explicit ids: a re-run of the same inputs (after a crash) adds nothing.
    orch.signal(
        Signal(id=signal_id, kind=kind, source="monitor", at=orch.clock.now(), payload=payload)
    )


def _inputs(orch: Orchestrator) -> None:
    _signal(orch, "sig-breach", "data_breach", table="customers")
    _signal(orch, "sig-pipeline", "pipeline_failed", pipeline="load_orders")
    orch.submit(
        TaskAssignment(id="review-1", title="Review", task="Review the orders schema"),
        to="architect",
    )


def _two_escalations(orch: Orchestrator) -> dict[str, str]:
    _inputs(orch)
    assert orch.run_until_idle() == "paused"
    return {e.trigger: e.id for e in orch.waiting_on()}


def _reports(orch: Orchestrator) -> dict[str, str]:
    return {
        e.report.summary.split(":")[0]: e.report.status  # type: ignore[attr-defined]
        for _, e in orch.events(kinds={"report_filed"})
    }


def test_two_immediate_escalations_are_open_at_once_and_others_work_on(
    make_orch: Callable[..., Orchestrator], tmp_path: Path
) -> None:
    orch = _open(make_orch, tmp_path / "run")
    waiting = _two_escalations(orch)
    assert set(waiting) == {"Data Breaches", "Pipeline Failures"}
    for escalation in orch.waiting_on():
        assert escalation.severity is Severity.IMMEDIATE and escalation.decision is None
    # While both wait, the Architect's unrelated task ran to its end.
    assert _reports(orch) == {"review done": "success"}
    assert (orch.rt.workspace / "architecture/review.md").is_file()
    statuses = {r.item["ref"]: r.status for r in orch.threads()}
    assert statuses["review-1"] == "done"
    assert sorted(statuses.values()).count("waiting") == 2
    # Nothing either paused turn proposed has been applied.
    assert not (orch.rt.workspace / "etl").exists()


def test_each_decision_resumes_only_its_own_thread(
    make_orch: Callable[..., Orchestrator], tmp_path: Path
) -> None:
    orch = _open(make_orch, tmp_path / "run")
    waiting = _two_escalations(orch)
    orch.decide(waiting["Data Breaches"], "deny", note="contain first")
    # The breach's thread finished (denied); the pipeline's still waits.
    assert [e.id for e in orch.waiting_on()] == [waiting["Pipeline Failures"]]
    assert _reports(orch)["data_breach"] == "blocked"
    assert "pipeline_failed" not in _reports(orch)
    assert not (orch.rt.workspace / "etl/fix_data_breach.py").exists()
    orch.decide(waiting["Pipeline Failures"], "approve", note="go")
    assert orch.run_until_idle() == "idle"
    assert _reports(orch)["pipeline_failed"] == "success"
    assert (orch.rt.workspace / "etl/fix_pipeline_failed.py").is_file()
    assert not (orch.rt.workspace / "etl/fix_data_breach.py").exists()
    report = next(
        e.report  # type: ignore[attr-defined]
        for _, e in orch.events(kinds={"report_filed"})
        if e.report.summary.startswith("data_breach")  # type: ignore[attr-defined]
    )
    assert report.summary == "data_breach: denied by the PM"


def test_a_decision_that_matches_nothing_is_refused_with_the_open_ones(
    make_orch: Callable[..., Orchestrator], tmp_path: Path
) -> None:
    orch = _open(make_orch, tmp_path / "run")
    waiting = _two_escalations(orch)
    before = orch.store.event_count()
    with pytest.raises(DecisionRefused) as refused:
        orch.decide("esc-nope", "approve")
    for escalation_id in waiting.values():
        assert escalation_id in str(refused.value)
    with pytest.raises(DecisionRefused, match="expected one of approve, deny, needs_info"):
        orch.decide(waiting["Data Breaches"], "aprove")
    assert orch.store.event_count() == before  # nothing recorded
    orch.decide(waiting["Data Breaches"], "approve")
    with pytest.raises(DecisionRefused, match="already decided"):
        orch.decide(waiting["Data Breaches"], "deny")


def test_a_bad_resume_value_is_refused_and_a_corrected_one_works(
    make_orch: Callable[..., Orchestrator], tmp_path: Path
) -> None:
    from langgraph.types import Command

    orch = _open(make_orch, tmp_path / "run")
    waiting = _two_escalations(orch)
    holder = next(r for r in orch.threads(status="waiting") if "pipeline" in r.item["cause"])
    config = {"configurable": {"thread_id": holder.thread_id}, "recursion_limit": 100}
    # Straight through LangGraph, as an SDK client would: a made-up field and a bad verdict.
    orch.graph.invoke(Command(resume={"verdict": "maybe", "decided_at": "x"}), config)
    snapshot = orch.graph.get_state(config)
    (question,) = [i.value for i in snapshot.interrupts]
    assert question["escalation_id"] == waiting["Pipeline Failures"]
    assert "unknown field(s) decided_at" in question["problem"]
    assert orch.store.get_escalation(waiting["Pipeline Failures"]).decision is None  # type: ignore[union-attr]
    orch.graph.invoke(Command(resume={"verdict": "approve", "note": "ok"}), config)
    decided = orch.store.get_escalation(waiting["Pipeline Failures"])
    assert decided is not None and decided.decision is not None
    assert decided.decision.verdict == "approve" and decided.decision.decided_at == orch.clock.now()


def _decide_all(orch: Orchestrator) -> None:
    waiting = {e.trigger: e.id for e in orch.waiting_on()}
    orch.decide(waiting["Data Breaches"], "deny", note="contain first")
    orch.decide(waiting["Pipeline Failures"], "approve", note="go")
    assert orch.run_until_idle() == "idle"


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_deciding_after_a_restart_gives_the_same_digest(
    make_orch: Callable[..., Orchestrator], tmp_path: Path
) -> None:
    straight = _open(make_orch, tmp_path / "a")
    _two_escalations(straight)
    _decide_all(straight)
    expected = straight.digest(), _files(straight.rt.workspace)
    straight.close()

    first = _open(make_orch, tmp_path / "b")
    _two_escalations(first)
    first.close()
    reopened = _open(make_orch, tmp_path / "b")
    assert reopened.run_until_idle() == "paused"
    _decide_all(reopened)
    assert (reopened.digest(), _files(reopened.rt.workspace)) == expected


_KILLED_RUN = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, {tests!r})
    from test_threads import play_to_the_end
    play_to_the_end(sys.argv[1], kill_at=int(sys.argv[2]))
    """
)


def _open_plain(run_dir: str) -> Orchestrator:
    return Orchestrator(
        run_dir,
        brains={"data": ScriptedBrain(data_brain), "architect": ScriptedBrain(architect_brain)},
        pm_policy="wait",
    )


def play_to_the_end(run_dir: str, kill_at: int = 0) -> None:
    """The whole run: two escalations, another agent's work while they wait, a second
    review, then the PM's decisions. Every input has an explicit id, so running this again
    on a killed run's directory resumes it. `kill_at`: SIGKILL at that event append."""
    orch = _open_plain(run_dir)
    if kill_at:
        count = 0
        real = orch.store.append_event

        def counting(event: object, **kw: object) -> int | None:
            nonlocal count
            count += 1
            if count == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(event, **kw)  # type: ignore[arg-type]

        orch.store.append_event = counting  # type: ignore[method-assign]
    _inputs(orch)
    orch.submit(TaskAssignment(id="review-2", title="Review", task="Second review"), to="architect")
    orch.run_until_idle()
    verdicts = {"Data Breaches": ("deny", "contain first"), "Pipeline Failures": ("approve", "go")}
    while orch.waiting_on():
        escalation = orch.waiting_on()[0]
        verdict, note = verdicts[escalation.trigger]
        orch.decide(escalation.id, verdict, note=note)
    assert orch.run_until_idle() == "idle"
    orch.close()


def _outcome(run_dir: Path) -> tuple[str, dict[str, bytes], list[str], list[str]]:
    with _open_plain(str(run_dir)) as orch:
        ids = [e.id for _, e in orch.events()]
        # The audit entries of writes, by the write's event: a replayed effect adds none.
        writes = sorted(
            str(entry.details.get("event"))
            for entry in orch.store.audit_tail(10_000)
            if entry.action == "write_file"
        )
        assert orch.store.verify_audit().ok
        return orch.digest(), _files(orch.rt.workspace), ids, writes


def _script(tmp_path: Path) -> Path:
    script = tmp_path / "killed_run.py"
    script.write_text(_KILLED_RUN.format(tests=str(Path(__file__).parent)))
    return script


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume_gives_the_clean_digest(tmp_path: Path) -> None:
    script = _script(tmp_path)
    clean = tmp_path / "clean"
    done = subprocess.run([sys.executable, "-P", str(script), str(clean), "0"], check=False)
    assert done.returncode == 0
    expected = _outcome(clean)
    total = len(expected[2])
    import random

    points = sorted(random.Random(12).sample(range(2, total), 5))
    for kill_at in points:
        run_dir = tmp_path / f"killed-{kill_at}"
        killed = subprocess.run(
            [sys.executable, "-P", str(script), str(run_dir), str(kill_at)], check=False
        )
        assert killed.returncode == -signal.SIGKILL, kill_at
        # Resume: the same script again (its inputs are idempotent), then finish.
        again = subprocess.run([sys.executable, "-P", str(script), str(run_dir), "0"], check=False)
        assert again.returncode == 0, kill_at
        digest, files, ids, writes = _outcome(run_dir)
        assert len(ids) == len(set(ids)), kill_at  # no duplicated event
        assert (digest, files) == expected[:2], kill_at
        assert writes == expected[3], kill_at  # no audit entry twice
    assert expected[2] and len(expected[2]) == len(set(expected[2]))
    assert expected[3] and len(expected[3]) == len(set(expected[3]))


def test_a_client_hands_the_graph_a_task_or_a_signal_as_input(
    make_orch: Callable[..., Orchestrator], tmp_path: Path
) -> None:
    # What a LangGraph server client does: a thread per work item, the item as input.
    from langgraph.types import Command

    orch = _open(make_orch, tmp_path / "run")
    schema = orch.graph.get_input_jsonschema()
    assert {"work", "task", "signal"} <= set(schema["properties"])
    review = {"configurable": {"thread_id": "client-review"}, "recursion_limit": 100}
    out = orch.graph.invoke(
        {"task": {"task": "Review the schema", "assigned_to": "architect"}}, review
    )
    assert out["outcome"] == "done" and out["work"]["agent"] == "architect"
    breach = {"configurable": {"thread_id": "client-breach"}, "recursion_limit": 100}
    orch.graph.invoke({"signal": {"kind": "data_breach", "payload": {"table": "t"}}}, breach)
    (question,) = [i.value for i in orch.graph.get_state(breach).interrupts]
    assert question["trigger"] == "Data Breaches" and question["severity"] == "immediate"
    assert "approve" in question["verdicts"]
    out = orch.graph.invoke(Command(resume={"verdict": "deny", "note": "no"}), breach)
    assert out["outcome"] == "held"
    # Recorded in the run store like the Orchestrator's own inputs, on the client's thread.
    threads = {r.thread_id: r for r in orch.store.work_items()}
    assert {"client-review", "client-breach"} <= set(threads)
    assert orch.run_until_idle() == "idle"  # an Orchestrator does not run them again
    assert len(orch.events(kinds={"turn_completed"})) == 2

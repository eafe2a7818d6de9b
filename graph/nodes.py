"""The graph's nodes: intake -> route -> prepare -> turn -> gate -> [await_pm] -> effects
-> (turn again | finish). Each node reads ids from the state, does its one job against the
run store, and returns the few fields it changes."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from charter.agents.answers import InfoRequest, describe_proposal, describe_tool_result
from charter.protocols import (
    Action,
    AgentView,
    AuthorityDecision,
    ConfigError,
    Decision,
    Escalation,
    MemorySnippet,
    Message,
    Severity,
    Signal,
    TaskAssignment,
    ToolResult,
)
from charter.protocols.events import (
    AgentActivated,
    BudgetExhausted,
    ContextPrepared,
    TaskRouted,
    TurnCompleted,
)

from .context import prepare_context
from .effects import apply_effects
from .escalation import raise_escalation, record_decision, request_info
from .gate import run_gate
from .ids import stable_id
from .pm_channel import decision_from_resume, pm_question
from .routing import load_payload, route
from .runtime import Runtime
from .state import Feedback, GraphState, Outcome, WorkItem, empty_feedback
from .work import record_new_work

ACTIONS: TypeAdapter[list[Action]] = TypeAdapter(list[Action])


def _base(rt: Runtime, work: WorkItem, event_id: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "at": rt.clock.now(),
        "agent": work["agent"],
        "task_id": work["task_id"],
        "correlation_id": work["correlation_id"],
    }


def _budget_out(rt: Runtime, work: WorkItem, agent: str, name: str, limit: int, used: int) -> None:
    key = (work["correlation_id"], name, work["seq"])
    rt.emit(
        BudgetExhausted(
            **_base(rt, work, stable_id("ev", rt.run_id, "budget", *key)),
            budget=name,
            limit=limit,
            used=used,
        )
    )
    escalation_id = stable_id("esc", rt.run_id, "budget", *key)
    raise_escalation(
        rt,
        escalation_id=escalation_id,
        event_id=stable_id("ev", rt.run_id, "raised", escalation_id),
        source=agent,
        trigger="Budget Exhausted",
        severity=Severity.STANDARD,
        summary=f"{name} budget ({limit}) exhausted for {work['correlation_id']}",
        evidence=[f"used {used}"],
        task_id=work["task_id"],
        correlation_id=work["correlation_id"],
    )


class Nodes:
    """Node functions bound to one run's runtime."""

    def __init__(self, rt: Runtime | None) -> None:
        self._rt = rt
        self._payload: tuple[int, TaskAssignment | Signal | None] | None = None

    def _load(self, work: WorkItem) -> TaskAssignment | Signal | None:
        # Read once per work item (four nodes look at it); a cache, not state: a reopened
        # run simply reads it again.
        if self._payload is None or self._payload[0] != work["seq"]:
            self._payload = (work["seq"], load_payload(self.rt, work))
        return self._payload[1]

    @property
    def rt(self) -> Runtime:
        # None only for drawing the graph (`charter graph --mermaid`), never for running it.
        if self._rt is None:
            raise RuntimeError("this graph was built for drawing only; open an Orchestrator")
        return self._rt

    # intake ---------------------------------------------------------------------------
    def intake(self, state: GraphState) -> dict[str, Any]:
        # The work item is the graph's input; a thread starts its turn from a clean slate.
        # A client that hands a new task or signal instead (the LangGraph server's way)
        # has it recorded in the run store first, where every agent sees it.
        work = state.get("work") or record_new_work(self.rt, state)
        return {
            "work": work,
            "step": 0,
            "actions": [],
            "verdicts": [],
            "pending": [],
            "memories": [],
            "feedback": empty_feedback(),
            "held": None,
            "raised": [],
            "proposed": 0,
            "allowed": 0,
            "outcome": "working",
            "reason": "",
        }

    # route ----------------------------------------------------------------------------
    def route(self, state: GraphState) -> dict[str, Any]:
        rt, work = self.rt, state["work"]
        agent, reason = route(rt, work)
        ids = rt.scope(work["seq"], "route")
        if work["kind"] in ("task", "fire"):
            rt.emit(TaskRouted(**_base(rt, work, ids.next()), to=agent or "nobody", reason=reason))
        if agent is None or agent not in rt.brains:
            why = reason if agent is None else f"no brain for {agent}"
            return {"work": {**work, "agent": None}, "outcome": "skipped", "reason": why}
        work = {**work, "agent": agent}
        used = rt.turns.used(work["correlation_id"])
        if used >= rt.budgets.turns_per_task:
            _budget_out(rt, work, agent, "turns_per_task", rt.budgets.turns_per_task, used)
            return {"work": work, "outcome": "skipped", "reason": "turn budget exhausted"}
        rt.emit(AgentActivated(**_base(rt, work, ids.next()), cause=work["cause"]))
        return {"work": work}

    # prepare --------------------------------------------------------------------------
    def prepare(self, state: GraphState) -> dict[str, Any]:
        rt, work = self.rt, state["work"]
        assert work["agent"] is not None
        payload = self._load(work)
        if isinstance(payload, TaskAssignment):
            query = f"{payload.title} {payload.task}"
        elif isinstance(payload, Signal):
            query = payload.kind.replace("_", " ")
        else:
            query = work["cause"].split(":", 1)[-1].replace("_", " ")
        charter = rt.team.roles[work["agent"]]
        snippets = (
            []
            if not rt.memory
            else prepare_context(
                rt.store,
                agent=work["agent"],
                query=query,
                now=rt.clock.now(),
                kinds=charter.memory_kinds or None,
            )
        )
        rt.emit(
            ContextPrepared(
                **_base(rt, work, rt.scope(work["seq"], "prepare").next()),
                memory_ids=[s.id for s in snippets],
                characters=sum(len(s.content) for s in snippets),
            )
        )
        return {"memories": [s.model_dump(mode="json") for s in snippets]}

    # turn -----------------------------------------------------------------------------
    def _view(self, state: GraphState, work: WorkItem) -> AgentView:
        rt = self.rt
        agent = work["agent"]
        assert agent is not None
        payload = self._load(work)
        inbox: list[Message] = []
        if work["kind"] == "message":
            # The conversation as it stood when the waking message arrived: everything up to
            # and including it (so it comes last), nothing sent after it.
            for message, status in rt.store.messages(correlation_id=work["correlation_id"]):
                if status != "dead" and agent in (message.sender, message.recipient):
                    inbox.append(message)
                if message.id == work["ref"]:
                    break
        escalations = rt.store.list_escalations()
        feedback: Feedback = state.get("feedback") or empty_feedback()
        return AgentView(
            role=agent,
            charter=rt.team.roles[agent],
            now=rt.clock.now(),
            task=payload if isinstance(payload, TaskAssignment) else None,
            signal=payload if isinstance(payload, Signal) else None,
            inbox=inbox,
            memories=[MemorySnippet.model_validate(m) for m in state.get("memories", [])],
            tool_results=[ToolResult.model_validate(t) for t in feedback["tool_results"]],
            denials=[AuthorityDecision.model_validate(d) for d in feedback["denials"]],
            rejections=list(feedback["rejections"]),
            open_escalations=[e for e in escalations if e.source == agent and e.decision is None],
            decisions=[
                e
                for e in escalations
                if e.decision is not None and e.correlation_id == work["correlation_id"]
            ],
            step=state.get("step", 0),
            team=list(rt.team.roles),
        )

    def turn(self, state: GraphState) -> dict[str, Any]:
        rt, work = self.rt, state["work"]
        assert work["agent"] is not None
        step = state.get("step", 0)
        if step >= rt.budgets.steps_per_turn:
            _budget_out(rt, work, work["agent"], "steps_per_turn", rt.budgets.steps_per_turn, step)
            return {
                "actions": [],
                "outcome": "stopped",
                "reason": "step budget exhausted",
                "step": step,
            }
        actions = list(rt.brains[work["agent"]].decide(self._view(state, work)))
        limit = rt.budgets.actions_per_turn
        if len(actions) > limit:
            _budget_out(rt, work, work["agent"], "actions_per_turn", limit, len(actions))
            actions = actions[:limit]
        return {
            "actions": ACTIONS.dump_python(actions, mode="json"),
            "step": step + 1,
            "proposed": state.get("proposed", 0) + len(actions),
        }

    # gate -----------------------------------------------------------------------------
    def gate(self, state: GraphState) -> dict[str, Any]:
        rt, work = self.rt, state["work"]
        if state.get("outcome") == "stopped":
            return {"verdicts": [], "pending": []}
        actions = ACTIONS.validate_python(state.get("actions", []))
        payload = self._load(work) if work["kind"] == "signal" else None
        result = run_gate(
            rt,
            work,
            actions,
            step=state.get("step", 0),
            signal_kind=payload.kind if isinstance(payload, Signal) else None,
            raised_before=bool(state.get("raised")),
        )
        return {
            "verdicts": result.verdicts,
            "pending": result.pending,
            "raised": [*state.get("raised", []), *result.raised],
            "feedback": {
                **result.feedback,
                "tool_results": (state.get("feedback") or empty_feedback())["tool_results"],
            },
            "allowed": state.get("allowed", 0) + sum(v["allowed"] for v in result.verdicts),
            "held": None,
        }

    # await the PM ---------------------------------------------------------------------
    def await_pm(self, state: GraphState) -> dict[str, Any]:
        from langgraph.types import interrupt

        rt = self.rt
        problems: list[str] = []
        # Every pending escalation is interrupted on, in order, on every execution:
        # LangGraph matches resume values to interrupt calls by position.
        for escalation_id in state.get("pending", []):
            escalation = rt.store.get_escalation(escalation_id)
            assert escalation is not None
            # Decided already when a run killed during the resume is resumed again from
            # the recorded decision (Orchestrator._finish_decided); then only its event is
            # made sure of. Side effects only after the interrupt otherwise.
            decision = escalation.decision or _ask_pm(interrupt, rt, escalation, state)
            record_decision(rt, escalation, decision)
            if decision.verdict != "approve":
                problems.append(
                    f"held: escalation {escalation.trigger!r} was {decision.verdict}"
                    + (f" ({decision.note})" if decision.note else "")
                )
        held = "; ".join(problems) or None
        # `held` is this step's (the gate clears it); `reason` keeps it for the outcome.
        return {"pending": [], "held": held, "reason": held or state.get("reason", "")}

    # effects --------------------------------------------------------------------------
    def effects(self, state: GraphState) -> dict[str, Any]:
        rt, work = self.rt, state["work"]
        actions = ACTIONS.validate_python(state.get("actions", []))
        if not actions and not state.get("held"):
            return {}
        produced = apply_effects(
            rt,
            work,
            actions,
            state.get("verdicts", []),
            step=state.get("step", 0),
            held=state.get("held"),
        )
        before = state.get("feedback") or empty_feedback()
        merged: Feedback = {
            # Tool results accumulate over the turn (bounded by the step budget) so a
            # brain can combine a diagnosis with a later dry run.
            "tool_results": [*before["tool_results"], *produced["tool_results"]],
            "denials": before["denials"],
            "rejections": [*before["rejections"], *produced["rejections"]],
        }
        return {"feedback": merged}

    # finish ---------------------------------------------------------------------------
    def finish(self, state: GraphState) -> dict[str, Any]:
        rt, work = self.rt, state["work"]
        outcome = state.get("outcome", "working")
        if work["agent"] is not None and outcome != "skipped":
            rt.emit(
                TurnCompleted(
                    **_base(rt, work, rt.scope(work["seq"], "finish").next()),
                    actions=state.get("proposed", 0),
                    allowed=state.get("allowed", 0),
                )
            )
            rt.turns.add(work["correlation_id"])
        if work["kind"] == "message":
            current = [
                s
                for m, s in rt.store.messages(correlation_id=work["correlation_id"])
                if m.id == work["ref"]
            ]
            if current and current[0] == "pending":
                rt.store.set_message_status(work["ref"], "delivered")
        final: Outcome = "done" if outcome == "working" else outcome
        if final == "done" and state.get("reason", "").startswith("held:"):
            final = "held"
        return {
            "actions": [],
            "verdicts": [],
            "memories": [],
            "feedback": empty_feedback(),
            "outcome": final,
            "reason": state.get("reason") or (state.get("held") or ""),
        }


def _ask_pm(interrupt: Any, rt: Runtime, escalation: Escalation, state: GraphState) -> Decision:
    """Interrupt until the PM's answer is a valid decision. A bad resume value is not
    stored as a decision: the thread interrupts again, so a corrected retry works.

    "needs_info" is not a decision either: its note is a question for the agent that
    raised the escalation; the agent's answer is recorded on the escalation (see
    `request_info`) and the thread interrupts again, still open, showing the answers so
    far. On every re-execution the same resume values replay in the same order, so the
    rounds count the same and nothing is asked twice."""
    problem = ""
    asked: list[dict[str, str]] = []
    while True:
        answer = interrupt(pm_question(escalation, problem, asked))
        try:
            decision = decision_from_resume(answer, now=rt.clock.now())
        except ConfigError as error:
            problem = str(error)
            continue
        if decision.verdict != "needs_info":
            return decision
        problem = ""
        reply = request_info(
            rt,
            _info_request(escalation, decision.note, len(asked) + 1, state),
            asked_by=decision.decided_by,
        )
        asked.append({"question": reply.question, "answer": reply.answer})


def _info_request(
    escalation: Escalation, question: str, round_no: int, state: GraphState
) -> InfoRequest:
    """What the agent has at hand when the PM asks: this turn's tool results, and the
    proposals of this step that wait on the decision."""
    feedback = state.get("feedback") or empty_feedback()
    proposals = zip(state.get("actions", []), state.get("verdicts", []), strict=False)
    waiting = [
        text
        for action, verdict in proposals
        if verdict.get("allowed") and (text := describe_proposal(action)) is not None
    ]
    return InfoRequest(
        escalation=escalation,
        question=question,
        round=round_no,
        findings=[describe_tool_result(r) for r in feedback["tool_results"]],
        waiting=waiting,
    )


def after_route(state: GraphState) -> str:
    return "finish" if state.get("outcome") == "skipped" else "prepare"


def after_gate(state: GraphState) -> str:
    return "await_pm" if state.get("pending") else "effects"


def after_effects(state: GraphState) -> str:
    if state.get("outcome") == "stopped":
        return "finish"
    if not state.get("actions") and not state.get("held"):
        return "finish"
    return "turn"


__all__ = ["ACTIONS", "Nodes", "after_effects", "after_gate", "after_route"]

"""The gate: every proposed action is checked before anything happens.

- WriteFile -> the authority engine (every decision recorded, allowed or not); a denied
  write leaves the file untouched and reaches the agent's next view; repeated denials
  escalate per the role's charter. Migrations also pass the protocol rules (rules.py).
- SendMessage -> the protocol registry (known recipient, declared protocol between those
  roles, payload of the declared type, no delegation to the PM or to oneself) and the
  message budgets; a refused message is a protocol error event plus a dead letter.
- Escalate -> severity from the sender's charter table (escalation.py).
- UseTool -> the tool must exist; `apply_migration` passes the migration rules.
- Remember -> the memory kind must be one the role's charter keeps (when it lists any).
The gate records refusals; effects.py applies only what the gate allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from charter.agents.coordination import PROTOCOLS, ColumnRef, check_message
from charter.protocols import (
    Action,
    AuthorityDecision,
    Escalate,
    Message,
    Remember,
    Report,
    SendMessage,
    Severity,
    UseTool,
    WriteFile,
)
from charter.protocols.events import (
    AuthorityChecked,
    BudgetExhausted,
    DeadLetter,
    ProtocolViolation,
)

from .deadlines import cross_agent_trigger, is_late
from .escalation import raise_escalation, resolve_severity, signal_severity
from .ids import IdScope, stable_id
from .rules import MIGRATION_TOOLS, is_migration_path, migration_block
from .runtime import Runtime
from .safe_write import judge_write
from .state import Feedback, WorkItem, empty_feedback


@dataclass
class GateResult:
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # immediate escalations to await
    raised: list[str] = field(default_factory=list)  # every escalation raised this step
    feedback: Feedback = field(default_factory=empty_feedback)


def _portable(decision: AuthorityDecision, rt: Runtime) -> AuthorityDecision:
    """The decision without the run directory's absolute path in its reasoning: history must
    not depend on where the run lives, or two runs of one seed would differ."""
    roots = sorted({str(rt.workspace), str(rt.workspace.resolve())}, key=len, reverse=True)
    steps = list(decision.steps)
    reason = decision.reason
    for root in roots:
        steps = [step.replace(root, "<workspace>") for step in steps]
        reason = reason.replace(root, "<workspace>")
    if steps == decision.steps and reason == decision.reason:
        return decision
    return decision.model_copy(update={"steps": steps, "reason": reason})


class _Gate:
    def __init__(self, rt: Runtime, work: WorkItem, step: int, signal_kind: str | None) -> None:
        self.rt = rt
        self.work = work
        self.agent = work["agent"] or ""
        self.charter = rt.team.roles[self.agent]
        self.ids: IdScope = rt.scope(work["seq"], step, "gate")
        self.now: datetime = rt.clock.now()
        self.signal_kind = signal_kind
        self.result = GateResult()

    # --- helpers ----------------------------------------------------------------------

    def _base(self) -> dict[str, Any]:
        return {
            "id": self.ids.next(),
            "at": self.now,
            "agent": self.agent,
            "task_id": self.work["task_id"],
            "correlation_id": self.work["correlation_id"],
        }

    def _refuse(self, kind: str, reason: str, **extra: Any) -> None:
        self.result.verdicts.append({"kind": kind, "allowed": False, "reason": reason, **extra})
        self.result.feedback["rejections"].append(f"{kind}: {reason}")

    def _protocol_error(self, recipient: str, protocol: str, reason: str) -> None:
        self.rt.emit(
            ProtocolViolation(
                **self._base(),
                sender=self.agent,
                recipient=recipient,
                protocol=protocol,
                reason=reason,
            )
        )

    def _escalate(
        self, trigger: str, summary: str, evidence: list[str], *, key: tuple[Any, ...]
    ) -> str:
        severity, problem = resolve_severity(self.charter, trigger, self.signal_kind)
        if problem is not None:
            self._protocol_error(self.rt.coordinator, "escalation", problem)
        escalation_id = stable_id("esc", self.rt.run_id, *key)
        escalation = raise_escalation(
            self.rt,
            escalation_id=escalation_id,
            event_id=stable_id("ev", self.rt.run_id, "raised", escalation_id),
            source=self.agent,
            trigger=trigger,
            severity=severity,
            summary=summary,
            evidence=evidence,
            task_id=self.work["task_id"],
            correlation_id=self.work["correlation_id"],
        )
        self.result.raised.append(escalation.id)
        if escalation.severity is Severity.IMMEDIATE and escalation.decision is None:
            self.result.pending.append(escalation.id)
        return escalation.id

    # --- actions ----------------------------------------------------------------------

    def write(self, action: WriteFile) -> None:
        decision = _portable(
            judge_write(self.rt.authority, self.agent, self.rt.workspace, action.path), self.rt
        )
        base = self._base()
        self.rt.emit(AuthorityChecked(**base, decision=decision))
        self.rt.store.record_authority_decision(base["id"], decision)
        if not decision.allowed or decision.path is None:
            self.result.verdicts.append(
                {"kind": "write_file", "allowed": False, "reason": decision.reason}
            )
            self.result.feedback["denials"].append(decision.model_dump(mode="json"))
            self._maybe_escalate_violations()
            return
        if is_migration_path(decision.path):
            block = migration_block(
                self.rt, role=self.agent, path=decision.path, sql=action.content
            )
            if block is not None:
                self._protocol_error(self.rt.coordinator, "migration_rules", block)
                self._refuse("write_file", block)
                return
        self.result.verdicts.append(
            {
                "kind": "write_file",
                "allowed": True,
                "reason": decision.reason,
                "path": decision.path,
            }
        )

    def _maybe_escalate_violations(self) -> None:
        denied = len(self.rt.store.authority_decisions(role=self.agent, allowed=False))
        if denied == 0 or denied % self.rt.violation_threshold:
            return
        trigger = next(
            (
                t.name
                for t in self.charter.escalation.all_triggers()
                if "governance_violation" in t.signals or "violation" in t.name.casefold()
            ),
            "Repeated Authority Violations",
        )
        self._escalate(
            trigger,
            f"{self.agent} has {denied} denied writes",
            [
                d.reason
                for d in self.rt.store.authority_decisions(
                    role=self.agent, allowed=False, limit=self.rt.violation_threshold
                )
            ],
            key=("violations", self.agent, denied),
        )

    def send(self, action: SendMessage) -> None:
        correlation = action.correlation_id or self.work["correlation_id"]
        spec = PROTOCOLS.get(action.protocol)
        is_reply = action.reply_to is not None
        message = Message(
            id=self.ids.next("msg"),
            correlation_id=correlation,
            protocol=action.protocol,
            kind="reply" if is_reply else "request",
            sender=self.agent,
            recipient=action.to,
            payload=action.payload,
            sent_at=self.now,
            deadline=None if is_reply or spec is None else self.now + spec.reply_within,
            reply_to=action.reply_to,
        )
        reason = check_message(
            sender=self.agent,
            recipient=action.to,
            protocol=action.protocol,
            payload=action.payload,
            is_reply=is_reply,
            team=list(self.rt.team.roles),
            coordinator=self.rt.coordinator,
        )
        thread = self.rt.store.messages(correlation_id=correlation)
        if reason is None and is_reply:
            original = next((m for m, _ in thread if m.id == action.reply_to), None)
            if original is None or original.recipient != self.agent:
                reason = f"reply to {action.reply_to!r}, which is no request to {self.agent}"
            elif original.protocol != action.protocol:
                reason = f"reply uses {action.protocol!r}, the request used {original.protocol!r}"
            elif is_late(original, self.now):
                # The sender already has a dead letter and an escalation for this request;
                # a late answer is refused, not silently accepted.
                assert original.deadline is not None
                reason = (
                    f"late reply to {original.id!r}: its {original.protocol} reply deadline "
                    f"{original.deadline.isoformat()} has passed"
                )
        if reason is None:
            reason = self._budget(correlation, thread, is_reply)
        if reason is not None:
            self._protocol_error(action.to, action.protocol, reason)
            self.rt.emit(DeadLetter(**self._base(), message=message, reason=reason))
            self.rt.store.put_message(message, status="dead")
            self._refuse("send_message", reason, message_id=message.id)
            if action.to not in self.rt.team.roles:
                # Nobody will ever answer: failed cross-agent work, escalated the same way
                # as a request whose reply deadline passed.
                self._escalate(
                    cross_agent_trigger(self.charter),
                    f"{action.protocol} to {action.to}: {reason}",
                    [f"message:{message.id}"],
                    key=("dead_letter", message.id),
                )
            return
        if spec is not None and not is_reply:
            self._learn_classifications(spec.request.__name__, action.payload)
        self.result.verdicts.append(
            {
                "kind": "send_message",
                "allowed": True,
                "reason": "protocol ok",
                "message": message.model_dump(mode="json"),
            }
        )

    def _budget(
        self, correlation: str, thread: list[tuple[Message, str]], is_reply: bool
    ) -> str | None:
        budgets = self.rt.budgets
        handoffs = sum(1 for m, s in thread if m.kind == "request" and s != "dead")
        exhausted: tuple[str, int, int] | None = None
        if len(thread) >= budgets.messages_per_correlation:
            exhausted = ("messages_per_correlation", budgets.messages_per_correlation, len(thread))
        elif not is_reply and handoffs >= budgets.handoffs:
            exhausted = ("handoffs", budgets.handoffs, handoffs)
        if exhausted is None:
            return None
        name, limit, used = exhausted
        self.rt.emit(
            BudgetExhausted(
                **{
                    **self._base(),
                    "id": stable_id("ev", self.rt.run_id, "budget", correlation, name),
                },
                budget=name,
                limit=limit,
                used=used,
            )
        )
        self._escalate(
            "Budget Exhausted",
            f"{name} budget ({limit}) exhausted in {correlation}",
            [f"used {used}"],
            key=("budget", correlation, name),
        )
        return f"budget {name} exhausted ({used}/{limit}) in {correlation}"

    def _learn_classifications(self, request_type: str, payload: dict[str, Any]) -> None:
        for key in ("columns", "classifications"):
            for raw in payload.get(key, []) or []:
                column = ColumnRef.model_validate(raw)
                if column.classification is not None:
                    self.rt.catalog.raise_to(column.qualified, column.classification)

    def escalate(self, action: Escalate) -> None:
        escalation_id = self._escalate(
            action.trigger,
            action.summary,
            list(action.evidence),
            key=("raised", self.work["seq"], self.ids.next("k")),
        )
        self.result.verdicts.append(
            {"kind": "escalate", "allowed": True, "reason": "filed", "escalation_id": escalation_id}
        )

    def use_tool(self, action: UseTool) -> None:
        if action.tool not in self.rt.tools:
            self._refuse("use_tool", f"unknown tool {action.tool!r}")
            return
        if action.tool in MIGRATION_TOOLS:
            path = str(action.arguments.get("path", ""))
            sql = str(action.arguments.get("sql", ""))
            block = migration_block(self.rt, role=self.agent, path=path, sql=sql)
            if block is not None:
                self._protocol_error(self.rt.coordinator, "migration_rules", block)
                self._refuse("use_tool", block)
                return
        self.result.verdicts.append({"kind": "use_tool", "allowed": True, "reason": "ok"})

    def remember(self, action: Remember) -> None:
        kinds = self.charter.memory_kinds
        if kinds and action.memory_kind not in kinds:
            self._refuse(
                "remember",
                f"{self.agent}'s charter keeps no {action.memory_kind.value} memory "
                f"(keeps: {', '.join(k.value for k in kinds)})",
            )
            return
        self.result.verdicts.append({"kind": "remember", "allowed": True, "reason": "ok"})

    def report(self, action: Report) -> None:
        self.result.verdicts.append({"kind": "report", "allowed": True, "reason": "ok"})

    def missed_signal_escalation(self, already_raised: bool) -> None:
        """A signal the agent's table maps to a trigger is escalated even when the brain
        forgot to: the table, not the brain, decides that the PM hears about it."""
        if already_raised or self.work["kind"] != "signal":
            return
        mapped = signal_severity(self.charter, self.signal_kind)
        if mapped is None:
            return
        self._escalate(
            mapped[0],
            f"signal {self.signal_kind} (filed by the gate: the agent raised no escalation)",
            [f"signal {self.work['ref']}"],
            key=("signal", self.work["ref"]),
        )


def run_gate(
    rt: Runtime,
    work: WorkItem,
    actions: list[Action],
    *,
    step: int,
    signal_kind: str | None,
    raised_before: bool,
) -> GateResult:
    gate = _Gate(rt, work, step, signal_kind)
    for action in actions:
        match action:
            case WriteFile():
                gate.write(action)
            case SendMessage():
                gate.send(action)
            case Escalate():
                gate.escalate(action)
            case UseTool():
                gate.use_tool(action)
            case Remember():
                gate.remember(action)
            case Report():
                gate.report(action)
    if not actions:
        gate.missed_signal_escalation(raised_before)
    return gate.result


__all__ = ["GateResult", "run_gate"]

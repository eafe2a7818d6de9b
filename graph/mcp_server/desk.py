"""The coordination desk behind `charter mcp`: what each tool does to a run store.

One rule book with the simulated team: writes are judged by `judge_write` (the gate's own
judgement), escalation severity comes from the role's charter trigger table, messages are
checked by `check_message` (the gate's own protocol check), and PM decisions go through
the PM channel's checks. The desk knows nothing of MCP: `call(tool, arguments)` takes a
tool name and a JSON object and always returns a `CallResult`, whatever it was given.

What every call leaves in the store: one `tool_used` event (tool `mcp:<name>`, the
arguments, ok or refused, the one-line summary) and one audit entry `mcp.<name>` (or
`mcp.<name>.refused`) by the calling role. An accepted call also leaves its own records:
an authority decision, an escalation, a message, a decision. A refused call leaves nothing
else: a refused message is not stored as a message, so it never reaches an inbox.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from charter.protocols import (
    Charter,
    Clock,
    DecisionRefused,
    Escalation,
    Message,
    Team,
)
from charter.protocols.events import (
    AuthorityChecked,
    EscalationDecided,
    EscalationRaised,
    MessageSent,
    ToolUsed,
)

from .arguments import (
    CheckWriteArguments,
    DecideArguments,
    EscalateArguments,
    InboxArguments,
    SendArguments,
)

if TYPE_CHECKING:
    from charter.memory import RunStore

    from ..ports import AuthorityLike

_NAME_LIMIT = 80  # an unknown tool name is echoed back, cut to this length


class Refused(Exception):
    """A call the desk will not carry out; the message says what, and what was expected."""


@dataclass
class CallResult:
    ok: bool
    summary: str  # one line the calling model reads
    data: dict[str, Any] = field(default_factory=dict)  # the structured answer


@dataclass
class _Done:
    """What a tool handler returns: its answer and what the audit entry names."""

    summary: str
    data: dict[str, Any]
    target: str


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    arguments: type[BaseModel]


TOOLS: dict[str, ToolSpec] = {
    spec.name: spec
    for spec in (
        ToolSpec(
            "check_write",
            "May ROLE write PATH? The charters' answer (allowed or denied), the rule that "
            "decided and the whole explanation, judged as the simulated gate judges.",
            CheckWriteArguments,
        ),
        ToolSpec(
            "escalate",
            "File an escalation to the PM through the role's charter trigger table. The "
            "severity comes from the charter, never from the caller.",
            EscalateArguments,
        ),
        ToolSpec(
            "send",
            "Send a coordination-protocol message from one role to another. The payload is "
            "validated against the protocol's typed request (or reply) payload; a message "
            "that breaks the protocols is refused with the reason and not delivered.",
            SendArguments,
        ),
        ToolSpec(
            "inbox",
            "The messages addressed to ROLE, oldest first (new ones are marked delivered).",
            InboxArguments,
        ),
        ToolSpec(
            "decide",
            "The PM's decision on an escalation: approve, deny or needs_info. Only the PM "
            "(the team's coordinator) may decide.",
            DecideArguments,
        ),
    )
}


def coordinator_of(team: Team) -> str:
    """The role that decides escalations: the team's coordinator (the shipped PM)."""
    coordinators = sorted(r for r, c in team.roles.items() if c.kind == "coordinator")
    return coordinators[0] if coordinators else "pm"


class Desk:
    """The tools over one run store. `pinned_role`: the only role this server speaks for
    (a server started with `--role`); None lets a call name any role of the team."""

    def __init__(
        self,
        *,
        team: Team,
        engine: AuthorityLike,
        workspace: Path,
        store: RunStore,
        clock: Clock,
        pinned_role: str | None = None,
    ) -> None:
        self.team = team
        self.engine = engine
        self.workspace = workspace
        self.store = store
        self.clock = clock
        self.coordinator = coordinator_of(team)
        self.pinned_role = pinned_role
        self._handlers: dict[str, Callable[[Any], _Done]] = {
            "check_write": self._check_write,
            "escalate": self._escalate,
            "send": self._send,
            "inbox": self._inbox,
            "decide": self._decide,
        }

    def close(self) -> None:
        self.store.close()

    # -- the one entry point ------------------------------------------------------------

    def call(self, tool: object, arguments: object) -> CallResult:
        """Run `tool` with `arguments` (a JSON object); never raises for what a client
        sends. Every call is recorded, refused or not."""
        name = tool if isinstance(tool, str) and tool.isprintable() else repr(tool)
        name = name if len(name) <= _NAME_LIMIT else name[: _NAME_LIMIT - 3] + "..."
        raw: dict[str, Any] = dict(arguments) if isinstance(arguments, Mapping) else {}
        # A bound server is who calls, whatever role a call claims: the record says so.
        role = self.pinned_role or _acting_role(raw)
        try:
            # guard decisions spooled by hook processes since the last call come first
            self.store.take_guard_spool()
            done = self._run(name, arguments)
        except Refused as refused:
            result = CallResult(False, f"{name}: {refused}")
            target = name
        except Exception as error:  # a bug must not take the server down with it
            result = CallResult(
                False,
                f"{name}: internal error ({type(error).__name__}: {_first_line(error)}); "
                "the call may be incomplete",
            )
            target = name
        else:
            result = CallResult(True, done.summary, done.data)
            target = done.target
        try:
            self._record(name, raw, role, result, target)
        except Exception as error:
            # The call happened but is not in the record: say so rather than pretend.
            result = CallResult(
                False,
                f"{result.summary} [not recorded in the run store: "
                f"{type(error).__name__}: {_first_line(error)}]",
                result.data,
            )
        return result

    def _run(self, name: str, arguments: object) -> _Done:
        spec = TOOLS.get(name)
        if spec is None:
            raise Refused(f"no such tool; expected one of {', '.join(TOOLS)}")
        if arguments is None:
            arguments = {}
        if not isinstance(arguments, Mapping):
            raise Refused(f"arguments must be a JSON object, got {type(arguments).__name__}")
        try:
            parsed = spec.arguments.model_validate(dict(arguments))
        except ValidationError as error:
            raise Refused(_validation_problem(error)) from None
        return self._handlers[name](parsed)

    def _record(
        self, name: str, raw: dict[str, Any], role: str | None, result: CallResult, target: str
    ) -> None:
        at = self.clock.now()
        member = role if role in self.team.roles else None
        event_id = _new_id("mcp")
        self.store.append_event(
            ToolUsed(
                id=event_id,
                at=at,
                agent=member,
                tool=f"mcp:{name}",
                arguments=raw,
                ok=result.ok,
                summary=result.summary,
                result=result.data,
            )
        )
        self.store.audit_append(
            actor=member or "mcp-client",
            action=f"mcp.{name}" if result.ok else f"mcp.{name}.refused",
            target=target,
            details={"event": event_id, "summary": result.summary, "arguments": raw},
            at=at,
        )

    # -- checks shared by the tools -----------------------------------------------------

    def _member(self, named: str | None, what: str = "role") -> tuple[str, Charter]:
        """The acting role (named, or the one the server is bound to) and its charter."""
        role = named if named is not None else self.pinned_role
        if role is None:
            raise Refused(f"{what}: required (the role acting; or start the server with --role)")
        charter = self.team.roles.get(role)
        if charter is None:
            raise Refused(
                f"{what} {role!r} is not in the team; expected one of "
                f"{', '.join(sorted(self.team.roles))}"
            )
        if self.pinned_role is not None and role != self.pinned_role:
            raise Refused(
                f"{what} {role!r}: this server speaks only for {self.pinned_role!r} "
                "(started with --role)"
            )
        return role, charter

    # -- the tools ----------------------------------------------------------------------

    def _check_write(self, args: CheckWriteArguments) -> _Done:
        from ..claude_code.hook import workspace_relative
        from ..safe_write import judge_write

        role, _ = self._member(args.role)
        root = str(self.workspace)
        requested = args.path
        if os.path.isabs(requested):
            # Named from outside: judged by where it sits in the workspace (outside: refused).
            requested = workspace_relative(root, os.path.normpath(requested))
        decision = judge_write(self.engine, role, root, requested)
        event_id = _new_id("mcp")
        self.store.append_event(
            AuthorityChecked(id=event_id, at=self.clock.now(), agent=role, decision=decision)
        )
        self.store.record_authority_decision(event_id, decision)
        verdict = "allowed" if decision.allowed else "denied"
        pattern = f", pattern {decision.pattern!r}" if decision.pattern else ""
        return _Done(
            f"{verdict}: {role} writing {decision.requested_path!r}: {decision.reason} "
            f"(rule {decision.rule}{pattern})",
            {
                "allowed": decision.allowed,
                "role": role,
                "requested_path": decision.requested_path,
                "path": decision.path,
                "rule": decision.rule,
                "pattern": decision.pattern,
                "owner": decision.owner,
                "reason": decision.reason,
                "explanation": list(decision.steps),
            },
            decision.path or decision.requested_path,
        )

    def _escalate(self, args: EscalateArguments) -> _Done:
        role, charter = self._member(args.role)
        wanted = args.trigger.strip().casefold()
        trigger = next(
            (t for t in charter.escalation.all_triggers() if t.name.casefold() == wanted), None
        )
        severity = charter.escalation.severity_of(args.trigger)
        if trigger is None or severity is None:
            raise Refused(
                f"trigger {args.trigger!r} is not in {role}'s escalation table; expected "
                f"one of {_trigger_list(charter)}"
            )
        now = self.clock.now()
        within = charter.escalation.acknowledge_within.get(severity)
        escalation = Escalation(
            id=_new_id("esc-mcp"),
            source=role,
            trigger=trigger.name,
            severity=severity,
            summary=args.summary,
            evidence=list(args.evidence),
            raised_at=now,
            acknowledge_by=now + within if within is not None else None,
            escalated_to=trigger.target,
        )
        self.store.upsert_escalation(escalation)
        self.store.append_event(
            EscalationRaised(id=_new_id("mcp"), at=now, agent=role, escalation=escalation)
        )
        claimed = (args.severity or "").strip()
        note = ""
        if claimed and claimed.casefold() != severity.value:
            note = f" (the claimed severity {claimed!r} was ignored)"
        return _Done(
            f"escalation {escalation.id} filed to {escalation.escalated_to}: {trigger.name!r} "
            f"is {severity.value} in {role}'s charter{note}",
            {
                "escalation_id": escalation.id,
                "trigger": trigger.name,
                "severity": severity.value,
                "severity_from": "charter",
                "claimed_severity": claimed or None,
                "escalated_to": escalation.escalated_to,
                "acknowledge_by": _iso(escalation.acknowledge_by),
            },
            escalation.id,
        )

    def _send(self, args: SendArguments) -> _Done:
        from charter.agents.coordination import PROTOCOLS, check_message

        sender, _ = self._member(args.sender, "from")
        now = self.clock.now()
        is_reply = args.reply_to is not None
        reason = check_message(
            sender=sender,
            recipient=args.to,
            protocol=args.protocol,
            payload=args.payload,
            is_reply=is_reply,
            team=list(self.team.roles),
            coordinator=self.coordinator,
        )
        original: Message | None = None
        if reason is None and args.reply_to is not None:
            found = [m for m, _ in self.store.messages(recipient=sender)]
            original = next((m for m in found if m.id == args.reply_to), None)
            if original is None or original.kind != "request":
                reason = f"reply to {args.reply_to!r}, which is no request to {sender}"
            elif original.sender != args.to:
                reason = f"reply to {args.reply_to!r} must go to its sender {original.sender}"
            elif original.protocol != args.protocol:
                reason = f"reply uses {args.protocol!r}, the request used {original.protocol!r}"
            elif original.deadline is not None and now >= original.deadline:
                reason = (
                    f"late reply to {original.id!r}: its {original.protocol} reply deadline "
                    f"{original.deadline.isoformat()} has passed"
                )
        if reason is not None:
            raise Refused(f"refused, not delivered: {reason}")
        spec = PROTOCOLS[args.protocol]
        message = Message(
            id=_new_id("msg-mcp"),
            correlation_id=original.correlation_id if original else _new_id("corr-mcp"),
            protocol=args.protocol,
            kind="reply" if is_reply else "request",
            sender=sender,
            recipient=args.to,
            payload=args.payload,
            sent_at=now,
            deadline=None if is_reply else now + spec.reply_within,
            reply_to=args.reply_to,
        )
        self.store.put_message(message, status="pending")
        self.store.append_event(
            MessageSent(
                id=_new_id("mcp"),
                at=now,
                agent=sender,
                correlation_id=message.correlation_id,
                message=message,
            )
        )
        if original is not None:
            self.store.set_message_status(original.id, "replied")
        return _Done(
            f"{message.kind} {message.id} sent: {args.protocol} {sender} -> {args.to}"
            + (f", reply due by {_iso(message.deadline)}" if message.deadline else ""),
            {
                "message_id": message.id,
                "correlation_id": message.correlation_id,
                "kind": message.kind,
                "deadline": _iso(message.deadline),
            },
            message.id,
        )

    def _inbox(self, args: InboxArguments) -> _Done:
        role, _ = self._member(args.role)
        listed: list[dict[str, Any]] = []
        for message, status in self.store.messages(recipient=role):
            if status == "dead":
                continue  # refused or expired: never delivered
            new = status == "pending"
            if new:
                self.store.set_message_status(message.id, "delivered")
            listed.append(
                {
                    "id": message.id,
                    "protocol": message.protocol,
                    "kind": message.kind,
                    "from": message.sender,
                    "to": message.recipient,
                    "payload": message.payload,
                    "sent_at": _iso(message.sent_at),
                    "deadline": _iso(message.deadline),
                    "reply_to": message.reply_to,
                    "correlation_id": message.correlation_id,
                    "status": "delivered" if new else status,
                    "new": new,
                }
            )
        fresh = sum(1 for item in listed if item["new"])
        return _Done(
            f"{len(listed)} message(s) for {role}, {fresh} new",
            {"role": role, "messages": listed},
            role,
        )

    def _decide(self, args: DecideArguments) -> _Done:
        from ..pm_channel import decision_from_resume

        role, _ = self._member(args.role)
        if role != self.coordinator:
            raise Refused(
                f"only the {self.coordinator} decides escalations; {role} may not "
                "(escalate instead)"
            )
        escalation = self.store.get_escalation(args.escalation_id)
        if escalation is None:
            raise Refused(
                f"no escalation {args.escalation_id!r} in this run; undecided: "
                f"{_undecided(self.store)}"
            )
        if escalation.decision is not None:
            earlier = escalation.decision
            raise Refused(
                f"escalation {escalation.id} was already decided: {earlier.verdict} by "
                f"{earlier.decided_by} at {earlier.decided_at.isoformat()}"
            )
        now = self.clock.now()
        try:
            decision = decision_from_resume(
                {"verdict": args.verdict, "note": args.note, "decided_by": role}, now=now
            )
        except DecisionRefused as refused:
            raise Refused(str(refused)) from None
        decided = escalation.model_copy(update={"decision": decision, "status": "decided"})
        self.store.upsert_escalation(decided)
        self.store.append_event(
            EscalationDecided(
                id=_new_id("mcp"),
                at=now,
                agent=escalation.source,
                correlation_id=escalation.correlation_id,
                escalation_id=escalation.id,
                decision=decision,
            )
        )
        return _Done(
            f"escalation {escalation.id} ({escalation.trigger}, {escalation.severity.value}, "
            f"from {escalation.source}) decided: {args.verdict}",
            {
                "escalation_id": escalation.id,
                "verdict": args.verdict,
                "note": args.note,
                "decided_by": role,
                "decided_at": _iso(now),
            },
            escalation.id,
        )


# -- small helpers ----------------------------------------------------------------------


def _new_id(prefix: str) -> str:
    # Real agents call at wall-clock times that may share a second: a random id per record.
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else "(no message)"


def _acting_role(raw: dict[str, Any]) -> str | None:
    for key in ("role", "from"):
        value = raw.get(key)
        if isinstance(value, str):
            return value
    return None


def _trigger_list(charter: Charter) -> str:
    immediate = ", ".join(repr(t.name) for t in charter.escalation.immediate) or "none"
    standard = ", ".join(repr(t.name) for t in charter.escalation.standard) or "none"
    return f"immediate: {immediate}; standard: {standard}"


def _undecided(store: RunStore) -> str:
    ids = [e.id for e in store.list_escalations() if e.decision is None]
    return ", ".join(ids) if ids else "none"


def _validation_problem(error: ValidationError) -> str:
    """Every problem in the arguments, each as `where: what` (aliases as sent: `from`)."""
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "arguments"
        what = "unknown argument" if item["type"] == "extra_forbidden" else item["msg"]
        problems.append(f"{where}: {what}")
    return "bad arguments: " + "; ".join(problems)


__all__ = ["TOOLS", "CallResult", "Desk", "Refused", "ToolSpec", "coordinator_of"]

"""Events in one line of text, for timelines (the TUI, `charter demo`, `charter run`)."""

from __future__ import annotations

from . import events as ev
from .events import Event

# What `headline` puts before the summary, where it reads better than the kind's name.
_LABELS = {
    "signal_received": "signal",
    "schedule_fired": "schedule",
    "fault_injected": "fault",
    "task_submitted": "task",
    "task_routed": "routed",
    "agent_activated": "",  # "activated by ..." says it already
    "escalation_raised": "ESCALATION",
    "escalation_decided": "PM decided",
    "escalation_reescalated": "re-escalated",
    "escalation_info_requested": "PM asked",
    "escalation_info_answered": "answered",
    "message_sent": "message",
    "dead_letter": "",  # "dead letter ..." says it already
    "authority_checked": "write",
    "file_written": "wrote",
    "write_failed": "WRITE FAILED",
    "report_filed": "report",
    "memory_recorded": "learned",
    "protocol_error": "PROTOCOL ERROR",
    "tool_used": "tool",
    "budget_exhausted": "budget exhausted",
}


def summarise(event: Event) -> str:
    """What happened, in one line a person can scan beside its kind (the TUI timeline has
    a kind column; see `headline` where there is none)."""
    match event:
        case ev.RunStarted():
            return f"run {event.run_id} seed={event.seed} team={','.join(event.team)}"
        case ev.RunFinished():
            return f"run finished ({event.reason})"
        case ev.TaskSubmitted():
            return f"task {event.task.id}: {event.task.title}"
        case ev.TaskRouted():
            return f"-> {event.to}: {event.reason}"
        case ev.SignalReceived():
            return f"{event.signal.kind} from {event.signal.source}"
        case ev.ScheduleFired():
            late = " (late)" if event.misfire else ""
            return f"{event.schedule}{late}"
        case ev.AgentActivated():
            return f"activated by {event.cause}"
        case ev.ContextPrepared():
            return f"{len(event.memory_ids)} memories, {event.characters} chars"
        case ev.AuthorityChecked():
            d = event.decision
            verdict = "allowed" if d.allowed else "DENIED"
            return f"{verdict} {d.requested_path} ({d.rule})"
        case ev.FileWritten():
            return f"{event.path} ({event.size} bytes)"
        case ev.WriteFailed():
            return f"{event.path}: {event.reason}"
        case ev.MessageSent():
            m = event.message
            verdict = ""
            if m.kind == "reply" and "approved" in m.payload:  # a review's answer
                verdict = " approved" if m.payload["approved"] else " refused"
            return f"{m.sender} -> {m.recipient} {m.protocol} {m.kind}{verdict}"
        case ev.DeadLetter():
            return f"dead letter {event.message.protocol}: {event.reason}"
        case ev.ProtocolViolation():
            return f"{event.sender} -> {event.recipient} {event.protocol}: {event.reason}"
        case ev.EscalationRaised():
            e = event.escalation
            return f"[{e.severity}] {e.trigger}: {e.summary}"
        case ev.EscalationAcknowledged():
            return f"acknowledged {event.escalation_id}"
        case ev.EscalationDecided():
            note = f" - {event.decision.note}" if event.decision.note else ""
            return f"{event.decision.verdict} {event.escalation_id}{note}"
        case ev.EscalationInfoRequested():
            return f"{event.escalation_id} (question {event.round}): {event.question}"
        case ev.EscalationInfoAnswered():
            return f"{event.escalation_id} (question {event.round}): {event.answer}"
        case ev.EscalationReescalated():
            return f"{event.escalation_id} -> {event.to}: {event.reason}"
        case ev.ReportFiled():
            return f"{event.report.status}: {event.report.summary}"
        case ev.MemoryRecorded():
            return f"{event.memory_kind}: {event.content}"
        case ev.ToolUsed():
            ok = "ok" if event.ok else "FAILED"
            return f"{event.tool} {ok} {event.summary}".rstrip()
        case ev.TurnCompleted():
            return f"{event.allowed}/{event.actions} actions allowed"
        case ev.BudgetExhausted():
            return f"{event.budget}: {event.used:g}/{event.limit:g}"
        case ev.AIUsage():
            return f"{event.model} in={event.input_tokens} out={event.output_tokens}"
        case ev.FaultInjected():
            return f"{event.fault}"


def headline(event: Event) -> str:
    """The summary with what kind of event it is in front, for a timeline without a kind
    column."""
    label = _LABELS.get(event.kind, event.kind.replace("_", " "))
    summary = summarise(event).replace("\n", " ")
    return f"{label} {summary}" if label else summary


__all__ = ["headline", "summarise"]

"""Charter's typed language: charters, work, actions, messages, escalations, events.

Pure data, no I/O; every other part imports it and it imports nothing of Charter's.

Names load lazily (PEP 562): `from charter.protocols import ConfigError` imports the
errors module only, not pydantic and every model. The Claude Code guard runs as a fresh
process per tool call and reaches the authority engine without pydantic this way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import lazy_exports

if TYPE_CHECKING:
    from .actions import Action, Escalate, Remember, Report, SendMessage, UseTool, WriteFile
    from .authority import AuthorityDecision, AuthorityRule
    from .base import StrictModel, UtcDatetime
    from .charter import (
        ActivationTable,
        ActivationTrigger,
        Authorities,
        Charter,
        CoordinationPartner,
        EscalationTable,
        EscalationTrigger,
        MemoryPolicy,
        PathRule,
        PrecedenceRule,
        Schedule,
        Severity,
        SuccessMetric,
        Team,
    )
    from .clock import Clock, SystemClock, VirtualClock
    from .errors import (
        AuthorityDenied,
        BudgetExceeded,
        CharterError,
        ConfigError,
        DecisionRefused,
        ProtocolError,
    )
    from .escalations import Decision, DecisionVerdict, Escalation, EscalationStatus
    from .events import EVENT_ADAPTER, Event, parse_event
    from .memory_kinds import MemoryKind
    from .messages import Message, Signal
    from .pii import PiiKind, PiiMatch, find_pii, iban_valid, luhn_valid
    from .view import AgentView, MemorySnippet, ToolResult
    from .work import AgentReport, Lesson, ReportStatus, TaskAssignment

# public name -> module (relative to this package) that defines it
_LAZY = {
    "Action": ".actions",
    "Escalate": ".actions",
    "Remember": ".actions",
    "Report": ".actions",
    "SendMessage": ".actions",
    "UseTool": ".actions",
    "WriteFile": ".actions",
    "AuthorityDecision": ".authority",
    "AuthorityRule": ".authority",
    "StrictModel": ".base",
    "UtcDatetime": ".base",
    "ActivationTable": ".charter",
    "ActivationTrigger": ".charter",
    "Authorities": ".charter",
    "Charter": ".charter",
    "CoordinationPartner": ".charter",
    "EscalationTable": ".charter",
    "EscalationTrigger": ".charter",
    "MemoryPolicy": ".charter",
    "PathRule": ".charter",
    "PrecedenceRule": ".charter",
    "Schedule": ".charter",
    "Severity": ".charter",
    "SuccessMetric": ".charter",
    "Team": ".charter",
    "Clock": ".clock",
    "SystemClock": ".clock",
    "VirtualClock": ".clock",
    "AuthorityDenied": ".errors",
    "BudgetExceeded": ".errors",
    "CharterError": ".errors",
    "ConfigError": ".errors",
    "DecisionRefused": ".errors",
    "ProtocolError": ".errors",
    "Decision": ".escalations",
    "DecisionVerdict": ".escalations",
    "Escalation": ".escalations",
    "EscalationStatus": ".escalations",
    "EVENT_ADAPTER": ".events",
    "Event": ".events",
    "parse_event": ".events",
    "MemoryKind": ".memory_kinds",
    "Message": ".messages",
    "Signal": ".messages",
    "PiiKind": ".pii",
    "PiiMatch": ".pii",
    "find_pii": ".pii",
    "iban_valid": ".pii",
    "luhn_valid": ".pii",
    "AgentView": ".view",
    "MemorySnippet": ".view",
    "ToolResult": ".view",
    "AgentReport": ".work",
    "Lesson": ".work",
    "ReportStatus": ".work",
    "TaskAssignment": ".work",
}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())


__all__ = [
    "EVENT_ADAPTER",
    "Action",
    "ActivationTable",
    "ActivationTrigger",
    "AgentReport",
    "AgentView",
    "Authorities",
    "AuthorityDecision",
    "AuthorityDenied",
    "AuthorityRule",
    "BudgetExceeded",
    "Charter",
    "CharterError",
    "Clock",
    "ConfigError",
    "CoordinationPartner",
    "Decision",
    "DecisionRefused",
    "DecisionVerdict",
    "Escalate",
    "Escalation",
    "EscalationStatus",
    "EscalationTable",
    "EscalationTrigger",
    "Event",
    "Lesson",
    "MemoryKind",
    "MemoryPolicy",
    "MemorySnippet",
    "Message",
    "PathRule",
    "PiiKind",
    "PiiMatch",
    "PrecedenceRule",
    "ProtocolError",
    "Remember",
    "Report",
    "ReportStatus",
    "Schedule",
    "SendMessage",
    "Severity",
    "Signal",
    "StrictModel",
    "SuccessMetric",
    "SystemClock",
    "TaskAssignment",
    "Team",
    "ToolResult",
    "UseTool",
    "UtcDatetime",
    "VirtualClock",
    "WriteFile",
    "find_pii",
    "iban_valid",
    "luhn_valid",
    "parse_event",
]

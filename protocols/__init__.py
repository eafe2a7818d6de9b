"""Charter's typed language: charters, work, actions, messages, escalations, events.

Pure data, no I/O; every other part imports it and it imports nothing of Charter's.
"""

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

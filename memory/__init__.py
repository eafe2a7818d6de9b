"""charter.memory: the run database — run events, messages, escalations, authority
decisions, the seven kinds of agent memory and the audit trail — with redaction, retention,
erasure, context preparation and learning capture.

Only `protocols` is imported from Charter; SQLModel tables stay inside this package.
"""

from .backend import StoreLockedError
from .learning import LESSON_KINDS, capture_learning
from .migrations import LATEST as SCHEMA_VERSION
from .records import (
    AuditEntry,
    AuditReport,
    ErasureReport,
    MemoryInput,
    MemoryRecord,
    PruneReport,
)
from .redaction import REDACTED_KINDS, redact, redact_value
from .store import MESSAGE_STATUSES, RunStore, open_run_store

__all__ = [
    "LESSON_KINDS",
    "MESSAGE_STATUSES",
    "REDACTED_KINDS",
    "SCHEMA_VERSION",
    "AuditEntry",
    "AuditReport",
    "ErasureReport",
    "MemoryInput",
    "MemoryRecord",
    "PruneReport",
    "RunStore",
    "StoreLockedError",
    "capture_learning",
    "open_run_store",
    "redact",
    "redact_value",
]

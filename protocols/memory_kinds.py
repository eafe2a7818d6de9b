"""The seven kinds of agent memory named in the seed's "Memory Integration"."""

from __future__ import annotations

from enum import StrEnum


class MemoryKind(StrEnum):
    PATTERN = "pattern"  # proven processing and analytics patterns
    ERROR = "error"  # failures and data-quality issues, with their recovery
    TEAM = "team"  # standards and best practices the team enforces
    PROJECT = "project"  # architectural decisions and their impact
    GOVERNANCE = "governance"  # classification schemas, compliance audit trail
    RELIABILITY = "reliability"  # failure patterns and recovery procedures
    COLLABORATION = "collaboration"  # cross-agent sharing patterns and subscriptions


__all__ = ["MemoryKind"]

"""Envelopes that travel between agents, and signals that come from outside."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .base import StrictModel, UtcDatetime

MessageKind = Literal["request", "reply", "notice"]


class Message(StrictModel):
    id: str
    correlation_id: str
    protocol: str
    kind: MessageKind = "request"
    sender: str
    recipient: str
    payload: dict[str, Any] = Field(default_factory=dict)
    sent_at: UtcDatetime
    deadline: UtcDatetime | None = None
    reply_to: str | None = None


class Signal(StrictModel):
    """Something observed outside the agents: `pipeline_failed`, `data_breach`, ..."""

    id: str
    kind: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    source: str = "external"  # "monitor:<name>", "scenario", "user"
    at: UtcDatetime
    payload: dict[str, Any] = Field(default_factory=dict)


__all__ = ["Message", "MessageKind", "Signal"]

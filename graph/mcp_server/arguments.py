"""The MCP tools' inputs as pydantic models: the JSON schema each publishes is what a client
sees in `tools/list`, and the same model validates a call's arguments, so what a client is
told and what the server accepts never drift apart."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# The acting role may be left out on a server bound to one role (`charter mcp --role pm`):
# then `decide(escalation_id, verdict, note)` is the whole call.
_PINNED = " Required unless the server was started with --role, which it then defaults to."


class _Arguments(BaseModel):
    # An unknown argument is a mistake worth naming (a typo such as "rol"), not a silent drop.
    model_config = ConfigDict(extra="forbid", populate_by_name=False)


class CheckWriteArguments(_Arguments):
    role: str | None = Field(
        default=None, min_length=1, description="The role that would write." + _PINNED
    )
    path: str = Field(
        min_length=1,
        description="The file it would write: relative to the workspace root, or absolute "
        "inside it.",
    )


class EscalateArguments(_Arguments):
    role: str | None = Field(
        default=None, min_length=1, description="The role raising the escalation." + _PINNED
    )
    trigger: str = Field(
        min_length=1, description="A trigger from the role's charter escalation table."
    )
    summary: str = Field(min_length=1, description="One line: what happened.")
    evidence: list[str] = Field(default_factory=list, description="What shows it.")
    # Any text is accepted: an alarm must not be lost over a field that is ignored anyway.
    severity: str | None = Field(
        default=None,
        description="Ignored: the severity always comes from the charter's trigger table "
        "(accepted so a caller that sends one is told which severity was used).",
    )


class SendArguments(_Arguments):
    protocol: str = Field(min_length=1, description="A coordination protocol, e.g. schema_review.")
    sender: str | None = Field(
        default=None, alias="from", min_length=1, description="The sending role." + _PINNED
    )
    to: str = Field(min_length=1, description="The receiving role.")
    payload: dict[str, Any] = Field(
        description="The protocol's request payload (or its reply payload with reply_to)."
    )
    reply_to: str | None = Field(
        default=None, description="Answer this message id (a request sent to `from`)."
    )


class InboxArguments(_Arguments):
    role: str | None = Field(default=None, min_length=1, description="Whose inbox." + _PINNED)


class DecideArguments(_Arguments):
    role: str | None = Field(
        default=None,
        min_length=1,
        description="Who decides: only the PM (the coordinator) may." + _PINNED,
    )
    escalation_id: str = Field(min_length=1)
    verdict: Literal["approve", "deny", "needs_info"]
    note: str = ""


def input_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema clients see: field names as sent on the wire (`from`, not `sender`)."""
    return model.model_json_schema(by_alias=True)


__all__ = [
    "CheckWriteArguments",
    "DecideArguments",
    "EscalateArguments",
    "InboxArguments",
    "SendArguments",
    "input_schema",
]

"""The agent's allowed actions as Messages API tools, and tool calls back into Actions.

Each action type becomes one tool whose input schema is generated from the protocol model
(`model_json_schema()`), narrowed to what this role may do: the escalation triggers of its
own table, the protocols it speaks, the memory kinds it keeps, the tools it may call. A tool
call that does not validate, or names something the role may not use, is rejected with a
reason — never turned into an action. The gate still checks everything that passes (a
write outside the role's authorities is the gate's to deny, with the rule that denied it).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from charter.protocols import (
    Action,
    AgentView,
    Escalate,
    Remember,
    Report,
    SendMessage,
    UseTool,
    WriteFile,
)

_DESCRIPTIONS: dict[str, str] = {
    "write_file": "Propose writing a file in the workspace (path relative to the workspace "
    "root). The authority gate allows it only inside your writing authorities.",
    "send_message": "Send a coordination-protocol message to another agent (a request, or a "
    "reply with reply_to set to the message id you answer).",
    "escalate": "Escalate to the PM with a trigger name from your escalation table. "
    "Severity is decided by the table, whatever you claim.",
    "report": "File your report to the PM: status, findings, issues, recommendations, "
    "lessons learned. Report once when the work is done.",
    "remember": "Store a memory of one of your memory kinds for later turns.",
    "use_tool": "Run one of the run's tools (read-only queries, data checks); the result "
    "comes back in your next step.",
}
_ACTION_TYPES: dict[str, type[BaseModel]] = {
    "write_file": WriteFile,
    "send_message": SendMessage,
    "escalate": Escalate,
    "report": Report,
    "remember": Remember,
    "use_tool": UseTool,
}


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with every local `$ref` replaced by its definition (no recursion occurs
    in the action types), so the model sees one self-contained object per tool."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return walk(copy.deepcopy(defs[ref.removeprefix("#/$defs/")]))
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return dict(_untitled(walk(schema)))


def _untitled(node: Any) -> Any:
    """Drop pydantic's generated `title` annotations (tokens in every request, no meaning
    for the model); a property *named* title is kept."""
    if isinstance(node, list):
        return [_untitled(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "title" and isinstance(value, str):
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _untitled(sub) for name, sub in value.items()}
        else:
            out[key] = _untitled(value)
    return out


def _enum(schema: dict[str, Any], field: str, values: Sequence[str]) -> None:
    if values:
        schema["properties"][field] = {
            **{k: v for k, v in schema["properties"][field].items() if k != "type"},
            "type": "string",
            "enum": list(values),
        }


@dataclass(frozen=True)
class Allowed:
    """What this role may name in its tool calls, derived from its charter and view."""

    actions: tuple[str, ...]
    recipients: tuple[str, ...]
    protocols: tuple[str, ...]
    triggers: tuple[str, ...]
    memory_kinds: tuple[str, ...]
    tools: tuple[str, ...]

    @classmethod
    def of(cls, view: AgentView, tools: Mapping[str, str]) -> Allowed:
        charter = view.charter
        actions = [name for name in _ACTION_TYPES if name != "write_file" or charter.writes_code]
        if not tools:
            actions.remove("use_tool")
        partners = [p.role for p in charter.coordination]
        protocols = [proto for p in charter.coordination for proto in p.protocols]
        # Replies go back to whoever asked, on the protocol they asked on.
        for message in view.inbox:
            if message.sender != view.role:
                partners.append(message.sender)
                protocols.append(message.protocol)
        team = set(view.team) if view.team else None
        recipients = [r for r in dict.fromkeys(partners) if team is None or r in team]
        if not recipients or not protocols:
            actions.remove("send_message")
        return cls(
            actions=tuple(actions),
            recipients=tuple(recipients),
            protocols=tuple(dict.fromkeys(protocols)),
            triggers=tuple(t.name for t in charter.escalation.all_triggers()),
            memory_kinds=tuple(k.value for k in charter.memory_kinds),
            tools=tuple(sorted(tools)),
        )


def tool_definitions(allowed: Allowed, tools: Mapping[str, str]) -> list[dict[str, Any]]:
    """The `tools` array of the request, in a stable order (it is part of the cached prefix)."""
    out: list[dict[str, Any]] = []
    for name in allowed.actions:
        schema = _inline(_ACTION_TYPES[name].model_json_schema())
        schema["properties"].pop("kind", None)
        schema.pop("title", None)
        if name == "send_message":
            _enum(schema, "to", allowed.recipients)
            _enum(schema, "protocol", allowed.protocols)
        elif name == "escalate":
            _enum(schema, "trigger", allowed.triggers)
        elif name == "remember":
            _enum(schema, "memory_kind", allowed.memory_kinds)
        elif name == "use_tool":
            _enum(schema, "tool", allowed.tools)
        description = _DESCRIPTIONS[name]
        if name == "use_tool":
            description += " Tools: " + "; ".join(f"{k}: {v}" for k, v in sorted(tools.items()))
        out.append({"name": name, "description": description, "input_schema": schema})
    return out


def _first_error(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:3]:
        where = ".".join(str(p) for p in item["loc"]) or "input"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def parse_tool_call(name: str, arguments: Any, allowed: Allowed) -> Action | str:
    """The action a tool call proposes, or the reason it is rejected."""
    if name not in allowed.actions:
        return f"tool {name!r} is not available to this role; use one of {list(allowed.actions)}"
    if not isinstance(arguments, dict):
        return f"tool {name!r}: input must be a JSON object"
    if "kind" in arguments and arguments["kind"] != name:
        return f"tool {name!r}: 'kind' must not be given"
    try:
        action = _ACTION_TYPES[name].model_validate({**arguments, "kind": name})
    except ValidationError as error:
        return f"tool {name!r}: invalid input: {_first_error(error)}"
    if isinstance(action, SendMessage):
        if action.to not in allowed.recipients:
            return f"send_message: recipient {action.to!r} is not one of {list(allowed.recipients)}"
        if action.protocol not in allowed.protocols:
            return (
                f"send_message: protocol {action.protocol!r} is not one of "
                f"{list(allowed.protocols)}"
            )
    elif isinstance(action, Escalate):
        if action.trigger.casefold() not in {t.casefold() for t in allowed.triggers}:
            return f"escalate: trigger {action.trigger!r} is not in your escalation table"
    elif isinstance(action, Remember):
        if allowed.memory_kinds and action.memory_kind.value not in allowed.memory_kinds:
            return (
                f"remember: memory kind {action.memory_kind.value!r} is not one of "
                f"{list(allowed.memory_kinds)}"
            )
    elif isinstance(action, UseTool) and action.tool not in allowed.tools:
        return f"use_tool: unknown tool {action.tool!r}; expected one of {list(allowed.tools)}"
    return action  # type: ignore[return-value]  # one of the Action union's members


__all__ = ["Allowed", "parse_tool_call", "tool_definitions"]

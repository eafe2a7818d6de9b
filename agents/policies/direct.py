"""A task that names its action: the rule brain of any role does exactly that.

Scenario authors (and tests) sometimes need "the Engineer writes migrations/0002.sql" and
nothing else, to see what the gate makes of it. Reaching that through a role's task
planner means knowing the keywords it routes on; instead a task whose inputs hold
`action` is carried out as written. The action still goes through the gate like any
other: a direct write outside the role's authority is denied and reported.

Inputs:
* `action: write_file`, `path`, `content` (default empty);
* `action: send_message`, `send_to` (a role), `protocol`, `payload` (default `{}`).
"""

from __future__ import annotations

from typing import Any

from charter.protocols import Action, AgentView, SendMessage, WriteFile

from ._common import current_message, report

DIRECT_ACTIONS = ("write_file", "send_message")


def direct_plan(view: AgentView) -> list[Action] | None:
    """The actions for a task that names one (None: the task names no action)."""
    task = view.task
    if task is None or "action" not in task.inputs:
        return None
    message = current_message(view)
    if view.signal is not None or (message is not None and message.recipient == view.role):
        return None  # a signal or a message woke the agent: its own policy answers it
    inputs = task.inputs
    if view.step == 0:
        return [_action(inputs)]
    if view.step == 1:
        issues = [d.reason for d in view.denials] + list(view.rejections)
        return [report(view, "blocked" if issues else "success", f"{task.title}", issues=issues)]
    return []


def _action(inputs: dict[str, Any]) -> Action:
    kind = inputs["action"]
    if kind == "write_file":
        return WriteFile(path=str(inputs["path"]), content=str(inputs.get("content", "")))
    if kind == "send_message":
        return SendMessage(
            to=str(inputs["send_to"]),
            protocol=str(inputs["protocol"]),
            payload=dict(inputs.get("payload") or {}),
        )
    raise ValueError(f"task action {kind!r}: expected one of {', '.join(DIRECT_ACTIONS)}")


__all__ = ["DIRECT_ACTIONS", "direct_plan"]

"""Claude Code's PreToolUse hook, judged by the charters' writing authorities.

Input (stdin JSON, Claude Code hooks reference): `hook_event_name`, `cwd`, `tool_name`,
`tool_input` (`file_path` for Write/Edit/MultiEdit, `notebook_path` for NotebookEdit,
`command` for Bash), plus `session_id`, `tool_use_id` kept for the record. Output (stdout
JSON): `hookSpecificOutput.{hookEventName, permissionDecision, permissionDecisionReason}`
with decision "allow", "deny" or "ask". Every target goes through the same decision the
gate makes (`judge_write` over `AuthorityEngine.decide`), so reasons and explanation steps
are identical; the decisions are kept as the plain dicts of `AuthorityDecision`'s fields
(`judge_write_fields`) so that a hook call never loads pydantic.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Literal

from charter.graph.safe_write import judge_write_fields

if TYPE_CHECKING:
    from charter.protocols import AuthorityDecision

    from ..authority import AuthorityEngine

Permission = Literal["allow", "deny", "ask"]
# tool name -> the tool_input field naming the file it writes
FILE_TOOLS = {
    "Write": "file_path",
    "Edit": "file_path",
    "MultiEdit": "file_path",
    "NotebookEdit": "notebook_path",
}


class GuardAnswer:
    """The answer to one hook call (a plain class: `dataclasses` costs a fresh process
    more than the decision itself, see cli/guard_fast.py)."""

    __slots__ = ("decisions", "detail", "permission", "reason", "session", "tool")

    def __init__(
        self,
        permission: Permission,
        reason: str,
        tool: str = "",
        session: str = "",
        decisions: list[dict[str, Any]] | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        self.permission: Permission = permission
        self.reason = reason  # one line, shown to the agent (deny) or the person (ask)
        self.tool = tool
        self.session = session
        # `AuthorityDecision` fields, one dict per judged path (`AuthorityDecision(**d)`)
        self.decisions: list[dict[str, Any]] = decisions if decisions is not None else []
        self.detail: dict[str, Any] = detail if detail is not None else {}  # for the record

    def __repr__(self) -> str:
        return f"GuardAnswer({self.permission!r}, {self.reason!r}, tool={self.tool!r})"

    def decision_records(self) -> list[AuthorityDecision]:
        """The decisions as the gate's `AuthorityDecision` records (loads pydantic)."""
        from charter.protocols import AuthorityDecision

        return [AuthorityDecision(**fields) for fields in self.decisions]

    def hook_output(self) -> dict[str, Any]:
        return {
            "hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": self.permission,
                "permissionDecisionReason": self.reason,
            }
        }


def read_payload(raw: str) -> dict[str, Any] | GuardAnswer:
    """The hook payload, or the safe answer when it is not one."""
    try:
        payload = json.loads(raw)
    except json.JSONDecodeError as error:
        return GuardAnswer("ask", f"charter guard: stdin is not JSON ({error.msg}); confirm")
    except RecursionError:
        return GuardAnswer("ask", "charter guard: stdin JSON nests too deeply; confirm")
    if not isinstance(payload, dict):
        return GuardAnswer("ask", "charter guard: stdin is not a JSON object; confirm")
    return payload


def judge(payload: dict[str, Any], engine: AuthorityEngine, role: str, root: str) -> GuardAnswer:
    """Decide the tool call in `payload` for `role` in the workspace `root`."""
    tool = payload.get("tool_name")
    tool_input = payload.get("tool_input")
    session = str(payload.get("session_id") or "")
    cwd = payload.get("cwd") if isinstance(payload.get("cwd"), str) else None
    if not isinstance(tool, str) or not isinstance(tool_input, dict):
        return GuardAnswer("ask", "charter guard: payload lacks tool_name or tool_input; confirm")
    base = cwd or root
    if tool in FILE_TOOLS:
        target = tool_input.get(FILE_TOOLS[tool])
        if not isinstance(target, str) or not target:
            return GuardAnswer(
                "ask",
                f"charter guard: {tool} without tool_input.{FILE_TOOLS[tool]}; confirm",
                tool,
                session,
            )
        targets = [os.path.normpath(os.path.join(base, target))]
        answer = _decide_all(engine, role, root, targets, tool, session)
        answer.detail = {"target": target}
        return answer
    if tool == "Bash":
        command = tool_input.get("command")
        if not isinstance(command, str):
            return GuardAnswer(
                "ask", "charter guard: Bash without tool_input.command; confirm", tool, session
            )
        from .bash_writes import bash_writes

        found = bash_writes(command, base)
        answer = _decide_all(engine, role, root, found.paths, tool, session)
        answer.detail = {"command": command}
        if answer.permission == "allow" and found.unknown is not None:
            answer.permission = "ask"
            answer.reason = f"charter guard ({role}): cannot judge this command: {found.unknown}"
        return answer
    # Other tools write nothing the authorities govern (Read, Grep, ...): not ours to judge.
    return GuardAnswer("allow", f"charter guard: {tool} writes no file", tool, session)


def _decide_all(
    engine: AuthorityEngine, role: str, root: str, targets: list[str], tool: str, session: str
) -> GuardAnswer:
    # Judged as the gate judges: where the bytes would land, links inside followed.
    decisions = [
        judge_write_fields(engine, role, root, workspace_relative(root, target))
        for target in targets
    ]
    denied = next((decision for decision in decisions if not decision["allowed"]), None)
    if denied is not None:
        pattern = denied["pattern"]
        reason = (
            f"Charter denies {role} writing {denied['requested_path']!r}: {denied['reason']} "
            f"(rule {denied['rule']}{', pattern ' + repr(pattern) if pattern else ''})"
        )
        return GuardAnswer("deny", reason, tool, session, decisions)
    where = ", ".join(decision["path"] or decision["requested_path"] for decision in decisions)
    reason = f"Charter allows {role}: {where}" if decisions else f"{tool}: writes no file"
    return GuardAnswer("allow", reason, tool, session, decisions)


def workspace_relative(root: str, target: str) -> str:
    """`target` (absolute) as the engine's workspace-relative form. Lexical first, so a link
    inside the workspace is named by where it sits (the engine judges where it leads); a
    path outside comes back with its `..` and is denied as `invalid_path`."""
    relative = os.path.relpath(target, root)
    if relative.startswith(".."):
        # the workspace itself may be reached through a link (e.g. /tmp on macOS)
        folder, name = os.path.split(target)
        real = os.path.join(os.path.realpath(folder), name)
        again = os.path.relpath(real, os.path.realpath(root))
        if not again.startswith(".."):
            return again
    return relative

"""The PreToolUse guard: payloads in Claude Code's documented shape (hooks reference:
session_id, cwd, hook_event_name, tool_name, tool_input.file_path / notebook_path /
command), judged like the gate, answered in hookSpecificOutput form."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from charter.agents.team import load_team
from charter.cli.authority import SAMPLE_PATHS
from charter.graph.authority import AuthorityEngine
from charter.graph.claude_code.hook import GuardAnswer, judge, read_payload

TEAM = load_team()
# every role owns something here (the sample paths miss integration's folders)
PATHS = (*SAMPLE_PATHS, "integrations/stripe/client.py")


def payload(workspace: Path, tool: str, **tool_input: Any) -> dict[str, Any]:
    return {
        "session_id": "sess-1",
        "transcript_path": str(workspace / "t.jsonl"),
        "cwd": str(workspace),
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": tool_input,
        "tool_use_id": "toolu_01",
    }


def guard(workspace: Path, role: str, data: dict[str, Any]) -> GuardAnswer:
    return judge(data, AuthorityEngine(TEAM, workspace), role, str(workspace))


def write(workspace: Path, role: str, path: str, tool: str = "Write") -> GuardAnswer:
    key = "notebook_path" if tool == "NotebookEdit" else "file_path"
    return guard(workspace, role, payload(workspace, tool, **{key: str(workspace / path)}))


@pytest.mark.parametrize("role", sorted(TEAM.roles))
def test_every_role_gets_the_gates_decision_and_reason(tmp_path: Path, role: str) -> None:
    engine = AuthorityEngine(TEAM, tmp_path)
    outcomes = {path: engine.decide(role, path) for path in PATHS}
    allowed = [path for path, decision in outcomes.items() if decision.allowed]
    denied = [path for path, decision in outcomes.items() if not decision.allowed]
    assert allowed and denied, f"{role}: the sample paths should hold both outcomes"
    for path in (allowed[0], denied[0]):
        answer = write(tmp_path, role, path)
        expected = outcomes[path]
        assert answer.permission == ("allow" if expected.allowed else "deny")
        assert answer.decision_records() == [expected]  # same record, steps included
        if not expected.allowed:
            assert expected.reason in answer.reason and expected.rule in answer.reason
            assert "\n" not in answer.reason


def test_known_facts_of_the_shipped_team(tmp_path: Path) -> None:
    assert write(tmp_path, "data", "frontend/pages/home.tsx").permission == "deny"
    assert write(tmp_path, "data", "src/etl/load_orders.py", "Edit").permission == "allow"
    assert write(tmp_path, "documentation", "docs/guide.md", "MultiEdit").permission == "allow"
    denied = write(tmp_path, "documentation", "src/app/service.py")
    assert denied.permission == "deny"
    assert denied.hook_output()["hookSpecificOutput"] == {
        "hookEventName": "PreToolUse",
        "permissionDecision": "deny",
        "permissionDecisionReason": denied.reason,
    }
    assert write(tmp_path, "data", "src/etl/n.ipynb", "NotebookEdit").permission == "allow"


def test_relative_path_is_resolved_against_the_hooks_cwd(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    data = payload(tmp_path, "Write", file_path="guide.md")
    data["cwd"] = str(tmp_path / "docs")
    answer = guard(tmp_path, "documentation", data)
    assert answer.permission == "allow"
    assert answer.decision_records()[0].path == "docs/guide.md"


def test_outside_the_workspace_is_denied(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    answer = guard(workspace, "pm", payload(workspace, "Write", file_path=str(tmp_path / "x")))
    assert answer.permission == "deny"
    assert answer.decision_records()[0].rule == "invalid_path"


def test_a_link_leading_out_of_the_workspace_is_denied(tmp_path: Path) -> None:
    workspace, outside = tmp_path / "ws", tmp_path / "elsewhere"
    workspace.mkdir()
    outside.mkdir()
    (workspace / "docs").symlink_to(outside, target_is_directory=True)
    answer = write(workspace, "documentation", "docs/guide.md")
    assert answer.permission == "deny", answer.reason


def test_a_workspace_reached_through_a_link_is_still_itself(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "docs").mkdir(parents=True)
    alias = tmp_path / "alias"
    alias.symlink_to(real, target_is_directory=True)
    data = payload(alias, "Write", file_path=str(alias / "docs" / "guide.md"))
    answer = judge(data, AuthorityEngine(TEAM, real), "documentation", str(real))
    assert answer.permission == "allow", answer.reason
    assert answer.decision_records()[0].path == "docs/guide.md"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not json",
        "[1, 2]",
        "null",
        "{" * 5000,
        '{"tool_name": 3, "tool_input": {}}',
        '{"tool_name": "Write"}',
        '{"tool_name": "Write", "tool_input": []}',
    ],
)
def test_odd_payloads_get_a_safe_answer(tmp_path: Path, raw: str) -> None:
    parsed = read_payload(raw)
    answer = parsed if isinstance(parsed, GuardAnswer) else guard(tmp_path, "data", parsed)
    assert answer.permission == "ask"
    assert answer.reason.startswith("charter guard:")


def test_missing_or_bad_fields(tmp_path: Path) -> None:
    assert guard(tmp_path, "data", payload(tmp_path, "Write")).permission == "ask"
    assert guard(tmp_path, "data", payload(tmp_path, "Write", file_path=7)).permission == "ask"
    assert guard(tmp_path, "data", payload(tmp_path, "Bash", command=None)).permission == "ask"
    no_cwd = payload(tmp_path, "Write", file_path="src/etl/x.py")
    del no_cwd["cwd"]  # falls back on the workspace root
    assert guard(tmp_path, "data", no_cwd).permission == "allow"
    nul = guard(tmp_path, "data", payload(tmp_path, "Write", file_path="src/etl/a\x00b.py"))
    assert nul.permission == "deny"


def test_tools_that_write_nothing_are_not_ours(tmp_path: Path) -> None:
    answer = guard(tmp_path, "data", payload(tmp_path, "Read", file_path="/etc/passwd"))
    assert answer.permission == "allow" and answer.decisions == []


def test_output_is_json_the_hook_reads(tmp_path: Path) -> None:
    text = json.dumps(write(tmp_path, "qa", "tests/test_orders.py").hook_output())
    assert json.loads(text)["hookSpecificOutput"]["permissionDecision"] in ("allow", "deny")
    assert os.sep == "/"  # the guard speaks POSIX paths, like Claude Code on this platform


def test_a_link_into_another_roles_area_is_judged_as_that_area(tmp_path: Path) -> None:
    # As the gate does: data/link -> ../src/auth makes data/link/secret.py Security's file.
    workspace = tmp_path / "ws"
    (workspace / "src/auth").mkdir(parents=True)
    (workspace / "data").mkdir()
    (workspace / "data/link").symlink_to("../src/auth", target_is_directory=True)
    answer = write(workspace, "data", "data/link/secret.py")
    assert answer.permission == "deny"
    (decision,) = answer.decision_records()
    assert (
        decision.path == "src/auth/secret.py" and decision.requested_path == "data/link/secret.py"
    )

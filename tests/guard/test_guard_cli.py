"""`charter guard claude-code` end to end: stdin JSON in, hook JSON out, every call recorded
in the run store (events, authority decisions, audit chain that verifies)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from charter.cli.main import build_app
from charter.memory import open_run_store
from charter.protocols import VirtualClock

RUNNER = CliRunner()
_NOW = datetime(2026, 12, 5, tzinfo=UTC)


def call(workspace: Path, role: str, stdin: str, *extra: str) -> dict[str, str]:
    result = RUNNER.invoke(
        build_app("guard"),
        ["guard", "claude-code", "--role", role, "--workspace", str(workspace), *extra],
        input=stdin,
    )
    assert result.exit_code == 0, result.output
    answer: dict[str, str] = json.loads(result.stdout)["hookSpecificOutput"]
    return answer


def hook(workspace: Path, tool: str, **tool_input: str) -> str:
    return json.dumps(
        {
            "session_id": "s1",
            "cwd": str(workspace),
            "hook_event_name": "PreToolUse",
            "tool_name": tool,
            "tool_input": tool_input,
        }
    )


def test_each_decision_is_recorded_and_the_chain_verifies(tmp_path: Path) -> None:
    denied = call(tmp_path, "data", hook(tmp_path, "Write", file_path="frontend/a.tsx"))
    allowed = call(tmp_path, "data", hook(tmp_path, "Edit", file_path="src/etl/load.py"))
    asked = call(tmp_path, "data", hook(tmp_path, "Bash", command="python x.py"))
    broken = call(tmp_path, "data", "{not json")
    assert [a["permissionDecision"] for a in (denied, allowed, asked, broken)] == [
        "deny",
        "allow",
        "ask",
        "ask",
    ]
    store = open_run_store(
        f"sqlite:///{tmp_path / '.charter' / 'run' / 'run.db'}",
        clock=VirtualClock(datetime.now(UTC)),
    )
    try:
        decisions = store.authority_decisions(role="data")
        assert [(d.path, d.allowed) for d in decisions] == [
            ("frontend/a.tsx", False),
            ("src/etl/load.py", True),
        ]
        actions = [entry.action for entry in store.audit_tail(10)]
        assert actions == ["guard.deny", "guard.allow", "guard.ask", "guard.ask"]
        assert store.verify_audit().ok
        kinds = [event.kind for _, event in store.events()]
        assert kinds.count("tool_used") == 4 and kinds.count("authority_checked") == 2
    finally:
        store.close()


def test_run_option_puts_the_record_elsewhere(tmp_path: Path) -> None:
    run = tmp_path / "runs" / "r1"
    call(
        tmp_path, "pm", hook(tmp_path, "Write", file_path="project/roadmap.yaml"), "--run", str(run)
    )
    assert (run / "guard-spool.jsonl").is_file()  # spooled, stored by the next opener
    assert not (tmp_path / ".charter").exists()
    with open_run_store(f"sqlite:///{run / 'run.db'}", clock=VirtualClock(_NOW)) as store:
        assert [entry.action for entry in store.audit_tail(5)] == ["guard.allow"]
    assert (run / "run.db").is_file() and not (run / "guard-spool.jsonl").exists()


def test_unknown_role_is_one_line_and_exit_2(tmp_path: Path) -> None:
    charter = Path(sys.executable).with_name("charter")
    result = subprocess.run(
        [str(charter), "guard", "claude-code", "--role", "nobody", "--workspace", str(tmp_path)],
        input=hook(tmp_path, "Write", file_path="x.md"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--role 'nobody'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / ".charter").exists()  # nothing changed

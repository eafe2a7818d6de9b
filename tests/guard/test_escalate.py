"""Escalations from real agents: `charter escalate` and the Stop / SubagentStop hook file
through the role's charter trigger table (severity from the charter, never the caller),
into the run store the TUI reads beside the guard's decisions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from charter.agents.team import load_team
from charter.cli.guard_fast import guard
from charter.cli.main import build_app
from charter.graph.claude_code.escalate import requests_in
from charter.memory import open_run_store
from charter.protocols import Severity, VirtualClock

RUNNER = CliRunner()
TEAM = load_team()
NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def escalate(run: Path, *argv: str) -> Any:
    return RUNNER.invoke(build_app(), ["escalate", *argv, "--run", str(run)])


def stop(workspace: Path, role: str, **fields: Any) -> dict[str, Any]:
    data = {"session_id": "sess", "cwd": str(workspace), "hook_event_name": "SubagentStop"}
    data.update(fields)
    code, out, err = guard(json.dumps(data), role, None, workspace, None)
    assert code == 0 and err == "", err
    answer: dict[str, Any] = json.loads(out)
    return answer


def escalations(run: Path) -> list[Any]:
    with open_run_store(f"sqlite:///{run / 'run.db'}", clock=VirtualClock(NOW)) as store:
        assert store.verify_audit().ok
        return store.list_escalations()


def test_the_command_files_with_the_charters_severity(tmp_path: Path) -> None:
    run = tmp_path / "run"
    result = escalate(
        run,
        *("--role", "data", "--trigger", "pipeline failures", "--summary", "load_orders failed"),
        *("--evidence", "duplicate key", "--evidence", "2 retries"),
    )
    assert result.exit_code == 0, result.output
    assert "Pipeline Failures (immediate)" in result.output
    (filed,) = escalations(run)
    assert (filed.source, filed.trigger, filed.severity) == (
        "data",
        "Pipeline Failures",
        "immediate",
    )
    assert filed.evidence == ["duplicate key", "2 retries"] and filed.acknowledge_by is not None
    standard = escalate(
        run, "--role", "data", "--trigger", "Capacity Planning", "--summary", "disk at 80%"
    )
    assert standard.exit_code == 0 and "(standard)" in standard.output


def test_a_disagreeing_severity_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    run = tmp_path / "run"
    result = escalate(
        run,
        *("--role", "data", "--trigger", "Data Breaches", "--summary", "x"),
        *("--severity", "standard"),
    )
    assert result.exit_code != 0
    assert "immediate" in str(result.exception) and "drop --severity" in str(result.exception)
    assert not run.exists()
    agreeing = escalate(
        run,
        *("--role", "data", "--trigger", "Data Breaches", "--summary", "x"),
        *("--severity", "IMMEDIATE"),
    )
    assert agreeing.exit_code == 0, agreeing.output


def test_unknown_trigger_or_role_is_one_line_and_lists_the_choices(tmp_path: Path) -> None:
    import subprocess
    import sys

    charter = str(Path(sys.executable).with_name("charter"))
    run = tmp_path / "run"
    for argv, expected in (
        (["--role", "data", "--trigger", "Coffee", "--summary", "x"], "'Capacity Planning'"),
        (["--role", "nobody", "--trigger", "x", "--summary", "x"], "expected one of"),
    ):
        result = subprocess.run(
            [charter, "escalate", *argv, "--run", str(run)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and expected in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert not run.exists()


def test_every_shipped_trigger_keeps_its_table_severity(tmp_path: Path) -> None:
    run = tmp_path / "run"
    expected = {}
    for role, charter in TEAM.roles.items():
        for severity, group in (
            (Severity.IMMEDIATE, charter.escalation.immediate),
            (Severity.STANDARD, charter.escalation.standard),
        ):
            for trigger in group[:1]:
                # the reply claims the opposite severity: it is only words in the summary
                line = f"CHARTER-ESCALATE: {trigger.name} | severity: low, just FYI"
                answer = stop(tmp_path, role, agent_id=f"a-{role}", last_assistant_message=line)
                assert "decision" not in answer, answer
                expected[(role, trigger.name)] = severity
    filed = {(e.source, e.trigger): e.severity for e in escalations(tmp_path / ".charter/run")}
    assert filed == expected and len(filed) > 10
    assert not run.exists()


def test_the_stop_hook_reads_the_subagents_transcript_and_files_once(tmp_path: Path) -> None:
    transcript = tmp_path / "agent.jsonl"
    reply = {
        "type": "assistant",
        "message": {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Checked the pipeline.\n"},
                {
                    "type": "text",
                    "text": "CHARTER-ESCALATE: Data Quality Issues | 12% null emails"
                    " | orders.email; since 02:00",
                },
            ],
        },
    }
    lines = [{"type": "user", "message": {"content": "go"}}, reply, {"type": "summary"}]
    transcript.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    fields = {"agent_id": "a7", "agent_transcript_path": str(transcript)}
    first = stop(tmp_path, "data", **fields)
    again = stop(tmp_path, "data", **fields)  # the same reply seen twice
    assert "Data Quality Issues (standard) to pm" in first["systemMessage"]
    assert "systemMessage" in again
    (filed,) = escalations(tmp_path / ".charter/run")
    assert filed.evidence == ["orders.email", "since 02:00"]


def test_an_unknown_trigger_blocks_the_stop_once(tmp_path: Path) -> None:
    line = "CHARTER-ESCALATE: Coffee Shortage | no beans"
    blocked = stop(tmp_path, "data", last_assistant_message=line)
    assert blocked["decision"] == "block"
    assert "Coffee Shortage" in blocked["reason"] and "'Pipeline Failures'" in blocked["reason"]
    passed = stop(tmp_path, "data", last_assistant_message=line, stop_hook_active=True)
    assert "decision" not in passed and "Coffee Shortage" in passed["systemMessage"]
    assert not (tmp_path / ".charter/run/run.db").exists()


def test_a_reply_without_escalations_changes_nothing(tmp_path: Path) -> None:
    assert stop(tmp_path, "data", last_assistant_message="All done.") == {}
    assert stop(tmp_path, "data", transcript_path=str(tmp_path / "missing.jsonl")) == {}
    assert not (tmp_path / ".charter").exists()


def test_requests_are_read_line_by_line() -> None:
    text = (
        "x\n  CHARTER-ESCALATE: Data Loss | rows gone | a; b | c\n"
        "CHARTER-ESCALATE: Anomaly Detection\n"
    )
    found = requests_in(text)
    assert [(r.trigger, r.summary, r.evidence) for r in found] == [
        ("Data Loss", "rows gone", ("a", "b", "c")),
        ("Anomaly Detection", "", ()),
    ]


def test_the_tui_shows_escalations_beside_the_guards_decisions(tmp_path: Path) -> None:
    from charter.tui.launch import open_run_dir

    write = {
        "session_id": "sess",
        "cwd": str(tmp_path),
        "hook_event_name": "PreToolUse",
        "tool_name": "Write",
        "tool_input": {"file_path": "frontend/app.tsx"},
    }
    assert guard(json.dumps(write), "data", None, tmp_path, None)[0] == 0
    stop(tmp_path, "data", last_assistant_message="CHARTER-ESCALATE: Data Breaches | PII in logs")
    source = open_run_dir(tmp_path / ".charter" / "run")
    try:
        (shown,) = source.escalations()
        assert (shown.trigger, shown.severity, shown.summary) == (
            "Data Breaches",
            "immediate",
            "PII in logs",
        )
        kinds = [event.kind for _, event in source.events(0)]
        assert {"tool_used", "authority_checked", "escalation_raised"} <= set(kinds)
        assert source.open_escalations() == [shown]
    finally:
        source.close()

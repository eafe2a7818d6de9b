"""`charter mcp` as an MCP client sees it: the real command started as a subprocess and
driven with the official client library over stdio (`mcp.client.stdio`). Afterwards the
run directory holds every call and `charter audit verify` accepts its chain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from .conftest import read_store

CHARTER = Path(sys.executable).with_name("charter")
SCHEMA_REVIEW = {"migration": "migrations/002_email.sql", "sql": "ALTER TABLE users ADD email text"}


def text_of(result: Any) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


@pytest.mark.slow
async def test_a_client_drives_the_server_over_stdio(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    run_dir = tmp_path / "run"
    server = StdioServerParameters(
        command=str(CHARTER),
        args=["mcp", "--run", str(run_dir), "--workspace", str(workspace)],
        cwd=str(workspace),
        # The client passes only a few variables by default; the test's key folder
        # (tests/conftest.py) must reach the server so its audit trail verifies here.
        env=dict(os.environ),
    )
    calls = 0
    with anyio.fail_after(120):
        async with (
            stdio_client(server) as (read, write),
            ClientSession(read, write, read_timeout_seconds=60) as session,
        ):
            await session.initialize()

            async def call(name: str, arguments: dict[str, Any]) -> Any:
                nonlocal calls
                calls += 1
                return await session.call_tool(name, arguments)

            listed = await session.list_tools()
            tools = {tool.name: tool for tool in listed.tools}
            assert sorted(tools) == ["check_write", "decide", "escalate", "inbox", "send"]
            assert {"protocol", "from", "to", "payload"} <= set(
                tools["send"].input_schema["properties"]
            )

            resources = await session.list_resources()
            uris = {str(resource.uri) for resource in resources.resources}
            assert "charter://charters" in uris and "charter://charters/data" in uris
            team = await session.read_resource("charter://charters")
            assert "pm" in {entry["role"] for entry in json.loads(team.contents[0].text)}
            data_charter = await session.read_resource("charter://charters/data")
            assert data_charter.contents[0].text.startswith("role: data\n")

            allowed = await call("check_write", {"role": "data", "path": "src/etl/load.py"})
            denied = await call("check_write", {"role": "data", "path": "frontend/home.tsx"})
            assert not allowed.is_error and allowed.structured_content["allowed"] is True
            assert not denied.is_error and denied.structured_content["allowed"] is False
            assert "forbidden area" in text_of(denied)

            filed = await call(
                "escalate",
                {
                    "role": "data",
                    "trigger": "Data Breaches",
                    "summary": "emails in a public bucket",
                    "evidence": ["bucket listing"],
                    "severity": "standard",  # claimed; the charter says immediate
                },
            )
            assert not filed.is_error, text_of(filed)
            assert filed.structured_content["severity"] == "immediate"
            escalation_id = filed.structured_content["escalation_id"]

            bad = await call(
                "send",
                {
                    "protocol": "schema_review",
                    "from": "data",
                    "to": "architect",
                    "payload": {"sql": "ALTER TABLE users ADD email text"},
                },
            )
            assert bad.is_error
            assert "is not a SchemaReviewRequest: migration: Field required" in text_of(bad)
            good = await call(
                "send",
                {
                    "protocol": "schema_review",
                    "from": "data",
                    "to": "architect",
                    "payload": SCHEMA_REVIEW,
                },
            )
            assert not good.is_error, text_of(good)
            inbox = await call("inbox", {"role": "architect"})
            [message] = inbox.structured_content["messages"]
            assert message["id"] == good.structured_content["message_id"]
            assert message["payload"] == SCHEMA_REVIEW

            refused = await call(
                "decide",
                {"role": "engineer", "escalation_id": escalation_id, "verdict": "approve"},
            )
            assert refused.is_error and "only the pm decides" in text_of(refused)
            decided = await call(
                "decide",
                {"role": "pm", "escalation_id": escalation_id, "verdict": "approve", "note": "ok"},
            )
            assert not decided.is_error, text_of(decided)

            # odd input: answered as tool errors, and the server goes on serving
            wrong_type = await call("check_write", {"role": 5, "path": ["a"]})
            assert wrong_type.is_error and "bad arguments: role:" in text_of(wrong_type)
            unknown = await call("rm_rf", {})
            assert unknown.is_error and "no such tool" in text_of(unknown)
            still = await call("inbox", {"role": "data"})
            assert not still.is_error

    verify = subprocess.run(
        [str(CHARTER), "audit", "verify", str(run_dir)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stderr
    assert verify.stdout.startswith("OK")

    store = read_store(run_dir)
    try:
        events = [event for _, event in store.events()]
        used = [event for event in events if event.kind == "tool_used"]
        assert len(used) == calls
        assert [(d.path, d.allowed) for d in store.authority_decisions()] == [
            ("src/etl/load.py", True),
            ("frontend/home.tsx", False),
        ]
        [escalation] = store.list_escalations()
        assert escalation.severity == "immediate" and escalation.status == "decided"
        [(stored, _status)] = store.messages()
        assert stored.payload == SCHEMA_REVIEW  # the refused message was never stored
        actions = [entry.action for entry in store.audit_tail(50)]
        assert len(actions) == calls
        assert actions.count("mcp.send.refused") == 1 and actions.count("mcp.decide") == 1
    finally:
        store.close()


@pytest.mark.slow
def test_a_start_up_mistake_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(CHARTER), "mcp", "--workspace", str(tmp_path), "--role", "cfo"],
        input="",
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--role 'cfo': not in the team" in result.stderr
    assert result.stdout == ""  # nothing on the protocol channel
    assert not (tmp_path / ".charter").exists()

"""The MCP layer in-process (the SDK's in-memory client): the schemas clients see, the
charters as resources, odd input answered as tool errors; and the desk under arbitrary
input (property test): it never raises and records every call. The TUI reads the result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp.client import Client
from mcp.shared.exceptions import MCPError

from charter.graph.mcp_server.desk import TOOLS, Desk
from charter.graph.mcp_server.opening import open_desk
from charter.graph.mcp_server.server import build_server

from .conftest import read_store


async def test_tools_and_their_schemas(desk: Desk) -> None:
    async with Client(build_server(desk)) as client:
        listed = await client.list_tools()
    schemas = {tool.name: tool.input_schema for tool in listed.tools}
    assert set(schemas) == set(TOOLS)
    assert set(schemas["send"]["required"]) == {"protocol", "to", "payload"}
    assert "from" in schemas["send"]["properties"]  # the wire name, not the Python one
    assert schemas["decide"]["properties"]["verdict"]["enum"] == ["approve", "deny", "needs_info"]
    assert set(schemas["escalate"]["required"]) == {"trigger", "summary"}
    assert all(schema["type"] == "object" for schema in schemas.values())


async def test_the_charters_are_resources(desk: Desk) -> None:
    async with Client(build_server(desk)) as client:
        listed = await client.list_resources()
        uris = sorted(str(resource.uri) for resource in listed.resources)
        assert uris == ["charter://charters"] + [
            f"charter://charters/{role}" for role in sorted(desk.team.roles)
        ]
        team = json.loads((await client.read_resource("charter://charters")).contents[0].text)
        assert [entry["decides_escalations"] for entry in team].count(True) == 1
        pm = await client.read_resource("charter://charters/pm")
        assert "kind: coordinator" in pm.contents[0].text
        with pytest.raises(MCPError, match="no resource 'charter://charters/cfo'; expected"):
            await client.read_resource("charter://charters/cfo")


async def test_missing_arguments_are_a_tool_error_naming_them(desk: Desk) -> None:
    async with Client(build_server(desk)) as client:
        result = await client.call_tool("escalate", None)
        extra = await client.call_tool("inbox", {"role": "data", "rol": "x"})
    assert result.is_error
    text = result.content[0].text
    assert "trigger: Field required" in text and "summary: Field required" in text
    assert extra.is_error and "rol: unknown argument" in extra.content[0].text


async def test_the_tui_shows_what_the_server_recorded(desk: Desk, run_dir: Path) -> None:
    """`charter tui --run DIR` on the server's run: every event read, the open immediate
    escalation in the status line the PM watches."""
    from textual.widgets import Static

    from charter.tui import CharterApp
    from charter.tui.launch import open_run_dir

    filed = desk.call("escalate", {"role": "ops", "trigger": "Outage", "summary": "api down"})
    assert filed.ok, filed.summary
    assert desk.call("check_write", {"role": "ops", "path": "frontend/a.tsx"}).ok
    source = open_run_dir(run_dir)
    total = source.event_count()
    app = CharterApp(source)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.run_screen

        def status() -> str:
            return str(screen.query_one("#status", Static).render())

        for _ in range(400):
            if screen.model.seen == total and "escalations" in status():
                break
            await pilot.pause(0.02)
        assert screen.model.seen == total
        assert "escalations 1 open, 1 immediate" in status()
        assert [e.id for e in screen.open_escalations] == [filed.data["escalation_id"]]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
_ROLE = st.sampled_from(["data", "pm", "architect", "", "nobody", "../x"])
_ARGUMENTS = _JSON | st.fixed_dictionaries(
    {},
    optional={
        "role": _ROLE | _JSON,
        "from": _ROLE,
        "to": _ROLE,
        "path": st.text(max_size=30),
        "trigger": st.text(max_size=20),
        "summary": st.text(max_size=20),
        "protocol": st.sampled_from(["schema_review", "data_sync", "gossip"]),
        "payload": _JSON,
        "escalation_id": st.text(max_size=10),
        "verdict": st.sampled_from(["approve", "deny", "maybe"]),
        "reply_to": st.text(max_size=10) | st.none(),
    },
)


def test_odd_input_never_crashes_and_is_always_recorded(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    run_dir = tmp_path / "run"
    desk = open_desk(run_dir, workspace=workspace)
    calls = 0

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(name=st.sampled_from([*TOOLS, "", "x" * 200]) | st.integers(), arguments=_ARGUMENTS)
    def check(name: Any, arguments: Any) -> None:
        nonlocal calls
        result = desk.call(name, arguments)
        calls += 1
        assert isinstance(result.summary, str) and result.summary
        assert "\n" not in result.summary or result.ok
        assert "internal error" not in result.summary, result.summary

    try:
        check()
    finally:
        desk.close()
    store = read_store(run_dir)
    try:
        used = [event for _, event in store.events() if event.kind == "tool_used"]
        assert len(used) == calls
        assert store.verify_audit().ok
    finally:
        store.close()

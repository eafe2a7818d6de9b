"""The desk behind `charter mcp`: the gate's judgements, the charter's severities, the
protocols' payload types, the PM's sole right to decide — and a record of every call."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from charter.graph.mcp_server.desk import Desk
from charter.graph.mcp_server.opening import open_desk
from charter.protocols import ConfigError

from .conftest import read_store

SCHEMA_REVIEW = {
    "migration": "migrations/002_add_email.sql",
    "sql": "ALTER TABLE users ADD email text",
}


def tool_events(run_dir: Path) -> list[tuple[str, bool, str]]:
    store = read_store(run_dir)
    try:
        return [
            (event.tool, event.ok, event.summary)
            for _, event in store.events()
            if event.kind == "tool_used"
        ]
    finally:
        store.close()


# -- check_write --------------------------------------------------------------------------


def test_check_write_gives_the_gates_answer_and_explanation(desk: Desk, run_dir: Path) -> None:
    allowed = desk.call("check_write", {"role": "data", "path": "src/etl/load.py"})
    denied = desk.call("check_write", {"role": "data", "path": "frontend/pages/home.tsx"})
    assert allowed.ok and allowed.data["allowed"] is True
    assert allowed.data["rule"] == "precedence"
    assert denied.ok and denied.data["allowed"] is False
    assert denied.data["rule"] == "forbidden"
    assert denied.data["pattern"] == "{frontend,web,ui,client}/**"
    assert denied.summary.startswith("denied: data writing 'frontend/pages/home.tsx'")
    # the whole reasoning, as `charter authority explain` prints it
    assert len(denied.data["explanation"]) >= 2
    store = read_store(run_dir)
    try:
        decisions = store.authority_decisions(role="data")
        assert [(d.path, d.allowed) for d in decisions] == [
            ("src/etl/load.py", True),
            ("frontend/pages/home.tsx", False),
        ]
    finally:
        store.close()


def test_check_write_absolute_paths_and_the_outside(desk: Desk, workspace: Path) -> None:
    inside = desk.call("check_write", {"role": "engineer", "path": str(workspace / "src/api/a.py")})
    assert inside.ok and inside.data["allowed"] and inside.data["path"] == "src/api/a.py"
    outside = desk.call("check_write", {"role": "engineer", "path": "/etc/passwd"})
    escape = desk.call("check_write", {"role": "engineer", "path": "../../etc/passwd"})
    for answer in (outside, escape):
        assert answer.ok and not answer.data["allowed"]
        assert answer.data["rule"] == "invalid_path"


def test_check_write_follows_a_link_to_where_the_bytes_land(desk: Desk, workspace: Path) -> None:
    (workspace / "frontend").mkdir()
    os.symlink("frontend", workspace / "reports")
    answer = desk.call("check_write", {"role": "data", "path": "reports/chart.tsx"})
    assert answer.ok and not answer.data["allowed"]
    assert answer.data["path"] == "frontend/chart.tsx"
    assert answer.data["requested_path"] == "reports/chart.tsx"


def test_an_unknown_role_is_refused_naming_the_team(desk: Desk, run_dir: Path) -> None:
    answer = desk.call("check_write", {"role": "intern", "path": "a.md"})
    assert not answer.ok
    assert "role 'intern' is not in the team; expected one of architect, data," in answer.summary
    assert tool_events(run_dir) == [("mcp:check_write", False, answer.summary)]


# -- escalate -----------------------------------------------------------------------------


def test_severity_comes_from_the_charter_not_the_caller(desk: Desk, run_dir: Path) -> None:
    breach = desk.call(
        "escalate",
        {
            "role": "data",
            "trigger": "data breaches",  # any case, as the gate accepts it
            "summary": "customer emails in a public bucket",
            "evidence": ["s3://public/export.csv"],
            "severity": "standard",
        },
    )
    assert breach.ok, breach.summary
    assert breach.data["severity"] == "immediate"
    assert breach.data["claimed_severity"] == "standard"
    assert breach.data["trigger"] == "Data Breaches"
    assert "the claimed severity 'standard' was ignored" in breach.summary
    quality = desk.call(
        "escalate",
        {"role": "data", "trigger": "Data Quality Issues", "summary": "nulls", "severity": "HIGH"},
    )
    assert quality.ok and quality.data["severity"] == "standard"
    store = read_store(run_dir)
    try:
        stored = {e.id: e for e in store.list_escalations()}
        first = stored[breach.data["escalation_id"]]
        assert first.severity == "immediate" and first.source == "data"
        assert first.evidence == ["s3://public/export.csv"]
        assert first.acknowledge_by is not None and first.status == "open"
        assert stored[quality.data["escalation_id"]].severity == "standard"
        raised = [e for _, e in store.events() if e.kind == "escalation_raised"]
        assert len(raised) == 2
    finally:
        store.close()


def test_an_unknown_trigger_is_refused_naming_the_valid_ones(desk: Desk, run_dir: Path) -> None:
    answer = desk.call("escalate", {"role": "engineer", "trigger": "Coffee", "summary": "out"})
    assert not answer.ok
    assert "trigger 'Coffee' is not in engineer's escalation table" in answer.summary
    assert "immediate: 'Build Broken', 'Security Vulnerability'" in answer.summary
    assert "standard: 'Integration Failures'" in answer.summary
    store = read_store(run_dir)
    try:
        assert store.list_escalations() == []
    finally:
        store.close()


# -- send and inbox -----------------------------------------------------------------------


def test_a_bad_payload_is_refused_with_the_reason_and_not_delivered(
    desk: Desk, run_dir: Path
) -> None:
    bad = desk.call(
        "send",
        {"protocol": "schema_review", "from": "data", "to": "architect", "payload": {"sql": "x"}},
    )
    assert not bad.ok
    assert "payload of 'schema_review' request is not a SchemaReviewRequest" in bad.summary
    assert "migration: Field required" in bad.summary
    assert desk.call("inbox", {"role": "architect"}).data["messages"] == []
    store = read_store(run_dir)
    try:
        assert store.messages() == []
        assert not [e for _, e in store.events() if e.kind in ("message_sent", "dead_letter")]
    finally:
        store.close()


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        ({"protocol": "gossip", "from": "data", "to": "architect"}, "undeclared protocol 'gossip'"),
        ({"protocol": "schema_review", "from": "data", "to": "pm"}, "nobody delegates to the pm"),
        ({"protocol": "schema_review", "from": "data", "to": "data"}, "may not delegate to itself"),
        ({"protocol": "schema_review", "from": "data", "to": "nobody"}, "unknown recipient"),
        ({"protocol": "schema_review", "from": "architect", "to": "data"}, "may not open"),
        ({"protocol": "schema_review", "from": "qa", "to": "architect"}, "declared between"),
    ],
)
def test_protocol_rules_refuse_as_the_gate_does(
    desk: Desk, arguments: dict[str, Any], reason: str
) -> None:
    answer = desk.call("send", {**arguments, "payload": SCHEMA_REVIEW})
    assert not answer.ok and reason in answer.summary


def test_a_good_message_reaches_the_inbox_and_can_be_answered(desk: Desk, run_dir: Path) -> None:
    sent = desk.call(
        "send",
        {"protocol": "schema_review", "from": "data", "to": "architect", "payload": SCHEMA_REVIEW},
    )
    assert sent.ok, sent.summary
    assert sent.data["kind"] == "request" and sent.data["deadline"] is not None
    inbox = desk.call("inbox", {"role": "architect"})
    [message] = inbox.data["messages"]
    assert message["id"] == sent.data["message_id"]
    assert message["from"] == "data" and message["payload"] == SCHEMA_REVIEW
    assert message["new"] is True
    again = desk.call("inbox", {"role": "architect"})
    assert again.data["messages"][0]["new"] is False  # delivered once
    assert desk.call("inbox", {"role": "data"}).data["messages"] == []

    wrong_type = desk.call(
        "send",
        {
            "protocol": "schema_review",
            "from": "architect",
            "to": "data",
            "payload": SCHEMA_REVIEW,  # a request payload where a Review belongs
            "reply_to": sent.data["message_id"],
        },
    )
    assert not wrong_type.ok and "is not a Review" in wrong_type.summary
    reply = desk.call(
        "send",
        {
            "protocol": "schema_review",
            "from": "architect",
            "to": "data",
            "payload": {"approved": True, "subject": SCHEMA_REVIEW["migration"]},
            "reply_to": sent.data["message_id"],
        },
    )
    assert reply.ok, reply.summary
    assert reply.data["correlation_id"] == sent.data["correlation_id"]
    [answer] = desk.call("inbox", {"role": "data"}).data["messages"]
    assert answer["kind"] == "reply" and answer["reply_to"] == sent.data["message_id"]
    store = read_store(run_dir)
    try:
        statuses = {m.id: status for m, status in store.messages()}
        assert statuses[sent.data["message_id"]] == "replied"
    finally:
        store.close()


def test_a_reply_to_something_else_is_refused(desk: Desk) -> None:
    answer = desk.call(
        "send",
        {
            "protocol": "schema_review",
            "from": "architect",
            "to": "data",
            "payload": {"approved": True},
            "reply_to": "msg-invented",
        },
    )
    assert not answer.ok and "which is no request to architect" in answer.summary


# -- decide -------------------------------------------------------------------------------


def test_only_the_pm_decides_and_only_once(desk: Desk, run_dir: Path) -> None:
    filed = desk.call(
        "escalate", {"role": "data", "trigger": "Pipeline Failures", "summary": "load_orders"}
    )
    escalation_id = filed.data["escalation_id"]
    by_engineer = desk.call(
        "decide", {"role": "engineer", "escalation_id": escalation_id, "verdict": "approve"}
    )
    assert not by_engineer.ok
    assert "only the pm decides escalations; engineer may not" in by_engineer.summary
    unknown = desk.call("decide", {"role": "pm", "escalation_id": "esc-x", "verdict": "deny"})
    assert not unknown.ok and f"undecided: {escalation_id}" in unknown.summary
    bad_verdict = desk.call(
        "decide", {"role": "pm", "escalation_id": escalation_id, "verdict": "maybe"}
    )
    assert not bad_verdict.ok and "verdict:" in bad_verdict.summary
    decided = desk.call(
        "decide",
        {"role": "pm", "escalation_id": escalation_id, "verdict": "approve", "note": "rerun"},
    )
    assert decided.ok, decided.summary
    twice = desk.call("decide", {"role": "pm", "escalation_id": escalation_id, "verdict": "deny"})
    assert not twice.ok and "already decided: approve by pm" in twice.summary
    store = read_store(run_dir)
    try:
        stored = store.get_escalation(escalation_id)
        assert stored is not None and stored.status == "decided"
        assert stored.decision is not None
        assert (stored.decision.verdict, stored.decision.note) == ("approve", "rerun")
        assert [e.kind for _, e in store.events()].count("escalation_decided") == 1
    finally:
        store.close()


# -- one role per server ------------------------------------------------------------------


def test_a_pinned_server_speaks_for_its_role_only(workspace: Path, run_dir: Path) -> None:
    desk = open_desk(run_dir, workspace=workspace, pinned_role="data")
    try:
        assert desk.call("check_write", {"role": "data", "path": "src/etl/a.py"}).ok
        other = desk.call("inbox", {"role": "architect"})
        assert not other.ok and "speaks only for 'data'" in other.summary
        forged = desk.call(
            "send",
            {"protocol": "schema_review", "from": "architect", "to": "data", "payload": {}},
        )
        assert not forged.ok and "from 'architect'" in forged.summary
        implied = desk.call("escalate", {"trigger": "Data Loss", "summary": "rows gone"})
        assert implied.ok, implied.summary  # the role left out: the server's own
    finally:
        desk.close()
    pm = open_desk(run_dir, workspace=workspace, pinned_role="pm")
    try:
        decided = pm.call(
            "decide", {"escalation_id": implied.data["escalation_id"], "verdict": "approve"}
        )
        assert decided.ok, decided.summary
        assert decided.data["decided_by"] == "pm"
    finally:
        pm.close()
    store = read_store(run_dir)
    try:
        actors = [entry.actor for entry in store.audit_tail(10)]
        assert actors == ["data", "data", "data", "data", "pm"]
    finally:
        store.close()


def test_an_unbound_server_needs_the_acting_role(desk: Desk) -> None:
    answer = desk.call("inbox", {})
    assert not answer.ok
    assert "role: required (the role acting; or start the server with --role)" in answer.summary
    unsigned = desk.call("send", {"protocol": "schema_review", "to": "architect", "payload": {}})
    assert not unsigned.ok and "from: required" in unsigned.summary


# -- the record ---------------------------------------------------------------------------


def test_every_call_is_recorded_and_the_chain_verifies(desk: Desk, run_dir: Path) -> None:
    calls: list[tuple[str, object]] = [
        ("check_write", {"role": "data", "path": "src/etl/a.py"}),
        ("escalate", {"role": "data", "trigger": "Data Loss", "summary": "gone"}),
        ("send", {"protocol": "schema_review", "from": "data", "to": "architect", "payload": {}}),
        ("inbox", {"role": "architect"}),
        ("decide", {"role": "qa", "escalation_id": "x", "verdict": "approve"}),
        ("no_such_tool", {}),
    ]
    results = [desk.call(name, arguments) for name, arguments in calls]
    assert [r.ok for r in results] == [True, True, False, True, False, False]
    assert [tool for tool, _, _ in tool_events(run_dir)] == [f"mcp:{n}" for n, _ in calls]
    store = read_store(run_dir)
    try:
        actions = [entry.action for entry in store.audit_tail(20)]
        assert actions == [
            "mcp.check_write",
            "mcp.escalate",
            "mcp.send.refused",
            "mcp.inbox",
            "mcp.decide.refused",
            "mcp.no_such_tool.refused",
        ]
        assert store.verify_audit().ok
    finally:
        store.close()


def test_a_failing_store_is_reported_not_hidden(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**_: object) -> str:
        raise OSError("disk full")

    monkeypatch.setattr(desk.store, "audit_append", refuse)
    answer = desk.call("check_write", {"role": "data", "path": "src/etl/a.py"})
    # the decision was made, but an unrecorded answer must not pass for a recorded one
    assert not answer.ok
    assert "not recorded in the run store: OSError: disk full" in answer.summary
    assert answer.data["allowed"] is True


# -- opening ------------------------------------------------------------------------------


def test_start_up_mistakes_are_config_errors_and_create_nothing(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    with pytest.raises(ConfigError, match="--role 'nobody': not in the team"):
        open_desk(tmp_path / "r1", workspace=workspace, pinned_role="nobody")
    assert not (tmp_path / "r1").exists()
    simulated = tmp_path / "sim"
    simulated.mkdir()
    (simulated / "run.json").write_text("{}")
    with pytest.raises(ConfigError, match="a simulated run"):
        open_desk(simulated, workspace=workspace)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "run.db").write_text("not a database")
    with pytest.raises(ConfigError, match="not a readable Charter run database"):
        open_desk(broken, workspace=workspace)
    with pytest.raises(ConfigError, match=r"--workspace .*: no such directory"):
        open_desk(tmp_path / "r2", workspace=tmp_path / "missing")
    assert not (tmp_path / "r2").exists()


def test_guard_decisions_and_mcp_calls_share_one_run(desk: Desk, run_dir: Path) -> None:
    """The guard (a process per hook call) and the server (one long process) write the same
    run.db: both land, in order, and the chain still verifies."""
    from charter.graph.claude_code.hook import GuardAnswer
    from charter.graph.claude_code.record import record_answer

    assert desk.call("check_write", {"role": "data", "path": "src/etl/a.py"}).ok
    record_answer(run_dir, "engineer", GuardAnswer("deny", "Charter denies engineer", "Write"))
    assert desk.call("inbox", {"role": "engineer"}).ok
    store = read_store(run_dir)
    try:
        actions = [entry.action for entry in store.audit_tail(10)]
        assert actions == ["mcp.check_write", "guard.deny", "mcp.inbox"]
        assert store.verify_audit().ok
    finally:
        store.close()


def test_a_bug_in_a_tool_is_an_answer_not_a_crash(desk: Desk, run_dir: Path) -> None:
    def broken(_: object) -> None:
        raise RuntimeError("boom\nwith a second line")

    desk._handlers["inbox"] = broken  # type: ignore[assignment]
    answer = desk.call("inbox", {"role": "data"})
    assert not answer.ok
    assert answer.summary == (
        "inbox: internal error (RuntimeError: boom); the call may be incomplete"
    )
    assert tool_events(run_dir) == [("mcp:inbox", False, answer.summary)]
    odd = desk.call("in\nbox", {})
    assert odd.summary.startswith("'in\\nbox': no such tool")

"""The rule brains and the protocol registry on their own (no graph)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from charter.agents.coordination import PROTOCOLS, check_message
from charter.agents.policies import RuleBrain, default_brains
from charter.agents.policies.architect import review_schema
from charter.agents.policies.pm import decide_escalation, route_task
from charter.agents.policies.security import review_columns
from charter.agents.tools import ToolContext, default_tools
from charter.graph.demo import make_orders_db
from charter.protocols import (
    AgentView,
    Escalation,
    Message,
    SendMessage,
    Severity,
    TaskAssignment,
    Team,
    WriteFile,
)

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("sql", "finding"),
    [
        ("CREATE TABLE t (a INTEGER, b VARCHAR(10));", "has no primary key"),
        ("CREATE TABLE Orders (id INTEGER PRIMARY KEY);", "not snake_case"),
        ("CREATE TABLE t (name TEXT PRIMARY KEY, v INTEGER);", "unbounded text"),
        ("CREATE TABLE t (k TEXT, v INTEGER, PRIMARY KEY (k));", "unbounded text"),
        ("ALTER TABLE t ADD COLUMN BadName INTEGER;", "not snake_case"),
    ],
)
def test_architect_schema_rules_refuse(sql: str, finding: str) -> None:
    assert any(finding in f for f in review_schema(sql))


def test_architect_schema_rules_pass_a_good_schema() -> None:
    sql = "CREATE TABLE order_lines (id INTEGER PRIMARY KEY, sku VARCHAR(32), qty INTEGER);"
    assert review_schema(sql) == []


def test_security_masking_rules() -> None:
    restricted = {"table": "c", "column": "email", "classification": "restricted"}
    assert review_columns([restricted])  # not masked
    assert review_columns([{**restricted, "masking": "tokenised"}]) == []
    assert review_columns([{**restricted, "masking": "masked"}]) == []
    assert review_columns([{"table": "c", "column": "phone", "classification": "internal"}])


def test_registry_covers_the_seed_partners() -> None:
    partners = {spec.parties[1] for spec in PROTOCOLS.values()}
    assert partners == {"architect", "engineer", "integration", "security"}
    assert len(PROTOCOLS) == 15


def test_check_message_accepts_a_well_formed_request() -> None:
    team = ["data", "architect", "pm"]
    payload = {"migration": "migrations/1.sql", "sql": "select 1"}
    assert (
        check_message(
            sender="data",
            recipient="architect",
            protocol="schema_review",
            payload=payload,
            is_reply=False,
            team=team,
        )
        is None
    )
    # The architect answers with the reply type, it does not open the protocol.
    reason = check_message(
        sender="architect",
        recipient="data",
        protocol="schema_review",
        payload=payload,
        is_reply=False,
        team=team,
    )
    assert reason is not None and "may not open" in reason


def _view(team: Team, role: str, **kwargs: object) -> AgentView:
    return AgentView(role=role, charter=team.roles[role], now=NOW, team=list(team.roles), **kwargs)  # type: ignore[arg-type]


def test_pm_routes_and_decides(team: Team) -> None:
    task = TaskAssignment(id="t", title="Speed up the slow query on orders", task="index it")
    role, reason = route_task(task, team)
    assert role == "data" and "slow" in reason
    escalation = Escalation(
        id="e",
        source="data",
        trigger="Data Loss",
        severity=Severity.IMMEDIATE,
        summary="x",
        raised_at=NOW,
    )
    assert decide_escalation(escalation, "wait", NOW.isoformat()) is None
    decision = decide_escalation(escalation, "deny", NOW.isoformat())
    assert decision is not None and decision.verdict == "deny"


def test_pm_brain_never_writes(team: Team) -> None:
    task = TaskAssignment(id="t", title="write code", task="please write src/app.py")
    assert list(RuleBrain("pm").decide(_view(team, "pm", task=task))) == []


def test_every_role_has_a_rule_brain(team: Team) -> None:
    brains = default_brains(team)
    assert set(brains) == set(team.roles)


@pytest.mark.parametrize(
    ("title", "path_prefix", "protocol"),
    [
        ("Migrate the orders schema", None, "schema_review"),
        ("Classify PII columns", "data-governance/", "governance_alignment"),
        ("New ETL pipeline for refunds", "etl/", "etl_coordination"),
        ("Weekly revenue report", "reports/", None),
        ("Slow query on orders", "queries/", None),
        ("Backup and restore drill", "data/runbooks/", None),
        ("Deploy the churn model", "ml-models/", None),
        ("Publish the orders data product contract", "data-mesh/", "api_data_contract"),
        ("GDPR compliance audit", "data-governance/", "compliance_report"),
        ("Caching for the catalogue", None, "caching_strategy"),
        ("Data architecture for the warehouse", None, "data_architecture"),
    ],
)
def test_data_brain_plans_tasks_in_its_areas(
    team: Team, title: str, path_prefix: str | None, protocol: str | None
) -> None:
    task = TaskAssignment(
        id="t",
        title=title,
        task=title,
        inputs={
            "columns": [{"table": "c", "column": "email", "classification": "restricted"}],
            "sql": "ALTER TABLE c ADD COLUMN x INTEGER;",
        },
    )
    actions = list(RuleBrain("data").decide(_view(team, "data", task=task)))
    writes = [a for a in actions if isinstance(a, WriteFile)]
    sends = [a for a in actions if isinstance(a, SendMessage)]
    if path_prefix:
        assert writes and all(w.path.startswith(path_prefix) for w in writes)
    if protocol:
        assert protocol in {s.protocol for s in sends}
    for send in sends:  # every request the policy sends passes the registry
        assert (
            check_message(
                sender="data",
                recipient=send.to,
                protocol=send.protocol,
                payload=send.payload,
                is_reply=False,
                team=list(team.roles),
            )
            is None
        )


def test_data_brain_replies_to_partner_requests(team: Team) -> None:
    request = Message(
        id="m1",
        correlation_id="c",
        protocol="data_sync",
        sender="integration",
        recipient="data",
        payload={"source": "crm", "target": "dwh"},
        sent_at=NOW,
    )
    (answer,) = RuleBrain("data").decide(_view(team, "data", inbox=[request]))
    assert isinstance(answer, SendMessage) and answer.reply_to == "m1"
    assert (
        check_message(
            sender="data",
            recipient="integration",
            protocol="data_sync",
            payload=answer.payload,
            is_reply=True,
            team=list(team.roles),
        )
        is None
    )


def test_tools_registry(tmp_path: Path) -> None:
    make_orders_db(tmp_path / "orders.db", seed=1, rows=20, duplicates=2)
    tools = default_tools()
    context = ToolContext(workspace=tmp_path, datasets=tmp_path, now=NOW)
    result = tools.call(
        "sql_query",
        {"database": "orders.db", "sql": "SELECT COUNT(*) FROM staging_orders"},
        context,
    )
    assert result.ok and result.result["rows"] == [[22]]
    refused = tools.call(
        "sql_query", {"database": "orders.db", "sql": "DELETE FROM staging_orders"}, context
    )
    assert not refused.ok and "SELECT" in refused.summary
    assert not tools.call("nope", {}, context).ok
    assert not tools.call("sql_query", {"database": "../etc/passwd", "sql": "select 1"}, context).ok
    classified = tools.call("classify_columns", {"database": "orders.db"}, context)
    assert classified.ok
    assert classified.result["classifications"]["customers.email"] in ("confidential", "restricted")
    # Free text nothing recognised: internal, but listed as uncertain (masking tokenises it).
    import sqlite3

    with sqlite3.connect(tmp_path / "orders.db") as db:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, remark TEXT)")
        words = [
            "calm",
            "late",
            "noisy",
            "odd",
            "quick",
            "slow",
            "crate",
            "pallet",
            "van",
            "dock",
            "lift",
            "ramp",
        ]
        db.executemany("INSERT INTO notes (remark) VALUES (?)",
                       [(f"{a} {b} again",) for a in words for b in words])  # fmt: skip
    db.close()
    again = tools.call("classify_columns", {"database": "orders.db"}, context)
    assert again.result["classifications"]["notes.remark"] == "internal"
    assert again.result["uncertain"] == ["notes.remark"]
    assert "not confidently public/internal" in classified.summary
    assert "migration_check" in tools  # the data tools are wired in

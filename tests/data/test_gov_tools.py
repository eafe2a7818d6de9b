"""The governance tools through the agents' tool registry (the `UseTool` path)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from charter.agents.data.demo import build_demo_database
from charter.agents.tools import ToolContext, default_tools


@pytest.fixture
def context(tmp_path: Path) -> ToolContext:
    (tmp_path / "workspace").mkdir()
    (tmp_path / "datasets").mkdir()
    build_demo_database(tmp_path / "datasets" / "shop.db", customers=20, orders=80, orphans=2)
    return ToolContext(
        workspace=tmp_path / "workspace",
        datasets=tmp_path / "datasets",
        now=datetime(2026, 3, 1, tzinfo=UTC),
    )


def test_hooks_register_the_governance_tools() -> None:
    names = default_tools().names()
    assert {"profile_tables", "run_quality_suite", "classify_columns"} <= set(names)


def test_quality_suite_tool_reports_failures(context: ToolContext) -> None:
    suite = {
        "name": "orders",
        "table": "orders",
        "checks": [
            {
                "expect_no_orphans": {
                    "column": "customer_id",
                    "parent_table": "customers",
                    "parent_column": "id",
                }
            },
            {"expect_table_to_be_fresh": {"column": "created_at", "max_age": "31d"}},
        ],
    }
    result = default_tools().call(
        "run_quality_suite", {"database": "shop.db", "suite": suite}, context
    )
    assert not result.ok
    assert result.summary.startswith("1/2 checks passed; failing: orders.expect_no_orphans")
    assert result.result["results"][0]["unexpected_count"] == 2
    assert result.result["pass_rate"] == 0.5
    (context.workspace / "suite.yaml").write_text(
        yaml.safe_dump({**suite, "checks": suite["checks"][1:]})
    )
    from_file = default_tools().call(
        "run_quality_suite", {"database": "shop.db", "suite_path": "suite.yaml"}, context
    )
    assert from_file.ok and from_file.summary == "1/1 checks passed"


def test_profile_tool_and_bad_arguments(context: ToolContext) -> None:
    tools = default_tools()
    profile = tools.call(
        "profile_tables", {"database": "shop.db", "tables": ["customers"]}, context
    )
    assert profile.ok and "PII in" in profile.summary
    assert profile.result["tables"][0]["table"] == "customers"
    for arguments in (
        {"database": "../etc/passwd"},
        {"database": "shop.db", "tables": ["nope"]},
    ):
        refused = tools.call("profile_tables", arguments, context)
        assert not refused.ok and "\n" not in refused.summary
    escape = tools.call(
        "run_quality_suite", {"database": "shop.db", "suite_path": "../x.yaml"}, context
    )
    assert not escape.ok and "inside the workspace" in escape.summary
    bad = tools.call(
        "run_quality_suite",
        {
            "database": "shop.db",
            "suite": {"name": "s", "table": "orders", "checks": [{"nope": {}}]},
        },
        context,
    )
    assert not bad.ok and "unknown check" in bad.summary

"""The ops tools as run tools: their ToolResults feed the scorecard through ToolUsed events."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from charter.agents.data.ops_tools import register_ops_tools
from charter.agents.data.scorecard import compute_scorecard
from charter.agents.tools import ToolContext, ToolRegistry
from charter.protocols import SuccessMetric
from charter.protocols import events as ev

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _context(tmp_path: Path) -> ToolContext:
    (tmp_path / "workspace").mkdir()
    (tmp_path / "datasets").mkdir()
    with sqlite3.connect(tmp_path / "datasets" / "shop.db") as db:
        db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER)")
        db.executemany("INSERT INTO orders VALUES (?, ?)", [(i, i % 50) for i in range(5000)])
    return ToolContext(workspace=tmp_path / "workspace", datasets=tmp_path / "datasets", now=NOW)


def test_tools_run_and_their_figures_reach_the_scorecard(tmp_path: Path) -> None:
    context = _context(tmp_path)
    registry = ToolRegistry()
    register_ops_tools(registry)
    assert {"query_performance", "migration_check", "backup", "restore"} <= set(registry.names())

    calls = [
        (
            "query_performance",
            {
                "database": "shop.db",
                "queries": ["SELECT id FROM orders WHERE customer_id = 3"],
                "runs": 3,
            },
        ),
        ("backup", {"database": "shop.db"}),
        ("restore", {"backup": "shop.backup.sqlite"}),
        (
            "migration_check",
            {"database": "shop.db", "sql": "ALTER TABLE orders ADD COLUMN note TEXT;"},
        ),
    ]
    results = [registry.call(name, args, context) for name, args in calls]
    assert all(r.ok for r in results), [r.summary for r in results]
    assert results[0].result["proposals"][0]["proven"] is True
    assert results[2].result["verified"] is True
    events = [
        ev.ToolUsed(id=f"e{i}", at=NOW, agent="data", tool=r.tool, ok=r.ok, result=r.result)
        for i, r in enumerate(results)
    ]
    metrics = [
        SuccessMetric(key="query_p95_ms", name="p95", comparison="<", target=100_000, unit="ms"),
        SuccessMetric(key="recovery_time_minutes", name="rto", comparison="<", target=60),
        SuccessMetric(key="migration_success_rate", name="mig", comparison=">=", target=1.0),
        SuccessMetric(key="backup_failure_rate", name="bk", comparison="<", target=0.01),
    ]
    card = compute_scorecard(events, metrics)
    assert [line.status for line in card.lines] == ["pass"] * 4
    assert card.line("query_p95_ms").value == results[0].result["query_p95_ms"]


def test_bad_arguments_are_failed_results_not_crashes(tmp_path: Path) -> None:
    context = _context(tmp_path)
    registry = ToolRegistry()
    register_ops_tools(registry)
    escape = registry.call("backup", {"database": "shop.db", "to": "../outside.sqlite"}, context)
    assert not escape.ok and "inside the run's data sets" in escape.summary
    assert not (tmp_path / "outside.sqlite").exists()
    missing = registry.call("restore", {"backup": "nope.sqlite"}, context)
    assert not missing.ok and "not found" in missing.summary
    bad_sql = registry.call(
        "query_performance", {"database": "shop.db", "queries": ["SELECT x FROM nope"]}, context
    )
    assert not bad_sql.ok and bad_sql.summary.startswith("query_performance: workload query")

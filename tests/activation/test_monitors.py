"""Monitors measure the run's databases; only what they find becomes a signal."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from charter.graph.monitors import MONITORS, MonitorContext, get_monitor
from charter.protocols import ConfigError

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _db(tmp_path: Path, nulls: int = 0, rows: int = 100) -> Path:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE orders (id INTEGER, customer_email TEXT, amount REAL, loaded_at TEXT)"
        )
        db.executemany(
            "INSERT INTO orders VALUES (?, ?, ?, ?)",
            [
                (
                    i,
                    f"c{i}@x.io",
                    None if i < nulls else 1.0,
                    (NOW - timedelta(hours=1)).isoformat(),
                )
                for i in range(rows)
            ],
        )
        db.execute(
            "CREATE TABLE pipeline_runs (pipeline TEXT, started_at TEXT, status TEXT,"
            " error TEXT, details TEXT)"
        )
        db.execute(
            "INSERT INTO pipeline_runs VALUES ('load_orders', ?, 'ok', NULL, NULL)",
            ((NOW - timedelta(hours=2)).isoformat(),),
        )
    return path


def _ctx(tmp_path: Path, **options: object) -> MonitorContext:
    return MonitorContext(datasets=tmp_path, now=NOW, schedule="check", options=options)


def test_pipeline_health_reports_only_failed_runs_since_the_last_check(tmp_path: Path) -> None:
    path = _db(tmp_path)
    monitor = get_monitor("pipeline_health")
    assert monitor.run(_ctx(tmp_path)) == []
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO pipeline_runs VALUES ('load_orders', ?, 'failed', 'duplicate key', ?)",
            (
                (NOW - timedelta(minutes=5)).isoformat(),
                json.dumps({"table": "orders", "key": "id"}),
            ),
        )
    signals = monitor.run(_ctx(tmp_path))
    assert [s.kind for s in signals] == ["pipeline_failed"]
    assert (
        signals[0].payload["table"] == "orders" and signals[0].payload["error"] == "duplicate key"
    )
    assert signals[0].source == "monitor:check"
    later = MonitorContext(
        datasets=tmp_path, now=NOW, schedule="check", since=NOW - timedelta(minutes=1)
    )
    assert monitor.run(later) == []
    assert monitor.run(_ctx(tmp_path))[0].id == signals[0].id  # deterministic ids


def test_data_quality_flags_a_column_gaining_nulls(tmp_path: Path) -> None:
    _db(tmp_path, nulls=3)
    assert get_monitor("data_quality").run(_ctx(tmp_path)) == []
    shutil.rmtree(tmp_path)
    tmp_path.mkdir()
    _db(tmp_path, nulls=20)
    signals = get_monitor("data_quality").run(_ctx(tmp_path))
    assert [(s.payload["column"], s.payload["null_share"]) for s in signals] == [("amount", 0.2)]


def test_data_quality_flags_stale_tables(tmp_path: Path) -> None:
    _db(tmp_path)
    fresh = _ctx(tmp_path, freshness_column="loaded_at", max_age_hours=2)
    assert get_monitor("data_quality").run(fresh) == []
    stale = _ctx(tmp_path, freshness_column="loaded_at", max_age_hours=0.5)
    assert [s.payload["check"] for s in get_monitor("data_quality").run(stale)] == ["freshness"]


def test_query_latency_flags_full_scans_of_large_tables_and_not_indexed_ones(
    tmp_path: Path,
) -> None:
    path = _db(tmp_path, rows=3000)
    ctx = _ctx(tmp_path, queries=["SELECT * FROM orders WHERE id = 7"], max_scan_rows=1000)
    signals = get_monitor("query_latency").run(ctx)
    assert [(s.kind, s.payload["table"], s.payload["rows_scanned"]) for s in signals] == [
        ("performance_degradation", "orders", 3000)
    ]
    with sqlite3.connect(path) as db:
        db.execute("CREATE INDEX orders_id ON orders(id)")
    assert get_monitor("query_latency").run(ctx) == []


def test_backup_verification_needs_a_sound_copy(tmp_path: Path) -> None:
    path = _db(tmp_path)
    assert [
        s.payload["problem"] for s in get_monitor("backup_verification").run(_ctx(tmp_path))
    ] == ["no backup"]
    (tmp_path / "backups").mkdir()
    shutil.copy(path, tmp_path / "backups" / path.name)
    assert get_monitor("backup_verification").run(_ctx(tmp_path)) == []


def test_compliance_scan_reports_unclassified_personal_columns(tmp_path: Path) -> None:
    _db(tmp_path)
    found = get_monitor("compliance_scan").run(_ctx(tmp_path))
    assert [(s.kind, s.payload["column"]) for s in found] == [
        ("governance_violation", "customer_email")
    ]
    ctx = MonitorContext(
        datasets=tmp_path,
        now=NOW,
        schedule="c",
        classifications={"orders.customer_email": "restricted"},
    )
    assert get_monitor("compliance_scan").run(ctx) == []


def test_unknown_monitor_is_a_config_error_listing_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="pipeline_health"):
        get_monitor("nope")
    assert {"pipeline_health", "data_quality", "query_latency"} <= set(MONITORS)


def test_every_monitor_a_shipped_charter_names_exists() -> None:
    from charter.agents.team import load_team

    named = {
        s.monitor for c in load_team().roles.values() for s in c.activation.scheduled if s.monitor
    }
    assert named <= set(MONITORS)


def test_infra_health_reports_a_corrupt_database(tmp_path: Path) -> None:
    path = _db(tmp_path)
    assert get_monitor("infra_health").run(_ctx(tmp_path)) == []
    path.write_bytes(b"not a database at all" * 100)
    found = get_monitor("infra_health").run(_ctx(tmp_path))
    assert [s.kind for s in found] == ["data_loss"]

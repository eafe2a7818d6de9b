"""Fault injection: a brain that raises stops the scenario with a reported error (exit 1)."""

from __future__ import annotations

from pathlib import Path

from charter.scenarios import load_scenario, run_scenario

from .conftest import write_yaml


def test_a_brain_that_raises_is_reported_and_fails_the_scenario(tmp_path: Path) -> None:
    data = {
        "name": "brain-raises",
        "timeline": [
            {"at": "+00:01", "fault": {"brain": {"role": "data", "message": "model on fire"}}},
            {"at": "+00:02", "task": {"text": "Build the orders ETL pipeline", "to": "data"}},
        ],
        "expect": [{"events": {"kind": "fault_injected", "min": 1}}],
    }
    result = run_scenario(load_scenario(write_yaml(tmp_path / "s.yaml", data)), tmp_path / "r")
    assert result.error is not None and "model on fire" in result.error
    assert not result.passed
    assert any(e.kind == "fault_injected" for e in result.events)


def test_a_silent_brain_sends_nothing(tmp_path: Path) -> None:
    data = {
        "name": "brain-silent",
        "timeline": [
            {"at": "+00:01", "fault": {"brain": {"role": "data", "behaviour": "silent"}}},
            {"at": "+00:02", "task": {"text": "Build the orders ETL pipeline", "to": "data"}},
        ],
        "expect": [{"no_message": {"protocol": "etl_coordination", "from": "data"}}],
    }
    result = run_scenario(load_scenario(write_yaml(tmp_path / "s.yaml", data)), tmp_path / "r")
    assert result.passed, [(r.check, r.detail) for r in result.results]


def test_charter_schedules_drive_the_data_agents_monitors(tmp_path: Path) -> None:
    # The Data charter's own "Pipeline health" schedule (every 15 minutes) finds the failure.
    data = {
        "name": "charter-schedules",
        "start": "2026-03-02T01:00:00Z",
        "charter_schedules": True,
        "workspace": {"database": {"name": "orders.db", "generate": "orders_demo", "rows": 50}},
        "timeline": [
            {
                "at": "+00:05",
                "fault": {"pipeline": "load_orders", "fails_with": "boom", "database": "orders.db"},
            }
        ],
        "duration": "40m",
        "expect": [
            {"signal": {"kind": "pipeline_failed", "min": 1, "max": 1}},
            {"escalation": {"from": "data", "trigger": "Pipeline Failures", "within": "15m"}},
        ],
    }
    result = run_scenario(load_scenario(write_yaml(tmp_path / "s.yaml", data)), tmp_path / "r")
    assert result.passed, [(r.check, r.detail) for r in result.results]
    fired = [e for e in result.events if e.kind == "schedule_fired"]
    assert {e.schedule for e in fired} == {"Pipeline health", "Infrastructure health"}  # type: ignore[union-attr]
    data["charter_schedules"] = False
    other = run_scenario(load_scenario(write_yaml(tmp_path / "t.yaml", data)), tmp_path / "q")
    assert not other.passed

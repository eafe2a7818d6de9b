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

"""A `task` step can name the action the agent takes (`action: write_file` + `path`, or
`action: send_message`), checked at load and carried out through the gate."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.protocols import ConfigError
from charter.scenarios import load_scenario, run_scenario

DIRECT = """\
name: direct
seed: 5
timeline:
  - at: "+00:05"
    task: {to: engineer, action: write_file, path: migrations/0002_index.sql,
           content: "CREATE INDEX ix ON orders (status);"}
  - at: "+00:10"
    task: {to: data, action: write_file, path: etl/load_orders.py}
  - at: "+00:15"
    task: {to: data, action: send_message, send_to: integration, protocol: etl_coordination,
           payload: {pipeline: load_orders, status: paused}}
expect:
  - write_denied: {role: engineer, path: "migrations/*"}
  - write_allowed: {role: data, path: etl/load_orders.py}
  - message: {protocol: etl_coordination, from: data, to: integration}
  - report: {from: engineer, status: blocked}
  - report: {from: data, status: success}
"""


def test_direct_actions_are_carried_out_through_the_gate(tmp_path: Path) -> None:
    path = tmp_path / "direct.yaml"
    path.write_text(DIRECT, encoding="utf-8")
    result = run_scenario(load_scenario(path), tmp_path / "run")
    assert result.passed, [(r.check, r.detail) for r in result.results]
    written = tmp_path / "run" / "workspace" / "etl" / "load_orders.py"
    assert written.is_file()
    assert not (tmp_path / "run" / "workspace" / "migrations" / "0002_index.sql").exists()
    titles = [e.task.title for e in result.events if e.kind == "task_submitted"]
    assert titles[:2] == ["write_file migrations/0002_index.sql", "write_file etl/load_orders.py"]


BAD = {
    "path without action": (
        "task: {to: data, action: write_file, path: etl/load_orders.py}",
        "task: {to: data, text: x, path: etl/load_orders.py}",
        "'path' belongs to a direct action",
    ),
    "action without to": (
        "task: {to: data, action: write_file, path: etl/load_orders.py}",
        "task: {action: write_file, path: etl/load_orders.py}",
        "'to' required (the agent that acts)",
    ),
    "write_file without path": (
        "task: {to: data, action: write_file, path: etl/load_orders.py}",
        "task: {to: data, action: write_file}",
        "action write_file: path required",
    ),
    "stray field": (
        "task: {to: data, action: write_file, path: etl/load_orders.py}",
        "task: {to: data, action: write_file, path: etl/x.py, protocol: schema_review}",
        "action write_file: protocol not used",
    ),
    "unknown action": (
        "action: write_file, path: etl/load_orders.py}",
        "action: delete_file, path: etl/load_orders.py}",
        "task.action",
    ),
    "unknown protocol": (
        "protocol: etl_coordination,",
        "protocol: etl_coordinaton,",
        "unknown protocol 'etl_coordinaton' (did you mean 'etl_coordination'?)",
    ),
    "unknown recipient": (
        "send_to: integration,",
        "send_to: integrator,",
        "unknown role 'integrator' (did you mean 'integration'?)",
    ),
    "action smuggled in inputs": (
        "task: {to: data, action: write_file, path: etl/load_orders.py}",
        "task: {to: data, text: x, inputs: {action: write_file}}",
        "give the action as the step's own 'action' key",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_direct_action_is_a_load_error(case: str, tmp_path: Path) -> None:
    old, new, needle = BAD[case]
    assert old in DIRECT
    path = tmp_path / "direct.yaml"
    path.write_text(DIRECT.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_scenario(path)
    message = str(raised.value)
    assert message.startswith(f"{path}:"), message
    assert needle in message, message

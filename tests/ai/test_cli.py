"""`charter ai usage RUN` reads a real run's ai_usage events; `prices` and `key`."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from charter.agents.ai import AIBudgets, AIClient, AIConfig, BudgetLimit
from charter.agents.ai.mock import MockModel
from charter.agents.brains import ClaudeBrain
from charter.agents.policies import RuleBrain
from charter.cli.ai import open_run
from charter.cli.main import app
from charter.protocols import VirtualClock

from .conftest import START, Sleeper

runner = CliRunner()


def test_usage_per_agent_and_model_matches_the_ledger(
    make_orch: Callable[..., Any], tmp_path: Path
) -> None:
    clock = VirtualClock(START)
    client = AIClient(
        key=None, clock=clock, sleep=Sleeper(clock), transport=MockModel().transport()
    )
    poor = AIClient(
        key=None,
        clock=clock,
        transport=MockModel().transport(),
        config=AIConfig(budgets=AIBudgets(per_run=BudgetLimit(tokens=0))),
    )
    data = ClaudeBrain("data", client, fallback=RuleBrain("data"))
    security = ClaudeBrain("security", poor, fallback=RuleBrain("security"))
    run_dir = tmp_path / "run"
    orch = make_orch(run_dir, brains={"data": data, "security": security}, clock=clock)
    data.bind_events(orch.rt.emit, orch.run_id)
    security.bind_events(orch.rt.emit, orch.run_id)
    orch.signal("pipeline_failed", pipeline="load_orders")
    orch.submit("Review masking of the customers table", to="security")
    orch.run_until_idle()
    orch.close()

    result = runner.invoke(app, ["ai", "usage", str(run_dir), "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["agent"]: row for row in json.loads(result.output)["rows"]}
    ledger = client.ledger.by_agent["data"]
    assert rows["data"]["calls"] == ledger.calls > 0 and rows["data"]["ok"] == ledger.calls
    assert rows["data"]["input_tokens"] == ledger.input_tokens
    assert rows["data"]["cache_read_tokens"] == ledger.cache_read_tokens
    assert rows["data"]["cost_usd"] == pytest.approx(ledger.cost_usd, rel=1e-6)
    assert rows["data"]["model"] == "claude-sonnet-5-5"  # the charter's alias, resolved
    assert rows["security"]["model"] == "(budget)"  # budget stops are not API failures
    assert rows["security"]["refused"] == rows["security"]["calls"] >= 1
    assert rows["security"]["cost_usd"] == 0
    with open_run(str(run_dir)) as store:
        stops = [e for _, e in store.events(kinds={"budget_exhausted"})]
        usage = [e for _, e in store.events(kinds={"ai_usage"})]
    assert stops and all(
        e.agent == "security" and e.budget == "ai_tokens (for the run)" for e in stops
    )
    assert usage and all(e.ok for e in usage)  # so the scorecard's availability stays 100 %

    table = runner.invoke(app, ["ai", "usage", str(run_dir)])
    assert table.exit_code == 0 and "claude-sonnet-5-5" in table.output
    assert "API availability: 100.00%" in table.output


def test_prices_and_key_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prices = runner.invoke(app, ["ai", "prices"])
    assert prices.exit_code == 0 and "claude-haiku-5-5" in prices.output
    assert "alias claude-sonnet -> claude-sonnet-5-5" in prices.output
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    assert runner.invoke(app, ["ai", "key"]).exit_code == 1
    key_file = tmp_path / "key"
    key_file.write_text("sk-ant-SECRET-in-file")
    os.chmod(key_file, 0o600)
    shown = runner.invoke(app, ["ai", "key", "--key-file", str(key_file)])
    assert shown.exit_code == 0 and "SECRET" not in shown.output


def test_try_records_then_replays_to_the_same_digest(tmp_path: Path) -> None:
    recorded = runner.invoke(
        app, ["ai", "try", "--out", str(tmp_path / "a"), "--llm", "record", "--mock-model"]
    )
    assert recorded.exit_code == 0, recorded.output
    replayed = runner.invoke(
        app,
        [
            "ai",
            "try",
            "--out",
            str(tmp_path / "b"),
            "--llm",
            "replay",
            "--cassette",
            str(tmp_path / "a" / "cassette.json"),
        ],
    )
    assert replayed.exit_code == 0, replayed.output

    def digest(output: str) -> str:
        return next(line for line in output.splitlines() if line.startswith("digest: "))

    assert digest(recorded.output) == digest(replayed.output)
    assert "brains: data" in replayed.output


def test_bad_try_input_leaves_nothing_behind(tmp_path: Path) -> None:
    from charter.protocols import ConfigError

    out = tmp_path / "never"
    for args in (
        ["--brain", "data=gpt"],
        ["--llm", "bogus"],
        ["--llm", "replay", "--cassette", str(tmp_path / "missing.json")],
    ):
        result = runner.invoke(app, ["ai", "try", "--out", str(out), *args])
        assert isinstance(result.exception, ConfigError), result.output
        assert not out.exists()

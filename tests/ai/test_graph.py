"""ClaudeBrain inside the real graph: the gate applies unchanged, severity comes from the
table, a 529 storm ends on the rule brain, and a recorded run replays to the same digest
with the API key in no byte of the run directory."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from charter.agents.ai import AIClient, AIConfig, ApiKey
from charter.agents.ai.cassette import CASSETTE_NAME, CassetteMiss
from charter.agents.ai.mock import MockModel, text, tool_use
from charter.agents.brains import ClaudeBrain, ClaudeSettings, claude_brains
from charter.agents.policies import RuleBrain
from charter.protocols import Team, VirtualClock
from charter.protocols.events import AIUsage, AuthorityChecked, EscalationRaised

from .conftest import START, Sleeper

MakeOrch = Callable[..., Any]
SECRET = "sk-ant-api03-TOPSECRET-key-9f8e7d"


def _once(*blocks: dict[str, Any]) -> Callable[[dict[str, Any]], list[dict[str, Any]]]:
    def policy(body: dict[str, Any]) -> list[dict[str, Any]]:
        first = "Step: 0" in str(body["messages"][0]["content"]) and len(body["messages"]) == 1
        return [dict(b) for b in blocks] if first else [text("done")]

    return policy


def _brain(
    model: MockModel, clock: VirtualClock, sleep: Any = None, **config: Any
) -> tuple[ClaudeBrain, AIClient]:
    client = AIClient(
        key=None,
        clock=clock,
        sleep=sleep or Sleeper(clock),
        transport=model.transport(),
        config=AIConfig(**config),
    )
    return ClaudeBrain("data", client, fallback=RuleBrain("data")), client


def test_gate_denies_a_claude_write_outside_the_authorities(make_orch: MakeOrch) -> None:
    clock = VirtualClock(START)
    model = MockModel(
        _once(
            tool_use("write_file", {"path": "src/auth/login.py", "content": "def login(): ...\n"}),
            tool_use("write_file", {"path": "etl/orders.py", "content": "rows = []\n"}),
        )
    )
    brain, _ = _brain(model, clock)
    orch = make_orch(brains={"data": brain}, clock=clock)
    orch.submit("Tidy the login handler", to="data")
    orch.run_until_idle()
    checks = [
        e.decision
        for _, e in orch.events(kinds={"authority_checked"})
        if isinstance(e, AuthorityChecked) and e.decision.path == "src/auth/login.py"
    ]
    assert len(checks) == 1 and not checks[0].allowed and checks[0].role == "data"
    assert not (orch.run_dir / "workspace" / "src" / "auth" / "login.py").exists()
    # The same turn's write inside the Data agent's authorities went through the gate.
    assert (orch.run_dir / "workspace" / "etl" / "orders.py").read_text() == "rows = []\n"
    assert len(model.requests) >= 1  # the write really came from the model


def test_a_breach_filed_as_standard_is_immediate(make_orch: MakeOrch) -> None:
    clock = VirtualClock(START)
    model = MockModel(
        _once(
            tool_use(
                "escalate",
                {
                    "trigger": "Data Breaches",
                    "summary": "customer emails exposed",
                    "claimed_severity": "standard",
                },
            )
        )
    )
    brain, _ = _brain(model, clock)
    orch = make_orch(brains={"data": brain}, clock=clock)
    orch.submit("Look at the export job", to="data")
    orch.run_until_idle()
    raised = [
        e.escalation
        for _, e in orch.events(kinds={"escalation_raised"})
        if isinstance(e, EscalationRaised)
    ]
    assert [(e.trigger, e.severity.value) for e in raised] == [("Data Breaches", "immediate")]


def _signal_run(orch: Any) -> str:
    orch.signal("pipeline_failed", pipeline="load_orders", error="duplicate key")
    orch.submit("Classify the customers table", to="data")
    orch.run_until_idle()
    return str(orch.digest())


def test_529_storm_finishes_the_run_on_the_rule_brain(make_orch: MakeOrch, tmp_path: Path) -> None:
    rule_digest = _signal_run(make_orch(tmp_path / "rule", clock=VirtualClock(START)))
    clock = VirtualClock(START)
    model = MockModel(faults=[529] * 1000, retry_after=1)
    waits: list[float] = []  # recorded, not slept: the run clock stays where the rules run
    brain, client = _brain(
        model,
        clock,
        waits.append,
        max_retries=3,
        breaker_threshold=3,
        breaker_cooldown=timedelta(hours=6),
    )
    digest = _signal_run(make_orch(tmp_path / "storm", brains={"data": brain}, clock=clock))
    assert client.breaker.opened == 1 and len(model.requests) == 3
    assert waits == [1.0, 1.0]  # retry-after honoured between the three attempts
    assert brain.fallbacks and all(f.startswith("unavailable") for f in brain.fallbacks)
    # Every turn fell back, so the run is exactly the rule-brain run (same digest)...
    assert digest == rule_digest
    # ...and the storm is on record for the scorecard.
    errors = [r.error for r in brain.drain_usage()]
    assert errors[0] == "overloaded (529)" and set(errors[1:]) == {"circuit_open"}


def _recorded_run(
    make_orch: MakeOrch,
    run_dir: Path,
    team: Team,
    llm: str,
    *,
    key: ApiKey | None = None,
    inner: Any = None,
    settings: dict[str, ClaudeSettings] | None = None,
) -> tuple[Any, ClaudeBrain]:
    clock = VirtualClock(START)
    brains, _ = claude_brains(
        team,
        {"data": "claude"},
        llm=llm,
        run_dir=run_dir,
        clock=clock,
        key=key,
        inner=inner,
        sleep=Sleeper(clock),
        settings=settings,
        tools={},
    )
    orch = make_orch(run_dir, brains=brains, clock=clock)
    brain = brains["data"]
    assert isinstance(brain, ClaudeBrain)
    brain.bind_events(orch.rt.emit, orch.run_id)
    return orch, brain


def test_record_then_replay_offline_gives_the_same_digest_and_no_key_leaks(
    make_orch: MakeOrch, tmp_path: Path, team: Team
) -> None:
    server = MockModel()
    record_dir = tmp_path / "recorded"
    orch, _ = _recorded_run(
        make_orch,
        record_dir,
        team,
        "record",
        key=ApiKey(SECRET, label="test"),
        inner=server.transport(),
    )
    recorded = _signal_run(orch)
    usage = [e for _, e in orch.events(kinds={"ai_usage"}) if isinstance(e, AIUsage)]
    assert usage and all(e.ok and e.agent == "data" for e in usage)
    assert any(e.kind == "escalation_raised" for _, e in orch.events())
    orch.close()
    # The key went over the wire (so it was really in play) ...
    assert any(
        SECRET in h.get("authorization", "") + h.get("x-api-key", "") for h in server.headers
    )
    # ... and is in no byte of the run directory: database, cassette, workspace, metadata.
    files = [p for p in record_dir.rglob("*") if p.is_file()]
    assert any(p.name == CASSETTE_NAME for p in files)
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path

    replay_dir = tmp_path / "replayed"
    replay_dir.mkdir()
    shutil.copy(record_dir / CASSETTE_NAME, replay_dir / CASSETTE_NAME)
    orch2, brain2 = _recorded_run(make_orch, replay_dir, team, "replay")
    assert _signal_run(orch2) == recorded
    assert brain2.fallbacks == [] and brain2.client.http_requests == len(server.requests)


def test_a_changed_prompt_fails_replay_with_a_readable_diff(
    make_orch: MakeOrch, tmp_path: Path, team: Team
) -> None:
    record_dir = tmp_path / "recorded"
    orch, _ = _recorded_run(
        make_orch,
        record_dir,
        team,
        "record",
        inner=MockModel().transport(),
        key=ApiKey("k", label="t"),
    )
    _signal_run(orch)
    orch.close()
    replay_dir = tmp_path / "replayed"
    replay_dir.mkdir()
    shutil.copy(record_dir / CASSETTE_NAME, replay_dir / CASSETTE_NAME)
    changed = {"data": ClaudeSettings(max_tokens=2048)}
    orch2, _ = _recorded_run(make_orch, replay_dir, team, "replay", settings=changed)
    with pytest.raises(CassetteMiss) as error:
        _signal_run(orch2)
    message = str(error.value)
    assert "never recorded" in message and "first difference" in message
    assert '-  "max_tokens": 1024' in message and '+  "max_tokens": 2048' in message

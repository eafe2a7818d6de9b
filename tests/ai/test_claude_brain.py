"""ClaudeBrain at the brain level: tools from the protocol types, tool calls into actions,
rejected calls sent back as errors (bounded), fallbacks, and the context budget."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from charter.agents.ai import AIBudgets, AIClient, BudgetLimit
from charter.agents.ai.mock import MockModel, text, tool_use
from charter.agents.brain import ScriptedBrain
from charter.agents.brains import ClaudeBrain, ClaudeSettings
from charter.protocols import (
    AgentReport,
    AgentView,
    Escalate,
    EscalationTrigger,
    MemoryKind,
    MemorySnippet,
    Remember,
    Report,
    SendMessage,
    Severity,
    Signal,
    TaskAssignment,
    Team,
    WriteFile,
)

MakeView = Callable[..., AgentView]
MakeClient = Callable[..., AIClient]
TASK = TaskAssignment(id="t-1", title="Orders ETL", task="Build the orders ETL job")


def _script(*steps: list[dict[str, Any]]) -> Callable[[dict[str, Any]], list[dict[str, Any]]]:
    queue = list(steps)
    return lambda body: queue.pop(0) if queue else [text("done")]


def test_tool_use_round_trip_produces_typed_actions(
    make_view: MakeView, make_client: MakeClient, team: Team
) -> None:
    model = MockModel(
        _script(
            [
                tool_use("write_file", {"path": "etl/orders.py", "content": "print(1)\n"}),
                tool_use(
                    "send_message",
                    {
                        "to": "architect",
                        "protocol": "schema_review",
                        "payload": {"table": "orders"},
                    },
                ),
                tool_use("remember", {"memory_kind": "pattern", "content": "upsert by key"}),
                tool_use("report", {"report": {"task_id": "t-1", "status": "success"}}),
            ]
        )
    )
    brain = ClaudeBrain("data", make_client(model), tools={"sql_query": "read-only SELECT"})
    actions = brain.decide(make_view(task=TASK))
    assert actions == [
        WriteFile(path="etl/orders.py", content="print(1)\n"),
        SendMessage(to="architect", protocol="schema_review", payload={"table": "orders"}),
        Remember(memory_kind=MemoryKind.PATTERN, content="upsert by key"),
        Report(report=AgentReport(task_id="t-1", status="success")),
    ]
    body = model.requests[0]
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}  # cached prefix
    assert "Data Breaches (immediate)" in body["system"][0]["text"]
    tools = {t["name"]: t["input_schema"] for t in body["tools"]}
    assert set(tools) == {
        "write_file",
        "send_message",
        "escalate",
        "report",
        "remember",
        "use_tool",
    }
    charter = team.roles["data"]
    assert tools["escalate"]["properties"]["trigger"]["enum"] == [
        t.name for t in charter.escalation.all_triggers()
    ]
    assert "schema_review" in tools["send_message"]["properties"]["protocol"]["enum"]
    assert "kind" not in tools["write_file"]["properties"]
    assert set(tools["write_file"]["required"]) == {"path", "content"}
    assert "$defs" not in tools["report"] and "$ref" not in str(tools["report"])
    assert "Build the orders ETL job" in body["messages"][0]["content"]


def test_a_role_that_writes_no_code_gets_no_write_tool(
    make_view: MakeView, make_client: MakeClient, team: Team
) -> None:
    assert team.roles["pm"].writes_code is False
    model = MockModel(_script([tool_use("write_file", {"path": "x.py", "content": ""})]))
    brain = ClaudeBrain("pm", make_client(model), settings=ClaudeSettings(max_corrections=0))
    assert brain.decide(make_view("pm", task=TASK)) == []
    assert "write_file" not in {t["name"] for t in model.requests[0]["tools"]}
    assert "not available to this role" in brain.rejections[0]


def test_malformed_and_disallowed_calls_go_back_as_errors_and_are_never_actions(
    make_view: MakeView, make_client: MakeClient
) -> None:
    model = MockModel(
        _script(
            [
                tool_use("write_file", {"path": "etl/a.py"}),  # no content
                tool_use("send_message", {"to": "architect", "protocol": "payment_review"}),
                tool_use("escalate", {"trigger": "Coffee Shortage", "summary": "no coffee"}),
                tool_use("remember", {"memory_kind": "pattern", "content": "kept"}),
            ],
            [tool_use("report", {"report": {"status": "partial"}})],
        )
    )
    brain = ClaudeBrain("data", make_client(model))
    actions = brain.decide(make_view(task=TASK))
    assert actions == [
        Remember(memory_kind=MemoryKind.PATTERN, content="kept"),
        Report(report=AgentReport(status="partial")),
    ]
    assert len(model.requests) == 2
    second = model.requests[1]["messages"]
    assert second[1]["role"] == "assistant" and len(second[1]["content"]) == 4
    results = [b for b in second[2]["content"] if b["type"] == "tool_result"]
    errors = [b for b in results if b.get("is_error")]
    assert len(results) == 4 and len(errors) == 3
    reasons = " | ".join(b["content"] for b in errors)
    assert "content" in reasons and "payment_review" in reasons and "Coffee Shortage" in reasons
    assert {b["tool_use_id"] for b in results} == {b["id"] for b in second[1]["content"]}
    assert len(brain.rejections) == 3


def test_corrections_are_bounded(make_view: MakeView, make_client: MakeClient) -> None:
    model = MockModel(lambda body: [tool_use("escalate", {"trigger": "Nope", "summary": "x"})])
    brain = ClaudeBrain("data", make_client(model), settings=ClaudeSettings(max_corrections=2))
    assert brain.decide(make_view(task=TASK)) == []
    assert len(model.requests) == 3  # the first ask and two corrections


def test_claimed_severity_is_passed_through_unchanged(
    make_view: MakeView, make_client: MakeClient
) -> None:
    # The brain does not judge severity; the graph takes it from the table (see test_graph).
    model = MockModel(
        _script(
            [
                tool_use(
                    "escalate",
                    {"trigger": "Data Breaches", "summary": "leak", "claimed_severity": "standard"},
                )
            ]
        )
    )
    actions = ClaudeBrain("data", make_client(model)).decide(make_view(task=TASK))
    assert actions == [
        Escalate(trigger="Data Breaches", summary="leak", claimed_severity=Severity.STANDARD)
    ]


def test_budget_exceeded_falls_back_without_calling(
    make_view: MakeView, make_client: MakeClient
) -> None:
    model = MockModel()
    fallback = ScriptedBrain(lambda view: [Report(report=AgentReport(status="success"))])
    client = make_client(model, budgets=AIBudgets(per_agent=BudgetLimit(tokens=10)))
    brain = ClaudeBrain("data", client, fallback=fallback)
    assert brain.decide(make_view(task=TASK)) == [Report(report=AgentReport(status="success"))]
    assert model.requests == [] and brain.fallbacks[0].startswith("budget")
    records = brain.drain_usage()
    assert [r.error for r in records] == ["budget"]
    event = records[0].to_event("ev-1")
    assert event.kind == "budget_exhausted" and event.budget == "ai_tokens (for agent 'data')"
    assert event.limit == 10 and event.used == 0


def test_budget_overrun_escalates_once_when_the_charter_names_the_trigger(
    make_view: MakeView, make_client: MakeClient, team: Team
) -> None:
    charter = team.roles["data"].model_copy(deep=True)
    charter.escalation.standard.append(EscalationTrigger(name="AI API Cost Overrun"))
    client = make_client(MockModel(), budgets=AIBudgets(per_run=BudgetLimit(usd=0)))
    brain = ClaudeBrain("data", client, fallback=ScriptedBrain(lambda view: []))
    first = brain.decide(make_view(charter=charter, task=TASK))
    assert len(first) == 1 and isinstance(first[0], Escalate)
    assert first[0].trigger == "AI API Cost Overrun" and "budget" in first[0].summary
    assert brain.decide(make_view(charter=charter, task=TASK)) == []  # once per run
    # Without the trigger in the charter (the shipped data charter), it only falls back.
    plain = ClaudeBrain("data", client, fallback=ScriptedBrain(lambda view: []))
    assert plain.decide(make_view(task=TASK)) == []


def test_storm_of_529_falls_back_and_then_skips_the_api(
    make_view: MakeView, make_client: MakeClient
) -> None:
    model = MockModel(faults=[529] * 100, retry_after=2)
    client = make_client(model, max_retries=4, breaker_threshold=3)
    fallback = ScriptedBrain(lambda view: [Report(report=AgentReport(status="success"))])
    brain = ClaudeBrain("data", client, fallback=fallback)
    for _ in range(3):
        assert brain.decide(make_view(task=TASK)) == [Report(report=AgentReport(status="success"))]
    assert len(model.requests) == 3  # then the open circuit keeps calls off the wire
    assert brain.fallbacks[0].startswith("unavailable") and len(brain.fallbacks) == 3
    errors = [r.error for r in brain.drain_usage()]
    assert errors == ["overloaded (529)", "circuit_open", "circuit_open"]


def test_context_budget_keeps_the_prompt_small(
    make_view: MakeView, make_client: MakeClient
) -> None:
    memories = [
        MemorySnippet(id=f"m{i}", kind=MemoryKind.ERROR, content=f"lesson {i} " * 60, score=i / 200)
        for i in range(200)
    ]
    signal = Signal(id="s1", kind="pipeline_failed", at=datetime(2026, 3, 2, tzinfo=UTC))
    view = make_view(signal=signal, memories=memories)
    budgeted = ClaudeBrain(
        "data", make_client(MockModel()), settings=ClaudeSettings(context_tokens=1000)
    )
    unbudgeted = ClaudeBrain(
        "data", make_client(MockModel()), settings=ClaudeSettings(context_tokens=None)
    )
    small = budgeted.build_request(view)[0]["messages"][0]["content"]
    large = unbudgeted.build_request(view)[0]["messages"][0]["content"]
    assert len(small) <= 1000 * 4 and len(large) > 10 * len(small)
    assert "left out to stay within the context budget" in small
    assert "lesson 199" in small and "lesson 0 " not in small  # best-scored memories first


def test_repr_shows_no_key(make_client: MakeClient) -> None:
    from charter.agents.ai import ApiKey

    secret = "sk-ant-test-SECRET-42"
    client = AIClient(
        key=ApiKey(secret, label="env:ANTHROPIC_API_KEY"), clock=make_client(MockModel()).clock
    )
    brain = ClaudeBrain("data", client)
    assert secret not in repr(client) and secret not in repr(brain)
    assert secret not in repr(vars(brain)) and secret not in repr(vars(client))


@pytest.mark.parametrize("role", ["data", "security", "architect"])
def test_system_prompt_is_stable_across_steps(
    make_view: MakeView, make_client: MakeClient, role: str
) -> None:
    brain = ClaudeBrain(role, make_client(MockModel()))
    first, _ = brain.build_request(make_view(role, task=TASK))
    later, _ = brain.build_request(make_view(role, task=TASK, step=3, rejections=["x"]))
    assert first["system"] == later["system"] and first["tools"] == later["tools"]
    assert first["messages"] != later["messages"]


def test_run_config_sets_models_and_budgets_per_role(
    tmp_path: Any, team: Team, make_view: MakeView
) -> None:
    from charter.agents.brains import claude_brains, load_ai_config
    from charter.protocols import ConfigError, VirtualClock

    path = tmp_path / "ai.yaml"
    path.write_text(
        "client: {max_retries: 1, budgets: {per_run: {usd: 0.5}}}\n"
        "default: {model: claude-haiku}\n"
        "roles: {data: {model: claude-opus, max_tokens: 300}}\n"
    )
    config = load_ai_config(path)
    server = MockModel()
    brains, client = claude_brains(
        team,
        {"data": "claude", "security": "claude"},
        llm="mock",
        run_dir=tmp_path,
        clock=VirtualClock(datetime(2026, 3, 2, tzinfo=UTC)),
        mock=server,
        run_config=config,
        tools={},
    )
    assert client is not None and client.config.max_retries == 1
    assert client.config.budgets.per_run.usd == 0.5
    brains["data"].decide(make_view(task=TASK))
    brains["security"].decide(make_view("security", task=TASK))
    assert [(b["model"], b["max_tokens"]) for b in server.requests] == [
        ("claude-opus-5-5", 300),
        ("claude-haiku-5-5", 1024),
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text("roles: {data: {max_tokens: 0}}\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: roles.data.max_tokens"):
        load_ai_config(bad)
    typo = tmp_path / "typo.yaml"
    typo.write_text("client: {request_per_minute: 5}\n")
    with pytest.raises(ConfigError, match=r"client\.request_per_minute"):
        load_ai_config(typo)
    stranger = tmp_path / "stranger.yaml"
    stranger.write_text("roles: {cfo: {}}\n")
    with pytest.raises(ConfigError, match="unknown role 'cfo'"):
        claude_brains(
            team,
            {"data": "claude"},
            llm="mock",
            run_dir=tmp_path,
            clock=VirtualClock(datetime(2026, 3, 2, tzinfo=UTC)),
            run_config=load_ai_config(stranger),
        )

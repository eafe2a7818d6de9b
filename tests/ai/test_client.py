"""The AI layer under the real SDK client over a mock transport: retries honouring
retry-after, the circuit breaker, fail-closed budgets and cost accounting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from charter.agents.ai import (
    AIBudgets,
    AIClient,
    AIConfig,
    AIRequestRejected,
    AIUnavailable,
    BudgetLimit,
    CircuitOpen,
    PriceTable,
    TokenCounts,
    estimate_tokens,
)
from charter.agents.ai.mock import MockModel, text
from charter.protocols import BudgetExceeded

from .conftest import Sleeper

MakeClient = Callable[..., AIClient]


def _request(content: str = "hello", max_tokens: int = 20) -> dict[str, Any]:
    return {
        "model": "claude-sonnet-5-5",
        "max_tokens": max_tokens,
        "messages": [{"role": "user", "content": content}],
    }


def _fixed(output: str = "ok") -> MockModel:
    return MockModel(lambda body: [text(output)])


def test_429_with_retry_after_then_success(make_client: MakeClient, sleeper: Sleeper) -> None:
    model = MockModel(lambda body: [text("fine")], faults=[429], retry_after=7)
    client = make_client(model)
    message, record = client.create(agent="data", request=_request())
    assert message.content[0].type == "text"
    assert sleeper.waits == [7.0]  # the server's retry-after, not a guess
    assert len(model.requests) == 2 and client.http_requests == 2
    assert record.ok and record.attempts == 2 and record.waited_seconds == 7.0
    assert client.breaker.state.value == "closed"


def test_5xx_without_retry_after_backs_off_and_gives_up(
    make_client: MakeClient, sleeper: Sleeper
) -> None:
    model = MockModel(faults=[500, 503, 500])
    client = make_client(model, max_retries=2, backoff_seconds=1.0, breaker_threshold=10)
    with pytest.raises(AIUnavailable, match="3 attempt"):
        client.create(agent="data", request=_request())
    assert len(sleeper.waits) == 2 and 0.5 <= sleeper.waits[0] <= 1.0
    assert 1.0 <= sleeper.waits[1] <= 2.0  # exponential, with seeded jitter
    failed = client.ledger.records[-1]
    assert not failed.ok and failed.error == "server_error (500)" and failed.attempts == 3


def test_storm_of_529_opens_the_circuit_then_no_request_leaves(
    make_client: MakeClient,
) -> None:
    model = MockModel(faults=[529] * 50, retry_after=1)
    client = make_client(model, max_retries=10, breaker_threshold=3)
    with pytest.raises(AIUnavailable):
        client.create(agent="data", request=_request())
    assert len(model.requests) == 3  # retries stop when the breaker opens
    with pytest.raises(CircuitOpen):
        client.create(agent="data", request=_request())
    assert len(model.requests) == 3
    assert client.ledger.records[-1].error == "circuit_open"


def test_bad_request_is_not_retried(make_client: MakeClient, sleeper: Sleeper) -> None:
    model = MockModel(faults=[400])
    client = make_client(model)
    with pytest.raises(AIRequestRejected, match="400"):
        client.create(agent="data", request=_request())
    assert len(model.requests) == 1 and sleeper.waits == []


def _exact(body: dict[str, Any], blocks: list[dict[str, Any]]) -> dict[str, int]:
    # Bill exactly the worst case the pre-check assumes: estimated input + max_tokens.
    return {"input_tokens": estimate_tokens(body), "output_tokens": body["max_tokens"]}


@pytest.mark.parametrize("slack", [0, -1])
def test_budget_stops_calls_exactly_at_its_limit(make_client: MakeClient, slack: int) -> None:
    request = _request(max_tokens=20)
    worst = estimate_tokens(request) + 20
    limit = 3 * worst + slack
    model = MockModel(lambda body: [text("x")], usage=_exact)
    client = make_client(model, budgets=AIBudgets(per_run=BudgetLimit(tokens=limit)))
    allowed = 3 if slack == 0 else 2  # one token short of three calls allows two
    for _ in range(allowed):
        client.create(agent="data", request=request)
    with pytest.raises(BudgetExceeded, match="for the run"):
        client.create(agent="data", request=request)
    assert len(model.requests) == allowed  # the refused call never left
    assert client.ledger.run.tokens == allowed * worst <= limit
    assert client.ledger.records[-1].error == "budget"


def test_daily_budget_resets_with_the_utc_day(make_client: MakeClient, clock: Any) -> None:
    from datetime import timedelta

    request = _request(max_tokens=20)
    worst = estimate_tokens(request) + 20
    model = MockModel(lambda body: [text("x")], usage=_exact)
    client = make_client(model, budgets=AIBudgets(per_day=BudgetLimit(tokens=worst)))
    client.create(agent="data", request=request)
    with pytest.raises(BudgetExceeded, match="2026-03-02"):
        client.create(agent="data", request=request)
    clock.advance(timedelta(days=1))
    client.create(agent="data", request=request)
    assert len(model.requests) == 2


def test_dollar_budget_per_agent_is_separate_from_other_agents(make_client: MakeClient) -> None:
    prices = PriceTable.load()
    request = _request(max_tokens=20)
    estimate = estimate_tokens(request)
    one_call = prices.cost(
        "claude-sonnet-5-5", TokenCounts(input_tokens=estimate, output_tokens=20)
    )
    model = MockModel(lambda body: [text("x")], usage=_exact)
    client = make_client(model, budgets=AIBudgets(per_agent=BudgetLimit(usd=one_call)))
    client.create(agent="data", request=request)
    with pytest.raises(BudgetExceeded, match="agent 'data'"):
        client.create(agent="data", request=request)
    client.create(agent="architect", request=request)  # its own budget
    assert len(model.requests) == 2


def test_cost_prices_cache_reads_and_writes(make_client: MakeClient) -> None:
    prices = PriceTable.load()
    sonnet = prices.price("claude-sonnet")  # alias resolves
    assert (sonnet.input, sonnet.output, sonnet.cache_write, sonnet.cache_read) == (
        2.0,
        10.0,
        2.50,
        0.10,
    )
    counts = TokenCounts(
        input_tokens=1000, output_tokens=200, cache_read_tokens=5000, cache_write_tokens=2000
    )
    expected = (1000 * 2.0 + 200 * 10.0 + 5000 * 0.10 + 2000 * 2.50) / 1e6
    assert prices.cost("claude-sonnet-5-5", counts) == pytest.approx(expected)
    model = _fixed()
    client = make_client(model)
    cached = {
        **_request(),
        "system": [{"type": "text", "text": "S" * 4000, "cache_control": {"type": "ephemeral"}}],
    }
    _, first = client.create(agent="data", request=cached)
    _, second = client.create(agent="data", request=cached)
    assert first.counts.cache_write_tokens > 0 and first.counts.cache_read_tokens == 0
    assert second.counts.cache_read_tokens == first.counts.cache_write_tokens
    assert second.cost_usd < first.cost_usd  # a cache hit is cheaper than a write
    assert second.cost_usd == pytest.approx(prices.cost("claude-sonnet-5-5", second.counts))
    by_model = client.ledger.by_agent_model[("data", "claude-sonnet-5-5")]
    assert by_model.calls == 2 and by_model.cost_usd == pytest.approx(
        first.cost_usd + second.cost_usd
    )


def test_unknown_model_cannot_be_budgeted(make_client: MakeClient) -> None:
    from charter.protocols import ConfigError

    client = make_client(_fixed())
    with pytest.raises(ConfigError, match="no price"):
        client.create(agent="data", request={**_request(), "model": "gpt-9"})


def test_usage_record_becomes_an_ai_usage_event(make_client: MakeClient) -> None:
    client = make_client(_fixed())
    _, record = client.create(agent="data", request=_request())
    event = record.to_event("ev-1", task_id="t1")
    assert event.kind == "ai_usage" and event.agent == "data" and event.task_id == "t1"
    assert event.input_tokens == record.counts.input_tokens > 0
    assert event.cost_usd == pytest.approx(record.cost_usd) and event.ok


def test_daily_budget_counts_earlier_runs_of_the_day(make_client: MakeClient, clock: Any) -> None:
    from charter.agents.ai import UsageLedger
    from charter.protocols.events import AIUsage

    request = _request(max_tokens=20)
    worst = estimate_tokens(request) + 20
    earlier = [
        AIUsage(
            id="e1",
            at=clock.now(),
            agent="data",
            model="claude-sonnet-5-5",
            input_tokens=worst,
            cost_usd=0.01,
        )
    ]
    model = MockModel(lambda body: [text("x")], usage=_exact)
    client = AIClient(
        key=None,
        clock=clock,
        transport=model.transport(),
        ledger=UsageLedger.from_events(earlier),
        config=AIConfig(budgets=AIBudgets(per_day=BudgetLimit(tokens=2 * worst))),
    )
    client.create(agent="data", request=request)
    with pytest.raises(BudgetExceeded, match="for 2026-03-02"):
        client.create(agent="data", request=request)
    assert len(model.requests) == 1


@pytest.mark.parametrize(
    "reply", ["invalid_json", "empty", "html", "no_usage", "null_content", "overbilled"]
)
def test_a_malformed_reply_is_retried_like_a_5xx(
    make_client: MakeClient, sleeper: Sleeper, reply: str
) -> None:
    model = MockModel(lambda body: [text("fine")], faults=[reply])
    client = make_client(model, max_retries=2, breaker_threshold=10)
    message, record = client.create(agent="data", request=_request())
    assert message.content[0].text == "fine"  # type: ignore[union-attr]
    assert record.ok and record.attempts == 2 and len(sleeper.waits) == 1


def test_malformed_replies_only_end_as_unavailable_not_a_crash(
    make_client: MakeClient, sleeper: Sleeper
) -> None:
    model = MockModel(faults=["html", "empty", "no_usage"])
    client = make_client(model, max_retries=2, breaker_threshold=10)
    with pytest.raises(AIUnavailable, match=r"3 attempt.*malformed_reply"):
        client.create(agent="data", request=_request())
    assert client.ledger.records[-1].error == "malformed_reply"

"""A trickling server cannot hold a call past its total deadline, and a reply billing more
than the request allowed never reaches the budget: both end in retries, then fallback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest

from charter.agents.ai import AIClient, AIUnavailable
from charter.agents.ai.deadline import DeadlineTransport
from charter.agents.ai.mock import MockModel, text

from .conftest import Sleeper


class _Clock:
    """The transport's clock, moved by the server below: no real waiting anywhere."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _trickling(clock: _Clock, body: bytes, seconds_per_byte: float) -> httpx2.MockTransport:
    def handler(request: httpx2.Request) -> httpx2.Response:
        def drip() -> Iterator[bytes]:
            for index in range(len(body)):
                clock.now += seconds_per_byte  # one byte, half a second later
                yield body[index : index + 1]

        return httpx2.Response(200, headers={"content-type": "application/json"}, stream=drip())

    return httpx2.MockTransport(handler)


def test_a_trickle_is_cut_at_the_total_deadline() -> None:
    clock = _Clock()
    body = b'{"id": "m", "content": []}' * 40  # 1,040 bytes at 0.5 s each: 520 s
    client = httpx2.Client(
        transport=DeadlineTransport(_trickling(clock, body, 0.5), 2.0, now=clock)
    )
    with pytest.raises(httpx2.ReadTimeout, match="total deadline"):
        client.get("http://127.0.0.1/v1/messages").read()
    assert clock.now <= 2.5  # stopped at the first chunk past 2 s, not after 520 s


def test_a_prompt_reply_passes_untouched() -> None:
    clock = _Clock()
    body = b'{"ok": true}'
    client = httpx2.Client(
        transport=DeadlineTransport(_trickling(clock, body, 0.01), 2.0, now=clock)
    )
    assert client.get("http://127.0.0.1/").json() == {"ok": True}


def test_an_overbilling_reply_is_never_charged(
    make_client: Callable[..., AIClient], sleeper: Sleeper
) -> None:
    model = MockModel(
        lambda body: [text("fine")], faults=["overbilled", "overbilled", "overbilled"]
    )
    client = make_client(model, max_retries=2, breaker_threshold=10)
    request: dict[str, Any] = {
        "model": "claude-sonnet-5-5",
        "max_tokens": 50,
        "messages": [{"role": "user", "content": "hello"}],
    }
    with pytest.raises(AIUnavailable, match="malformed_reply"):
        client.create(agent="data", request=request)
    assert sum(record.cost_usd for record in client.ledger.records) == 0

"""Cassettes under the real SDK client: recorded exchanges replay offline; an unseen
request fails loudly with the first difference; no request header is ever stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from charter.agents.ai import AIClient, ApiKey
from charter.agents.ai.cassette import (
    CassetteMiss,
    RecordingTransport,
    ReplayTransport,
    first_difference,
)
from charter.agents.ai.mock import MockModel, text
from charter.protocols import ConfigError, VirtualClock

from .conftest import START

SECRET = "sk-ant-api03-cassette-SECRET"


def _client(transport: Any, key: ApiKey | None = None) -> AIClient:
    return AIClient(key=key, clock=VirtualClock(START), transport=transport, sleep=lambda s: None)


def _ask(client: AIClient, content: str) -> str:
    message, _ = client.create(
        agent="data",
        request={
            "model": "claude-haiku-5-5",
            "max_tokens": 50,
            "messages": [{"role": "user", "content": content}],
        },
    )
    block = message.content[0]
    assert block.type == "text"
    return block.text


def test_record_then_replay_serves_the_same_answers_in_order(tmp_path: Path) -> None:
    answers = iter(["first", "second", "third"])
    server = MockModel(lambda body: [text(next(answers))], faults=[529], retry_after=0)
    cassette = tmp_path / "cassette.json"
    live = _client(RecordingTransport(server.transport(), cassette), key=ApiKey(SECRET, label="t"))
    recorded = [_ask(live, "hello"), _ask(live, "again"), _ask(live, "hello")]
    assert recorded == ["first", "second", "third"]
    saved = json.loads(cassette.read_text())
    assert len(saved["interactions"]) == 4  # the 529 attempt is recorded too
    assert SECRET not in cassette.read_text()
    assert all("headers" not in item["request"] for item in saved["interactions"])
    replay = _client(ReplayTransport(cassette))
    assert [_ask(replay, "hello"), _ask(replay, "again"), _ask(replay, "hello")] == recorded
    assert replay.ledger.run.errors == 0 and replay.ledger.records[0].attempts == 2


def test_unseen_request_fails_loudly_with_the_first_difference(tmp_path: Path) -> None:
    cassette = tmp_path / "cassette.json"
    _ask(_client(RecordingTransport(MockModel().transport(), cassette)), "count the orders")
    replay = _client(ReplayTransport(cassette))
    with pytest.raises(CassetteMiss) as error:
        _ask(replay, "count the refunds")
    message = str(error.value)
    assert "never recorded" in message and "nearest recorded request (#1" in message
    assert '-    "content": "count the orders",' in message
    assert '+    "content": "count the refunds",' in message
    assert replay.breaker.state.value == "closed"  # a miss is not an API failure


def test_a_request_asked_more_often_than_recorded_is_a_miss(tmp_path: Path) -> None:
    cassette = tmp_path / "cassette.json"
    _ask(_client(RecordingTransport(MockModel().transport(), cassette)), "once")
    replay = _client(ReplayTransport(cassette))
    _ask(replay, "once")
    with pytest.raises(CassetteMiss, match="recorded 1 time"):
        _ask(replay, "once")


def test_missing_or_broken_cassette_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        ReplayTransport(tmp_path / "none.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(ConfigError, match="not valid JSON"):
        ReplayTransport(broken)


def test_first_difference_shows_one_hunk() -> None:
    old = {"body": {"a": 1, "b": [1, 2, 3], "z": "same"}}
    new = {"body": {"a": 2, "b": [1, 2, 3], "z": "same"}}
    diff = first_difference(old, new)
    assert '-  "a": 1,' in diff and '+  "a": 2,' in diff and diff.startswith("--- recorded")

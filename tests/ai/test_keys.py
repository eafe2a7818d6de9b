"""The API key: where it may come from, and that it never shows."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from charter.agents.ai import ApiKey, load_api_key
from charter.protocols import ConfigError

SECRET = "sk-ant-test-0123456789-SECRET"


def test_key_from_environment_is_redacted_everywhere() -> None:
    key = load_api_key(env={"ANTHROPIC_API_KEY": SECRET})
    assert key is not None and key.reveal() == SECRET
    assert key.label == "env:ANTHROPIC_API_KEY"
    for shown in (repr(key), str(key), f"{key}", repr([key]), repr({"k": key})):
        assert SECRET not in shown
    assert key.redact(f"bad key {SECRET}!") == "bad key [redacted]!"


def test_key_refuses_to_be_pickled() -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(ApiKey(SECRET, label="x"))


def test_no_key_gives_none_and_blank_is_none() -> None:
    assert load_api_key(env={}) is None
    assert load_api_key(env={"ANTHROPIC_API_KEY": "  "}) is None


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_private_key_file_is_accepted(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "key"
    path.write_text(SECRET + "\n")
    os.chmod(path, mode)
    key = load_api_key(env={"ANTHROPIC_API_KEY": "other"}, key_file=path)
    assert key is not None and key.reveal() == SECRET  # the file wins over the env
    assert SECRET not in repr(key)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_readable_key_file_is_refused_with_a_clear_message(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "key"
    path.write_text(SECRET)
    os.chmod(path, mode)
    with pytest.raises(ConfigError) as error:
        load_api_key(key_file=path)
    message = str(error.value)
    assert f"{mode:04o}" in message and "0600" in message and str(path) in message
    assert SECRET not in message


def test_missing_or_empty_key_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_api_key(key_file=tmp_path / "nope")
    empty = tmp_path / "empty"
    empty.write_text("\n")
    os.chmod(empty, 0o600)
    with pytest.raises(ConfigError, match="empty"):
        load_api_key(key_file=empty)


def test_key_never_reaches_debug_logs_and_rotation_takes_effect(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    from charter.agents.ai import AIClient
    from charter.agents.ai.mock import MockModel, text
    from charter.protocols import VirtualClock

    from .conftest import START

    server = MockModel(lambda body: [text("ok")])
    client = AIClient(
        key=ApiKey(SECRET, label="env:ANTHROPIC_API_KEY"),
        clock=VirtualClock(START),
        transport=server.transport(),
    )
    request = {
        "model": "claude-haiku-5-5",
        "max_tokens": 5,
        "messages": [{"role": "user", "content": "hi"}],
    }
    with caplog.at_level(logging.DEBUG):
        client.create(agent="data", request=request)
        rotated = "sk-ant-rotated-SECRET-2"
        client.rotate_key(ApiKey(rotated, label="file:/keys/new"))
        client.create(agent="data", request=request)
    sent = [h.get("authorization", "") + h.get("x-api-key", "") for h in server.headers]
    assert SECRET in sent[0] and rotated in sent[1] and SECRET not in sent[1]
    assert caplog.records  # the SDK did log at debug level...
    for record in caplog.records:  # ...and never the key
        assert SECRET not in record.getMessage() and rotated not in record.getMessage()

"""Checkpoints are redacted on values: a secret stored as a whole string, or a personal
value glued to a long neighbour, never reaches the `checkpoints` or `writes` tables in any
form (raw, hex, base64, UTF-16), whatever the durability, and also not when the run was
killed between steps. Erasure then removes a named subject from them too."""

from __future__ import annotations

import base64
import sqlite3
from pathlib import Path
from typing import Any, Literal, TypedDict

import pytest

from charter.memory import open_run_store
from charter.memory.checkpoint import RedactingSerializer, redact_structure
from charter.protocols import VirtualClock

from .conftest import START

KEY = "sk-ant-api03-Zq8xVb3LmN0pQrStUvWxYz0123456789abcdefgh"
CARD = "4111111111111111"
EMAIL = "zelda.q@example.org"
PHONE = "+1 415 555 0134"
# The next value in the serialised bytes: its msgpack type byte (0xd9, "Ù" read as latin-1)
# glued to the end of the one before made a domain "orgÙ(xxx…" the byte detectors missed.
LONG = "x" * 40
SUBJECT = "Zelda Quill"
SECRETS = [KEY, CARD, EMAIL, PHONE]


def _forms(value: str) -> list[bytes]:
    raw = value.encode("utf-8")
    return [raw, raw.hex().encode(), base64.b64encode(raw), value.encode("utf-16-le")]


class _State(TypedDict):
    key: str
    items: list[Any]
    notes: dict[str, str]
    count: int


def _initial() -> _State:
    return {
        "key": KEY,  # the whole string is the secret: msgpack puts its length byte before it
        "items": [EMAIL, LONG, CARD, (PHONE, LONG), f"customer {SUBJECT} asked"],
        "notes": {EMAIL: LONG, "who": SUBJECT},
        "count": 0,
    }


def _blob_bytes(path: Path) -> bytes:
    with sqlite3.connect(path) as connection:
        chunks: list[bytes] = []
        for table, columns in (("checkpoints", "checkpoint, metadata"), ("writes", "value")):
            for row in connection.execute(f"SELECT {columns} FROM {table}"):
                chunks.extend(bytes(cell) for cell in row if cell is not None)
    return b"\n".join(chunks)


def _run(path: Path, durability: Literal["sync", "async", "exit"], *, crash: bool) -> None:
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.graph import END, StateGraph
    from langgraph.graph import START as GRAPH_START

    def first(state: _State) -> dict[str, Any]:
        return {"items": [*state["items"], CARD, LONG, EMAIL], "count": state["count"] + 1}

    def second(state: _State) -> dict[str, Any]:
        if crash:
            raise RuntimeError("killed between steps")
        return {"count": state["count"] + 1}

    builder: StateGraph[_State] = StateGraph(_State)
    builder.add_node("first", first)
    builder.add_node("second", second)
    builder.add_edge(GRAPH_START, "first")
    builder.add_edge("first", "second")
    builder.add_edge("second", END)
    connection = sqlite3.connect(path, check_same_thread=False)
    try:
        graph = builder.compile(checkpointer=SqliteSaver(connection, serde=RedactingSerializer()))
        config = {"configurable": {"thread_id": "t"}}
        try:
            graph.invoke(_initial(), config, durability=durability)  # type: ignore[arg-type]
        except RuntimeError:
            assert crash
        connection.commit()
    finally:
        connection.close()


@pytest.mark.parametrize("durability", ["sync", "async", "exit"])
@pytest.mark.parametrize("crash", [False, True], ids=["finished", "killed"])
def test_no_secret_in_any_form_in_checkpoints(
    tmp_path: Path, durability: Literal["sync", "async", "exit"], crash: bool
) -> None:
    path = tmp_path / "run.db"
    _run(path, durability, crash=crash)
    data = _blob_bytes(path)
    assert data, "the graph wrote no checkpoint: the scan would prove nothing"
    assert b"REDACTED" in data
    for secret in SECRETS:
        for form in _forms(secret):
            assert form not in data, (secret, form[:20])
    assert SUBJECT.encode() in data  # a name is not a detector's business: erasure's


def test_erasure_removes_the_subject_from_checkpoints(tmp_path: Path) -> None:
    path = tmp_path / "run.db"
    store = open_run_store(f"sqlite:///{path}", clock=VirtualClock(START))
    try:
        _run(path, "sync", crash=True)
        assert SUBJECT.encode() in _blob_bytes(path)
        store.erase(SUBJECT, at=START, checkpoints=path)
    finally:
        store.close()
    data = _blob_bytes(path) + path.read_bytes()
    for form in _forms(SUBJECT):
        assert form not in data


def test_the_walk_rebuilds_instead_of_changing_the_graph_state() -> None:
    state = _initial()
    before = repr(state)
    cleaned = redact_structure(state)
    assert repr(state) == before  # the running graph keeps its own values
    assert cleaned["key"] == "[REDACTED:api_key]" and cleaned["count"] == 0
    assert isinstance(cleaned["items"][3], tuple)


def test_the_scan_would_see_a_secret_left_in(tmp_path: Path) -> None:
    # Control: a checkpoint written without the redacting serializer is caught by the scan.
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.graph import END, StateGraph
    from langgraph.graph import START as GRAPH_START

    builder: StateGraph[_State] = StateGraph(_State)
    builder.add_node("noop", lambda state: {"count": 1})
    builder.add_edge(GRAPH_START, "noop")
    builder.add_edge("noop", END)
    path = tmp_path / "plain.db"
    connection = sqlite3.connect(path, check_same_thread=False)
    graph = builder.compile(checkpointer=SqliteSaver(connection))
    graph.invoke(_initial(), {"configurable": {"thread_id": "t"}})  # type: ignore[arg-type]
    connection.commit()
    connection.close()
    assert KEY.encode() in _blob_bytes(path)

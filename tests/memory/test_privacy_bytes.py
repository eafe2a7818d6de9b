"""A card number or a secret put into a task never reaches the run database's bytes:
not the tables, not the write-ahead log, not LangGraph's checkpoints, not the events."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TypedDict

from charter.memory import RunStore, open_run_store
from charter.memory.checkpoint import RedactingSerializer, redact_bytes
from charter.protocols import (
    Escalation,
    MemoryKind,
    Message,
    Severity,
    TaskAssignment,
    VirtualClock,
)
from charter.protocols.events import TaskSubmitted

from .conftest import START

CARD = "4111 1111 1111 1111"
SECRET = "sk-ant-api03-Zq8xVb3LmN0pQrStUvWxYz0123456789"
EMAIL = "zelda.q@example.org"
NEEDLES = [CARD, CARD.replace(" ", ""), SECRET, EMAIL]
TEXT = f"charge card {CARD} for {EMAIL}; use key {SECRET}"


def _file_bytes(path: Path) -> bytes:
    data = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            data += candidate.read_bytes()
    return data


def _assert_absent(data: bytes) -> None:
    for needle in NEEDLES:
        assert needle.encode() not in data, needle


class _State(TypedDict):
    text: str


def _checkpoint_into(path: Path) -> str:
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.graph import END, StateGraph
    from langgraph.graph import START as GRAPH_START

    builder: StateGraph[_State] = StateGraph(_State)
    builder.add_node("echo", lambda state: {"text": state["text"] + " (seen)"})
    builder.add_edge(GRAPH_START, "echo")
    builder.add_edge("echo", END)
    connection = sqlite3.connect(path, check_same_thread=False)
    try:
        saver = SqliteSaver(connection, serde=RedactingSerializer())
        graph = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "run"}}
        graph.invoke({"text": TEXT}, config)  # type: ignore[arg-type]
        restored = graph.get_state(config).values["text"]  # type: ignore[arg-type]
        connection.commit()
    finally:
        connection.close()
    return str(restored)


def _write_everywhere(store: RunStore) -> None:
    task = TaskAssignment(id="t-1", title="Refund", task=TEXT, inputs={"card": CARD})
    store.append_event(TaskSubmitted(id="ev-1", at=START, task=task))
    store.put_message(
        Message(
            id="m-1",
            correlation_id="c-1",
            protocol="masking_review",
            sender="data",
            recipient="security",
            payload={"sample": TEXT},
            sent_at=START,
        )
    )
    store.upsert_escalation(
        Escalation(
            id="e-1",
            source="data",
            trigger="Data Breaches",
            severity=Severity.IMMEDIATE,
            summary=TEXT,
            evidence=[SECRET],
            raised_at=START,
        )
    )
    store.add_memory(
        agent="data",
        kind=MemoryKind.ERROR,
        content=TEXT,
        tags=[EMAIL],
        importance=0.9,
        source_event="ev-1",
        created_at=START,
        expires_at=None,
    )
    store.audit_append(actor="data", action="refund", target=EMAIL, details={"t": TEXT}, at=START)


def test_secret_in_a_task_never_reaches_the_file(tmp_path: Path) -> None:
    path = tmp_path / "run.db"
    store = open_run_store(f"sqlite:///{path}", clock=VirtualClock(START))
    try:
        _write_everywhere(store)
        restored = _checkpoint_into(path)  # the graph's checkpoints share the file
        # The checkpoint still loads; the value in it is masked.
        assert CARD not in restored and "[REDACTED:card]" in restored
        _assert_absent(_file_bytes(path))
        stream = "".join(event.model_dump_json() for _, event in store.events())
        for needle in NEEDLES:
            assert needle not in stream
        assert "[REDACTED:card]" in stream and "[REDACTED:api_key]" in stream
        redactions = [entry for entry in store.audit_tail(20) if entry.action == "redact"]
        assert {entry.target for entry in redactions} >= {"event:ev-1", "message:m-1"}
        assert store.verify_audit().ok
    finally:
        store.close()
    _assert_absent(_file_bytes(path))


def test_the_byte_check_would_see_an_unredacted_value(tmp_path: Path) -> None:
    # Control: the same scan finds a value written around the store, so the test above
    # cannot pass by looking in the wrong place.
    path = tmp_path / "run.db"
    store = open_run_store(f"sqlite:///{path}", clock=VirtualClock(START))
    store.close()
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE leak (v TEXT)")
        connection.execute("INSERT INTO leak VALUES (?)", (CARD,))
    assert CARD.encode() in _file_bytes(path)


def test_redact_bytes_keeps_length_and_offsets() -> None:
    data = f'{{"a":"{CARD}","b":"ok"}}'.encode()
    masked, counts = redact_bytes(data)
    assert len(masked) == len(data) and counts == {"card": 1}
    assert masked.endswith(b'","b":"ok"}') and CARD.encode() not in masked

"""Redaction for LangGraph checkpoints.

The graph keeps its checkpoints in the run database too, and they hold whatever the graph
state holds — possibly a task's text with a card number in it. `RedactingSerializer` wraps
LangGraph's serializer and masks personal values in the serialised bytes before the saver
stores them:

    SqliteSaver(connection, serde=RedactingSerializer())

The mask keeps the byte length (`[card]****...`), so every length prefix of the msgpack or
JSON encoding stays valid and the checkpoint still loads — with the value gone.
"""

from __future__ import annotations

from typing import Any

from charter.protocols.pii import find_pii

from .redaction import REDACTED_KINDS


def _mask(kind: str, length: int) -> str:
    label = f"[{kind}]"
    return label + "*" * (length - len(label)) if length >= len(label) else "*" * length


def redact_bytes(data: bytes) -> tuple[bytes, dict[str, int]]:
    """Mask personal values inside serialised bytes, keeping every byte offset."""
    # latin-1 maps each byte to one character, so match spans are byte spans.
    text = data.decode("latin-1")
    matches = find_pii(text, REDACTED_KINDS)
    if not matches:
        return data, {}
    counts: dict[str, int] = {}
    buffer = bytearray(data)
    for match in matches:
        buffer[match.start : match.end] = _mask(match.kind.value, match.end - match.start).encode(
            "ascii"
        )
        counts[match.kind.value] = counts.get(match.kind.value, 0) + 1
    return bytes(buffer), counts


class RedactingSerializer:
    """A LangGraph `SerializerProtocol` that redacts what it serialises."""

    def __init__(self, inner: Any | None = None) -> None:
        if inner is None:
            from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

            inner = JsonPlusSerializer()
        self._inner = inner

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        kind, data = self._inner.dumps_typed(obj)
        masked, _ = redact_bytes(data)
        return str(kind), masked

    def loads_typed(self, data: tuple[str, bytes]) -> Any:
        return self._inner.loads_typed(data)


__all__ = ["RedactingSerializer", "redact_bytes"]

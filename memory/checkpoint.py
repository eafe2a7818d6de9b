"""Redaction for LangGraph checkpoints.

The graph keeps its checkpoints in the run database too, and they hold whatever the graph
state holds — possibly a task's text with a card number in it. `RedactingSerializer` wraps
LangGraph's serializer and redacts before the saver stores anything:

    SqliteSaver(connection, serde=RedactingSerializer())

First on values: the checkpoint is walked as the structure it is (dicts, lists, tuples,
sets, dataclasses, pydantic models) and every string, keys included, goes through the
store's own `redact`. Matching over the serialised bytes alone is not enough: msgpack glues
a length or type byte to each value, and a detector that needs a word boundary then misses
a key stored as a whole string or an e-mail followed by a long token. The byte pass
(`redact_bytes`) still runs after, as a net for objects the walk cannot open; its mask
keeps the byte length (`[card]****...`) so every length prefix stays valid.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

from pydantic import BaseModel

from charter.protocols.pii import find_pii

from .redaction import REDACTED_KINDS, redact


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


def redact_structure(value: Any, tally: Counter[str] | None = None) -> Any:
    """`value` with every string inside it redacted; containers rebuilt, never changed in
    place (the graph still holds the originals). What the walk cannot rebuild is returned
    as it is and left to the byte pass."""
    counts: Counter[str] = Counter() if tally is None else tally
    return _walk(value, counts, 0)


_MAX_DEPTH = 200  # checkpoints are shallow; deeper is left to the byte pass, not recursed


def _walk(value: Any, tally: Counter[str], depth: int) -> Any:
    if isinstance(value, str):
        cleaned, found = redact(value)
        tally.update(found)
        return cleaned
    if depth > _MAX_DEPTH or value is None or isinstance(value, (bytes, int, float, bool)):
        return value
    deeper = depth + 1
    if isinstance(value, dict):
        return {_walk(k, tally, deeper): _walk(v, tally, deeper) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(item, tally, deeper) for item in value]
    if isinstance(value, (set, frozenset)):
        return type(value)(_walk(item, tally, deeper) for item in value)
    if isinstance(value, tuple):
        items = [_walk(item, tally, deeper) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    try:
        if isinstance(value, BaseModel):
            fields = type(value).model_fields
            update = {name: _walk(getattr(value, name), tally, deeper) for name in fields}
            return value.model_copy(update=update)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {
                field.name: _walk(getattr(value, field.name), tally, deeper)
                for field in dataclasses.fields(value)
                if field.init
            }
            return dataclasses.replace(value, **changes)
    except (TypeError, ValueError, AttributeError):
        return value  # an object that cannot be rebuilt: the byte pass still sees it
    return value


class RedactingSerializer:
    """A LangGraph `SerializerProtocol` that redacts what it serialises."""

    def __init__(self, inner: Any | None = None) -> None:
        if inner is None:
            from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

            inner = JsonPlusSerializer()
        self._inner = inner

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        kind, data = self._inner.dumps_typed(redact_structure(obj))
        masked, _ = redact_bytes(data)
        return str(kind), masked

    def loads_typed(self, data: tuple[str, bytes]) -> Any:
        return self._inner.loads_typed(data)


__all__ = ["RedactingSerializer", "redact_bytes", "redact_structure"]

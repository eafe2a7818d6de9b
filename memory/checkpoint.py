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
(`redact_bytes`) still runs after, when the walk met an object it cannot open (bytes, a
class it cannot rebuild); its mask keeps the byte length (`[card]****...`) so every length
prefix stays valid.
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
    place (the graph still holds the originals)."""
    walk = _Walk(Counter() if tally is None else tally)
    return walk.value(value, 0)


# LangGraph's own bookkeeping in a checkpoint: ids, timestamps and channel versions it
# generates (digit strings the phone and card detectors would each have to rule out, which
# cost milliseconds a checkpoint). Only `channel_values` and pending sends hold state.
_BOOKKEEPING = frozenset({"v", "id", "ts", "channel_versions", "versions_seen", "updated_channels"})
_MAX_DEPTH = 200  # checkpoints are shallow; deeper is left to the byte pass, not recursed


class _Walk:
    def __init__(self, tally: Counter[str]) -> None:
        self.tally = tally
        self.opaque = False  # met something it could not open: the byte pass must run

    def value(self, value: Any, depth: int) -> Any:
        if isinstance(value, str):
            cleaned, found = redact(value)
            if found:
                self.tally.update(found)
            return cleaned
        if value is None or isinstance(value, (int, float, bool)):
            return value
        if isinstance(value, bytes) or depth > _MAX_DEPTH:
            self.opaque = True
            return value
        deeper = depth + 1
        if isinstance(value, dict):
            if "channel_values" in value and "channel_versions" in value:
                return {
                    key: item if key in _BOOKKEEPING else self.value(item, deeper)
                    for key, item in value.items()
                }
            return {self.value(k, deeper): self.value(v, deeper) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(item, deeper) for item in value]
        if isinstance(value, (set, frozenset)):
            return type(value)(self.value(item, deeper) for item in value)
        if isinstance(value, tuple):
            items = [self.value(item, deeper) for item in value]
            return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
        return self._object(value, deeper)

    def _object(self, value: Any, deeper: int) -> Any:
        try:
            if isinstance(value, BaseModel):
                fields = type(value).model_fields
                update = {name: self.value(getattr(value, name), deeper) for name in fields}
                return value.model_copy(update=update)
            if dataclasses.is_dataclass(value) and not isinstance(value, type):
                changes = {
                    field.name: self.value(getattr(value, field.name), deeper)
                    for field in dataclasses.fields(value)
                    if field.init
                }
                return dataclasses.replace(value, **changes)
        except (TypeError, ValueError, AttributeError):
            pass
        self.opaque = True  # an object the walk cannot rebuild: the byte pass still sees it
        return value


class RedactingSerializer:
    """A LangGraph `SerializerProtocol` that redacts what it serialises."""

    def __init__(self, inner: Any | None = None) -> None:
        if inner is None:
            from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

            inner = JsonPlusSerializer()
        self._inner = inner

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        walk = _Walk(Counter())
        kind, data = self._inner.dumps_typed(walk.value(obj, 0))
        if walk.opaque:
            data, _ = redact_bytes(data)
        return str(kind), data

    def loads_typed(self, data: tuple[str, bytes]) -> Any:
        return self._inner.loads_typed(data)


__all__ = ["RedactingSerializer", "redact_bytes", "redact_structure"]

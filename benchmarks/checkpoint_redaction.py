"""Checkpoint serialisation with value-level redaction (`RedactingSerializer`: walk the
state, redact each string, encode, then the byte net) next to LangGraph's plain
`JsonPlusSerializer` on the same checkpoints, interleaved in one run. Prints µs per
checkpoint and the ratio; asserts nothing.

    .venv/bin/python -P benchmarks/checkpoint_redaction.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from charter.memory.checkpoint import RedactingSerializer, redact_bytes


class BytesOnlySerializer:
    """The serializer before value-level redaction: plain encoding, then the byte pass
    over every blob (kept here as a reference point)."""

    def __init__(self) -> None:
        self._inner = JsonPlusSerializer()

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        kind, data = self._inner.dumps_typed(obj)
        return kind, redact_bytes(data)[0]


def work_item_checkpoint(rng: random.Random, personal: bool) -> dict[str, Any]:
    """A checkpoint shaped like one work item's (graph/state.py): the item, its outcome,
    channel versions; some carry an e-mail or a card in the task text."""
    text = f"refund order {rng.randrange(10**6)} and tell the customer"
    if personal:
        text += rng.choice([" at zelda.q@example.org", " card 4111 1111 1111 1111"])
    return {
        "v": 4,
        "id": f"1f0{rng.randrange(10**12):012x}",
        "ts": "2026-03-02T01:00:00+00:00",
        "channel_values": {
            "work": {
                "id": f"task:t-{rng.randrange(10**5)}",
                "kind": "task",
                "seq": rng.randrange(10**5),
                "ref": "t-1",
                "agent": "data",
                "task_id": "t-1",
                "correlation_id": f"c-{rng.randrange(10**6)}",
                "cause": "task",
                "due": "2026-03-02T01:00:00+00:00",
            },
            "outcome": "done",
            "note": text,
        },
        "channel_versions": {name: f"{n:032}.0.{rng.random()}" for n, name in enumerate("abcd")},
        "versions_seen": {"route": {"a": "00000000000000000000000000000001.0.5"}},
    }


def per_item_us(serializer: Any, items: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    for item in items:
        serializer.dumps_typed(item)
    return (time.perf_counter() - start) / len(items) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--items", type=int, default=5000)
    args = parser.parse_args()
    rng = random.Random(7)
    items = [work_item_checkpoint(rng, personal=rng.random() < 0.2) for _ in range(args.items)]
    contenders: dict[str, Any] = {
        "plain JsonPlusSerializer": JsonPlusSerializer(),
        "byte pass only (before)": BytesOnlySerializer(),
        "RedactingSerializer (values)": RedactingSerializer(),
    }
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for round_number in range(args.rounds):  # alternate the order: load hits all alike
        names = list(contenders) if round_number % 2 == 0 else list(reversed(contenders))
        for name in names:
            samples[name].append(per_item_us(contenders[name], items))
    base = min(samples["plain JsonPlusSerializer"])
    print(f"{args.items} checkpoints, best of {args.rounds} rounds (median in brackets)")
    for name, values in samples.items():
        best = min(values)
        print(f"  {name:<30} {best:8.1f} µs  ({statistics.median(values):.1f})  {best / base:.1f}x")


if __name__ == "__main__":
    main()

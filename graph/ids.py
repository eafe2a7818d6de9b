"""Deterministic identifiers: the same run, seed and inputs always give the same ids, so two
runs have the same digest and a re-executed node re-appends nothing (the store ignores an
event id it already holds)."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def stable_id(prefix: str, *parts: Any) -> str:
    """`prefix-<16 hex>` from the canonical JSON of `parts` (never uuid4)."""
    blob = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return f"{prefix}-{hashlib.sha256(blob.encode()).hexdigest()[:16]}"


class IdScope:
    """Ids for everything one node execution emits: scope + running index. A node that
    LangGraph re-runs (after an interrupt or a crash) gets the same ids again."""

    def __init__(self, run_id: str, *scope: Any) -> None:
        self._run_id = run_id
        self._scope = scope
        self._n = 0

    def next(self, prefix: str = "ev") -> str:
        self._n += 1
        return stable_id(prefix, self._run_id, *self._scope, self._n)


def run_id_for(seed: int, name: str) -> str:
    return stable_id("run", name, seed)


__all__ = ["IdScope", "run_id_for", "stable_id"]

"""What the graph needs from the run store and the authority engine.

The store is `charter.memory.RunStore` (the run-store contract); the authority engine is
anything with `decide(role, path) -> AuthorityDecision` (`charter.graph.authority`), so
tests can hand in a stub engine when they exercise something else.
"""

from __future__ import annotations

from typing import Protocol

from charter.memory import RunStore
from charter.protocols import AuthorityDecision

RunStoreLike = RunStore


class AuthorityLike(Protocol):
    def decide(self, role: str, path: str) -> AuthorityDecision: ...


__all__ = ["AuthorityLike", "RunStoreLike"]

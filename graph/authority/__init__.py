"""The authority gate: may `role` write `path`? (DESIGN.md "Authority gate").

- `claims`: every pattern of the team compiled once, indexed by the folder names and
  extensions it spells out;
- `names`: what a file name alone says (its class), computed from its extension bucket;
- `engine`: `AuthorityEngine`, the cached fast path (folder facts x name facts);
- `reference`: the same decision over every pattern, no index (what the fast path must
  equal), and the step-by-step explanation;
- `verdict`: `Verdict`, the cheap form of a decision.

Importing this package does not import langgraph.
"""

from __future__ import annotations

from .engine import AuthorityEngine
from .verdict import Verdict

__all__ = ["AuthorityEngine", "Verdict"]

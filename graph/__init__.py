"""charter.graph: the LangGraph state machine, the authority gate, protocol delivery,
escalation, activation and the `Orchestrator`.

Public names load lazily (PEP 562 module `__getattr__`): `import charter.graph.authority`
must not pull in langgraph, which the orchestrator needs and the authority gate does not.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .authority import AuthorityEngine, Verdict
    from .budgets import Budgets
    from .options import RunOptions
    from .orchestrator import Orchestrator, StepResult
    from .paths import PathRefused, WorkspaceLinks, clean_path

# public name -> module (relative to this package) that defines it
_LAZY = {
    "AuthorityEngine": ".authority",
    "Verdict": ".authority",
    "PathRefused": ".paths",
    "WorkspaceLinks": ".paths",
    "clean_path": ".paths",
    "Orchestrator": ".orchestrator",
    "StepResult": ".orchestrator",
    "Budgets": ".budgets",
    "RunOptions": ".options",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "AuthorityEngine",
    "Budgets",
    "Orchestrator",
    "PathRefused",
    "RunOptions",
    "StepResult",
    "Verdict",
    "WorkspaceLinks",
    "clean_path",
]

"""charter.graph: the LangGraph state machine, the authority gate, protocol delivery,
escalation, activation and the `Orchestrator`.

Public names load lazily (PEP 562 module `__getattr__`): `import charter.graph.authority`
must not pull in langgraph, which the orchestrator needs and the authority gate does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from charter.protocols.lazy import lazy_exports

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


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())


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

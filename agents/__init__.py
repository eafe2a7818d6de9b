"""charter.agents: role policies and brains, the Data agent's tools, and role charters
(loading, validation, conflicts, seed-markdown import).

Names load lazily (PEP 562) so importing one part does not load every other part.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from charter.protocols.lazy import lazy_exports

if TYPE_CHECKING:
    from .brain import Brain, ScriptedBrain
    from .role_import import ImportResult, import_role_markdown
    from .team import Conflict, load_charter, load_team, team_conflicts

_LAZY = {
    "Brain": ".brain",
    "ScriptedBrain": ".brain",
    "Conflict": ".team",
    "load_charter": ".team",
    "load_team": ".team",
    "team_conflicts": ".team",
    "ImportResult": ".role_import",
    "import_role_markdown": ".role_import",
}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())


__all__ = [
    "Brain",
    "Conflict",
    "ImportResult",
    "ScriptedBrain",
    "import_role_markdown",
    "load_charter",
    "load_team",
    "team_conflicts",
]

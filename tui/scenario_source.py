"""Live sources for scenario files, through the scenario runner.

The TUI needs one thing from `charter.scenarios`: a way to open a scenario as a live run
that the TUI steps and the PM decides in. It looks for `open_live(path, run_dir)` returning
an `Orchestrator` (with the PM policy "wait"); until the runner provides it, scenario files
are refused with a clear message and the built-in `demo` scenario still works.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from charter.protocols import ConfigError

from .live_source import OrchestratorSource


def open_scenario_file(path: Path, run_dir: Path) -> OrchestratorSource:
    import charter.scenarios as scenarios

    opener: Any = getattr(scenarios, "open_live", None)
    if opener is None:
        raise ConfigError(
            f"scenario {path}: this build's scenario runner cannot open a scenario live "
            "(charter.scenarios.open_live is missing); try `charter tui demo`"
        )
    orchestrator = opener(path, run_dir)
    return OrchestratorSource(orchestrator, title=f"scenario {path.stem}")


__all__ = ["open_scenario_file"]

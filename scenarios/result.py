"""What playing a scenario gives back: the digest, the checked expectations, the events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from charter.memory.anchor import read_anchor
from charter.protocols import Event

from .expectations import ExpectationResult


@dataclass
class ScenarioResult:
    name: str
    path: Path
    run_dir: Path
    seed: int
    digest: str
    results: list[ExpectationResult]
    events: list[Event]
    simulated: timedelta
    wall_seconds: float
    error: str | None = None
    denied: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.error is None and all(r.passed for r in self.results)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": str(self.path),
            "run_dir": str(self.run_dir),
            "seed": self.seed,
            "passed": self.passed,
            "digest": self.digest,
            "events": len(self.events),
            "simulated_seconds": self.simulated.total_seconds(),
            "wall_seconds": round(self.wall_seconds, 3),
            "error": self.error,
            "expectations": [r.as_dict() for r in self.results],
            # The signed audit head: a report kept elsewhere shows later truncation.
            "audit_head": read_anchor(self.run_dir),
        }


__all__ = ["ScenarioResult"]

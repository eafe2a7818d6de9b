"""Loop budgets: every loop in a run has a ceiling, and hitting one is an event and an
escalation — never a hang.

- `turns_per_task`: agent turns spent on one correlation (task, signal or conversation);
- `handoffs`: requests that hand the work to another agent within one correlation;
- `messages_per_correlation`: every message (requests, replies, dead letters) in one;
- `steps_per_turn`: brain calls within one turn (a brain that never stops proposing).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Budgets:
    turns_per_task: int = 24
    handoffs: int = 8
    messages_per_correlation: int = 32
    steps_per_turn: int = 6
    # What one turn may propose: a brain that answers with hundreds of sends (a model gone
    # wrong) has the rest dropped and the PM told, instead of flooding the run.
    actions_per_turn: int = 40

    def __post_init__(self) -> None:
        for name in (
            "turns_per_task",
            "handoffs",
            "messages_per_correlation",
            "steps_per_turn",
            "actions_per_turn",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"budget {name} must be at least 1")


class TurnCounter:
    """Turns per correlation, kept in memory and rebuilt from `turn_completed` events when a
    run is reopened (so the state stays small and a restart forgets nothing)."""

    def __init__(self) -> None:
        self._turns: Counter[str] = Counter()

    def add(self, correlation_id: str) -> int:
        self._turns[correlation_id] += 1
        return self._turns[correlation_id]

    def used(self, correlation_id: str) -> int:
        return self._turns[correlation_id]


__all__ = ["Budgets", "TurnCounter"]

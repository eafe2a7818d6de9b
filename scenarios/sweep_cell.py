"""Playing one sweep cell and turning its run into one flat result row.

Runs in a worker process (pool or Ray), so it takes and returns plain data only.
"""

from __future__ import annotations

import dataclasses
import json
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

from charter.protocols import Event

from .loader import LoadedScenario, load_scenario
from .sweep_matrix import Cell
from .sweep_row import Row

# Columns a data person gets, in order; `wall_seconds` is the only one that differs
# between two runs of the same cell.
COLUMNS = (
    "scenario",
    "seed",
    "variant",
    "pm_policy",
    "fault_rate",
    "passed",
    "expect_passed",
    "expect_total",
    "expectations",
    "error",
    "events",
    "escalations",
    "escalations_by",
    "decision_latency_s",
    "denied_writes",
    "messages",
    "llm_cost_usd",
    "digest",
    "run_dir",
    "wall_seconds",
)


def _apply(loaded: LoadedScenario, cell: Cell) -> LoadedScenario:
    """The scenario with the cell's overrides; unvaried fields stay as written."""
    scenario = loaded.scenario
    policy = cell.variant.get("pm_policy")
    if policy is not None:
        scenario = scenario.model_copy(
            update={"pm": scenario.pm.model_copy(update={"policy": policy})}
        )
    rate = cell.variant.get("fault_rate")
    if rate is not None:
        chance = float(rate)
        # One draw per (seed, step index): the same cell drops the same faults anywhere.
        kept = [
            step
            for index, step in enumerate(scenario.timeline)
            if step.fault is None or random.Random(f"{cell.seed}:{index}").random() < chance
        ]
        scenario = scenario.model_copy(update={"timeline": kept})
    return dataclasses.replace(loaded, scenario=scenario)


def _escalation_figures(events: list[Event]) -> tuple[int, dict[str, int], float | None]:
    raised: dict[str, Any] = {}
    by: Counter[str] = Counter()
    latencies: list[float] = []
    for event in events:
        if event.kind == "escalation_raised":
            raised[event.escalation.id] = event.escalation
            by[f"{event.escalation.trigger}|{event.escalation.severity}"] += 1
        elif event.kind == "escalation_decided" and event.escalation_id in raised:
            began = raised[event.escalation_id].raised_at
            latencies.append((event.at - began).total_seconds())
    mean = round(sum(latencies) / len(latencies), 3) if latencies else None
    return len(raised), dict(sorted(by.items())), mean


@dataclasses.dataclass(frozen=True)
class BrainChoice:
    """Which agents think with Claude in every cell (`charter run`'s --brain/--llm options),
    as plain data: a cell runs in another process or on another machine."""

    specs: tuple[str, ...] = ()  # ROLE=claude, as --brain takes them
    llm: str | None = None  # live, record, replay, off
    key_file: Path | None = None
    mock_model: bool = False
    ai_config: Path | None = None
    cassette: Path | None = None


def _brains(choice: BrainChoice | None, loaded: LoadedScenario, run_dir: Path, seed: int) -> Any:
    if choice is None or not choice.specs:
        return None
    from charter.agents.brains import claude_brains, load_ai_config, parse_brain_specs

    brains, _ = claude_brains(
        loaded.team,
        parse_brain_specs(list(choice.specs), loaded.team),
        llm=choice.llm,
        run_dir=run_dir,
        clock=None,
        key_file=choice.key_file,
        mock=choice.mock_model,
        scenario=loaded.scenario.name,
        seed=seed,
        run_config=load_ai_config(choice.ai_config) if choice.ai_config is not None else None,
        cassette=choice.cassette,
    )
    return dict(brains)


def run_cell(cell: Cell, out: Path, brains: BrainChoice | None = None) -> Row:
    """Play the cell in its own run directory under `out`; its result row."""
    from .runner import run_scenario

    began = time.perf_counter()
    loaded = _apply(load_scenario(cell.path), cell)
    run_dir = cell.run_dir(out)
    thinking = _brains(brains, loaded, run_dir, cell.seed)
    result = run_scenario(loaded, run_dir, seed=cell.seed, brains=thinking)
    events = result.events
    count, by, latency = _escalation_figures(events)
    usage = [e.cost_usd for e in events if e.kind == "ai_usage"]
    return {
        "scenario": cell.scenario,
        "seed": cell.seed,
        "variant": cell.variant.label,
        "pm_policy": loaded.scenario.pm.policy,
        "fault_rate": float(cell.variant.get("fault_rate") or 1.0),
        "passed": int(result.passed),
        "expect_passed": sum(r.passed for r in result.results),
        "expect_total": len(result.results),
        "expectations": json.dumps([[r.check, r.passed] for r in result.results]),
        "error": result.error,
        "events": len(events),
        "escalations": count,
        "escalations_by": json.dumps(by),
        "decision_latency_s": latency,
        "denied_writes": sum(
            1 for e in events if e.kind == "authority_checked" and not e.decision.allowed
        ),
        "messages": sum(1 for e in events if e.kind == "message_sent"),
        "llm_cost_usd": round(sum(usage), 6) if usage else None,
        "digest": result.digest,
        "run_dir": str(run_dir.relative_to(out)),
        "wall_seconds": round(time.perf_counter() - began, 3),
    }


__all__ = ["COLUMNS", "BrainChoice", "run_cell"]

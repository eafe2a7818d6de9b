"""Tokens and cost per agent turn when agents think with Claude, through the mock model.

Run: .venv/bin/python -P benchmarks/llm_cost.py [--tasks 12]

Every agent of the default team runs on a ClaudeBrain over the built-in mock Messages
server (the real SDK client, the real request builder, usage billed like the API: input,
cache writes and cache reads of the stable prefix, output). Each workload runs twice in the
same process: with the brain's context budget (1,000 tokens for the per-step message) and
without it (the baseline). Reported per workload and agent: model calls, mean prompt tokens
per call (uncached input + cache reads + cache writes), mean uncached input, and dollars.
A second part measures one heavy view (a long inbox and many memories) directly, which is
where the budget matters most. Target: under 4,000 prompt tokens per call with budgeting.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from charter.agents.ai import AIClient, UsageLedger
from charter.agents.ai.mock import MockModel
from charter.agents.brains import ClaudeBrain, ClaudeSettings
from charter.agents.policies import RuleBrain
from charter.agents.team import load_team
from charter.graph.orchestrator import Orchestrator
from charter.protocols import (
    AgentView,
    MemoryKind,
    MemorySnippet,
    Message,
    Signal,
    TaskAssignment,
    Team,
    VirtualClock,
)

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
TARGET = 4000
Workload = Callable[[Orchestrator, int], None]


def _pipeline_failure(orch: Orchestrator, n: int) -> None:
    orch.signal("pipeline_failed", pipeline="load_orders", error="duplicate key value")


def _schema_change(orch: Orchestrator, n: int) -> None:
    orch.signal("schema_changed", table="customers", column="email")
    orch.submit("Review the customers schema change for privacy", to="data")


def _breach(orch: Orchestrator, n: int) -> None:
    orch.signal("data_breach", table="customers", rows=1200)


def _long_run(orch: Orchestrator, n: int) -> None:
    # Many tasks in a row: memories and history grow, which is what budgeting is for.
    for i in range(n):
        orch.submit(f"Nightly quality review #{i}: orders, refunds and customers tables", to="data")
        orch.run_until_idle()
        if isinstance(orch.clock, VirtualClock):
            orch.clock.advance(timedelta(hours=1))


WORKLOADS: dict[str, Workload] = {
    "pipeline-failure": _pipeline_failure,
    "schema-change": _schema_change,
    "data-breach": _breach,
    "long-run": _long_run,
}


def run_workload(
    team: Team, name: str, work: Workload, budget: int | None, tasks: int
) -> UsageLedger:
    root = Path(tempfile.mkdtemp(prefix="llm-cost-"))
    try:
        clock = VirtualClock(START)
        client = AIClient(key=None, clock=clock, transport=MockModel().transport(),
                          sleep=lambda s: None, scenario=name)
        settings = ClaudeSettings(context_tokens=budget)
        brains: dict[str, Any] = {
            role: ClaudeBrain(role, client, fallback=RuleBrain(role), settings=settings)
            for role in team.roles
        }
        orch = Orchestrator(root / "run", team=team, brains=brains, clock=clock, seed=1,
                            name=name)
        try:
            work(orch, tasks)
            orch.run_until_idle()
        finally:
            orch.close()
        return client.ledger
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _prompt(totals: Any) -> int:
    return int(totals.input_tokens + totals.cache_read_tokens + totals.cache_write_tokens)


def heavy_view(team: Team) -> AgentView:
    now = START
    inbox = [Message(id=f"m{i}", correlation_id="c", protocol="schema_review", kind="reply",
                     sender="architect", recipient="data", sent_at=now,
                     payload={"verdict": "approve", "notes": "column review " * 40})
             for i in range(40)]
    memories = [MemorySnippet(id=f"k{i}", kind=MemoryKind.ERROR, score=i / 100,
                              content=f"incident {i}: duplicate keys in load_orders " * 12)
                for i in range(100)]
    return AgentView(role="data", charter=team.roles["data"], now=now, team=list(team.roles),
                     signal=Signal(id="s", kind="pipeline_failed", at=now,
                                   payload={"pipeline": "load_orders"}),
                     task=TaskAssignment(id="t", title="Recover", task="Recover load_orders"),
                     inbox=inbox, memories=memories)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=12, help="tasks in the long run")
    args = parser.parse_args()
    team = load_team()
    began = time.perf_counter()
    print(f"{'workload':<17} {'budget':<8} {'agent':<12} {'calls':>5} {'prompt/call':>11} "
          f"{'uncached/call':>13} {'cost $':>10}")
    worst_budgeted = 0
    for name, work in WORKLOADS.items():
        per_variant: dict[str, int] = {}
        for label, budget in (("1000", 1000), ("none", None)):
            ledger = run_workload(team, name, work, budget, args.tasks)
            for agent, totals in sorted(ledger.by_agent.items()):
                sent = totals.calls - totals.errors
                if not sent:
                    continue
                per_call = _prompt(totals) / sent
                if budget is not None:
                    worst_budgeted = max(worst_budgeted, round(per_call))
                print(f"{name:<17} {label:<8} {agent:<12} {sent:>5} {per_call:>11.0f} "
                      f"{totals.input_tokens / sent:>13.0f} {totals.cost_usd:>10.5f}")
            per_variant[label] = _prompt(ledger.run)
        if per_variant.get("none"):
            print(f"{name:<17} prompt tokens, budgeted / unbudgeted: "
                  f"{per_variant['1000'] / per_variant['none']:.3f}")
    print()
    view = heavy_view(team)
    sizes = {}
    for label, budget in (("1000", 1000), ("none", None)):
        client = AIClient(key=None, clock=VirtualClock(START), transport=MockModel().transport())
        brain = ClaudeBrain("data", client, settings=ClaudeSettings(context_tokens=budget))
        brain.decide(view)
        sizes[label] = _prompt(client.ledger.run)
        print(f"heavy view (40 inbox messages, 100 memories), budget {label}: "
              f"{sizes[label]} prompt tokens in one call")
    print(f"heavy view ratio budgeted / unbudgeted: {sizes['1000'] / sizes['none']:.3f}")
    verdict = "met" if max(worst_budgeted, sizes["1000"]) < TARGET else "NOT met"
    print(f"target < {TARGET} prompt tokens per call with budgeting: {verdict} "
          f"(worst mean per agent {worst_budgeted}, heavy view {sizes['1000']})")
    print(f"elapsed {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()

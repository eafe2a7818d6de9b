"""Tokens and cost per agent turn when agents think with Claude, through the mock model.

Run: .venv/bin/python -P benchmarks/llm_cost.py [--tasks 12]

Part one: two built-in workloads (a schema change; a long run of tasks, where memories
grow) with every agent of the default team on a ClaudeBrain over the built-in mock
Messages server: the real SDK client, the real request builder, usage billed like the API
(input, cache writes and reads of the stable prefix, output). Each runs twice in the same
process: with the brain's context budget (1,000 tokens for the per-step message) and
without it (the baseline). Reported per agent: model calls, mean prompt tokens per call
(uncached input + cache reads + cache writes), mean uncached input, dollars.
Part two: each library scenario (`scenarios/library/*.yaml`) with every agent on Claude,
through the scenario runner. Part three: one heavy view (a long inbox, many memories)
measured directly, where the budget matters most.
Target: under 4,000 prompt tokens per call with budgeting.
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
from charter.agents.tools import default_tools
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


def _schema_change(orch: Orchestrator, n: int) -> None:
    orch.signal("schema_changed", table="customers", column="email")
    orch.submit("Review the customers schema change for privacy", to="data")


def _long_run(orch: Orchestrator, n: int) -> None:
    # Many tasks in a row: memories and history grow, which is what budgeting is for.
    for i in range(n):
        orch.submit(f"Nightly quality review #{i}: orders, refunds and customers tables", to="data")
        orch.run_until_idle()
        if isinstance(orch.clock, VirtualClock):
            orch.clock.advance(timedelta(hours=1))


WORKLOADS: dict[str, Workload] = {
    "schema-change": _schema_change,
    "long-run": _long_run,
}


def run_workload(
    team: Team, name: str, work: Workload, budget: int | None, tasks: int
) -> UsageLedger:
    root = Path(tempfile.mkdtemp(prefix="llm-cost-"))
    try:
        clock = VirtualClock(START)
        client = AIClient(
            key=None,
            clock=clock,
            transport=MockModel().transport(),
            sleep=lambda s: None,
            scenario=name,
        )
        settings = ClaudeSettings(context_tokens=budget)
        brains: dict[str, Any] = {
            role: ClaudeBrain(role, client, fallback=RuleBrain(role), settings=settings)
            for role in team.roles
        }
        orch = Orchestrator(root / "run", team=team, brains=brains, clock=clock, seed=1, name=name)
        try:
            work(orch, tasks)
            orch.run_until_idle()
        finally:
            orch.close()
        return client.ledger
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run_library(team_roles: list[str], path: Path, budget: int | None) -> tuple[UsageLedger, bool]:
    """One library scenario with every agent on Claude through the mock model."""
    from charter.agents.brains import claude_brains
    from charter.scenarios import load_scenario, run_scenario

    loaded = load_scenario(path)
    root = Path(tempfile.mkdtemp(prefix="llm-cost-lib-"))
    try:
        kinds: dict[str, Any] = {role: "claude" for role in loaded.team.roles}
        settings = {role: ClaudeSettings(context_tokens=budget) for role in loaded.team.roles}
        brains, client = claude_brains(
            loaded.team,
            kinds,
            llm="mock",
            run_dir=root,
            settings=settings,
            scenario=loaded.scenario.name,
        )
        assert client is not None
        result = run_scenario(loaded, root / "run", brains=brains)
        return client.ledger, result.error is None
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _prompt(totals: Any) -> int:
    return int(totals.input_tokens + totals.cache_read_tokens + totals.cache_write_tokens)


def heavy_view(team: Team) -> AgentView:
    now = START
    inbox = [
        Message(
            id=f"m{i}",
            correlation_id="c",
            protocol="schema_review",
            kind="reply",
            sender="architect",
            recipient="data",
            sent_at=now,
            payload={"verdict": "approve", "notes": "column review " * 40},
        )
        for i in range(40)
    ]
    memories = [
        MemorySnippet(
            id=f"k{i}",
            kind=MemoryKind.ERROR,
            score=i / 100,
            content=f"incident {i}: duplicate keys in load_orders " * 12,
        )
        for i in range(100)
    ]
    return AgentView(
        role="data",
        charter=team.roles["data"],
        now=now,
        team=list(team.roles),
        signal=Signal(id="s", kind="pipeline_failed", at=now, payload={"pipeline": "load_orders"}),
        task=TaskAssignment(id="t", title="Recover", task="Recover load_orders"),
        inbox=inbox,
        memories=memories,
    )


def _print_agents(name: str, label: str, ledger: UsageLedger) -> int:
    """One row per agent that sent calls; the largest prompt per call among them."""
    worst = 0
    for agent, totals in sorted(ledger.by_agent.items()):
        sent = totals.calls - totals.errors
        if not sent:
            continue
        per_call = _prompt(totals) / sent
        worst = max(worst, round(per_call))
        print(
            f"{name:<17} {label:<8} {agent:<12} {sent:>5} {per_call:>11.0f} "
            f"{totals.input_tokens / sent:>13.0f} {totals.cost_usd:>10.5f}"
        )
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=12, help="tasks in the long run")
    args = parser.parse_args()
    team = load_team()
    began = time.perf_counter()
    print(
        f"{'workload':<17} {'budget':<8} {'agent':<12} {'calls':>5} {'prompt/call':>11} "
        f"{'uncached/call':>13} {'cost $':>10}"
    )
    worst_budgeted = 0
    for name, work in WORKLOADS.items():
        per_variant: dict[str, int] = {}
        for label, budget in (("1000", 1000), ("none", None)):
            ledger = run_workload(team, name, work, budget, args.tasks)
            worst = _print_agents(name, label, ledger)
            if budget is not None:
                worst_budgeted = max(worst_budgeted, worst)
            per_variant[label] = _prompt(ledger.run)
        if per_variant.get("none"):
            print(
                f"{name:<17} prompt tokens, budgeted / unbudgeted: "
                f"{per_variant['1000'] / per_variant['none']:.3f}"
            )
    print()
    from charter.scenarios import library_files

    for path in library_files():
        # In scenario runs the graph's own memory preparation already bounds the context
        # (part one shows the ratio is 1.0), so the library is measured with the budget only.
        for label, budget in (("1000", 1000),):
            ledger, finished = run_library(list(team.roles), path, budget)
            worst = _print_agents("lib:" + path.stem, label, ledger)
            if budget is not None:
                worst_budgeted = max(worst_budgeted, worst)
            print(
                f"{'lib:' + path.stem:<17} {label:<8} total cost ${ledger.run.cost_usd:.5f}"
                f"{'' if finished else ' (run ended with an error)'}"
            )
    print()
    view = heavy_view(team)
    sizes = {}
    for label, budget in (("1000", 1000), ("none", None)):
        client = AIClient(key=None, clock=VirtualClock(START), transport=MockModel().transport())
        brain = ClaudeBrain(
            "data",
            client,
            settings=ClaudeSettings(context_tokens=budget),
            tools=default_tools().describe(),
        )  # as in scenario runs
        brain.decide(view)
        sizes[label] = _prompt(client.ledger.run)
        print(
            f"heavy view (40 inbox messages, 100 memories), budget {label}: "
            f"{sizes[label]} prompt tokens in one call"
        )
    print(f"heavy view ratio budgeted / unbudgeted: {sizes['1000'] / sizes['none']:.3f}")
    verdict = "met" if max(worst_budgeted, sizes["1000"]) < TARGET else "NOT met"
    print(
        f"target < {TARGET} prompt tokens per call with budgeting: {verdict} "
        f"(worst mean per agent {worst_budgeted}, heavy view {sizes['1000']})"
    )
    print(f"elapsed {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()

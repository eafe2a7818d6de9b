"""Per-event cost of the full coordination pipeline vs a raw LangGraph loop.

Full pipeline: an Orchestrator on a run directory (run store + SqliteSaver checkpoints in
run.db), the Data agent on a scripted brain that writes one file and files one report per
task; every event goes through intake, routing, context preparation, the authority gate
and effects. Baseline, measured in the same process: a raw LangGraph graph with the same
number of super-steps (a chain of trivial nodes, same SqliteSaver on a file, a checkpoint
at every super-step) and a tiny state, run in blocks interleaved with the pipeline's so
that machine load affects both alike. `--durability async` makes the pipeline checkpoint
every super-step too (LangGraph's default); the Orchestrator's default is `exit`. Also:
checkpoint storage (checkpoints + writes tables) per event at 500, 1,000 and
2,000 events, which should stay flat if storage grows linearly.

    .venv/bin/python -P benchmarks/graph.py [--events 2000]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any, TypedDict

from charter.agents.brain import ScriptedBrain
from charter.agents.team import load_team
from charter.graph.orchestrator import Orchestrator
from charter.protocols import Action, AgentView, Report, WriteFile


def _brain(view: AgentView) -> Sequence[Action]:
    if view.step > 0 or view.task is None:
        return []
    return [
        WriteFile(path=f"etl/{view.task.id}.py", content="# load\n"),
        Report.model_validate({"report": {"status": "success", "summary": view.task.id}}),
    ]


def _storage(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        (cp,) = conn.execute(
            "SELECT COALESCE(SUM(length(checkpoint) + length(metadata)), 0) FROM checkpoints"
        ).fetchone()
        (wr,) = conn.execute("SELECT COALESCE(SUM(length(value)), 0) FROM writes").fetchone()
    return int(cp) + int(wr)


class _Raw(TypedDict, total=False):
    tick: int
    cursor: int


def _raw_app(root: Path, chain: int) -> tuple[Any, sqlite3.Connection]:
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.graph import END, START, StateGraph

    graph: StateGraph[_Raw, Any, _Raw, _Raw] = StateGraph(_Raw)
    names = [f"n{i}" for i in range(chain)]
    for name in names:
        graph.add_node(name, lambda state: {"cursor": state.get("cursor", 0) + 1})
    graph.add_edge(START, names[0])
    for a, b in pairwise(names):
        graph.add_edge(a, b)
    graph.add_edge(names[-1], END)
    conn = sqlite3.connect(str(root / "raw.db"), check_same_thread=False)
    return graph.compile(checkpointer=SqliteSaver(conn)), conn


def run(root: Path, events: int, durability: Any = "exit", block: int = 10) -> dict[str, Any]:
    """Interleave blocks of the full pipeline and of the raw loop (the same number of
    super-steps per block), so machine load affects both sides alike."""
    chain = 10  # intake route prepare (turn gate effects) x2 finish, per task
    orch = Orchestrator(
        root / "run",
        team=load_team(),
        brains={"data": ScriptedBrain(_brain)},
        durability=durability,
        memory=False,  # memory-free effects: the benchmark measures the coordination pipeline
    )
    db = root / "run" / "run.db"
    app, conn = _raw_app(root, chain)
    config: Any = {"configurable": {"thread_id": "raw"}, "recursion_limit": chain + 5}
    storage: dict[int, float] = {}
    full_s = raw_s = 0.0
    tasks = raw_steps = ticks = 0
    while orch.store.event_count() < events:
        start = time.perf_counter()
        for _ in range(block):
            orch.submit(f"load batch {tasks}", to="data")
            tasks += 1
            orch.step()
        full_s += time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(block):
            app.invoke({"tick": ticks}, config)
            ticks += 1
            raw_steps += chain
        raw_s += time.perf_counter() - start
        count = orch.store.event_count()
        for mark in (500, 1000, 2000):
            if mark <= events and mark not in storage and count >= mark:
                storage[mark] = _storage(db) / count
    total = orch.store.event_count()
    orch.close()
    conn.close()
    return {
        "full_seconds": full_s,
        "events": total,
        "tasks": tasks,
        "supersteps": tasks * chain,
        "raw_seconds": raw_s,
        "raw_supersteps": raw_steps,
        "bytes_per_event": storage,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument(
        "--durability",
        choices=["sync", "async", "exit"],
        default="exit",
        help="the pipeline's checkpoint durability (exit: the Orchestrator's default)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(Path(tmp), args.events, args.durability)
    per_event = result["full_seconds"] / result["events"]
    per_step = result["raw_seconds"] / result["raw_supersteps"]
    print(
        f"full pipeline ({args.durability} checkpoints): {result['events']} events, "
        f"{result['tasks']} tasks, {result['supersteps']} super-steps in "
        f"{result['full_seconds']:.2f} s = {per_event * 1e3:.2f} ms/event"
    )
    print(
        f"raw LangGraph (SqliteSaver, every super-step): {result['raw_supersteps']} "
        f"super-steps in {result['raw_seconds']:.2f} s = {per_step * 1e3:.2f} ms/super-step"
    )
    print(
        f"ratio (pipeline per event / raw per super-step): {per_event / per_step:.2f}x "
        "(target <= 2x)"
    )
    for mark, value in sorted(result["bytes_per_event"].items()):
        print(f"checkpoint storage at {mark} events: {value:.0f} bytes/event")


if __name__ == "__main__":
    main()

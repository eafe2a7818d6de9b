"""Per-event cost of the full coordination pipeline vs a raw LangGraph loop.

Full pipeline: an Orchestrator on a run directory (run store + SqliteSaver checkpoints in
run.db), the Data agent on a scripted brain that writes one file and files one report per
task; every event goes through intake, routing, context preparation, the authority gate
and effects. Baseline, measured in the same process: a raw LangGraph graph with the same
number of super-steps (a chain of trivial nodes, same SqliteSaver on a file) and a tiny
state. Also: checkpoint storage (checkpoints + writes tables) per event at 500, 1,000 and
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


def full_pipeline(root: Path, events: int, durability: Any = "exit") -> dict[str, Any]:
    orch = Orchestrator(
        root / durability,
        team=load_team(),
        brains={"data": ScriptedBrain(_brain)},
        durability=durability,
    )
    db = root / durability / "run.db"
    marks = {m: 0 for m in (500, 1000, 2000) if m <= events}
    storage: dict[int, float] = {}
    supersteps = 0
    start = time.perf_counter()
    n = 0
    while orch.store.event_count() < events:
        orch.submit(f"load batch {n}", to="data")
        n += 1
        orch.step()
        supersteps += 10  # intake route prepare (turn gate effects) x2 finish
        count = orch.store.event_count()
        for mark in marks:
            if mark not in storage and count >= mark:
                storage[mark] = _storage(db) / count
    elapsed = time.perf_counter() - start
    total = orch.store.event_count()
    orch.close()
    return {
        "seconds": elapsed,
        "events": total,
        "tasks": n,
        "supersteps": supersteps,
        "bytes_per_event": storage,
    }


class _Raw(TypedDict, total=False):
    tick: int
    cursor: int


def raw_loop(root: Path, supersteps: int, chain: int = 10) -> dict[str, Any]:
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
    app = graph.compile(checkpointer=SqliteSaver(conn))
    config: Any = {"configurable": {"thread_id": "raw"}, "recursion_limit": chain + 5}
    start = time.perf_counter()
    for tick in range(supersteps // chain):
        app.invoke({"tick": tick}, config)
    elapsed = time.perf_counter() - start
    conn.close()
    return {"seconds": elapsed, "supersteps": supersteps // chain * chain}


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
        root = Path(tmp)
        full = full_pipeline(root, args.events, args.durability)
        raw = raw_loop(root, full["supersteps"])
    per_event = full["seconds"] / full["events"]
    per_step = raw["seconds"] / raw["supersteps"]
    print(
        f"full pipeline ({args.durability}): {full['events']} events, {full['tasks']} tasks, "
        f"{full['supersteps']} super-steps in {full['seconds']:.2f} s "
        f"= {per_event * 1e3:.2f} ms/event"
    )
    print(
        f"raw LangGraph: {raw['supersteps']} super-steps in {raw['seconds']:.2f} s "
        f"= {per_step * 1e3:.2f} ms/super-step"
    )
    print(
        f"ratio (pipeline per event / raw per super-step): {per_event / per_step:.2f}x "
        "(target <= 2x)"
    )
    for mark, value in sorted(full["bytes_per_event"].items()):
        print(f"checkpoint storage at {mark} events: {value:.0f} bytes/event")


if __name__ == "__main__":
    main()

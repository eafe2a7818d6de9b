"""Cost of the coordination pipeline vs a raw LangGraph loop at the same durability.

Full pipeline: an Orchestrator on a run directory (run store + SqliteSaver checkpoints in
run.db); each task is a work item on its own thread, and the Data agent's scripted brain
writes one file and files one report per task, so every item goes through intake,
routing, context preparation (off: the benchmark measures coordination), the authority
gate and effects: 10 super-steps. Baseline, in the same process and at the SAME
durability: a raw LangGraph graph of 10 trivial nodes, one thread per item, the same
SqliteSaver on a file. Blocks of both run interleaved, so machine load affects both
alike. Printed for `exit` (the Orchestrator's default: a checkpoint when an item ends or
pauses) and `async` (a checkpoint per super-step): per super-step, per event, events/s,
checkpoint bytes per event at 500, 1,000 and 2,000 events, and the throughput of a run
with eight agents given work at once.

    .venv/bin/python -P benchmarks/graph.py [--events 2000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

from typing_extensions import TypedDict

from charter.agents.brain import ScriptedBrain
from charter.agents.team import load_team
from charter.graph.orchestrator import Orchestrator
from charter.protocols import Action, AgentView, Report, TaskAssignment, WriteFile

CHAIN = 10  # intake route prepare (turn gate effects) x2 finish, per task
EIGHT = ("data", "architect", "engineer", "security", "qa", "ops", "integration", "documentation")


def _brain(view: AgentView) -> Sequence[Action]:
    if view.step > 0 or view.task is None:
        return []
    return [
        WriteFile(path=f"etl/{view.task.id}.py", content="# load\n"),
        Report.model_validate({"report": {"status": "success", "summary": view.task.id}}),
    ]


def _reporter(view: AgentView) -> Sequence[Action]:
    if view.step > 0 or view.task is None:
        return []
    return [Report.model_validate({"report": {"status": "success", "summary": view.task.id}})]


def _storage(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        (cp,) = conn.execute(
            "SELECT COALESCE(SUM(length(checkpoint) + length(metadata)), 0) FROM checkpoints"
        ).fetchone()
        (wr,) = conn.execute("SELECT COALESCE(SUM(length(value)), 0) FROM writes").fetchone()
    return int(cp) + int(wr)


class _Raw(TypedDict, total=False):
    item: int
    done: int


def _raw_app(root: Path) -> tuple[Any, sqlite3.Connection]:
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.graph import END, START, StateGraph

    graph: StateGraph[_Raw, Any, _Raw, _Raw] = StateGraph(_Raw)
    names = [f"n{i}" for i in range(CHAIN)]
    for name in names:
        graph.add_node(name, lambda state: {"done": state.get("done", 0) + 1})
    graph.add_edge(START, names[0])
    for a, b in pairwise(names):
        graph.add_edge(a, b)
    graph.add_edge(names[-1], END)
    conn = sqlite3.connect(str(root / "raw.db"), check_same_thread=False)
    return graph.compile(checkpointer=SqliteSaver(conn)), conn


def run(root: Path, events: int, durability: Any, block: int = 10) -> dict[str, Any]:
    """Interleave blocks of the full pipeline and of the raw loop (the same number of items
    and super-steps per block, each item its own thread on both sides)."""
    orch = Orchestrator(
        root / "run",
        team=load_team(),
        brains={"data": ScriptedBrain(_brain)},
        durability=durability,
        memory=False,
    )
    db = root / "run" / "run.db"
    app, conn = _raw_app(root)
    storage: dict[int, float] = {}
    full_s = raw_s = 0.0
    tasks = raw_items = 0
    while orch.store.event_count() < events:
        start = time.perf_counter()
        for _ in range(block):
            orch.submit(TaskAssignment(id=f"t{tasks}", title="load", task="load a batch"), "data")
            tasks += 1
            orch.step()
        full_s += time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(block):
            config: Any = {"configurable": {"thread_id": f"raw-{raw_items}"}}
            app.invoke({"item": raw_items}, config, durability=durability)
            raw_items += 1
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
        "raw_seconds": raw_s,
        "raw_items": raw_items,
        "bytes_per_event": storage,
    }


def run_eight(root: Path, rounds: int) -> tuple[int, float]:
    """Eight agents each given a task at once, `rounds` times: (events, seconds)."""
    orch = Orchestrator(
        root / "eight",
        team=load_team(),
        brains={role: ScriptedBrain(_reporter) for role in EIGHT},
        memory=False,
    )
    start = time.perf_counter()
    for r in range(rounds):
        for role in EIGHT:
            orch.submit(TaskAssignment(id=f"{role}-{r}", title="work", task="work"), role)
        orch.run_until_idle()
    seconds = time.perf_counter() - start
    total = orch.store.event_count()
    orch.close()
    return total, seconds


def _report(durability: str, result: dict[str, Any]) -> None:
    full, raw = result["full_seconds"], result["raw_seconds"]
    steps = result["tasks"] * CHAIN
    per_step, raw_per_step = full / steps, raw / (result["raw_items"] * CHAIN)
    per_event = full / result["events"]
    print(
        f"[{durability}] pipeline: {result['events']} events, {result['tasks']} items, "
        f"{steps} super-steps in {full:.2f} s"
    )
    print(
        f"[{durability}]   per super-step {per_step * 1e3:.3f} ms, per event "
        f"{per_event * 1e3:.3f} ms, {1 / per_event:,.0f} events/s"
    )
    print(
        f"[{durability}] raw LangGraph (same durability, thread per item): "
        f"{raw_per_step * 1e3:.3f} ms per super-step"
    )
    print(f"[{durability}] ratio per super-step: {per_step / raw_per_step:.2f}x (target <= 2x)")
    for mark, value in sorted(result["bytes_per_event"].items()):
        print(f"[{durability}] checkpoint storage at {mark} events: {value:.0f} bytes/event")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--profile", action="store_true", help="profile the exit run")
    args = parser.parse_args()
    for durability in ("exit", "async"):
        with tempfile.TemporaryDirectory() as tmp:
            profiler = cProfile.Profile() if args.profile and durability == "exit" else None
            if profiler is not None:
                profiler.enable()
            result = run(Path(tmp), args.events, durability)
            if profiler is not None:
                profiler.disable()
                text = io.StringIO()
                pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
                print(text.getvalue())
        _report(durability, result)
    with tempfile.TemporaryDirectory() as tmp:
        events, seconds = run_eight(Path(tmp), rounds=max(1, args.events // 60))
    print(
        f"eight agents busy at once (exit): {events} events in {seconds:.2f} s = "
        f"{events / seconds:,.0f} events/s"
    )


if __name__ == "__main__":
    main()

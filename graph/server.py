"""Entry point for the standard LangGraph server (`langgraph.json` at the repository root).

`langgraph dev` / LangGraph Platform load `make_graph` and attach their own checkpointer,
so the graph is compiled without one here. The run directory comes from
`CHARTER_RUN_DIR` (default `./runs/server`). A client creates one thread per work item and
starts it with the item as input: `{"task": {"task": "...", "assigned_to": "data"}}` or
`{"signal": {"kind": "pipeline_failed", "payload": {...}}}` (recorded in the run store,
where every agent sees it). An immediate escalation is the thread's interrupt (trigger,
severity, summary, evidence, the verdicts it takes); resume it with
`Command(resume={"verdict": "approve", "note": "..."})`. The output is the item's outcome.
See docs/server.md for a client session.

The server calls the factory on its event loop for every request that needs the graph
(schemas, runs, state), and its development mode refuses blocking calls there. So the
factory is a coroutine: opening the run (files, SQLite) happens once per run directory
in a worker thread, and later calls hand back the graph already built.
Absolute imports only: the server loads this file by path.
"""

from __future__ import annotations

import asyncio
import os
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from charter.agents.policies import default_brains
from charter.agents.team import load_team
from charter.agents.tools import default_tools
from charter.graph.authority import AuthorityEngine
from charter.graph.builder import build_graph
from charter.graph.fs_rules import FsRules
from charter.graph.fs_rules import probe as probe_fs
from charter.graph.run_dir import RunLock, add_meta, check_single_instance, read_meta
from charter.graph.runtime import Catalog, Runtime
from charter.memory import open_run_store
from charter.protocols import VirtualClock

if TYPE_CHECKING:
    from langgraph.graph.state import CompiledStateGraph

    from charter.graph.state import GraphState, WorkInput, WorkOutcome

    Served = CompiledStateGraph[GraphState, Any, WorkInput, WorkOutcome]

DEFAULT_RUN_DIR = "runs/server"
RUN_NAME = "server"

_built: dict[str, Served] = {}
_locks: list[RunLock] = []
# Requests run on more than one event loop in the server, so a thread lock (held in the
# worker thread, never on a loop) is what keeps two first requests from opening the run twice.
_building = threading.Lock()


def open_served_graph(run_dir: Path) -> Served:
    """Open (or create) the run in `run_dir` and compile its graph without a checkpointer.
    Blocking: files and the SQLite run store. Called once per run directory."""
    run_dir.mkdir(parents=True, exist_ok=True)
    # One Data agent per run: an Orchestrator (or a second server) on this directory is
    # refused while the server holds it. Held for the process's life, like the graph.
    _locks.append(RunLock(run_dir))
    meta = read_meta(run_dir, seed=0, name=RUN_NAME, start=None)
    workspace, datasets = run_dir / "workspace", run_dir / "datasets"
    for folder in (workspace, datasets):
        folder.mkdir(exist_ok=True)
    rules = FsRules.from_json(meta.get("filesystem"))
    if rules is None:
        rules = probe_fs(workspace)
        add_meta(run_dir, "filesystem", rules.as_json())
    clock = VirtualClock(datetime.fromisoformat(meta["start"]))
    store = open_run_store(
        f"sqlite:///{run_dir / 'run.db'}",
        clock=clock,
        run_id=meta["run_id"],
        name=str(meta.get("name") or RUN_NAME),
        seed=int(meta["seed"]),
    )
    last = store.last_event_at()
    if last is not None:
        # A restarted server continues from the run's last instant: time never runs back.
        clock.jump_to(max(last, clock.now()))
    team = load_team()
    check_single_instance(team)
    rt = Runtime(
        run_id=meta["run_id"],
        seed=int(meta["seed"]),
        store=store,
        team=team,
        authority=AuthorityEngine(
            team,
            workspace,
            case_sensitive=not rules.folds_case,
            normalise_unicode=rules.normalises_unicode,
        ),
        brains=dict(default_brains(team)),
        tools=default_tools(),
        clock=clock,
        workspace=workspace,
        datasets=datasets,
        catalog=Catalog(run_dir / "classifications.json"),
    )
    return build_graph(rt).compile()


def _graph_for(run_dir: str) -> Served:
    with _building:
        graph = _built.get(run_dir)
        if graph is None:
            graph = _built[run_dir] = open_served_graph(Path(run_dir))
        return graph


async def make_graph(config: Any = None) -> Served:
    """The graph factory `langgraph.json` names: the run in `CHARTER_RUN_DIR`, opened once."""
    run_dir = os.environ.get("CHARTER_RUN_DIR", DEFAULT_RUN_DIR)
    graph = _built.get(run_dir)
    if graph is None:
        graph = await asyncio.to_thread(_graph_for, run_dir)
    return graph


__all__ = ["DEFAULT_RUN_DIR", "make_graph", "open_served_graph"]

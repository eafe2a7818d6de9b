"""Entry point for the standard LangGraph server (`langgraph.json` at the repository root).

`langgraph dev` / LangGraph Platform load `make_graph` and attach their own checkpointer,
so the graph is compiled without one here. The run directory comes from
`CHARTER_RUN_DIR` (default `./runs/server`). A client creates one thread per work item and
starts it with the item as input: `{"task": {"task": "...", "assigned_to": "data"}}` or
`{"signal": {"kind": "pipeline_failed", "payload": {...}}}` (recorded in the run store,
where every agent sees it). An immediate escalation is the thread's interrupt (trigger,
severity, summary, evidence, the verdicts it takes); resume it with
`Command(resume={"verdict": "approve", "note": "..."})`. The output is the item's outcome.
Absolute imports only: the server loads this file by path.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from charter.agents.policies import default_brains
from charter.agents.team import load_team
from charter.agents.tools import default_tools
from charter.graph.authority import AuthorityEngine
from charter.graph.builder import build_graph
from charter.graph.run_dir import peek_meta
from charter.graph.runtime import Catalog, Runtime
from charter.memory import open_run_store
from charter.protocols import VirtualClock


def make_graph(config: Any = None) -> Any:
    run_dir = Path(os.environ.get("CHARTER_RUN_DIR", "runs/server"))
    meta = peek_meta(run_dir, seed=0, name="server")
    workspace, datasets = run_dir / "workspace", run_dir / "datasets"
    for folder in (workspace, datasets):
        folder.mkdir(parents=True, exist_ok=True)
    clock = VirtualClock(datetime.fromisoformat(meta["start"]))
    team = load_team()
    rt = Runtime(
        run_id=meta["run_id"],
        seed=int(meta["seed"]),
        store=open_run_store(f"sqlite:///{run_dir / 'run.db'}", clock=clock),
        team=team,
        authority=AuthorityEngine(team, workspace),
        brains=dict(default_brains(team)),
        tools=default_tools(),
        clock=clock,
        workspace=workspace,
        datasets=datasets,
        catalog=Catalog(run_dir / "classifications.json"),
    )
    return build_graph(rt).compile()


__all__ = ["make_graph"]

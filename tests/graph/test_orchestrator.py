"""The Orchestrator's API: opening, routing, streaming, small state, exports, the CLI."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from charter.agents.brain import ScriptedBrain
from charter.agents.coordination import PROTOCOLS
from charter.graph.builder import NODE_NAMES, to_mermaid
from charter.graph.topology import topology, topology_mermaid, undeclared_partners
from charter.protocols import ConfigError, Report, Team, WriteFile
from charter.protocols.events import TaskRouted, TurnCompleted


def test_public_import_is_the_orchestrator() -> None:
    from charter.graph import Orchestrator
    from charter.graph.orchestrator import Orchestrator as Direct

    assert Orchestrator is Direct


def test_one_orchestrator_per_run_directory(make_orch: Callable, tmp_path: Path) -> None:
    first = make_orch(tmp_path / "run", checkpointer="memory")
    with pytest.raises(ConfigError, match="one Data agent per run"):
        make_orch(tmp_path / "run", checkpointer="memory")
    first.close()
    make_orch(tmp_path / "run", checkpointer="memory")  # free again once closed


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"brains": {"ghost": ScriptedBrain([])}}, "unknown role 'ghost'"),
        ({"pm_policy": "maybe"}, "pm_policy"),
    ],
)
def test_bad_options_are_config_errors(make_orch: Callable, kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        make_orch(checkpointer="memory", **kwargs)


def test_two_single_instance_data_roles_are_refused(make_orch: Callable, team: Team) -> None:
    twin = team.roles["data"].model_copy(update={"role": "data2"})
    doubled = team.model_copy(update={"roles": {**team.roles, "data2": twin}})
    with pytest.raises(ConfigError, match="single-instance"):
        make_orch(team=doubled, checkpointer="memory")


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Build an analytics dashboard for weekly revenue", "data"),
        ("Implement the refund endpoint", "engineer"),
        ("Review the encryption of secrets", "security"),
    ],
)
def test_pm_routes_by_charter_keywords(make_orch: Callable, text: str, role: str) -> None:
    brain = ScriptedBrain([[]])
    orch = make_orch(brains={role: brain}, checkpointer="memory")
    orch.submit(text)
    orch.run_until_idle()
    ((_, routed),) = orch.events(kinds={"task_routed"})
    assert isinstance(routed, TaskRouted) and routed.to == role
    assert brain.calls and brain.calls[0].task is not None and brain.calls[0].task.task == text


def test_pm_never_takes_a_task(make_orch: Callable) -> None:
    orch = make_orch(checkpointer="memory")
    with pytest.raises(ConfigError, match="PM routes"):
        orch.submit("do it yourself", to="pm")


async def test_astream_yields_typed_events(make_orch: Callable) -> None:
    brain = ScriptedBrain([[WriteFile(path="reports/weekly.sql", content="select 1;\n")], []])
    orch = make_orch(brains={"data": brain}, checkpointer="memory")
    orch.submit("weekly report", to="data")
    seen = [event async for event in orch.astream()]
    kinds = [e.kind for e in seen]
    assert kinds[:2] == ["task_routed", "agent_activated"]
    assert "file_written" in kinds and isinstance(seen[-1], TurnCompleted)
    assert await orch.arun_until_idle() == "idle"


def test_events_since_and_step(make_orch: Callable) -> None:
    orch = make_orch(brains={"data": ScriptedBrain([[]])}, checkpointer="memory")
    orch.submit("a task", to="data")
    mark = orch.store.event_count()
    result = orch.step()  # runs the task's thread; nothing else is queued after it
    assert result.status == "idle"
    assert [seq for seq, _ in result.events] == [seq for seq, _ in orch.events(since=mark)]
    assert all(seq > mark for seq, _ in result.events)
    assert orch.step().status == "idle"


def _last_checkpoint_size(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        (size,) = conn.execute(
            "SELECT length(checkpoint) FROM checkpoints ORDER BY rowid DESC LIMIT 1"
        ).fetchone()
    return int(size)


def test_state_holds_ids_only_and_does_not_grow(make_orch: Callable, tmp_path: Path) -> None:
    def report(view):  # type: ignore[no-untyped-def]
        if view.step:
            return []
        return [Report.model_validate({"report": {"status": "success", "summary": view.task.id}})]

    orch = make_orch(tmp_path / "run", brains={"data": ScriptedBrain(report)})
    for i in range(4):
        orch.submit(f"task {i}", to="data")
    orch.run_until_idle()
    small = _last_checkpoint_size(tmp_path / "run" / "run.db")
    for i in range(4, 24):
        orch.submit(f"task {i}", to="data")
    orch.run_until_idle()
    large = _last_checkpoint_size(tmp_path / "run" / "run.db")
    # Five times the history, the same checkpoint. LangGraph's channel versions carry a
    # random fraction whose printed length varies by a few characters, so allow 5 %;
    # a state that kept the 20 extra task ids would grow by several hundred bytes.
    assert large <= small * 1.05, (small, large)
    last = orch.threads()[-1]
    state = orch.thread_state(last.thread_id)
    # a thread's state is its own item, nothing that points into the run's history
    assert "cursor" not in state and state["work"]["ref"] == last.item["ref"]
    assert all(len(v) <= 4 for v in state.values() if isinstance(v, list))


def test_mermaid_and_topology() -> None:
    text = to_mermaid()
    for node in NODE_NAMES:
        assert node in text
    assert "gate -.-> await_pm" in text


def test_topology_edges_are_the_protocols(team: Team) -> None:
    graph = topology(team)
    expected = sum(len(spec.initiators) for spec in PROTOCOLS.values())
    assert graph.number_of_edges() == expected
    assert graph.has_edge("data", "architect", key="schema_review")
    assert not graph.has_edge("architect", "data", key="schema_review")  # data opens it
    assert "data -- data_security_review --> security" in topology_mermaid(graph)
    assert undeclared_partners(team) == []


def _cli() -> typer.Typer:
    from charter.cli.runs import register

    app = typer.Typer()
    register(app)
    return app


def test_cli_graph_exports() -> None:
    runner = CliRunner()
    result = runner.invoke(_cli(), ["graph", "--mermaid"])
    assert result.exit_code == 0 and "await_pm" in result.output
    result = runner.invoke(_cli(), ["graph", "--topology"])
    assert result.exit_code == 0 and "data -- schema_review --> architect" in result.output
    result = runner.invoke(_cli(), ["graph", "--topology", "--json"])
    assert result.exit_code == 0 and '"protocol": "schema_review"' in result.output


def test_cli_demo_runs_and_refuses_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(_cli(), ["demo", "--out", str(tmp_path / "d"), "--pm-policy", "deny"])
    assert result.exit_code == 0, result.output
    assert "Pipeline Failures" in result.output and "deny" in result.output
    assert "digest:" in result.output
    digest = result.output.split("digest:")[1].split()[0]
    # The same demo in the same directory is resumed (here: already finished, unchanged);
    # another run there is refused.
    again = runner.invoke(_cli(), ["demo", "--out", str(tmp_path / "d")])
    assert again.exit_code == 0 and digest in again.output
    other = runner.invoke(_cli(), ["demo", "--out", str(tmp_path / "d"), "--seed", "3"])
    assert isinstance(other.exception, ConfigError)
    bad = runner.invoke(_cli(), ["demo", "--out", str(tmp_path / "e"), "--pm-policy", "maybe"])
    assert isinstance(bad.exception, ConfigError)
    assert not (tmp_path / "e").exists()


def test_langgraph_server_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    monkeypatch.setenv("CHARTER_RUN_DIR", str(tmp_path / "served"))
    import asyncio

    from charter.graph.server import make_graph

    compiled = asyncio.run(make_graph())
    assert set(NODE_NAMES) <= set(compiled.get_graph().nodes)
    assert asyncio.run(make_graph()) is compiled  # the run is opened once, not per request
    assert (tmp_path / "served" / "run.json").is_file()
    from charter.graph import Orchestrator

    with pytest.raises(ConfigError, match="one Data agent per run"):
        Orchestrator(tmp_path / "served")  # the server holds the run
    # The schemas the server shows carry each field's description.
    schema = compiled.get_input_jsonschema()
    assert schema["properties"]["task"]["description"].startswith("a new task")
    task_fields = schema["$defs"]["NewTask"]["properties"]
    assert task_fields["assigned_to"]["description"].startswith("role that")
    out = compiled.get_output_jsonschema()["properties"]
    assert {"outcome", "reason", "raised"} <= set(out)
    assert all(field.get("description") for field in out.values())
    config = json.loads((Path(__file__).parents[2] / "langgraph.json").read_text())
    assert config["graphs"]["charter"] == "./graph/server.py:make_graph"


def test_memory_free_runs_skip_context_and_learning(make_orch: Callable) -> None:
    report = Report.model_validate(
        {
            "report": {
                "status": "failed",
                "summary": "x",
                "lessons": [{"category": "failure", "summary": "broke"}],
            }
        }
    )
    brain = ScriptedBrain([[report], []])
    orch = make_orch(brains={"data": brain}, checkpointer="memory", memory=False)
    orch.submit("fails", to="data")
    orch.run_until_idle()
    assert orch.events(kinds={"report_filed"})
    assert not orch.events(kinds={"memory_recorded"})
    assert orch.store.memory_count() == 0


def test_options_object_or_keywords(tmp_path: Path) -> None:
    from charter.graph import Orchestrator, RunOptions

    with Orchestrator(tmp_path / "a", RunOptions(seed=3, pm_policy="wait")) as orch:
        assert (orch.seed, orch.pm_policy) == (3, "wait")
    # keywords override the object's fields; an unknown one is a clear error
    with Orchestrator(tmp_path / "b", RunOptions(seed=3), seed=4) as orch:
        assert orch.seed == 4
    with pytest.raises(ConfigError, match="unknown option"):
        Orchestrator(tmp_path / "c", sed=4)  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="durability"):
        RunOptions(durability="never")  # type: ignore[arg-type]

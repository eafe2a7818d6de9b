"""The LangGraph server as a way in: `langgraph dev` with the project's `langgraph.json`
(no extra flag) serves the graph, and a LangGraph SDK client drives one work item through
it — input, an escalation as the thread's interrupt, a refused resume, a correct one, the
outcome. A real server in a subprocess on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "langgraph_cli", reason="langgraph-cli[inmem] is not installed (dev extra; scripts/setup.sh)"
)
# Both come with langgraph-cli[inmem] (and langgraph-sdk is a dev extra of its own).
import httpx
from langgraph_sdk import get_sync_client

ROOT = Path(__file__).parents[2]
READY_ATTEMPTS = 240  # x a 0.25 s wait on the process: a minute at most


@dataclass
class Served:
    url: str
    run_dir: Path
    log: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-3000:]


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    for _ in range(READY_ATTEMPTS):
        try:
            if httpx.get(f"{url}/ok", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass  # not listening yet
        try:
            # The pause between attempts is a wait on the server itself, so one that dies
            # while starting is reported at once instead of polled for a minute.
            proc.wait(timeout=0.25)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"langgraph dev exited with {proc.returncode}:\n{_tail(log)}")
    pytest.fail(f"langgraph dev not ready at {url}/ok:\n{_tail(log)}")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    run_dir = tmp_path / "run"
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "CHARTER_RUN_DIR": str(run_dir),
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        "LANGSMITH_TRACING": "false",
        "LANGCHAIN_TRACING_V2": "false",
    }
    command = [
        str(Path(sys.executable).parent / "langgraph"),
        "dev",
        "--config",
        str(ROOT / "langgraph.json"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-browser",
        "--no-reload",
    ]
    # The server resolves the graph's path in langgraph.json against its working folder
    # and keeps its scratch state (.langgraph_api/) there: a temporary folder that sees
    # the project's graph/ keeps the checkout clean and a developer's own server apart.
    (tmp_path / "graph").symlink_to(ROOT / "graph", target_is_directory=True)
    with log.open("wb") as out:
        # Its own session: teardown stops exactly the processes this test started.
        proc = subprocess.Popen(
            command,
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(proc, url, log)
        yield Served(url, run_dir, log)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _interrupts(client: Any, thread_id: str) -> list[dict[str, Any]]:
    state = client.threads.get_state(thread_id)
    return [i["value"] for i in state["interrupts"]]


@pytest.mark.slow
def test_an_sdk_client_drives_one_work_item_through_langgraph_dev(served: Served) -> None:
    client = get_sync_client(url=served.url)
    (assistant,) = client.assistants.search(graph_id="charter")
    # The schemas the server shows: the work item in, its outcome out, fields described.
    schemas = client.assistants.get_schemas(assistant["assistant_id"])
    inputs, outputs = schemas["input_schema"], schemas["output_schema"]
    assert {"work", "task", "signal"} == set(inputs["properties"])
    assert all(field.get("description") for field in inputs["properties"].values())
    assert {"outcome", "reason", "raised"} <= set(outputs["properties"])
    assert outputs["properties"]["outcome"]["description"]

    # One thread per work item; a data breach signal is escalated at once.
    thread = client.threads.create()
    tid = thread["thread_id"]
    breach = {"signal": {"kind": "data_breach", "payload": {"table": "customers"}}}
    parts = list(client.runs.stream(tid, "charter", input=breach, stream_mode="updates"))
    updated = [next(iter(p.data)) for p in parts if p.event == "updates"]
    assert updated[:2] == ["intake", "route"] and updated[-1] == "__interrupt__", updated
    assert client.threads.get(tid)["status"] == "interrupted"
    (question,) = _interrupts(client, tid)
    assert question["trigger"] == "Data Breaches" and question["severity"] == "immediate"
    assert question["summary"] and question["evidence"]
    assert question["verdicts"] == ["approve", "deny", "needs_info"]
    assert "problem" not in question

    # A malformed answer is refused: the thread asks again, saying what was wrong.
    client.runs.wait(tid, "charter", command={"resume": {"verdict": "maybe"}})
    assert client.threads.get(tid)["status"] == "interrupted"
    (again,) = _interrupts(client, tid)
    assert again["escalation_id"] == question["escalation_id"]
    assert "'maybe'" in again["problem"] and "approve" in again["problem"]

    # The right answer ends the item; its outcome is the run's output.
    outcome = client.runs.wait(
        tid, "charter", command={"resume": {"verdict": "deny", "note": "not from here"}}
    )
    assert isinstance(outcome, dict), outcome
    assert outcome["outcome"] == "held" and "deny" in outcome["reason"]
    assert outcome["raised"] == [question["escalation_id"]]
    assert outcome["work"]["agent"] == "data" and outcome["work"]["kind"] == "signal"
    assert client.threads.get(tid)["status"] == "idle"
    assert not _interrupts(client, tid)
    # Recorded in the run's own store, in the directory the server was given.
    assert (served.run_dir / "run.db").is_file() and (served.run_dir / "run.json").is_file()
    assert "BlockingError" not in _tail(served.log)


@pytest.mark.slow
def test_the_documented_client_script_runs(served: Served) -> None:
    # scripts/server_client.py is docs/server.md's example: it must keep working.
    script = [sys.executable, "-P", str(ROOT / "scripts" / "server_client.py"), "--url", served.url]
    failed = [*script, "--signal", "pipeline_failed", "--payload", '{"pipeline": "load_orders"}']
    done = subprocess.run(failed, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "Pipeline Failures (immediate)" in done.stdout and "outcome: done" in done.stdout
    wrong = [*script, "--signal", "data_breach", "--verdict", "maybe"]
    refused = subprocess.run(wrong, capture_output=True, text=True, timeout=60, check=False)
    assert refused.returncode == 2
    assert refused.stderr.strip().startswith("refused: decision verdict 'maybe'")

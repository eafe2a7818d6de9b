"""`charter mcp` over stdio: the server's cold start (process start to an answered
`initialize`) next to `python -c pass`, and each tool call's round trip next to the same
call on the desk in process (what the MCP layer and the pipes add). Prints milliseconds
and ratios; asserts nothing."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from charter.graph.mcp_server.opening import open_desk

ROUNDS = 30
CHARTER = str(Path(sys.executable).with_name("charter"))
PAYLOAD = {"migration": "migrations/002.sql", "sql": "ALTER TABLE t ADD c int"}
CALLS: dict[str, dict[str, Any]] = {
    "check_write": {"role": "data", "path": "src/etl/load.py"},
    "escalate": {"role": "data", "trigger": "Data Loss", "summary": "rows gone"},
    "send": {"protocol": "schema_review", "from": "data", "to": "architect", "payload": PAYLOAD},
    "inbox": {"role": "architect"},
}


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


async def over_stdio(workspace: Path, run_dir: Path) -> tuple[float, dict[str, list[float]]]:
    server = StdioServerParameters(
        command=CHARTER, args=["mcp", "--run", str(run_dir), "--workspace", str(workspace)]
    )
    samples: dict[str, list[float]] = {name: [] for name in CALLS}
    start = time.perf_counter()
    async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        cold = (time.perf_counter() - start) * 1000
        for _ in range(ROUNDS):
            for name, arguments in CALLS.items():
                began = time.perf_counter()
                await session.call_tool(name, arguments)
                samples[name].append((time.perf_counter() - began) * 1000)
    return cold, samples


def main() -> None:
    with tempfile.TemporaryDirectory() as base:
        workspace = Path(base) / "ws"
        workspace.mkdir()
        passes = [timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))]
        passes += [timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))]
        cold, remote = anyio.run(over_stdio, workspace, Path(base) / "run-stdio")
        desk = open_desk(Path(base) / "run-local", workspace=workspace)
        local: dict[str, list[float]] = {name: [] for name in CALLS}
        try:
            for _ in range(ROUNDS):
                for name, arguments in CALLS.items():
                    local[name].append(timed(lambda: desk.call(name, arguments)))  # noqa: B023
        finally:
            desk.close()
    base_ms = min(passes)
    print(f"cold start to initialize: {cold:8.0f} ms = {cold / base_ms:5.0f}x python -c pass")
    print(f"{'tool':<12} {'stdio p50':>10} {'p95':>8} {'desk p50':>10} {'p95':>8} {'ratio':>6}")
    for name in CALLS:
        r50, r95 = percentiles(remote[name])
        l50, l95 = percentiles(local[name])
        print(f"{name:<12} {r50:10.1f} {r95:8.1f} {l50:10.1f} {l95:8.1f} {r50 / l50:5.1f}x")


if __name__ == "__main__":
    main()

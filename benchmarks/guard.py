"""Wall time of one guard call from a cold process (p50, p95), as Claude Code runs a hook:
`charter-guard` (the entry point the exported hooks call) on a Write and on a Bash command,
next to `python -c pass` and the typer command `charter guard claude-code`, all measured
in the same run and interleaved so machine load hits them alike. Also the CPU time per call
(user + system, from the children's rusage), which load disturbs less than wall time.

Children run without PYTHONDONTWRITEBYTECODE so their modules are compiled once, as in an
installed package; the compiled-team and bashlex-table caches live in a temporary folder
and are built by a first call that is reported on its own. Prints; asserts nothing.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROUNDS = 30
BIN = Path(sys.executable).parent


def timed(argv: list[str], stdin: str, env: dict[str, str]) -> tuple[float, float]:
    """(wall ms, CPU ms) of one run of `argv`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, input=stdin, capture_output=True, text=True, check=True, env=env)
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main() -> None:
    with tempfile.TemporaryDirectory() as workspace, tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["CHARTER_CACHE_DIR"] = cache

        def hook(tool: str, **tool_input: str) -> str:
            return json.dumps(
                {
                    "cwd": workspace,
                    "hook_event_name": "PreToolUse",
                    "tool_name": tool,
                    "tool_input": tool_input,
                }
            )

        write = hook("Write", file_path=f"{workspace}/src/etl/x.py")
        bash = hook("Bash", command="ls | tee docs/a.md > out.txt")
        fast = [str(BIN / "charter-guard"), "--role", "data", "--workspace", workspace]
        typer_cmd = [str(BIN / "charter"), "guard", "claude-code", "--role", "data"]
        typer_cmd += ["--workspace", workspace]
        first_wall, _ = timed(fast, bash, env)  # builds the team and bashlex caches
        cases = {
            "python -c pass": ([sys.executable, "-c", "pass"], ""),
            "charter-guard: Write": (fast, write),
            "charter-guard: Bash": (fast, bash),
            "charter guard claude-code: Write": (typer_cmd, write),
        }
        for argv, stdin in cases.values():
            timed(argv, stdin, env)  # compiles .pyc files
        walls: dict[str, list[float]] = {name: [] for name in cases}
        cpus: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(ROUNDS):
            for name, (argv, stdin) in cases.items():
                wall, cpu = timed(argv, stdin, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
    base, _ = percentiles(walls["python -c pass"])
    load = os.getloadavg()[0]
    print(
        f"{ROUNDS} rounds, load average {load:.1f}; first call (builds caches) {first_wall:.0f} ms"
    )
    print(f"{'case':<34} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8} {'p50 vs pass':>12}")
    for name in cases:
        p50, p95 = percentiles(walls[name])
        cpu50, _ = percentiles(cpus[name])
        print(f"{name:<34} {p50:8.1f} {p95:8.1f} {cpu50:8.1f} {p50 / base:11.1f}x")


if __name__ == "__main__":
    main()

"""Wall time of one `charter guard claude-code` call from a cold process (p50, p95), next
to `python -c pass` and `charter --help` measured in the same run, interleaved so machine
load hits all of them alike. Prints milliseconds and ratios; asserts nothing."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROUNDS = 20
CHARTER = str(Path(sys.executable).with_name("charter"))


def timed(argv: list[str], stdin: str) -> float:
    start = time.perf_counter()
    subprocess.run(argv, input=stdin, capture_output=True, text=True, check=True)
    return (time.perf_counter() - start) * 1000


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main() -> None:
    with tempfile.TemporaryDirectory() as workspace:
        write = json.dumps(
            {
                "cwd": workspace,
                "hook_event_name": "PreToolUse",
                "tool_name": "Write",
                "tool_input": {"file_path": f"{workspace}/src/etl/x.py"},
            }
        )
        bash = json.dumps(
            {
                "cwd": workspace,
                "hook_event_name": "PreToolUse",
                "tool_name": "Bash",
                "tool_input": {"command": "ls | tee docs/a.md > out.txt"},
            }
        )
        guard = [CHARTER, "guard", "claude-code", "--role", "data", "--workspace", workspace]
        cases = {
            "python -c pass": ([sys.executable, "-c", "pass"], ""),
            "guard: Write": (guard, write),
            "guard: Bash": (guard, bash),
        }
        samples: dict[str, list[float]] = {name: [] for name in cases}
        timed(*cases["guard: Write"])  # first call creates the run store and .pyc files
        for _ in range(ROUNDS):
            for name, (argv, stdin) in cases.items():
                samples[name].append(timed(argv, stdin))
    base, _ = percentiles(samples["python -c pass"])
    print(f"{'case':<16} {'p50 ms':>8} {'p95 ms':>8} {'p50 vs pass':>12}")
    for name, values in samples.items():
        p50, p95 = percentiles(values)
        print(f"{name:<16} {p50:8.1f} {p95:8.1f} {p50 / base:11.1f}x")


if __name__ == "__main__":
    main()

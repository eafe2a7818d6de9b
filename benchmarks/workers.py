"""Several workers on one run on PostgreSQL: events/s with 1, 2 and 4 worker processes.

The same inputs (N tasks for the Data agent, each a work item of its own) are handed to a
fresh run in its own schema, then worked by K `charter.graph.workers.Worker` processes
started together; events/s is the run's events over the wall time from "go" to the last
worker's exit (process start-up excluded: every worker opens its Orchestrator first).
The baseline is one worker in the same run of this script; the ratio is K workers' rate
over it. The digests are compared too: the run's history must not depend on K.

    .venv/bin/python -P benchmarks/workers.py [--tasks 60] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from tempfile import TemporaryDirectory

import psycopg

from charter.graph import Orchestrator

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres"

_WORKER = textwrap.dedent(
    """
    import sys
    from charter.graph.workers import Worker
    with Worker(sys.argv[1], store_url=sys.argv[2], worker_id=sys.argv[3], poll_s=0.02,
                seed=5, name="bench-workers") as worker:
        sys.stdout.write("ready\\n"); sys.stdout.flush()
        sys.stdin.readline()
        worker.run()
    """
)


def _one_round(tasks: int, workers: int, root: Path) -> tuple[float, int, str]:
    schema = f"bw_{uuid.uuid4().hex[:12]}"
    store = f"{PG}?schema={schema}"
    run_dir = root / schema
    try:
        with Orchestrator(
            run_dir, seed=5, name="bench-workers", store_url=store, pm_policy="wait"
        ) as pm:
            for n in range(tasks):
                pm.submit(f"profile table t{n}", to="data")
        procs = [
            subprocess.Popen(
                [sys.executable, "-P", "-c", _WORKER, str(run_dir), store, f"w{k}"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for k in range(workers)
        ]
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        began = time.perf_counter()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        for proc in procs:
            proc.communicate(timeout=600)
            assert proc.returncode == 0
        elapsed = time.perf_counter() - began
        with Orchestrator(run_dir, seed=5, name="bench-workers", store_url=store) as pm:
            return elapsed, pm.store.event_count(), pm.digest()
    finally:
        with psycopg.connect(DSN, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    print(f"cores: {os.cpu_count()}  tasks: {args.tasks}  rounds: {args.rounds} (best of)")
    best: dict[int, tuple[float, int, str]] = {}
    with TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            for workers in (1, 2, 4):  # interleaved: machine load touches every K alike
                result = _one_round(args.tasks, workers, Path(tmp))
                if workers not in best or result[0] < best[workers][0]:
                    best[workers] = result
    base_rate = best[1][1] / best[1][0]
    for workers, (elapsed, events, digest) in sorted(best.items()):
        rate = events / elapsed
        same = "same digest" if digest == best[1][2] else "DIGEST DIFFERS"
        print(
            f"{workers} worker(s): {events} events in {elapsed:.2f} s = {rate:.0f} events/s, "
            f"{rate / base_rate:.2f}x one worker ({same})"
        )


if __name__ == "__main__":
    main()

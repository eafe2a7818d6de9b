"""Sweep cells per second: a process pool and a local Ray runtime vs the same cells played
one after another in this process (the baseline), all in the same run.

    .venv/bin/python -P benchmarks/sweep.py [--seeds 1..4] [--scenarios pipeline-failure,...]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from charter.scenarios import library_files
from charter.scenarios.sweep import Engine, execute, plan
from charter.scenarios.sweep_matrix import parse_seeds, parse_vary


def _rate(engine: Engine, files: list[Path], seeds: list[int], root: Path) -> tuple[float, int]:
    out = root / engine
    cells = plan(files, seeds, parse_vary(["pm_policy=approve,deny"]), out).todo
    began = time.perf_counter()
    rows = execute(cells, out, engine=engine)
    elapsed = time.perf_counter() - began
    assert len(rows) == len(cells)
    return len(cells) / elapsed, len(cells)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="1..4")
    parser.add_argument(
        "--scenarios", default="pipeline-failure,authority-denials,data-quality-regression"
    )
    args = parser.parse_args()
    names = args.scenarios.split(",")
    files = [p for p in library_files() if p.stem in names]
    seeds = parse_seeds(args.seeds)
    print(f"cores: {os.cpu_count()}, cells: {len(files)} scenarios x {len(seeds)} seeds x 2")
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        serial, cells = _rate("serial", files, seeds, root)
        pool, _ = _rate("pool", files, seeds, root)
        import ray

        began = time.perf_counter()
        ray.init(include_dashboard=False, log_to_driver=False)
        start_up = time.perf_counter() - began
        try:
            on_ray, _ = _rate("ray", files, seeds, root)
        finally:
            ray.shutdown()
    print(f"serial (baseline): {serial:.2f} cells/s ({cells} cells)")
    print(f"process pool:      {pool:.2f} cells/s  ({pool / serial:.2f}x)")
    print(
        f"ray (local):       {on_ray:.2f} cells/s  ({on_ray / serial:.2f}x)"
        f"  + {start_up:.1f} s to start the runtime, not counted"
    )


if __name__ == "__main__":
    main()

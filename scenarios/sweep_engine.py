"""Running a sweep's cells: in this process, on a local process pool, or on Ray.

Each engine yields rows as cells finish (in any order); the caller stores them. Ray does
the scheduling when asked for (a local runtime or a cluster address); nothing here queues
work by hand beyond handing Ray or the pool the whole list.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from .sweep_cell import BrainChoice, run_cell
from .sweep_matrix import Cell
from .sweep_row import Row


def run_serial(cells: list[Cell], out: Path, brains: BrainChoice | None = None) -> Iterator[Row]:
    for cell in cells:
        yield run_cell(cell, out, brains)


def run_pool(
    cells: list[Cell], out: Path, workers: int | None = None, brains: BrainChoice | None = None
) -> Iterator[Row]:
    if not cells:
        return
    count = min(workers or os.cpu_count() or 1, len(cells))
    with ProcessPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(run_cell, cell, out, brains) for cell in cells]
        for future in as_completed(futures):
            yield future.result()


def _ray_cell(cell: Cell, out: Path, brains: BrainChoice | None) -> Row:
    return run_cell(cell, out, brains)


def run_ray(
    cells: list[Cell],
    out: Path,
    address: str | None = None,
    brains: BrainChoice | None = None,
) -> Iterator[Row]:
    """`address` None: use the Ray runtime already started in this process, or start a
    local one; otherwise join that cluster (the run directories must be on storage every
    node shares)."""
    import ray

    started = False
    if not ray.is_initialized():
        if address is None:
            ray.init(include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=address, log_to_driver=False)
        started = True
    try:
        remote: Any = ray.remote(_ray_cell)
        pending = [remote.remote(cell, out, brains) for cell in cells]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                yield ray.get(ref)
    finally:
        if started:
            ray.shutdown()


__all__ = ["run_pool", "run_ray", "run_serial"]

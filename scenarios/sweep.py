"""`charter sweep`: the whole matrix (scenario × seed × variant), each cell in its own run
directory, results stored as cells finish, finished cells skipped on a re-run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .loader import load_scenario
from .sweep_cell import BrainChoice
from .sweep_engine import run_pool, run_ray, run_serial
from .sweep_matrix import Cell, Variant, matrix
from .sweep_results import SweepResults
from .sweep_row import Row

Engine = Literal["serial", "pool", "ray"]


@dataclass(frozen=True)
class SweepPlan:
    cells: list[Cell]  # the whole matrix
    todo: list[Cell]  # those without a stored row


def plan(files: list[Path], seeds: list[int], variants: list[Variant], out: Path) -> SweepPlan:
    """Load every file first (a bad file stops the sweep before anything runs)."""
    scenarios = [(path, load_scenario(path).scenario.name) for path in files]
    cells = matrix(scenarios, seeds, variants)
    results = SweepResults(out)
    try:
        done = results.done()
    finally:
        results.close()
    return SweepPlan(cells, [c for c in cells if c.key not in done])


def execute(
    todo: list[Cell],
    out: Path,
    *,
    engine: Engine = "pool",
    workers: int | None = None,
    ray_address: str | None = None,
    on_row: Callable[[Row], None] | None = None,
    brains: BrainChoice | None = None,
) -> list[Row]:
    """Run the cells, storing each row as it arrives; every stored row afterwards."""
    rows: Iterator[Row]
    if engine == "serial":
        rows = run_serial(todo, out, brains)
    elif engine == "pool":
        rows = run_pool(todo, out, workers, brains)
    else:
        rows = run_ray(todo, out, ray_address, brains)
    results = SweepResults(out)
    try:
        for row in rows:
            results.add(row)
            if on_row is not None:
                on_row(row)
        results.write_csv()
        return results.rows()
    finally:
        results.close()


__all__ = ["Engine", "SweepPlan", "execute", "plan"]

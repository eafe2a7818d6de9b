"""The runs one store holds (`charter_runs`): registering a run, finding the one meant.

A run's id comes from its scenario and seed, so the same id under another scenario is a
mistake (two runs would write into one record) and is refused; the same scenario again is
the same run, reopened.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from charter.protocols import ConfigError

from .migrations import DEFAULT_RUN
from .tables import RunRow

RUNS = RunRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def list_runs(engine: Engine) -> list[tuple[str, str, int]]:
    """(run id, scenario, seed) of every run the store holds, oldest first."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(RUNS.c.run_id, RUNS.c.name, RUNS.c.seed).order_by(
                RUNS.c.created_at, RUNS.c.run_id
            )
        ).all()
    return [(str(run), str(name), int(seed)) for run, name, seed in rows]


def only_run(engine: Engine, url: str) -> str:
    """The run a store holds when the caller named none; several is a ConfigError."""
    runs = list_runs(engine)
    if not runs:
        return DEFAULT_RUN
    if len(runs) == 1:
        return runs[0][0]
    listed = ", ".join(f"{run} ({name or '-'}, seed {seed})" for run, name, seed in runs[:8])
    more = f" and {len(runs) - 8} more" if len(runs) > 8 else ""
    raise ConfigError(
        f"run database {_shown(url)} holds {len(runs)} runs: {listed}{more}; "
        "give its run id (charter ... --store URL RUN_ID)"
    )


def check_run(engine: Engine, url: str, run_id: str) -> None:
    """An existing run only: a misspelt id must not read as an empty run."""
    runs = list_runs(engine)
    if run_id == DEFAULT_RUN and not runs:
        return
    if any(run == run_id for run, _, _ in runs):
        return
    listed = ", ".join(run for run, _, _ in runs[:8]) or "none"
    raise ConfigError(f"run database {_shown(url)}: no run {run_id!r} (it holds: {listed})")


def claim_run(engine: Engine, url: str, run_id: str, *, name: str, seed: int, at: datetime) -> None:
    """Register `run_id` for scenario `name`, or check that it already is."""
    for _attempt in range(2):
        with engine.begin() as connection:
            found = connection.execute(
                select(RUNS.c.name, RUNS.c.seed).where(RUNS.c.run_id == run_id)
            ).first()
            if found is None:
                try:
                    with connection.begin_nested():
                        connection.execute(
                            RUNS.insert().values(run_id=run_id, name=name, seed=seed, created_at=at)
                        )
                except IntegrityError:
                    continue  # another process registered it just now: check what it wrote
                return
        if found.name != name:
            raise ConfigError(
                f"run database {_shown(url)}: run {run_id} belongs to scenario "
                f"{found.name!r} (seed {found.seed}), not {name!r}; open it with its own "
                "scenario or give this run another id"
            )
        return
    raise ConfigError(f"run database {_shown(url)}: could not register run {run_id}")


__all__ = ["RUNS", "check_run", "claim_run", "list_runs", "only_run"]

"""`charter worker RUN_ID --store URL`: one of several processes working on one run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from charter.protocols import ConfigError

from ._json import JsonOpt, emit_json
from .store_option import StoreOpt

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # the probe writes nothing that needs a time


def worker(
    run_id: Annotated[str, typer.Argument(help="The run to work on (its id in the store).")],
    store: StoreOpt = None,
    run_dir: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            help="The run's directory (workspace, data sets); default ./runs/RUN_ID. "
            "Workers on other machines need it on a shared file system.",
        ),
    ] = None,
    lease: Annotated[
        float, typer.Option("--lease", help="Seconds a claim lasts if this worker dies.")
    ] = 60.0,
    worker_id: Annotated[str | None, typer.Option("--id", help="This worker's name.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Claim and run the run's work items until none is left for this worker.

    Any number of workers may share a run in a PostgreSQL store: each item runs once at
    a time (row locks, SKIP LOCKED), a dead worker's item is taken over when its lease
    lapses, and the run's digest is the one a single worker gives."""
    from charter.graph.workers import Worker
    from charter.memory import open_run_store
    from charter.memory.backend import split_schema
    from charter.protocols import VirtualClock

    if not store:
        raise ConfigError("charter worker: expected --store URL (or CHARTER_STORE)")
    if lease <= 0:
        raise ConfigError(f"--lease {lease}: expected a positive number of seconds")
    url, schema = split_schema(store)
    # The store knows the run (a misspelt id is refused here) and its scenario and seed,
    # from which a new run directory is made.
    with open_run_store(url, clock=VirtualClock(_EPOCH), schema=schema, run_id=run_id) as probe:
        name, seed = probe.run_identity()
    directory = run_dir or Path("runs") / run_id
    with Worker(
        directory,
        store_url=store,
        worker_id=worker_id,
        lease=timedelta(seconds=lease),
        seed=seed,
        name=name,
    ) as running:
        if running.orchestrator.run_id != run_id:
            raise ConfigError(
                f"--dir {directory}: holds run {running.orchestrator.run_id}, not {run_id}"
            )
        count = running.run()
    if as_json:
        emit_json({"worker": running.worker_id, "run_id": run_id, "ran": count})
        return
    typer.echo(f"worker {running.worker_id}: ran {count} work items of {run_id}")


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)

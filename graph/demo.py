"""The flagship run: a night-time pipeline failure, end to end, on the rule brains.

01:00 the nightly `load_orders` job fails with a duplicate-key error. The Data agent is
activated by the `pipeline_failed` signal, queries the staging table for duplicated keys
(a real SQLite database generated in the run's datasets), escalates "Pipeline Failures"
(immediate: the run pauses until the PM decides; the default PM policy approves),
proposes a deduplicating migration that tokenises the restricted e-mail column, asks the
Architect (`schema_review`) and Security (`data_security_review`), tells Integration the
pipeline is paused, and applies the migration once both approved; its report's lessons
become memories.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from charter.agents.policies.pm import PmPolicyName
from charter.protocols import Escalation, Team, VirtualClock

from .orchestrator import DEFAULT_START, Orchestrator, RunStatus

DEMO_NAME = "demo-pipeline-failure"
DEMO_CLASSIFICATIONS = {
    "customers.email": "restricted",
    "staging_orders.customer_email": "restricted",
    "customers.name": "confidential",
    "orders.amount": "internal",
}


def make_orders_db(path: Path, *, seed: int, rows: int = 400, duplicates: int = 7) -> int:
    """A small shop database whose staging table holds `duplicates` repeated order ids."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    from charter.protocols.file_modes import private_file

    with sqlite3.connect(private_file(path)) as db:
        db.executescript(
            """
            CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(80), email VARCHAR(120));
            CREATE TABLE orders (order_id INTEGER PRIMARY KEY, customer_id INTEGER,
                                 amount NUMERIC, created_at TEXT);
            CREATE TABLE staging_orders (order_id INTEGER, customer_id INTEGER,
                                         customer_email VARCHAR(120), amount NUMERIC,
                                         created_at TEXT);
            """
        )
        customers = [(i, f"Customer {i}", f"customer{i}@example.com") for i in range(1, 51)]
        db.executemany("INSERT INTO customers VALUES (?, ?, ?)", customers)
        staged = []
        for order_id in range(1, rows + 1):
            customer = rng.randint(1, 50)
            staged.append(
                (
                    order_id,
                    customer,
                    customers[customer - 1][2],
                    round(rng.uniform(5, 500), 2),
                    f"2026-03-01T{rng.randint(0, 23):02d}:00",
                )
            )
        staged += [staged[i] for i in rng.sample(range(rows), duplicates)]
        db.executemany("INSERT INTO staging_orders VALUES (?, ?, ?, ?, ?)", staged)
    return duplicates


@dataclass
class DemoResult:
    run_dir: Path
    status: RunStatus
    digest: str
    events: int
    escalations: list[Escalation]


def open_demo(
    run_dir: Path,
    *,
    seed: int = 7,
    pm_policy: PmPolicyName = "approve",
    checkpointer: str = "auto",
    team: Team | None = None,
    store: str | None = None,
) -> tuple[Orchestrator, VirtualClock]:
    """Open (or reopen) the demo run: its database generated and the failure signalled
    once. The caller steps it — `run_demo` to the end, the TUI one step at a time."""
    clock = VirtualClock(DEFAULT_START)
    orch = Orchestrator(
        run_dir,
        seed=seed,
        name=DEMO_NAME,
        clock=clock,
        pm_policy=pm_policy,
        classifications=DEMO_CLASSIFICATIONS,
        checkpointer=checkpointer,
        team=team,
        store_url=store,
    )
    database = orch.datasets / "orders.db"
    if not database.exists():
        make_orders_db(database, seed=seed)
    if not orch.events(kinds={"signal_received"}):
        clock.jump_to(DEMO_SIGNAL_AT)
        orch.signal(
            "pipeline_failed",
            source="monitor:pipeline_health",
            pipeline="load_orders",
            error='duplicate key value violates unique constraint "orders_pkey"',
            database="orders.db",
            table="staging_orders",
            key="order_id",
            columns=[
                {
                    "table": "staging_orders",
                    "column": "customer_email",
                    "classification": "restricted",
                }
            ],
        )
    return orch, clock


DEMO_SIGNAL_AT = DEFAULT_START + timedelta(minutes=40)
MINUTES_PER_ITEM = 3


def _work_time(orch: Orchestrator) -> datetime:
    done = len(orch.threads(status="done"))
    return DEMO_SIGNAL_AT + timedelta(minutes=MINUTES_PER_ITEM * done)


def is_demo_run(run_dir: Path, seed: int) -> bool:
    """True when `run_dir` holds this demo (same seed): `charter demo --out` resumes it."""
    from .run_dir import peek_meta

    meta = peek_meta(run_dir, seed=seed, name=DEMO_NAME)
    return meta.get("name") == DEMO_NAME and int(meta.get("seed", -1)) == seed


def run_demo(
    run_dir: Path,
    *,
    seed: int = 7,
    pm_policy: PmPolicyName = "approve",
    checkpointer: str = "auto",
    team: Team | None = None,
    store: str | None = None,
) -> DemoResult:
    orch, clock = open_demo(
        run_dir, seed=seed, pm_policy=pm_policy, checkpointer=checkpointer, team=team, store=store
    )
    with orch:
        # Each piece of agent work takes a few virtual minutes, so the timeline reads like
        # a night; the PM's decision comes from the default policy as soon as it is asked.
        # The time of each item follows from how many are done, so a killed demo resumed
        # in the same directory reaches the same digest.
        status: RunStatus = "working"
        while status == "working":
            clock.jump_to(max(clock.now(), _work_time(orch)))
            status = orch.step().status

        return DemoResult(
            run_dir=run_dir,
            status=status,
            digest=orch.digest(),
            events=orch.store.event_count(),
            escalations=orch.escalations(),
        )


__all__ = [
    "DEMO_CLASSIFICATIONS",
    "DEMO_NAME",
    "DemoResult",
    "is_demo_run",
    "make_orders_db",
    "open_demo",
    "run_demo",
]

"""Several workers on one run: each claims runnable threads from the shared store.

    worker = Worker("runs/night", store_url="postgresql+psycopg://...?schema=team")
    worker.run()          # until nothing is left that this worker may take

A worker is an Orchestrator opened in shared mode. It claims the queued item due first
that no live worker holds (`RunStore.claim_work`: row locks with SKIP LOCKED on
PostgreSQL), runs that item's thread to its end or its interrupt, and lets go of it when
the item is settled. A claim is a lease on the wall clock: a worker that dies holding one
(SIGKILL, a lost machine) has its item taken by another once the lease lapses, and since
effects are idempotent by event id, running the item again re-appends nothing it had done.

Each item runs at the virtual time it became due (`ItemClock`), whichever worker takes it
and whenever, so the run's events are the same under the canonical digest (time, thread,
sequence) with one worker or four. Workers never decide escalations: an item waiting on
the PM holds only itself, and the PM's own Orchestrator decides and resumes it.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from charter.agents.brain import Brain
from charter.protocols import ConfigError, Team

from .orchestrator import Orchestrator
from .run_dir import DEFAULT_START

DEFAULT_LEASE = timedelta(seconds=60)


class ItemClock:
    """The run clock a worker's item sees: the virtual instant the item became due."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = instant.astimezone(UTC)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Worker:
    def __init__(
        self,
        run_dir: str | Path,
        *,
        store_url: str,
        worker_id: str | None = None,
        lease: timedelta = DEFAULT_LEASE,
        poll_s: float = 0.2,
        team: Team | None = None,
        brains: Mapping[str, Brain] | None = None,
        seed: int = 0,
        name: str = "run",
    ) -> None:
        if lease <= timedelta(0):
            raise ConfigError(f"worker lease {lease}: expected a positive duration")
        self.worker_id = worker_id or default_worker_id()
        self.lease = lease
        self._poll_s = poll_s
        self.clock = ItemClock(DEFAULT_START)
        self.orchestrator = Orchestrator(
            run_dir,
            store_url=store_url,
            clock=self.clock,
            pm_policy="wait",
            shared=True,
            team=team,
            brains=brains,
            seed=seed,
            name=name,
        )
        self.ran: list[str] = []  # thread ids this worker ran, in order

    def work_one(self) -> bool:
        """Claim and run one item; False when none is free to claim right now."""
        orch = self.orchestrator
        from .work import enqueue_new_work

        enqueue_new_work(orch.rt)
        record = orch.store.claim_work(self.worker_id, now=_wall(), lease=self.lease)
        if record is None:
            return False
        self.clock.set(record.due_at)
        orch.run_item(record.thread_id, record.item)  # type: ignore[arg-type]  # a stored WorkItem
        self.ran.append(record.thread_id)
        return True

    def run(self, *, max_items: int | None = None) -> int:
        """Work until no queued item is left that this worker may take (items live
        workers hold are waited for: their lease may lapse); how many items it ran."""
        done = 0
        while max_items is None or done < max_items:
            if self.work_one():
                done += 1
                continue
            if not self.orchestrator.store.work_claimed_elsewhere(now=_wall()):
                break
            time.sleep(self._poll_s)  # another worker holds the rest: its lease may lapse
        return done

    def close(self) -> None:
        self.orchestrator.close()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _wall() -> datetime:
    return datetime.now(UTC)


__all__ = ["DEFAULT_LEASE", "ItemClock", "Worker", "default_worker_id"]

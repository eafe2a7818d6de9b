"""How many memories each run holds, kept beside the run in `charter_meta`.

Relevance ranking needs a run's memory count for every query (the IDF's N). Counting the
run's rows costs a scan of its index (4 ms at 100,000 memories, on every agent turn);
this count is kept up to date in the same transactions that insert and delete memories,
so ranking reads one row. A store written before the count existed is counted once, on
its next insert.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from .tables import MemoryRow, MetaRow

MEMORIES = MemoryRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it
META = MetaRow.__table__  # type: ignore[attr-defined]
KEY = "memory_count"


def adjust(connection: Connection, run_id: str, delta: int) -> None:
    """After `delta` memories of `run_id` were inserted (or removed, negative), inside the
    same write transaction."""
    this = (META.c.run_id == run_id, META.c.key == KEY)
    stored = connection.execute(select(META.c.value).where(*this)).scalar()
    if stored is None:
        # First time: the rows themselves (already including this change) are the count.
        counted = connection.execute(
            select(func.count()).where(MEMORIES.c.run_id == run_id)
        ).scalar_one()
        connection.execute(META.insert().values(run_id=run_id, key=KEY, value=str(counted)))
    elif delta:
        connection.execute(META.update().where(*this).values(value=str(int(stored) + delta)))


__all__ = ["KEY", "adjust"]

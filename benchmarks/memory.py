"""Benchmark: context preparation against a plain indexed lookup, and bulk insert.

    .venv/bin/python -P benchmarks/memory.py                 # SQLite 10k + 100k, PostgreSQL 10k
    .venv/bin/python -P benchmarks/memory.py --sizes "" --pg-sizes 100000   # PostgreSQL 100k
    .venv/bin/python -P benchmarks/memory.py --sizes 10000 --no-postgres

For each size it bulk-inserts synthetic memories (seeded), then times `prepare_context`
(full-text relevance + recency + importance, per kind, within a budget) for a batch of
task-like queries, next to a plain indexed lookup on the same table in the same run
(`agent = ? AND kind = ? ORDER BY importance DESC LIMIT 3`); the SQLite bulk insert is
shown next to a plain sqlite3 executemany of the same memories into a table without
indexes (no redaction, ids, tags or text index). Targets from issue 4:
p95 under 5 ms at 100,000 records, bulk insert of 100,000 records under 5 s.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from charter.memory import MemoryInput, RunStore, open_run_store
from charter.memory.retrieval import MEMORIES
from charter.protocols import MemoryKind, VirtualClock

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
AGENTS = ["data"] * 6 + ["architect", "engineer", "security", "qa"]
DOMAIN = [
    "orders", "customers", "pipeline", "failure", "duplicate", "key", "schema", "migration",
    "index", "latency", "p95", "backup", "restore", "replica", "lag", "freshness",
    "completeness", "uniqueness", "orphan", "anomaly", "drift", "classification",
    "confidential", "restricted", "masking", "token", "lineage", "etl", "cache", "partition",
    "warehouse", "nightly", "load", "staging", "watermark", "vacuum", "deadlock", "timeout",
    "retry", "quota",
]  # fmt: skip


def _vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {"".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(size)}
    return sorted(words) + DOMAIN


def _records(count: int, seed: int) -> tuple[list[MemoryInput], list[str]]:
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng)
    kinds = list(MemoryKind)
    records = []
    for number in range(count):
        words = [rng.choice(vocabulary) for _ in range(rng.randint(8, 20))]
        records.append(
            MemoryInput(
                agent=rng.choice(AGENTS),
                kind=rng.choice(kinds),
                content=" ".join(words) + f" #{number}",
                tags=[rng.choice(DOMAIN), rng.choice(DOMAIN)],
                importance=round(rng.random(), 3),
                source_event=f"ev-{number}",
                created_at=NOW - timedelta(minutes=rng.randint(0, 525_600)),
                expires_at=None,
            )
        )
    queries = [
        " ".join(rng.choice(vocabulary) for _ in range(rng.randint(4, 8))) for _ in range(300)
    ]
    return records, queries


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return p50 * 1000, p95 * 1000


def _time(calls: list[Callable[[], object]]) -> list[float]:
    for call in calls[:20]:  # warm caches, as a long-running run would be
        call()
    samples = []
    for call in calls:
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def _plain_insert(records: list[MemoryInput], directory: str) -> float:
    """The baseline for the bulk insert: the same memories' text columns written by one
    sqlite3 executemany into a table without indexes (no redaction, ids or text index)."""
    rows = [
        (r.agent, r.kind.value, r.content, " ".join(r.tags), r.importance, r.created_at.isoformat())
        for r in records
    ]
    connection = sqlite3.connect(Path(directory) / f"plain-{uuid.uuid4().hex}.db")
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("CREATE TABLE plain (agent, kind, content, tags, importance, at)")
        start = time.perf_counter()
        with connection:
            connection.executemany("INSERT INTO plain VALUES (?, ?, ?, ?, ?, ?)", rows)
        return time.perf_counter() - start
    finally:
        connection.close()


def _bench(store: RunStore, label: str, size: int, seed: int, directory: str) -> None:
    records, queries = _records(size, seed)
    # The insert baseline is SQLite's own executemany, so only the SQLite rows show it.
    plain_s = _plain_insert(records, directory) if label == "sqlite" else None
    start, cpu_start = time.perf_counter(), time.process_time()
    store.add_memories(records)
    insert_s = time.perf_counter() - start
    insert_cpu = time.process_time() - cpu_start
    kinds = list(MemoryKind)

    def context(query: str) -> Callable[[], object]:
        return lambda: store.prepare_context(agent="data", query=query, now=NOW)

    def lookup(number: int) -> Callable[[], object]:
        kind = kinds[number % len(kinds)].value
        statement = (
            select(MEMORIES)
            # The run's own rows, as every store read is scoped (the index leads with it).
            .where(
                MEMORIES.c.run_id == store.run_id,
                MEMORIES.c.agent == "data",
                MEMORIES.c.kind == kind,
            )
            .order_by(MEMORIES.c.importance.desc())
            .limit(3)
        )

        def run() -> object:
            with store._read() as connection:  # the same pool and connection setup
                return connection.execute(statement).all()

        return run

    cpu_start = time.process_time()
    context_p50, context_p95 = _percentiles(_time([context(q) for q in queries]))
    context_cpu = (time.process_time() - cpu_start) / (len(queries) + 20) * 1000
    lookup_p50, lookup_p95 = _percentiles(_time([lookup(n) for n in range(len(queries))]))
    found = store.prepare_context(agent="data", query=queries[0], now=NOW)
    versus = "" if plain_s is None else f", {insert_s / plain_s:4.1f}x plain {plain_s:4.2f} s"
    print(
        f"{label:<10} {size:>7,} records | bulk insert {insert_s:6.2f} s "
        f"(cpu {insert_cpu:5.2f} s{versus}) | prepare_context p50 {context_p50:6.2f} ms "
        f"p95 {context_p95:6.2f} ms (cpu {context_cpu:5.2f} ms/call) | "
        f"indexed lookup p50 {lookup_p50:5.2f} ms "
        f"p95 {lookup_p95:5.2f} ms | ratio p95 {context_p95 / lookup_p95:5.1f}x "
        f"| {len(found)} snippets"
    )


def main() -> None:
    # Wall-clock figures on a shared machine include waiting for the CPU; the process CPU
    # time printed next to them is what the store itself spent (PostgreSQL's server work
    # is not in it).
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="SQLite sizes, comma-separated")
    parser.add_argument("--pg-sizes", default="10000", help="PostgreSQL sizes (100000: ~2 min)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    clock = VirtualClock(NOW)
    with tempfile.TemporaryDirectory() as directory:
        for size in [int(value) for value in options.sizes.split(",") if value]:
            path = Path(directory) / f"run-{size}.db"
            with open_run_store(f"sqlite:///{path}", clock=clock) as store:
                _bench(store, "sqlite", size, options.seed, directory)
    if options.no_postgres:
        return
    with tempfile.TemporaryDirectory() as directory:
        for size in [int(value) for value in options.pg_sizes.split(",") if value]:
            if not _bench_postgres(clock, size, options.seed, directory):
                return


def _bench_postgres(clock: VirtualClock, size: int, seed: int, directory: str) -> bool:
    """One PostgreSQL size in a schema of its own, dropped afterwards; False: no server."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    try:
        store = open_run_store(PG_URL, clock=clock, schema=schema)
    except Exception as error:  # no server: say so, the SQLite figures still stand
        print(f"postgresql skipped: {error}")
        return False
    try:
        _bench(store, "postgresql", size, seed, directory)
    finally:
        store.close()
        import psycopg

        with psycopg.connect(
            "host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True
        ) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    return True


if __name__ == "__main__":
    main()

"""Shared fixtures: one conformance suite, two backends.

`store` is parametrized: SQLite (a file in tmp_path, always) and PostgreSQL at
127.0.0.1:5432 database `test` (each test in its own schema, dropped afterwards).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from charter.memory import RunStore, open_run_store
from charter.protocols import VirtualClock

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_DSN, connect_timeout=3):
            return True
    except Exception:
        return False


_PG = _postgres_available()


@dataclass
class Backend:
    name: str
    url: str
    schema: str | None
    path: Path | None  # the SQLite file, for byte-level checks

    def open(self, clock: VirtualClock) -> RunStore:
        return open_run_store(self.url, clock=clock, schema=self.schema)


def _drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(PG_DSN, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        path = tmp_path / "run.db"
        yield Backend("sqlite", f"sqlite:///{path}", None, path)
        return
    if not _PG:
        pytest.skip("PostgreSQL at 127.0.0.1:5432 (database test) is not reachable")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    try:
        yield Backend("postgresql", PG_URL, schema, None)
    finally:
        _drop_schema(schema)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture
def store(backend: Backend, clock: VirtualClock) -> Iterator[RunStore]:
    opened = backend.open(clock)
    try:
        yield opened
    finally:
        opened.close()

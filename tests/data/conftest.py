"""Scratch PostgreSQL databases for the data-tool tests that run on the real server."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_database() -> Iterator[Callable[[str], str]]:
    """`pg_database(prefix)` creates an empty database and returns its URL; every one made
    is dropped after the test."""
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except Exception:
        admin.dispose()
        pytest.skip("PostgreSQL at 127.0.0.1:5432 is not reachable")
    made: list[str] = []

    def make(prefix: str) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return PG_ADMIN.rsplit("/", 1)[0] + "/" + name

    try:
        yield make
    finally:
        with admin.connect() as connection:
            for name in made:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

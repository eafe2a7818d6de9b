"""Versioned migrations: an older run database is migrated on open; a newer one is refused."""

from __future__ import annotations

from sqlalchemy import text

from charter.memory import SCHEMA_VERSION
from charter.memory.backend import create_store_engine
from charter.memory.migrations import STEPS, current_version, migrate
from charter.memory.tables import MemoryRow
from charter.protocols import ConfigError, VirtualClock

from .conftest import START, Backend

_MEMORIES = MemoryRow.__table__  # type: ignore[attr-defined]


def test_fresh_database_is_at_the_latest_version(backend: Backend, clock: VirtualClock) -> None:
    backend.open(clock).close()
    engine, _ = create_store_engine(backend.url, schema=backend.schema)
    with engine.connect() as connection:
        assert current_version(connection) == SCHEMA_VERSION == STEPS[-1].version
    engine.dispose()


def test_version_1_database_is_migrated_and_its_memories_indexed(
    backend: Backend, clock: VirtualClock
) -> None:
    engine, dialect = create_store_engine(backend.url, schema=backend.schema)
    assert migrate(engine, dialect, now=START, url=backend.url, target=1) == 1
    with engine.begin() as connection:
        connection.execute(
            _MEMORIES.insert().values(
                seq=1,
                id="old-1",
                agent="data",
                kind="error",
                content="legacy outage of the billing pipeline",
                tags="billing legacy",
                importance=0.7,
                source_event=None,
                created_at=START,
                expires_at=None,
            )
        )
    engine.dispose()
    store = backend.open(clock)
    try:
        found = store.search_memories("billing outage")
        assert [record.id for record, _ in found] == ["old-1"]
        assert [record.id for record in store.list_memories(tags=["legacy"])] == ["old-1"]
    finally:
        store.close()


def test_newer_database_is_refused_clearly(backend: Backend, clock: VirtualClock) -> None:
    backend.open(clock).close()
    engine, _ = create_store_engine(backend.url, schema=backend.schema)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO charter_schema_version (version, name, applied_at) "
                "VALUES (:v, 'from the future', :at)"
            ),
            {"v": SCHEMA_VERSION + 5, "at": START},
        )
    engine.dispose()
    try:
        backend.open(clock).close()
    except ConfigError as error:
        message = str(error)
        assert f"schema version {SCHEMA_VERSION + 5}" in message
        assert "newer than this Charter" in message
    else:
        raise AssertionError("a newer database was opened")


def test_bad_urls_are_config_errors(tmp_path: object) -> None:
    for url, expected in [
        ("mysql://localhost/x", "not supported"),
        ("sqlite://", "expected a file"),
        ("sqlite:////no/such/dir/run.db", "does not exist"),
        ("not a url", "expected sqlite"),
    ]:
        try:
            create_store_engine(url)
        except ConfigError as error:
            assert expected in str(error), (url, str(error))
        else:
            raise AssertionError(url)

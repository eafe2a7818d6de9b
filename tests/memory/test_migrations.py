"""Versioned migrations: an older run database is migrated on open; a newer one is refused."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import text

from charter.memory import SCHEMA_VERSION, MemoryInput, RunStore
from charter.memory.backend import create_store_engine
from charter.memory.migrations import DEFAULT_RUN, STEPS, current_version, migrate
from charter.memory.tables import MemoryRow
from charter.protocols import ConfigError, MemoryKind, VirtualClock

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
            # Step 1 makes tables from today's classes (run_id included): a row as a
            # single-run store before step 7 held it, under the run id migration gives.
            _MEMORIES.insert().values(
                seq=1,
                run_id=DEFAULT_RUN,
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


def test_version_4_tags_survive_the_move_to_a_keyed_table(
    backend: Backend, clock: VirtualClock
) -> None:
    engine, dialect = create_store_engine(backend.url, schema=backend.schema)
    migrate(engine, dialect, now=START, url=backend.url, target=4)
    engine.dispose()
    with _open_at(backend, clock, 4) as store:
        kept, _gone = store.add_memories([_tagged("kept", ["billing"]), _tagged("gone", ["x"])])
    store = backend.open(clock)
    try:
        assert [record.id for record in store.list_memories(tags=["billing"])] == [kept]
        store.add_memories([_tagged("new", ["billing"])])
        assert len(store.list_memories(tags=["billing"])) == 2
        store.prune(now=START + timedelta(days=2))  # "gone" expires: its tags must go too
        assert store.list_memories(tags=["x"]) == []
        with store._read() as connection:
            tags = connection.execute(text("SELECT tag FROM charter_memory_tags")).scalars()
            assert sorted(tags) == ["billing", "billing"]
    finally:
        store.close()


def _tagged(content: str, tags: list[str]) -> MemoryInput:
    expires = START + timedelta(days=1) if content == "gone" else None
    return MemoryInput(
        agent="data", kind=MemoryKind.ERROR, content=content, tags=tags, created_at=START,
        expires_at=expires,
    )  # fmt: skip


@contextmanager
def _open_at(backend: Backend, clock: VirtualClock, version: int) -> Iterator[RunStore]:
    """A store on a database left at `version` (the store's own migrate is a no-op)."""
    engine, dialect = create_store_engine(backend.url, schema=backend.schema)
    store = RunStore(backend.url, engine, dialect, clock)
    try:
        with engine.connect() as connection:
            assert current_version(connection) == version
        yield store
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

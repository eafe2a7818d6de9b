"""Engines behind one URL: `sqlite:///<path>` (the embedded default) or
`postgresql+psycopg://...` (optionally inside one schema).

SQLite runs in WAL mode with a busy timeout, and every write transaction starts with
`BEGIN IMMEDIATE`: two processes appending to one run then queue for the write lock
instead of failing half-way through a read-then-write transaction.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from charter.protocols import CharterError, ConfigError

Dialect = Literal["sqlite", "postgresql"]

BUSY_TIMEOUT_S = 30.0
READ_ONLY = "charter_read_only"  # execution option: a transaction that will not write
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class StoreLockedError(CharterError):
    """Another process held the run database's write lock longer than the busy timeout."""


def dialect_of(url: str) -> Dialect:
    try:
        name = make_url(url).get_backend_name()
    except ArgumentError as error:
        raise ConfigError(
            f"run database URL {url!r}: expected sqlite:///<path> or postgresql+psycopg://..."
        ) from error
    if name == "sqlite":
        return "sqlite"
    if name in ("postgresql", "postgres"):
        return "postgresql"
    raise ConfigError(
        f"run database URL {url!r}: backend {name!r} is not supported "
        "(expected sqlite:///<path> or postgresql+psycopg://...)"
    )


def create_store_engine(
    url: str, *, schema: str | None = None, create: bool = True
) -> tuple[Engine, Dialect]:
    """`create=False`: an existing store only (a PostgreSQL schema is not made)."""
    dialect = dialect_of(url)
    if dialect == "sqlite":
        if schema is not None:
            raise ConfigError(f"run database {url!r}: a schema applies to PostgreSQL only")
        return _sqlite_engine(url, create=create), dialect
    return _postgres_engine(url, schema, create=create), dialect


def _sqlite_engine(url: str, *, create: bool = True) -> Engine:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ConfigError(
            f"run database {url!r}: expected a file (sqlite:///<run dir>/run.db); an in-memory "
            "database cannot be shared with the checkpointer or another process"
        )
    parent = Path(database).parent
    if not parent.is_dir():
        raise ConfigError(f"run database {url!r}: directory {str(parent)!r} does not exist")
    if create:
        from charter.protocols.file_modes import private_file

        private_file(Path(database))  # a run database holds personal data: 0600
    engine = create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would defer BEGIN until the first write,
        # which turns a read-then-write transaction into a lock upgrade that can fail with
        # SQLITE_BUSY at once; we issue BEGIN ourselves (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        _set_wal(cursor)
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # A bulk import is one transaction; with the 2 MB default cache its pages spill
        # to the WAL repeatedly.
        cursor.execute("PRAGMA cache_size=-32000")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted content is overwritten, not left in free pages: erasure must leave no trace.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")  # WAL readers never wait for writers
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _set_wal(cursor: Any) -> None:
    # Switching to WAL needs a moment of exclusive access; while another process is
    # recovering or switching the same file SQLite may answer "locked" without waiting.
    for attempt in range(200):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == 199:
                raise
            time.sleep(0.05)


def _postgres_engine(url: str, schema: str | None, *, create: bool = True) -> Engine:
    connect_args: dict[str, Any] = {}
    if schema is not None:
        if not _SCHEMA_NAME.match(schema):
            raise ConfigError(
                f"run database schema {schema!r}: expected a lower-case identifier "
                "(letters, digits, underscores)"
            )
        connect_args["options"] = f"-c search_path={schema}"
    engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    if schema is not None:
        try:
            with engine.begin() as connection:
                if create:
                    # CREATE SCHEMA IF NOT EXISTS races with itself (a unique violation
                    # when processes start together): one at a time per schema name.
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                        {"key": f"charter:schema:{schema}"},
                    )
                    connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        except OperationalError as error:
            engine.dispose()
            raise ConfigError(f"run database {_safe(url)}: cannot connect ({error.orig})") from None
    return engine


def resolve_run(run: str) -> tuple[str, str | None]:
    """A CLI RUN argument -> (database URL, PostgreSQL schema or None).

    RUN is a run directory (holding `run.db`), a `.db` file, or a database URL; a
    PostgreSQL URL may name its schema as `?schema=NAME`. An existing run only: a typo must
    not create an empty database."""
    if "://" in run:
        dialect_of(run)
        url, schema = split_schema(run)
        if dialect_of(run) == "sqlite":
            file_name = make_url(url).database or ""
            if not Path(file_name).is_file():
                raise ConfigError(f"run {run!r}: no run database at {file_name!r}")
        return url, schema
    path = Path(run)
    elsewhere = recorded_store(path)
    if elsewhere is not None:
        return elsewhere
    database = path / "run.db" if path.is_dir() else path
    from .guard_spool import spool_folder

    # a run only the Claude Code guard has written yet: opening it stores the spooled lines
    spooled = path.is_dir() and spool_folder(f"sqlite:///{database}") is not None
    if not database.is_file() and not spooled:
        raise ConfigError(
            f"run {run!r}: no run database found (expected a run directory with run.db, "
            "a .db file, or a database URL)"
        )
    return f"sqlite:///{database.resolve()}", None


@dataclass(frozen=True)
class RunRef:
    """Where a run's store is and which of the runs in it is meant (None: its only run)."""

    url: str
    schema: str | None
    run_id: str | None


STORE_ENV = "CHARTER_STORE"


def locate_run(run: str, *, store: str | None = None) -> RunRef:
    """A CLI RUN argument, with the `--store URL` (or CHARTER_STORE) it came with, ->
    the store and run id it means.

    Without a store: RUN is a run directory, a `.db` file or a database URL (see
    `resolve_run`). With one: RUN is a run id in that store, or a run directory whose
    `run.json` names the id."""
    if store:
        url, schema = split_schema(store)
        dialect_of(url)
        path = Path(run)
        run_id = recorded_run_id(path) if path.is_dir() else run
        return RunRef(url, schema, run_id)
    url, schema = resolve_run(run)
    path = Path(run)
    return RunRef(url, schema, recorded_run_id(path) if path.is_dir() else None)


def split_schema(url: str) -> tuple[str, str | None]:
    """`postgresql+psycopg://...?schema=NAME` -> (the URL without it, NAME or None)."""
    parsed = make_url(url)
    schema = parsed.query.get("schema")
    if isinstance(schema, tuple):
        schema = schema[-1]
    if schema is not None:
        parsed = parsed.difference_update_query(["schema"])
    return parsed.render_as_string(hide_password=False), schema


def recorded_run_id(run_dir: Path) -> str | None:
    """The run id a run directory's `run.json` holds (None: no readable run.json)."""
    try:
        run_id = json.loads((run_dir / "run.json").read_text(encoding="utf-8")).get("run_id")
    except (OSError, ValueError, AttributeError):
        return None
    return run_id if isinstance(run_id, str) else None


def recorded_store(run_dir: Path) -> tuple[str, str | None] | None:
    """(URL, schema) of the store a run directory's `run.json` names — a run whose store is
    not the directory's own `run.db` (PostgreSQL) — or None."""
    meta_path = run_dir / "run.json"
    if not meta_path.is_file():
        return None
    try:
        store = json.loads(meta_path.read_text(encoding="utf-8")).get("store")
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(store, dict) or not isinstance(store.get("url"), str):
        return None
    schema = store.get("schema")
    return store["url"], schema if isinstance(schema, str) else None


def store_record(url: str, schema: str | None) -> dict[str, str | None]:
    """What `run.json` keeps of a store that is not the run's own `run.db`: its URL without
    the password (a secret does not belong in the run directory; libpq's PGPASSWORD or
    ~/.pgpass supply it) and its schema."""
    safe = make_url(url).set(password=None).render_as_string(hide_password=False)
    return {"url": safe, "schema": schema}


def checkpoint_file(run: str) -> Path | None:
    """The SQLite file holding a run directory's checkpoints when its store lives elsewhere
    (erasure must reach both), else None."""
    path = Path(run)
    if "://" in run or not path.is_dir() or recorded_store(path) is None:
        return None
    database = path / "run.db"
    return database if database.is_file() else None


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def write_lock_errors(url: str) -> Iterator[None]:
    """Turn SQLite's "database is locked" (after the busy timeout) into one clear error."""
    try:
        yield
    except OperationalError as error:
        if "locked" in str(error.orig).lower() or "busy" in str(error.orig).lower():
            raise StoreLockedError(
                f"run database {_safe(url)}: still locked by another writer after "
                f"{BUSY_TIMEOUT_S:.0f} s; try again when the other process has finished"
            ) from None
        raise


__all__ = [
    "BUSY_TIMEOUT_S",
    "READ_ONLY",
    "STORE_ENV",
    "Dialect",
    "RunRef",
    "StoreLockedError",
    "create_store_engine",
    "dialect_of",
    "locate_run",
    "recorded_run_id",
    "resolve_run",
    "split_schema",
    "write_lock_errors",
]

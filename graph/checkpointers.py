"""The LangGraph checkpointer beside a run's store, chosen by name.

`auto` (the default) keeps checkpoints where the store is: the run directory's `run.db` for
a SQLite store, the same PostgreSQL schema for a PostgreSQL one, so workers on other
machines can resume each other's threads. The choice is recorded in `run.json` and a
reopened run uses it again. Every checkpoint goes through `RedactingSerializer`, like every
other write to a run database.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from charter.protocols import ConfigError

CHECKPOINTERS = ("auto", "sqlite", "postgres", "memory")


@dataclass
class Checkpointer:
    saver: Any
    kind: str  # sqlite, postgres, memory, or "custom" for a saver object
    _connection: Any = None  # what to close with the run

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def resolve_kind(kind: Any, *, store_url: str | None, recorded: str | None) -> Any:
    """The checkpointer a run uses: a saver object as given; a name checked; `auto` ->
    the one recorded in `run.json`, else the store's own backend."""
    if not isinstance(kind, str):
        return kind
    if kind not in CHECKPOINTERS:
        raise ConfigError(
            f"checkpointer {kind!r}: expected one of {', '.join(CHECKPOINTERS)} or a "
            "LangGraph saver object"
        )
    if kind != "auto":
        return kind
    if recorded in CHECKPOINTERS and recorded != "auto":
        return recorded
    if store_url is not None and store_url.startswith(("postgresql", "postgres")):
        return "postgres"
    return "sqlite"


def open_checkpointer(
    kind: Any, *, db_path: Path, store_url: str | None, store_schema: str | None
) -> Checkpointer:
    """A resolved kind (see `resolve_kind`) -> the saver, set up and ready."""
    from charter.memory.checkpoint import RedactingSerializer

    if kind == "memory":
        from langgraph.checkpoint.memory import InMemorySaver

        return Checkpointer(InMemorySaver(), "memory")
    if kind == "sqlite":
        from langgraph.checkpoint.sqlite import SqliteSaver

        from charter.protocols.file_modes import private_file

        connection = sqlite3.connect(str(private_file(db_path)), check_same_thread=False)
        return Checkpointer(
            SqliteSaver(connection, serde=RedactingSerializer()), "sqlite", connection
        )
    if kind == "postgres":
        if store_url is None or not store_url.startswith(("postgresql", "postgres")):
            raise ConfigError(
                "checkpointer 'postgres': expected a PostgreSQL run store (--store "
                "postgresql+psycopg://...); this run's store is SQLite"
            )
        return _postgres(store_url, store_schema, RedactingSerializer())
    return Checkpointer(kind, "custom")


def _postgres(url: str, schema: str | None, serde: Any) -> Checkpointer:
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg.rows import dict_row
    from sqlalchemy.engine import make_url

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    options = f"-c search_path={schema}" if schema else None
    try:
        connection = psycopg.connect(
            conninfo, autocommit=True, prepare_threshold=0, row_factory=dict_row, options=options
        )
    except psycopg.OperationalError as error:
        raise ConfigError(f"checkpointer 'postgres': cannot connect ({error})") from None
    saver = PostgresSaver(connection, serde=serde)
    try:
        _set_up_once(connection, saver, schema or "public")
    except BaseException:
        connection.close()
        raise
    return Checkpointer(saver, "postgres", connection)


def _set_up_once(connection: Any, saver: Any, schema: str) -> None:
    """LangGraph's setup() is a read-then-create migration: processes starting together
    race on it (UniqueViolation), so one runs it at a time per schema and the rest find it
    done. The lock is polled, not waited for: setup() builds an index CONCURRENTLY, which
    waits for every open transaction, a blocked lock request included (a deadlock)."""
    if _checkpoints_current(connection, saver):
        return
    key = f"charter:langgraph-setup:{schema}"
    for _attempt in range(_SETUP_POLLS):
        row = connection.execute("SELECT pg_try_advisory_lock(hashtext(%s)) AS held", (key,))
        if row.fetchone()["held"]:
            break
        time.sleep(_SETUP_POLL_S)
    else:
        raise ConfigError(
            f"checkpointer 'postgres': another process held the set-up lock of schema "
            f"{schema!r} for {_SETUP_POLLS * _SETUP_POLL_S:.0f} s"
        )
    try:
        saver.setup()
    finally:
        connection.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))


_SETUP_POLLS = 1200
_SETUP_POLL_S = 0.05


def _checkpoints_current(connection: Any, saver: Any) -> bool:
    """True when LangGraph's checkpoint tables are already at its latest migration."""
    found = connection.execute("SELECT to_regclass('checkpoint_migrations') AS name").fetchone()
    if found["name"] is None:
        return False
    row = connection.execute("SELECT max(v) AS v FROM checkpoint_migrations").fetchone()
    return row["v"] is not None and int(row["v"]) >= len(saver.MIGRATIONS) - 1


__all__ = ["CHECKPOINTERS", "Checkpointer", "open_checkpointer", "resolve_kind"]

"""Opening a database for the data tools: any SQLAlchemy URL, or a plain SQLite file path.

SQLite lacks two things the tools rely on, so every SQLite connection gets them here:
a ``REGEXP`` function (Python ``re.search`` semantics, as Great Expectations uses) and
case-sensitive ``LIKE`` (so a LIKE check means the same on SQLite as on PostgreSQL).
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, Table, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchTableError, SQLAlchemyError

from charter.protocols import ConfigError

_MMAP_BYTES = 1 << 30


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _regexp(pattern: str | None, value: object) -> bool | None:
    if pattern is None or value is None:
        return None
    return _compiled(pattern).search(str(value)) is not None


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.create_function("regexp", 2, _regexp, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA case_sensitive_like = ON")
    # Read pages straight from the OS cache instead of copying each into SQLite's own
    # cache: a full scan of a million rows costs about half the CPU. Reads only; writes
    # still go through SQLite's journal as usual.
    cursor.execute(f"PRAGMA mmap_size = {_MMAP_BYTES}")
    cursor.close()


def to_url(target: str | Path) -> URL:
    """A SQLAlchemy URL from a URL string or a SQLite file path (the default backend)."""
    text = str(target)
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text)))
    try:
        return make_url(text)
    except ArgumentError as error:
        raise ConfigError(
            f"database URL {text!r}: {error}; expected e.g. sqlite:///data.db"
        ) from None


def open_engine(target: str | Path | URL, *, must_exist: bool = True) -> Engine:
    """An engine for `target`. A SQLite file that does not exist is an error unless
    `must_exist` is False (the tools never silently create an empty database to check)."""
    url = target if isinstance(target, URL) else to_url(target)
    if url.get_backend_name() == "sqlite" and must_exist:
        database = url.database or ""
        if database in ("", ":memory:") or not Path(database).is_file():
            raise ConfigError(
                f"database {database or ':memory:'!r}: file not found; "
                "expected an existing SQLite file"
            )
    try:
        engine = create_engine(url)
    except (ArgumentError, ImportError, SQLAlchemyError) as error:
        raise ConfigError(f"database URL {safe_url(url)!r}: {error}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
    if must_exist:
        check_reachable(engine, url)
    return engine


SQLITE_MAGIC = b"SQLite format 3\x00"


def check_reachable(engine: Engine, url: str | URL) -> None:
    """One clear ConfigError now for a database the tools cannot use, instead of a driver
    error at the first query: a file that is not SQLite (checked by its header, before
    anything opens it), a server that does not answer or refuses the login."""
    parsed = url if isinstance(url, URL) else to_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and Path(database).is_file():
            with open(database, "rb") as handle:
                header = handle.read(len(SQLITE_MAGIC))
            if header and header != SQLITE_MAGIC:
                raise ConfigError(f"database {database!r}: not a SQLite file")
        return
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        raise ConfigError(f"database {safe_url(parsed)!r}: cannot connect ({reason})") from None


def safe_url(url: str | URL) -> str:
    """The URL with any password hidden, for reports and catalogues."""
    parsed = url if isinstance(url, URL) else to_url(url)
    return parsed.render_as_string(hide_password=True)


def split_table(name: str) -> tuple[str | None, str]:
    """``schema.table`` -> (schema, table); a bare name has no schema."""
    if "." in name:
        schema, _, table = name.partition(".")
        return schema or None, table
    return None, name


def reflect_table(engine: Engine, name: str) -> Table:
    """The reflected table `name` (``schema.table`` allowed); a missing one is a ConfigError."""
    schema, table = split_table(name)
    try:
        return Table(table, MetaData(), schema=schema, autoload_with=engine)
    except NoSuchTableError:
        known = ", ".join(list_tables(engine, schema)) or "none"
        raise ConfigError(
            f"table {name!r}: not found in {safe_url(engine.url)!r} (tables: {known})"
        ) from None


def list_tables(engine: Engine, schema: str | None = None) -> list[str]:
    """Table names in `schema` (the default schema when None), sorted."""
    return sorted(inspect(engine).get_table_names(schema=schema))


def key_columns(table: Table, engine: Engine, requested: list[str] | None) -> list[str]:
    """The columns that identify a row in samples of failing rows: the requested ones,
    else the primary key, else SQLite's implicit ``rowid``; empty when there is none."""
    if requested:
        for column in requested:
            if column != "rowid" and column not in table.c:
                raise ConfigError(f"key column {column!r}: not in table {table.name!r}")
        return list(requested)
    primary = [column.name for column in table.primary_key.columns]
    if primary:
        return primary
    return ["rowid"] if engine.dialect.name == "sqlite" else []


def plain(value: Any) -> Any:
    """A JSON-friendly version of a database value (decimals and dates become numbers/text)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes):
        return value.hex()
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


__all__ = [
    "key_columns",
    "list_tables",
    "open_engine",
    "plain",
    "reflect_table",
    "safe_url",
    "split_table",
    "to_url",
]

"""Database plumbing shared by the operational data tools (query performance, migration
safety, backup): opening any SQLAlchemy URL, row counts, order-independent content
checksums, and copying a whole database (SQLite online backup or a logical copy)."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from charter.protocols import ConfigError

_CHUNK = 5_000
_HASH_MOD = 1 << 128

# What a long operation reports while it works: (what it is doing, done, total).
Progress = Callable[[str, int, int], None]


def to_url(target: str | Path) -> str:
    """A SQLAlchemy URL; a plain path means a SQLite file."""
    text = str(target)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def safe_url(url: str) -> str:
    """The URL without its password, for reports and logs."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<invalid url>"


def open_engine(url: str, *, must_exist: bool = True) -> sa.Engine:
    """An engine for `url`; a bad URL or a missing SQLite file is a ConfigError."""
    try:
        parsed = sa.engine.make_url(url)
        if parsed.get_backend_name() == "sqlite" and must_exist:
            database = parsed.database or ""
            if database and database != ":memory:" and not Path(database).is_file():
                raise ConfigError(f"database {url}: no such SQLite file")
        engine = sa.create_engine(parsed)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as error:
        raise ConfigError(
            f"database URL {safe_url(url)!r}: {error}; expected e.g. sqlite:///file.db "
            "or postgresql+psycopg://user@host/db"
        ) from None
    if must_exist:
        from .connect import check_reachable

        check_reachable(engine, parsed)
    return engine


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for any other database."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def quote(engine: sa.Engine, name: str) -> str:
    return engine.dialect.identifier_preparer.quote(name)


def table_names(engine: sa.Engine) -> list[str]:
    return sorted(sa.inspect(engine).get_table_names())


def row_count(connection: sa.Connection, table: str) -> int:
    preparer = connection.dialect.identifier_preparer
    value = connection.execute(sa.text(f"SELECT COUNT(*) FROM {preparer.quote(table)}")).scalar()
    return int(value or 0)


def row_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {name: row_count(connection, name) for name in table_names(engine)}


def _canonical(value: Any) -> str:
    # One text form per value whatever the driver returns, so the same rows hash the same
    # on SQLite and PostgreSQL. The common types come first: this runs once per cell.
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]  # narrowed by the type check above
    if kind is int:
        return str(value)
    if kind is float:
        if value.is_integer():
            return str(int(value))
        text = repr(value)
        if "e" not in text and "n" not in text:  # plain decimal form; not 1e-05, inf, nan
            return text
    if value is None:
        return "\x00"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, decimal.Decimal)):
        number = decimal.Decimal(str(value)) if isinstance(value, float) else value
        if number == number.to_integral_value():
            return str(int(number))
        return format(number.normalize(), "f")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "x" + bytes(value).hex()
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def table_checksum(connection: sa.Connection, table: sa.Table) -> str:
    """An order-independent hash of the table's rows: the sum (mod 2^128) of each row's
    SHA-256 prefix. A sum rather than XOR so duplicate rows still count."""
    total = 0
    result = connection.execution_options(yield_per=_CHUNK).execute(sa.select(table))
    for row in result:
        digest = hashlib.sha256("\x1f".join(_canonical(v) for v in row).encode()).digest()
        total = (total + int.from_bytes(digest[:16], "big")) % _HASH_MOD
    return f"{total:032x}"


def snapshot(engine: sa.Engine, progress: Progress | None = None) -> dict[str, tuple[int, str]]:
    """Per table: (row count, content checksum)."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    out: dict[str, tuple[int, str]] = {}
    names = sorted(metadata.tables)
    with engine.connect() as connection:
        for done, name in enumerate(names, start=1):
            table = metadata.tables[name]
            out[name] = (row_count(connection, name), table_checksum(connection, table))
            if progress is not None:
                progress(f"checksum {name}", done, len(names))
    return out


# Pages per step of SQLite's online backup when someone watches the progress (4 MiB of
# 4 KiB pages): small enough for a bar that moves, large enough to cost nothing.
BACKUP_PAGES = 1024


def _sqlite_backup(source: Path, target: Path, progress: Progress | None = None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            if progress is None:
                src.backup(dst)
            else:

                def pages(_status: int, remaining: int, total: int) -> None:
                    progress("copy pages", total - remaining, total)

                src.backup(dst, pages=BACKUP_PAGES, progress=pages)
        finally:
            dst.close()
    finally:
        src.close()


def _portable(metadata: sa.MetaData, source: sa.Engine, target: sa.Engine) -> None:
    same = source.dialect.name == target.dialect.name
    for table in metadata.tables.values():
        for column in table.columns:
            default = column.server_default
            if default is not None and "nextval(" in str(getattr(default, "arg", "")):
                # A serial column: let the target create its own sequence.
                column.server_default = None
                column.autoincrement = True
            if not same:
                try:
                    column.type = column.type.as_generic()
                except NotImplementedError:
                    column.type = sa.Text()
                column.server_default = None


def logical_copy(source: sa.Engine, target: sa.Engine) -> None:
    """Copy every table's definition and rows through SQLAlchemy (no pg_dump needed).

    Copies tables, columns, primary keys, unique and foreign-key constraints and indexes the
    reflection sees; not views, triggers, functions, grants or sequences' own settings
    (serial sequences are re-created and moved past the copied maximum on PostgreSQL).
    """
    metadata = sa.MetaData()
    metadata.reflect(source)
    _portable(metadata, source, target)
    metadata.create_all(target)
    with source.connect() as reader, target.begin() as writer:
        for table in metadata.sorted_tables:
            result = reader.execution_options(yield_per=_CHUNK).execute(sa.select(table))
            for chunk in result.partitions(_CHUNK):
                writer.execute(table.insert(), [dict(row._mapping) for row in chunk])
        if target.dialect.name == "postgresql":
            _move_sequences(writer, metadata)


def _move_sequences(writer: sa.Connection, metadata: sa.MetaData) -> None:
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            if not column.autoincrement or not isinstance(column.type, sa.Integer):
                continue
            sequence = writer.execute(
                sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                {"t": table.name, "c": column.name},
            ).scalar()
            if sequence:
                quote = writer.dialect.identifier_preparer.quote
                writer.execute(
                    sa.text(
                        f"SELECT setval(:s, COALESCE((SELECT MAX({quote(column.name)}) "
                        f"FROM {quote(table.name)}), 0) + 1, false)"
                    ),
                    {"s": sequence},
                )


def copy_database(source_url: str, target_url: str, progress: Progress | None = None) -> str:
    """Copy a whole database; returns the method used. `progress` hears of SQLite's
    page-by-page online backup (a logical copy reports nothing until done)."""
    source_file, target_file = sqlite_path(source_url), sqlite_path(target_url)
    if source_file is not None and target_file is not None:
        _sqlite_backup(source_file, target_file, progress)
        return "sqlite-online-backup"
    source = open_engine(source_url)
    target = open_engine(target_url, must_exist=False)
    try:
        if table_names(target):
            raise ConfigError(
                f"copy target {safe_url(target_url)}: not empty, expected an empty database"
            )
        logical_copy(source, target)
    finally:
        source.dispose()
        target.dispose()
    return "logical-copy"


@contextmanager
def sqlite_scratch_copy(source: Path, folder: Path) -> Iterator[Path]:
    """A throw-away copy of a SQLite file (the "staging" database of a dry run)."""
    copy = folder / f"{source.stem}.staging.sqlite"
    _sqlite_backup(source, copy)
    try:
        yield copy
    finally:
        copy.unlink(missing_ok=True)


__all__ = [
    "Progress",
    "copy_database",
    "logical_copy",
    "open_engine",
    "quote",
    "row_count",
    "row_counts",
    "safe_url",
    "snapshot",
    "sqlite_path",
    "sqlite_scratch_copy",
    "table_checksum",
    "table_names",
    "to_url",
]

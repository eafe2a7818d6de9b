"""Dataset identities for OpenLineage, per the spec's naming conventions.

The OpenLineage naming spec makes a dataset's namespace its data source and its name the
path inside it, so lineage from different producers joins up on the same table:

- PostgreSQL: namespace ``postgres://{host}:{port}``, name ``{database}.{schema}.{table}``
- MySQL: namespace ``mysql://{host}:{port}``, name ``{database}.{table}``
- local files: namespace ``file``, name the absolute path

SQLite has no entry in the spec (it has no host or port). A SQLite database is a local
file, so its namespace is ``sqlite://`` followed by the file's absolute path (the same
form as SQLAlchemy's ``sqlite:///path`` URL) and the dataset name is the table: two files
with a table of the same name stay apart, and the same file seen by two tools matches.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from sqlalchemy.engine import URL

from .connect import split_table, to_url

FILE_NAMESPACE = "file"


class DatasetId(NamedTuple):
    """One dataset's identity in OpenLineage."""

    namespace: str
    name: str


def file_uri(path: str | Path) -> str:
    """The ``file://`` URI of a local file (for a data-source facet's `uri`)."""
    return Path(path).resolve().as_uri()


def file_dataset(path: str | Path) -> DatasetId:
    """A plain file (a backup, a CSV, a workspace file) in the local file system."""
    return DatasetId(FILE_NAMESPACE, Path(path).resolve().as_posix())


def datasource_namespace(url: str | URL) -> str:
    """The namespace of every table in the database at `url`."""
    parsed = url if isinstance(url, URL) else to_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            return "sqlite://:memory:"
        return "sqlite://" + Path(database).resolve().as_posix()
    host = parsed.host or "localhost"
    if backend == "postgresql":
        return f"postgres://{host}:{parsed.port or 5432}"
    if backend in ("mysql", "mariadb"):
        return f"mysql://{host}:{parsed.port or 3306}"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{backend}://{host}{port}"


def table_dataset(url: str | URL, table: str) -> DatasetId:
    """A table (``schema.table`` allowed) of the database at `url`."""
    parsed = url if isinstance(url, URL) else to_url(url)
    backend = parsed.get_backend_name()
    namespace = datasource_namespace(parsed)
    schema, bare = split_table(table)
    if backend == "postgresql":
        return DatasetId(namespace, f"{parsed.database}.{schema or 'public'}.{bare}")
    if backend in ("mysql", "mariadb"):
        return DatasetId(namespace, f"{schema or parsed.database}.{bare}")
    return DatasetId(namespace, table)


__all__ = [
    "FILE_NAMESPACE",
    "DatasetId",
    "datasource_namespace",
    "file_dataset",
    "file_uri",
    "table_dataset",
]

"""The governance catalogue: every column's classification with its evidence, on disk.

A JSON (or YAML, by file extension) file in the run or data directory, written atomically
(temp file + rename) so a reader never sees half a catalogue. Masking, migration review and
the TUI read it; Security's reviews cite it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import yaml
from pydantic import Field, ValidationError

from charter.inputs import safe_json, safe_yaml
from charter.protocols import ConfigError, StrictModel, UtcDatetime

from .pii import LEVELS, Level


class Evidence(StrictModel):
    """One reason for a classification."""

    # "values", "context" (other columns), "name", "default", or "confidence" (why a
    # public/internal level is or is not sure: masking copies only sure ones in clear)
    source: str
    detail: str  # human-readable: "62% of sampled values are e-mail addresses"
    kind: str | None = None  # PII kind or name hint
    share: float | None = None  # for value evidence
    examples: int | None = None  # distinct sampled values behind it (never the values)
    level: Level  # what this piece of evidence alone would mean
    decisive: bool = True  # False: noted, but below the share threshold


class ColumnEntry(StrictModel):
    level: Level
    family: str = "other"
    evidence: list[Evidence] = Field(default_factory=list)
    null_share: float | None = None
    distinct_share: float | None = None
    # True: the values give no reason to doubt the level. False or None (unknown, e.g. an
    # older catalogue) on a public/internal column makes masking treat it as personal.
    confident: bool | None = None


class TableEntry(StrictModel):
    row_count: int
    columns: dict[str, ColumnEntry]


class GovernanceCatalogue(StrictModel):
    version: int = 1
    database: str  # URL with any password hidden
    generated_at: UtcDatetime | None = None
    tables: dict[str, TableEntry] = Field(default_factory=dict)

    def level_of(self, table: str, column: str) -> Level:
        """The column's level; a column the catalogue does not know is ``internal``."""
        entry = self.tables.get(table)
        if entry is None or column not in entry.columns:
            return "internal"
        return entry.columns[column].level

    def columns_at_least(self, level: Level) -> list[tuple[str, str]]:
        """(table, column) pairs classified `level` or more sensitive."""
        floor = LEVELS.index(level)
        return [
            (table, column)
            for table, entry in sorted(self.tables.items())
            for column, info in entry.columns.items()
            if LEVELS.index(info.level) >= floor
        ]


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() in {".yaml", ".yml"}


def write_catalogue(catalogue: GovernanceCatalogue, path: str | Path) -> Path:
    """Write atomically: a temp file in the same directory, then a rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = catalogue.model_dump(mode="json")
    text = (
        yaml.safe_dump(payload, sort_keys=False, allow_unicode=True)
        if _is_yaml(target)
        else json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    )
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def load_catalogue(path: str | Path) -> GovernanceCatalogue:
    """Read a catalogue written by `write_catalogue`."""
    source = Path(path)
    data = safe_yaml(source, "catalogue") if _is_yaml(source) else safe_json(source, "catalogue")
    try:
        return GovernanceCatalogue.model_validate(data)
    except (ValueError, yaml.YAMLError) as error:
        first = error.errors()[0] if isinstance(error, ValidationError) else None
        where = (
            ".".join(str(p) for p in first["loc"]) + ": " + first["msg"] if first else str(error)
        )
        raise ConfigError(f"catalogue {str(source)!r}: {where}") from None


__all__ = [
    "ColumnEntry",
    "Evidence",
    "GovernanceCatalogue",
    "TableEntry",
    "load_catalogue",
    "write_catalogue",
]

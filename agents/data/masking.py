"""A masked copy of a database for non-production use, driven by the classification.

Methods, chosen per column from the governance catalogue (overridable):
- ``keep``: public and internal columns the classification is confident about. Masking
  fails closed: a public/internal column marked unconfident (values nobody recognised, some
  personal values below the deciding share) or with no confidence recorded (an older
  catalogue) is tokenised like confidential data unless the caller passes
  ``keep_uncertain=True`` (CLI ``--keep-uncertain``). A column missing from the catalogue
  refuses the copy. The report lists every column copied in clear and why.
- ``email`` / ``phone``: confidential contact data keeps its format (a masked e-mail is
  still an e-mail, a phone keeps its punctuation and country code) so applications and
  validations still work.
- ``token``: other confidential data (names, addresses, IPs, free text) and restricted data that
  cannot be dropped (NOT NULL, keys): an HMAC-SHA256 keyed token. Deterministic — the same
  value gives the same token in every table — so joins on masked columns keep working.
- ``year``: dates of birth are generalised to January 1st of their year.
- ``null``: restricted data that may be dropped.
The key comes from the caller (the CLI reads an environment variable); it is never written
to the copy, the report or the catalogue. Without the key nobody can recompute a token
from a guessed value, which a plain hash would allow.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import Engine, MetaData, Table, insert, select
from sqlalchemy.engine import URL

from charter.protocols import ConfigError, StrictModel

from .catalogue import ColumnEntry, GovernanceCatalogue
from .connect import open_engine, safe_url, to_url

MaskMethod = Literal["keep", "token", "email", "phone", "year", "null"]
METHODS: tuple[MaskMethod, ...] = ("keep", "token", "email", "phone", "year", "null")
MIN_KEY_BYTES = 16


class ColumnMask(StrictModel):
    table: str
    column: str
    level: str
    method: MaskMethod
    reason: str


class MaskReport(StrictModel):
    source: str
    target: str
    rows: dict[str, int] = Field(default_factory=dict)  # table -> rows copied
    columns: list[ColumnMask] = Field(default_factory=list)

    @property
    def in_clear(self) -> list[ColumnMask]:
        """Every column copied unchanged (method ``keep``), with its reason."""
        return [entry for entry in self.columns if entry.method == "keep"]

    def method_of(self, table: str, column: str) -> MaskMethod:
        for entry in self.columns:
            if entry.table == table and entry.column == column:
                return entry.method
        raise KeyError(f"{table}.{column}")


class Masker:
    """Keyed, deterministic transformations of single values."""

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ConfigError(f"masking key: {len(key)} bytes, expected at least {MIN_KEY_BYTES}")
        self._key = key

    def _digest(self, value: object) -> bytes:
        return hmac.new(self._key, str(value).encode("utf-8"), hashlib.sha256).digest()

    def token(self, value: Any) -> Any:
        if value is None:
            return None
        digest = self._digest(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return int.from_bytes(digest[:7], "big")  # 56 bits: fits any SQL BIGINT
        return "tok_" + digest.hex()[:24]

    def _letters(self, value: object, length: int) -> str:
        stream = self._digest(value).hex() + self._digest(f"{value}#2").hex()
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(alphabet[int(stream[i * 2 : i * 2 + 2], 16) % 36] for i in range(length))

    def email(self, value: Any) -> Any:
        if value is None:
            return None
        text = str(value)
        local, at, domain = text.rpartition("@")
        if not at or "." not in domain:
            return self.token(value)
        name, _, tld = domain.rpartition(".")
        masked_local = self._letters(text, min(max(len(local), 6), 24))
        masked_domain = self._letters(name.lower(), min(max(len(name), 4), 24))
        return f"{masked_local}@{masked_domain}.{tld}"

    def phone(self, value: Any) -> Any:
        if value is None:
            return None
        text = str(value)
        keep = 0
        found = re.match(r"\+\d{1,3}", text)
        if found is not None:
            keep = found.end()  # the country code is not personal and keeps routing realistic
        digits = iter(self._digest(text).hex() + self._digest(f"{text}#2").hex())
        masked = [c if i < keep or not c.isdigit() else str(int(next(digits), 16) % 10)
                  for i, c in enumerate(text)]  # fmt: skip
        return "".join(masked)

    @staticmethod
    def year(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        if isinstance(value, date):
            return date(value.year, 1, 1)
        found = re.match(r"\s*(\d{4})", str(value))
        return f"{found.group(1)}-01-01" if found else None

    def function(self, method: MaskMethod) -> Callable[[Any], Any]:
        return {
            "keep": lambda v: v,
            "token": self.token,
            "email": self.email,
            "phone": self.phone,
            "year": self.year,
            "null": lambda v: None,
        }[method]


def _kinds(entry: ColumnEntry) -> set[str]:
    return {e.kind for e in entry.evidence if e.decisive and e.kind}


def _confidence(entry: ColumnEntry) -> str:
    for evidence in entry.evidence:
        if evidence.source == "confidence":
            return evidence.detail
    return f"classified {entry.level}, no confidence recorded in the catalogue"


def choose_method(
    entry: ColumnEntry, *, droppable: bool, keep_uncertain: bool = False
) -> tuple[MaskMethod, str]:
    """The method for one catalogued column and why."""
    kinds = _kinds(entry)
    if entry.level in ("public", "internal"):
        if entry.confident:
            return "keep", _confidence(entry)
        if keep_uncertain:
            return "keep", f"{_confidence(entry)}; kept by --keep-uncertain"
        return "token", f"{_confidence(entry)}: keyed token (fail closed)"
    if entry.level == "confidential":
        if "email" in kinds:
            return "email", "confidential e-mail: format-preserving mask"
        if "phone" in kinds:
            return "phone", "confidential phone: format-preserving mask"
        if kinds & {"birth_date", "date_of_birth"}:
            return "year", "date of birth: generalised to the year"
        if "geo" in kinds and droppable:
            return "null", "coordinates: removed (a token would not be a number)"
        return "token", "confidential: keyed token (joins keep working)"
    if droppable:
        return "null", "restricted: removed"
    return "token", "restricted but NOT NULL or a key: keyed token"


def plan_masks(
    tables: Mapping[str, Table],
    catalogue: GovernanceCatalogue,
    overrides: Mapping[str, MaskMethod] | None = None,
    *,
    keep_uncertain: bool = False,
) -> list[ColumnMask]:
    """One ColumnMask per column of `tables`. Every table and column must be catalogued:
    masking an unclassified column by default would copy it in clear."""
    overrides = dict(overrides or {})
    plan: list[ColumnMask] = []
    for name, table in tables.items():
        entry = catalogue.tables.get(name)
        if entry is None:
            raise ConfigError(f"table {name!r}: not in the governance catalogue; classify it first")
        keyed = {c.name for c in table.primary_key.columns}
        keyed |= {fk.parent.name for fk in table.foreign_keys}
        for column in table.columns:
            info = entry.columns.get(column.name)
            if info is None:
                raise ConfigError(f"column {name}.{column.name}: not in the governance catalogue")
            droppable = bool(column.nullable) and column.name not in keyed
            method, reason = choose_method(info, droppable=droppable, keep_uncertain=keep_uncertain)
            chosen = overrides.pop(f"{name}.{column.name}", None)
            if chosen is not None:
                if chosen not in METHODS:
                    raise ConfigError(
                        f"mask override {name}.{column.name}: {chosen!r}, "
                        f"expected one of {', '.join(METHODS)}"
                    )
                if chosen == "null" and not droppable:
                    raise ConfigError(
                        f"mask override {name}.{column.name}: null on a NOT NULL or key column"
                    )
                method, reason = chosen, f"override (was {method}: {reason})"
            plan.append(
                ColumnMask(
                    table=name, column=column.name, level=info.level, method=method, reason=reason
                )
            )
    if overrides:
        raise ConfigError(f"mask override(s) for unknown column(s): {', '.join(sorted(overrides))}")
    return plan


def _copy(
    source: Engine,
    target: Engine,
    tables: dict[str, Table],
    plan: list[ColumnMask],
    masker: Masker,
    batch_size: int,
) -> dict[str, int]:
    metadata = MetaData()
    copies = {name: table.to_metadata(metadata) for name, table in tables.items()}
    if target.dialect.name != source.dialect.name:
        # A SQLite DATETIME means nothing to PostgreSQL: copy across dialects with the
        # generic types (DateTime -> TIMESTAMP) and without dialect-specific defaults.
        for copy in copies.values():
            for column in copy.columns:
                with contextlib.suppress(NotImplementedError):  # no generic form: keep it
                    column.type = column.type.as_generic()
                column.server_default = None
    counts: dict[str, int] = {}
    with source.connect() as reader, target.begin() as writer:
        metadata.create_all(writer)
        # Parents before children, so a target that enforces foreign keys accepts the rows.
        order = [t.name for t in metadata.sorted_tables if t.name in tables]
        for name in order:
            table = tables[name]
            methods = {m.column: m.method for m in plan if m.table == name}
            functions = [masker.function(methods[c.name]) for c in table.columns]
            names = [c.name for c in table.columns]
            batch: list[dict[str, Any]] = []
            counts[name] = 0
            result = reader.execution_options(yield_per=batch_size).execute(select(table))
            for row in result:
                batch.append({n: f(v) for n, f, v in zip(names, functions, row, strict=True)})
                if len(batch) >= batch_size:
                    writer.execute(insert(copies[name]), batch)
                    counts[name] += len(batch)
                    batch = []
            if batch:
                writer.execute(insert(copies[name]), batch)
                counts[name] += len(batch)
    return counts


def mask_database(
    source: str | Path,
    target: str | Path,
    catalogue: GovernanceCatalogue,
    key: bytes,
    *,
    tables: list[str] | None = None,
    overrides: Mapping[str, MaskMethod] | None = None,
    batch_size: int = 5000,
    keep_uncertain: bool = False,
) -> MaskReport:
    """Copy `tables` (default: every catalogued table) from `source` to a new `target`
    with each column masked as the catalogue dictates. A SQLite target is built in a
    temporary file and renamed into place, so a failure leaves no half-written copy; any
    other target is filled in one transaction and must not already hold the tables."""
    masker = Masker(key)
    src_engine = open_engine(source)
    source_url, target_url = src_engine.url, to_url(target)
    if safe_url(source_url) == safe_url(target_url):
        raise ConfigError(f"mask target {safe_url(target_url)!r}: must differ from the source")
    names = tables or sorted(catalogue.tables)
    metadata = MetaData()
    metadata.reflect(src_engine, only=names)
    reflected = {name: metadata.tables[name] for name in names}
    plan = plan_masks(reflected, catalogue, overrides, keep_uncertain=keep_uncertain)
    if target_url.get_backend_name() == "sqlite":
        counts = _copy_to_sqlite_file(src_engine, target_url, reflected, plan, masker, batch_size)
    else:
        dst_engine = open_engine(target_url, must_exist=False)
        counts = _copy(src_engine, dst_engine, reflected, plan, masker, batch_size)
        dst_engine.dispose()
    src_engine.dispose()
    return MaskReport(
        source=safe_url(source_url), target=safe_url(target_url), rows=counts, columns=plan
    )


def _copy_to_sqlite_file(
    source: Engine,
    target_url: URL,
    tables: dict[str, Table],
    plan: list[ColumnMask],
    masker: Masker,
    batch_size: int,
) -> dict[str, int]:
    final = Path(target_url.database or "")
    if not target_url.database or target_url.database == ":memory:":
        raise ConfigError("mask target: expected a SQLite file path, not an in-memory database")
    if final.exists():
        raise ConfigError(f"mask target {str(final)!r}: already exists; expected a new file")
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(handle)
    try:
        engine = open_engine(URL.create("sqlite", database=temp), must_exist=False)
        try:
            counts = _copy(source, engine, tables, plan, masker, batch_size)
        finally:
            engine.dispose()
        os.replace(temp, final)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return counts


__all__ = [
    "METHODS",
    "MIN_KEY_BYTES",
    "ColumnMask",
    "MaskMethod",
    "MaskReport",
    "Masker",
    "choose_method",
    "mask_database",
    "plan_masks",
]

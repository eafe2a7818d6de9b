"""Retention (forget what a charter says to forget) and erasure (the right to be forgotten).

Retention runs on the run clock: a memory goes when its own `expires_at` has passed, or when
it is older than the retention its agent's charter gives its kind.

Erasure deletes every memory that mentions the subject and scrubs the subject out of every
other stored payload (events, messages, escalations, authority decisions, audit entries and
LangGraph checkpoints in the same database). Payloads are scrubbed rather than deleted so the
run's history keeps its shape: an event stays an event, with `[ERASED]` where the subject
was. The audit trail gets one `erase` entry with a keyed hash of the subject (HMAC with a
per-run secret), never the value; afterwards SQLite's full-text index is merged, the file is
vacuumed and its write-ahead log truncated, so no copy of the value is left in free pages.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, func, inspect, or_, select, text

from charter.protocols import ConfigError, MemoryPolicy

from . import audit as _audit
from . import memory_count
from .backend import Dialect
from .erase_files import FileErasure, subject_forms, subject_pattern
from .keys import load_key
from .records import ErasureReport, PruneReport, canonical_json, iso
from .retrieval import MEMORIES
from .tables import AuthorityRow, EscalationRow, EventRow, MessageRow, MetaRow

_EVENTS = EventRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it
_MESSAGES = MessageRow.__table__  # type: ignore[attr-defined]
_ESCALATIONS = EscalationRow.__table__  # type: ignore[attr-defined]
_AUTHORITY = AuthorityRow.__table__  # type: ignore[attr-defined]
_META = MetaRow.__table__  # type: ignore[attr-defined]

ERASED = "[ERASED]"
MIN_SUBJECT_LENGTH = 3
_SALT_KEY = "erasure_salt"


def prune(
    connection: Connection,
    run_id: str,
    *,
    now: datetime,
    policies: Mapping[str, Sequence[MemoryPolicy]],
) -> PruneReport:
    conditions: list[Any] = [MEMORIES.c.expires_at <= now]
    for agent, agent_policies in sorted(policies.items()):
        for policy in agent_policies:
            if policy.retention is None:
                continue
            conditions.append(
                (MEMORIES.c.agent == agent)
                & (MEMORIES.c.kind == policy.kind.value)
                & (MEMORIES.c.created_at <= now - policy.retention)
            )
    doomed = (MEMORIES.c.run_id == run_id) & or_(*conditions)
    counted = connection.execute(
        select(MEMORIES.c.kind, func.count()).where(doomed).group_by(MEMORIES.c.kind)
    ).all()
    removed = {str(kind): int(number) for kind, number in sorted(counted)}
    if removed:
        connection.execute(MEMORIES.delete().where(doomed))
        memory_count.adjust(connection, run_id, -sum(removed.values()))
    _audit.append_entry(
        connection,
        run_id,
        actor="charter.memory",
        action="prune",
        target="memories",
        details={"now": iso(now), "removed": removed},
        at=now,
    )
    return PruneReport(removed=removed, now=now)


def _like(value: str) -> str:
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _mentions(column: Any, subject: str) -> Any:
    # Each literal form of the subject (slugs too), as typed and as it looks inside JSON
    # text (quotes, backslashes escaped); `_scrubber` then decides on the exact spans.
    forms: set[str] = set()
    for form in subject_forms(subject):
        forms |= {form, json.dumps(form, ensure_ascii=False)[1:-1]}
    return or_(*(func.lower(column).like(_like(form), escape="\\") for form in sorted(forms)))


def _scrubber(subject: str) -> re.Pattern[str]:
    return subject_pattern(subject)


def _scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, dict):
        return {_scrub(key, pattern): _scrub(item, pattern) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, pattern) for item in value]
    return value


def _scrub_table(
    connection: Connection,
    run_id: str,
    table: Any,
    key: str,
    subject: str,
    columns: Mapping[str, str],
) -> int:
    """Scrub `subject` from the JSON payloads of `table`; re-derive indexed `columns`
    (column name -> payload field) from the scrubbed payload."""
    pattern = _scrubber(subject)
    rows = connection.execute(
        select(table.c[key], table.c.payload).where(
            table.c.run_id == run_id, _mentions(table.c.payload, subject)
        )
    ).all()
    for row_key, payload in rows:
        scrubbed = _scrub(json.loads(payload), pattern)
        values: dict[str, Any] = {"payload": canonical_json(scrubbed)}
        for column_name, field in columns.items():
            values[column_name] = scrubbed.get(field)
        connection.execute(
            table.update().where(table.c.run_id == run_id, table.c[key] == row_key).values(**values)
        )
    return len(rows)


def _subject_hmac(connection: Connection, run_id: str, subject: str) -> str | None:
    """A keyed hash of the subject under the erasure key, which lives outside the run: a
    copy of the database cannot test guesses against it. Stores written before kept a
    salt in `charter_meta`; it is deleted here, since beside the hashes it let anyone
    confirm a guessed name. None when no erasure key can be had (nothing to compare then)."""
    connection.execute(_META.delete().where(_META.c.run_id == run_id, _META.c.key == _SALT_KEY))
    master = load_key("erasure")
    if master is None:
        return None
    key = master.for_run("erasure", run_id)
    return hmac.new(key, subject.lower().encode("utf-8"), hashlib.sha256).hexdigest()


# LangGraph's checkpointers keep serialised state in these tables (SQLite, PostgreSQL).
_CHECKPOINT_BLOBS = {
    "checkpoints": ("checkpoint", "metadata"),
    "writes": ("value",),
    "checkpoint_blobs": ("blob",),
    "checkpoint_writes": ("blob",),
}


def _scrub_checkpoints(
    connection: Connection, dialect: Dialect, subject: str, run_id: str | None = None
) -> int:
    """Overwrite the subject inside serialised checkpoints with as many '*', which keeps
    every length prefix of a binary serialisation valid, and JSON (PostgreSQL's `jsonb`
    columns) valid JSON. With `run_id`, only that run's threads (other runs may share the
    database)."""
    names = set(inspect(connection).get_table_names())
    as_text = subject_pattern(subject)
    needle = re.compile(as_text.pattern.encode("utf-8"), re.IGNORECASE)
    row_key = "rowid" if dialect == "sqlite" else "ctid"
    changed = 0
    for table_name, columns in _CHECKPOINT_BLOBS.items():
        if table_name not in names:
            continue
        present = {column["name"] for column in inspect(connection).get_columns(table_name)}
        for column_name in columns:
            if column_name not in present:
                continue
            select_rows = f'SELECT {row_key}, "{column_name}" FROM "{table_name}"'
            bound: dict[str, str] = {}
            if run_id is not None and "thread_id" in present:
                select_rows += (
                    " WHERE thread_id IN (SELECT thread_id FROM charter_work WHERE run_id = :run)"
                )
                bound["run"] = run_id
            rows = connection.execute(text(select_rows), bound).all()
            update = f'UPDATE "{table_name}" SET "{column_name}" = :value WHERE {row_key} = :key'
            for key, value in rows:
                if isinstance(value, (bytes, memoryview)):
                    data = bytes(value)
                    if not needle.search(data):
                        continue
                    masked: object = needle.sub(lambda found: b"*" * len(found.group()), data)
                elif value is not None and dialect == "postgresql":
                    # jsonb arrives decoded: mask its JSON text, then store that text again
                    encoded = json.dumps(value, ensure_ascii=False)
                    if not as_text.search(encoded):
                        continue
                    masked = as_text.sub(lambda found: "*" * len(found.group()), encoded)
                    update = (
                        f'UPDATE "{table_name}" SET "{column_name}" = CAST(:value AS jsonb) '
                        f"WHERE {row_key} = CAST(:key AS tid)"
                    )
                else:
                    continue
                connection.execute(text(update), {"value": masked, "key": key})
                changed += 1
    return changed


def scrub_checkpoint_file(path: Path, subject: str) -> int:
    """Erase `subject` from the LangGraph checkpoints in the SQLite file `path` (a run whose
    store lives elsewhere keeps its checkpoints in the run directory's `run.db`); the rows
    changed. The file is compacted so the old bytes leave it."""
    subject = valid_subject(subject)
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            changed = _scrub_checkpoints(connection, "sqlite", subject)
        compact(engine, "sqlite")
    finally:
        engine.dispose()
    return changed


def valid_subject(subject: str) -> str:
    """The erasure subject, stripped; a value too short to erase safely raises."""
    subject = subject.strip()
    if len(subject) < MIN_SUBJECT_LENGTH:
        raise ConfigError(
            f"erasure subject {subject!r}: expected at least {MIN_SUBJECT_LENGTH} characters "
            "(a shorter value would match unrelated text)"
        )
    return subject


def erase(
    connection: Connection,
    dialect: Dialect,
    run_id: str,
    subject: str,
    *,
    at: datetime,
    elsewhere_checkpoint_rows: int = 0,
    files: FileErasure | None = None,
) -> ErasureReport:
    """Erase `subject` from the store; `elsewhere_checkpoint_rows` counts checkpoint rows
    already scrubbed outside it (`scrub_checkpoint_file`) and `files` what was scrubbed in
    the run directory (`erase_files.scrub_run_files`), for the report and the audit."""
    files = files or FileErasure()
    subject = valid_subject(subject)
    memories = connection.execute(
        MEMORIES.delete().where(
            MEMORIES.c.run_id == run_id,
            or_(
                _mentions(MEMORIES.c.content, subject),
                _mentions(MEMORIES.c.tags, subject),
                _mentions(func.coalesce(MEMORIES.c.source_event, ""), subject),
            ),
        )
    ).rowcount
    memory_count.adjust(connection, run_id, -int(memories))
    events = _scrub_table(connection, run_id, _EVENTS, "seq", subject, {"agent": "agent"})
    messages = _scrub_table(
        connection,
        run_id,
        _MESSAGES,
        "id",
        subject,
        {
            "correlation_id": "correlation_id",
            "sender": "sender",
            "recipient": "recipient",
            "protocol": "protocol",
        },
    )
    escalations = _scrub_table(
        connection, run_id, _ESCALATIONS, "id", subject, {"source": "source"}
    )
    authority = _scrub_table(
        connection, run_id, _AUTHORITY, "seq", subject, {"role": "role", "path": "path"}
    )
    audit_rows = connection.execute(
        select(_audit.AUDIT.c.seq).where(
            _audit.AUDIT.c.run_id == run_id,
            _audit.AUDIT.c.erased_by.is_(None),
            or_(
                _mentions(_audit.AUDIT.c.actor, subject),
                _mentions(_audit.AUDIT.c.target, subject),
                _mentions(_audit.AUDIT.c.details, subject),
            ),
        )
    )
    audit_seqs = sorted(int(seq) for seq in audit_rows.scalars())
    checkpoints = _scrub_checkpoints(connection, dialect, subject, run_id)
    checkpoints += elsewhere_checkpoint_rows
    if dialect == "sqlite":
        # Merge the full-text index so deleted terms leave its segments too.
        connection.exec_driver_sql(
            "INSERT INTO charter_memories_fts(charter_memories_fts) VALUES ('optimize')"
        )
    details: dict[str, Any] = {
        "subject_hmac": _subject_hmac(connection, run_id, subject),
        "memories": int(memories),
        "events": events,
        "messages": messages,
        "escalations": escalations,
        "authority_decisions": authority,
        "checkpoint_rows": checkpoints,
        "audit_entries": audit_seqs,
        "files": files.files,
        "renamed": files.renamed,
        "dataset_cells": files.dataset_cells,
    }
    if files.skipped:
        details["skipped"] = list(files.skipped)
    seq, entry_hash = _audit.append_entry(
        connection,
        run_id,
        actor="charter.memory",
        action="erase",
        target="subject",
        details=details,
        at=at,
    )
    _audit.blank_entries(connection, run_id, audit_seqs, erased_by=seq)
    return ErasureReport(
        memories=int(memories),
        events=events,
        messages=messages,
        escalations=escalations,
        authority_decisions=authority,
        audit_entries=len(audit_seqs),
        checkpoint_rows=checkpoints,
        audit_hash=entry_hash,
        files=files.files,
        renamed=files.renamed,
        dataset_cells=files.dataset_cells,
        skipped=files.skipped,
    )


def compact(engine: Engine, dialect: Dialect) -> None:
    """Rewrite storage so removed values are gone from the files, not just unreferenced."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if dialect == "sqlite":
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            raw.commit()
            raw.driver_connection.autocommit = True  # type: ignore[union-attr]  # psycopg
            for table in (
                "charter_memories",
                "charter_memory_tags",
                "charter_events",
                "charter_messages",
                "charter_escalations",
                "charter_authority_decisions",
                "charter_audit",
            ):
                cursor.execute(f"VACUUM FULL {table}")
            raw.driver_connection.autocommit = False  # type: ignore[union-attr]
        cursor.close()
    finally:
        raw.close()


__all__ = [
    "ERASED",
    "MIN_SUBJECT_LENGTH",
    "compact",
    "erase",
    "prune",
    "scrub_checkpoint_file",
    "valid_subject",
]

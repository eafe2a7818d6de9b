"""Plain values the store takes and gives back (not tables: those stay in `tables.py`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from charter.protocols import MemoryKind


def canonical_json(value: Any) -> str:
    """One text for one value: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def utc(value: datetime) -> datetime:
    """Aware UTC; SQLite hands back naive datetimes that were written as UTC."""
    if value.tzinfo is UTC:  # the common case, without a conversion
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso(value: datetime) -> str:
    return utc(value).isoformat(timespec="microseconds")


def normalise_tags(tags: list[str] | tuple[str, ...]) -> list[str]:
    # Tags are single lower-case words so they can live space-joined in the text index.
    cleaned = {"-".join(tag.strip().lower().split()) for tag in tags}
    return sorted(tag for tag in cleaned if tag)


@dataclass(frozen=True)
class MemoryInput:
    """A memory to be written: what learning capture returns and `add_memories` takes."""

    agent: str
    kind: MemoryKind
    content: str
    tags: list[str] = field(default_factory=list)
    importance: float = 0.5
    source_event: str | None = None
    created_at: datetime = datetime(1970, 1, 1, tzinfo=UTC)
    expires_at: datetime | None = None
    memory_id: str | None = None


def memory_id_for(agent: str, kind: str, content: str, created_at: datetime) -> str:
    """A stable id: the same memory captured again (a resumed run) is the same row."""
    return memory_id_for_stamp(agent, kind, content, iso(created_at))


def memory_id_for_stamp(agent: str, kind: str, content: str, stamp: str) -> str:
    """`memory_id_for` with `created_at` already as `iso()` text (a bulk import formats
    each timestamp once)."""
    digest = hashlib.sha256("\x1f".join((agent, kind, content, stamp)).encode("utf-8"))
    return f"mem-{digest.hexdigest()[:20]}"


@dataclass(frozen=True)
class MemoryRecord:
    """A stored memory, as listed and shown."""

    id: str
    agent: str
    kind: MemoryKind
    content: str
    tags: list[str]
    importance: float
    source_event: str | None
    created_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]
    prev_hash: str
    entry_hash: str
    erased_by: int | None = None


@dataclass(frozen=True)
class AuditReport:
    """The result of `verify_audit`: OK with the count, or the first broken link."""

    ok: bool
    entries: int
    broken_at: int | None = None
    reason: str = ""
    keyed: bool = False  # links are MACs under a key kept outside the run
    key_id: str | None = None
    anchored: bool = False  # checked against a head kept outside the table

    def __str__(self) -> str:
        if not self.ok:
            where = f" at entry {self.broken_at}" if self.broken_at is not None else ""
            return f"BROKEN{where}: {self.reason}"
        text = f"OK, {self.entries} entries"
        text += f", keyed (key {self.key_id})" if self.keyed else ""
        text += ", head anchored" if self.anchored else ""
        return text

    @property
    def warnings(self) -> list[str]:
        """What an OK does not prove, said plainly."""
        found: list[str] = []
        if self.ok and not self.keyed:
            found.append(
                "unkeyed chain: whoever can write the database could recompute it "
                "(configure CHARTER_AUDIT_KEY or a key folder, see docs/memory.md)"
            )
        if self.ok and not self.anchored:
            found.append("no anchored head: deleting the newest entries would not show")
        return found


@dataclass(frozen=True)
class PruneReport:
    removed: dict[str, int]
    now: datetime

    @property
    def total(self) -> int:
        return sum(self.removed.values())


@dataclass(frozen=True)
class ErasureReport:
    memories: int
    events: int
    messages: int
    escalations: int
    authority_decisions: int
    audit_entries: int
    checkpoint_rows: int
    audit_hash: str
    files: int = 0  # run-directory files whose contents were scrubbed
    renamed: int = 0  # files and folders renamed because their names held the subject
    dataset_cells: int = 0
    skipped: tuple[str, ...] = ()  # what could not be scrubbed, said in the report

    @property
    def total(self) -> int:
        return (
            self.files
            + self.renamed
            + self.dataset_cells
            + self.memories
            + self.events
            + self.messages
            + self.escalations
            + self.authority_decisions
            + self.audit_entries
            + self.checkpoint_rows
        )


__all__ = [
    "AuditEntry",
    "AuditReport",
    "ErasureReport",
    "MemoryInput",
    "MemoryRecord",
    "PruneReport",
    "canonical_json",
    "iso",
    "memory_id_for",
    "memory_id_for_stamp",
    "normalise_tags",
    "utc",
]

"""The audit trail: an append-only hash chain.

Each entry stores `content_hash` (over actor, action, target and details as first written)
and `entry_hash = sha256(prev_hash | seq | at | content_hash)`, where `prev_hash` is the
previous entry's `entry_hash`. Editing any field of any entry, deleting or inserting one
breaks a link that `verify_audit` names.

Erasure is the one sanctioned change: it may blank an entry's content (the subject must
leave no trace) but keeps its `content_hash`, so the chain still verifies; the blanked entry
points at the erasure entry (`erased_by`), and that entry lists it — a blank without a
matching erasure entry is reported as tampering.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from .records import AuditEntry, AuditReport, canonical_json, iso, utc
from .redaction import redact, redact_value
from .tables import AuditRow

AUDIT = AuditRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it
GENESIS = "0" * 64
ERASED = "[ERASED]"
ERASED_DETAILS = canonical_json({"erased": True})


def content_hash(actor: str, action: str, target: str, details_json: str) -> str:
    body = canonical_json(
        {"actor": actor, "action": action, "target": target, "details": json.loads(details_json)}
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def link_hash(prev_hash: str, seq: int, at: datetime, content: str) -> str:
    return hashlib.sha256(f"{prev_hash}|{seq}|{iso(at)}|{content}".encode()).hexdigest()


def append_entry(
    connection: Connection,
    run_id: str,
    *,
    actor: str,
    action: str,
    target: str,
    details: Mapping[str, Any],
    at: datetime,
    once: bool = False,
) -> tuple[int, str]:
    """Append one entry inside the caller's write transaction; returns (seq, entry hash).

    Values are redacted first; when something was, the counts are listed in the entry.
    `once`: an entry with the same actor, action, target and details is not appended
    again (an effect replayed after a crash names its event in the details), and the
    existing entry is returned."""
    actor, actor_counts = redact(actor)
    target, target_counts = redact(target)
    cleaned, counts = redact_value(dict(details))
    total: dict[str, int] = {}
    for found in (actor_counts, target_counts, counts):
        for kind, number in found.items():
            total[kind] = total.get(kind, 0) + number
    if total:
        cleaned["redacted"] = dict(sorted(total.items()))
    details_json = canonical_json(cleaned)
    if once:
        same = connection.execute(
            select(AUDIT.c.seq, AUDIT.c.entry_hash).where(
                AUDIT.c.run_id == run_id,
                AUDIT.c.actor == actor,
                AUDIT.c.action == action,
                AUDIT.c.target == target,
                AUDIT.c.details == details_json,
            )
        ).first()
        if same is not None:
            return int(same.seq), str(same.entry_hash)
    last = connection.execute(
        select(AUDIT.c.seq, AUDIT.c.entry_hash)
        .where(AUDIT.c.run_id == run_id)
        .order_by(AUDIT.c.seq.desc())
        .limit(1)
    ).first()
    seq = 1 if last is None else int(last.seq) + 1
    prev = GENESIS if last is None else str(last.entry_hash)
    at = utc(at)
    body = content_hash(actor, action, target, details_json)
    entry = link_hash(prev, seq, at, body)
    connection.execute(
        AUDIT.insert().values(
            run_id=run_id,
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            target=target,
            details=details_json,
            content_hash=body,
            prev_hash=prev,
            entry_hash=entry,
            erased_by=None,
        )
    )
    return seq, entry


def verify_audit(connection: Connection, run_id: str) -> AuditReport:
    """Walk the chain from the first entry; stop at the first broken link."""
    expected_prev = GENESIS
    expected_seq = 1
    erasures: dict[int, set[int]] = {}
    blanked: list[tuple[int, int]] = []
    count = 0
    rows = connection.execute(select(AUDIT).where(AUDIT.c.run_id == run_id).order_by(AUDIT.c.seq))
    for row in rows:
        count += 1
        seq = int(row.seq)
        if seq != expected_seq:
            return AuditReport(False, count, expected_seq, f"entry {expected_seq} is missing")
        if row.prev_hash != expected_prev:
            return AuditReport(False, count, seq, "prev_hash does not match the entry before")
        if link_hash(row.prev_hash, seq, utc(row.at), row.content_hash) != row.entry_hash:
            return AuditReport(False, count, seq, "entry hash does not match its fields")
        try:
            details = json.loads(row.details)
        except ValueError:
            return AuditReport(False, count, seq, "details are not valid JSON")
        if row.erased_by is None:
            actual = content_hash(row.actor, row.action, row.target, row.details)
            if actual != row.content_hash:
                return AuditReport(False, count, seq, "content does not match its hash")
        else:
            blanked.append((seq, int(row.erased_by)))
        if row.action == "erase" and row.erased_by is None:
            listed = details.get("audit_entries", []) if isinstance(details, dict) else []
            erasures[seq] = {int(item) for item in listed}
        expected_prev = row.entry_hash
        expected_seq += 1
    for seq, eraser in blanked:
        if seq not in erasures.get(eraser, set()):
            return AuditReport(
                False, count, seq, f"content blanked without a matching erasure entry ({eraser})"
            )
    return AuditReport(True, count)


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        seq=int(row.seq),
        at=utc(row.at),
        actor=row.actor,
        action=row.action,
        target=row.target,
        details=json.loads(row.details),
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
        erased_by=row.erased_by,
    )


def tail_audit(connection: Connection, run_id: str, count: int) -> list[AuditEntry]:
    statement = (
        select(AUDIT).where(AUDIT.c.run_id == run_id).order_by(AUDIT.c.seq.desc()).limit(count)
    )
    rows = connection.execute(statement).all()
    return [_entry(row) for row in reversed(rows)]


def blank_entries(connection: Connection, run_id: str, seqs: list[int], erased_by: int) -> None:
    """Erasure only: drop the content of `seqs`, keeping the hashes that chain them."""
    for seq in seqs:
        connection.execute(
            AUDIT.update()
            .where(AUDIT.c.run_id == run_id, AUDIT.c.seq == seq)
            .values(actor=ERASED, target=ERASED, details=ERASED_DETAILS, erased_by=erased_by)
        )


__all__ = [
    "AUDIT",
    "ERASED",
    "GENESIS",
    "append_entry",
    "blank_entries",
    "content_hash",
    "link_hash",
    "tail_audit",
    "verify_audit",
]

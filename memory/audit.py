"""The audit trail: an append-only chain of keyed links, with a head anchored outside it.

Each entry stores `content_hash` (over actor, action, target and details as first written)
and `entry_hash = HMAC(run key, prev_hash | seq | at | content_hash)`, where `prev_hash` is
the previous entry's `entry_hash` and the run key derives from the audit key kept outside
the run (`keys.py`). Editing any field of any entry, deleting or inserting one breaks a
link that `verify_audit` names; without the key nobody can recompute the links after an
edit or forge an entry at the end. A plain sha256 chain is what a store written before
keys (or with no key to be had) holds; `charter_meta` says from which entry on the chain is
keyed and with which key (`audit_keyed_from`, `audit_key_id`).

Deleting the last entries leaves a valid shorter chain, so the head (count, last hash and
the keying) is signed and kept outside the table: in `run.json` and in reports
(`audit_head`); `verify_audit` with that anchor sees truncation and rewrites.

Erasure is the one sanctioned change: it may blank an entry's content (the subject must
leave no trace) but keeps its `content_hash`, so the chain still verifies; the blanked entry
points at the erasure entry (`erased_by`), and that entry lists it — a blank without a
matching erasure entry is reported as tampering.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, select

from charter.protocols import ConfigError

from .keys import KEY_DIR_ENV, Key, load_key
from .records import AuditEntry, AuditReport, canonical_json, iso, utc
from .redaction import redact, redact_value
from .tables import AuditRow, MetaRow

AUDIT = AuditRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it
_META = MetaRow.__table__  # type: ignore[attr-defined]
KEY_ID = "audit_key_id"
KEYED_FROM = "audit_keyed_from"
GENESIS = "0" * 64
ERASED = "[ERASED]"
ERASED_DETAILS = canonical_json({"erased": True})


def content_hash(actor: str, action: str, target: str, details_json: str) -> str:
    body = canonical_json(
        {"actor": actor, "action": action, "target": target, "details": json.loads(details_json)}
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def link_hash(
    prev_hash: str, seq: int, at: datetime, content: str, key: bytes | None = None
) -> str:
    message = f"{prev_hash}|{seq}|{iso(at)}|{content}".encode()
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@lru_cache(maxsize=8)
def _cached_key(_env: str | None, _key_dir: str | None) -> Key | None:
    return load_key("audit")


def audit_key() -> Key | None:
    """The audit master key (made on first use); cached per configuration."""
    return _cached_key(os.environ.get("CHARTER_AUDIT_KEY"), os.environ.get(KEY_DIR_ENV))


def chain_keying(connection: Connection, run_id: str) -> tuple[str | None, int | None]:
    """(key id, first keyed entry) of a run's chain; (None, None) while it is unkeyed."""
    rows = connection.execute(
        select(_META.c.key, _META.c.value).where(
            _META.c.run_id == run_id, _META.c.key.in_((KEY_ID, KEYED_FROM))
        )
    ).all()
    found = {str(row.key): str(row.value) for row in rows}
    if KEY_ID not in found or KEYED_FROM not in found:
        return None, None
    return found[KEY_ID], int(found[KEYED_FROM])


def _run_key(run_id: str, key_id: str) -> bytes:
    master = audit_key()
    if master is None or master.key_id != key_id:
        have = "no audit key is configured" if master is None else f"this key is {master.key_id}"
        raise ConfigError(
            f"audit trail of run {run_id}: keyed with key {key_id}, but {have}; "
            "expected CHARTER_AUDIT_KEY or CHARTER_KEY_DIR to give that key"
        )
    return master.for_run("audit", run_id)


def _key_for_append(connection: Connection, run_id: str, seq: int) -> bytes | None:
    key_id, _ = chain_keying(connection, run_id)
    if key_id is None:
        master = audit_key()
        if master is None:
            return None  # unkeyed; `verify_audit` says so
        # Keying starts here: entries before it (a store written before keys) stay plain.
        connection.execute(
            _META.insert(),
            [
                {"run_id": run_id, "key": KEY_ID, "value": master.key_id},
                {"run_id": run_id, "key": KEYED_FROM, "value": str(seq)},
            ],
        )
        key_id = master.key_id
    return _run_key(run_id, key_id)


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
    entry = link_hash(prev, seq, at, body, _key_for_append(connection, run_id, seq))
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


def _anchor_message(run_id: str, head: Mapping[str, Any]) -> bytes:
    fields = (head.get("count"), head.get("head"), head.get("keyed_from"), head.get("key_id"))
    return ("anchor|" + run_id + "|" + "|".join(str(value) for value in fields)).encode()


def audit_head(connection: Connection, run_id: str) -> dict[str, Any]:
    """The chain's head to keep outside the table: count, last hash, keying and (keyed) a
    MAC over them, so an anchor cannot be edited to fit a shortened chain."""
    last = connection.execute(
        select(AUDIT.c.seq, AUDIT.c.entry_hash)
        .where(AUDIT.c.run_id == run_id)
        .order_by(AUDIT.c.seq.desc())
        .limit(1)
    ).first()
    key_id, keyed_from = chain_keying(connection, run_id)
    head: dict[str, Any] = {
        "count": 0 if last is None else int(last.seq),
        "head": GENESIS if last is None else str(last.entry_hash),
        "keyed_from": keyed_from,
        "key_id": key_id,
    }
    mac = None
    if key_id is not None:
        mac = hmac.new(
            _run_key(run_id, key_id), _anchor_message(run_id, head), hashlib.sha256
        ).hexdigest()
    head["mac"] = mac
    return head


def _check_anchor(run_id: str, anchor: Mapping[str, Any]) -> str | None:
    """Why the anchor itself cannot be trusted, or None."""
    key_id = anchor.get("key_id")
    if key_id is None:
        return None  # an unkeyed anchor: counts still checked, nothing to authenticate
    master = audit_key()
    if master is None or master.key_id != key_id:
        return f"the anchored head is signed with key {key_id}, which is not configured here"
    expected = hmac.new(
        master.for_run("audit", run_id), _anchor_message(run_id, anchor), hashlib.sha256
    ).hexdigest()
    if not isinstance(anchor.get("mac"), str) or not hmac.compare_digest(expected, anchor["mac"]):
        return "the anchored head's signature does not match (run.json edited?)"
    return None


def verify_audit(
    connection: Connection, run_id: str, anchor: Mapping[str, Any] | None = None
) -> AuditReport:
    """Walk the chain from the first entry; stop at the first broken link. `anchor`: the
    head recorded outside the table (`audit_head`), checked against the chain."""
    key_id, keyed_from = chain_keying(connection, run_id)
    run_key: bytes | None = None
    if key_id is not None:
        master = audit_key()
        if master is None or master.key_id != key_id:
            have = "none is configured" if master is None else f"this one is {master.key_id}"
            return AuditReport(
                False,
                0,
                keyed_from,
                f"cannot check: the chain is keyed with key {key_id} and {have} "
                "(set CHARTER_AUDIT_KEY or CHARTER_KEY_DIR)",
            )
        run_key = master.for_run("audit", run_id)
    if anchor is not None:
        problem = _check_anchor(run_id, anchor)
        if problem is not None:
            return AuditReport(False, 0, None, problem)
        if anchor.get("keyed_from") != keyed_from or anchor.get("key_id") != key_id:
            return AuditReport(False, 0, None, "the chain's keying differs from its anchored head")
    expected_prev = GENESIS
    expected_seq = 1
    erasures: dict[int, set[int]] = {}
    blanked: list[tuple[int, int]] = []
    count = 0
    anchored_count = int(anchor.get("count", 0)) if anchor is not None else 0
    anchored_hash: str | None = None
    rows = connection.execute(select(AUDIT).where(AUDIT.c.run_id == run_id).order_by(AUDIT.c.seq))
    for row in rows:
        count += 1
        seq = int(row.seq)
        if seq != expected_seq:
            return AuditReport(False, count, expected_seq, f"entry {expected_seq} is missing")
        if row.prev_hash != expected_prev:
            return AuditReport(False, count, seq, "prev_hash does not match the entry before")
        key = run_key if keyed_from is not None and seq >= keyed_from else None
        if link_hash(row.prev_hash, seq, utc(row.at), row.content_hash, key) != row.entry_hash:
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
            # A blanked entry holds the marker and nothing else: its content is not
            # covered by a hash any more, so anything else there would be unchecked text.
            if (row.actor, row.target, row.details) != (ERASED, ERASED, ERASED_DETAILS):
                return AuditReport(False, count, seq, "an erased entry holds content")
            blanked.append((seq, int(row.erased_by)))
        if row.action == "erase" and row.erased_by is None:
            listed = details.get("audit_entries", []) if isinstance(details, dict) else []
            erasures[seq] = {int(item) for item in listed}
        if seq == anchored_count:
            anchored_hash = str(row.entry_hash)
        expected_prev = row.entry_hash
        expected_seq += 1
    for seq, eraser in blanked:
        if seq not in erasures.get(eraser, set()):
            return AuditReport(
                False, count, seq, f"content blanked without a matching erasure entry ({eraser})"
            )
    if anchor is not None and anchored_count > 0:
        if count < anchored_count:
            return AuditReport(
                False,
                count,
                count + 1,
                f"truncated: the anchored head has {anchored_count} entries, the table {count}",
            )
        if anchored_hash != anchor.get("head"):
            return AuditReport(False, count, anchored_count, "entry differs from the anchored head")
    if count == 0:
        return AuditReport(False, 0, None, "no entries: an empty or new audit trail proves nothing")
    return AuditReport(
        True,
        count,
        keyed=key_id is not None,
        key_id=key_id,
        anchored=anchor is not None,
    )


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
    "audit_head",
    "audit_key",
    "blank_entries",
    "chain_keying",
    "content_hash",
    "link_hash",
    "tail_audit",
    "verify_audit",
]

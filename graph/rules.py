"""Protocol rules the gate enforces on top of authorities: a schema change is applied only
after the Architect reviewed it (`schema_review`), and one touching a confidential or
restricted column only after Security approved it (`data_security_review`).

"Applying" a migration means writing it under a `migrations/` folder or running the
`apply_migration` tool. Which columns a migration touches is read from its SQL against
the run's catalog, conservatively: a known column counts as touched when both its table
and its column name occur as words in the SQL. Declared columns of the review requests
raise the catalog too, so a request cannot hide a sensitive column by omitting it.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from .runtime import Runtime

MIGRATION_TOOLS = frozenset({"apply_migration"})


def is_migration_path(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return "migrations" in parts[:-1]


def touched_sensitive_columns(sql: str, sensitive: dict[str, str]) -> list[str]:
    words = set(re.findall(r"[a-z_][a-z0-9_]*", sql.lower()))
    touched = []
    for qualified in sorted(sensitive):
        table, _, column = qualified.rpartition(".")
        if column in words and (not table or table.rsplit(".", 1)[-1] in words):
            touched.append(qualified)
    return touched


def _approved(rt: Runtime, requester: str, protocol: str, reviewer: str, subject: str) -> bool:
    for message, status in rt.store.messages(recipient=requester):
        if status == "dead" or message.kind != "reply" or message.protocol != protocol:
            continue
        if message.sender != reviewer:
            continue
        payload = message.payload
        if payload.get("approved") is True and payload.get("subject") == subject:
            return True
    return False


def migration_block(rt: Runtime, *, role: str, path: str, sql: str) -> str | None:
    """Why this migration may not be applied yet, or None."""
    if not _approved(rt, role, "schema_review", "architect", path):
        return (
            f"migration {path} is a schema change: it needs an approving schema_review "
            "reply from architect (subject = the migration path) first"
        )
    touched = touched_sensitive_columns(sql, rt.catalog.sensitive())
    if touched and not _approved(rt, role, "data_security_review", "security", path):
        return (
            f"migration {path} touches {', '.join(touched)} (confidential/restricted): it "
            "needs an approving data_security_review reply from security first"
        )
    return None


__all__ = ["MIGRATION_TOOLS", "is_migration_path", "migration_block", "touched_sensitive_columns"]

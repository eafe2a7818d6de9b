"""Migration proposals of the Data agent: the review requests a migration needs, and the
deduplicating fix of the flagship run (restricted columns leave it tokenised)."""

from __future__ import annotations

from typing import Any

from charter.protocols import Action, SendMessage

_SENSITIVE = ("confidential", "restricted")


def columns_of(raw: Any) -> list[dict[str, Any]]:
    return [dict(c) for c in raw or [] if isinstance(c, dict)]


def sensitive_of(columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in columns if c.get("classification") in _SENSITIVE]


def protect(columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # The Data agent's own governance rule: restricted columns leave a migration tokenised.
    return [
        {**c, "masking": "tokenised"} if c.get("classification") == "restricted" else c
        for c in columns
    ]


def propose_migration(
    path: str,
    sql: str,
    tables: list[str],
    columns: list[dict[str, Any]],
    rationale: str,
    correlation_id: str | None,
) -> list[Action]:
    """The review requests a migration needs before it may be applied."""
    columns = protect(columns)
    actions: list[Action] = [
        SendMessage(
            to="architect",
            protocol="schema_review",
            correlation_id=correlation_id,
            payload={
                "migration": path,
                "sql": sql,
                "tables": tables,
                "columns": columns,
                "rationale": rationale,
            },
        )
    ]
    if sensitive_of(columns):
        actions.append(
            SendMessage(
                to="security",
                protocol="data_security_review",
                correlation_id=correlation_id,
                payload={"subject": path, "columns": sensitive_of(columns), "purpose": rationale},
            )
        )
    return actions


def dedupe_migration(table: str, key: str, sensitive: list[dict[str, Any]]) -> str:
    lines = [
        f"-- Keep the latest row per {key} so the unique index can be built.",
        f"DELETE FROM {table} WHERE rowid NOT IN (SELECT MAX(rowid) FROM {table} GROUP BY {key});",
        f"CREATE UNIQUE INDEX IF NOT EXISTS ux_{table}_{key} ON {table} ({key});",
    ]
    for column in sensitive:
        if column.get("table") == table:
            name = column["column"]
            lines.append(f"-- {name} is {column['classification']}: keep a token, not the value.")
            lines.append(f"ALTER TABLE {table} ADD COLUMN {name}_token VARCHAR(64);")
            lines.append(
                f"UPDATE {table} SET {name}_token = lower(hex(randomblob(16))), {name} = NULL;"
            )
    return "\n".join(lines) + "\n"


__all__ = ["columns_of", "dedupe_migration", "propose_migration", "protect", "sensitive_of"]

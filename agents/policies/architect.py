"""The Architect's rule policy: reviews schemas against simple, checkable rules.

Schema rules: every created table has a primary key; table and column names are
snake_case; no unbounded text column is used as a key (primary key, unique or indexed).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from charter.protocols import Action, AgentView

from ._common import current_message, reply, report

_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")


def _tables_created(sql: str) -> list[tuple[str, str]]:
    found = []
    for match in re.finditer(
        r"create\s+table\s+(?:if\s+not\s+exists\s+)?(\w+)\s*\((.*?)\)\s*;", sql, re.I | re.S
    ):
        found.append((match.group(1), match.group(2)))
    return found


def _text_columns(body: str) -> set[str]:
    cols = set()
    for line in body.split(","):
        parts = line.strip().split()
        if len(parts) >= 2 and re.fullmatch(r"(text|clob|varchar|string)", parts[1], re.I):
            cols.add(parts[0].strip('"').lower())
    return cols


def review_schema(sql: str) -> list[str]:
    """Findings that block approval (empty: approved)."""
    findings: list[str] = []
    text_columns: set[str] = set()
    for table, body in _tables_created(sql):
        if not _IDENT.match(table):
            findings.append(f"table {table!r} is not snake_case")
        if not re.search(r"primary\s+key", body, re.I):
            findings.append(f"table {table!r} has no primary key")
        for line in body.split(","):
            name = line.strip().split(" ", 1)[0].strip('"')
            lowered = name.lower()
            if lowered in ("primary", "unique", "foreign", "constraint", "check", ""):
                continue
            if not _IDENT.match(name):
                findings.append(f"column {table}.{name} is not snake_case")
        text_columns |= _text_columns(body)
        for match in re.finditer(r"primary\s+key\s*\(([^)]*)\)", body, re.I):
            for key in match.group(1).split(","):
                if key.strip().lower() in text_columns:
                    findings.append(f"primary key {table}.{key.strip()} is unbounded text")
        for line in body.split(","):
            parts = line.strip().split()
            if (
                len(parts) >= 2
                and parts[1].lower() in ("text", "clob")
                and re.search(r"primary\s+key", line, re.I)
            ):
                findings.append(f"primary key {table}.{parts[0]} is unbounded text")
    for match in re.finditer(r"alter\s+table\s+(\w+)\s+add\s+column\s+(\w+)", sql, re.I):
        for name in match.groups():
            if not _IDENT.match(name):
                findings.append(f"identifier {name!r} is not snake_case")
    return sorted(set(findings))


class ArchitectBrain:
    def decide(self, view: AgentView) -> Sequence[Action]:
        message = current_message(view)
        if message is None or message.recipient != view.role or message.kind != "request":
            if view.task is not None and view.step == 0:
                return [report(view, "success", f"architecture note on {view.task.title}")]
            return []
        if view.step > 0:  # answered in the first step of this turn
            return []
        if message.protocol == "schema_review":
            findings = review_schema(str(message.payload.get("sql", "")))
            subject = str(message.payload.get("migration", ""))
            return [
                reply(
                    message,
                    {
                        "approved": not findings,
                        "subject": subject,
                        "findings": findings or ["schema rules pass"],
                    },
                )
            ]
        if message.protocol == "technology_selection":
            options = list(message.payload.get("options", []))
            return [
                reply(
                    message,
                    {
                        "choice": options[0] if options else "",
                        "reasons": ["first option meeting the stated criteria"],
                    },
                )
            ]
        components = message.payload.get("components") or []
        return [
            reply(
                message,
                {
                    "approved": bool(components),
                    "subject": message.protocol,
                    "findings": [] if components else ["no components listed"],
                },
            )
        ]


__all__ = ["ArchitectBrain", "review_schema"]

"""Splitting a SQL file into statements, aware of quotes, comments and trigger bodies.

Semicolons inside '...' strings, "..." identifiers, -- and /* */ comments, PostgreSQL
$tag$...$tag$ bodies and CREATE TRIGGER ... BEGIN ... END blocks do not end a statement.
Comments are removed from the returned statements; each keeps the line it starts on.
"""

from __future__ import annotations

import re

from charter.protocols import StrictModel

_DOLLAR = re.compile(r"\$[A-Za-z_]*\$")


class Statement(StrictModel):
    sql: str
    line: int  # 1-based line of the statement's first character


def split_sql(text: str) -> list[Statement]:
    """The statements of `text`, without comments or empty statements."""
    out: list[Statement] = []
    buffer: list[str] = []
    start_line = 1
    line = 1
    i = 0
    n = len(text)
    started = False

    def flush() -> None:
        sql = "".join(buffer).strip()
        if sql:
            out.append(Statement(sql=sql, line=start_line))
        buffer.clear()

    while i < n:
        ch = text[i]
        if not started and not ch.isspace() and text[i : i + 2] not in ("--", "/*"):
            started = True
            start_line = line
        if text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            line += text.count("\n", i, end)
            buffer.append(" ")
            i = end
            continue
        if ch in ("'", '"'):
            j = i + 1
            while j < n:
                if text[j] == ch:
                    if j + 1 < n and text[j + 1] == ch:  # doubled quote escapes itself
                        j += 2
                        continue
                    break
                j += 1
            j = min(j + 1, n)
            buffer.append(text[i:j])
            line += text.count("\n", i, j)
            i = j
            continue
        dollar = _DOLLAR.match(text, i) if ch == "$" else None
        if dollar:
            tag = dollar.group(0)
            end = text.find(tag, dollar.end())
            end = n if end < 0 else end + len(tag)
            buffer.append(text[i:end])
            line += text.count("\n", i, end)
            i = end
            continue
        if ch == ";":
            current = "".join(buffer)
            if _in_trigger_body(current):
                buffer.append(ch)
                i += 1
                continue
            flush()
            started = False
            i += 1
            continue
        if ch == "\n":
            line += 1
        buffer.append(ch)
        i += 1
    flush()
    return out


def _in_trigger_body(sql: str) -> bool:
    # Inside CREATE TRIGGER ... BEGIN, statements end with ';' until the closing END.
    if not re.match(r"\s*CREATE\s+(TEMP\w*\s+)?TRIGGER\b", sql, re.IGNORECASE):
        return False
    words = re.findall(r"\b(BEGIN|END|CASE)\b", sql, re.IGNORECASE)
    depth = 0
    for word in (w.upper() for w in words):
        if word in ("BEGIN", "CASE"):
            depth += 1
        else:
            depth -= 1
    return depth > 0


__all__ = ["Statement", "split_sql"]

"""Regular expressions pushed into SQL.

Python ``re.search`` semantics everywhere (as Great Expectations uses). PostgreSQL runs
them natively (``~``); SQLite calls the ``REGEXP`` function registered in `connect`, one
Python call per row — except for patterns that are only an optionally anchored literal,
which become a native ``GLOB`` (several times faster on large tables, same verdicts).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_

_Cond = ColumnElement[bool]

_REGEX_META = set(".^$*+?{}[]()|\\")
_GLOB_ESCAPES = {"*": "[*]", "?": "[?]", "[": "[[]"}


def regex_as_glob(pattern: str) -> tuple[str, bool] | None:
    """(GLOB pattern, anchored at the end) for a regex that is only an optionally
    anchored literal (escaped punctuation allowed); None for anything richer."""
    start = pattern.startswith("^")
    body = pattern[1:] if start else pattern
    end = body.endswith("$") and not body.endswith("\\$")
    body = body[:-1] if end else body
    literal: list[str] = []
    position = 0
    while position < len(body):
        char = body[position]
        if char == "\\":
            following = body[position + 1 : position + 2]
            if not following or following.isalnum() or following == "_":
                return None  # \d, \w, \b ... are classes, not literals
            literal.append(following)
            position += 2
            continue
        if char in _REGEX_META:
            return None
        literal.append(char)
        position += 1
    text = "".join(_GLOB_ESCAPES.get(c, c) for c in literal)
    return ("" if start else "*") + text + ("" if end else "*"), end


def regex_condition(column: Any, pattern: str, dialect: str) -> _Cond:
    """`column` matches `pattern` (Python `re.search` semantics). On SQLite a plain literal
    pattern runs as a native GLOB instead of a Python call per row."""
    glob = regex_as_glob(pattern) if dialect == "sqlite" else None
    if glob is None:
        native: _Cond = column.regexp_match(pattern)
        return native
    text, anchored_end = glob
    condition: _Cond = column.op("GLOB", is_comparison=True)(text)
    if anchored_end:  # re's "$" also matches just before a final newline
        condition = or_(condition, column.op("GLOB", is_comparison=True)(text + "\n"))
    return condition


__all__ = ["regex_as_glob", "regex_condition"]

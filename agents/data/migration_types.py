"""Is a column type change narrowing (can the new type hold less than the old one)?"""

from __future__ import annotations

import re

_INT_RANK = {
    "tinyint": 0,
    "smallint": 1,
    "int2": 1,
    "mediumint": 2,
    "integer": 3,
    "int": 3,
    "int4": 3,
    "serial": 3,
    "bigint": 4,
    "int8": 4,
    "bigserial": 4,
}
_FLOAT_RANK = {"real": 1, "float4": 1, "float": 2, "double precision": 2, "double": 2, "float8": 2}
_TEXT = {
    "text",
    "clob",
    "string",
    "varchar",
    "character varying",
    "char",
    "character",
    "nvarchar",
    "nchar",
    "citext",
}
_EXACT = {"numeric", "decimal"}


def _parse(type_text: str) -> tuple[str, list[int]]:
    text = type_text.strip().lower()
    match = re.match(r"([a-z ]+?)\s*(?:\(([\d\s,]+)\))?\s*(\[\])?$", text)
    if not match:
        return text, []
    base = match.group(1).strip()
    args = [int(a) for a in (match.group(2) or "").replace(" ", "").split(",") if a]
    return base, args


def _family(base: str) -> str:
    if base in _INT_RANK:
        return "int"
    if base in _FLOAT_RANK:
        return "float"
    if base in _EXACT:
        return "exact"
    if base in _TEXT:
        return "text"
    return base


def narrowing_reason(old: str, new: str) -> str | None:
    """Why changing `old` to `new` can lose data, or None when it cannot (or is unknown)."""
    old_base, old_args = _parse(old)
    new_base, new_args = _parse(new)
    old_family, new_family = _family(old_base), _family(new_base)
    if old_family == "int" and new_family == "int":
        if _INT_RANK[new_base] < _INT_RANK[old_base]:
            return "smaller integer range"
        return None
    if old_family == "float" and new_family == "float":
        return (
            "less floating-point precision"
            if _FLOAT_RANK[new_base] < _FLOAT_RANK[old_base]
            else None
        )
    if old_family == "text" and new_family == "text":
        old_len = old_args[0] if old_args and old_base != "text" else None
        new_len = new_args[0] if new_args and new_base != "text" else None
        if new_len is not None and (old_len is None or new_len < old_len):
            return f"text limited to {new_len} characters (was {old_len or 'unlimited'})"
        return None
    if old_family == "exact" and new_family == "exact":
        old_p, old_s = [*old_args, 0, 0][:2] if old_args else (1000, 1000)
        new_p, new_s = [*new_args, 0, 0][:2] if new_args else (1000, 1000)
        if new_p < old_p or new_s < old_s:
            return "fewer numeric digits"
        return None
    if old_family in ("float", "exact") and new_family == "int":
        return "fractions are cut off"
    if old_family == "float" and new_family == "exact":
        return None if not new_args else "fixed precision may not hold every float"
    if old_family == "text" and new_family in (
        "int",
        "float",
        "exact",
        "date",
        "timestamp",
        "boolean",
    ):
        return "text values that are not valid in the new type are lost or fail"
    if old_family in ("int", "exact") and new_family == "float":
        return (
            None
            if old_family == "int" and _INT_RANK.get(old_base, 3) <= 3
            else "float cannot hold every exact value"
        )
    if (
        old_family in ("timestamp", "timestamp with time zone", "timestamp without time zone")
        and new_family == "date"
    ):
        return "the time of day is lost"
    return None


__all__ = ["narrowing_reason"]

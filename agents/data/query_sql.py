"""Which columns a query filters or joins each table on, read from its SQL text.

A deliberately small reader (no SQL parser is installed): table references come from
FROM/JOIN clauses (`table [AS] alias`), predicates from `col op value` and `a.col = b.col`
comparisons after WHERE/ON/AND/OR. Unqualified columns are resolved against the reflected
schema: a column name only one of the query's tables has belongs to that table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_KEYWORDS = {
    "where",
    "join",
    "inner",
    "left",
    "right",
    "full",
    "cross",
    "outer",
    "on",
    "group",
    "order",
    "limit",
    "having",
    "union",
    "natural",
    "using",
    "as",
    "and",
    "or",
    "set",
    "values",
    "select",
}
_TABLE_REF = re.compile(
    r"\b(?:FROM|JOIN)\s+(\"?[\w.]+\"?)(?:\s+(?:AS\s+)?(\"?\w+\"?))?", re.IGNORECASE
)
_COLUMN = r"(?:(\"?\w+\"?)\.)?(\"?\w+\"?)"
_PREDICATE = re.compile(
    _COLUMN
    + r"\s*(=|==|<>|!=|<=|>=|<|>|\bIN\b|\bLIKE\b|\bBETWEEN\b|\bIS\b)\s*(?:"
    + _COLUMN
    + r")?",
    re.IGNORECASE,
)
_EQUALITY = {"=", "==", "in", "is"}


def _bare(name: str) -> str:
    return name.strip('"').lower()


@dataclass
class PredicateColumns:
    aliases: dict[str, str] = field(default_factory=dict)  # alias or name (lower) -> table
    equality: dict[str, list[str]] = field(default_factory=dict)
    range: dict[str, list[str]] = field(default_factory=dict)
    joins: dict[str, list[str]] = field(default_factory=dict)

    def add(self, table: str, column: str, op: str, *, join: bool = False) -> None:
        if join:
            bucket = self.joins
        elif op.lower() in _EQUALITY:
            bucket = self.equality
        else:
            bucket = self.range
        columns = bucket.setdefault(table, [])
        if column not in columns:
            columns.append(column)

    def ordered_for(self, table: str) -> list[str]:
        """The columns an index on `table` should have. Filters against values come first:
        equality columns (an index serves them in any order), then one range column (an
        index can only range-scan on its last used column). Join columns only when the
        table has no filter: they help only when the table is the side being looked up."""
        if table not in self.equality and table not in self.range:
            return list(self.joins.get(table, []))[:1]
        columns = list(self.equality.get(table, []))
        for column in self.range.get(table, []):
            if column not in columns:
                columns.append(column)
                break
        return columns[:3]


def predicate_columns(sql: str, columns_by_table: dict[str, set[str]]) -> PredicateColumns:
    found = PredicateColumns()
    lowered = {t.lower(): t for t in columns_by_table}
    for match in _TABLE_REF.finditer(sql):
        table = lowered.get(_bare(match.group(1)).split(".")[-1])
        if table is None:
            continue
        found.aliases[table.lower()] = table
        alias = match.group(2)
        if alias and _bare(alias) not in _KEYWORDS:
            found.aliases[_bare(alias)] = table
    in_query = sorted(set(found.aliases.values()))
    # Only the part after the first WHERE/ON counts: select-list expressions are not filters.
    body = re.split(r"\b(?:WHERE|ON)\b", sql, maxsplit=1, flags=re.IGNORECASE)
    if len(body) < 2:
        return found
    text = re.sub(r"'(?:[^']|'')*'", "''", sql[len(body[0]) :])

    def resolve(qualifier: str | None, column: str) -> str | None:
        name = _bare(column)
        if qualifier:
            table = found.aliases.get(_bare(qualifier))
            if table is not None and name in {c.lower() for c in columns_by_table[table]}:
                return table
            return None
        owners = [t for t in in_query if name in {c.lower() for c in columns_by_table[t]}]
        return owners[0] if len(owners) == 1 else None

    def real_name(table: str, column: str) -> str:
        return next(c for c in columns_by_table[table] if c.lower() == _bare(column))

    for match in _PREDICATE.finditer(text):
        left_q, left_c, op, right_q, right_c = match.groups()
        left = resolve(left_q, left_c)
        right = resolve(right_q, right_c) if right_c and right_q else None
        is_join = right is not None
        if left is not None:
            found.add(left, real_name(left, left_c), op, join=is_join)
        if right is not None and right_c:  # a join: both sides are indexable columns
            found.add(right, real_name(right, right_c), op, join=True)
    return found


__all__ = ["PredicateColumns", "predicate_columns"]

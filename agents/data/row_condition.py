"""GX's `row_condition`: a check applied only to the rows a condition selects.

Both of GX's spellings are read: the ``great_expectations`` parser's ``col("status") ==
"paid"`` and the ``pandas`` one's ``status == 'paid'``. A condition is comparisons
(``== != < <= > >=``) of a column with a literal (number, quoted text, True, False,
None), ``col("x").notNull()`` / ``.isNull()``, combined with ``&``/``and``, ``|``/``or``,
``~``/``not`` and parentheses (``&`` binds tighter than ``|``, as in pandas' query).
It becomes a SQL condition; nothing of the text is ever executed as code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, and_, not_, or_

PARSERS = ("great_expectations", "great_expectations__experimental__", "pandas", "spark")

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<col>col\(\s*(?P<q>["'])(?P<colname>.*?)(?P=q)\s*\))
      | (?P<null>\.(?:notNull|isNull)\(\))
      | (?P<op>==|!=|<=|>=|<|>|&|\||~|\(|\))
      | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
      | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
    )""",
    re.VERBOSE,
)
_COMPARE = {"==", "!=", "<", "<=", ">", ">="}


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    at = 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        found = _TOKEN.match(text, at)
        if found is None or found.end() == at:
            raise ValueError(f"row_condition {text!r}: cannot read from {text[at:]!r}")
        kind = found.lastgroup or ""
        if kind in ("q", "colname"):
            kind = "col"
        value = found.group("colname") if kind == "col" else found.group(kind)
        if kind == "name" and value in ("and", "or", "not"):
            kind, value = "op", {"and": "&", "or": "|", "not": "~"}[value]
        out.append(_Token(kind, value))
        at = found.end()
    return out


class _Parser:
    def __init__(self, text: str, table: Table | None) -> None:
        self.text, self.table = text, table
        self.tokens = _tokens(text)
        self.at = 0
        self.columns: list[str] = []

    def fail(self, why: str) -> ValueError:
        return ValueError(f"row_condition {self.text!r}: {why}")

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise self.fail("ends too early")
        self.at += 1
        return token

    def parse(self) -> Any:
        found = self.disjunction()
        if self.peek() is not None:
            raise self.fail(f"unexpected {self.peek().text!r}")  # type: ignore[union-attr]
        return found

    def disjunction(self) -> Any:
        parts = [self.conjunction()]
        while (token := self.peek()) is not None and token.text == "|":
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else or_(*parts)

    def conjunction(self) -> Any:
        parts = [self.negation()]
        while (token := self.peek()) is not None and token.text == "&":
            self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else and_(*parts)

    def negation(self) -> Any:
        token = self.peek()
        if token is not None and token.text == "~":
            self.take()
            return not_(self.negation())
        if token is not None and token.text == "(":
            self.take()
            inner = self.disjunction()
            if self.take().text != ")":
                raise self.fail("a parenthesis is not closed")
            return inner
        return self.comparison()

    def column(self, name: str) -> Any:
        self.columns.append(name)
        if self.table is None:
            return None
        if name not in self.table.c:
            raise self.fail(f"column {name!r} not in table {self.table.name!r}")
        return self.table.c[name]

    def comparison(self) -> Any:
        token = self.take()
        if token.kind not in ("col", "name"):
            raise self.fail(f"expected a column, found {token.text!r}")
        column = self.column(token.text)
        after = self.take()
        if after.kind == "null":
            if column is None:
                return None
            return column.isnot(None) if "notNull" in after.text else column.is_(None)
        if after.text not in _COMPARE:
            raise self.fail(f"expected a comparison after {token.text!r}, found {after.text!r}")
        value = self.literal(self.take())
        if column is None:
            return None
        if value is None:
            return column.is_(None) if after.text == "==" else column.isnot(None)
        return {
            "==": column == value, "!=": column != value, "<": column < value,
            "<=": column <= value, ">": column > value, ">=": column >= value,
        }[after.text]  # fmt: skip

    def literal(self, token: _Token) -> Any:
        if token.kind == "num":
            number = float(token.text)
            return int(number) if re.fullmatch(r"-?\d+", token.text) else number
        if token.kind == "str":
            return re.sub(r"\\(.)", r"\1", token.text[1:-1])
        if token.kind == "name" and token.text in ("True", "true", "False", "false"):
            return token.text in ("True", "true")
        if token.kind == "name" and token.text in ("None", "null", "NULL"):
            return None
        raise self.fail(f"expected a number, quoted text, True, False or None, not {token.text!r}")


def validate_row_condition(text: object, parser: object) -> None:
    """Raise ValueError for a condition that cannot be read (checked when a suite loads)."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("row_condition must be a non-empty condition text")
    if parser is not None and parser not in PARSERS:
        raise ValueError(f"condition_parser must be one of {', '.join(PARSERS)}")
    _Parser(text, None).parse()


def row_condition(text: str, table: Table) -> Any:
    """The SQL condition of `text` on `table` (ValueError naming an unknown column)."""
    return _Parser(text, table).parse()


__all__ = ["PARSERS", "row_condition", "validate_row_condition"]

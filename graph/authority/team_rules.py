"""What the authority engine reads of a team, as structural types.

The engine needs each role's path rules and the team's precedence entries, nothing else.
`charter.protocols.Team` (pydantic) satisfies these protocols, and so does the plain
compiled team the Claude Code guard loads from its JSON cache
(`charter.graph.claude_code.compiled`) without importing pydantic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple, Protocol


class RuleLike(Protocol):
    @property
    def pattern(self) -> str: ...

    @property
    def exceptions(self) -> Sequence[str]: ...


class AuthoritiesLike(Protocol):
    @property
    def exclusive(self) -> Sequence[RuleLike]: ...

    @property
    def forbidden(self) -> Sequence[RuleLike]: ...

    @property
    def shared(self) -> Sequence[RuleLike]: ...


class CharterLike(Protocol):
    @property
    def authorities(self) -> AuthoritiesLike: ...


class PrecedenceLike(Protocol):
    @property
    def pattern(self) -> str: ...

    @property
    def owner(self) -> str: ...


class TeamLike(Protocol):
    @property
    def roles(self) -> Mapping[str, CharterLike]: ...

    @property
    def precedence(self) -> Sequence[PrecedenceLike]: ...


class CarveOut(NamedTuple):
    """A forbidden rule's exception, indexed like a rule of its own."""

    pattern: str
    exceptions: tuple[str, ...] = ()

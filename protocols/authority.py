"""The record of one authority decision: who asked to write what, and which rule decided."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import StrictModel

AuthorityRule = Literal[
    "invalid_path",  # refused before matching: absolute, escapes the root, NUL, ...
    "forbidden",  # the role's forbidden pattern matched (and no exception)
    "exclusive_owner",  # the most specific exclusive claim is this role's
    "owned_by_other",  # the most specific exclusive claim belongs to another role
    "conflict",  # equally specific claims from several roles, no precedence entry
    "precedence",  # a team precedence entry settled a conflict
    "shared",  # nobody owns it; the role has a matching shared pattern
    "unowned",  # nobody owns it and the role has no shared pattern for it
]


class AuthorityDecision(StrictModel):
    role: str
    requested_path: str
    path: str | None  # normalised, relative to the workspace root; None when invalid
    allowed: bool
    rule: AuthorityRule
    pattern: str | None = None  # the pattern that decided, if one did
    owner: str | None = None  # the owning role, if any
    reason: str  # one line a person can read
    steps: list[str] = Field(default_factory=list)  # the whole reasoning, in order


__all__ = ["AuthorityDecision", "AuthorityRule"]

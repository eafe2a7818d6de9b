"""The cheap form of an authority decision, and the sentence that explains it."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # a name only: importing it would load pydantic (see protocols)
    from charter.protocols import AuthorityRule


class Verdict(NamedTuple):
    """A decision in its cheap form (what `allowed()`, the matrix and the benchmark use);
    `AuthorityEngine.decide()` turns it into an `AuthorityDecision`."""

    allowed: bool
    rule: AuthorityRule
    role: str
    path: str | None  # normalised; None when the path was refused
    pattern: str | None = None
    owner: str | None = None
    detail: str = ""  # the refusal reason, or the tied claims of a conflict

    @property
    def reason(self) -> str:
        role, path, pattern, owner = self.role, self.path, self.pattern, self.owner
        match self.rule:
            case "invalid_path":
                return self.detail
            case "forbidden":
                return f"{path} is in {role}'s forbidden area {pattern!r}"
            case "exclusive_owner":
                return f"{role} owns {path} through {pattern!r}"
            case "owned_by_other":
                return f"{path} belongs to {owner} through {pattern!r}"
            case "precedence":
                verb = "may write" if owner == role else "may not write"
                return (
                    f"{role} {verb} {path}: precedence gives {pattern!r} to {owner} ({self.detail})"
                )
            case "conflict":
                return (
                    f"{path} is claimed equally specifically by {self.detail} and no "
                    "precedence entry settles it; add one to the team"
                )
            case "shared":
                return f"nobody owns {path}; {role} shares it through {pattern!r}"
            case "unowned":
                return f"nobody owns {path} and {role} has no shared pattern for it"


__all__ = ["Verdict"]

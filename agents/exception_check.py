"""Exceptions that can never allow anything.

A forbidden rule's exception lifts the ban on the paths it covers, but lifting a ban grants
nothing: the role still needs a claim (exclusive or shared) on the path. When no pattern the
role claims can match any path the exception covers inside the forbidden area, the
exception is dead text that reads like a permission (the Data charter's "frontend, except
data visualisation" was such a case until the charter claimed the chart folders).

The search is static (`glob_meet.common_path` over the forbidden pattern, the exception and
each claim, braces expanded); the paths it finds are witnesses a test can give to the
authority engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from charter.protocols import Charter, PathRule, Team

from .glob_meet import common_path
from .globs import can_overlap, compile_pattern


@dataclass(frozen=True, slots=True)
class DeadException:
    """An exception of `role`'s forbidden `pattern` that no claim of the role can use."""

    role: str
    pattern: str
    exception: str

    def describe(self) -> str:
        return (
            f"{self.role}: exception {self.exception!r} of forbidden {self.pattern!r} can "
            f"never allow a write: no exclusive or shared pattern of {self.role} matches a "
            "path it covers; claim such a path or drop the exception"
        )


def exception_witnesses(charter: Charter, rule: PathRule, exception: str) -> list[str]:
    """Paths inside `rule`'s forbidden area, covered by `exception` and matched by one of
    the role's claims: one per (forbidden expansion, exception expansion, claim expansion)
    that has any, in charter order, without repeats."""
    claims = [*charter.authorities.exclusive, *charter.authorities.shared]
    found: dict[str, None] = {}
    for forbidden in compile_pattern(rule.pattern):
        for carve_out in compile_pattern(exception):
            for claim in claims:
                for glob in compile_pattern(claim.pattern):
                    if not can_overlap(carve_out.text, glob.text):
                        continue  # cheap necessary condition first
                    path = common_path(forbidden.text, carve_out.text, glob.text)
                    if path is not None:
                        found[path] = None
    return list(found)


def dead_exceptions(team: Team) -> list[DeadException]:
    """Every exception in the team that no claim of its own role can use."""
    dead = []
    for role, charter in team.roles.items():
        for rule in charter.authorities.forbidden:
            for exception in rule.exceptions:
                if not _usable(charter, rule, exception):
                    dead.append(DeadException(role, rule.pattern, exception))
    return dead


def _usable(charter: Charter, rule: PathRule, exception: str) -> bool:
    claims = [*charter.authorities.exclusive, *charter.authorities.shared]
    return any(
        can_overlap(carve_out.text, glob.text)
        and common_path(forbidden.text, carve_out.text, glob.text) is not None
        for forbidden in compile_pattern(rule.pattern)
        for carve_out in compile_pattern(exception)
        for claim in claims
        for glob in compile_pattern(claim.pattern)
    )


__all__ = ["DeadException", "dead_exceptions", "exception_witnesses"]

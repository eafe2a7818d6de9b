"""The decision over every candidate pattern, evaluated plainly, and its explanation.

This is the definition the cached fast path in `engine` must always equal (a property test
compares them): for a normalised path,
1. the role's forbidden patterns deny, unless one of that rule's exceptions matches too;
2. otherwise the most specific exclusive claim among *all* roles decides the owner
   (specificity = (literal segments, depth, literal characters), see
   `charter.agents.globs`); a claim reaching into its own role's forbidden area does not
   count. Equally specific claims from several roles are settled by a team precedence
   entry naming one of the tied patterns, or else denied to everyone as a conflict;
3. a path nobody claims is allowed only through one of the role's shared patterns.

A `Plan` is a set of claims arranged for this evaluation: every claim of the team (the
reference), or only the candidates the index selects for one path (what `decide()` uses to
explain cheaply: a claim the index does not select cannot match, so the steps are equal).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from charter.protocols import AuthorityRule

from .claims import Claim, ClaimIndex
from .explain import exclusive_steps
from .verdict import Verdict

_NO_CLAIMS: tuple[Claim, ...] = ()


class Plan(NamedTuple):
    """Claims arranged for evaluation."""

    exclusive: tuple[tuple[Claim, ...], ...]  # grouped by literal segments, most first
    forbidden: dict[str, tuple[Claim, ...]]
    shared: dict[str, tuple[Claim, ...]]


def make_plan(index: ClaimIndex, hits: frozenset[int]) -> Plan:
    groups: dict[int, list[Claim]] = {}
    forbidden: dict[str, list[Claim]] = {}
    shared: dict[str, list[Claim]] = {}
    for ident in sorted(hits):
        claim = index.claims[ident]
        if claim.kind == "exclusive":
            groups.setdefault(claim.glob.specificity[0], []).append(claim)
        elif claim.kind == "forbidden":
            forbidden.setdefault(claim.role, []).append(claim)
        elif claim.kind == "shared":
            shared.setdefault(claim.role, []).append(claim)
    return Plan(
        exclusive=tuple(tuple(groups[k]) for k in sorted(groups, reverse=True)),
        forbidden={role: tuple(claims) for role, claims in forbidden.items()},
        shared={role: tuple(claims) for role, claims in shared.items()},
    )


def forbidden_claim(plan: Plan, role: str, path: str) -> Claim | None:
    """The role's first forbidden claim matching `path` with none of its exceptions."""
    for claim in plan.forbidden.get(role, _NO_CLAIMS):
        if claim.search(path) is not None and not any(
            exception(path) is not None for exception in claim.exceptions
        ):
            return claim
    return None


def judge(index: ClaimIndex, role: str, path: str, plan: Plan) -> Verdict:
    forbidden = forbidden_claim(plan, role, path)
    if forbidden is not None:
        return Verdict(False, "forbidden", role, path, forbidden.glob.source)
    for group in plan.exclusive:
        best = (-1, -1)
        hits: list[Claim] = []
        for claim in group:
            match = claim.search(path)
            if match is None:
                continue
            end = match.end()
            if path[end - 1] == "/":
                end -= 1
            rank = (path.count("/", 0, end), claim.glob.specificity[1])
            if rank < best or (
                claim.role != role and forbidden_claim(plan, claim.role, path) is not None
            ):
                continue  # less specific, or reaching into its own forbidden area
            if rank > best:
                best, hits = rank, []
            hits.append(claim)
        if hits:
            return _settle(index, role, path, hits)
    for claim in plan.shared.get(role, _NO_CLAIMS):
        if claim.search(path) is not None:
            return Verdict(True, "shared", role, path, claim.glob.source)
    return Verdict(False, "unowned", role, path)


def _settle(index: ClaimIndex, role: str, path: str, hits: list[Claim]) -> Verdict:
    first = hits[0]
    if len(hits) == 1 or all(claim.role == first.role for claim in hits):
        rule: AuthorityRule = "exclusive_owner" if first.role == role else "owned_by_other"
        return Verdict(first.role == role, rule, role, path, first.glob.source, first.role)
    settled = {
        (claim.role, claim.glob.source)
        for claim in hits
        if (claim.glob.source, claim.role) in index.precedence
    }
    tied = ", ".join(sorted({f"{c.role} {c.glob.source!r}" for c in hits}))
    if len({owner for owner, _ in settled}) == 1:
        owner, source = min(settled)
        return Verdict(owner == role, "precedence", role, path, source, owner, tied)
    return Verdict(False, "conflict", role, path, detail=tied)


def steps(role: str, path: str, plan: Plan, own_forbidden: int) -> list[str]:
    """Steps 2-4 of the reasoning for a clean path (`own_forbidden`: how many forbidden
    patterns the role has in all)."""
    lines: list[str] = []
    matched = [c for c in plan.forbidden.get(role, _NO_CLAIMS) if c.search(path) is not None]
    if not matched:
        lines.append(f"2. forbidden: none of {role}'s {own_forbidden} forbidden patterns match")
    for claim in matched:
        excepted = any(exception(path) is not None for exception in claim.exceptions)
        note = "but one of its exceptions matches" if excepted else "no exception matches"
        lines.append(f"2. forbidden: {claim.glob.source!r} matches, {note}")
    exclusive = (claim for group in plan.exclusive for claim in group)
    lines += exclusive_steps(
        path,
        exclusive,
        lambda claim: claim.role != role and forbidden_claim(plan, claim.role, path) is not None,
    )
    for claim in plan.shared.get(role, _NO_CLAIMS):
        if claim.search(path) is not None:
            lines.append(f"4. shared: {claim.glob.source!r} matches (counts if unowned)")
            break
    return lines


__all__ = ["Plan", "forbidden_claim", "judge", "make_plan", "steps"]

"""The steps of a decision, from what the fast path already knows matches the path.

`reference.steps` finds the matching patterns by running every candidate's regex; the
engine already holds them (folder facts, name facts and the patterns depending on both),
so `decide()`, which the gate calls on every write, only runs the regex of the exclusive
claims that match (their depth, shown in the steps, is the real one, not the fast path's
relative order). A test checks both give the same lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .claims import Claim
from .matches import rank_at


def steps_from_matches(
    role: str,
    path: str,
    matched: Iterable[Claim],
    forbidden_roles: Iterable[str],
    own_forbidden: int,
) -> list[str]:
    """Steps 2-4 for a clean path; `matched`: every claim matching it (repeats allowed),
    `forbidden_roles`: the roles a forbidden rule (without exception) denies there."""
    unique = {claim.ident: claim for claim in matched}
    claims = [unique[ident] for ident in sorted(unique)]  # charter order, as the reference
    denied = set(forbidden_roles)
    lines: list[str] = []
    excepted = {c.rule_index for c in claims if c.kind == "exception" and c.role == role}
    mine = [c for c in claims if c.kind == "forbidden" and c.role == role]
    if not mine:
        lines.append(f"2. forbidden: none of {role}'s {own_forbidden} forbidden patterns match")
    for claim in mine:
        held = claim.rule_index in excepted
        note = "but one of its exceptions matches" if held else "no exception matches"
        lines.append(f"2. forbidden: {claim.glob.source!r} matches, {note}")
    # The reference walks claims grouped by literal segments (most first), in charter order
    # within a group, then sorts stably by rank: the same order here.
    exclusive = sorted(
        (c for c in claims if c.kind == "exclusive"), key=lambda c: -c.glob.specificity[0]
    )
    lines += exclusive_steps(
        path, exclusive, lambda claim: claim.role != role and claim.role in denied
    )
    for claim in claims:
        if claim.kind == "shared" and claim.role == role:
            lines.append(f"4. shared: {claim.glob.source!r} matches (counts if unowned)")
            break
    return lines


def exclusive_steps(
    path: str, exclusive: Iterable[Claim], is_void: Callable[[Claim], bool]
) -> list[str]:
    """Step 3: every exclusive claim among `exclusive` that matches `path`, with its rank,
    most specific first (equal ranks keep the given order); `is_void` tells the claims of
    roles reaching into their own forbidden area."""
    ranked = []
    for claim in exclusive:
        match = claim.search(path)
        if match is None:
            continue
        ranked.append((rank_at(claim, path, match.end()), claim))
    if not ranked:
        return ["3. exclusive claims: none match"]
    lines = []
    for rank, claim in sorted(ranked, key=lambda item: item[0], reverse=True):
        void = " -- void: inside its own role's forbidden area" if is_void(claim) else ""
        lines.append(
            f"3. exclusive claim: {claim.role} {claim.glob.source!r}"
            f" (literal segments, depth, literal chars) = {rank}{void}"
        )
    return lines


__all__ = ["exclusive_steps", "steps_from_matches"]

"""The steps of a decision, from what the fast path already knows matches the path.

`reference.steps` finds the matching patterns by running every candidate's regex; the
engine already holds them (folder facts, name facts and the patterns depending on both),
so `decide()`, which the gate calls on every write, only runs the regex of the exclusive
claims that match (their depth, shown in the steps, is the real one, not the fast path's
relative order). A test checks both give the same lines.
"""

from __future__ import annotations

from collections.abc import Iterable

from .claims import Claim


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
    ranked = []
    for claim in exclusive:
        match = claim.search(path)
        if match is None:  # cannot happen for a matching claim; kept honest, not assumed
            continue
        end = match.end() - 1 if path[match.end() - 1] == "/" else match.end()
        literal_segments, literal_chars = claim.glob.specificity
        ranked.append(((literal_segments, path.count("/", 0, end), literal_chars), claim))
    if not ranked:
        lines.append("3. exclusive claims: none match")
    for rank, claim in sorted(ranked, key=lambda item: item[0], reverse=True):
        void = ""
        if claim.role != role and claim.role in denied:
            void = " -- void: inside its own role's forbidden area"
        lines.append(
            f"3. exclusive claim: {claim.role} {claim.glob.source!r}"
            f" (literal segments, depth, literal chars) = {rank}{void}"
        )
    for claim in claims:
        if claim.kind == "shared" and claim.role == role:
            lines.append(f"4. shared: {claim.glob.source!r} matches (counts if unowned)")
            break
    return lines


__all__ = ["steps_from_matches"]
